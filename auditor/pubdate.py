"""The one home of the publication-date decision (SPEC §6): which date on a page is the portal's publication date.

Priority: a `PubDate`-style meta tag, then a <publishtime> element, then the 发布日期 byline shown on the page, then
(for the crawler) the date shown in the list, then the date in the URL.  Never a 成文日期 / 发文日期 / 印发日期 /
签发日期 / 生效日期 / 实施日期 / 废止日期: for a report that is the signing date, not the publication date.

Pure functions over strings; used by the auditor's HTML extractor (auditor/extract/html.py, over its parsed page) and
by the crawler (over the raw page).  Sources: "meta", "portal" (the <publishtime> or 发布日期 shown on the page or in
the list), "url".
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from auditor.dates import find_date, url_date

# meta names that carry the publication date, best first (lower-cased); never page-generation times
META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "releasedate", "dc.date.issued",
              "article:published_time")
_META_RE = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR_RE = re.compile(r"""(name|property|content|itemprop)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
# 发布日期 / 发布时间 / 发布于 / 公开日期 / 更新时间 / 时间 / 日期 — but not 成文日期, 发文日期, 印发日期, 签发日期, 生效日期,
# 实施日期, 颁发日期, 废止日期 (the two characters before 时间/日期 tell; 正文日期 is a byline)
_NOT_PUBLICATION = "".join(f"(?<!{w})" for w in ("成文", "发文", "印发", "签发", "生效", "实施", "颁发", "废止"))
BYLINE_RE = re.compile(
    _NOT_PUBLICATION + r"(?:(?:发布|發布|公开|更新|上传|发表|信息)\s*(?:时间|日期)|发布于|时间|日期)\s*[:：]\s*"
    r"(\d{4}\s*[-/年.．]\s*\d{1,2}\s*[-/月.．]\s*\d{1,2})")
_PUBLISHTIME_TAG_RE = re.compile(r"<publishtime>\s*([^<]+?)\s*</publishtime>", re.I)

Dated = tuple[date, str]  # a date and the evidence it was read from


def parse_date(text: str | None) -> date | None:
    """The first date in `text` (2022-04-17, 2022/4/17, 2022年4月17日, 2022-04-17-14:46:00, 二〇二二年四月十七日 …),
    1990 to 2100."""
    d = find_date(text) if text else None
    return d if d and 1990 <= d.year <= 2100 else None


def meta_tags(html: str) -> dict[str, str]:
    """name (lower-cased) -> content of the page's <meta> tags (the first of each name wins)."""
    out: dict[str, str] = {}
    for tag in _META_RE.findall(html):
        attrs: dict[str, str] = {}
        for m in _ATTR_RE.finditer(tag):
            attrs[m.group(1).lower()] = next(g for g in (m.group(2), m.group(3), m.group(4)) if g is not None)
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").strip().lower()
        if name and "content" in attrs and name not in out:
            out[name] = attrs["content"].strip()
    return out


def from_metas(metas: Mapping[str, str]) -> Dated | None:
    """The publication date in the meta tags (name -> content; names matched in any case), the tag as evidence."""
    by_name: dict[str, tuple[str, str]] = {}
    for name, value in metas.items():
        by_name.setdefault(name.lower(), (name, value))
    for wanted in META_NAMES:
        name, value = by_name.get(wanted, (wanted, ""))
        if value and (d := parse_date(value)):
            return d, f'<meta name="{name}" content="{value}">'
    return None


def from_publishtime(text: str | None) -> Dated | None:
    """The date of a <publishtime> element (Hanweb, ucap), given its text."""
    d = parse_date(text)
    return (d, f"<publishtime>{(text or '').strip()}") if d else None


def from_byline(text: str) -> Dated | None:
    """The 发布日期 shown in a page's visible text, never a 成文日期; the byline as evidence."""
    for m in BYLINE_RE.finditer(text):
        if d := parse_date(m.group(1)):
            return d, m.group(0)
    return None


def visible_text(html: str) -> str:
    """A raw page's text without scripts, styles, comments and tags (white space folded)."""
    text = _SCRIPT_RE.sub(" ", _COMMENT_RE.sub(" ", html))
    return re.sub(r"\s+", " ", _TAG_RE.sub(" ", text)).replace("&nbsp;", " ")


def meta_date(html: str) -> date | None:
    found = from_metas(meta_tags(html))
    return found[0] if found else None


def byline_date(html: str) -> date | None:
    """The date shown on a raw page (<publishtime>, "发布日期：…", "发布时间：…"), never the 成文日期."""
    m = _PUBLISHTIME_TAG_RE.search(_COMMENT_RE.sub(" ", html))
    found = (from_publishtime(m.group(1)) if m else None) or from_byline(visible_text(html))
    return found[0] if found else None


def publication_date(html: str, url: str = "", listed: date | None = None) -> tuple[date | None, str | None]:
    """The best publication date of a raw detail page and where it came from: meta PubDate and kin; the 发布日期
    shown on the page; the date shown in the list; the date in the URL."""
    d = meta_date(html)
    if d:
        return d, "meta"
    d = byline_date(html)
    if d:
        return d, "portal"
    if listed:
        return listed, "portal"
    d = url_date(url)
    if d:
        return d, "url"
    return None, None


__all__ = ["META_NAMES", "BYLINE_RE", "Dated", "byline_date", "from_byline", "from_metas", "from_publishtime",
           "meta_date", "meta_tags", "parse_date", "publication_date", "url_date", "visible_text"]
