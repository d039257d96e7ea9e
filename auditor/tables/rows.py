"""Items -> rows of the official grid: which official row a printed label names, and the cells of each row (a row
printed without its label takes the next official row in order; a run of digits is split by the table's identity)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from auditor.cells import Cell, classify, make_cell, split_run
from auditor.document import Box
from auditor.labels import RowSpec
from auditor.tables.grid import Grid, LabelDeviation, squash
from auditor.tables.items import Item, positional, positional_boxes

# --- matching labels to rows ------------------------------------------------------------------------------------
_MATCH_CACHE: dict[tuple[str, int], RowSpec | None] = {}


def match_row(label: str, specs: tuple[RowSpec, ...]) -> RowSpec | None:
    """The official row a printed label names (specs are the module's constant tuples: cached by identity)."""
    key = (label, id(specs))
    if key not in _MATCH_CACHE:
        if len(_MATCH_CACHE) > 20000:
            _MATCH_CACHE.clear()
        _MATCH_CACHE[key] = _match_row(label, specs)
    return _MATCH_CACHE[key]


def _match_row(label: str, specs: tuple[RowSpec, ...]) -> RowSpec | None:
    s = squash(label)
    if not s:
        return None
    for spec in specs:
        if s == squash(spec.label):
            return spec
    if s == "其他":
        return next((sp for sp in specs if sp.key == "other_other"), None)
    for spec in specs:
        if spec.keywords and any(k in s for k in spec.keywords):
            return spec
    return None


def _deviation(printed: str, spec: RowSpec) -> LabelDeviation | None:
    p, canon = squash(printed), squash(spec.label)
    if p == canon:
        return None
    if p in canon and len(canon) - len(p) > 4:  # a fragment of a label split over several lines or cells
        return None
    return LabelDeviation(spec.label, printed)


def _edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=4096)
def _header_deviation(label: str, canon: tuple[str, ...]) -> LabelDeviation | None:
    s = squash(label)
    if len(s) < 3 or any(s in c for c in canon):  # exact, or a fragment of a label split over cells
        return None
    best = min(canon, key=lambda c: _edit_distance(s, c))
    if 0 < _edit_distance(s, best) <= 2 and len(best) >= 4:
        return LabelDeviation(best, label, column=True)
    return None


_GROUP_CANON = {"不予公开": "（三）不予公开", "无法提供": "（四）无法提供", "不予处理": "（五）不予处理", "其他处理": "（六）其他处理"}
_GROUP_VARIANTS = {"不予以公开": "不予公开"}


def _group_deviation(label: str) -> LabelDeviation | None:
    s = squash(label)
    if s in _GROUP_VARIANTS:
        return LabelDeviation(_GROUP_CANON[_GROUP_VARIANTS[s]], label)
    return None


# --- filling a grid ------------------------------------------------------------------------------------------
@dataclass
class Entry:
    label: RowSpec | None
    printed: str | None
    values: list[str]
    from_table: bool
    cells: list[str] | None = None
    boxes: list[Box | None] | None = None


def entries(items: list[Item], specs: tuple[RowSpec, ...], width: dict[str, int], grid: Grid,
            header_canon: tuple[str, ...]) -> list[Entry]:
    """The rows printed with values, each with the official row its label names (None: no label recognised);
    labels printed without values are kept for the values that follow them."""
    out: list[Entry] = []
    pending: list[str] = []
    for item in items:
        _note_labels(item, specs, grid, header_canon)
        if item.labels and not item.values:
            pending += item.labels
            continue
        entry = _entry(item, _row_labels(pending, header_canon), specs)
        pending = []
        if entry is None:
            continue
        last = out[-1] if out else None
        if entry.label is None and last is not None and _continues(last, item, width):
            last.values += item.values  # a row flattened one cell per line (seed 002)
            last.cells = last.boxes = None
            continue
        out.append(entry)
    return out


def _note_labels(item: Item, specs: tuple[RowSpec, ...], grid: Grid, header_canon: tuple[str, ...]) -> None:
    """Record the label deviations of an item, and for labels printed without values the rows they name."""
    for lab in item.labels:
        if (d := _group_deviation(lab)) is not None:
            grid.deviations.append(d)
    if item.labels and not item.values:
        for lab in item.labels:
            if (seen := match_row(lab, specs)) is not None:
                grid.labels_seen.add(seen.key)
            elif d := _header_deviation(lab, header_canon):
                grid.deviations.append(d)


def _row_labels(pending: list[str], header_canon: tuple[str, ...]) -> list[str]:
    """The labels waiting for values that may name a row: those after the column headers ("申请人情况…法律服务机构"),
    and not a bare "其他" or "总计" printed with them (there they are columns, not the rows "3.其他", "（七）总计")."""
    headers = {squash(h) for h in header_canon}
    last = max((i for i, lab in enumerate(pending) if squash(lab) in headers), default=-1)
    if last < 0:
        return pending
    return [lab for lab in pending[last + 1:] if lab.strip() not in _BARE_COLUMNS]


_BARE_COLUMNS = {"其他", "总计", "合计"}


def _named_row(labels: list[str], specs: tuple[RowSpec, ...]) -> tuple[RowSpec | None, str | None]:
    """The official row named by the last of these labels that names one, and that label."""
    for lab in reversed(labels):
        if (spec := match_row(lab, specs)) is not None:
            return spec, lab
    return None, None


def _entry(item: Item, pending: list[str], specs: tuple[RowSpec, ...]) -> Entry | None:
    """An item with values as an entry: its row named by its own labels, else by labels printed just before it
    (when it has digits); None for an item with neither digits nor a row."""
    spec, printed = _named_row(item.labels, specs)
    has_digits = any(classify(v) in ("number", "annotated") for v in item.values)
    if spec is None and pending and has_digits:
        spec, printed = _named_row(pending, specs)
    if not has_digits and spec is None:
        return None
    return Entry(spec, printed, list(item.values), item.from_table, item.cells, item.boxes)


def _continues(last: Entry, item: Item, width: dict[str, int]) -> bool:
    """A single table value after a table row still short of cells: the same row, flattened one cell per line."""
    return (item.from_table and len(item.values) == 1 and last.from_table
            and len(last.values) < width.get(last.label.key if last.label else "", 7))


def assign(entries: list[Entry], grid: Grid, order: tuple[RowSpec, ...], identity_groups: int) -> None:
    position = {s.key: i for i, s in enumerate(order)}
    last = -1
    for e in entries:
        spec = e.label
        if spec is None:
            spec = next((s for s in order[last + 1:] if s.in_grid and s.key not in grid.rows), None)
            if spec is None:
                continue
        if spec.key in grid.rows:
            continue
        if e.printed and (d := _deviation(e.printed, spec)):
            grid.deviations.append(d)
        grid.printed_labels[spec.key] = e.printed or ""
        # a row printed without its label is placed by order: its cells are not certain
        grid.rows[spec.key] = _cells(e.values, len(spec.columns), identity_groups, grid, spec.key, e.cells,
                                     certain=e.label is not None, boxes=e.boxes)
        last = position.get(spec.key, last)


def _cells(values: list[str], n: int, identity_groups: int, grid: Grid, key: str, cells: list[str] | None = None,
           certain: bool = True, boxes: list[Box | None] | None = None) -> list[Cell | None]:
    if (real := positional(cells, n)) is not None:  # a blank cell keeps its column (SPEC §3.3)
        out = [make_cell(v, certain) for v in real]
        for cell, box in zip(out, positional_boxes(cells, boxes, n) or (), strict=False):
            cell.pos = box
        return [*out]
    if len(values) == 1 and n > 1 and values[0].isdigit():
        runs = split_run(values[0], n, identity_groups, max_solutions=8)
        if len(runs) == 1:
            return [Cell(str(v), v, True, certain) for v in runs[0]]
        if runs:
            grid.ambiguous[key] = runs
        grid.short_rows[key] = 0
        grid.unsplit[key] = values[0]
        return [None] * n
    columns_known = len(values) <= n
    if len(values) > n:
        values = values[-n:]
    if len(values) < n:
        grid.short_rows[key] = sum(1 for v in values if v)
        return [None] * n
    return [make_cell(v, certain and columns_known) if v else None for v in values]
