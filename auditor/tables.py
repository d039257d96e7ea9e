"""Fill the official grids of tables 二, 三 and 四 from whatever the extractor produced (SPEC §3.2–3.3).

Rows are recognised by their official labels despite typos, splits and shifted cells; a row printed without its
label takes the next official row in order; a run of digits printed without separators is split by the table's own
identity when that split is unique.  A cell that is not there is recorded as missing, never guessed.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from auditor.cells import Cell, classify, make_cell, split_run
from auditor.document import Block, Paragraph, Table
from auditor.labels import (
    OLD_FORMAT_MARKERS,
    T2_HEADER_LABELS,
    T2_ROWS,
    T2_ROWS_2019,
    T3_HEADER_LABELS,
    T3_OTHER_SINGLE,
    T3_OUTCOME_ROWS,
    T3_ROWS,
    T4_COLUMNS,
    T4_GROUPS,
    RowSpec,
)

_PUNCT = re.compile(r"[\s\W_]+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|\d{1,2}[.．、](?!\d))\s*")
_CJK = r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef“”‘’、（）]"
_SPACE_NEAR_CJK = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")


@lru_cache(maxsize=8192)
def squash(text: str) -> str:
    """A label reduced to its characters: no numbering, spaces or punctuation (for comparing labels)."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = _NUMBERING.sub("", re.sub(r"\s+", "", t))
    return _PUNCT.sub("", t)


@dataclass
class LabelDeviation:
    row: str         # official label of the row or column
    printed: str     # as printed
    column: bool = False


@dataclass
class Grid:
    """One official table: row key -> cells in column order (None: the cell is not there)."""

    name: str
    specs: tuple[RowSpec, ...]
    rows: dict[str, list[Cell | None]] = field(default_factory=dict)
    short_rows: dict[str, int] = field(default_factory=dict)   # row -> how many values it had, when too few
    printed_labels: dict[str, str] = field(default_factory=dict)
    deviations: list[LabelDeviation] = field(default_factory=list)
    old_format: list[str] = field(default_factory=list)        # 2019-format markers seen
    other_single: bool = False                                 # 三(六) printed as one row
    ambiguous: dict[str, list[list[int]]] = field(default_factory=dict)  # digit runs with several readings
    unsplit: dict[str, str] = field(default_factory=dict)                # digit runs left unread
    labels_seen: set[str] = field(default_factory=set)                   # rows whose label is printed
    _spec: dict = field(default_factory=dict, repr=False)
    _spec_for: object = field(default=None, repr=False)

    @property
    def spec(self) -> dict[str, RowSpec]:
        if self._spec_for is not self.specs:
            self._spec, self._spec_for = {s.key: s for s in self.specs}, self.specs
        return self._spec

    def cell(self, row: str, column: str) -> Cell | None:
        cells = self.rows.get(row)
        if not cells:
            return None
        return cells[_column_index(self.spec[row].columns, column)]

    def value(self, row: str, column: str) -> int | float | None:
        c = self.cell(row, column)
        return c.value if c else None

    def grid_specs(self) -> list[RowSpec]:
        specs = [s for s in self.specs if s.in_grid]
        if self.other_single:
            specs = [s for s in specs if s.key not in ("other_overdue_correction", "other_unpaid_fee", "other_other")]
            specs.append(T3_OTHER_SINGLE)
        return specs

    def cells_expected(self) -> int:
        return sum(len(s.columns) for s in self.grid_specs())

    def cells_present(self) -> int:
        """Cells printed, including those of a row too short to place them in their columns."""
        placed = sum(1 for s in self.grid_specs() for c in self.rows.get(s.key) or [] if c is not None and not c.blank)
        return placed + sum(self.short_rows.values())

    @property
    def present(self) -> bool:
        """The table is there: it has values, or at least its row labels (an empty form is there, incomplete)."""
        return bool(self.rows) or len(self.labels_seen) >= 2

    def missing_rows(self) -> list[RowSpec]:
        """Rows lacking a cell, or whose stated total is blank (not stated: its identities are not checked)."""
        return [s for s in self.grid_specs() if not self.rows.get(s.key) or any(c is None for c in self.rows[s.key])
                or self.blank_totals(s.key)]

    def blank_totals(self, key: str) -> list[str]:
        """The column keys of row `key` whose cell is a total left blank."""
        cells = self.rows.get(key) or []
        columns = self.spec[key].columns if key in self.spec else ()
        return [col for col, c in zip(columns, cells, strict=False)
                if c is not None and c.blank and (col == "total" or key == "total_handled")]

    def values(self) -> dict[str, dict[str, int | float | None]]:
        return {key: {col: (c.value if c else None) for col, c in zip(self.spec[key].columns, cells, strict=False)}
                for key, cells in self.rows.items()}


@lru_cache(maxsize=256)
def _column_index(columns: tuple[str, ...], column: str) -> int:
    return columns.index(column)


# --- reading a region into items --------------------------------------------------------------------------------
@dataclass
class Item:
    labels: list[str]
    values: list[str]               # the printed values, empty fields at either end dropped
    from_table: bool
    cells: list[str] | None = None  # a real grid's value cells as they stand, blanks included
    boxes: list | None = None       # where `cells` were printed (Table.boxes), when known


def _table_items(table: Table) -> list[Item]:
    items = []
    for r in range(len(table.rows)):
        cells = [c.strip() for c in table.own_cells(r)]
        boxes = table.own_boxes(r) if table.boxes else None
        kinds = [classify(c) for c in cells]
        label_idx = [i for i, k in enumerate(kinds) if k == "label"]
        labels = [cells[i] for i in label_idx]
        start = (label_idx[-1] + 1) if label_idx else 0
        raw = cells[start:]
        values = list(raw)
        while values and not values[0]:
            values.pop(0)
        while values and not values[-1]:
            values.pop()
        if labels or values:
            real = table.grid and values
            items.append(Item(labels, values, True, raw if real else None, boxes[start:] if real and boxes else None))
    return items


def positional(cells: list[str] | None, n: int) -> list[str] | None:
    """A real grid row's n value cells with blanks in their columns, when the row has exactly n of them (empty
    layout cells before or after excepted); None otherwise."""
    if cells is None:
        return None
    cells = list(cells)
    while len(cells) > n and not cells[0]:
        cells.pop(0)
    while len(cells) > n and not cells[-1]:
        cells.pop()
    return cells if len(cells) == n else None


def positional_boxes(cells: list[str] | None, boxes: list | None, n: int) -> list | None:
    """The boxes of the cells `positional` keeps, in the same order."""
    if cells is None or boxes is None or len(boxes) != len(cells):
        return None
    lo, hi = 0, len(cells)
    while hi - lo > n and not cells[lo]:
        lo += 1
    while hi - lo > n and not cells[hi - 1]:
        hi -= 1
    return boxes[lo:hi] if hi - lo == n else None


_NUMERIC_PREFIX = re.compile(r"^\s*((?:\d[\d,]*(?:\.\d+)?\s*)+)")


def _paragraph_items(text: str, label_re: re.Pattern) -> list[Item]:
    """Rows printed as running text ("（一）予以公开710000071（二）部分公开…"): a label followed directly by numbers."""
    text = _SPACE_NEAR_CJK.sub("", unicodedata.normalize("NFKC", text))
    matches = list(label_re.finditer(text))
    items = []
    for m, nxt in zip(matches, [*matches[1:], None], strict=False):
        segment = text[m.end(): nxt.start() if nxt else len(text)]
        num = _NUMERIC_PREFIX.match(segment)
        if num:
            values = num.group(1).split()
            if note := _NOTE.match(segment, num.end()):  # "50(营业执照)": the note belongs to the number
                values[-1] += note.group(0)
            items.append(Item([m.group(0)], values, False))
    return items


_NOTE = re.compile(r"[(（][^()（）\d]{1,20}[)）]")


def _fuzzy(label: str) -> str:
    """A label as a pattern in running text: punctuation optional (quotes, brackets and commas come and go)."""
    out = []
    for ch in unicodedata.normalize("NFKC", label):
        if ch.isspace():
            continue
        out.append(re.escape(ch) if ch.isalnum() else r"[^\w]?")
    return "".join(out)


@lru_cache(maxsize=16)
def _label_regex(specs: tuple[RowSpec, ...], extra: tuple[str, ...] = ()) -> re.Pattern:
    """Official labels (with their numbering) as they appear in running text."""
    alts = []
    for s in specs:
        body = _fuzzy(_NUMBERING.sub("", unicodedata.normalize("NFKC", s.label)))
        num = s.numbering.strip("（）()、.")
        if not num:
            alts.append(body)
        elif s.numbering[0] in "（(":
            alts.append(rf"[(（]{num}[)）]{body}")
        else:
            alts.append(rf"{num}[.．、]?{body}")
    alts += [_fuzzy(e) for e in extra]
    alts.sort(key=len, reverse=True)
    return re.compile("|".join(alts))


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


# --- filling a grid ------------------------------------------------------------------------------------------
@dataclass
class Entry:
    label: RowSpec | None
    printed: str | None
    values: list[str]
    from_table: bool
    cells: list[str] | None = None
    boxes: list | None = None


def _entries(items: list[Item], specs: list[RowSpec], width: dict[str, int], grid: Grid,
             header_canon: tuple[str, ...]) -> list[Entry]:
    entries: list[Entry] = []
    pending: list[str] = []
    for item in items:
        spec, printed = None, None
        for lab in reversed(item.labels + ([] if item.values else [])):
            if (spec := match_row(lab, specs)) is not None:
                printed = lab
                break
        for lab in item.labels:
            if (d := _group_deviation(lab)) is not None:
                grid.deviations.append(d)
        if item.labels and not item.values:
            pending += item.labels
            for lab in item.labels:
                if (seen := match_row(lab, specs)) is not None:
                    grid.labels_seen.add(seen.key)
                elif d := _header_deviation(lab, header_canon):
                    grid.deviations.append(d)
            continue
        has_digits = any(classify(v) in ("number", "annotated") for v in item.values)
        if spec is None and pending and has_digits:
            for lab in reversed(pending):
                if (spec := match_row(lab, specs)) is not None:
                    printed = lab
                    break
        pending = []
        if not has_digits and spec is None:
            continue
        last = entries[-1] if entries else None
        if (spec is None and last and item.from_table and len(item.values) == 1 and last.from_table
                and len(last.values) < width.get(last.label.key if last.label else "", 7)):
            last.values += item.values  # a row flattened one cell per line (seed 002)
            last.cells = last.boxes = None
            continue
        entries.append(Entry(spec, printed, list(item.values), item.from_table, item.cells, item.boxes))
    return entries


_GROUP_CANON = {"不予公开": "（三）不予公开", "无法提供": "（四）无法提供", "不予处理": "（五）不予处理", "其他处理": "（六）其他处理"}
_GROUP_VARIANTS = {"不予以公开": "不予公开"}


def _group_deviation(label: str) -> LabelDeviation | None:
    s = squash(label)
    if s in _GROUP_VARIANTS:
        return LabelDeviation(_GROUP_CANON[_GROUP_VARIANTS[s]], label)
    return None


def _assign(entries: list[Entry], grid: Grid, order: list[RowSpec], identity_groups: int) -> None:
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
           certain: bool = True, boxes: list | None = None) -> list[Cell | None]:
    if (real := positional(cells, n)) is not None:  # a blank cell keeps its column (SPEC §3.3)
        out = [make_cell(v, certain) for v in real]
        for cell, box in zip(out, positional_boxes(cells, boxes, n) or (), strict=False):
            cell.pos = box
        return out
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


def _cell_paragraph(text: str) -> Item | None:
    """A paragraph that is one table cell: a table pasted as one paragraph per cell (Word to CMS editor)."""
    t = text.strip()
    kind = classify(t)
    if kind in ("number", "annotated", "dash"):
        return Item([], [t], True)
    if len(t) <= 60 and "。" not in t and not _NUMERIC_PREFIX.search(t[-12:] if t else ""):
        return Item([t], [], True)
    return None


def _region_items(blocks: list[Block], label_re: re.Pattern | None) -> list[Item]:
    items: list[Item] = []
    no_tables = not any(isinstance(b, Table) for b in blocks)
    for b in blocks:
        if isinstance(b, Table):
            items += _table_items(b)
        elif label_re is not None:
            scanned = _paragraph_items(b.text, label_re)
            if not scanned and (row := _row_paragraph(b.text)):
                items.append(row)
            elif not scanned and no_tables and (cell := _cell_paragraph(b.text)):
                items.append(cell)
            else:
                items += scanned
    return items


_ROW_PARAGRAPH = re.compile(r"^(?P<label>(?:\d{1,2}\s*[.．、]\s*)?[^\d\s][^\d]{1,80}?)?\s*(?P<values>(?:\d[\d,]*(?:\.\d+)?\s+){1,14}\d[\d,]*(?:\.\d+)?)$")


def _row_paragraph(text: str) -> Item | None:
    """A table row printed as one paragraph, its cells separated by spaces ("2.其他法律法规禁止公开 0 0 0 0 0 0 0"), the
    label in any wording (matched later by its keywords); or the numbers of a row whose label stood just before."""
    m = _ROW_PARAGRAPH.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return None
    label = (m.group("label") or "").strip()
    return Item([label] if label else [], m.group("values").split(), False)


def _region_text(blocks: list[Block]) -> str:
    parts = []
    for b in blocks:
        parts.append(b.text if isinstance(b, Paragraph) else " ".join(" ".join(r) for r in b.rows))
    return "\n".join(parts)


T3_ALL = (*T3_ROWS, T3_OTHER_SINGLE)
T3_GROUP_LABELS = ("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理")


def parse_table2(blocks: list[Block]) -> Grid:
    text = _region_text(blocks)
    old = [m for m in OLD_FORMAT_MARKERS if m in text.replace(" ", "")]
    specs = T2_ROWS_2019 if old else T2_ROWS
    grid = Grid("二", specs, old_format=old)
    width = {s.key: len(s.columns) for s in specs}
    items = _region_items(blocks, _label_regex(specs))
    _assign(_entries(items, specs, width, grid, T2_HEADER_LABELS), grid, specs, 0)
    return grid


def parse_table3(blocks: list[Block]) -> Grid:
    grid = Grid("三", T3_ROWS)
    all_specs = T3_ALL
    items = _region_items(blocks, _label_regex(all_specs, T3_GROUP_LABELS))
    width = {s.key: 7 for s in all_specs}
    entries = _entries(items, all_specs, width, grid, T3_HEADER_LABELS)
    _assign(entries, grid, all_specs, 1)
    _resolve_runs(grid)
    if "other_single" in grid.rows and not any(k in grid.rows for k in ("other_overdue_correction", "other_unpaid_fee", "other_other")):
        grid.other_single = True
        grid.specs = all_specs
    else:
        grid.rows.pop("other_single", None)
    return grid


def _resolve_runs(grid: Grid, limit: int = 512) -> None:
    """Choose among the readings of ambiguous digit runs the only combination under which the column identities
    of table 三 (T3-TOTAL and T3-BAL) hold; leave the rows missing when none or several do."""
    keys = list(grid.ambiguous)
    combos = list(itertools.islice(itertools.product(*(grid.ambiguous[k] for k in keys)), limit + 1))
    if not keys or len(combos) > limit:
        return
    outcome = [k for k in T3_OUTCOME_ROWS if k in grid.rows]
    if "other_single" in grid.rows:
        outcome = [k for k in outcome if k not in ("other_overdue_correction", "other_unpaid_fee", "other_other")] + ["other_single"]
    good = []
    for combo in combos:
        rows = {k: [c.value if c else None for c in v] for k, v in grid.rows.items()}
        rows.update({k: list(v) for k, v in zip(keys, combo, strict=False)})
        if _column_identities_hold(rows, outcome):
            good.append(combo)
    if len(good) == 1:
        for k, values in zip(keys, good[0], strict=False):
            grid.rows[k] = [Cell(str(v), v, True) for v in values]
            grid.short_rows.pop(k, None)
            grid.unsplit.pop(k, None)
    grid.ambiguous.clear()


def _column_identities_hold(rows: dict[str, list], outcome: list[str]) -> bool:
    checked = False
    for c in range(7):
        parts = [rows.get(k, [None] * 7)[c] for k in outcome]
        total = rows.get("total_handled", [None] * 7)[c]
        if total is not None and all(p is not None for p in parts) and len(parts) == len(outcome):
            checked = True
            if sum(parts) != total:
                return False
        side = [rows.get(k, [None] * 7)[c] for k in ("new_applications", "carry_over", "total_handled", "carried_forward")]
        if all(v is not None for v in side):
            checked = True
            if side[0] + side[1] != side[2] + side[3]:
                return False
    return checked


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
            grid.rows[spec.key] = [make_cell(v) for v in values[i * 5:(i + 1) * 5]]
            for cell, box in zip(grid.rows[spec.key], boxes[i * 5:(i + 1) * 5], strict=False):
                cell.pos = box
        return grid
    tokens = _table4_tokens(blocks)
    if len(tokens) != 15:  # blanks count only where the row is positional (exactly 15 cells)
        tokens = [t for t in tokens if t]
    if not any(tokens):
        return grid
    certain = len(tokens) <= 15
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
    return grid


def _table4_grid(blocks: list[Block]) -> tuple[list[str], list] | None:
    """The 15 cells of a real grid, blanks in their columns: one row of 15, or three rows of 5 (and their boxes)."""
    items = [item for b in blocks if isinstance(b, Table) for item in _table_items(b)
             if item.cells is not None and any(classify(v) in ("number", "annotated") for v in item.values)]
    for width, count in ((15, 1), (5, 3)):
        keep = [[k for k, v in enumerate(item.cells) if classify(v) != "label"] for item in items]
        fitted = [positional([item.cells[k] for k in ks], width) for item, ks in zip(items, keep, strict=False)]
        if len(items) == count and all(f is not None for f in fitted):
            boxes = [positional_boxes([item.cells[k] for k in ks], [item.boxes[k] for k in ks] if item.boxes else None,
                                      width) or [None] * width for item, ks in zip(items, keep, strict=False)]
            return [v for f in fitted for v in f], [b for bs in boxes for b in bs]
    return None


def _table4_tokens(blocks: list[Block]) -> list[str]:
    tokens: list[str] = []
    no_tables = not any(isinstance(b, Table) for b in blocks)
    for b in blocks:
        if isinstance(b, Table):
            for item in _table_items(b):
                tokens += [v for v in item.values if classify(v) != "label"]
        elif no_tables and classify(b.text) in ("number", "annotated", "dash"):
            tokens.append(b.text.strip())  # a table pasted one paragraph per cell
        elif (row := _row_paragraph(b.text)) is not None and not row.labels:
            tokens += row.values  # the row of numbers under the header, printed as one paragraph
        else:
            text = _SPACE_NEAR_CJK.sub("", unicodedata.normalize("NFKC", b.text))
            m = _T4_HEADER_END.search(text)
            if m and (num := _NUMERIC_PREFIX.match(text[m.end():])):
                tokens += num.group(1).split()
    return tokens
