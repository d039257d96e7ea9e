"""rule_tally and report_tally from the findings and reports: used by migration 0002, storage.repository.rebuild_tally and the benchmark."""
from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa


def keys(portal_id, path, kind) -> list[tuple[str, str]]:
    """The groups a report or finding counts in: province, city, county (region path cut), portal, body kind."""
    parts = (path or "").split("/")
    return [("province", "/".join(parts[:1])), ("city", "/".join(parts[:2])), ("county", "/".join(parts[:3])),
            ("portal", portal_id or ""), ("body_kind", kind or "")]


TOP = 5  # rules kept per group in report_tally.top_rules


def top_rules(counts) -> str:
    """JSON [[rule, open], …] of the most frequent rules, most first (ties by rule id)."""
    ranked = sorted(((r, n) for r, n in counts if n > 0), key=lambda rn: (-rn[1], rn[0]))[:TOP]
    return json.dumps([[r, n] for r, n in ranked])


def rebuild(conn) -> None:
    rebuild_rules(conn)
    rebuild_reports(conn)  # after the rules: it copies each group's top rules


def rebuild_reports(conn) -> None:
    """Count the reports into report_tally."""
    rows = conn.execute(sa.text("""
        SELECT year, portal_id, region_path, COALESCE(body_kind, ''), COUNT(*),
               SUM(CASE WHEN on_time THEN 1 ELSE 0 END), SUM(CASE WHEN complete THEN 1 ELSE 0 END),
               SUM(CASE WHEN consistent THEN 1 ELSE 0 END), SUM(CASE WHEN errors = 0 THEN 1 ELSE 0 END)
        FROM report GROUP BY year, portal_id, region_path, COALESCE(body_kind, '')""")).all()
    tally: dict = {}
    for year, portal_id, path, kind, *counts in rows:
        for scope, key in keys(portal_id, path, kind):
            t = tally.setdefault((scope, key, year), [0, 0, 0, 0, 0])
            for i, n in enumerate(counts):
                t[i] += int(n or 0)
    rules = defaultdict(list)
    for scope, key, year, rule, n in conn.execute(sa.text(
            "SELECT scope, key, year, rule, open FROM rule_tally WHERE open > 0")).all():
        rules[(scope, key, year)].append((rule, n))
    for k in rules:
        tally.setdefault(k, [0, 0, 0, 0, 0])
    conn.execute(sa.text("DELETE FROM report_tally"))
    items = [dict(scope=k[0], key=k[1], year=k[2], reports=v[0], on_time=v[1], complete=v[2], consistent=v[3],
                  no_error=v[4], top_rules=top_rules(rules.get(k, ()))) for k, v in tally.items()]
    for i in range(0, len(items), 5000):
        conn.execute(sa.text("INSERT INTO report_tally (scope, key, year, reports, on_time, complete, consistent, "
                             "no_error, top_rules) VALUES (:scope, :key, :year, :reports, :on_time, :complete, "
                             ":consistent, :no_error, :top_rules)"), items[i:i + 5000])


def rebuild_rules(conn) -> None:
    """Count the open findings into rule_tally (also used by bench/bench_storage.py after a bulk load)."""
    from collections import Counter
    rows = conn.execute(sa.text("""
        SELECT f.year, f.portal_id, COALESCE(b.region_path, ''), COALESCE(b.kind, ''), f.rule, COUNT(*)
        FROM finding f JOIN body b ON b.id = f.body_id
        WHERE f.status = 'open' AND f.year IS NOT NULL
        GROUP BY f.year, f.portal_id, COALESCE(b.region_path, ''), COALESCE(b.kind, ''), f.rule""")).all()
    tally = Counter()
    for year, portal_id, path, kind, rule, n in rows:
        for scope, key in keys(portal_id, path, kind):
            tally[(scope, key, year, rule)] += n
    conn.execute(sa.text("DELETE FROM rule_tally"))
    items = [dict(scope=k[0], key=k[1], year=k[2], rule=k[3], open=n) for k, n in tally.items()]
    for i in range(0, len(items), 5000):
        conn.execute(sa.text("INSERT INTO rule_tally (scope, key, year, rule, open) "
                             "VALUES (:scope, :key, :year, :rule, :open)"), items[i:i + 5000])
