"""The shared toolkit of the CMS families (not a family itself): links with their list dates, "下一页" links, the
年报 column link, the files a detail page offers, a detail page's title, publishing body and report text.

Every family (crawler/portals/base.py) uses these by default and overrides only what its CMS does differently.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import etree

from auditor import containers
from auditor.pubdate import meta_tags, parse_date, visible_text
from crawler.titles import is_column_title, report_year

DOC_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ofd", ".jpg", ".jpeg", ".png", ".gif",
                  ".tif", ".tiff", ".bmp", ".rtf", ".txt")
_NEXT_TEXTS = ("下一页", "下页", "后一页", "下一頁", "next", "Next", ">", "›", "»")
CONTENT_XPATH = containers.CONTENT_XPATH  # the content container of a detail page: auditor/containers.py


@dataclass(frozen=True)
class ListItem:
    url: str
    title: str
    date: date | None = None


def clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()


_QUERY_DOC_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|jpe?g|png|gif|tiff?|bmp|rtf|txt)(&|$)", re.I)


def is_document_url(url: str) -> bool:
    """A link to a file (by the extension in its path or query), not a page."""
    parts = urlsplit(url)
    return parts.path.lower().endswith(DOC_EXTENSIONS) or bool(_QUERY_DOC_RE.search(parts.query))


def viewer_target(url: str) -> str | None:
    """The file shown by a pdf.js viewer link (".../viewer.html?file=/a/b.pdf"), if `url` is one."""
    parts = urlsplit(url)
    if "viewer" in parts.path.lower() or "pdfjs" in parts.path.lower():
        files = parse_qs(parts.query).get("file")
        if files:
            return urljoin(url, files[0])
    return None


def _text(el) -> str:
    return clean("".join(el.itertext()))


def _ancestor(el, tag: str):
    el = el.getparent()
    while el is not None:
        if el.tag == tag:
            return el
        el = el.getparent()
    return None


def _row_text(row) -> str:
    """The row's text outside its links (a title may itself carry a date)."""
    parts: list[str] = []

    def walk(el, in_link: bool) -> None:
        inside = in_link or el.tag == "a"
        if isinstance(el.tag, str) and el.text and not inside and el.tag not in ("script", "style"):
            parts.append(el.text)
        for child in el:
            walk(child, inside)
            if child.tail and not inside:
                parts.append(child.tail)

    walk(row, False)
    return clean(" ".join(parts))


def _row_date(anchor) -> date | None:
    """The date printed next to a list entry: in the same <li> / <tr> / <dd> / <div>, else its parent."""
    for tag in ("li", "tr", "dd", "div"):
        row = _ancestor(anchor, tag)
        if row is not None:
            return parse_date(_row_text(row))
    parent = anchor.getparent()
    return parse_date(_row_text(parent)) if parent is not None else None


def anchor_title(anchor) -> str:
    el = getattr(anchor, "root", anchor)
    text = _text(el)
    title = clean(el.get("title"))
    return title if len(title) > len(text) else text


_LINKS_CACHE: OrderedDict[int, tuple[object, list]] = OrderedDict()


def _roots(response, scope=None) -> list:
    """lxml elements to search: the page, or the elements of a Selector / SelectorList."""
    if scope is None:
        return [response.selector.root]
    if hasattr(scope, "root"):
        return [scope.root]
    return [sel.root for sel in scope]


def _iter_tags(roots, *tags):
    # lxml directly: a parsel Selector per link costs more than the rest of the parsing
    for root in roots:
        if isinstance(root, str):
            continue
        yield from root.iter(*tags)


def links(response, selector=None) -> list[ListItem]:
    """Every link of the page (or of `selector`) with its text and the date shown beside it; computed once per
    response, since every CMS family reads them."""
    if selector is None:
        hit = _LINKS_CACHE.get(id(response))
        if hit is not None and hit[0] is response:
            return hit[1]
    out = []
    for el in _iter_tags(_roots(response, selector), "a"):
        href = (el.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        out.append(ListItem(urljoin(response.url, href), anchor_title(el), _row_date(el)))
    if selector is None:
        _LINKS_CACHE[id(response)] = (response, out)
        while len(_LINKS_CACHE) > 16:
            _LINKS_CACHE.popitem(last=False)
    return out


def next_links(response) -> list[str]:
    """The page's "下一页" links (by their text, or a class "next")."""
    out = []
    for el in _iter_tags(_roots(response), "a"):
        href = (el.get("href") or "").strip()
        if not href or len(el) > 2:
            continue
        text = _text(el)
        is_next = text in _NEXT_TEXTS or "next" in (el.get("class") or "").lower().split()
        if is_next and not href.startswith(("#", "javascript:")):
            out.append(urljoin(response.url, href))
    return out


def column_links(response) -> list[str]:
    """Links to the 政府信息公开年报 column (and its sub-columns, e.g. 乡镇年报)."""
    return [item.url for item in links(response) if is_column_title(item.title)]


def nav_links(response) -> list[str]:
    """Links to the 政府信息公开 section, where the 年报 column usually is."""
    out = []
    for item in links(response):
        t = item.title.replace(" ", "")
        if len(t) <= 12 and re.search(r"(政府)?信息公开|政务公开", t) and not is_document_url(item.url):
            out.append(item.url)
    return out


_MAYBE_FILE_RE = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|jpe?g|png|gif|tiff?|bmp|rtf|txt)(\?|&|#|$)|viewer|pdfjs",
                            re.I)


def attachments(response) -> list[tuple[str, str]]:
    """(url, link text) of the files a detail page offers: linked files, pdf.js viewers, iframes/embeds, and
    images inside the content (scanned reports)."""
    return attachments_in(response, None)


def attachments_in(response, scope=None) -> list[tuple[str, str]]:
    """attachments() within `scope` (a SelectorList; None: the whole page)."""
    roots = _roots(response, scope)
    out: list[tuple[str, str]] = []
    for el in _iter_tags(roots, "a"):
        href = (el.get("href") or "").strip()
        if not href or not _MAYBE_FILE_RE.search(href):
            continue   # cheap test first: most links of a page are pages
        url = urljoin(response.url, href)
        target = viewer_target(url)
        if target:
            out.append((target, anchor_title(el)))
        elif is_document_url(url) and not url.lower().endswith(".txt"):
            out.append((url, anchor_title(el)))
    for node in _iter_tags(roots, "iframe", "embed", "object"):
        src = (node.get("src") or node.get("data") or "").strip()
        if not src:
            continue
        url = urljoin(response.url, src)
        target = viewer_target(url)
        if target or is_document_url(url):
            out.append((target or url, ""))
    content = content_nodes(response) if scope is None else scope
    for img in content.xpath(".//img[@src]"):
        out.append((urljoin(response.url, img.attrib["src"].strip()), clean(img.attrib.get("alt"))))
    seen, unique = set(), []
    for url, text in out:
        if url not in seen and urlsplit(url).scheme in ("http", "https"):
            seen.add(url)
            unique.append((url, text))
    return unique


_TEXT_XP = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False)
_PAGE_CACHE: OrderedDict[tuple[int, str], tuple[object, object]] = OrderedDict()


def _cached(response, key: str, compute):
    """A per-response memo (several callbacks and families read the same page)."""
    hit = _PAGE_CACHE.get((id(response), key))
    if hit is not None and hit[0] is response:
        return hit[1]
    value = compute()
    _PAGE_CACHE[(id(response), key)] = (response, value)
    while len(_PAGE_CACHE) > 64:
        _PAGE_CACHE.popitem(last=False)
    return value


def _visible(el, sep: str = "") -> str:
    """The text of an lxml element without <script>/<style>."""
    if not isinstance(el.tag, str):
        return ""
    return sep.join(_TEXT_XP(el))


def _body_text(response) -> str:
    def compute():
        root = response.selector.root
        if isinstance(root, str):
            return root
        body = root.find(".//body")
        return _visible(body if body is not None else root, " ")
    return _cached(response, "body", compute)


def content_nodes(response):
    """The content container(s) of a detail page (CONTENT_XPATH), as a SelectorList."""
    return _cached(response, "content", lambda: response.xpath(CONTENT_XPATH))


def _metas(response) -> dict[str, str]:
    return _cached(response, "meta", lambda: meta_tags(response.text))


def detail_title(response) -> str:
    """The title of a detail page: ArticleTitle meta, <ucaptitle>, the first <h1>, else <title>."""
    text = clean(_metas(response).get("articletitle"))
    if text:
        return text
    root = response.selector.root
    if isinstance(root, str):
        return ""
    for tag in ("ucaptitle", "h1"):
        el = root.find(f".//{tag}")
        if el is not None and clean(_visible(el)):
            return clean(_visible(el))
    for el in root.iter():
        if isinstance(el.tag, str) and "article_title" in (el.get("class") or ""):
            text = clean(_visible(el))
            if text:
                return text
    el = root.find(".//title")
    return clean(_visible(el)) if el is not None else ""


def content_source(response) -> str:
    """The publishing body named by the page (ContentSource meta, 发布机构 block), if any."""
    text = clean(_metas(response).get("contentsource"))
    if text:
        return text
    m = re.search(r"发布机构\s*[:：]?\s*([\u4e00-\u9fff（）()]{2,30})", clean(_body_text(response)))
    return m.group(1) if m else ""


def has_report_body(response) -> bool:
    """The page itself carries the report's text (not only a link to an attachment): the usual section words, or a
    long text in the content container."""
    text = re.sub(r"\s+", "", _body_text(response))
    if "总体情况" in text and ("主动公开" in text or "依申请公开" in text):
        return True
    content = re.sub(r"\s+", "", "".join(_visible(sel.root) for sel in content_nodes(response)))
    m = re.search(r"<ucapcontent>(.*?)</ucapcontent>", response.text, re.S | re.I)
    if m:   # lxml does not nest Word's <o:p> inside <ucapcontent>: read it as text
        content = max(content, re.sub(r"\s+", "", visible_text(m.group(1))), key=len)
    return len(content) > 400 and "公开" in content


def is_column_page(response) -> bool:
    """The page is the 年报 column itself: its ColumnName meta names the column, or a link names a report."""
    return is_column_title(_metas(response).get("columnname", "")) or any(
        report_year(i.title) for i in links(response))


_NOT_THE_REPORT_RE = re.compile(r"申请表|申请书|登记表|申请流程|指南|目录|模板|样表")
_IMAGE_EXT = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff")


def report_files(response, has_body: bool) -> list[tuple[str, str]]:
    """The files of a report's detail page that may be the report: links in the content, or named like a report;
    never the site's forms (申请表, 指南 …); images only when the page has no report text of its own."""
    found = attachments(response)
    container = content_nodes(response)
    inside = {u for u, _ in attachments_in(response, container)} if container else None
    out = []
    for url, text in found:
        name = f"{text} {url.rsplit('/', 1)[-1]}"
        if _NOT_THE_REPORT_RE.search(name):
            continue
        if has_body and urlsplit(url).path.lower().endswith(_IMAGE_EXT):
            continue
        if inside is not None and url not in inside and not re.search(r"年报|报告|\.pdf|\.docx?|\.wps", name, re.I):
            continue
        out.append((url, text))
    return out
