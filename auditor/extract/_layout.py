"""Positioned text + ruling lines -> ordered paragraphs and tables (private; used by pdf.py and ocr.py).

Input per page: glyphs (a character from a PDF text layer, or a word from OCR) with boxes in a top-left
coordinate system, and the horizontal and vertical ruling segments drawn on the page (vector paths in a PDF,
dark runs in a scanned image).  Ruled tables are rebuilt as grids from the segments (merged cells detected from the
missing inner rules); everything outside a table becomes text lines, then paragraphs.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from auditor.document import Paragraph, Table
from auditor.extract._text import clean_cell, is_cjk, is_page_number, join_lines


@dataclass(slots=True)
class Glyph:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def h(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class Seg:
    """An axis-aligned ruling: horizontal when `horizontal`, at `pos` (y or x) from `a` to `b`."""
    horizontal: bool
    pos: float
    a: float
    b: float


@dataclass
class PageLayout:
    width: float
    height: float
    glyphs: list[Glyph]
    segs: list[Seg] = field(default_factory=list)
    number: int = 1


@dataclass
class Line:
    glyphs: list[Glyph]
    text: str = ""
    x0: float = 0
    x1: float = 0
    top: float = 0
    bottom: float = 0

    def finish(self) -> "Line":
        gs = sorted(self.glyphs, key=lambda g: g.x0)
        self.glyphs = gs
        self.x0 = gs[0].x0
        x1, top, bottom = gs[0].x1, gs[0].top, gs[0].bottom
        for g in gs:
            if g.x1 > x1:
                x1 = g.x1
            if g.top < top:
                top = g.top
            if g.bottom > bottom:
                bottom = g.bottom
        self.x1, self.top, self.bottom = x1, top, bottom
        self.text = _line_text(gs)
        return self

    @property
    def h(self) -> float:
        return self.bottom - self.top


def _line_text(gs: list[Glyph]) -> str:
    out: list[str] = [gs[0].text]
    prev = gs[0]
    for g in gs[1:]:
        gap = g.x0 - prev.x1
        if gap > 0.25:
            em = max(min(g.bottom - g.top, prev.bottom - prev.top), 1.0)
            if gap > 3 * em or gap > 0.25 * em and not (is_cjk(prev.text[-1]) and is_cjk(g.text[0])):
                out.append(" ")
        out.append(g.text)
        prev = g
    text = "".join(out)
    return re.sub(r" {2,}", " ", text).strip() if "  " in text else text.strip()


def group_lines(glyphs: list[Glyph]) -> list[Line]:
    """Glyphs into text lines: overlapping vertical extents, ordered top to bottom."""
    if not glyphs:
        return []
    gs = sorted(glyphs, key=lambda g: (g.top + g.bottom, g.x0))
    lines: list[Line] = []
    first = gs[0]
    cur = [first]
    top, bottom = first.top, first.bottom
    for g in gs[1:]:
        gt, gb = g.top, g.bottom
        overlap = (bottom if bottom < gb else gb) - (top if top > gt else gt)
        if overlap > 0.5 * min(bottom - top, gb - gt):
            cur.append(g)
        else:
            lines.append(Line(cur).finish())
            cur = [g]
        top, bottom = gt, gb
    lines.append(Line(cur).finish())
    return lines


# --- ruled tables -------------------------------------------------------------------------------------------------
_TOL = 2.5


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _merge_segs(segs: list[Seg]) -> list[Seg]:
    """Join collinear, touching pieces of the same ruling."""
    out: list[Seg] = []
    for horizontal in (True, False):
        group = sorted((s for s in segs if s.horizontal == horizontal), key=lambda s: (round(s.pos), s.a))
        merged: list[Seg] = []
        for s in sorted(group, key=lambda s: (s.pos, s.a)):
            for m in merged[-8:]:
                if abs(m.pos - s.pos) <= 1.5 and s.a <= m.b + _TOL and s.b >= m.a - _TOL:
                    m.a, m.b = min(m.a, s.a), max(m.b, s.b)
                    break
            else:
                merged.append(Seg(horizontal, s.pos, s.a, s.b))
        out.extend(merged)
    return out


def _components(segs: list[Seg]) -> list[list[Seg]]:
    """Groups of rulings that touch each other (one group per table)."""
    n = len(segs)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, s in enumerate(segs) if s.horizontal]
    vs = [i for i, s in enumerate(segs) if not s.horizontal]
    for i in hs:
        h = segs[i]
        for j in vs:
            v = segs[j]
            if h.a - _TOL <= v.pos <= h.b + _TOL and v.a - _TOL <= h.pos <= v.b + _TOL:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[ri] = rj
    groups: dict[int, list[Seg]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(segs[i])
    return list(groups.values())


def _covered(segs: list[Seg], pos: float, a: float, b: float) -> bool:
    """Is there a ruling at `pos` covering most of [a, b]?"""
    need = (b - a) * 0.6
    total = 0.0
    for s in segs:
        overlap = (b if b < s.b else s.b) - (a if a > s.a else s.a)
        if overlap > 0:
            total += overlap
            if total >= need:
                return True
    return False


@dataclass
class _Grid:
    top: float
    bottom: float
    x0: float
    x1: float
    table: Table | None = None


def find_tables(page: PageLayout) -> tuple[list[tuple[_Grid, list[Glyph]]], list[Glyph]]:
    """Ruled tables on the page, each with its glyphs, and the glyphs outside every table."""
    segs = [s for s in page.segs if s.b - s.a >= 3]
    if not segs:
        return [], page.glyphs
    segs = _merge_segs(segs)
    grids: list[tuple[_Grid, list[list[int]], list[float], list[float], list[Seg]]] = []
    for comp in _components(segs):
        hs = [s for s in comp if s.horizontal]
        vs = [s for s in comp if not s.horizontal]
        if len(hs) < 2 or len(vs) < 2:
            continue
        ys = _cluster([s.pos for s in hs], _TOL)
        xs = _cluster([s.pos for s in vs], _TOL)
        if len(ys) < 2 or len(xs) < 2 or (len(ys) < 3 and len(xs) < 3):
            continue
        grids.append((_Grid(ys[0], ys[-1], xs[0], xs[-1]), [], ys, xs, comp))
    if not grids:
        return [], page.glyphs
    inside: list[list[Glyph]] = [[] for _ in grids]
    outside: list[Glyph] = []
    boxes = [(k, grid.top - 1, grid.bottom + 1, grid.x0 - 1, grid.x1 + 1) for k, (grid, *_r) in enumerate(grids)]
    for g in page.glyphs:
        cy, cx = (g.top + g.bottom) / 2, (g.x0 + g.x1) / 2
        for k, top, bottom, x0, x1 in boxes:
            if top <= cy <= bottom and x0 <= cx <= x1:
                inside[k].append(g)
                break
        else:
            outside.append(g)
    result = []
    for (grid, _unused, ys, xs, comp), glyphs in zip(grids, inside):
        table = _build_grid(ys, xs, comp, glyphs, page)
        if table is None:
            outside.extend(glyphs)
            continue
        grid.table = table
        result.append((grid, glyphs))
    return result, outside


def _box(page: PageLayout | None, x0: float, top: float, x1: float, bottom: float):
    """A cell's place as fractions of the page (page number, x0, top, x1, bottom); None without a page."""
    if page is None or page.width <= 0 or page.height <= 0:
        return None
    w, h = page.width, page.height
    return (page.number, round(x0 / w, 4), round(top / h, 4), round(x1 / w, 4), round(bottom / h, 4))


def _build_grid(ys: list[float], xs: list[float], segs: list[Seg], glyphs: list[Glyph],
                page: PageLayout | None = None) -> Table | None:
    hs = [s for s in segs if s.horizontal]
    vs = [s for s in segs if not s.horizontal]
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)

    at_x = [[s for s in vs if abs(s.pos - x) <= _TOL] for x in xs]
    at_y = [[s for s in hs if abs(s.pos - y) <= _TOL] for y in ys]
    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covered(at_x[c + 1], xs[c + 1], ys[r], ys[r + 1]):
                union(r * nc + c, r * nc + c + 1)
            if r + 1 < nr and not _covered(at_y[r + 1], ys[r + 1], xs[c], xs[c + 1]):
                union(r * nc + c, (r + 1) * nc + c)
    # each merged region -> its bounding box in grid units; the owner is its top-left position
    boxes: dict[int, list[int]] = {}
    for r in range(nr):
        for c in range(nc):
            root = find(r * nc + c)
            b = boxes.setdefault(root, [r, r, c, c])
            b[0], b[1], b[2], b[3] = min(b[0], r), max(b[1], r), min(b[2], c), max(b[3], c)
    # glyphs into regions
    texts: dict[int, list[Glyph]] = {}
    inner_y, inner_x = ys[1:-1], xs[1:-1]
    for g in glyphs:
        r = bisect.bisect_left(inner_y, (g.top + g.bottom) / 2)
        c = bisect.bisect_left(inner_x, (g.x0 + g.x1) / 2)
        texts.setdefault(find(r * nc + c), []).append(g)
    rows = [[""] * nc for _ in range(nr)]
    copies: set[tuple[int, int]] = set()
    where = {}
    for root, (r0, r1, c0, c1) in boxes.items():
        if (box := _box(page, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])) is not None:
            where[(r0, c0)] = box
        gs = texts.get(root)
        if not gs:
            text = ""
        elif len(gs) == 1:
            text = gs[0].text.strip()
        else:
            text = clean_cell("\n".join(ln.text for ln in group_lines(gs)))
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                rows[r][c] = text
                if (r, c) != (r0, c0):
                    copies.add((r, c))
    if nr * nc <= 2 and not any(any(x for x in row) for row in rows):
        return None
    # a single column "table" is a frame around text, not a table
    if nc == 1 or all(all((r, c) in copies for c in range(1, nc)) for r in range(nr)):
        return None
    return Table(rows=rows, copies=frozenset(copies), grid=True, boxes=where or None)


def _index(bounds: list[float], v: float) -> int | None:
    if v < bounds[0] - 1 or v > bounds[-1] + 1:
        return None
    for i in range(len(bounds) - 1):
        if v <= bounds[i + 1]:
            return i
    return len(bounds) - 2


# --- text lines -> paragraphs ---------------------------------------------------------------------------------------
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[1-6]\s*[、．]|第[一二三四五六七八九十]+[章部分节])")
_SUB_HEADING = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_SENTENCE_END = tuple("。！？；：”」』）)")


@dataclass
class PageBlocks:
    """A page's blocks in reading order, with what the page-joining step needs to know."""
    blocks: list  # Paragraph | Table
    first_is_table: bool = False
    last_is_table: bool = False
    last_open: bool = False        # the last paragraph runs on to the next page
    first_indented: bool = True    # the first paragraph starts with an indent (a new paragraph)
    table_x: list[tuple[float, float]] = field(default_factory=list)
    lead_fragment: str | None = None  # text above a borderless table at the top of the page: the end of a label


def layout_page(page: PageLayout, drop_lines: set[str] | None = None) -> PageBlocks:
    tables, rest = find_tables(page)
    lines = [ln for ln in group_lines(rest) if ln.text]
    lines = [ln for ln in lines if not _is_furniture(ln, page, drop_lines)]
    unruled, lines = _unruled_tables(lines, page)
    items: list[tuple[float, object]] = [(grid.top, grid) for grid, _ in tables]
    items += [(grid.top, grid) for grid in unruled]
    items += [(ln.top, ln) for ln in lines]
    items.sort(key=lambda t: t[0])
    lead: list[Line] = []
    if unruled:
        k = 0
        while k < len(items) and isinstance(items[k][1], Line) and k < 20:
            k += 1
        if 0 < k < len(items) and items[k][1] is unruled[0] and all(
                (ln.x1 - ln.x0) < 0.45 * page.width and not _HEADING.match(ln.text) for _, ln in items[:k]):
            lead = [ln for _, ln in items[:k]]
            items = items[k:]
            lines = [ln for ln in lines if ln not in lead]
    left, right = _margins(lines, page)
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:]) if b.top - a.bottom > -1)
    usual_gap = gaps[len(gaps) // 10] if gaps else 0.0
    blocks: list = []
    para: list[Line] = []
    first_indented = True
    out = PageBlocks(blocks)

    def flush(open_end: bool = False) -> None:
        if para:
            text = join_lines([ln.text for ln in para])
            blocks.append(Paragraph(text, page=page.number))
            para.clear()

    prev: Line | None = None
    for _, item in items:
        if isinstance(item, _Grid):
            flush()
            item.table.page = page.number
            blocks.append(item.table)
            prev = None
            continue
        ln: Line = item
        em = max(ln.h, 6.0)
        new = prev is None
        if prev is not None:
            gap = ln.top - prev.bottom
            if gap > max(1.2 * em, usual_gap + 0.4 * em) or ln.x0 > left + 1.2 * em or prev.x1 < right - 4.0 * em \
                    or prev.text.endswith(_SENTENCE_END) and prev.x1 < right - 1.0 * em \
                    or _HEADING.match(ln.text) or _HEADING.match(prev.text) and len(prev.text) < 40 \
                    or abs(ln.h - prev.h) > 0.3 * em or ln.x0 < left - 1.5 * em:
                new = True
        elif not blocks:
            first_indented = ln.x0 > left + 1.2 * em or bool(_HEADING.match(ln.text) or _SUB_HEADING.match(ln.text))
        if new:
            flush()
        para.append(ln)
        prev = ln
    last_open = bool(para) and para[-1].x1 >= right - 2.0 * max(para[-1].h, 6.0) \
        and not para[-1].text.endswith(_SENTENCE_END)
    flush()
    out.first_is_table = bool(blocks) and isinstance(blocks[0], Table)
    out.last_is_table = bool(blocks) and isinstance(blocks[-1], Table)
    out.last_open = last_open
    out.first_indented = first_indented
    out.table_x = [(g.x0, g.x1) for g, _ in tables]
    out.lead_fragment = join_lines([ln.text for ln in lead]) if lead else None
    return out


def _margins(lines: list[Line], page: PageLayout) -> tuple[float, float]:
    if not lines:
        return 0.0, page.width
    x0s = sorted(round(ln.x0) for ln in lines)
    x1s = sorted(round(ln.x1) for ln in lines)
    # the body's left edge: the most common small x0; the right edge: a high percentile of x1
    left = min(x0s, key=lambda v: (-sum(1 for x in x0s if abs(x - v) <= 2), v))
    right = x1s[int(len(x1s) * 0.9)] if len(x1s) > 3 else max(x1s)
    return float(left), float(right)


def _is_furniture(ln: Line, page: PageLayout, drop_lines: set[str] | None) -> bool:
    """Page numbers and running headers/footers."""
    text = ln.text.strip()
    in_margin = ln.bottom < page.height * 0.1 or ln.top > page.height * 0.9
    if is_page_number(text):
        return in_margin or not text.isdigit()
    if drop_lines and in_margin and _furniture_key(text) in drop_lines:
        return True
    return False


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def repeated_margin_lines(pages: list[PageLayout]) -> set[str]:
    """Lines in the top/bottom margin that repeat on most pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    counts: dict[str, int] = {}
    for page in pages:
        seen = set()
        margin = [g for g in page.glyphs if g.bottom < page.height * 0.1 or g.top > page.height * 0.9]
        for ln in group_lines(margin):
            key = _furniture_key(ln.text)
            if key and key not in seen:
                seen.add(key)
                counts[key] = counts.get(key, 0) + 1
    return {k for k, n in counts.items() if n >= max(3, len(pages) // 2)}


def join_pages(pages: list[PageBlocks]) -> list:
    """Concatenate pages: a table continued on the next page becomes one table, a paragraph cut by the page
    break becomes one paragraph."""
    blocks: list = []
    prev: PageBlocks | None = None
    for pb in pages:
        items = list(pb.blocks)
        if pb.lead_fragment:
            last = blocks[-1] if blocks else None
            if isinstance(last, Table) and last.rows:
                row = list(last.rows[-1])
                labels = [c for c, t in enumerate(row) if t and not _NUMERIC.match(t)]
                if labels:
                    row[labels[-1]] = clean_cell(row[labels[-1]] + pb.lead_fragment)
                    blocks[-1] = Table(rows=last.rows[:-1] + [row], copies=last.copies, page=last.page, grid=last.grid,
                                       boxes=last.boxes)
                else:
                    items.insert(0, Paragraph(pb.lead_fragment, page=pb.blocks[0].page if pb.blocks else None))
            else:
                items.insert(0, Paragraph(pb.lead_fragment, page=pb.blocks[0].page if pb.blocks else None))
        if prev is not None and items and blocks:
            last, first = blocks[-1], items[0]
            if isinstance(last, Table) and isinstance(first, Table) and _same_columns(last, first):
                first = _continue_labels(last, first)
                last, first = _join_split_row(last, first)
                rows = last.rows + first.rows
                off = len(last.rows)
                copies = set(last.copies) | {(r + off, c) for r, c in first.copies}
                blocks[-1] = Table(rows=rows, copies=frozenset(copies), page=last.page, grid=last.grid and first.grid,
                                   boxes=_shift_boxes(last.boxes, first.boxes, off))
                items = items[1:]
            elif isinstance(last, Paragraph) and isinstance(first, Paragraph) and prev.last_open \
                    and not pb.first_indented:
                blocks[-1] = Paragraph(join_lines([last.text, first.text]), page=last.page)
                items = items[1:]
        blocks.extend(items)
        prev = pb
    return blocks


def _shift_boxes(a: dict | None, b: dict | None, offset: int) -> dict | None:
    """The boxes of table `a` followed by those of `b` whose rows come `offset` rows lower."""
    if not a and not b:
        return None
    out = dict(a or {})
    out.update({(r + offset, c): box for (r, c), box in (b or {}).items()})
    return out


def _same_columns(a: Table, b: Table) -> bool:
    if not a.rows or not b.rows:
        return False
    return len(a.rows[0]) == len(b.rows[0])


_NUMERIC = re.compile(r"^[\d.,，\s%-]+$")


def _continue_labels(last: Table, first: Table) -> Table:
    """A merged label cell cut by the page break leaves empty label cells at the top of the continuation:
    they are copies of the label above the break."""
    if not last.rows or not first.rows:
        return first
    head = first.rows[0]
    numeric = [c for c, text in enumerate(head) if text and _NUMERIC.match(text)]
    if not numeric:
        return first
    rows = [list(r) for r in first.rows]
    copies = set(first.copies)
    above = last.rows[-1]
    for c in range(numeric[0]):
        if head[c] or (0, c) in copies or not above[c] or _NUMERIC.match(above[c]):
            continue
        # the empty cell at (0, c) and every copy of it below
        rows[0][c] = above[c]
        copies.add((0, c))
        r = 1
        while r < len(rows) and (r, c) in copies and rows[r][c] == "":
            rows[r][c] = above[c]
            r += 1
    return Table(rows=rows, copies=frozenset(copies), page=first.page, grid=first.grid, boxes=first.boxes)


_ROW_START = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]")


def _join_split_row(last: Table, first: Table) -> tuple[Table, Table]:
    """A row cut by the page break (its text goes on at the top of the next page): one row again."""
    if not last.rows or not first.rows or len(first.rows) < 1:
        return last, first
    a, b = last.rows[-1], first.rows[0]
    if len(a) != len(b):
        return last, first
    filled_b = [c for c, t in enumerate(b) if t and (0, c) not in first.copies]
    if not filled_b:
        return last, first
    if any(not a[c] for c in filled_b) or any(_ROW_START.match(b[c]) for c in filled_b):
        return last, first
    if any(_NUMERIC.match(b[c]) for c in filled_b):
        return last, first
    a_numeric = any(t and _NUMERIC.match(t) for t in a)
    if not a_numeric and not any(_unbalanced(a[c]) for c in filled_b):
        return last, first
    r = len(last.rows) - 1
    # the last row's owners get the continuation text; their copies in that row follow
    new_a = list(a)
    for c in filled_b:
        if (r, c) not in last.copies:
            new_a[c] = a[c] + b[c]
    rows = last.rows[:-1] + [new_a]
    rest = [list(x) for x in first.rows[1:]]
    copies = {(rr - 1, cc) for rr, cc in first.copies if rr > 0}
    return (Table(rows=rows, copies=last.copies, page=last.page, grid=last.grid, boxes=last.boxes),
            Table(rows=rest, copies=frozenset(copies), page=first.page, grid=first.grid,
                  boxes=_shift_boxes(None, {k: v for k, v in (first.boxes or {}).items() if k[0] > 0}, -1)))


def _unbalanced(text: str) -> bool:
    return text.count("（") + text.count("(") > text.count("）") + text.count(")")


# --- tables without rulings: columns of text separated by wide gaps ---------------------------------------------------
_VALUE = re.compile(r"^[-+]?\d[\d,，.]*%?$")
_VALUE_START = re.compile(r"^[-+]?\d")


def _chunks(ln: Line) -> list[tuple[str, float, float]]:
    """A line cut where the gap between glyphs is wider than a character and a half."""
    gs = ln.glyphs
    hs = sorted(g.bottom - g.top for g in gs)
    em = max(hs[len(hs) // 2], 4.0)
    wide = 1.5 * em
    out: list[list[Glyph]] = [[gs[0]]]
    for prev, g in zip(gs, gs[1:]):
        if g.x0 - prev.x1 > wide:
            out.append([g])
        else:
            out[-1].append(g)
    if len(out) == 1:
        return [(ln.text, ln.x0, ln.x1)]
    return [(_line_text(gs), gs[0].x0, max(g.x1 for g in gs)) for gs in out]


_OWN_ROW = re.compile(r"^(?:第.{1,8}条|[（(]?[一二三四五六七八九十]+[)）、]|\d+\s*[.．、])")


def _unruled_tables(lines: list[Line], page: PageLayout) -> tuple[list[_Grid], list[Line]]:
    """Runs of lines that are rows of a table drawn without rulings.

    A line with wide-apart chunks is a table line; one with a number after its first chunk is a data row.  Inside a
    run, a line that starts like a row label ("第二十条…", "（三）", "2.") is a row of its own; any other line is the
    rest of a label wrapped in its cell and joins the row above, chunk by chunk into the cell it sits under.  Rows
    keep their own number of cells, like a tab-separated text."""
    if len(lines) < 2:
        return [], lines
    chunks = [_chunks(ln) for ln in lines]
    tabular = [len(c) >= 2 for c in chunks]
    valued = [len(c) >= 2 and any(_VALUE_START.match(t) for t, _, _ in c[1:]) for c in chunks]
    if sum(tabular) < 2 or not any(valued):
        return [], lines
    width = max(ln.x1 for ln in lines) - min(ln.x0 for ln in lines)

    def short(k: int) -> bool:
        ln = lines[k]
        return (ln.x1 - ln.x0) < 0.45 * width and not _HEADING.match(ln.text)

    grids: list[_Grid] = []
    keep: list[Line] = []
    i = 0
    n = len(lines)
    while i < n:
        if not tabular[i]:
            keep.append(lines[i])
            i += 1
            continue
        members = [i]
        j = i
        while j + 1 < n:
            if tabular[j + 1]:
                j += 1
                members.append(j)
                continue
            run = j + 1
            while run < n and run - j <= 20 and not tabular[run] and short(run):
                run += 1
            if run > j + 1 and (run == n or tabular[run] or _HEADING.match(lines[run].text)):  # wrapped labels, up to the next row or the page end
                members.extend(range(j + 1, run))
                j = run - 1
                continue
            break
        if sum(1 for k in members if tabular[k]) < 2 or not any(valued[k] for k in members):
            keep.extend(lines[k] for k in members)
            i = j + 1
            continue
        rows: list[list[list]] = []
        spans: list[list[float]] = []  # each row's top and bottom
        for k in members:
            cells = [[t, a, b] for t, a, b in chunks[k]]
            if valued[k] or not rows or _OWN_ROW.match(cells[0][0]) or not any(not _VALUE.match(c[0]) for c in rows[-1]):
                rows.append(cells)
                spans.append([lines[k].top, lines[k].bottom])
                continue
            spans[-1][1] = max(spans[-1][1], lines[k].bottom)
            above = rows[-1]
            labels = [c for c in above if not _VALUE.match(c[0])]
            for t, a, b in cells:
                cell = min(labels, key=lambda c: abs((c[1] + c[2]) / 2 - (a + b) / 2))
                cell[0] = join_lines([cell[0], t])
        boxes = {(r, c): _box(page, cell[1], spans[r][0], cell[2], spans[r][1])
                 for r, row in enumerate(rows) for c, cell in enumerate(row)}
        table = Table(rows=[[clean_cell(c[0]) for c in row] for row in rows], page=page.number,
                      boxes={k: v for k, v in boxes.items() if v is not None} or None)
        grids.append(_Grid(lines[members[0]].top, lines[members[-1]].bottom, min(lines[k].x0 for k in members),
                           max(lines[k].x1 for k in members), table))
        i = j + 1
    return grids, keep
