"""The rule catalogue (RULES.md).  A rule is a small class: id, severity, legal basis, Chinese title and message
template, and `check(report, context)` yielding findings.  Ids are a contract: never renamed, never reused.

Adding a rule: a class in one of the family modules below, decorated with @rule.  Nothing else to edit.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from auditor.context import AuditContext
from auditor.eras import ALL, CURRENT, Era
from auditor.findings import Finding, Location, severity_rank
from auditor.labels import OCR_DOUBT, YEAR_DOUBT
from auditor.report import AnnualReport

FAMILIES = ("publication", "structure", "tables", "arithmetic", "narrative", "content", "cross_year")

REGISTRY: dict[str, type[Rule]] = {}


class Rule:
    id: ClassVar[str]
    severity: ClassVar[str]
    title: ClassVar[str]        # one line, Chinese
    basis: ClassVar[str]        # the legal or format basis
    description: ClassVar[str]  # when it fires, in full (for `ogiaudit rules explain`)
    template: ClassVar[str]     # str.format template for the message
    eras: ClassVar[tuple[Era, ...]] = ALL  # the eras whose law and format this rule belongs to (SPEC §1.3)
    needs_history: ClassVar[bool] = False

    def check(self, report: AnnualReport, context: AuditContext) -> Iterable[Finding]:
        raise NotImplementedError

    def rests_on_text(self, report: AnnualReport) -> bool:
        """Whether the findings rest on the report's own text (uncertain when that text was read by OCR)."""
        return True

    def finding(self, *, section: str | None = None, location: Location | None = None, expected: Any = None,
                observed: Any = None, evidence: str | None = None, cells: list[dict[str, Any]] | None = None,
                severity: str | None = None, doubt: str | None = None, **fields: Any) -> Finding:
        """A finding of this rule; with a `doubt` (why what it rests on is uncertain) it is at most a warning."""
        message = self.template.format(expected=expected, observed=observed, **fields)
        f = Finding(rule=self.id, severity=severity or self.severity, message=message, section=section,
                    location=location, expected=expected, observed=observed, evidence=evidence, cells=cells or [])
        if doubt:
            f.doubt_because(doubt)
        return f


def rule(cls: type[Rule]) -> type[Rule]:
    if cls.id in REGISTRY:
        raise ValueError(f"duplicate rule id {cls.id}")
    REGISTRY[cls.id] = cls
    return cls


def load_all() -> dict[str, type[Rule]]:
    for family in FAMILIES:
        importlib.import_module(f"auditor.rules.{family}")
    return REGISTRY


def _matches(rule_id: str, patterns: Iterable[str]) -> bool:
    # "T3" selects T3-BAL, T3-TOTAL, …; "T3-BAL" selects itself (ruff-style prefixes)
    return any(rule_id == p or rule_id.startswith(p.rstrip("-") + "-") or (p.endswith("*") and rule_id.startswith(p[:-1]))
               for p in patterns)


def selected_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    select, ignore = [s.upper() for s in select if s], [s.upper() for s in ignore if s]
    rules = []
    for rule_id, cls in load_all().items():
        if select and not _matches(rule_id, select):
            continue
        if ignore and _matches(rule_id, ignore):
            continue
        rules.append(cls())
    return rules


def unknown_ids(patterns: Iterable[str]) -> list[str]:
    ids = load_all()
    return [p for p in patterns if p and not any(_matches(i, [p.upper()]) for i in ids)]


def applies(rule_: Rule | type[Rule], era: Era | None) -> bool:
    """A rule judges a report of its own eras; a report of unknown year is read as of the current format."""
    return (era or CURRENT) in rule_.eras


def run_rules(report: AnnualReport, context: AuditContext, rules: list[Rule]) -> Iterator[Finding]:
    ocr = report.document.ocr
    for r in rules:
        if (r.needs_history and context.previous is None) or not applies(r, report.era):
            continue
        for f in r.check(report, context):
            if ocr and r.rests_on_text(report):
                f.doubt_because(OCR_DOUBT)
            if report.era is None and set(r.eras) != set(ALL):
                f.doubt_because(YEAR_DOUBT)   # judged by the current format only because the year is unknown
            yield f


__all__ = ["Rule", "rule", "load_all", "selected_rules", "unknown_ids", "run_rules", "applies", "severity_rank"]
