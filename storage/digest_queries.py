"""What the digests read from the audit database: the findings of the supervisors' portals, and the operational
problems (crawls that failed in a row, the latest crawl of each portal, documents that could not be read).

These are facts.  What counts as a problem worth mailing (how many failures in a row, what a layout change looks like,
who gets what) is the digest's policy, in ogiaudit/digest/build.py.  "How many of a portal's latest crawls failed in a
row" is decided here and nowhere else (storage.queries.failed_crawls delegates to it).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from storage.models import BodyRow, CrawlRow, ExtractionProblemRow, FindingRow


def naive_utc(value: Any) -> datetime | None:
    """A stored time as a naive UTC datetime (PostgreSQL may hand back an aware one, SQLite a string)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


# --- findings -----------------------------------------------------------------------------------------------------
def findings(session: Session, portal_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every finding of the given portals (all statuses), with its body's name, as plain values."""
    stmt = select(FindingRow, BodyRow.name).join(BodyRow, BodyRow.id == FindingRow.body_id)
    if portal_ids is not None:
        stmt = stmt.where(FindingRow.portal_id.in_(list(portal_ids)))
    out = []
    for f, body in session.exec(stmt).all():
        location = f.location or ({"table": f.loc_table, "row": f.loc_row, "column": f.loc_column}
                                  if (f.loc_table or f.loc_row or f.loc_column) else None)
        out.append({
            "id": f.id, "portal": f.portal_id, "body": body, "year": f.year, "rule": f.rule, "severity": f.severity,
            "status": f.status, "url": f.url, "section": f.section, "location": location, "message": f.message or "",
            "evidence": f.evidence, "expected": f.expected, "observed": f.observed,
            "first_seen": naive_utc(f.first_seen), "last_seen": naive_utc(f.last_seen),
            "resolved_at": naive_utc(f.resolved_at), "fingerprint": f.fingerprint})
    return out


# --- crawls -------------------------------------------------------------------------------------------------------
def crawl_failed(crawl: CrawlRow) -> bool:
    """A crawl failed when it did not succeed.  One that succeeded but was incomplete or found nothing is not a
    failure: it is a sign that the portal's layout changed (the digest reports it apart)."""
    return not crawl.ok


def failed_in_a_row(runs: Sequence[CrawlRow]) -> int:
    """How many of the crawls (newest first) failed in a row."""
    n = 0
    for crawl in runs:
        if not crawl_failed(crawl):
            break
        n += 1
    return n


def _newest_first(stmt: Any) -> Any:
    return stmt.order_by(CrawlRow.started.desc(), CrawlRow.id.desc())


def failed_crawls(session: Session, portal_id: str) -> int:
    """How many of the portal's latest crawls failed in a row."""
    rows = session.exec(_newest_first(select(CrawlRow).where(CrawlRow.portal_id == portal_id)).limit(50)).all()
    return failed_in_a_row(rows)


@dataclass(frozen=True)
class CrawlHistory:
    """A portal's latest crawl and its failures in a row."""
    portal: str
    failed: int                          # the latest crawls that failed in a row
    failing_since: datetime | None       # when the first of them started (None when failed == 0)
    latest_ok: bool
    latest_complete: bool
    latest_errors: list[str]
    latest_pages: int
    latest_documents: int
    latest_finished: datetime | None


def crawl_histories(session: Session, portal_ids: Iterable[str] | None = None) -> list[CrawlHistory]:
    """One CrawlHistory per portal that was ever crawled (by portal id)."""
    wanted = set(portal_ids) if portal_ids is not None else None
    by_portal: dict[str, list[CrawlRow]] = {}
    for c in session.exec(_newest_first(select(CrawlRow).order_by(CrawlRow.portal_id))).all():
        if wanted is None or c.portal_id in wanted:
            by_portal.setdefault(c.portal_id, []).append(c)
    out = []
    for pid, runs in sorted(by_portal.items()):
        failed, last = failed_in_a_row(runs), runs[0]
        out.append(CrawlHistory(portal=pid, failed=failed,
                                failing_since=naive_utc(runs[failed - 1].started) if failed else None,
                                latest_ok=last.ok, latest_complete=last.complete, latest_errors=list(last.errors or []),
                                latest_pages=last.pages, latest_documents=last.documents,
                                latest_finished=naive_utc(last.finished)))
    return out


# --- documents that could not be read -----------------------------------------------------------------------------
def unreadable(session: Session, portal_ids: Iterable[str] | None = None) -> list[ExtractionProblemRow]:
    """Extraction problems not resolved by a later reading (those without a portal are everyone's)."""
    wanted = set(portal_ids) if portal_ids is not None else None
    stmt = (select(ExtractionProblemRow).where(ExtractionProblemRow.resolved_at.is_(None))
            .order_by(ExtractionProblemRow.url))
    return [p for p in session.exec(stmt).all() if wanted is None or p.portal_id in wanted or not p.portal_id]
