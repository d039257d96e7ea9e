"""Ruled tables: grids rebuilt from the ruling segments, merged cells from the missing inner rules."""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from auditor.document import Box, Table
from auditor.extract._text import clean_cell
from auditor.extract.layout.geometry import Glyph, PageLayout, Seg, group_lines

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
class Grid:
    top: float
    bottom: float
    x0: float
    x1: float
    table: Table | None = None


def find_tables(page: PageLayout) -> tuple[list[tuple[Grid, list[Glyph]]], list[Glyph]]:
    """Ruled tables on the page, each with its glyphs, and the glyphs outside every table."""
    segs = [s for s in page.segs if s.b - s.a >= 3]
    if not segs:
        return [], page.glyphs
    frames = [frame for comp in _components(_merge_segs(segs)) if (frame := _frame(comp)) is not None]
    if not frames:
        return [], page.glyphs
    inside, outside = _glyphs_by_frame(page.glyphs, [grid for grid, *_ in frames])
    result = []
    for (grid, ys, xs, comp), glyphs in zip(frames, inside, strict=False):
        table = _build_grid(ys, xs, comp, glyphs, page)
        if table is None:
            outside.extend(glyphs)
            continue
        grid.table = table
        result.append((grid, glyphs))
    return result, outside


def _frame(comp: list[Seg]) -> tuple[Grid, list[float], list[float], list[Seg]] | None:
    """A group of touching rulings as a table's frame, with its row and column rules; None when it draws no grid."""
    hs = [s for s in comp if s.horizontal]
    vs = [s for s in comp if not s.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return None
    ys = _cluster([s.pos for s in hs], _TOL)
    xs = _cluster([s.pos for s in vs], _TOL)
    if len(ys) < 2 or len(xs) < 2 or (len(ys) < 3 and len(xs) < 3):
        return None
    return Grid(ys[0], ys[-1], xs[0], xs[-1]), ys, xs, comp


def _glyphs_by_frame(glyphs: list[Glyph], grids: list[Grid]) -> tuple[list[list[Glyph]], list[Glyph]]:
    """The glyphs inside each frame (the first that holds a glyph's centre), and those outside every frame."""
    inside: list[list[Glyph]] = [[] for _ in grids]
    outside: list[Glyph] = []
    boxes = [(k, grid.top - 1, grid.bottom + 1, grid.x0 - 1, grid.x1 + 1) for k, grid in enumerate(grids)]
    for g in glyphs:
        cy, cx = (g.top + g.bottom) / 2, (g.x0 + g.x1) / 2
        for k, top, bottom, x0, x1 in boxes:
            if top <= cy <= bottom and x0 <= cx <= x1:
                inside[k].append(g)
                break
        else:
            outside.append(g)
    return inside, outside


def cell_box(page: PageLayout | None, x0: float, top: float, x1: float,
             bottom: float) -> tuple[int, float, float, float, float] | None:
    """A cell's place as fractions of the page (page number, x0, top, x1, bottom); None without a page."""
    if page is None or page.width <= 0 or page.height <= 0:
        return None
    w, h = page.width, page.height
    return (page.number, round(x0 / w, 4), round(top / h, 4), round(x1 / w, 4), round(bottom / h, 4))


def _build_grid(ys: list[float], xs: list[float], segs: list[Seg], glyphs: list[Glyph],
                page: PageLayout | None = None) -> Table | None:
    nr, nc = len(ys) - 1, len(xs) - 1
    roots = _merged_regions(ys, xs, segs)
    # each merged region -> its bounding box in grid units; the owner is its top-left position
    boxes: dict[int, list[int]] = {}
    for r in range(nr):
        for c in range(nc):
            b = boxes.setdefault(roots[r * nc + c], [r, r, c, c])
            b[0], b[1], b[2], b[3] = min(b[0], r), max(b[1], r), min(b[2], c), max(b[3], c)
    # glyphs into regions
    texts: dict[int, list[Glyph]] = {}
    inner_y, inner_x = ys[1:-1], xs[1:-1]
    for g in glyphs:
        r = bisect.bisect_left(inner_y, (g.top + g.bottom) / 2)
        c = bisect.bisect_left(inner_x, (g.x0 + g.x1) / 2)
        texts.setdefault(roots[r * nc + c], []).append(g)
    rows, copies, where = _fill(ys, xs, boxes, texts, page)
    if nr * nc <= 2 and not any(any(x for x in row) for row in rows):
        return None
    # a single column "table" is a frame around text, not a table
    if nc == 1 or all(all((r, c) in copies for c in range(1, nc)) for r in range(nr)):
        return None
    return Table(rows=rows, copies=frozenset(copies), grid=True, boxes=where or None)


def _merged_regions(ys: list[float], xs: list[float], segs: list[Seg]) -> list[int]:
    """Each cell of the grid (row by row) -> the region it is merged into (its cells joined where no inner rule
    separates them), named by its first cell."""
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
    return [find(i) for i in range(nr * nc)]


def _fill(ys: list[float], xs: list[float], boxes: dict[int, list[int]], texts: dict[int, list[Glyph]],
          page: PageLayout | None) -> tuple[list[list[str]], set[tuple[int, int]], dict[tuple[int, int], Box]]:
    """The cell texts, a merged region's text repeated in each of its cells (the copies), and each region's box."""
    rows = [[""] * (len(xs) - 1) for _ in range(len(ys) - 1)]
    copies: set[tuple[int, int]] = set()
    where = {}
    for root, (r0, r1, c0, c1) in boxes.items():
        if (box := cell_box(page, xs[c0], ys[r0], xs[c1 + 1], ys[r1 + 1])) is not None:
            where[(r0, c0)] = box
        text = _region_text(texts.get(root))
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                rows[r][c] = text
                if (r, c) != (r0, c0):
                    copies.add((r, c))
    return rows, copies, where


def _region_text(gs: list[Glyph] | None) -> str:
    if not gs:
        return ""
    if len(gs) == 1:
        return gs[0].text.strip()
    return clean_cell("\n".join(ln.text for ln in group_lines(gs)))


def _index(bounds: list[float], v: float) -> int | None:
    if v < bounds[0] - 1 or v > bounds[-1] + 1:
        return None
    for i in range(len(bounds) - 1):
        if v <= bounds[i + 1]:
            return i
    return len(bounds) - 2
