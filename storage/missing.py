"""Which expected bodies have not published: the facts behind `run`'s PUB-MISSING, `query missing` and the
overdue column of `query compliance`.  Storage gathers the facts; the rule decides (auditor.rules.publication.Missing:
certainty before accusation).

Per configured body whose report for a year is absent once its deadline passed, the facts are: its deadline, its
portal's last crawl (ok, complete, the day it ended), whether a document of that portal that may be its report for
the year is still unread (not yet audited, or unreadable).  Missing.decide() calls it *missing*, or *undecided* with
the reason.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from auditor.context import PublicationFacts
from auditor.findings import Finding
from auditor.rules.publication import Missing
from auditor.ruleset import RULESET_VERSION
from storage.deadlines import KINDS, StorageSettings, deadline_for, infer_kind
from storage.grouping import fold
from storage.models import BodyRow, CrawlRow, DocumentRow, ExtractionProblemRow, PortalRow, ReportRow

UNREAD = Missing.UNREAD
_YEAR = re.compile(r"(?:19|20)\d{2}")
_EXACT_LIMIT = 50   # unsettled portals counted body by body; beyond this compliance counts the settled ones in SQL


def missing(session: Session, year: int, as_of: date, settings: StorageSettings | None = None, *,
            portal: str | None = None) -> list[dict]:
    """The bodies whose report for `year` is missing (rows of `query missing`, PUB-MISSING of `run`)."""
    return missing_decision(session, year, as_of, settings, portal=portal)[0]


def missing_decision(session: Session, year: int, as_of: date, settings: StorageSettings | None = None, *,
                     portal: str | None = None) -> tuple[list[dict], list[dict]]:
    """(missing, undecided) among the overdue bodies; undecided rows carry a "reason"."""
    judged, undecided = judge_missing(session, year, as_of, settings, portal=portal)
    return [row for row, _ in judged], undecided


def judge_missing(session: Session, year: int, as_of: date, settings: StorageSettings | None = None, *,
                  portal: str | None = None) -> tuple[list[tuple[dict, Finding]], list[dict]]:
    """The overdue bodies' facts, judged by PUB-MISSING: ([(row, its finding)], undecided rows with a "reason")."""
    decided: list[tuple[dict, Finding]] = []
    undecided: list[dict] = []
    for row, facts in publication_facts(session, year, as_of, settings, portal=portal):
        finding, reason = Missing.decide(facts)
        if finding is not None:
            decided.append((row, finding))
        elif reason:
            undecided.append({**row, "reason": reason})
    return decided, undecided


def publication_facts(session: Session, year: int, as_of: date, settings: StorageSettings | None = None, *,
                      portal: str | None = None) -> list[tuple[dict, PublicationFacts]]:
    """The overdue bodies (rows of overdue_bodies) with what storage knows of their report for `year`."""
    overdue = overdue_bodies(session, year, as_of, settings, portal=portal)
    portals = {r["portal"] for r in overdue if r["portal"]}
    crawls = _last_crawls(session, portals)
    unread = unread_documents(session, portals)
    configured = _configured_names(session, portals)
    urls = _portal_urls(session, portals)
    out = []
    for row in overdue:
        crawl = crawls.get(row["portal"])
        out.append((row, PublicationFacts(
            body=row["body"], year=row["year"], deadline=date.fromisoformat(row["deadline"]), as_of=as_of,
            expected=True, report_found=False, crawled=crawl is not None,
            crawl_ok=bool(crawl and crawl.ok), crawl_complete=bool(crawl and crawl.complete),
            crawl_finished=crawl.finished.date() if crawl is not None and crawl.finished else None,
            unread_documents=_may_be_report(row, unread.get(row["portal"], []), configured.get(row["portal"], set())),
            portal_url=urls.get(row["portal"]))))
    return out


def _may_be_report(row: dict, unread: list[tuple[str | None, int | None]], configured: set[str]) -> bool:
    """Whether an unread document may be the body's report: one attributed to this body, or to none we expect,
    with this year or none in its title."""
    return any(year in (None, row["year"]) and (body == row["body"] or body not in configured)
               for body, year in unread)


def _portal_urls(session: Session, portals: set) -> dict[str, str]:
    if not portals:
        return {}
    rows = session.exec(select(PortalRow.id, PortalRow.start_urls).where(PortalRow.id.in_(list(portals)))).all()
    return {pid: urls[0] for pid, urls in rows if urls}


def overdue_bodies(session: Session, year: int, as_of: date, settings: StorageSettings | None = None, *,
                   portal: str | None = None) -> list[dict]:
    """The configured bodies with no report for `year` whose deadline has passed by `as_of`."""
    if as_of <= date(year + 1, 1, 1):  # no deadline has passed yet
        return []
    have = select(ReportRow.body_id).where(ReportRow.year == year, ReportRow.body_id == BodyRow.id)
    q = (select(BodyRow.id, BodyRow.portal_id, BodyRow.name, BodyRow.kind, BodyRow.region_path,
                PortalRow.township_deadline)
         .join(PortalRow, PortalRow.id == BodyRow.portal_id, isouter=True)
         .where(BodyRow.configured.is_(True), ~have.exists()))
    if portal:
        q = q.where(BodyRow.portal_id == portal)
    out = []
    for body_id, portal_id, name, kind, region, township in session.exec(q.order_by(BodyRow.portal_id, BodyRow.name)).all():
        kind = kind or infer_kind(name)
        deadline = deadline_for(kind, year, settings, township)
        if as_of > deadline:
            out.append({"portal": portal_id or None, "body": name, "body_kind": kind, "year": year,
                        "deadline": deadline.isoformat(), "region": region or None, "body_id": body_id})
    return out


def _last_crawls(session: Session, portals: set | None = None) -> dict[str, CrawlRow]:
    """portal -> its last crawl row (by id: rows are written when a crawl starts)."""
    last = select(CrawlRow.portal_id, func.max(CrawlRow.id).label("id")).group_by(CrawlRow.portal_id)
    if portals is not None:
        if not portals:
            return {}
        last = last.where(CrawlRow.portal_id.in_(list(portals)))
    sub = last.subquery()
    return {row.portal_id: row for row in session.exec(select(CrawlRow).join(sub, sub.c.id == CrawlRow.id)).all()}


def unread_documents(session: Session, portals: set | None = None) -> dict[str, list[tuple[str | None, int | None]]]:
    """portal -> (body, year in the title) of its archived documents not yet audited with the current rules, or
    that could not be read (an open "unreadable" problem)."""
    d, p = DocumentRow, ExtractionProblemRow
    unreadable = select(p.url).where(p.url == d.url, p.resolved_at.is_(None), p.kind == "unreadable").exists()
    pending = or_(d.audited_ruleset.is_(None), d.audited_ruleset != RULESET_VERSION, d.audited_sha256.is_(None),
                  d.audited_sha256 != d.sha256)
    q = select(d.portal_id, d.body_name, d.title).where(d.portal_id.is_not(None), or_(pending, unreadable))
    if portals is not None:
        if not portals:
            return {}
        q = q.where(d.portal_id.in_(list(portals)))
    out: dict[str, list] = defaultdict(list)
    for pid, body, title in session.exec(q).all():
        m = _YEAR.search(title or "")
        out[pid].append((body, int(m.group()) if m else None))
    return out


def _configured_names(session: Session, portals: set) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    if portals:
        for pid, name in session.exec(select(BodyRow.portal_id, BodyRow.name)
                                      .where(BodyRow.portal_id.in_(list(portals)), BodyRow.configured.is_(True))).all():
            out[pid].add(name)
    return out


# --- counted per group, for compliance --------------------------------------------------------------------------
def overdue_counts(session: Session, years: set[int], as_of: date, settings: StorageSettings | None, by: str, level: str | None, *,
                   totals: dict[tuple[str, int], list[int]], configured: dict[str, int]) -> dict:
    """(group, year) -> the number of bodies missing_decision calls missing.  All overdue bodies counted in SQL,
    less those of the (usually few) portals whose crawl or documents leave some undecided, counted body by body.
    totals: (group, year) -> [published by unconfigured bodies, published, …]; configured: group -> bodies."""
    crawls = _crawl_states(session)
    townships = dict(session.exec(select(PortalRow.id, PortalRow.township_deadline)).all())
    portals = set(townships)   # configured bodies belong to configured portals
    unread = unread_documents(session)   # every portal's: one scan, not an IN over thousands of ids
    tds = set(townships.values())
    crawled = [(p, crawls.get(p, date.min), townships.get(p)) for p in portals if p not in unread]
    out: dict[tuple[str, int], int] = defaultdict(int)
    for y in years:
        if as_of <= date(y + 1, 1, 1):
            continue
        latest = _latest_deadlines(y, settings, tds)
        unsettled = [p for p, day, td in crawled if day <= latest[td]] + [p for p in portals if p in unread]
        if len(unsettled) > _EXACT_LIMIT:
            out.update(_decided_in_sql(session, y, as_of, settings, by, level, crawls))
            continue
        out.update(_all_overdue(session, y, as_of, settings, by, level, totals, configured, tds))
        for pid in unsettled:
            for row in missing_decision(session, y, as_of, settings, portal=pid)[1]:
                key = {"region": row["region"], "portal": pid, "body_kind": row["body_kind"]}[by]
                out[(fold(key, by, level), y)] -= 1
    return out


def _crawl_states(session: Session) -> dict[str, date]:
    """portal -> the day its last crawl ended, for the portals whose last crawl was ok and complete."""
    last = select(CrawlRow.portal_id, func.max(CrawlRow.id).label("id")).group_by(CrawlRow.portal_id).subquery()
    rows = session.exec(select(CrawlRow.portal_id, CrawlRow.finished, CrawlRow.ok, CrawlRow.complete)
                        .join(last, last.c.id == CrawlRow.id)).all()
    return {pid: finished.date() for pid, finished, ok, complete in rows if ok and complete}


def _latest_deadlines(year: int, settings: StorageSettings | None, townships: set) -> dict:
    """township deadline setting -> the last deadline of `year` under it (a portal settled for the year: every
    overdue body of it is decided missing, once its last complete crawl ended after this)."""
    return {td: max(deadline_for(k, year, settings, td) for k in KINDS)
            for td in townships | {None}}


def _all_overdue(session, y, as_of, settings, by, level, totals, configured, tds: set) -> dict:
    """(group, y) -> configured bodies without a report for y whose deadline passed (whatever the crawl)."""
    tds = tds | {None}
    if as_of > max(deadline_for(k, y, settings, td) for k in KINDS for td in tds):
        # a season whose every deadline passed: configured bodies less the configured ones that published
        none = (0, 0)
        return {(g, y): conf - _published_by_configured(totals.get((g, y), none)) for g, conf in configured.items()}
    out: dict[tuple[str, int], int] = defaultdict(int)
    gcol = {"region": BodyRow.region_path, "portal": BodyRow.portal_id, "body_kind": BodyRow.kind}[by]
    have = select(ReportRow.body_id).where(ReportRow.year == y, ReportRow.body_id == BodyRow.id)
    q = (select(gcol, BodyRow.kind, PortalRow.township_deadline, func.count())
         .join(PortalRow, PortalRow.id == BodyRow.portal_id, isouter=True)
         .where(BodyRow.configured.is_(True), BodyRow.kind.is_not(None), ~have.exists())
         .group_by(gcol, BodyRow.kind, PortalRow.township_deadline))
    for g, kind, township, n in session.exec(q).all():
        if as_of > deadline_for(kind, y, settings, township):
            out[(fold(g if by != "body_kind" else kind, by, level), y)] += n
    nameless = (select(BodyRow.name, gcol, PortalRow.township_deadline)
                .join(PortalRow, PortalRow.id == BodyRow.portal_id, isouter=True)
                .where(BodyRow.configured.is_(True), BodyRow.kind.is_(None), ~have.exists()))
    for name, g, township in session.exec(nameless).all():
        kind = infer_kind(name)
        if as_of > deadline_for(kind, y, settings, township):
            out[(fold(g if by != "body_kind" else kind, by, level), y)] += 1
    return out


def _published_by_configured(total) -> int:
    return total[1] - total[0]


def _decided_in_sql(session, y, as_of, settings, by, level, done: dict[str, date]) -> dict:
    """(group, y) -> overdue bodies in portals whose last crawl was ok, complete and after the body's deadline;
    less, body by body, those that unread documents leave undecided."""
    out: dict[tuple[str, int], int] = defaultdict(int)
    if not done:
        return out
    gcol = {"region": BodyRow.region_path, "portal": BodyRow.portal_id, "body_kind": BodyRow.kind}[by]
    have = select(ReportRow.body_id).where(ReportRow.year == y, ReportRow.body_id == BodyRow.id)
    q = (select(gcol, BodyRow.portal_id, BodyRow.kind, BodyRow.name, PortalRow.township_deadline)
         .join(PortalRow, PortalRow.id == BodyRow.portal_id, isouter=True)
         .where(BodyRow.configured.is_(True), ~have.exists(), BodyRow.portal_id.in_(list(done))))
    for g, pid, kind, name, township in session.exec(q).all():
        kind = kind or infer_kind(name)
        deadline = deadline_for(kind, y, settings, township)
        if as_of > deadline and done[pid] > deadline:
            out[(fold(g if by != "body_kind" else kind, by, level), y)] += 1
    for pid in unread_documents(session, set(done)):
        for row in missing_decision(session, y, as_of, settings, portal=pid)[1]:
            if row["reason"] == UNREAD:
                key = {"region": row["region"], "portal": pid, "body_kind": row["body_kind"]}[by]
                out[(fold(key, by, level), y)] -= 1
    return out
