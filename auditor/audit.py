"""The auditor's entry point: bytes (or a Document) and what is known about them -> AuditResult."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from auditor.context import AuditContext, PreviousReport
from auditor.document import Document
from auditor.extract import ExtractionError, extract
from auditor.findings import Finding, severity_rank
from auditor.report import AnnualReport, parse_report
from auditor.rules import Rule, run_rules, selected_rules
from auditor.ruleset import RULESET_VERSION

__all__ = ["RULESET_VERSION", "AuditContext", "AuditResult", "NoReportText", "NotAReport", "PreviousReport",
           "audit_bytes", "audit_document"]


class NotAReport(ExtractionError):
    """Readable, but not an annual report (a statistics bulletin, a notice about reports, a list page)."""


class NoReportText(ExtractionError):
    """A report's page with its title and nothing else: the report is in an image or an attachment not given."""


_TEXT_MIN = 80  # characters of text beyond the title: less than a paragraph is no report to judge


@dataclass
class AuditResult:
    source: str
    report: AnnualReport
    findings: list[Finding]
    format: str
    sha256: str | None = None
    ocr: bool = False

    # the fields of the JSON contract, decided by the report and the context
    @property
    def body(self) -> str | None:
        return self.report.body

    @property
    def year(self) -> int | None:
        return self.report.year

    @property
    def body_kind(self) -> str | None:
        return self.report.body_kind

    @property
    def published(self) -> date | None:
        return self.report.published

    @property
    def published_source(self) -> str | None:
        return self.report.published_source

    @property
    def deadline(self) -> date | None:
        return self.report.deadline

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] += 1
        return out

    def worst(self) -> str | None:
        return max((f.severity for f in self.findings), key=severity_rank, default=None)

    def to_dict(self) -> dict[str, Any]:
        """One line of `ogiaudit audit --format json` (RULES.md: output contract)."""
        return {
            "source": self.source,
            "body": self.body,
            "year": self.year,
            "body_kind": self.body_kind,
            "published": self.published.isoformat() if self.published else None,
            "published_source": self.published_source,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "era": self.report.era.id if self.report.era else None,
            "title": self.report.title,
            "format": self.format,
            "ocr": self.ocr,
            "sha256": self.sha256,
            "findings": [f.to_dict() for f in self.findings],
        }

    def values(self) -> dict[str, dict[str, dict[str, Any]]]:
        """The parsed table values: {"二"|"三"|"四": {row_key: {column_key: value or None}}} (labels.py keys)."""
        return self.report.values()

    def section_texts(self) -> dict[str, str]:
        return {k: s.text for k, s in self.report.sections.items()}


def audit_document(document: Document, context: AuditContext | None = None, rules: list[Rule] | None = None,
                   sha256: str | None = None) -> AuditResult:
    context = context or AuditContext()
    report = parse_report(document, context)
    if not report.looks_like_report:
        raise NotAReport(f"不是政府信息公开工作年度报告（标题“{report.title or '无'}”，未找到年度报告的各部分标题）")
    if _bare(report):
        raise NoReportText(f"“{report.title or context.source}”只有标题，没有报告正文（报告可能以图片或附件发布），不作审核")
    rules = rules if rules is not None else selected_rules()
    findings = list(run_rules(report, context, rules))
    findings.sort(key=lambda f: (-severity_rank(f.severity), _section_order(f.section), f.rule))
    return AuditResult(source=context.source, report=report, findings=findings, format=document.format,
                       sha256=sha256, ocr=document.ocr)


def audit_bytes(data: bytes, context: AuditContext | None = None, rules: list[Rule] | None = None,
                kind: str | None = None) -> AuditResult:
    """Audit raw bytes.  Raises auditor.extract.ExtractionError (one line) when they cannot be read."""
    document = extract(data, kind)
    return audit_document(document, context, rules, sha256=hashlib.sha256(data).hexdigest())


def _bare(report: AnnualReport) -> bool:
    text = "".join(report.full_text().split())
    for table in report.document.tables():
        text += "".join("".join(r) for r in table.rows)
    return len(text.replace("".join((report.title or "").split()), "", 1)) < _TEXT_MIN


_SECTIONS = "一二三四五六"


def _section_order(section: str | None) -> int:
    return _SECTIONS.index(section) if section and section in _SECTIONS else -1
