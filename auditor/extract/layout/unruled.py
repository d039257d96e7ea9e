"""Tables without rulings: columns of text separated by wide gaps."""
from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.document import Table
from auditor.extract._text import clean_cell, join_lines
from auditor.extract.layout.geometry import HEADING, Glyph, Line, PageLayout, line_text
from auditor.extract.layout.ruled import Grid, cell_box

_VALUE = re.compile(r"^[-+]?\d[\d,，.]*%?$")
_VALUE_START = re.compile(r"^[-+]?\d")


def _chunks(ln: Line) -> list[tuple[str, float, float]]:
    """A line cut where the gap between glyphs is wider than a character and a half."""
    gs = ln.glyphs
    hs = sorted(g.bottom - g.top for g in gs)
    em = max(hs[len(hs) // 2], 4.0)
    wide = 1.5 * em
    out: list[list[Glyph]] = [[gs[0]]]
    for prev, g in zip(gs, gs[1:], strict=False):
        if g.x0 - prev.x1 > wide:
            out.append([g])
        else:
            out[-1].append(g)
    if len(out) == 1:
        return [(ln.text, ln.x0, ln.x1)]
    return [(line_text(gs), gs[0].x0, max(g.x1 for g in gs)) for gs in out]


_OWN_ROW = re.compile(r"^(?:第.{1,8}条|[（(]?[一二三四五六七八九十]+[)）、]|\d+\s*[.．、])")


def unruled_tables(lines: list[Line], page: PageLayout) -> tuple[list[Grid], list[Line]]:
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
    grids: list[Grid] = []
    keep: list[Line] = []
    i = 0
    while i < len(lines):
        if not tabular[i]:
            keep.append(lines[i])
            i += 1
            continue
        members = _run(lines, tabular, i, width)
        if sum(1 for k in members if tabular[k]) < 2 or not any(valued[k] for k in members):
            keep.extend(lines[k] for k in members)
        else:
            grids.append(_grid(page, lines, chunks, valued, members))
        i = members[-1] + 1
    return grids, keep


def _short(ln: Line, width: float) -> bool:
    return (ln.x1 - ln.x0) < 0.45 * width and not HEADING.match(ln.text)


def _run(lines: list[Line], tabular: list[bool], i: int, width: float) -> list[int]:
    """The lines of the table starting at line i: table lines, and the short lines between them (wrapped labels,
    up to the next table line, a heading or the page end)."""
    n = len(lines)
    members = [i]
    j = i
    while j + 1 < n:
        if tabular[j + 1]:
            j += 1
            members.append(j)
            continue
        run = j + 1
        while run < n and run - j <= 20 and not tabular[run] and _short(lines[run], width):
            run += 1
        if run > j + 1 and (run == n or tabular[run] or HEADING.match(lines[run].text)):  # wrapped labels, up to the next row or the page end
            members.extend(range(j + 1, run))
            j = run - 1
            continue
        break
    return members


@dataclass
class _Cell:
    text: str
    x0: float
    x1: float


def _grid(page: PageLayout, lines: list[Line], chunks: list[list[tuple[str, float, float]]], valued: list[bool],
          members: list[int]) -> Grid:
    """The table of these lines: a data row or a line starting like a row label is a row of its own, any other
    line the rest of the labels above it."""
    rows: list[list[_Cell]] = []
    spans: list[list[float]] = []  # each row's top and bottom
    for k in members:
        cells = [_Cell(t, a, b) for t, a, b in chunks[k]]
        if valued[k] or not rows or _OWN_ROW.match(cells[0].text) or not any(not _VALUE.match(c.text) for c in rows[-1]):
            rows.append(cells)
            spans.append([lines[k].top, lines[k].bottom])
            continue
        spans[-1][1] = max(spans[-1][1], lines[k].bottom)
        labels = [c for c in rows[-1] if not _VALUE.match(c.text)]
        for chunk in cells:
            cell = min(labels, key=lambda c: abs((c.x0 + c.x1) / 2 - (chunk.x0 + chunk.x1) / 2))
            cell.text = join_lines([cell.text, chunk.text])
    boxes = {(r, c): cell_box(page, cell.x0, spans[r][0], cell.x1, spans[r][1])
             for r, row in enumerate(rows) for c, cell in enumerate(row)}
    table = Table(rows=[[clean_cell(c.text) for c in row] for row in rows], page=page.number,
                  boxes={k: v for k, v in boxes.items() if v is not None} or None)
    return Grid(lines[members[0]].top, lines[members[-1]].bottom, min(lines[k].x0 for k in members),
                max(lines[k].x1 for k in members), table)
