"""A page's text lines and tables -> its blocks in reading order: headings, paragraphs, page furniture dropped."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.document import Block, Paragraph, Table
from auditor.extract._text import is_page_number, join_lines
from auditor.extract.layout.geometry import HEADING, Line, PageLayout, group_lines
from auditor.extract.layout.ruled import Grid, find_tables
from auditor.extract.layout.unruled import unruled_tables

_SUB_HEADING = re.compile(r"^[（(][一二三四五六七八九十]+[)）]")
_SENTENCE_END = tuple("。！？；：”」』）)")


@dataclass
class PageBlocks:
    """A page's blocks in reading order, with what the page-joining step needs to know."""
    blocks: list[Block]
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
    unruled, lines = unruled_tables(lines, page)
    items: list[tuple[float, Grid | Line]] = [(grid.top, grid) for grid, _ in tables]
    items += [(grid.top, grid) for grid in unruled]
    items += [(ln.top, ln) for ln in lines]
    items.sort(key=lambda t: t[0])
    lead: list[Line] = []
    if unruled:
        lead, items = _lead_fragment(items, unruled[0], page)
        lines = [ln for ln in lines if ln not in lead]
    left, right = _margins(lines, page)
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False) if b.top - a.bottom > -1)
    usual_gap = gaps[len(gaps) // 10] if gaps else 0.0
    blocks, first_indented, last_open = _blocks(items, page, left, right, usual_gap)
    out = PageBlocks(blocks)
    out.first_is_table = bool(blocks) and isinstance(blocks[0], Table)
    out.last_is_table = bool(blocks) and isinstance(blocks[-1], Table)
    out.last_open = last_open
    out.first_indented = first_indented
    out.table_x = [(g.x0, g.x1) for g, _ in tables]
    out.lead_fragment = join_lines([ln.text for ln in lead]) if lead else None
    return out


def _lead_fragment(items: list[tuple[float, Grid | Line]], first_table: Grid,
                   page: PageLayout) -> tuple[list[Line], list[tuple[float, Grid | Line]]]:
    """Short lines just above the page's first borderless table: the end of a label cut by the page break."""
    k = 0
    while k < len(items) and isinstance(items[k][1], Line) and k < 20:
        k += 1
    above = [item for _, item in items[:k] if isinstance(item, Line)]
    if 0 < k < len(items) and items[k][1] is first_table and all(
            (ln.x1 - ln.x0) < 0.45 * page.width and not HEADING.match(ln.text) for ln in above):
        return above, items[k:]
    return [], items


def _blocks(items: list[tuple[float, Grid | Line]], page: PageLayout, left: float, right: float,
            usual_gap: float) -> tuple[list[Block], bool, bool]:
    """Tables and lines -> blocks, lines gathered into paragraphs; whether the first paragraph starts indented and
    whether the last runs on to the next page."""
    blocks: list[Block] = []
    para: list[Line] = []
    first_indented = True

    def flush() -> None:
        if para:
            text = join_lines([ln.text for ln in para])
            blocks.append(Paragraph(text, page=page.number))
            para.clear()

    prev: Line | None = None
    for _, item in items:
        if isinstance(item, Grid):
            flush()
            assert item.table is not None, "a table found on the page has its cells"
            item.table.page = page.number
            blocks.append(item.table)
            prev = None
            continue
        ln = item
        em = max(ln.h, 6.0)
        if prev is not None:
            new = _new_paragraph(prev, ln, em, left, right, usual_gap)
        else:
            new = True
            if not blocks:
                first_indented = ln.x0 > left + 1.2 * em or bool(HEADING.match(ln.text) or _SUB_HEADING.match(ln.text))
        if new:
            flush()
        para.append(ln)
        prev = ln
    last_open = bool(para) and para[-1].x1 >= right - 2.0 * max(para[-1].h, 6.0) \
        and not para[-1].text.endswith(_SENTENCE_END)
    flush()
    return blocks, first_indented, last_open


def _new_paragraph(prev: Line, ln: Line, em: float, left: float, right: float, usual_gap: float) -> bool:
    """Line `ln` starts a new paragraph: a wide gap, an indent, a short or finished line before it, a heading, or
    another type size."""
    gap = ln.top - prev.bottom
    return bool(gap > max(1.2 * em, usual_gap + 0.4 * em) or ln.x0 > left + 1.2 * em or prev.x1 < right - 4.0 * em
                or prev.text.endswith(_SENTENCE_END) and prev.x1 < right - 1.0 * em
                or HEADING.match(ln.text) or HEADING.match(prev.text) and len(prev.text) < 40
                or abs(ln.h - prev.h) > 0.3 * em or ln.x0 < left - 1.5 * em)


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
    return bool(drop_lines and in_margin and _furniture_key(text) in drop_lines)


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
