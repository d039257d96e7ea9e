"""A finding: what a rule saw, where, and why it matters."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "warning", "error")


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(slots=True)
class Location:
    table: str | None = None   # "二", "三", "四"
    row: str | None = None     # the official row label
    column: str | None = None  # the official column label
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table, "row": self.row, "column": self.column}
        if self.page is not None:
            out["page"] = self.page
        return out


def placed(cell_ref: dict[str, Any], cell: Any) -> dict[str, Any]:
    """A finding's cell reference, with the page and box (fractions of the page) where the cell was printed when
    the layout engine knows them (PDF, scans)."""
    pos = getattr(cell, "pos", None)
    if pos:
        cell_ref["page"], cell_ref["bbox"] = pos[0], list(pos[1:])
    return cell_ref


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str
    message: str
    section: str | None = None
    location: Location | None = None
    expected: Any = None
    observed: Any = None
    evidence: str | None = None
    cells: list[dict[str, Any]] = field(default_factory=list)  # every cell an identity used: table/row/column/value
    uncertain: bool = False  # rests on something not read with certainty (OCR, a blank, an unsure column …)
    doubt: str | None = None  # why, in Chinese

    def doubt_because(self, reason: str) -> None:
        """Certainty before accusation: what rests on an uncertain reading is at most a warning, and says why."""
        if not self.uncertain:
            self.message = f"{self.message}（存疑：{reason}）"
        self.uncertain = True
        self.doubt = f"{self.doubt}；{reason}" if self.doubt else reason
        if self.severity == "error":
            self.severity = "warning"

    @property
    def certain(self) -> bool:
        return not self.uncertain

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "section": self.section,
            "location": self.location.to_dict() if self.location else None,
        }
        if self.expected is not None or self.observed is not None:
            out["expected"] = self.expected
            out["observed"] = self.observed
        out["message"] = self.message
        out["evidence"] = self.evidence
        if self.cells:
            out["cells"] = self.cells
        out["certain"] = not self.uncertain
        if self.uncertain:
            out["uncertain"] = True
            out["doubt"] = self.doubt
        return out

    def fingerprint(self, body: str | None = None, year: int | None = None) -> str:
        """Stable identity of "the same problem" across re-audits: rule and place, not the message or numbers."""
        loc = self.location
        parts = [body or "", str(year or ""), self.rule, self.section or "",
                 loc.table or "" if loc else "", loc.row or "" if loc else "", loc.column or "" if loc else ""]
        if not loc and self.evidence and self.rule.startswith("TXT"):
            parts.append(self.evidence[:40])
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
