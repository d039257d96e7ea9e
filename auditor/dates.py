"""Dates as Chinese documents print them: 2023年2月21日, 2023-02-21, 2023/2/21, 二〇二三年二月二十一日."""
from __future__ import annotations

import re
from datetime import date

from auditor.numerals import cn_to_int

_CN = "〇○零OＯ一二三四五六七八九十"
DATE_RE = re.compile(r"(\d{4})\s*[年\-/.．]\s*(\d{1,2})\s*[月\-/.．]\s*(\d{1,2})\s*日?")
CN_DATE_RE = re.compile(rf"([{_CN}]{{4}})\s*年\s*([{_CN}]{{1,3}})\s*月\s*([{_CN}]{{1,3}})\s*日")
DATE_LINE = re.compile(rf"^[（(]?\s*(?:\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|"
                       rf"[{_CN}]{{4}}\s*年\s*[{_CN}]{{1,3}}\s*月\s*[{_CN}]{{1,3}}\s*日)\s*[）)]?$")


def cn_date(d: date) -> str:
    """A date as people here write it: 2023年1月31日."""
    return f"{d.year}年{d.month}月{d.day}日"


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_date(text: str) -> date | None:
    """The first date in `text`, or None."""
    m = DATE_RE.search(text)
    if m:
        return _safe(*(int(g) for g in m.groups()))
    m = CN_DATE_RE.search(text)
    if m:
        y, mo, d = (cn_to_int(g) for g in m.groups())
        return _safe(y, mo, d) if y is not None and mo is not None and d is not None else None
    return None


def is_date_line(text: str) -> bool:
    return bool(DATE_LINE.match(re.sub(r"\s+", "", text)))


URL_DATE_RES = (
    re.compile(r"/t(20\d{2})(\d{2})(\d{2})_\d+"),          # TRS: /202607/t20260715_1964121.html
    re.compile(r"/art/(20\d{2})/(\d{1,2})/(\d{1,2})/"),    # Hanweb: /art/2023/5/15/art_…
    re.compile(r"/(20\d{2})(\d{2})(\d{2})/"),              # Shanghai: /nw12344/20230331/….html
    re.compile(r"/(20\d{2})-(\d{2})-(\d{2})/"),
    re.compile(r"/(20\d{2})/(\d{2})(\d{2})/"),
)


def url_date(url: str) -> date | None:
    """The date a CMS printed into a document's URL (SPEC §6.4), if any."""
    for pattern in URL_DATE_RES:
        m = pattern.search(url)
        if m:
            return _safe(*(int(g) for g in m.groups()))
    return None
