"""Reads of the audit database: the queries of INTERFACE.md (reports, findings, missing, compliance) plus one body
across the years and trends.  Every function returns a list of plain dicts (JSON-ready: dates as ISO strings)."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, select

from auditor.rules import load_all
from auditor.rules.publication import Missing
from storage.deadlines import StorageSettings, deadline_for, infer_kind
from storage.grouping import GROUPINGS, LEVELS, fold
from storage.missing import missing, missing_decision, overdue_bodies, overdue_counts
from storage.models import BodyRow, CrawlRow, FindingRow, ReportRow, ReportTallyRow

FAMILIES = frozenset(rule_id.split("-")[0] for rule_id in load_all())   # PUB, T3, X, …: the catalogue's families


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (date, datetime)) else v


# --- crawls -------------------------------------------------------------------------------------------------------
def last_crawl_ok(session: Session, portal_id: str) -> bool:
    """True when the portal's last crawl succeeded and was complete (the condition for PUB-MISSING)."""
    row = session.exec(select(CrawlRow).where(CrawlRow.portal_id == portal_id)
                       .order_by(CrawlRow.finished.desc(), CrawlRow.id.desc()).limit(1)).first()
    return bool(row and row.ok and row.complete)


def failed_crawls(session: Session, portal_id: str) -> int:
    """How many of the portal's latest crawls failed in a row (operations digest): decided in storage.digest_queries."""
    from storage import digest_queries
    return digest_queries.failed_crawls(session, portal_id)


# --- reports ------------------------------------------------------------------------------------------------------
def reports(session: Session, *, year: int | None = None, portal: str | None = None, body: str | None = None,
            limit: int | None = None) -> list[dict]:
    q = select(ReportRow)
    if year is not None:
        q = q.where(ReportRow.year == year)
    if portal:
        q = q.where(ReportRow.portal_id == portal)
    if body:
        q = q.where(ReportRow.body_name == body)
    q = q.order_by(ReportRow.portal_id, ReportRow.body_name, ReportRow.year)
    if limit:
        q = q.limit(limit)
    return [{
        "portal": r.portal_id or None, "body": r.body_name, "body_kind": r.body_kind, "year": r.year,
        "url": r.document_url or r.source, "published": _iso(r.published), "published_source": r.published_source,
        "deadline": _iso(r.deadline), "errors": r.errors, "warnings": r.warnings,
        "on_time": r.on_time, "complete": r.complete, "consistent": r.consistent, "id": r.id,
        "audited_at": _iso(r.audited_at), "ruleset_version": r.ruleset_version,
    } for r in session.exec(q).all()]


# --- findings -----------------------------------------------------------------------------------------------------
def _rule_filter(rule: str | list[str]):
    rules = [rule] if isinstance(rule, str) else list(rule)
    conds = []
    for r in rules:
        r = r.strip().upper().rstrip("*")
        if not r:
            continue
        if r.count("-") >= 1 and not r.endswith("-"):
            conds.append(FindingRow.rule == r)  # a full id (X-CARRY, PUB-DATE-UNKNOWN): an index lookup
            if r.count("-") == 1 and r.split("-")[0] in FAMILIES:
                conds.append(and_(FindingRow.rule >= r + "-", FindingRow.rule < r + "."))
        else:  # a family prefix (T3, PUB-): a range on the index
            p = r.rstrip("-") + "-"
            conds.append(and_(FindingRow.rule >= p, FindingRow.rule < p[:-1] + "."))
    return or_(*conds)


def findings(session: Session, *, year: int | None = None, portal: str | None = None, body: str | None = None,
             rule: str | list[str] | None = None, severity: str | None = None, status: str | None = None,
             ids: list[int] | None = None, limit: int | None = None) -> list[dict]:
    """One row per finding (INTERFACE.md) plus id, fingerprint, waiver and report fields."""
    session.flush()
    f = FindingRow
    cols = (f.portal_id, BodyRow.name, f.year, f.url, f.rule, f.severity, f.section, f.location, f.expected,
            f.observed, f.message, f.evidence, f.status, f.first_seen, f.last_seen, f.id, f.fingerprint, BodyRow.kind,
            f.report_id, f.resolved_at, f.waived_by, f.waived_reason, f.waived_at)
    q = select(*cols).join(BodyRow, BodyRow.id == f.body_id)  # plain columns: no ORM objects to build
    if year is not None:
        q = q.where(f.year == year)
    if portal:
        q = q.where(f.portal_id == portal)
    if body:
        q = q.where(BodyRow.name == body)
    if rule:
        q = q.where(_rule_filter(rule))
    if severity:
        q = q.where(f.severity == severity)
    if status:
        q = q.where(f.status == status)
    if ids is not None:
        q = q.where(f.id.in_(ids))
    q = q.order_by(f.portal_id, BodyRow.name, f.year, f.id)
    if limit:
        q = q.limit(limit)
    keys = ("portal", "body", "year", "url", "rule", "severity", "section", "location", "expected", "observed",
            "message", "evidence", "status", "first_seen", "last_seen", "id", "fingerprint", "body_kind", "report_id",
            "resolved_at", "waived_by", "waived_reason", "waived_at")
    out = []
    for row in session.connection().execute(q):
        d = dict(zip(keys, row, strict=True))
        d["portal"] = d["portal"] or None
        for k in ("first_seen", "last_seen", "resolved_at", "waived_at"):
            d[k] = _iso(d[k])
        out.append(d)
    return out


# --- grouping helpers ---------------------------------------------------------------------------------------------
def _group_col(model, by: str):
    if by == "region":
        return model.region_path
    if by == "portal":
        return model.portal_id
    if by == "body_kind":
        return model.body_kind if model is ReportRow else model.kind
    raise ValueError(f"分组方式应为 {'/'.join(GROUPINGS)}，而不是 {by!r}")


def _scope(by: str, level: str | None) -> str:
    return (level or "county") if by == "region" else by


def _report_counts(session: Session, scope: str, year: int | None):
    """(group, year, reports, on_time, complete, consistent, no_error, top_rules) from report_tally."""
    session.flush()
    t = ReportTallyRow
    q = select(t.key, t.year, t.reports, t.on_time, t.complete, t.consistent, t.no_error, t.top_rules).where(
        t.scope == scope, t.reports > 0)
    if year is not None:
        q = q.where(t.year == year)
    return session.connection().execute(q).fetchall()


# --- compliance -----------------------------------------------------------------------------------------------------
def compliance(session: Session, *, by: str = "region", year: int | None = None, as_of: date | None = None,
               settings: StorageSettings | None = None, level: str | None = None) -> list[dict]:
    """Per group and year: bodies expected, published, published on time, with no open error finding, overdue."""
    if by not in GROUPINGS:
        raise ValueError(f"分组方式应为 {'/'.join(GROUPINGS)}，而不是 {by!r}")
    as_of = as_of or date.today()
    if by == "region" and not level:
        level = "county"
    # (group, year) -> [unconfigured published, published, on time, no error]
    stats: dict[tuple[str, int], list[int]] = {
        (g, y): [0, n, on_time, no_error] for g, y, n, on_time, _, _, no_error, _ in
        _report_counts(session, _scope(by, level), year)}
    years: set[int] = {y for _, y in stats} | ({year} if year is not None else set())
    # bodies not configured that published anyway count as expected too (usually few)
    bgcol = _group_col(BodyRow, by)  # the body's columns: SQLite then starts from the (few) unconfigured bodies
    uq = (select(bgcol, ReportRow.year, func.count()).select_from(BodyRow)
          .join(ReportRow, ReportRow.body_id == BodyRow.id).where(BodyRow.configured.is_(False))
          .group_by(bgcol, ReportRow.year))
    if year is not None:
        uq = uq.where(ReportRow.year == year)
    for g, y, n in session.exec(uq).all():
        stats.setdefault((fold(g, by, level), y), [0, 0, 0, 0])[0] += n
    configured: dict[str, int] = defaultdict(int)
    for g, n in session.exec(select(bgcol, func.count()).where(BodyRow.configured.is_(True)).group_by(bgcol)).all():
        configured[fold(g, by, level)] += n
    # overdue: the bodies missing_decision calls missing (the PUB-MISSING of `run`, the rows of `query missing`)
    overdue = overdue_counts(session, years, as_of, settings, by, level, totals=stats, configured=configured)
    for g in configured:
        for y in years:
            stats.setdefault((g, y), [0, 0, 0, 0])
    out = []
    for (g, y) in sorted(stats, key=lambda k: (k[0] or "", k[1])):
        unconf, published, on_time, no_error = stats[(g, y)]
        conf = configured.get(g, 0)
        expected = conf + unconf
        late = max(0, overdue.get((g, y), 0))
        out.append({by: g or None, "year": y, "expected": expected, "published": published, "on_time": on_time,
                    "no_error": no_error, "overdue": late,
                    "share_published": round(published / expected, 4) if expected else None,
                    "share_on_time": round(on_time / expected, 4) if expected else None})
    return out


def _share(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


# --- one body across the years --------------------------------------------------------------------------------------
def body_history(session: Session, name: str, *, portal: str | None = None) -> list[dict]:
    """Every stored report of the body (exact name, else a unique partial match), year by year, with its open rules
    and the carry-over of table 三 next to last year's carried-forward."""
    q = select(BodyRow).where(BodyRow.name == name)
    if portal:
        q = q.where(BodyRow.portal_id == portal)
    bodies = session.exec(q).all()
    if not bodies:
        q = select(BodyRow).where(BodyRow.name.contains(name))
        if portal:
            q = q.where(BodyRow.portal_id == portal)
        bodies = session.exec(q.limit(20)).all()
    ids = [b.id for b in bodies]
    if not ids:
        return []
    reports_ = session.exec(select(ReportRow).where(ReportRow.body_id.in_(ids))
                            .order_by(ReportRow.body_id, ReportRow.year)).all()
    rules: dict[int, Counter] = defaultdict(Counter)
    missing_years: dict[tuple[int, int], bool] = {}
    for body_id, report_id, year, rule_id in session.exec(
            select(FindingRow.body_id, FindingRow.report_id, FindingRow.year, FindingRow.rule)
            .where(FindingRow.body_id.in_(ids), FindingRow.status == "open")).all():
        if report_id is not None:
            rules[report_id][rule_id] += 1
        elif rule_id == Missing.id and year is not None:
            missing_years[(body_id, year)] = True
    by_body = {b.id: b for b in bodies}
    out = []
    prev_carry: dict[int, tuple[int, Any]] = {}
    for r in reports_:
        t3 = (r.values or {}).get("三") or {}
        carry_in = (t3.get("carry_over") or {}).get("total")
        carry_out = (t3.get("carried_forward") or {}).get("total")
        last = prev_carry.get(r.body_id)
        out.append({
            "portal": r.portal_id or None, "body": r.body_name, "body_kind": r.body_kind, "year": r.year,
            "published": _iso(r.published), "deadline": _iso(r.deadline), "on_time": r.on_time,
            "complete": r.complete, "consistent": r.consistent, "errors": r.errors, "warnings": r.warnings,
            "rules": ",".join(sorted(rules.get(r.id, {}))), "carry_over": carry_in,
            "last_year_carried_forward": last[1] if last and last[0] == r.year - 1 else None,
            "url": r.document_url or r.source,
        })
        prev_carry[r.body_id] = (r.year, carry_out)
    for (body_id, year), _ in sorted(missing_years.items()):
        b = by_body[body_id]
        out.append({"portal": b.portal_id or None, "body": b.name, "body_kind": b.kind, "year": year,
                    "published": None, "deadline": None, "on_time": False, "complete": None, "consistent": None,
                    "errors": 1, "warnings": 0, "rules": Missing.id, "carry_over": None,
                    "last_year_carried_forward": None, "url": None})
    out.sort(key=lambda row: (row["portal"] or "", row["body"], row["year"]))
    return out


# --- trends ---------------------------------------------------------------------------------------------------------
def trend(session: Session, *, by: str = "region", year: int | None = None, level: str | None = "province",
          top: int = 3) -> list[dict]:
    """Per year and group: reports, share on time, share complete, share consistent, the most frequent open rules."""
    if by not in GROUPINGS:
        raise ValueError(f"分组方式应为 {'/'.join(GROUPINGS)}，而不是 {by!r}")
    if by == "region" and not level:
        level = "county"
    # the most frequent open rules of each group are kept in report_tally.top_rules on every status change
    stats: dict[tuple[str, int], list[int]] = {}
    rule_counts: dict[tuple[str, int], list] = {}
    for g, y, n, on_time, complete, consistent, _, top_json in _report_counts(session, _scope(by, level), year):
        stats[(g, y)] = [n, on_time, complete, consistent]
        rule_counts[(g, y)] = json.loads(top_json or "[]")[:top]
    out = []
    for (g, y) in sorted(stats, key=lambda k: (k[1], k[0] or "")):
        n, on_time, complete, consistent = stats[(g, y)]
        common = rule_counts.get((g, y), [])
        out.append({"year": y, by: g or None, "reports": n, "share_on_time": _share(on_time, n),
                    "share_complete": _share(complete, n), "share_consistent": _share(consistent, n),
                    "top_rules": ", ".join(f"{r}×{c}" for r, c in common)})
    return out


__all__ = ["GROUPINGS", "LEVELS", "body_history", "compliance", "deadline_for", "failed_crawls", "findings",
           "infer_kind", "last_crawl_ok", "missing", "missing_decision", "overdue_bodies", "reports", "trend"]
