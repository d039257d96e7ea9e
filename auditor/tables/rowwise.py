"""Tables 二 and 三, read row by row: each row found by its label, its cells in the official columns; the
ambiguous digit runs of table 三 settled by its column identities."""
from __future__ import annotations

import itertools

from auditor.cells import Cell
from auditor.document import Block, Table
from auditor.labels import (
    OLD_FORMAT_MARKERS,
    T2_HEADER_LABELS,
    T2_ROWS,
    T2_ROWS_2019,
    T3_HEADER_LABELS,
    T3_OTHER_SINGLE,
    T3_OUTCOME_ROWS,
    T3_ROWS,
    RowSpec,
)
from auditor.tables.grid import Grid
from auditor.tables.items import label_regex, region_items, region_text
from auditor.tables.rows import assign, entries

T3_ALL = (*T3_ROWS, T3_OTHER_SINGLE)
T3_GROUP_LABELS = ("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理")
_OTHER_SPLIT = ("other_overdue_correction", "other_unpaid_fee", "other_other")

Values = list[int | float | None]


def parse_table2(blocks: list[Block]) -> Grid:
    text = region_text([b for b in blocks if _in_table(b)])
    old = [m for m in OLD_FORMAT_MARKERS if m in text.replace(" ", "")]
    specs: tuple[RowSpec, ...] = T2_ROWS_2019 if old else T2_ROWS
    grid = Grid("二", specs, old_format=old)
    width = {s.key: len(s.columns) for s in specs}
    items = region_items(blocks, label_regex(specs))
    assign(entries(items, specs, width, grid, T2_HEADER_LABELS), grid, specs, 0)
    return grid


def parse_table3(blocks: list[Block]) -> Grid:
    grid = Grid("三", T3_ROWS)
    all_specs = T3_ALL
    items = region_items(blocks, label_regex(all_specs, T3_GROUP_LABELS))
    width = {s.key: 7 for s in all_specs}
    found = entries(items, all_specs, width, grid, T3_HEADER_LABELS)
    assign(found, grid, all_specs, 1)
    _resolve_runs(grid)
    if "other_single" in grid.rows and not any(k in grid.rows for k in _OTHER_SPLIT):
        grid.other_single = True
        grid.specs = all_specs
    else:
        grid.rows.pop("other_single", None)
    return grid


def _in_table(block: Block) -> bool:
    """A table, or a paragraph that is a table's cell or row (a table pasted one paragraph per cell or row): not a
    sentence of the narrative ("在政府集中采购方面，公开…" names no column of the trial format's table)."""
    if isinstance(block, Table):
        return True
    text = block.text.strip()
    return len(text) <= 40 and not any(p in text for p in "。，；,;")


def _resolve_runs(grid: Grid, limit: int = 512) -> None:
    """Choose among the readings of ambiguous digit runs the only combination under which the column identities
    of table 三 (T3-TOTAL and T3-BAL) hold; leave the rows missing when none or several do."""
    keys = list(grid.ambiguous)
    combos = list(itertools.islice(itertools.product(*(grid.ambiguous[k] for k in keys)), limit + 1))
    if not keys or len(combos) > limit:
        return
    outcome = [k for k in T3_OUTCOME_ROWS if k in grid.rows]
    if "other_single" in grid.rows:
        outcome = [k for k in outcome if k not in _OTHER_SPLIT] + ["other_single"]
    good = []
    for combo in combos:
        rows: dict[str, Values] = {k: [c.value if c else None for c in v] for k, v in grid.rows.items()}
        for k, reading in zip(keys, combo, strict=False):
            rows[k] = [*reading]
        if _column_identities_hold(rows, outcome):
            good.append(combo)
    if len(good) == 1:
        for k, values in zip(keys, good[0], strict=False):
            grid.rows[k] = [Cell(str(v), v, True) for v in values]
            grid.short_rows.pop(k, None)
            grid.unsplit.pop(k, None)
    grid.ambiguous.clear()


def _column_identities_hold(rows: dict[str, Values], outcome: list[str]) -> bool:
    checked = False
    for c in range(7):
        parts = [p for k in outcome if (p := rows.get(k, [None] * 7)[c]) is not None]
        total = rows.get("total_handled", [None] * 7)[c]
        if total is not None and len(parts) == len(outcome):
            checked = True
            if sum(parts) != total:
                return False
        side = [v for k in ("new_applications", "carry_over", "total_handled", "carried_forward")
                if (v := rows.get(k, [None] * 7)[c]) is not None]
        if len(side) == 4:
            checked = True
            if side[0] + side[1] != side[2] + side[3]:
                return False
    return checked
