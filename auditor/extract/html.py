"""HTML -> Document: the page's main content (TRS_Editor, ucapcontent, … or the element holding the six headings),
tables with rowspan/colspan expanded into a grid, and the portal's publication date from meta tags or the byline."""
from __future__ import annotations

import re
from typing import Any

from lxml import etree

from auditor import containers, pubdate
from auditor.document import DatedValue, Document, Paragraph, Table
from auditor.extract.base import ExtractionError

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "object", "select", "button", "svg", "form"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "blockquote",
          "center", "dd", "dt", "dl", "pre", "address", "header", "footer", "main", "ucapcontent", "tr", "tbody",
          "td", "th", "table", "thead", "tfoot"}  # the last: cells of a layout table are blocks of text
# the CMS containers of a report's text, best first (auditor/containers.py decides which they are)
_CONTAINERS = tuple(tier.matches for tier in containers.auditor_tiers())
_ATTRIBUTED = etree.XPath("//*[@class or @id] | //ucapcontent")
_SECTION_HINT = re.compile(r"[一二三四五六]、\s*(总体情况|主动公开政府信息|收到和处理|存在的主要问题|其他需要报告)")
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
_WS = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")

Element = Any  # lxml.etree._Element (lxml-stubs is not installed)


def decode_html(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    m = _CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii", "ignore").lower() if m else None
    if declared in ("gbk", "gb2312", "gb18030", "x-gbk"):
        return data.decode("gb18030", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def extract(data: bytes) -> Document:
    text = decode_html(data)
    text = re.sub(r"<%@.*?%>", "", text, flags=re.S)  # JSP headers on saved pages
    try:  # plain etree elements: lxml.html's element classes cost a lookup per node
        root = _parse_bounded(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"HTML 无法解析：{exc}") from None
    if root is None:
        raise ExtractionError("HTML 没有内容")
    doc = Document(format="html")
    metas = _metas(root)
    doc.title = _meta(root, "ArticleTitle", metas) or _first_text(root, "//ucaptitle") or _first_text(root, "//title")
    doc.published = _publication_date(root, metas)
    container = _main_content(root)
    _walk(container, doc)
    return doc


_METAS = etree.XPath("//meta[@name]")


def _metas(root: Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for el in _METAS(root):
        content = (el.get("content") or "").strip()
        if content:
            out.setdefault(el.get("name"), content)
            out.setdefault(el.get("name").lower(), content)
    return out


def _meta(root: Element, name: str, metas: dict[str, str] | None = None) -> str | None:
    metas = metas if metas is not None else _metas(root)
    return metas.get(name) or metas.get(name.lower())


def _first_text(root: Element, xpath: str) -> str | None:
    els = root.xpath(xpath)
    return _WS.sub(" ", _text(els[0])).strip() or None if els else None


def _publication_date(root: Element, metas: dict[str, str]) -> DatedValue | None:
    """The portal's publication date (auditor/pubdate.py decides which date that is)."""
    found = pubdate.from_metas(metas)
    if found:
        return DatedValue(found[0], "meta", found[1])
    for node in root.xpath("//publishtime"):
        if found := pubdate.from_publishtime(_text(node)):
            return DatedValue(found[0], "portal", found[1])
    found = pubdate.from_byline(_WS.sub(" ", _text(root)))
    return DatedValue(found[0], "portal", found[1]) if found else None


def _hints(el: Element) -> int:
    return len(_SECTION_HINT.findall(_text(el)))


def _main_content(root: Element) -> Element:
    body = root.find("body")
    body = body if body is not None else root
    wanted = _hints(body)
    best = None
    attributed = [(el, el.tag, el.get("class") or "", el.get("id") or "") for el in _ATTRIBUTED(root)]
    for test in _CONTAINERS:
        candidates = [el for el, tag, cls, id_ in attributed if test(tag, cls, id_) and len(_text(el).strip()) > 200]
        if candidates:
            best = max(candidates, key=lambda el: _hints(el) * 10000 + len(_text(el)))
            break
    if best is None:
        return _headings_ancestor(body)
    while _hints(best) < wanted and best.getparent() is not None:  # the CMS container closed early
        best = best.getparent()
    return best


def _headings_ancestor(body: Element) -> Element:
    """No CMS container: the nearest element holding the section headings (one pass over the text nodes)."""
    holders = [el for el in body.iter() if isinstance(el.tag, str) and el.text and _SECTION_HINT.search(el.text)]
    if len(holders) < 3:
        return body
    common = list(holders[0].iterancestors())[::-1] + [holders[0]]
    for el in holders[1:]:
        chain = set(el.iterancestors()) | {el}
        while common and common[-1] not in chain:
            common.pop()
    return common[-1] if common else body


def _walk(container: Element, doc: Document) -> None:
    walker = _Walker(doc)
    walker.visit(container)
    walker.flush()


class _Walker:
    """The text of the elements visited, in paragraphs (a block element or <br> ends one); data tables as tables."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = _WS.sub(" ", "".join(self.buffer)).strip()
        self.buffer.clear()
        for line in text.split("\n"):
            if line.strip():
                self.doc.blocks.append(Paragraph(line.strip()))

    def visit(self, el: Element) -> None:
        tag = _tag(el)
        if tag in _SKIP or not isinstance(el.tag, str):
            if el.tail:
                self.buffer.append(el.tail)
            return
        if tag == "table" and not _layout(el):
            self._data_table(el)
        else:
            if tag == "br":
                self.buffer.append("\n")
            elif tag in _BLOCK:
                self.flush()
            if el.text:
                self.buffer.append(el.text)
            for child in el:
                self.visit(child)
            if tag in _BLOCK:
                self.flush()
        if el.tail:
            self.buffer.append(el.tail)

    def _data_table(self, el: Element) -> None:
        self.flush()
        table = _table(el)
        if table.rows:
            self.doc.blocks.append(table)


def _tag(el: Element) -> str:
    """The element's tag in lower case; "" for a comment or a processing instruction."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


_LINE_BREAK = re.compile(r"\s*\n\s*")
_OWN_CELLS = etree.XPath("./tr/td|./tr/th|./*/tr/td|./*/tr/th")
_LAYOUT_CELL = 200  # characters: a data cell holds a number or a label, a layout cell holds paragraphs


def _layout(el: Element) -> bool:
    """A table used to lay out the page (the report inside one of its cells), not a table of data."""
    if el.find(".//table") is not None:
        return True
    return any(len(_text(td)) > _LAYOUT_CELL for td in _OWN_CELLS(el))


_STRING = etree.XPath("string(.)")


def _text(el: Element) -> str:
    return str(_STRING(el))


def _cell_text(cell: Element) -> str:
    """A cell's text; a label wrapped over lines or split over spans (Word exports) is one label."""
    text: str = (cell.text or "") if len(cell) == 0 else _text(cell)
    if text.isdigit():
        return text
    if "\n" in text:
        text = _LINE_BREAK.sub("", text)
    return _WS.sub(" ", text).strip()


def _table(el: Element) -> Table:
    """Expand rowspan/colspan into a grid; positions covered by a merged cell are recorded as copies."""
    rows: list[list[str]] = []
    copies: set[tuple[int, int]] = set()
    pending: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(el.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")[:2000]):
        row: list[str] = []
        c = 0
        for td in tr:
            if td.tag != "td" and td.tag != "th":
                continue
            while pending and (r, c) in pending:
                row.append(pending.pop((r, c)))
                copies.add((r, c))
                c += 1
            text = _cell_text(td)
            row.append(text)
            rowspan, colspan = td.get("rowspan"), td.get("colspan")
            if rowspan is None and colspan is None:
                c += 1
                continue
            rowspan, colspan = _span(rowspan), _span(colspan)
            for dc in range(1, colspan):
                row.append(text)
                copies.add((r, c + dc))
            for dr in range(1, rowspan):
                for dc in range(colspan):
                    pending[(r + dr, c + dc)] = text
            c += colspan
        while pending and (r, c) in pending:
            row.append(pending.pop((r, c)))
            copies.add((r, c))
            c += 1
        rows.append(row)
    return Table(rows=rows, copies=frozenset(copies), grid=True)


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


# --- bounds (issue 10): nesting deeper than the parser's limit keeps its text; table expansion is capped -----------
MAX_CELLS = 500_000  # grid positions a page's tables may expand to (rowspan × colspan summed): more is an attack
_KEEP_DEPTH = 100    # a page nested deeper than the parser allows keeps this many levels of elements, and all text
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)(?:\s[^>]*)?>")
_CELLS = etree.XPath("count(//td | //th)")
_SPANNED = etree.XPath("//td[@rowspan or @colspan] | //th[@rowspan or @colspan]")
_VOID = {"br", "img", "meta", "input", "hr", "link", "wbr", "area", "base", "col", "embed", "param", "source",
         "track", "basefont", "frame", "keygen"}


def _parse_bounded(text: str) -> Element | None:
    """The parsed page.  libxml2 stops at 256 levels and drops the rest of the page: then the elements nested
    deeper than _KEEP_DEPTH are removed (their text kept) and the page parsed again."""
    root = etree.fromstring(text, _PARSER)
    if any("Excessive depth" in e.message for e in _PARSER.error_log):
        root = etree.fromstring(_flatten(text), _PARSER)
    if root is not None:
        cells = _CELLS(root) + sum(_span(td.get("rowspan")) * _span(td.get("colspan")) - 1 for td in _SPANNED(root))
        if cells > MAX_CELLS:
            raise ExtractionError(f"HTML 表格展开后超过 {MAX_CELLS // 10000} 万个单元格，不像是年度报告，疑似恶意构造")
    return root


def _flatten(text: str) -> str:
    """The markup with every element nested deeper than _KEEP_DEPTH unwrapped (a block one becomes a line break)."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []   # open elements: (name, kept)
    kept, pos = 0, 0
    for m in _TAG.finditer(text):
        closing, name = m.group(1), m.group(2).lower()
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        if closing:
            at = next((i for i in range(len(stack) - 1, max(-1, len(stack) - 257), -1) if stack[i][0] == name), None)
            if at is None:
                continue
            keep = stack[at][1]
            kept -= sum(k for _, k in stack[at:])
            del stack[at:]
        else:
            keep = kept < _KEEP_DEPTH
            stack.append((name, keep))
            kept += keep
        if not keep:
            out.append(text[pos:m.start()])
            out.append("<br>" if name in _BLOCK or name in ("table", "td", "th") else "")
            pos = m.end()
    out.append(text[pos:])
    return "".join(out)
