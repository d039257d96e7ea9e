"""DOCX -> Document.

The body is walked in document order (paragraphs and tables interleaved).  Word tables are expanded into a grid:
a cell spanning columns (w:gridSpan) or rows (w:vMerge) keeps its text in its first position, and every other
position it covers repeats the text and is listed in `Table.copies`.

The package is read with zipfile + lxml directly (no entity resolution, no network), after checking that it is
not a zip bomb.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from lxml import etree

from auditor.document import Block, Document, Paragraph, Table
from auditor.extract._text import clean_cell
from auditor.extract.base import ExtractionError
from auditor.numerals import int_to_cn

MAX_UNCOMPRESSED = 200 * 1024 * 1024   # the whole package, expanded
MAX_DOCUMENT_XML = 40 * 1024 * 1024    # word/document.xml alone (a long report: 3 MB; its tree takes 10x)
MAX_RATIO = 200                        # compression ratio beyond which a member is a bomb, not a report
MAX_MEMBERS = 10_000
MAX_COLUMNS = 200                      # grid columns of a table row (Word allows 63): wider is an attack
MAX_CELLS = 500_000                    # grid positions of all the tables of a document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC, _SDT = (f"{{{W}}}{t}" for t in ("p", "tbl", "tr", "tc", "sdt"))
_T, _TAB, _BR, _CR = (f"{{{W}}}{t}" for t in ("t", "tab", "br", "cr"))
_DEL, _DELTEXT, _INSTR = f"{{{W}}}del", f"{{{W}}}delText", f"{{{W}}}instrText"
_VAL = f"{{{W}}}val"

Element = Any  # lxml.etree._Element (lxml-stubs is not installed)
Levels = dict[int, tuple[str, str, int]]  # ilvl -> (numFmt, lvlText, start)


def extract(data: bytes) -> Document:
    archive, info = _open_package(data)
    xml = _read_member(archive, info, MAX_DOCUMENT_XML)
    root = _parse(xml, "word/document.xml")
    body = root.find(f"{{{W}}}body")
    if body is None:
        raise ExtractionError("DOCX 文件已损坏：没有正文")
    numbering = _Numbering(archive)
    document = Document(format="docx")
    _walk(body, document.blocks, numbering, _Budget())
    return document


class _Budget:
    """Grid positions made so far: gridBefore, gridSpan and vMerge multiply a few bytes of XML into cells."""

    def __init__(self) -> None:
        self.cells = 0

    def row(self, width: int) -> None:
        if width > MAX_COLUMNS:
            raise ExtractionError(f"DOCX 表格一行有 {width} 列，超过上限 {MAX_COLUMNS} 列，不像是年度报告，疑似恶意构造")
        self.add(width)

    def add(self, cells: int) -> None:
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise ExtractionError(f"DOCX 表格超过 {MAX_CELLS // 10000} 万个单元格，不像是年度报告，疑似恶意构造")


def _parse(xml: bytes, name: str) -> Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError:
        raise ExtractionError(f"DOCX 文件已损坏：{name} 不是合法的 XML") from None


def _open_package(data: bytes) -> tuple[zipfile.ZipFile, zipfile.ZipInfo]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError):
        raise ExtractionError("DOCX 文件已损坏或不完整（不是有效的 ZIP 包）") from None
    if len(infos) > MAX_MEMBERS:
        raise ExtractionError(f"DOCX 文件异常：包内有 {len(infos)} 个文件，疑似压缩炸弹")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise ExtractionError(f"DOCX 文件异常：解压后 {total / 1048576:.0f} MB，超过上限 {MAX_UNCOMPRESSED // 1048576} MB，疑似压缩炸弹")
    try:
        info = archive.getinfo("word/document.xml")
    except KeyError:
        name = next((i.filename for i in infos if i.filename.endswith("document.xml")), None)
        if name is None:
            raise ExtractionError("不是 Word 文档：DOCX 包内没有 word/document.xml") from None
        info = archive.getinfo(name)
    return archive, info


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.flag_bits & 0x1:
        raise ExtractionError("DOCX 文件已加密，无法读取")
    if info.file_size > limit or (info.compress_size and info.file_size / info.compress_size > MAX_RATIO
                                  and info.file_size > 10 * 1024 * 1024):
        raise ExtractionError("DOCX 文件异常：正文解压后过大，疑似压缩炸弹")
    try:
        with archive.open(info) as fh:
            xml: bytes = fh.read(limit + 1)  # never trust the declared size
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
        raise ExtractionError("DOCX 文件已损坏或不完整，无法解压正文") from None
    if len(xml) > limit:
        raise ExtractionError("DOCX 文件异常：正文解压后过大，疑似压缩炸弹")
    return xml


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _format(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting",
               "taiwaneseCountingThousand", "chineseLegalSimplified", "ideographDigital", "japaneseCounting"):
        return int_to_cn(n)
    if fmt == "upperLetter":
        return chr(64 + (n - 1) % 26 + 1)
    if fmt == "lowerLetter":
        return chr(96 + (n - 1) % 26 + 1)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt in ("bullet", "none"):
        return ""
    return str(n)


class _Numbering:
    """Word's automatic numbering ("一、", "（一）", "1." generated from numbering.xml): the number is part of a
    heading's or a label's text, so it is put back in front of the paragraph."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.loaded = False
        self.levels: dict[str, Levels] = {}                # numId -> its levels
        self.style_num: dict[str, tuple[str, int]] = {}    # paragraph style -> (numId, ilvl)
        self.counters: dict[str, list[int]] = {}

    def _load(self) -> None:
        """numbering.xml and styles.xml, read the first time a paragraph may be numbered."""
        self.loaded = True
        numbering = self._member("word/numbering.xml", "numbering.xml")
        if numbering is None:
            return
        self.levels.update(_num_levels(numbering))
        styles = self._member("word/styles.xml", "styles.xml")
        if styles is None:
            return
        self.style_num.update(_style_numbers(styles))

    def _member(self, path: str, name: str) -> Element | None:
        archive = self.archive
        try:
            return _parse(_read_member(archive, archive.getinfo(path), 20 << 20), name)
        except KeyError:
            return None

    @staticmethod
    def _levels(parent: Element) -> Levels:
        out = {}
        for lvl in parent.iterchildren(f"{{{W}}}lvl"):
            fmt = lvl.find(f"{{{W}}}numFmt")
            text = lvl.find(f"{{{W}}}lvlText")
            start = lvl.find(f"{{{W}}}start")
            out[_int(lvl.get(f"{{{W}}}ilvl"), 0)] = (
                fmt.get(_VAL) if fmt is not None else "decimal",
                text.get(_VAL) if text is not None else "",
                _int(start.get(_VAL), 1) if start is not None else 1)
        return out

    def label(self, p: Element) -> str:
        """The number Word prints in front of paragraph p ("" when it has none)."""
        ppr = p.find(f"{{{W}}}pPr")
        if ppr is None or (ppr.find(f"{{{W}}}numPr") is None and ppr.find(f"{{{W}}}pStyle") is None):
            return ""
        if not self.loaded:
            self._load()
        if not self.levels:
            return ""
        num_id, ilvl = self._numbered(ppr)
        if not num_id or num_id == "0" or num_id not in self.levels:
            return ""
        levels = self.levels[num_id]
        if ilvl not in levels:
            return ""
        ilvl = min(max(ilvl, 0), 8)
        counters = self._count(num_id, ilvl, levels)
        fmt, text, _ = levels[ilvl]

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            return _format(counters[k], levels.get(k, (fmt, "", 1))[0]) if 0 <= k < 9 else ""

        return re.sub(r"%([1-9])", sub, text)

    def _numbered(self, ppr: Element) -> tuple[str | None, int]:
        """The paragraph's (numId, ilvl): its own numPr, else its style's."""
        numpr = ppr.find(f"{{{W}}}numPr")
        if numpr is not None:
            nid = numpr.find(f"{{{W}}}numId")
            lvl = numpr.find(f"{{{W}}}ilvl")
            return (nid.get(_VAL) if nid is not None else None), (_int(lvl.get(_VAL), 0) if lvl is not None else 0)
        style = ppr.find(f"{{{W}}}pStyle")
        if style is not None and style.get(_VAL) in self.style_num:
            return self.style_num[style.get(_VAL)]
        return None, 0

    def _count(self, num_id: str, ilvl: int, levels: Levels) -> list[int]:
        """Advance the counters of list num_id at level ilvl (the levels above start if they had not, those below
        restart)."""
        counters = self.counters.setdefault(num_id, [0] * 9)
        for k in range(ilvl):
            if counters[k] == 0:
                counters[k] = levels.get(k, ("", "", 1))[2]
        counters[ilvl] = counters[ilvl] + 1 if counters[ilvl] else levels[ilvl][2]
        for k in range(ilvl + 1, 9):
            counters[k] = 0
        return counters


def _num_levels(numbering: Element) -> dict[str, Levels]:
    """numId -> its levels: those of its abstractNum, with the num's overrides."""
    abstract: dict[str, Levels] = {}
    for an in numbering.iterchildren(f"{{{W}}}abstractNum"):
        abstract[an.get(f"{{{W}}}abstractNumId")] = _Numbering._levels(an)
    out: dict[str, Levels] = {}
    for num in numbering.iterchildren(f"{{{W}}}num"):
        ref = num.find(f"{{{W}}}abstractNumId")
        if ref is None:
            continue
        levels = dict(abstract.get(ref.get(_VAL), {}))
        for override in num.iterchildren(f"{{{W}}}lvlOverride"):
            ilvl = _int(override.get(f"{{{W}}}ilvl"), 0)
            lvl = override.find(f"{{{W}}}lvl")
            if lvl is not None:
                levels.update(_Numbering._levels(override))
            start = override.find(f"{{{W}}}startOverride")
            if start is not None and ilvl in levels:
                fmt, text, _ = levels[ilvl]
                levels[ilvl] = (fmt, text, _int(start.get(_VAL), 1))
        out[num.get(f"{{{W}}}numId")] = levels
    return out


def _style_numbers(styles: Element) -> dict[str, tuple[str, int]]:
    """Paragraph style -> (numId, ilvl), for the styles that number their paragraphs."""
    out: dict[str, tuple[str, int]] = {}
    for style in styles.iterchildren(f"{{{W}}}style"):
        numpr = style.find(f"{{{W}}}pPr/{{{W}}}numPr")
        if numpr is not None:
            num_id = numpr.find(f"{{{W}}}numId")
            ilvl = numpr.find(f"{{{W}}}ilvl")
            if num_id is not None:
                out[style.get(f"{{{W}}}styleId")] = (
                    num_id.get(_VAL), _int(ilvl.get(_VAL), 0) if ilvl is not None else 0)
    return out


def _walk(container: Element, blocks: list[Block], numbering: _Numbering, budget: _Budget | None = None) -> None:
    budget = budget or _Budget()
    for child in container:
        tag = child.tag
        if tag == _P:
            for line in _paragraph_lines(child, numbering):
                if line.strip():
                    blocks.append(Paragraph(line.strip()))
        elif tag == _TBL:
            table = _table(child, numbering, budget)
            if table is not None:
                blocks.append(table)
        elif isinstance(tag, str) and (tag == _SDT or tag.endswith("}sdtContent") or tag.endswith("}customXml")):
            _walk(child, blocks, numbering, budget)


def _paragraph_lines(p: Element, numbering: _Numbering | None = None) -> list[str]:
    """The text of a paragraph; a manual line break starts a new line (one Paragraph each)."""
    lines = [numbering.label(p) if numbering is not None else ""]
    for el in p.iter(_T, _TAB, _BR, _CR, _DELTEXT, _INSTR):
        if el.tag == _T:
            if _inside_deleted(el, p):
                continue
            lines[-1] += el.text or ""
        elif el.tag == _TAB:
            lines[-1] += "\t"
        elif el.tag in (_BR, _CR) and el.get(f"{{{W}}}type") in (None, "textWrapping"):
            lines.append("")
    return lines


_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _inside_deleted(el: Element, stop: Element) -> bool:
    """Deleted text (tracked changes), and the fallback copy of a text box (its text is read once, from the
    preferred choice)."""
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == _DEL or parent.tag == _FALLBACK:
            return True
        parent = parent.getparent()
    return False


def _cell_text(tc: Element, numbering: _Numbering | None = None) -> str:
    parts: list[str] = []
    for p in tc.iter(_P):
        parts.extend(_paragraph_lines(p, numbering))
    return clean_cell("\n".join(parts))


def _table(tbl: Element, numbering: _Numbering | None = None, budget: _Budget | None = None) -> Table | None:
    """Expand gridSpan/vMerge into a grid; covered positions are copies of their merged cell.  The grid is
    bounded (budget): gridBefore and gridSpan are clamped and every row's width counted before it is made."""
    budget = budget or _Budget()
    grid: list[list[str]] = []
    copies: set[tuple[int, int]] = set()
    # column -> (row index of the cell that started the vertical merge) for the merge still open in that column
    open_merge: dict[int, int] = {}
    for tr in tbl.iterchildren(_TR):
        row = _table_row(tr, grid, copies, open_merge, numbering, budget)
        budget.row(len(row))
        grid.append(row)
    if not grid or not any(any(cell for cell in row) for row in grid):
        return None
    width = max(len(row) for row in grid)
    budget.add(width * len(grid) - sum(len(row) for row in grid))   # the padding below
    for row in grid:
        row.extend([""] * (width - len(row)))
    return Table(rows=grid, copies=frozenset(copies), grid=True)


def _table_row(tr: Element, grid: list[list[str]], copies: set[tuple[int, int]], open_merge: dict[int, int],
               numbering: _Numbering | None, budget: _Budget) -> list[str]:
    """The next row of the grid: a cell spanning columns repeats its text, one continuing a vertical merge copies
    the text above."""
    r = len(grid)
    row: list[str] = [""] * _grid_before(tr)
    for tc in _row_cells(tr):
        span, vmerge = _cell_span(tc)
        c0 = len(row)
        if c0 + span > MAX_COLUMNS:
            budget.row(c0 + span)
        if vmerge == "continue" and c0 in open_merge and open_merge[c0] < r:
            src_r = open_merge[c0]
            for k in range(span):
                text = grid[src_r][c0 + k] if c0 + k < len(grid[src_r]) else ""
                row.append(text)
                copies.add((r, c0 + k))
            continue
        text = _cell_text(tc, numbering)
        for k in range(span):
            row.append(text)
            if k:
                copies.add((r, c0 + k))
            if vmerge == "restart":
                open_merge[c0 + k] = r
            else:
                open_merge.pop(c0 + k, None)
    return row


def _grid_before(tr: Element) -> int:
    """Empty grid columns before the row's first cell (w:gridBefore), clamped."""
    trpr = tr.find(f"{{{W}}}trPr")
    if trpr is not None:
        before = trpr.find(f"{{{W}}}gridBefore")
        if before is not None:
            return max(0, min(_int(before.get(_VAL), 0), MAX_COLUMNS + 1))
    return 0


def _cell_span(tc: Element) -> tuple[int, str | None]:
    """(columns the cell spans, its vertical merge: "restart", "continue" or None)."""
    span, vmerge = 1, None
    tcpr = tc.find(f"{{{W}}}tcPr")
    if tcpr is not None:
        gs = tcpr.find(f"{{{W}}}gridSpan")
        if gs is not None:
            span = max(1, min(_int(gs.get(_VAL), 1), 64))
        vm = tcpr.find(f"{{{W}}}vMerge")
        if vm is not None:
            vmerge = vm.get(_VAL) or "continue"
    return span, vmerge


def _row_cells(tr: Element) -> Iterator[Element]:
    for child in tr:
        if child.tag == _TC:
            yield child
        elif isinstance(child.tag, str) and (child.tag == _SDT or child.tag.endswith("}customXml")):
            content = child.find(f"{{{W}}}sdtContent")
            yield from (content if content is not None else child).iter(_TC)


def _int(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
