"""Document -> AnnualReport: body, year, dates, the six sections, tables 二/三/四 as labelled grids."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from auditor.bodies import government_signed_by_office, infer_body_kind
from auditor.context import AuditContext
from auditor.dates import find_date, is_date_line
from auditor.document import Block, Document, Paragraph, Table
from auditor.eras import OLD, Era, deadline_for, era_of
from auditor.labels import T2_ROWS, T3_ROWS
from auditor.oldera import StatsTable, stats_table
from auditor.sections import Section, find_sections, join_lines, split_run_on
from auditor.tables import T4_SPECS, Grid, parse_table2, parse_table3, parse_table4
from auditor.titles import MEMO_PREFIX, is_notice_title, is_report_title, report_year

_TITLE_STOP = re.compile(r"^(根据|按照|依据|本年度|本报告|本年报|现将|为|正文$)|[：:]$")
_YEAR = re.compile(r"(\d{4})\s*年度?")
_PERIOD_YEAR = re.compile(r"统计(期限|周期|时限|区间)[^。]{0,12}?(\d{4})\s*年\s*1\s*月\s*1\s*日")
_SIGNER = re.compile(r"(人民政府|办事处|管理委员会|管委会|委员会|办公室|办公厅|局|委|办|中心|厅|署|政府)$")
_RUN_ON_TITLE = re.compile(r"\d{4}年度?[^，。：:]{0,20}?信息公开(?:工作)?(?:年度报告|年报)")
_CRUMBS = re.compile(r"当前位置|首页|政务公开|政府信息公开年报|信息公开年报|政府信息公开|信息公开|年报|栏目|[：:>»/|]")


def _run_on_title(text: str) -> str | None:
    """"当前位置：首页政务公开…年报平潭综合实验区2017年度政府信息公开工作年度报告 来源…": the title, breadcrumbs off."""
    m = _RUN_ON_TITLE.search(text[:160])
    if not m or text[:m.start()].count("《") > text[:m.start()].count("》"):  # a document cited, not the title
        return None
    body = _CRUMBS.split(text[max(0, m.start() - 30):m.start()])[-1]
    return body + m.group(0)


@dataclass
class AnnualReport:
    document: Document
    blocks: list[Block]
    title: str | None = None
    body: str | None = None
    body_kind: str | None = None
    year: int | None = None
    signed: date | None = None
    signed_evidence: str | None = None
    published: date | None = None
    published_source: str | None = None
    published_evidence: str | None = None
    deadline: date | None = None
    era: Era | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    tables: dict[str, Grid] = field(default_factory=dict)
    stats: StatsTable | None = None   # the old era's statistics table, when there is one
    looks_like_report: bool = True

    def text(self, *numerals: str) -> str:
        """The narrative of the given sections (all when none given), lines joined.  An old-era report has no
        fixed sections: its whole text."""
        if not numerals and self.era is OLD:
            return self.full_text()
        numerals = numerals or tuple(self.sections)
        return "\n".join(self.sections[n].text for n in numerals if n in self.sections)

    def full_text(self) -> str:
        return join_lines(b.text for b in self.blocks if isinstance(b, Paragraph))

    def values(self) -> dict[str, dict[str, dict[str, Any]]]:
        out = {name: grid.values() for name, grid in self.tables.items()}
        if self.stats is not None:
            out["统计表"] = {row.label: {col: (c.value if c else None) for col, c in zip(self.stats.columns, row.cells, strict=False)}
                          for row in self.stats.rows}
        return out


def parse_report(document: Document, context: AuditContext | None = None) -> AnnualReport:
    context = context or AuditContext()
    blocks = split_run_on(document.blocks)
    report = AnnualReport(document=document, blocks=blocks)
    report.sections = find_sections(blocks)
    report.title = _title(document, blocks, report.sections)
    report.year = context.year or _year(report.title, blocks)
    report.era = era_of(report.year)
    report.body = context.body or _body(report.title, blocks)
    report.body_kind = context.body_kind or infer_body_kind(report.body)
    report.signed, report.signed_evidence = _signature_date(blocks)
    _publication(report, document, context)
    report.deadline = context.deadline or _deadline(report, context)
    if report.era is OLD:  # no official tables then: a provincial statistics table, if any
        report.tables = {n: Grid(n, specs) for n, specs in (("二", T2_ROWS), ("三", T3_ROWS), ("四", T4_SPECS))}
        report.stats = stats_table(blocks)
    else:
        report.sections = _sections_by_table(blocks, report.sections)
        report.tables = _tables(blocks, report.sections)
    report.looks_like_report = not is_notice_title(report.title) and (len(report.sections) >= 2 or is_report_title(report.title))
    return report


def _region(blocks: list[Block], sections: dict[str, Section], numeral: str) -> list[Block]:
    s = sections.get(numeral)
    if s:
        return blocks[s.first:s.end]
    return []


# what a reviewer recognises each official table by, when its section heading cannot be found
_TABLE_SIGNS = {
    "二": (("第二十条第（一）项",), ("规范性文件", "规章", "本年制发"), ("规范性文件", "行政许可", "行政处罚")),
    "三": (("本年新收", "上年结转"), ("予以公开", "不予公开", "无法提供")),
    "四": (("行政复议", "结果维持", "尚未审结"), ("行政复议", "结果纠正", "其他结果")),
}


def _block_text(b: Block) -> str:
    return b.text if isinstance(b, Paragraph) else " ".join(" ".join(r) for r in b.rows[:40])


def _signed(b: Block, numeral: str) -> bool:
    text = re.sub(r"\s+", "", _block_text(b))
    return any(all(w in text for w in sign) for sign in _TABLE_SIGNS[numeral])


def _sections_by_table(blocks: list[Block], sections: dict[str, Section]) -> dict[str, Section]:
    """A section whose table is plainly there is there, heading or not (at most SEC-HEADING says so)."""
    anchors: dict[str, int] = {}
    for numeral in ("二", "三", "四"):
        if numeral in sections:
            continue
        taken = {s.start for s in sections.values()} | set(anchors.values())
        i = next((i for i, b in enumerate(blocks) if isinstance(b, Table) and _signed(b, numeral) and i not in taken),
                 None)
        if i is not None:
            anchors[numeral] = i
    return find_sections(blocks, anchors) if anchors else sections


def _tables(blocks: list[Block], sections: dict[str, Section]) -> dict[str, Grid]:
    return {"二": parse_table2(_region(blocks, sections, "二")),
            "三": parse_table3(_region(blocks, sections, "三")),
            "四": parse_table4(_region(blocks, sections, "四"))}


def _title(document: Document, blocks: list[Block], sections: dict[str, Section]) -> str | None:
    """The report's title; a page's chrome taken for it ("•网站无障碍•关怀版索引号:…分类:信息公开年度报告") gives way
    to the report's own title line below it, when there is one."""
    title = _first_title(document, blocks, sections)
    if title and report_year(title):
        return title
    return _printed_title(blocks, sections) or title


def _first_title(document: Document, blocks: list[Block], sections: dict[str, Section]) -> str | None:
    if document.title and ("报告" in document.title or is_notice_title(document.title)):
        return re.sub(r"\s+", "", document.title)
    first = min((s.start for s in sections.values()), default=min(len(blocks), 12))
    parts: list[str] = []
    for b in blocks[:first]:
        if not isinstance(b, Paragraph):
            break
        text = re.sub(r"\s+", "", b.text).strip("#*")
        if not text or text == "正文":
            continue
        if len(text) > 45 and not parts and (title := _run_on_title(text)):
            return title  # the title run into the first paragraph of a page saved as one block of text
        if len(text) > 45 or _TITLE_STOP.search(text) or is_date_line(text):
            if parts:
                break
            continue
        parts.append(text)
        if text.endswith("报告"):
            break
    title = "".join(parts)
    if "报告" in title:
        return title
    return re.sub(r"\s+", "", document.title) if document.title else (title or None)


def _printed_title(blocks: list[Block], sections: dict[str, Section]) -> str | None:
    """The one report title with its year printed on a short line before the sections ("名称：" taken off); a
    column's list page names many reports and so none."""
    first = min((s.start for s in sections.values()), default=min(len(blocks), 30))
    found = {text for b in blocks[:first] if isinstance(b, Paragraph) and len(b.text) <= 80
             and report_year(text := _FIELD_NAME.sub("", re.sub(r"\s+", "", b.text)))}
    return found.pop() if len(found) == 1 else None


_FIELD_NAME = re.compile(r"^(?:名称|标题|题名)[:：]")


def _year(title: str | None, blocks: list[Block]) -> int | None:
    if title and (m := _YEAR.search(title)):
        return int(m.group(1))
    for b in blocks[:30]:
        if isinstance(b, Paragraph) and (m := _PERIOD_YEAR.search(b.text)):
            return int(m.group(2))
    return None


def _body(title: str | None, blocks: list[Block]) -> str | None:
    signer, named = _signer(blocks), _title_body(title)
    if signer:
        # a government's report signed by its office is the government's, not the office's (a department's deadline)
        return government_signed_by_office(signer, named) or signer
    return named


def _title_body(title: str | None) -> str | None:
    if not title:
        return None
    t = MEMO_PREFIX.sub("", title)
    m = re.match(r"^(?P<body>.+?)(\d{4})年", t)
    if m and len(m.group("body")) >= 2:
        return m.group("body")
    m = re.match(r"^\d{4}年度?(?P<body>.+?)(政府信息公开|政务公开|信息公开)", t)
    return m.group("body") if m else None


def _signer(blocks: list[Block]) -> str | None:
    """The body named in the 落款 just above the closing date."""
    tail = [b for b in blocks[-6:] if isinstance(b, Paragraph)]
    for i, b in enumerate(tail):
        if is_date_line(b.text) and i > 0:
            name = re.sub(r"\s+", "", tail[i - 1].text)
            if len(name) <= 30 and _SIGNER.search(name):
                return name
    return None


def _signature_date(blocks: list[Block]) -> tuple[date | None, str | None]:
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    for b in [*reversed(paragraphs[-6:]), *paragraphs[:6]]:
        if is_date_line(b.text) and (d := find_date(b.text)):
            return d, b.text.strip()
    return None, None


def _publication(report: AnnualReport, document: Document, context: AuditContext) -> None:
    if context.published:
        report.published, report.published_source = context.published, context.published_source or "given"
        report.published_evidence = context.published.isoformat()
    elif document.published:
        report.published, report.published_source = document.published.value, document.published.source
        report.published_evidence = document.published.evidence
    elif report.signed:
        report.published, report.published_source = report.signed, "signature"
        report.published_evidence = report.signed_evidence


def _deadline(report: AnnualReport, context: AuditContext) -> date | None:
    if not report.year or not report.body_kind or report.era is None:
        return None
    return deadline_for(report.body_kind, report.year, township=context.township_deadline,
                        department=context.department_deadline, government=context.government_deadline)


__all__ = ["AnnualReport", "parse_report", "deadline_for", "infer_body_kind"]
