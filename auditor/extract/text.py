"""Plain text and markdown -> Document.

Tables arrive as tab-separated rows, markdown pipe rows, or flattened one cell per line (seed 002); all become Table
rows here and the report parser sorts out which is which.  A header block written by a site archiver
(标题: / 发布时间: / 原文链接: … ===== 正文 =====) gives the title and the portal's publication date.
"""
from __future__ import annotations

import re

from auditor.dates import find_date
from auditor.document import DatedValue, Document, Paragraph, Table
from auditor.extract import decode_text  # the package is loaded before any of its format modules

_PIPE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(第\s*)?\d{1,3}\s*(页)?[-—–－\s]*$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")
_NOISE = re.compile(r"\[bookmark:[^\]]*\]|\(<https?://[^>]*>\)|<https?://[^>]*>|\*\*")
_HEADER_SPLIT = re.compile(r"^=+\s*正文\s*=+$")
_HEADER_FIELD = re.compile(r"^(标题|发布时间|发布日期|文号|发布机构|栏目|原文链接|本地目录)\s*[:：]\s*(.*)$")


def extract(data: bytes) -> Document:
    return parse_text(decode_text(data))


def parse_text(text: str) -> Document:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u3000", "  ")
    lines = text.split("\n")
    doc = Document(format="markdown" if _is_markdown(lines) else "text")
    lines = _read_archive_header(lines, doc)
    reader = _Lines(doc)
    for raw in lines:
        reader.read(raw)
    reader.flush()
    return doc


class _Lines:
    """Lines into blocks: table rows (pipe, tab-separated or space-aligned) gathered into tables, other lines
    paragraphs."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.rows: list[list[str]] = []
        self.pipes = self.spaced = False  # what the rows gathered so far are

    def flush(self) -> None:
        if self.rows:
            self.doc.blocks.append(Table(rows=list(self.rows), grid=self.pipes and len(self.rows) > 1))
            self.rows.clear()
        self.pipes = self.spaced = False

    def read(self, raw: str) -> None:
        line = _NOISE.sub("", raw).rstrip()
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            if not _PIPE_SEPARATOR.match(stripped):
                self.pipes = self.pipes or not self.rows  # a markdown table's cells are real cells
                self.rows.append([c.strip() for c in stripped.strip("|").split("|")])
            return
        if _loose_pipe_row(stripped, bool(self.rows)):
            # "规章 | 0 | 0 | 0 |": cells between bars without the leading one, as some pages flatten their tables;
            # read in order like tab rows (not as a certain grid: a flattened row may have lost a cell)
            self.rows.append([c.strip() for c in stripped.strip("|").split("|")])
            return
        if "\t" in line:
            # trailing tabs are blank cells at the row's end: they keep the cells before them in their columns
            tabbed = _NOISE.sub("", raw).rstrip("\r\n")
            self.rows.append([c.strip() for c in tabbed.split("\t")])
            return
        if not stripped:
            if not self.spaced:  # a table aligned with spaces goes on across blank lines (pdftotext -layout)
                self.flush()
            return
        if _PAGE_NUMBER.match(stripped):
            return
        if (cells := _spaced_row(stripped, self.spaced)) is not None:
            if not self.spaced:
                self.flush()
            self.rows.append(cells)
            self.spaced = True
            return
        self.flush()
        self.doc.blocks.append(Paragraph(stripped.lstrip("#").strip()))


def _loose_pipe_row(line: str, in_table: bool) -> bool:
    """A row of cells separated by bars, ending with one ("信息内容 | 本年制发件数 | 本年废止件数 |"); inside such
    a table a title row with a single bar ("第二十条第(一)项 |") too."""
    if not line.endswith("|") or line.startswith("|"):
        return False
    return line.count("|") >= 2 or (in_table and len(line) <= 40)


_SPACES = re.compile(r" {2,}")
_VALUE = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?$")


def _spaced_row(line: str, in_table: bool) -> list[str] | None:
    """A table row aligned with runs of spaces ("规章      0      0      0"), as pdftotext -layout and copy-pastes
    give; inside such a table, a short line alone is a label wrapped over lines."""
    cells = [c.strip() for c in _SPACES.split(line) if c.strip()]
    values = sum(1 for c in cells if _VALUE.match(c))
    if values >= 2 and len(cells) >= 3:
        return cells
    if in_table and ((values >= 1 and len(cells) >= 2) or (len(cells) <= 3 and len(line) <= 24 and "。" not in line)):
        return cells
    return None


def _is_markdown(lines: list[str]) -> bool:
    return any(line.startswith("#") or line.strip().startswith("|") for line in lines[:400])


def _read_archive_header(lines: list[str], doc: Document) -> list[str]:
    """Strip a site archiver's header block, keeping its title and publication date."""
    for i, line in enumerate(lines[:20]):
        if _HEADER_SPLIT.match(line.strip()):
            for head in lines[:i]:
                m = _HEADER_FIELD.match(head.strip())
                if not m:
                    continue
                key, value = m.groups()
                if key == "标题" and value:
                    doc.title = value.strip()
                elif key in ("发布时间", "发布日期") and (d := find_date(value)):
                    doc.published = DatedValue(d, "portal", f"{key}: {value.strip()}")
            return lines[i + 1:]
    return lines
