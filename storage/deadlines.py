"""What storage needs from the settings, typed, and the one deadline computation it uses.

Storage does not import the front's Settings: any object with `deadlines.township/department/government` (MM-DD
strings) will do: ogiaudit.settings.Settings, or a test's SimpleNamespace.  The decisions themselves are the
auditor's pure domain modules: auditor/eras.py (the deadline by era and kind) and auditor/bodies.py (kind by name).
"""
from __future__ import annotations

from datetime import date
from typing import Protocol

from auditor.bodies import infer_body_kind
from auditor.eras import deadline_for as era_deadline


class DeadlineSettings(Protocol):
    """Month-days (MM-DD) of the publication deadlines by body kind."""

    @property
    def township(self) -> str: ...
    @property
    def department(self) -> str: ...
    @property
    def government(self) -> str: ...


class StorageSettings(Protocol):
    """The settings storage reads (queries, missing): only the deadlines."""

    @property
    def deadlines(self) -> DeadlineSettings: ...


KINDS = ("department", "government", "township")


def infer_kind(name: str | None) -> str | None:
    """department | government | township from a body's name (RULES.md); the auditor's one rule for it."""
    return infer_body_kind(name)


def deadline_for(kind: str | None, year: int, settings: StorageSettings | None = None,
                 township_deadline: str | None = None) -> date:
    """The publication deadline of the report for `year` (in year + 1), by the body's kind (unknown: department)."""
    deadlines = settings.deadlines if settings is not None else None
    configured = ({"township": deadlines.township, "department": deadlines.department,
                   "government": deadlines.government} if deadlines else {})
    if township_deadline:
        configured["township"] = township_deadline
    return era_deadline(kind or "department", year, **configured)
