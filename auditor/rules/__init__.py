"""The rule catalogue (RULES.md).  A rule is a small class: id, severity, legal basis, Chinese title and message
template, and `check(report, context)` yielding findings.  Ids are a contract: never renamed, never reused.

Adding a rule: a class in one of the family modules below, decorated with @rule.  Nothing else to edit.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from auditor.findings import Finding, Location

if TYPE_CHECKING:
    from auditor.audit import AuditContext
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
    needs_history: ClassVar[bool] = False

    def check(self, report: AnnualReport, context: AuditContext) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(self, *, section: str | None = None, location: Location | None = None, expected: Any = None,
                observed: Any = None, evidence: str | None = None, cells: list | None = None,
                severity: str | None = None, **fields: Any) -> Finding:
        message = self.template.format(expected=expected, observed=observed, **fields)
        return Finding(rule=self.id, severity=severity or self.severity, message=message,
                       section=section, location=location, expected=expected, observed=observed,
                       evidence=evidence, cells=cells or [])


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


def run_rules(report: AnnualReport, context: AuditContext, rules: list[Rule]) -> Iterator[Finding]:
    for r in rules:
        if r.needs_history and context.previous is None:
            continue
        yield from r.check(report, context)
