"""Fill the official grids of tables 二, 三 and 四 from whatever the extractor produced (SPEC §3.2–3.3).

Rows are recognised by their official labels despite typos, splits and shifted cells; a row printed without its
label takes the next official row in order; a run of digits printed without separators is split by the table's own
identity when that split is unique.  A cell that is not there is recorded as missing, never guessed.

- grid: the official grid filled (Grid) and how labels are compared;
- items: a table's region read into labels and values (real tables, rows as running text or one per paragraph);
- rows: items matched to official rows, and their cells placed in the official columns;
- rowwise: tables 二 and 三; table4: table 四.
"""
from __future__ import annotations

from auditor.tables.grid import Grid, LabelDeviation, squash
from auditor.tables.items import Item, positional, positional_boxes
from auditor.tables.rows import Entry, match_row
from auditor.tables.rowwise import T3_ALL, T3_GROUP_LABELS, parse_table2, parse_table3
from auditor.tables.table4 import T4_SPECS, parse_table4

__all__ = ["T3_ALL", "T3_GROUP_LABELS", "T4_SPECS", "Entry", "Grid", "Item", "LabelDeviation", "match_row",
           "parse_table2", "parse_table3", "parse_table4", "positional", "positional_boxes", "squash"]
