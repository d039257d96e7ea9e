"""Which list entries are annual reports, for which year and which body (pure functions over titles).

Whether a title names a report, and of which year, is decided in auditor/titles.py (report_year is re-exported
here for the spider); this module keeps what only the crawler needs: the 年报 column, body names in titles."""
from __future__ import annotations

import re

from auditor.bodies import kind_or_default as infer_kind  # the auditor's rule, for the spider and pipelines
from auditor.titles import ABOUT_REPORTS, MEMO_PREFIX, report_year

_YEAR_RE = re.compile(r"(20\d{2}|19\d{2})\s*年")
_COLUMN_RE = re.compile(r"(信息公开|政务公开)?\s*(工作)?\s*(年度报告|年报)")
_BODY_SUFFIXES = ("人民政府办公室", "人民政府办公厅", "人民政府", "街道办事处", "办事处", "政府")


def is_column_title(text: str) -> bool:
    """A link text naming the 年报 column ("政府信息公开年报", "信息公开年度报告"), not one report."""
    t = re.sub(r"\s+", "", text or "")
    return bool(t) and len(t) <= 24 and bool(_COLUMN_RE.search(t)) and not _YEAR_RE.search(t) \
        and not ABOUT_REPORTS.search(t)


def core_name(name: str) -> str:
    """"柔远镇人民政府" -> "柔远镇"; "红格镇" -> "红格镇"; "永靖县人民政府" -> "永靖县"."""
    n = re.sub(r"\s+", "", name)
    for suffix in _BODY_SUFFIXES:
        if n.endswith(suffix) and len(n) > len(suffix):
            return n[: -len(suffix)]
    return n


def body_from_title(title: str, region: list[str] | None = None) -> str | None:
    """The body named before the year in a report's title, without the region prefix; None when none is named.

    "沙坡头区柔远镇人民政府2022年…" with region [..., "沙坡头区"] -> "柔远镇人民政府".
    """
    t = re.sub(r"\s+", "", title or "")
    t = MEMO_PREFIX.sub("", t)
    m = _YEAR_RE.search(t)
    head = t[: m.start()] if m else ""
    head = head.strip("《》“”\"'：:，,（(")
    if not head:
        return None
    for part in region or []:
        for prefix in (part, core_name(part), _short_region(part)):
            rest = head[len(prefix):] if prefix and head.startswith(prefix) else ""
            if len(rest) > 1 and rest not in _BODY_SUFFIXES and rest[0] not in "省市州盟县区旗":
                head = rest
                break
    return head or None


def _short_region(name: str) -> str:
    # "临夏回族自治州" -> "临夏", "盐边县" -> "盐边"
    m = re.match(r"^(.{2,4}?)(回族|藏族|彝族|壮族|土家族|自治|市|县|区|州|省)", name)
    return m.group(1) if m else name


_TRAILING = "《》“”\"'：:，,（）()[]【】 -—"


def _names_more(rest: str) -> bool:
    """After a body's name, the title goes on to name another body: "田盛区" + "医疗保障局" is the district's
    bureau, not the district's government (whose short name prefixes every department's title)."""
    rest = rest.strip(_TRAILING)
    return bool(rest) and rest not in _SAME_BODY


# what may follow a body's short name and still name that body ("柔远镇" + "人民政府"); an office (办公室) is a body
# of its own
_SAME_BODY = {"人民政府", "政府", "街道办事处", "办事处", "本级"}


def match_body(text: str, bodies: list[str]) -> str | None:
    """The configured body named in `text` (and nothing more after it: a department's title starts with the county's
    name): the match that ends last wins ("沙坡头区柔远镇…" -> 柔远镇), then the longest."""
    t = re.sub(r"\s+", "", text or "")
    m = _YEAR_RE.search(t)
    if m and m.start() > 0:
        t = t[: m.start()]   # the body is named before the year
    best = None
    for name in bodies:
        for candidate in (re.sub(r"\s+", "", name), core_name(name)):
            pos = t.rfind(candidate) if len(candidate) >= 2 else -1
            if pos >= 0 and not _names_more(t[pos + len(candidate):]):
                key = (pos + len(candidate), len(candidate))
                if best is None or key > best[0]:
                    best = (key, name)
                break
    return best[1] if best else None


__all__ = ["body_from_title", "core_name", "infer_kind", "is_column_title", "match_body", "report_year"]
