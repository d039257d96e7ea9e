"""The official tables drawn as the format prints them (SPEC §2.3–2.5), from a report's stored values, with the
cells a finding names marked.  A cell is (text, rowspan, colspan, classes, key) where key = (table, row, column)
in the official labels that findings use."""
from __future__ import annotations

from dataclasses import dataclass, field

from auditor.labels import (
    T2_COLUMNS,
    T2_COLUMNS_2019,
    T2_ROWS,
    T2_ROWS_2019,
    T3_COLUMN_GROUP,
    T3_COLUMNS,
    T3_FOOTNOTE,
    T3_OTHER_SINGLE,
    T3_ROWS,
    T4_COLUMNS,
    T4_GROUPS,
    TABLE_NAMES,
)

RESULTS = "三、本年度办理结果"


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    head: bool = False
    key: tuple | None = None         # (table, row label, column label) of a value cell
    marks: list[int] = field(default_factory=list)   # the findings that point at it
    missing: bool = False


@dataclass
class Drawn:
    table: str
    name: str
    rows: list[list[Cell]]


def _fmt(v) -> str:
    if v is None:
        return ""
    return f"{v:g}" if isinstance(v, float) else str(v)


def _value(table: str, values: dict, key: str, col: str, row_label: str, col_label: str) -> Cell:
    v = (values.get(key) or {}).get(col)
    return Cell(_fmt(v), key=(table, row_label, col_label), missing=v is None)


def table2(values: dict) -> list[list[Cell]]:
    old = any(k in values for k in ("other_services", "procurement"))
    specs, columns = (T2_ROWS_2019, T2_COLUMNS_2019) if old else (T2_ROWS, T2_COLUMNS)
    width = max(len(s.columns) for s in specs)
    rows: list[list[Cell]] = []
    last_cols, last_group = None, None
    for s in specs:
        if s.group != last_group:
            rows.append([Cell(s.group or "", colspan=width + 1, head=True)])
            last_group = s.group
        if s.columns != last_cols:
            span = width // len(s.columns)
            rows.append([Cell("信息内容", head=True)] + [Cell(columns[c], colspan=span, head=True) for c in s.columns])
            last_cols = s.columns
        span = width // len(s.columns)
        rows.append([Cell(s.label, head=True)] + [_span(_value("二", values, s.key, c, s.label, columns[c]), span)
                                                  for c in s.columns])
    return rows


def _span(cell: Cell, colspan: int) -> Cell:
    cell.colspan = colspan
    return cell


def table3(values: dict) -> list[list[Cell]]:
    specs = list(T3_ROWS)
    if "other_single" in values:
        i = next(k for k, s in enumerate(specs) if s.key == "other_overdue_correction")
        specs[i:i + 3] = [T3_OTHER_SINGLE]
    cols = list(T3_COLUMNS)
    rows = [[Cell(T3_FOOTNOTE, rowspan=3, colspan=3, head=True), Cell("申请人情况", colspan=7, head=True)],
            [Cell("自然人", rowspan=2, head=True), Cell(T3_COLUMN_GROUP, colspan=5, head=True),
             Cell("总计", rowspan=2, head=True)],
            [Cell(T3_COLUMNS[c], head=True) for c in cols[1:6]]]
    in_results = [s for s in specs if s.group and (s.group == RESULTS or s.group.startswith("（"))]
    seen_group: set[str] = set()
    for s in specs:
        label: list[Cell] = []
        if s in in_results:
            if RESULTS not in seen_group:
                label.append(Cell(RESULTS, rowspan=len(in_results), head=True))
                seen_group.add(RESULTS)
            if s.group == RESULTS:
                label.append(Cell(s.label, colspan=2, head=True))
            else:
                if s.group not in seen_group:
                    label.append(Cell(s.group, rowspan=sum(1 for x in specs if x.group == s.group), head=True))
                    seen_group.add(s.group)
                label.append(Cell(s.label, head=True))
        else:
            label.append(Cell(s.label, colspan=3, head=True))
        rows.append(label + [_value("三", values, s.key, c, s.label, T3_COLUMNS[c]) for c in cols])
    return rows


def table4(values: dict) -> list[list[Cell]]:
    cols = list(T4_COLUMNS)
    groups = list(T4_GROUPS)
    return [
        [Cell("行政复议", colspan=5, head=True), Cell("行政诉讼", colspan=10, head=True)],
        [Cell("", colspan=5, head=True), Cell("未经复议直接起诉", colspan=5, head=True),
         Cell("复议后起诉", colspan=5, head=True)],
        [Cell(T4_COLUMNS[c], head=True) for _ in groups for c in cols],
        [_value("四", values, g, c, T4_GROUPS[g], T4_COLUMNS[c]) for g in groups for c in cols],
    ]


def draw(values: dict | None, findings: list[dict]) -> list[Drawn]:
    """The report's official tables with every value cell a finding points at marked with the finding's id."""
    values = values or {}
    out = []
    for name, build in (("二", table2), ("三", table3), ("四", table4)):
        if name not in values:
            continue
        rows = build(values[name] or {})
        _mark(name, rows, findings)
        out.append(Drawn(name, TABLE_NAMES[name], rows))
    return out


def _mark(table: str, rows: list[list[Cell]], findings: list[dict]) -> None:
    cells = [c for row in rows for c in row if c.key]
    for f in findings:
        for t, row, col in targets(f):
            if t != table:
                continue
            for c in cells:
                if (row is None or c.key[1] == row) and (col is None or c.key[2] == col) and f["id"] not in c.marks:
                    c.marks.append(f["id"])


def targets(f: dict) -> list[tuple]:
    """The (table, row, column) a finding points at: its cells, else its location (a whole row or column)."""
    out = [(c.get("table"), c.get("row"), c.get("column")) for c in f.get("cells") or [] if isinstance(c, dict)]
    loc = f.get("location") or {}
    if not out and loc.get("table") and (loc.get("row") or loc.get("column")):
        out.append((loc["table"], loc.get("row"), loc.get("column")))
    return out


def sides(f: dict) -> tuple[list[dict], list[dict], str, str] | None:
    """Both sides of a broken identity: the cells on the left and on the right and their sums, when the finding
    says which side each cell is on."""
    cells = [c for c in f.get("cells") or [] if isinstance(c, dict)]
    left = [c for c in cells if c.get("side") == "left"]
    right = [c for c in cells if c.get("side") == "right"]
    if not left or not right:
        return None
    total = lambda cs: _fmt(sum(c["value"] for c in cs if isinstance(c.get("value"), (int, float))))  # noqa: E731
    return left, right, total(left), total(right)


def boxes(findings: list[dict]) -> dict[int, list[tuple[int, list[float]]]]:
    """page -> [(finding id, bbox)] of the cells whose place on the page is known."""
    out: dict[int, list] = {}
    for f in findings:
        for c in f.get("cells") or []:
            if isinstance(c, dict) and c.get("page") and c.get("bbox"):
                out.setdefault(int(c["page"]), []).append((f["id"], c["bbox"]))
    return out
