"""Positioned text + ruling lines -> ordered paragraphs and tables (used by pdf.py, ocr.py and ofd.py).

Input per page: glyphs (a character from a PDF text layer, or a word from OCR) with boxes in a top-left
coordinate system, and the horizontal and vertical ruling segments drawn on the page (vector paths in a PDF,
dark runs in a scanned image).  Ruled tables are rebuilt as grids from the segments (merged cells detected from the
missing inner rules); everything outside a table becomes text lines, then paragraphs.

geometry.py   glyphs, segments, pages; glyphs -> text lines
ruled.py      ruled tables: grids from the rulings
unruled.py    tables without rulings: columns separated by wide gaps
paragraphs.py one page: lines and tables -> blocks in reading order, page furniture dropped
pages.py      pages joined: paragraphs and tables that run on over a page break
"""
from __future__ import annotations

from auditor.extract.layout.geometry import Glyph, Line, PageLayout, Seg, group_lines
from auditor.extract.layout.pages import join_pages
from auditor.extract.layout.paragraphs import PageBlocks, layout_page, repeated_margin_lines

__all__ = ["Glyph", "Line", "PageBlocks", "PageLayout", "Seg", "group_lines", "join_pages", "layout_page",
           "repeated_margin_lines"]
