"""The glue between the auditor and the audit database: store audit results, re-audit the archive.

- save_results(settings, results, contexts, document_ids=None): `ogiaudit audit --save`
- audit_pending(settings, all=False, progress=True): `ogiaudit audit --pending` / `--all`
- audit_document(settings, doc_id, run_id): one archived document (also the queue's audit job, ogiaudit/jobs.py)

A report is stored once per audit, after the cross-year rules ran against last year's report as storage holds it
(repository.previous_report: the facts storage hands the auditor).

Each report is stored in its own transaction: a run killed halfway leaves every stored report whole, and the next
run picks up the documents not yet audited with the current rules.  One document that cannot be read or audited,
whatever it raises (a hostile file: MemoryError, RecursionError, any error), is one problem line for that document,
is marked audited with the current rules (so it is not retried for ever), and the run goes on.
"""
from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import select

from auditor import audit as auditing  # called as auditing.audit_bytes: tests replace it to poison one document
from auditor.audit import RULESET_VERSION, AuditContext, AuditResult, NotAReport
from auditor.context import PreviousReport
from auditor.dates import url_date
from auditor.extract import failure_line
from auditor.extract._files import read_report_file
from auditor.rules import Rule, load_all, run_rules
from ogiaudit.portals import Portal, load_portals
from ogiaudit.settings import ConfigError, Settings
from storage import repository as repo
from storage.archive import locate
from storage.db import connect, session
from storage.models import BodyRow, DocumentRow, PortalRow
from storage.rows import now


def _cross_year(session_, result: AuditResult, context: AuditContext | None, portal_id: str | None) -> None:
    """Run the cross-year rules when the caller audited without history and the database has last year's report."""
    if context is not None and context.previous is not None:
        return
    body, year = result.body or (context.body if context else None), result.year or (context.year if context else None)
    if not body or not year:
        return
    prev = repo.previous_report(session_, portal_id=portal_id, body=body, year=year)
    if prev is None:
        return
    ctx = replace(context, previous=prev) if context is not None else AuditContext(source=result.source, previous=prev)
    _cross_year_with(result, ctx)


def save_results(settings: Settings, results: list[AuditResult], contexts: list[AuditContext | None],
                 document_ids: list[int | None] | None = None, *, mode: str = "audit") -> None:
    """Store audit results: one audit run; per result its body, its report (by body and year) and its findings
    (upserted by fingerprint; findings that no longer fire -> resolved, waived stay waived)."""
    engine = connect(settings.database_url)
    with session(engine) as s:
        run_id = repo.start_run(s, RULESET_VERSION, mode).id
    # oldest year first, so that a body's later report finds the earlier one for the cross-year rules
    order = sorted(range(len(results)), key=lambda i: (results[i].year or 0, i))
    for i in order:
        result = results[i]
        context = contexts[i] if i < len(contexts) else None
        doc_id = document_ids[i] if document_ids and i < len(document_ids) else None
        with session(engine) as s:
            document = s.get(DocumentRow, doc_id) if doc_id is not None else None
            portal_id = document.portal_id if document is not None else None
            _cross_year(s, result, context, portal_id)
            repo.save_report(s, run_id=run_id, result=result, context=context, document=document, portal_id=portal_id)
    with session(engine) as s:
        repo.finish_run(s, run_id)


def _portals(settings: Settings) -> dict[str, Portal]:
    try:
        return {p.id: p for p in load_portals(settings.portals)}
    except ConfigError:   # no usable portal configuration: documents are audited with the default deadlines
        return {}


def _read_archive(settings: Settings, doc: DocumentRow) -> bytes:
    return read_report_file(locate(Path(settings.archive_dir), doc.sha256, doc.archive_path))


def problem_line(exc: BaseException) -> str:
    """One line saying why a document could not be read or audited (auditor.extract.failure_line)."""
    return failure_line(exc)


def _audit_one(settings: Settings, doc: DocumentRow, context: AuditContext,
               rules: list[Rule] | None) -> tuple[AuditResult | None, Exception | None]:
    """(result, None) or (None, exception): never raises for what the document contains."""
    try:
        return auditing.audit_bytes(_read_archive(settings, doc), context, rules), None
    except Exception as exc:  # noqa: BLE001 - any failure on one document is that document's problem
        return None, exc


def pending_documents(settings: Settings, *, all: bool = False, with_portal: bool = False) -> list:
    """Ids of the archived documents to (re-)audit: never audited, audited with other rules, or changed since
    (with_portal: (id, portal_id) pairs)."""
    with session(connect(settings.database_url), readonly=True) as s:
        q = select(DocumentRow.id, DocumentRow.portal_id) if with_portal else select(DocumentRow.id)
        if not all:
            q = q.where((DocumentRow.audited_ruleset.is_(None)) | (DocumentRow.audited_ruleset != RULESET_VERSION)
                        | (DocumentRow.audited_sha256.is_(None)) | (DocumentRow.audited_sha256 != DocumentRow.sha256))
        rows = s.exec(q.order_by(DocumentRow.id)).all()
        return [tuple(r) for r in rows] if with_portal else list(rows)


def audit_pending(settings: Settings, *, all: bool = False, progress: bool = True,
                  rules: list[Rule] | None = None) -> list[AuditResult]:
    """Re-audit the archived documents not yet audited with the current RULESET_VERSION (all=True: every one),
    storing each result as it goes.  Unreadable documents are recorded as extraction problems.
    rules: the rules to run (default: every rule).

    A report whose body's report of the year before is not stored yet is stored at the end of the run, oldest year
    first: the year before may be among this run's documents, and each report is stored once, after its cross-year
    rules ran against what storage then holds."""
    engine = connect(settings.database_url)
    portals = _portals(settings)
    ids = pending_documents(settings, all=all)
    with session(engine) as s:
        run_id = repo.start_run(s, RULESET_VERSION, "all" if all else "pending").id
    results: dict[int, AuditResult] = {}
    deferred: list[tuple[int, int, DocumentOutcome]] = []
    done = 0

    def told(outcome: DocumentOutcome) -> None:   # after the commit: what is printed is stored; a problem always
        nonlocal done
        done += 1
        if progress or outcome.error:
            print(f"[{done}/{len(ids)}] {outcome.line}" if progress else f"ogiaudit: {outcome.line}",
                  file=sys.stderr, flush=True)

    for n, doc_id in enumerate(ids):
        outcome = audit_document(settings, doc_id, run_id, portals=portals, rules=rules, defer_without_history=True)
        if outcome.deferred:
            deferred.append((n, doc_id, outcome))
            continue
        if outcome.result is not None:
            results[n] = outcome.result
        told(outcome)
    for n, doc_id, outcome in sorted(deferred, key=_oldest_first):
        assert outcome.result is not None and outcome.context is not None
        outcome = store_audited(settings, doc_id, run_id, outcome.result, outcome.context, rules)
        results[n] = outcome.result
        told(outcome)
    with session(engine) as s:
        repo.finish_run(s, run_id)
    return [results[n] for n in sorted(results)]


def _oldest_first(item: tuple[int, int, DocumentOutcome]) -> tuple[int, int]:
    n, _, outcome = item
    return (outcome.result.year or 0) if outcome.result else 0, n


@dataclass
class DocumentOutcome:
    """What auditing one archived document gave: its result (None when unreadable) and one line saying so."""
    line: str
    result: AuditResult | None = None
    context: AuditContext | None = None
    error: str | None = None
    without_history: bool = False   # audited without last year's report (not stored yet)
    skipped: bool = False           # already audited with these rules and these bytes
    deferred: bool = False          # audited, not stored: last year's report is not stored yet (store_audited later)


def audit_context(settings: Settings, doc: DocumentRow, body: BodyRow | None, portal: Portal | None) -> AuditContext:
    """What the crawl knows of a document, for the audit: URL, portal date, body, deadlines, first seen."""
    return AuditContext(
        source=doc.url, published=doc.published,
        published_source=(doc.published_source or "portal") if doc.published else None,
        body=doc.body_name, body_kind=body.kind if body else None,
        township_deadline=(portal.township_deadline if portal and portal.township_deadline
                           else settings.deadlines.township),
        department_deadline=settings.deadlines.department, government_deadline=settings.deadlines.government,
        first_seen=doc.first_fetched.date() if doc.first_fetched else None, url_date=url_date(doc.url))


def is_audited(doc: DocumentRow) -> bool:
    return doc.audited_ruleset == RULESET_VERSION and doc.audited_sha256 == doc.sha256


def audit_document(settings: Settings, doc_id: int, run_id: int, *, portals: Mapping[str, Portal] | None = None,
                   rules: list[Rule] | None = None, only_pending: bool = False,
                   defer_without_history: bool = False) -> DocumentOutcome:
    """Audit one archived document and store the result in one short transaction (an unreadable one: one problem
    line, and marked audited with these rules so that it is not retried for ever).  The audit runs outside any
    transaction: parsing may take seconds, and no lock is held meanwhile.  only_pending: do nothing for a document
    already audited with these rules and these bytes (a job run twice changes nothing).  defer_without_history:
    when storage holds no report of the body for the year before, store nothing and return the outcome as
    deferred, for store_audited() once the run has stored what it has."""
    engine = connect(settings.database_url)
    with session(engine, readonly=True) as s:
        doc = s.get(DocumentRow, doc_id)
        if doc is None or (only_pending and is_audited(doc)):
            return DocumentOutcome(line=f"已审核：{doc.url if doc else doc_id}", skipped=True)
        body = s.exec(select(BodyRow).where(BodyRow.portal_id == (doc.portal_id or ""),
                                            BodyRow.name == doc.body_name)).first() if doc.body_name else None
        # the portal as configured here, else as the crawl recorded it (a worker need not have the config files)
        portal = (portals or {}).get(doc.portal_id or "") or (s.get(PortalRow, doc.portal_id) if doc.portal_id
                                                             else None)
    context = audit_context(settings, doc, body, portal)
    result, exc = _audit_one(settings, doc, context, rules)
    with session(engine) as s:
        doc = s.get(DocumentRow, doc_id, with_for_update=only_pending and s.get_bind().dialect.name == "postgresql")
        if only_pending and is_audited(doc):   # another worker stored it meanwhile
            return DocumentOutcome(line=f"已审核：{doc.url}", skipped=True)
        if result is None:
            assert exc is not None
            error = problem_line(exc)
            repo.record_problem(s, url=doc.url, portal_id=doc.portal_id, error=error, when=now(),
                                kind="not_report" if isinstance(exc, NotAReport) else "unreadable")
            doc.audited_ruleset, doc.audited_sha256, doc.audited_at = RULESET_VERSION, doc.sha256, now()
            s.add(doc)
            repo.bump_run(s, run_id, problems=1)
            return DocumentOutcome(line=f"无法读取 {doc.url}：{error}", context=context, error=error)
        previous = _previous(s, doc, result)
        if defer_without_history and previous is None and _has_history_key(doc, result):
            return DocumentOutcome(line="", result=result, context=context, without_history=True, deferred=True)
        return _store(s, doc, run_id, result, context, previous, rules)


def store_audited(settings: Settings, doc_id: int, run_id: int, result: AuditResult, context: AuditContext,
                  rules: list[Rule] | None = None) -> DocumentOutcome:
    """Store a document's audit that audit_document() deferred, with last year's report if storage holds it now."""
    with session(connect(settings.database_url)) as s:
        doc = s.get(DocumentRow, doc_id)
        return _store(s, doc, run_id, result, context, _previous(s, doc, result), rules)


def _has_history_key(doc: DocumentRow, result: AuditResult) -> bool:
    return bool(result.year and (result.body or doc.body_name))


def _previous(s, doc: DocumentRow, result: AuditResult) -> PreviousReport | None:
    """Last year's stored report of the document's body (the cross-year rules' facts), None when there is none."""
    if not _has_history_key(doc, result):
        return None
    return repo.previous_report(s, portal_id=doc.portal_id, body=result.body or doc.body_name, year=result.year)


def _store(s, doc: DocumentRow, run_id: int, result: AuditResult, context: AuditContext,
           previous: PreviousReport | None, rules: list[Rule] | None) -> DocumentOutcome:
    """The cross-year rules against last year's report (when there is one), then the report saved, once."""
    if previous is not None:
        context.previous = previous
        _cross_year_with(result, context, rules)
    repo.save_report(s, run_id=run_id, result=result, context=context, document=doc, portal_id=doc.portal_id)
    c = result.counts()
    line = f"{result.body or doc.url} {result.year or ''}：错误 {c['error']}，警告 {c['warning']}"
    return DocumentOutcome(line=line, result=result, context=context,
                           without_history=previous is None and _has_history_key(doc, result))


def _cross_year_with(result: AuditResult, context: AuditContext, rules: list[Rule] | None = None) -> None:
    """Add the findings of the cross-year rules (those among `rules`, default all) that the audit did not run."""
    if rules is not None:
        rules = [r for r in rules if r.needs_history]
    else:
        rules = [cls() for cls in load_all().values() if cls.needs_history]
    have = {(f.rule, f.section, f.location.column if f.location else None) for f in result.findings}
    result.findings.extend(f for f in run_rules(result.report, context, rules)
                           if (f.rule, f.section, f.location.column if f.location else None) not in have)
