"""Reads for the review desk (ogiaudit/web).  Every function takes the reviewer's scope — the set of portal ids they
may see, or None for everything — and never returns a row outside it.  Counts come from the tallies (report_tally,
rule_tally by portal), so a page reads a few thousand rows at most whatever the size of the database."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from auditor.findings import SEVERITIES, severity_rank
from auditor.rules.publication import Changed, Late, Missing
from storage.deadlines import StorageSettings
from storage.missing import missing as all_missing
from storage.models import (
    BodyRow,
    DocumentRow,
    ExtractionProblemRow,
    FindingRow,
    PortalRow,
    ReportRow,
    ReportTallyRow,
    RuleTallyRow,
)
from storage.review import DeskUserRow, FindingReviewRow, ReviewActionRow

Scope = frozenset[str] | None      # the portal ids a user may see; None: all
LEVELS = ("province", "city", "county")
MAX_ROWS = 100_000                 # an export never holds more


# --- scope ------------------------------------------------------------------------------------------------------------
def user_scope(session: Session, user: DeskUserRow) -> Scope:
    """An administrator, and a viewer given no scope, see everything; otherwise the portals listed and the portals
    of the regions listed (a region covers everything below it)."""
    portals, regions = list(user.portals or []), [r.strip("/") for r in user.regions or [] if r.strip("/")]
    if user.role == "admin" or (user.role == "viewer" and not portals and not regions):
        return None
    allowed = set(portals)
    if regions:
        allowed |= set(session.exec(select(PortalRow.id).where(_under(PortalRow.region_path, regions))).all())
    return frozenset(allowed)


def _under(column, regions: list[str]):
    """column is one of the region paths or below one of them."""
    return or_(*(or_(column == r, column.startswith(r + "/", autoescape=True)) for r in regions))


def _in_scope(column, scope: Scope):
    return True if scope is None else column.in_(sorted(scope) or [""])


def _region_filter(column, region: str | None):
    region = (region or "").strip("/")
    return True if not region else _under(column, [region])


def portal_visible(scope: Scope, portal_id: str | None) -> bool:
    return scope is None or (portal_id or "") in scope


# --- overview ---------------------------------------------------------------------------------------------------------
@dataclass
class Counts:
    reports: int = 0
    on_time: int = 0
    with_errors: int = 0     # reports with at least one open (certain) error
    late: int = 0            # open PUB-LATE
    missing: int = 0         # open PUB-MISSING

    def add(self, other: Counts) -> None:
        for k in ("reports", "on_time", "with_errors", "late", "missing"):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def share(self, name: str) -> float | None:
        return getattr(self, name) / self.reports if self.reports else None


@dataclass
class Overview:
    year: int
    region: str
    years: list[int]
    total: Counts
    trend: dict[int, Counts]
    children: list[tuple[str, Counts]]             # the next level down (name, counts), or [] at county level
    ranking: list[tuple[str, str, Counts]]         # (portal id, portal name, counts), best first
    bodies: list[dict] = field(default_factory=list)  # at county level: the reports and the missing bodies


def tally_counts(session: Session, scope_name: str, *, keys: list[str] | None = None, prefix: str | None = None,
                 year: int | None = None) -> dict[tuple[str, int], Counts]:
    """(group key, year) -> counts from report_tally and rule_tally for one grouping (province, city, county,
    portal): the given keys, or the keys under a region path prefix, or all; one year or every year."""
    out: dict[tuple[str, int], Counts] = {}
    conn = session.connection()
    for table, cols, extra in ((ReportTallyRow, ("reports", "on_time", "no_error"), ()),
                               (RuleTallyRow, ("rule", "open"),
                                (RuleTallyRow.rule.in_((Late.id, Missing.id)), RuleTallyRow.open > 0))):
        q = select(table.key, table.year, *(getattr(table, c) for c in cols)).where(table.scope == scope_name, *extra)
        if keys is not None:
            q = q.where(table.key.in_(keys or [""]))
        if prefix:
            q = q.where(table.key.startswith(prefix + "/", autoescape=True))
        if year is not None:
            q = q.where(table.year == year)
        for key, y, a, b, *rest in conn.execute(q):
            if table is ReportTallyRow:
                c = out.setdefault((key, y), Counts())
                c.reports, c.on_time, c.with_errors = a, b, a - rest[0]
            else:
                c = out.setdefault((key, y), Counts())
                c.late += b if a == Late.id else 0
                c.missing += b if a == Missing.id else 0
    return out


def portal_counts(session: Session, wanted: dict[str, tuple[str, str]], year: int | None = None
                  ) -> dict[tuple[str, int], Counts]:
    """(portal id, year) -> counts for the wanted portals (read whole and filtered here when many are wanted)."""
    few = sorted(wanted) if len(wanted) <= 500 else None
    rows = tally_counts(session, "portal", keys=few, year=year)
    return {k: c for k, c in rows.items() if k[0] in wanted}


def portals(session: Session, scope: Scope, region: str | None = None) -> dict[str, tuple[str, str]]:
    """portal id -> (name, region path) of the portals in scope under the region."""
    p = PortalRow
    q = select(p.id, p.name, p.region_path).where(_in_scope(p.id, scope), _region_filter(p.region_path, region))
    return {pid: (name, path or "") for pid, name, path in session.connection().execute(q)}


def _portals_under(region: str | None):
    """The ids of the portals under a region, as a subquery (lists filter findings and problems by portal)."""
    return select(PortalRow.id).where(_region_filter(PortalRow.region_path, region))


def overview(session: Session, scope: Scope, year: int | None, region: str | None) -> Overview:
    """Counts for a year and a region: totals, trend across years, the next level down, the portals' ranking.
    Everything in scope: the region's own tallies; a reviewer: the tallies of their portals."""
    region = (region or "").strip("/")
    level = len(region.split("/")) if region else 0
    names = portals(session, scope, region)
    if scope is None:
        own = tally_counts(session, LEVELS[level - 1] if level else "province", keys=[region] if level else None)
    else:
        own = portal_counts(session, names)
    trend: dict[int, Counts] = defaultdict(Counts)
    for (_, y), c in own.items():
        trend[y].add(c)
    years = sorted(trend) or [year or date.today().year - 1]
    year = year or years[-1]
    children: dict[str, Counts] = defaultdict(Counts)
    if scope is None and level < 3:
        for (key, _), c in tally_counts(session, LEVELS[level], prefix=region or None, year=year).items():
            children[key].add(c)
    ranking = []
    for (pid, _), c in (portal_counts(session, names, year) if scope is None else own).items():
        if _ != year:
            continue
        name, path = names[pid]
        ranking.append((pid, name, c))
        if scope is not None and level < 3:
            children["/".join(path.split("/")[:level + 1])].add(c)
    ranking.sort(key=lambda x: (-(x[2].share("on_time") or 0), x[2].share("with_errors") or 0, x[1]))
    total = trend.get(year) or Counts()
    return Overview(year, region, years, total, dict(sorted(trend.items())), sorted(children.items()), ranking)


# --- reports and bodies -------------------------------------------------------------------------------------------------
def reports(session: Session, scope: Scope, *, year: int | None = None, region: str | None = None,
            body: str | None = None, portal: str | None = None, limit: int = 200, offset: int = 0) -> list[dict]:
    """Reports in scope, newest year first, with their counts; `body` is a partial name."""
    r = ReportRow
    q = select(r.id, r.body_id, r.portal_id, r.region_path, r.body_name, r.body_kind, r.year, r.title, r.published,
               r.published_source, r.deadline, r.on_time, r.errors, r.warnings, r.infos, r.format, r.ocr,
               r.document_url).where(_in_scope(r.portal_id, scope), _region_filter(r.region_path, region))
    if year:
        q = q.where(r.year == year)
    if body:  # the bodies by name first (few rows), then their reports by index
        q = q.where(r.body_id.in_(select(BodyRow.id).where(BodyRow.name.contains(body.strip(), autoescape=True))))
    if portal:
        q = q.where(r.portal_id == portal)
    q = q.order_by(r.year.desc(), r.region_path, r.body_name).offset(offset).limit(limit)
    keys = ("id", "body_id", "portal", "region", "body", "body_kind", "year", "title", "published",
            "published_source", "deadline", "on_time", "errors", "warnings", "infos", "format", "ocr", "url")
    return [dict(zip(keys, row, strict=True)) for row in session.exec(q).all()]


def unreadable(session: Session, scope: Scope, *, region: str | None = None, limit: int = 200) -> list[dict]:
    """Documents that could not be read (not read since), in scope."""
    e = ExtractionProblemRow
    q = (select(e.id, e.url, e.portal_id, e.error, e.when, e.attempts).where(e.resolved_at.is_(None),
                                                                          _in_scope(e.portal_id, scope)))
    if region:
        q = q.where(e.portal_id.in_(_portals_under(region)))
    keys = ("id", "url", "portal", "error", "when", "attempts")
    return [dict(zip(keys, row, strict=True)) for row in session.exec(q.order_by(e.when.desc()).limit(limit)).all()]


def search_bodies(session: Session, scope: Scope, *, name: str | None = None, region: str | None = None,
                  limit: int = 200) -> list[dict]:
    """Bodies by partial name, in scope and region, with their number of reports."""
    b = BodyRow
    n_reports = select(func.count()).where(ReportRow.body_id == b.id).scalar_subquery()
    q = select(b.id, b.portal_id, b.name, b.kind, b.region_path, b.configured, n_reports).where(
        _in_scope(b.portal_id, scope), _region_filter(b.region_path, region))
    if name:
        q = q.where(b.name.contains(name.strip(), autoescape=True))
    keys = ("id", "portal", "body", "body_kind", "region", "configured", "reports")
    return [dict(zip(keys, row, strict=True)) for row in session.exec(q.order_by(b.region_path, b.name).limit(limit)).all()]


def body(session: Session, scope: Scope, body_id: int) -> BodyRow | None:
    row = session.get(BodyRow, body_id)
    return row if row is not None and portal_visible(scope, row.portal_id) else None


def body_reports(session: Session, body_id: int) -> list[ReportRow]:
    return list(session.exec(select(ReportRow).where(ReportRow.body_id == body_id).order_by(ReportRow.year.desc())).all())


def report(session: Session, scope: Scope, report_id: int) -> ReportRow | None:
    row = session.get(ReportRow, report_id)
    return row if row is not None and portal_visible(scope, row.portal_id) else None


def document(session: Session, report: ReportRow) -> DocumentRow | None:
    return session.get(DocumentRow, report.document_id) if report.document_id else None


def portal(session: Session, portal_id: str | None) -> PortalRow | None:
    return session.get(PortalRow, portal_id) if portal_id else None


# --- findings ----------------------------------------------------------------------------------------------------------
FINDING_KEYS = ("id", "portal", "body_id", "body", "region", "year", "report_id", "rule", "severity", "uncertain",
                "section", "location", "expected", "observed", "message", "evidence", "cells", "status", "url",
                "first_seen", "waived_by", "waived_reason", "verdict", "verdict_by", "verdict_reason", "verdict_at")


def findings(session: Session, scope: Scope, *, year: int | None = None, region: str | None = None,
             body: str | None = None, body_id: int | None = None, report_id: int | None = None,
             rule: str | None = None, severity: str | None = None, status: str | None = None,
             verdict: str | None = None, certain: bool | None = None, limit: int = 200, offset: int = 0,
             ids: list[int] | None = None) -> list[dict]:
    """Findings in scope with their report's body and region and the reviewer's verdict (verdict "none": open and
    not reviewed yet)."""
    f, b, v = FindingRow, BodyRow, FindingReviewRow
    q = (select(f.id, f.portal_id, f.body_id, b.name, b.region_path, f.year, f.report_id, f.rule, f.severity,
                f.uncertain, f.section, f.location, f.expected, f.observed, f.message, f.evidence, f.cells, f.status,
                f.url, f.first_seen, f.waived_by, f.waived_reason, v.verdict, v.by, v.reason, v.at)
         .join(b, b.id == f.body_id).join(v, v.finding_id == f.id, isouter=True)
         .where(_in_scope(f.portal_id, scope)))
    if region:
        q = q.where(f.portal_id.in_(_portals_under(region)))
    for col, value in ((f.year, year), (f.body_id, body_id), (f.report_id, report_id), (f.severity, severity),
                       (f.status, status)):
        if value is not None and value != "":
            q = q.where(col == value)
    if rule:
        q = q.where(or_(f.rule == rule.upper(), f.rule.startswith(rule.upper().rstrip("-") + "-")))
    if body:
        q = q.where(b.name.contains(body.strip(), autoescape=True))
    if verdict == "none":  # still to review: open, neither confirmed, dismissed nor waived
        q = q.where(v.verdict.is_(None), f.status == "open")
    elif verdict:
        q = q.where(v.verdict == verdict)
    if certain is not None:
        q = q.where(f.uncertain.is_(not certain))
    if ids is not None:
        q = q.where(f.id.in_(ids or [0]))
    # newest first along the index (year, id): a page of a long list never sorts the whole list
    q = q.order_by(f.year.desc(), f.id.desc()).offset(offset).limit(limit)
    return [dict(zip(FINDING_KEYS, row, strict=True)) for row in session.connection().execute(q)]


def report_findings(session: Session, report: ReportRow) -> list[dict]:
    """The findings of one report, and the publication findings of its body and year kept without a report."""
    rows = findings(session, None, report_id=report.id, limit=MAX_ROWS)
    rows += [r for r in findings(session, None, body_id=report.body_id, year=report.year, limit=1000)
             if r["report_id"] is None and r["rule"] == Changed.id]
    order = {severity: -severity_rank(severity) for severity in SEVERITIES}   # error first
    return sorted(rows, key=lambda r: (order.get(r["severity"], 3), r["rule"], r["id"]))


def finding_scope(session: Session, scope: Scope, finding_id: int) -> FindingRow | None:
    row = session.get(FindingRow, finding_id)
    return row if row is not None and portal_visible(scope, row.portal_id) else None


def history(session: Session, finding_ids: list[int]) -> dict[int, list[dict]]:
    """finding id -> its review actions, oldest first."""
    out: dict[int, list[dict]] = defaultdict(list)
    if not finding_ids:
        return out
    a = ReviewActionRow
    for fid, action, by, reason, at in session.exec(
            select(a.finding_id, a.action, a.by, a.reason, a.at).where(a.finding_id.in_(finding_ids))
            .order_by(a.at, a.id)).all():
        out[fid].append({"action": action, "by": by, "reason": reason, "at": at})
    return out


def missing(session: Session, scope: Scope, year: int, as_of: date, settings: StorageSettings | None = None,
            region: str | None = None) -> list[dict]:
    """The expected bodies without a report for `year` once their deadline passed (storage.missing.missing), in
    scope and region."""
    region = (region or "").strip("/")
    few = sorted(portals(session, scope, region)) if scope is not None or region else None
    if few is not None and len(few) <= 50:
        rows = [r for p in few for r in all_missing(session, year, as_of, settings, portal=p)]
    else:
        rows = all_missing(session, year, as_of, settings)
    return [r for r in rows if portal_visible(scope, r["portal"])
            and (not region or (r.get("region") or "") == region or (r.get("region") or "").startswith(region + "/"))]


def region_names(session: Session, scope: Scope) -> list[str]:
    """Every city and county path in scope (for the filter), sorted."""
    out = set()
    for path in session.exec(select(PortalRow.region_path).where(_in_scope(PortalRow.id, scope))).all():
        parts = (path or "").split("/")
        out.update("/".join(parts[:n]) for n in (2, 3) if len(parts) >= n)
    return sorted(out)
