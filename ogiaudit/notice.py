"""整改通知书: one Word document per body with errors to correct, from an editable template (docxtpl).

Which findings a notice carries is decided in one place, `notice_findings`: open errors that a reviewer confirmed
on the review desk (the verdicts of storage/review.py), and the certain errors nobody dismissed (never an uncertain
one unless a reviewer confirmed it).  Everything printed is plain Chinese: the problem, its table, row and column, both numbers, the rule's
basis, a deadline and the issuing office.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from auditor.dates import cn_date

TEMPLATE = Path(__file__).resolve().parents[1] / "config" / "notice_template.docx"


@dataclass
class Problem:
    n: int
    rule: str
    what: str                  # the finding's Chinese message
    where: str                 # 表三 / 行 / 列, or the section
    expected: str = ""
    observed: str = ""
    basis: str = ""


@dataclass
class Notice:
    body: str
    portal: str
    years: list[int] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)    # 《title》 of each report concerned
    urls: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return max(self.years) if self.years else None

    @property
    def report(self) -> str:
        return "、".join(self.reports)


def notice_findings(session, *, year: int | None = None, body: str | None = None) -> list[Any]:
    """(Finding, body name, report title, published date) for every finding a notice must carry: open findings that
    are errors a reviewer confirmed on the review desk (storage.review: 确认), and the certain errors (never an
    uncertain one unless confirmed); never one a reviewer dismissed (驳回) and never a waived (豁免) or resolved one.

    A confirmed error may be stored as a warning: the auditor lowers an error resting on an uncertain reading (OCR, a
    blank cell) to a warning; a reviewer who checked the page and confirmed it makes it an error again.  A finding of
    a rule that is only ever a warning stays out, confirmed or not."""
    from sqlalchemy import or_
    from sqlmodel import select

    from storage.models import Body, Finding, Report
    from storage.review import verdicts

    stmt = (select(Finding, Body.name, Report.title, Report.published)
            .join(Body, Body.id == Finding.body_id).join(Report, Report.id == Finding.report_id, isouter=True)
            .where(Finding.status == "open", or_(Finding.severity == "error", Finding.uncertain.is_(True))))
    if year is not None:
        stmt = stmt.where(Finding.year == year)
    if body:
        stmt = stmt.where(Body.name.contains(body))
    rows = list(session.exec(stmt.order_by(Body.name, Finding.year, Finding.rule, Finding.id)).all())
    verdict = verdicts(session, [r[0].id for r in rows])
    errors = _error_rules()

    def carried(f) -> bool:
        said = verdict.get(f.id)
        if said == "dismissed":
            return False
        if said == "confirmed":
            return f.severity == "error" or f.rule in errors
        return f.severity == "error" and not f.uncertain

    return [r for r in rows if carried(r[0])]


def _error_rules() -> set[str]:
    """The rules whose findings are errors when certain."""
    from auditor.rules import load_all

    return {rid for rid, rule in load_all().items() if getattr(rule, "severity", None) == "error"}


def build_notices(rows: list[Any]) -> list[Notice]:
    from auditor.rules import load_all

    rules = load_all()
    notices: dict[tuple, Notice] = {}
    for f, body, title, published in rows:
        n = notices.setdefault((f.portal_id, body), Notice(body=body, portal=f.portal_id))
        report = f"《{title or f'{body}{f.year}年度政府信息公开工作年度报告'}》"
        if f.report_id and published:
            report += f"（{cn_date(published)}发布）"
        if f.year is not None and f.year not in n.years:
            n.years.append(f.year)
        if report not in n.reports and f.report_id:
            n.reports.append(report)
        if f.url and f.url not in n.urls:
            n.urls.append(f.url)
        rule = rules.get(f.rule)
        n.problems.append(Problem(n=len(n.problems) + 1, rule=f.rule, what=_sentence(f.message), where=_where(f),
                                  expected=_number(f.expected), observed=_number(f.observed),
                                  basis=rule.basis if rule else ""))
    for n in notices.values():
        if len(n.years) > 1:  # several reports: each problem says which year's
            for p, (f, *_rest) in zip(n.problems, [r for r in rows if (r[0].portal_id, r[1]) == (n.portal, n.body)], strict=False):
                p.where = f"{f.year}年度：{p.where}"
    return list(notices.values())


def _where(f) -> str:
    loc = f.location or {}
    parts = [f"表{loc['table']}" if loc.get("table") else "", loc.get("row") or "", loc.get("column") or ""]
    out = "，".join(p for p in parts if p)
    if not out and f.section:
        out = f"第{f.section}部分"
    if not out and f.rule.startswith("PUB-"):
        out = "发布时间"
    return out or "全文"


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return cn_date(date.fromisoformat(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "、".join(_number(v) for v in value)
    return str(value)


def _sentence(message: str) -> str:
    message = (message or "").strip()
    return message if message.endswith(("。", "！", "？")) else message + "。"


def render(notice: Notice, *, office: str, issued: date, deadline_days: int, template: Path | None = None) -> bytes:
    """The notice as .docx bytes."""
    import io

    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template or TEMPLATE))
    doc.render({"n": notice, "office": office, "issued": cn_date(issued),
                "deadline": cn_date(issued + timedelta(days=deadline_days)), "count": len(notice.problems)},
               autoescape=True)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def file_name(notice: Notice) -> str:
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", notice.body).strip("_") or "机构"
    years = "、".join(str(y) for y in sorted(notice.years))
    return f"整改通知书_{safe}" + (f"_{years}年度" if years else "") + ".docx"


def write_notices(session, out_dir: Path, *, office: str, deadline_days: int, issued: date | None = None,
                  year: int | None = None, body: str | None = None, template: Path | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for notice in build_notices(notice_findings(session, year=year, body=body)):
        path = out_dir / file_name(notice)
        if path in written:  # the same name in two portals
            path = path.with_name(f"{path.stem}_{notice.portal}{path.suffix}")
        path.write_bytes(render(notice, office=office, issued=issued or date.today(), deadline_days=deadline_days,
                                template=template))
        written.append(path)
    return written
