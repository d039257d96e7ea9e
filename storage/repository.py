"""Writes to the audit database.  Every function works inside the caller's session (storage.db.session) and is safe
when two processes write at once: rows with a natural key (portal, body, document, report, finding) are inserted with
INSERT … ON CONFLICT DO NOTHING and then read back, so a race never duplicates or fails.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import func, update
from sqlmodel import Session, select

from auditor.context import AuditContext, PreviousReport
from auditor.findings import SEVERITIES, Finding
from auditor.rules.cross_year import CarryOver
from auditor.rules.narrative import NarrativeTable
from auditor.rules.publication import Changed, Missing
from auditor.rules.structure import SectionMissing
from auditor.rules.tables import TableMissing
from auditor.ruleset import RULESET_VERSION
from storage.archive import archive_bytes
from storage.bulk import bulk_insert
from storage.models import (
    AuditRecordRow,
    AuditRunRow,
    BodyRow,
    CrawlRow,
    DocumentRow,
    ExtractionProblemRow,
    FindingRow,
    PortalRow,
    ReportRow,
)
from storage.rows import insert_for, insert_ignore, jsonable, now, utc
from storage.tallies import rebuild_tally, report_state, tally, tally_keys, tally_many, tally_report, tally_row

if TYPE_CHECKING:
    from auditor.audit import AuditResult  # the type only: storage does not import the report parser
    from storage.tallies import ReportState


class BodyConfig(Protocol):
    """A configured body of a portal (ogiaudit.portals.Body)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str | None: ...


class PortalConfig(Protocol):
    """What storage records of a configured portal (ogiaudit.portals.Portal)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def region(self) -> Sequence[str]: ...
    @property
    def start_urls(self) -> Sequence[str]: ...
    @property
    def supervisor(self) -> Sequence[str]: ...
    @property
    def township_deadline(self) -> str | None: ...
    @property
    def bodies(self) -> Sequence[BodyConfig]: ...

# rules that are not produced by auditing one document: never resolved by a re-audit of a report
EXTRA_RULES = (Missing.id, Changed.id)
UNKNOWN_BODY = "（未识别机构）"
INFO, WARNING, ERROR = SEVERITIES
# a report is complete without these, consistent without an error of these (rule ids and families of the catalogue)
COMPLETENESS_RULES = (SectionMissing.id, TableMissing.id)
CONSISTENCY_PREFIXES = ("T3-", "T4-", NarrativeTable.id, CarryOver.id)

__all__ = ["CONSISTENCY_PREFIXES", "COMPLETENESS_RULES", "EXTRA_RULES", "UNFINISHED", "UNKNOWN_BODY", "NotFound",
           "add_body", "archive_bytes", "bulk_insert", "bump_run", "counts", "ensure_body", "find_report",
           "finish_crawl", "finish_run", "previous_report", "rebuild_tally", "record_crawl", "record_document",
           "record_problem", "refresh_report", "region_path", "report_state", "resolve_missing", "save_report",
           "start_crawl", "start_run", "store_extra_finding", "tally", "tally_keys", "tally_many", "unwaive",
           "upsert_portal", "utc", "now", "waive"]


class NotFound(LookupError):
    pass


def region_path(region: Iterable[str] | str | None) -> str:
    if not region:
        return ""
    return region if isinstance(region, str) else "/".join(r for r in region if r)


# --- portals and bodies -----------------------------------------------------------------------------------------
def upsert_portal(session: Session, portal: PortalConfig) -> None:
    """The portal row and its configured bodies (kind, region path)."""
    region = list(portal.region or [])
    path = region_path(region)
    values = dict(name=portal.name, region_path=path, province=region[0] if region else None,
                  city=region[1] if len(region) > 1 else None, county=region[2] if len(region) > 2 else None,
                  start_urls=list(portal.start_urls), supervisor=list(portal.supervisor),
                  township_deadline=portal.township_deadline, updated_at=now())
    insert_ignore(session, PortalRow, {"id": portal.id, **values}, ["id"])
    row = session.get(PortalRow, portal.id)
    for k, v in values.items():
        setattr(row, k, v)
    session.add(row)
    session.flush()
    _configure_bodies(session, portal.id, path, [(b.name, b.kind) for b in portal.bodies])
    # bodies learned earlier, and their reports, take the portal's region
    moved = session.exec(select(func.count()).select_from(BodyRow).where(BodyRow.portal_id == portal.id,
                                                                       BodyRow.region_path != path)).one()
    if moved:
        session.exec(update(BodyRow).where(BodyRow.portal_id == portal.id).values(region_path=path))
        session.exec(update(ReportRow).where(ReportRow.portal_id == portal.id).values(region_path=path))
        rebuild_tally(session, reports=True)


def _configure_bodies(session: Session, portal_id: str, region: str, bodies: list[tuple[str, str | None]]) -> None:
    """The configured bodies of a portal: the new ones in one statement (a county has dozens of townships, a
    national registry tens of thousands), the known ones through ensure_body only when something changes."""
    known = {r.name: r for r in session.exec(select(BodyRow).where(BodyRow.portal_id == portal_id)).all()}
    new = {name: kind for name, kind in bodies if name not in known}
    if new:
        table = BodyRow.__table__
        rows = [dict(portal_id=portal_id, name=name, kind=kind, configured=True, region_path=region,
                     created_at=now()) for name, kind in new.items()]
        session.connection().execute(insert_for(session)(table).values(rows)
                                     .on_conflict_do_nothing(index_elements=["portal_id", "name"]))
    for name, kind in bodies:
        row = known.get(name)
        if row is not None and (not row.configured or (kind and row.kind != kind)):
            ensure_body(session, portal_id, name, kind, True)


def ensure_body(session: Session, portal_id: str | None, name: str, kind: str | None = None,
                configured: bool = False) -> BodyRow:
    """The body row (created when new).  A configured body stays configured; a known kind is never erased."""
    portal_id = portal_id or ""
    row = session.exec(select(BodyRow).where(BodyRow.portal_id == portal_id, BodyRow.name == name)).first()
    if row is None:
        portal = session.get(PortalRow, portal_id) if portal_id else None
        insert_ignore(session, BodyRow, dict(portal_id=portal_id, name=name, kind=kind, configured=configured,
                                              region_path=portal.region_path if portal else "", created_at=now()),
                       ["portal_id", "name"])
        row = session.exec(select(BodyRow).where(BodyRow.portal_id == portal_id, BodyRow.name == name)).one()
    changed = False
    if configured and not row.configured:
        row.configured, changed = True, True
    recount = False
    if kind and row.kind != kind and (configured or not row.kind):
        recount = row.kind is not None or session.exec(select(func.count()).select_from(FindingRow).where(
            FindingRow.body_id == row.id, FindingRow.status == "open")).one() > 0
        row.kind, changed = kind, True
    if changed:
        session.add(row)
        session.flush()
    if recount:
        rebuild_tally(session)
    return row


def add_body(session: Session, portal_id: str, name: str, kind: str | None, configured: bool) -> None:
    """A body of a portal: configured ones come from config/portals; others were found by the crawler."""
    ensure_body(session, portal_id, name, kind, configured)


# --- documents, crawls, problems --------------------------------------------------------------------------------
def record_document(session: Session, *, url: str, data: bytes, archive_dir: Path, content_type: str | None,
                    portal_id: str | None, body_name: str | None, title: str | None, published: date | None,
                    published_source: str | None, fetched_at: datetime) -> tuple[DocumentRow, bool]:
    """Archive the bytes and upsert the document row by URL.  changed=True when this URL was archived before with
    other content (the caller raises PUB-CHANGED)."""
    digest, path = archive_bytes(data, archive_dir)
    fetched_at = utc(fetched_at) or now()
    insert_ignore(session, DocumentRow, dict(url=url, sha256=digest, content_type=content_type, size=len(data),
                                              archive_path=str(path), portal_id=portal_id, body_name=body_name,
                                              title=title, published=published, published_source=published_source,
                                              first_fetched=fetched_at, last_fetched=fetched_at), ["url"])
    query = select(DocumentRow).where(DocumentRow.url == url)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    row = session.exec(query).one()
    changed = row.sha256 != digest
    if changed:
        row.previous_sha256, row.sha256 = row.sha256, digest
        row.size, row.archive_path = len(data), str(path)
    row.last_fetched = max(row.last_fetched or fetched_at, fetched_at)
    for attr, value in (("content_type", content_type), ("portal_id", portal_id), ("body_name", body_name),
                        ("title", title), ("published", published), ("published_source", published_source)):
        if value is not None:
            setattr(row, attr, value)
    session.add(row)
    session.flush()
    return row, changed


def record_crawl(session: Session, *, portal_id: str, started: datetime, finished: datetime, ok: bool,
                 complete: bool, errors: list[str], pages: int, documents: int) -> None:
    session.add(CrawlRow(portal_id=portal_id, started=utc(started), finished=utc(finished), ok=ok, complete=complete,
                         errors=list(errors), pages=pages, documents=documents))
    session.flush()


UNFINISHED = "抓取未正常结束（进行中、被中断或进程被终止）"


def start_crawl(session: Session, *, portal_id: str, started: datetime) -> int:
    """A crawl row written when the crawl starts, as failed and incomplete: a crawl that is killed before it can
    say how it ended is never taken for a complete one.  finish_crawl() records the outcome."""
    row = CrawlRow(portal_id=portal_id, started=utc(started), finished=utc(started), ok=False, complete=False,
                   errors=[UNFINISHED], pages=0, documents=0)
    session.add(row)
    session.flush()
    return row.id


def finish_crawl(session: Session, crawl_id: int, *, finished: datetime, ok: bool, complete: bool,
                 errors: list[str], pages: int, documents: int) -> None:
    row = session.get(CrawlRow, crawl_id)
    row.finished, row.ok, row.complete = utc(finished), ok, complete
    row.errors, row.pages, row.documents = list(errors), pages, documents
    session.add(row)
    session.flush()


def record_problem(session: Session, *, url: str, portal_id: str | None, error: str, when: datetime,
                   kind: str = "unreadable") -> None:
    """A document that could not be read, or a fetch that failed (operations digest), one row per URL.
    kind: "unreadable" (no PUB-MISSING is decided for its portal and year while it stands) or "not_report"."""
    when = utc(when) or now()
    insert_ignore(session, ExtractionProblemRow, dict(url=url, portal_id=portal_id, error=error, when=when,
                                                       first_seen=when, attempts=0, kind=kind), ["url"])
    row = session.exec(select(ExtractionProblemRow).where(ExtractionProblemRow.url == url)).one()
    row.error, row.when, row.attempts, row.resolved_at, row.kind = error, when, row.attempts + 1, None, kind
    if portal_id:
        row.portal_id = portal_id
    session.add(row)
    session.flush()


def _problem_solved(session: Session, url: str) -> None:
    session.exec(update(ExtractionProblemRow).where(ExtractionProblemRow.url == url,
                                                     ExtractionProblemRow.resolved_at.is_(None))
                 .values(resolved_at=now()))


# --- audit runs ---------------------------------------------------------------------------------------------------
def start_run(session: Session, ruleset_version: str, mode: str = "audit") -> AuditRunRow:
    run = AuditRunRow(started_at=now(), ruleset_version=ruleset_version, mode=mode)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run_id: int) -> None:
    run = session.get(AuditRunRow, run_id)
    if run is not None:
        run.finished_at = now()
        session.add(run)


def bump_run(session: Session, run_id: int, **counts: int) -> None:
    cols = {k: getattr(AuditRunRow, k) + v for k, v in counts.items() if v}
    if cols:
        session.exec(update(AuditRunRow).where(AuditRunRow.id == run_id).values(**cols))


# --- findings -----------------------------------------------------------------------------------------------------
def _finding_values(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return dict(rule=finding.rule, severity=finding.severity, section=finding.section,
                loc_table=loc.table if loc else None, loc_row=loc.row if loc else None,
                loc_column=loc.column if loc else None, location=loc.to_dict() if loc else None,
                expected=jsonable(finding.expected), observed=jsonable(finding.observed), message=finding.message,
                evidence=finding.evidence, cells=jsonable(finding.cells) or None, uncertain=bool(finding.uncertain))


def _upsert_finding(session: Session, *, body: BodyRow, year: int | None, finding: Finding, report_id: int | None,
                    url: str | None, run_id: int | None, when: datetime, fp: str | None = None,
                    existing: dict[str, FindingRow] | None = None, changes: list | None = None
                    ) -> tuple[FindingRow, bool]:
    """Insert or refresh one finding by (body, fingerprint).  Returns (row, new).
    existing: rows already read (by fingerprint); changes: collect rule_tally changes instead of applying them."""
    fp = fp or finding.fingerprint(body.name, year)
    values = _finding_values(finding)
    row = existing.get(fp) if existing else None
    new = False
    if row is None:
        new = insert_ignore(session, FindingRow, dict(body_id=body.id, fingerprint=fp, report_id=report_id,
                                                       portal_id=body.portal_id, year=year, url=url, first_seen=when,
                                                       last_seen=when, first_run_id=run_id, last_run_id=run_id,
                                                       status="open", **values), ["body_id", "fingerprint"])
        row = session.exec(select(FindingRow).where(FindingRow.body_id == body.id,
                                                    FindingRow.fingerprint == fp)).one()
    changes = changes if changes is not None else []
    if new:
        changes.append((year, row.rule, 1))
    for k, v in values.items():
        setattr(row, k, v)
    row.report_id = report_id if report_id is not None else row.report_id
    row.url = url if url is not None else row.url
    row.year, row.portal_id = year, body.portal_id
    row.last_seen = max(row.last_seen, when)
    row.last_run_id = run_id if run_id is not None else row.last_run_id
    if row.status == "resolved":  # it fires again: reopened
        row.status, row.resolved_at = "open", None
        changes.append((year, row.rule, 1))
    session.add(row)
    if existing is None:  # called alone: apply now
        tally_many(session, body, changes)
    return row, new


def store_extra_finding(session: Session, *, portal_id: str | None, body: str, year: int | None, finding: Finding,
                        url: str | None) -> None:
    """A finding not produced by auditing one document (PUB-MISSING, PUB-CHANGED); same fingerprint/upsert logic.
    Without a body name, the body is taken from the document at `url`, else a placeholder body of the portal."""
    if not body and url:
        doc = session.exec(select(DocumentRow).where(DocumentRow.url == url)).first()
        body = doc.body_name if doc is not None else None
        if year is None and doc is not None:
            rep = session.exec(select(ReportRow).where(ReportRow.document_id == doc.id)).first()
            year = rep.year if rep is not None else None
    body_row = ensure_body(session, portal_id, body or UNKNOWN_BODY)
    report = None
    if year is not None:
        report = session.exec(select(ReportRow).where(ReportRow.body_id == body_row.id, ReportRow.year == year)).first()
    report_id = report.id if report is not None and finding.rule != Missing.id else None
    fp = finding.fingerprint(body_row.name, year)
    if finding.rule == Changed.id and url:  # one per address (a body may publish several documents)
        fp = hashlib.sha256(f"{fp}\x1f{url}".encode()).hexdigest()[:24]
    _upsert_finding(session, body=body_row, year=year, finding=finding, report_id=None, url=url, run_id=None,
                    when=now(), fp=fp)
    session.flush()
    if report_id is not None:
        refresh_report(session, report)


def resolve_missing(session: Session, body_id: int, year: int) -> int:
    """A report arrived for this body and year: its PUB-MISSING is resolved."""
    rows = session.exec(select(FindingRow).where(FindingRow.body_id == body_id, FindingRow.year == year,
                                                 FindingRow.rule == Missing.id, FindingRow.status == "open")).all()
    for row in rows:
        row.status, row.resolved_at = "resolved", now()
        session.add(row)
        tally_row(session, row, -1)
    return len(rows)


_UNSET: Any = object()


def refresh_report(session: Session, report: ReportRow, old: ReportState | None = _UNSET) -> None:
    """Recount the report's open (not waived) findings and its complete/consistent flags (and report_tally)."""
    if old is _UNSET:
        old = report_state(report)
    session.flush()
    rows = session.exec(select(FindingRow.rule, FindingRow.severity).where(
        (FindingRow.report_id == report.id) | ((FindingRow.body_id == report.body_id) & (FindingRow.year == report.year)
                                               & (FindingRow.rule == Changed.id)),
        FindingRow.status == "open")).all()
    counts = dict.fromkeys(SEVERITIES, 0)
    complete = consistent = True
    for rule_id, severity in rows:
        counts[severity] = counts.get(severity, 0) + 1
        if rule_id in COMPLETENESS_RULES:
            complete = False
        if severity == ERROR and rule_id.startswith(CONSISTENCY_PREFIXES):
            consistent = False
    report.errors, report.warnings, report.infos = counts[ERROR], counts[WARNING], counts[INFO]
    report.complete, report.consistent = complete, consistent
    session.add(report)
    session.flush()
    tally_report(session, old, report_state(report))


# --- reports ------------------------------------------------------------------------------------------------------
def find_report(session: Session, body_id: int, year: int) -> ReportRow | None:
    return session.exec(select(ReportRow).where(ReportRow.body_id == body_id, ReportRow.year == year)).first()


def previous_report(session: Session, *, portal_id: str | None, body: str, year: int) -> PreviousReport | None:
    """Last year's stored report of the same body, as the auditor's PreviousReport (None when there is none)."""
    body_row = session.exec(select(BodyRow).where(BodyRow.portal_id == (portal_id or ""), BodyRow.name == body)).first()
    if body_row is None:
        return None
    prev = find_report(session, body_row.id, year - 1)
    if prev is None:
        return None
    values = prev.values or {}
    return PreviousReport(year=prev.year, carried_forward=dict((values.get("三") or {}).get("carried_forward") or {}),
                          sections=dict(prev.sections or {}), source=prev.document_url or prev.source,
                          uncertain=bool(prev.ocr))


def save_report(session: Session, *, run_id: int, result: AuditResult, context: AuditContext | None = None,
                document: DocumentRow | None = None, portal_id: str | None = None) -> ReportRow | None:
    """Store one AuditResult (once per audit: the cross-year rules have run): body, report (by body and year),
    findings upserted by fingerprint, findings of this report that did not fire again -> resolved (waived stay
    waived), one audit_record for the run's history.  Returns None (and records a problem) when the body or year of
    the report is unknown."""
    when = now()
    body_name = result.body or (context.body if context is not None else None)
    year = result.year or (context.year if context is not None else None)
    url = document.url if document is not None else (result.source or None)
    portal_id = portal_id if portal_id is not None else (document.portal_id if document is not None else None)
    if not body_name or not year:
        record_problem(session, url=url or "", portal_id=portal_id,
                       error="无法从报告中识别" + ("机构名称" if not body_name else "报告年度"), when=when)
        bump_run(session, run_id, problems=1)
        return None
    body = ensure_body(session, portal_id, body_name, result.body_kind)
    insert_ignore(session, ReportRow, dict(body_id=body.id, year=year, portal_id=body.portal_id,
                                            region_path=body.region_path, body_name=body.name), ["body_id", "year"])
    query = select(ReportRow).where(ReportRow.body_id == body.id, ReportRow.year == year)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()  # two processes saving the same report take turns
    report = session.exec(query).one()
    old_state = report_state(report)

    values, sections = jsonable(result.values()), result.section_texts()
    published, deadline = result.published, result.deadline
    report.portal_id, report.region_path, report.body_name = body.portal_id, body.region_path, body.name
    report.body_kind = result.body_kind or body.kind
    report.document_id = document.id if document is not None else report.document_id
    report.document_url = url if (url and "://" in url) or report.document_url is None else report.document_url
    report.source = result.source
    report.title = result.report.title
    report.format, report.ocr, report.sha256 = result.format, bool(result.ocr), result.sha256
    report.published, report.published_source, report.deadline = published, result.published_source, deadline
    report.on_time = (published <= deadline) if published and deadline else None
    report.values, report.sections = values, sections
    report.ruleset_version, report.last_run_id, report.audited_at = RULESET_VERSION, run_id, when
    session.add(report)
    session.flush()

    seen: dict[str, FindingRow] = {}
    new = 0
    changes: list[tuple[int | None, str, int]] = []
    fps = {f.fingerprint(body.name, year) for f in result.findings}
    existing = {r.fingerprint: r for r in session.exec(select(FindingRow).where(
        FindingRow.body_id == body.id, FindingRow.fingerprint.in_(fps))).all()} if fps else {}
    for f in result.findings:
        fp = f.fingerprint(body.name, year)
        if fp in seen:
            continue
        row, is_new = _upsert_finding(session, body=body, year=year, finding=f, report_id=report.id,
                                      url=report.document_url, run_id=run_id, when=when, fp=fp,
                                      existing=existing, changes=changes)
        seen[fp] = row
        new += is_new
    session.flush()
    stale = session.exec(select(FindingRow).where(FindingRow.report_id == report.id,
                                                  FindingRow.rule.not_in(EXTRA_RULES),
                                                  FindingRow.status == "open")).all()
    resolved = 0
    for row in stale:
        if row.fingerprint not in seen:
            row.status, row.resolved_at = "resolved", when
            session.add(row)
            changes.append((row.year, row.rule, -1))
            resolved += 1
    tally_many(session, body, changes)
    resolved += resolve_missing(session, body.id, year)
    refresh_report(session, report, old_state)
    counts = result.counts()
    session.add(AuditRecordRow(run_id=run_id, report_id=report.id, at=when, errors=counts.get(ERROR, 0),
                               warnings=counts.get(WARNING, 0), infos=counts.get(INFO, 0),
                               fingerprints=sorted(seen)))
    if document is not None:
        document.audited_ruleset, document.audited_sha256, document.audited_at = RULESET_VERSION, document.sha256, when
        session.add(document)
        _problem_solved(session, document.url)
    bump_run(session, run_id, reports=1, findings=len(seen), errors=counts.get(ERROR, 0),
              warnings=counts.get(WARNING, 0), infos=counts.get(INFO, 0), resolved=resolved)
    session.flush()
    return report


# --- waivers --------------------------------------------------------------------------------------------------------
def waive(session: Session, finding_id: int, *, reason: str, by: str | None = None) -> FindingRow:
    row = session.get(FindingRow, finding_id)
    if row is None:
        raise NotFound(f"没有编号为 {finding_id} 的问题")
    if row.status == "open":
        tally_row(session, row, -1)
    row.status, row.waived_reason, row.waived_by, row.waived_at = "waived", reason, by, now()
    session.add(row)
    _refresh_for(session, row)
    return row


def unwaive(session: Session, finding_id: int) -> FindingRow:
    row = session.get(FindingRow, finding_id)
    if row is None:
        raise NotFound(f"没有编号为 {finding_id} 的问题")
    if row.status == "waived":
        row.status = "open"
        tally_row(session, row, +1)
        row.waived_at = None  # the reason and the person stay for the record until the next waiver
    session.add(row)
    _refresh_for(session, row)
    return row


def _refresh_for(session: Session, row: FindingRow) -> None:
    session.flush()
    if row.report_id is not None:
        report = session.get(ReportRow, row.report_id)
        if report is not None:
            refresh_report(session, report)


def counts(session: Session) -> dict[str, int]:
    out = {}
    for model in (PortalRow, BodyRow, DocumentRow, ReportRow, FindingRow, AuditRunRow):
        out[model.__tablename__] = session.exec(select(func.count()).select_from(model)).one()
    return out
