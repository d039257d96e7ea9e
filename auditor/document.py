"""The one intermediate form every extractor yields (DESIGN.md: "One intermediate form").

A Document is an ordered list of blocks: paragraphs of text, or tables as rows of cells with merged cells
expanded.  `report.py` never knows which format a Document came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class Paragraph:
    text: str
    page: int | None = None


# where a cell was printed: (page, x0, top, x1, bottom), fractions of the page's width and height
Box = tuple[int, float, float, float, float]


@dataclass(slots=True)
class Table:
    """A grid of cell texts.  A merged cell is expanded: its text is repeated in every position it covers,
    and the repeated positions are listed in `copies` so that a value is never counted twice."""

    rows: list[list[str]]
    copies: frozenset[tuple[int, int]] = frozenset()
    page: int | None = None
    grid: bool = False  # real cells (HTML, Word, a ruled PDF table): a blank cell keeps its column
    # where each cell was printed, when the layout engine knows (PDF, scans): (row, col) -> (page, x0, top, x1,
    # bottom) as fractions of the page's width and height; the review desk boxes a finding's cells on the page image
    boxes: dict[tuple[int, int], Box] | None = None

    def own_cells(self, r: int) -> list[str]:
        """The cells of row r that are not copies of a merged cell, in order."""
        return [text for c, text in enumerate(self.rows[r]) if (r, c) not in self.copies]

    def own_boxes(self, r: int) -> list[Box | None]:
        """The positions of `own_cells(r)`, in the same order (None where unknown)."""
        boxes = self.boxes or {}
        return [boxes.get((r, c)) for c in range(len(self.rows[r])) if (r, c) not in self.copies]


Block = Paragraph | Table


@dataclass(slots=True)
class DatedValue:
    """A publication date found outside the report's own text, with where it came from."""

    value: date
    source: str  # "meta" (page meta tag) or "portal" (发布日期 byline on the portal page)
    evidence: str = ""


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    format: str = "text"            # text, markdown, html, pdf, docx, doc, wps, image
    title: str | None = None        # a title given by the container (HTML <title>, meta ArticleTitle, archive header)
    published: DatedValue | None = None  # the portal's publication date when the container carries one
    ocr: bool = False               # read by OCR: every finding is less certain
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)  # extraction problems worth telling the operator

    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
