"""The running tallies behind the counted queries: rule_tally (open findings per group, year and rule) and
report_tally (reports and their flags per group and year, with the group's most frequent open rules).  Kept up to
date by atomic increments as findings open and close and as reports change, so concurrent writers never lose a
count; rebuild_tally() recounts them from scratch (after a body changed region or kind; after a bulk load).
"""
from __future__ import annotations

from sqlalchemy import and_, or_, update
from sqlmodel import Session, select

from storage.migrations.tally import keys, rebuild_reports, rebuild_rules, top_rules
from storage.models import BodyRow, FindingRow, ReportRow, ReportTallyRow, RuleTallyRow
from storage.rows import insert_for

# what a report contributes to report_tally: (its groups, its year, its flags)
ReportState = tuple[tuple[tuple[str, str], ...], int, tuple[int, int, int, int, int]]


def tally_keys(portal_id: str | None, region: str | None, body_kind: str | None) -> list[tuple[str, str]]:
    return keys(portal_id, region, body_kind)


def report_state(report: ReportRow) -> ReportState | None:
    """What a report contributes to report_tally: its groups and its flags."""
    if report.id is None or report.ruleset_version is None and report.audited_at is None:
        return None
    return (tuple(tally_keys(report.portal_id, report.region_path, report.body_kind)), report.year,
            (1, int(report.on_time is True), int(bool(report.complete)), int(bool(report.consistent)),
             int(report.errors == 0)))


def tally_report(session: Session, old: ReportState | None, new: ReportState | None) -> None:
    """Move a report's contribution in report_tally from `old` to `new` (atomic increments)."""
    if old == new:
        return
    deltas: dict[tuple[str, str, int], list[int]] = {}
    for state, sign in ((old, -1), (new, 1)):
        if state is None:
            continue
        keys_, year, flags = state
        for scope, key in keys_:
            d = deltas.setdefault((scope, key, year), [0] * 5)
            for i, v in enumerate(flags):
                d[i] += sign * v
    rows = [dict(scope=k[0], key=k[1], year=k[2], reports=d[0], on_time=d[1], complete=d[2], consistent=d[3],
                 no_error=d[4]) for k, d in sorted(deltas.items()) if any(d)]
    if not rows:
        return
    table = ReportTallyRow.__table__
    ins = insert_for(session)(table).values(rows)
    cols = ("reports", "on_time", "complete", "consistent", "no_error")
    session.connection().execute(ins.on_conflict_do_update(
        index_elements=["scope", "key", "year"], set_={c: table.c[c] + ins.excluded[c] for c in cols}))


def tally(session: Session, body: BodyRow, *, year: int | None, rule: str, delta: int) -> None:
    """Count a finding of `body` opening (+1) or closing (-1) in rule_tally, in every scope (atomic upserts: safe
    with concurrent writers)."""
    tally_many(session, body, [(year, rule, delta)])


def tally_many(session: Session, body: BodyRow, changes: list[tuple[int | None, str, int]]) -> None:
    """Several (year, rule, delta) changes of one body's findings in one statement."""
    sums: dict[tuple[str, str, int, str], int] = {}
    for year, rule, delta in changes:
        if year is None or not delta:
            continue
        for scope, key in tally_keys(body.portal_id, body.region_path, body.kind):
            k = (scope, key, year, rule)
            sums[k] = sums.get(k, 0) + delta
    rows = [dict(scope=k[0], key=k[1], year=k[2], rule=k[3], open=n) for k, n in sorted(sums.items()) if n]
    if not rows:
        return
    table = RuleTallyRow.__table__
    ins = insert_for(session)(table).values(rows)  # sorted: concurrent writers lock rows in the same order
    conn = session.connection()
    conn.execute(ins.on_conflict_do_update(index_elements=["scope", "key", "year", "rule"],
                                           set_={"open": table.c.open + ins.excluded.open}))
    # the groups' top rules in report_tally: lock each group's row first (upsert), then recount from rule_tally,
    # so that of two concurrent writers the last one sees the other's committed counts
    groups = sorted({(r["scope"], r["key"], r["year"]) for r in rows})
    rt = ReportTallyRow.__table__
    lock = insert_for(session)(rt).values([dict(scope=g[0], key=g[1], year=g[2], reports=0, on_time=0, complete=0,
                                                consistent=0, no_error=0, top_rules="[]") for g in groups])
    conn.execute(lock.on_conflict_do_update(index_elements=["scope", "key", "year"],
                                            set_={"reports": rt.c.reports}))
    counts: dict[tuple, list] = {g: [] for g in groups}
    # OR of equalities, not a row-value IN: SQLite then looks each group up in the primary key
    which = or_(*(and_(table.c.scope == g[0], table.c.key == g[1], table.c.year == g[2]) for g in groups))
    for scope, key, year, rule, n in conn.execute(
            select(table.c.scope, table.c.key, table.c.year, table.c.rule, table.c.open)
            .where(which, table.c.open > 0)):
        counts[(scope, key, year)].append((rule, n))
    for g in groups:
        conn.execute(update(rt).where(rt.c.scope == g[0], rt.c.key == g[1], rt.c.year == g[2])
                     .values(top_rules=top_rules(counts[g])))


def tally_row(session: Session, row: FindingRow, delta: int) -> None:
    """Count one stored finding opening (+1) or closing (-1)."""
    body = session.get(BodyRow, row.body_id)
    if body is not None:
        tally(session, body, year=row.year, rule=row.rule, delta=delta)


def rebuild_tally(session: Session, reports: bool = False) -> None:
    """Recount rule_tally (and report_tally) from the findings and reports (after a body changed region or kind;
    after a bulk load)."""
    session.flush()
    rebuild_rules(session.connection())
    if reports:
        rebuild_reports(session.connection())
