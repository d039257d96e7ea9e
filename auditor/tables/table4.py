"""Table 四 (行政复议、行政诉讼): 15 cells under one header, read as a real grid when there is one, else as the
numbers printed after the header."""
from __future__ import annotations

import re
import unicodedata

from auditor.cells import classify, make_cell, split_run
from auditor.document import Block, Box, Table
from auditor.labels import T4_COLUMNS, T4_GROUPS, RowSpec
from auditor.tables.grid import Grid
from auditor.tables.items import (
    NUMERIC_PREFIX,
    SPACE_NEAR_CJK,
    positional,
    positional_boxes,
    row_paragraph,
    table_items,
)

T4_SPECS = tuple(RowSpec(g, label, (), tuple(T4_COLUMNS)) for g, label in T4_GROUPS.items())
_T4_HEADER_END = re.compile(r"(总\s*计|尚未\s*审结)(?!.*(总\s*计|尚未\s*审结))", re.S)


def parse_table4(blocks: list[Block]) -> Grid:
    grid = Grid("四", T4_SPECS)
    if any(_T4_HEADER_END.search(" ".join(r) if isinstance(b, Table) else b.text)
           for b in blocks for r in (b.rows if isinstance(b, Table) else [[]])):
        grid.labels_seen.update(T4_GROUPS)  # the form is there, even with no numbers in it
    real = _table4_grid(blocks)
    if real is not None:
        values, boxes = real
        for i, spec in enumerate(T4_SPECS):
            cells = [make_cell(v) for v in values[i * 5:(i + 1) * 5]]
            for cell, box in zip(cells, boxes[i * 5:(i + 1) * 5], strict=False):
                cell.pos = box
            grid.rows[spec.key] = [*cells]
        return grid
    _fill_from_tokens(grid, _table4_tokens(blocks))
    return grid


def _fill_from_tokens(grid: Grid, tokens: list[str]) -> None:
    """The 15 cells from the numbers printed in the region, in order (blank cells count only in a row of 15)."""
    if len(tokens) != 15:  # blanks count only where the row is positional (exactly 15 cells)
        tokens = [t for t in tokens if t]
    if not any(tokens):
        return
    # fewer than 15 numbers: blank cells were left out somewhere, and the numbers after them may have moved
    certain = len(tokens) == 15
    if len(tokens) == 1 and tokens[0].isdigit() and len(tokens[0]) > 1:
        runs = split_run(tokens[0], 15, 3)
        values = [str(v) for v in runs[0]] if len(runs) == 1 else []
    else:
        values = tokens[:15]
    for i, spec in enumerate(T4_SPECS):
        chunk = values[i * 5:(i + 1) * 5]
        if len(chunk) == 5:
            grid.rows[spec.key] = [make_cell(v, certain) if v else None for v in chunk]
        else:
            grid.rows[spec.key] = [None] * 5
            grid.short_rows[spec.key] = len(chunk)


def _table4_grid(blocks: list[Block]) -> tuple[list[str], list[Box | None]] | None:
    """The 15 cells of a real grid, blanks in their columns: one row of 15, or three rows of 5 (and their boxes).
    A row of tab-separated fields counts when it has exactly that many fields: its empty fields are blank cells."""
    rows = [(cells, item.boxes) for b in blocks if isinstance(b, Table) for item in table_items(b)
            if (cells := item.cells if item.cells is not None else item.fields) is not None
            and any(classify(v) in ("number", "annotated") for v in item.values)]
    for width, count in ((15, 1), (5, 3)):
        keep = [[k for k, v in enumerate(cells) if classify(v) != "label"] for cells, _ in rows]
        fitted = [positional([cells[k] for k in ks], width) for (cells, _), ks in zip(rows, keep, strict=False)]
        found = [f for f in fitted if f is not None]
        if len(rows) == count and len(found) == len(fitted):
            boxes = [positional_boxes([cells[k] for k in ks], [bx[k] for k in ks] if bx else None, width)
                     or [None] * width for (cells, bx), ks in zip(rows, keep, strict=False)]
            return [v for f in found for v in f], [b for bs in boxes for b in bs]
    return None


def _table4_tokens(blocks: list[Block]) -> list[str]:
    tokens: list[str] = []
    no_tables = not any(isinstance(b, Table) for b in blocks)
    for b in blocks:
        if isinstance(b, Table):
            for item in table_items(b):
                tokens += [v for v in item.values if classify(v) != "label"]
        elif no_tables and classify(b.text) in ("number", "annotated", "dash"):
            tokens.append(b.text.strip())  # a table pasted one paragraph per cell
        elif (row := row_paragraph(b.text)) is not None and not row.labels:
            tokens += row.values  # the row of numbers under the header, printed as one paragraph
        else:
            text = SPACE_NEAR_CJK.sub("", unicodedata.normalize("NFKC", b.text))
            m = _T4_HEADER_END.search(text)
            if m and (num := NUMERIC_PREFIX.match(text[m.end():])):
                tokens += num.group(1).split()
    return tokens
