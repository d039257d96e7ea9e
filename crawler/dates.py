"""The portal's publication date of a page (SPEC §6): meta tags first, then the 发布日期 byline, then the URL.

Never a 成文日期 / 发文日期 (for a report that is the signing date, not the publication date).
Every function here is pure: text in, (date, source) out.  Sources: "meta", "portal" (the 发布日期 shown on the page or
in the list), "url".
"""
from __future__ import annotations

import re
from datetime import date

from auditor.dates import url_date  # one reading of CMS URL dates, shared with the auditor

# meta names that carry the publication date, best first (lower-cased)
META_NAMES = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "releasedate", "dc.date.issued",
              "article:published_time")
_META_RE = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR_RE = re.compile(r"""(name|property|content|itemprop)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_DATE_RE = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
_SCRIPT_RE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
# 发布日期 / 发布时间 / 公开日期 / 更新时间 / 时间 / 日期 — but not 成文日期, 发文日期, 印发日期, 签发日期, 生效日期
_BYLINE_RE = re.compile(
    r"(?<![成文印签效施发颁])(发布|公开|更新|上传|发表|信息)?\s*(时间|日期)\s*[:：]\s*"
    r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_PUBLISHTIME_TAG_RE = re.compile(r"<publishtime>\s*([^<]+?)\s*</publishtime>", re.I)



def parse_date(text: str | None) -> date | None:
    """The first date in `text` (2022-04-17, 2022/4/17, 2022年4月17日, 2022-04-17-14:46:00 …)."""
    if not text:
        return None
    m = _DATE_RE.search(text)
    if not m:
        return None
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return d if 1990 <= d.year <= 2100 else None


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


def meta_date(html: str) -> date | None:
    tags = meta_tags(html)
    for name in META_NAMES:
        if name in tags:
            d = parse_date(tags[name])
            if d:
                return d
    return None


def visible_text(html: str) -> str:
    text = _SCRIPT_RE.sub(" ", _COMMENT_RE.sub(" ", html))
    return re.sub(r"\s+", " ", _TAG_RE.sub(" ", text)).replace("&nbsp;", " ")


def byline_date(html: str) -> date | None:
    """The 发布日期 shown on the page (<publishtime>, "发布日期：…", "发布时间：…"), never the 成文日期."""
    m = _PUBLISHTIME_TAG_RE.search(_COMMENT_RE.sub(" ", html))
    if m and parse_date(m.group(1)):
        return parse_date(m.group(1))
    text = visible_text(html)
    for m in _BYLINE_RE.finditer(text):
        try:
            return date(int(m.group(3)), int(m.group(4)), int(m.group(5)))
        except ValueError:
            continue
    return None


def publication_date(html: str, url: str = "", listed: date | None = None) -> tuple[date | None, str | None]:
    """The best publication date of a detail page and where it came from.

    Priority (SPEC §6): meta PubDate and kin; the 发布日期 byline; the date shown in the list; the date in the URL.
    """
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
