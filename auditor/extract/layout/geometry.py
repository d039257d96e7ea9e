"""What the layout engine reads: glyphs with boxes, ruling segments, a page; glyphs grouped into text lines."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.extract._text import is_cjk


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

    def finish(self) -> Line:
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
        self.text = line_text(gs)
        return self

    @property
    def h(self) -> float:
        return self.bottom - self.top


def line_text(gs: list[Glyph]) -> str:
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


# a numbered heading line: 一、 / 1、 / 第一章
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+\s*[、.．]|[1-6]\s*[、．]|第[一二三四五六七八九十]+[章部分节])")
