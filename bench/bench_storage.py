"""Benchmark of the audit database: bulk loading and query latency on a generated database.

    .venv/bin/python bench/bench_storage.py --reports 200000            # SQLite (a temporary file)
    .venv/bin/python bench/bench_storage.py --reports 200000 --postgres  # and PostgreSQL (127.0.0.1:5432, db test)
    .venv/bin/python bench/bench_storage.py --quick                      # 2,000 reports: checks that it runs

Generates portals (counties) with 20 bodies each, one report per body and year (2019-2023), about 2.3 findings per
report with a realistic skew of rules, and loads them in batches of 5,000 with storage.repository.bulk_insert (COPY on
PostgreSQL, executemany on SQLite), then counts rule_tally and runs ANALYZE (both included in the loading time).  Then times, median of 5 runs each: `query compliance --by region`, `query trend`,
`query body NAME` and `query findings --rule X-CARRY`, through the same functions the command line calls.
It also times the per-report path (`ogiaudit.pipeline.save_results`: upserts by fingerprint, one transaction per
report) on a small sample, since that is what `audit --save` and `audit --pending` use.
Targets: loading >= 2,000 reports/s; each query < 200 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402

from auditor.findings import SEVERITIES  # noqa: E402
from auditor.rules import load_all  # noqa: E402
from storage.repository import COMPLETENESS_RULES, CONSISTENCY_PREFIXES, ERROR, WARNING  # noqa: E402

YEARS = (2019, 2020, 2021, 2022, 2023)
BODIES_PER_PORTAL = 20
# a realistic skew of rules (share of reports with a finding of each); ids and severities from the catalogue
SKEW = {"PUB-LATE": 0.25, "TBL-CELL": 0.30, "SEC-HEADING": 0.35, "TXT-SUM": 0.15, "T3-BAL": 0.08, "T3-TOTAL": 0.06,
        "CNT-FEE": 0.20, "PUB-DATE-UNKNOWN": 0.15, "TBL-LABEL": 0.40, "SEC-MISSING": 0.03, "X-CARRY": 0.02,
        "X-REUSE": 0.05, "TXT-TABLE": 0.05, "T4-SUM": 0.01, "DOC-TITLE": 0.20}
RULES = [(rule_id, load_all()[rule_id].severity, share) for rule_id, share in SKEW.items()]
PROVINCES = ["甘肃省", "宁夏回族自治区", "山西省", "四川省", "山东省", "河南省", "湖北省", "广东省", "云南省", "江苏省"]
KINDS = ["township"] * 12 + ["department"] * 7 + ["government"]


def generate(n_reports: int, seed: int = 7):
    rnd = random.Random(seed)
    n_bodies = max(1, n_reports // len(YEARS))
    n_portals = max(1, n_bodies // BODIES_PER_PORTAL)
    now = datetime(2024, 4, 1)
    portals, bodies = [], []
    for p in range(n_portals):
        prov = PROVINCES[p % len(PROVINCES)]
        region = [prov, f"{prov[:2]}第{p % 37 + 1}市", f"第{p}县"]
        portals.append(dict(id=f"p{p}", name=f"{region[2]}人民政府", region_path="/".join(region), province=region[0],
                            city=region[1], county=region[2], start_urls=[f"http://p{p}.example.gov.cn/"],
                            supervisor=[f"zwgk{p}@example.gov.cn"], township_deadline="01-31", updated_at=now))
    for b in range(n_bodies):
        p = portals[b % n_portals]
        kind = KINDS[b % len(KINDS)]
        suffix = {"township": "镇人民政府", "department": "局", "government": "人民政府"}[kind]
        bodies.append(dict(id=b + 1, portal_id=p["id"], name=f"{p['county']}第{b}{suffix}", kind=kind, configured=True,
                           region_path=p["region_path"], created_at=now))
    reports, findings = [], []
    rid = fid = 0
    for year in YEARS:
        for body in bodies:
            if len(reports) >= n_reports:
                break
            rid += 1
            deadline = date(year + 1, 3, 31) if body["kind"] == "government" else date(year + 1, 1, 31)
            published = deadline + timedelta(days=rnd.randint(-40, 20))
            rules = [(r, s) for r, s, p in RULES if rnd.random() < p]
            errors = sum(1 for _, s in rules if s == ERROR)
            warnings = sum(1 for _, s in rules if s == WARNING)
            reports.append(dict(id=rid, body_id=body["id"], year=year, portal_id=body["portal_id"],
                                region_path=body["region_path"], body_name=body["name"], body_kind=body["kind"],
                                document_url=f"http://{body['portal_id']}.example.gov.cn/{rid}.html",
                                source=None, title=f"{body['name']}{year}年政府信息公开工作年度报告", format="html",
                                ocr=False, published=published, published_source="portal", deadline=deadline,
                                on_time=published <= deadline,
                                complete=not any(r in COMPLETENESS_RULES for r, _ in rules),
                                consistent=not any(r.startswith(CONSISTENCY_PREFIXES) and s == ERROR
                                                   for r, s in rules),
                                errors=errors, warnings=warnings, infos=len(rules) - errors - warnings,
                                values={"三": {"carry_over": {"total": rnd.randint(0, 3)},
                                              "carried_forward": {"total": rnd.randint(0, 3)}}},
                                ruleset_version="bench", audited_at=now))
            for r, s in rules:
                fid += 1
                findings.append(dict(id=fid, body_id=body["id"], report_id=rid, portal_id=body["portal_id"], year=year,
                                     url=reports[-1]["document_url"], rule=r, severity=s, section="三",
                                     loc_table="三", loc_row="一、本年新收政府信息公开申请数量", loc_column="总计",
                                     message=f"{r} 的说明", evidence="证据", uncertain=False,
                                     fingerprint=uuid.UUID(int=rnd.getrandbits(128)).hex[:24],
                                     first_seen=now, last_seen=now, status="open"))
    return portals, bodies, reports, findings


def bulk_load(engine, portals, bodies, reports, findings, batch: int = 5000) -> float:
    from datetime import datetime

    from storage.models import BodyRow, CrawlRow, FindingRow, PortalRow, ReportRow
    from storage.repository import bulk_insert
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(PortalRow.__table__), portals)
        # every portal crawled completely after the last season: compliance counts its missing bodies as overdue
        conn.execute(insert(CrawlRow.__table__), [
            dict(portal_id=p["id"], started=datetime(2024, 5, 1), finished=datetime(2024, 5, 1, 1), ok=True,
                 complete=True, errors=[], pages=10, documents=10) for p in portals])
        for i in range(0, len(bodies), batch):
            bulk_insert(conn, BodyRow, bodies[i:i + batch])
    ri = fi = 0
    while ri < len(reports):
        chunk = reports[ri:ri + batch]
        last_id = chunk[-1]["id"]
        fj = fi
        while fj < len(findings) and findings[fj]["report_id"] <= last_id:
            fj += 1
        with engine.begin() as conn:  # one transaction per batch: a crash loses at most one batch, never half
            bulk_insert(conn, ReportRow, chunk)
            bulk_insert(conn, FindingRow, findings[fi:fj])
        ri, fi = ri + batch, fj
    with engine.begin() as conn:  # the tallies trend and compliance read (the repository keeps them up to date)
        from storage.migrations.tally import rebuild
        rebuild(conn)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("body", "report", "finding"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return time.perf_counter() - t0


def timed(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def per_report_rate(url: str, n: int) -> float:
    """Reports/s through save_results (the audit --save path) for `n` fake results."""
    from auditor.findings import Finding, Location
    from ogiaudit.pipeline import save_results
    from ogiaudit.settings import load_settings

    class R:  # the attributes save_results reads
        def __init__(self, i):
            self.body, self.year, self.body_kind = f"样本第{i}镇人民政府", 2023, "township"
            self.published, self.published_source, self.deadline = date(2024, 1, 20), "portal", date(2024, 1, 31)
            self.source, self.format, self.sha256, self.ocr = f"http://s.example/{i}", "html", None, False
            self.report = type("Rep", (), {"title": None, "sections": {}, "year": 2023, "values": lambda s: {}})()
            self.findings = [Finding(rule=r, severity=s, message="x", section="三",
                                     location=Location(table="三", column="总计")) for r, s, _ in RULES[:3]]

        def values(self):
            return {}

        def section_texts(self):
            return {}

        def counts(self):
            return dict.fromkeys(SEVERITIES, 1)

    settings = load_settings(Path("/nonexistent.toml"), database_url=url)
    results = [R(i) for i in range(n)]
    t0 = time.perf_counter()
    save_results(settings, results, [None] * n)
    return n / (time.perf_counter() - t0)


def run(url: str, n: int, label: str) -> dict:
    from storage import queries
    from storage.db import connect, session
    engine = connect(url)
    t0 = time.perf_counter()
    data = generate(n)
    gen = time.perf_counter() - t0
    portals, bodies, reports, findings = data
    secs = bulk_load(engine, *data)
    out = {"backend": label, "reports": len(reports), "findings": len(findings), "bodies": len(bodies),
           "portals": len(portals), "generate_s": round(gen, 1), "load_s": round(secs, 1),
           "reports_per_s": round(len(reports) / secs)}
    body = bodies[len(bodies) // 2]["name"]
    with session(engine, readonly=True) as s:
        out["compliance_by_region_ms"] = round(timed(lambda: queries.compliance(
            s, by="region", year=2023, as_of=date(2024, 4, 1))), 1)
        out["compliance_by_region_all_years_ms"] = round(timed(lambda: queries.compliance(
            s, by="region", as_of=date(2024, 4, 1)), runs=3), 1)
        out["trend_ms"] = round(timed(lambda: queries.trend(s)), 1)  # default: by province
        out["trend_city_ms"] = round(timed(lambda: queries.trend(s, level="city")), 1)
        out["trend_county_ms"] = round(timed(lambda: queries.trend(s, level="county"), runs=3), 1)
        out["trend_county_year_ms"] = round(timed(lambda: queries.trend(s, level="county", year=2023)), 1)
        out["body_ms"] = round(timed(lambda: queries.body_history(s, body)), 1)
        rows = queries.findings(s, rule="X-CARRY")
        out["findings_rule_rows"] = len(rows)
        out["findings_rule_ms"] = round(timed(lambda: queries.findings(s, rule="X-CARRY")), 1)
        out["findings_rule_year_ms"] = round(timed(lambda: queries.findings(s, rule="X-CARRY", year=2023)), 1)
    out["save_results_reports_per_s"] = round(per_report_rate(url, 300))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=200_000)
    ap.add_argument("--quick", action="store_true", help="2,000 reports: check that the benchmark runs")
    ap.add_argument("--database", help="a SQLite or PostgreSQL URL (default: a temporary SQLite file)")
    ap.add_argument("--postgres", action="store_true", help="also PostgreSQL on 127.0.0.1:5432, database test "
                                                             "(a temporary schema, dropped afterwards)")
    ap.add_argument("--pg", default="host=127.0.0.1 port=5432 dbname=test user=postgres")
    args = ap.parse_args()
    n = 2000 if args.quick else args.reports
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'bench.db'}"
        results.append(run(url, n, "sqlite" if url.startswith("sqlite") else "postgresql"))
        if args.postgres:
            import psycopg
            schema = f"bench_{os.getpid()}"
            conn = psycopg.connect(args.pg, autocommit=True)
            conn.execute(f'CREATE SCHEMA "{schema}"')
            try:
                p = psycopg.conninfo.conninfo_to_dict(args.pg)
                pg_url = (f"postgresql+psycopg://{p.get('user', 'postgres')}@{p.get('host', '127.0.0.1')}:"
                          f"{p.get('port', 5432)}/{p.get('dbname', 'test')}?options=-csearch_path%3D{schema}")
                results.append(run(pg_url, n, "postgresql"))
                from storage.db import dispose
                dispose()
            finally:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
                conn.close()
    keys = list(results[0])
    width = max(len(k) for k in keys)
    print(f"{'':{width}}  " + "  ".join(f"{r['backend']:>12}" for r in results))
    for k in keys[1:]:
        print(f"{k:{width}}  " + "  ".join(f"{r[k]!s:>12}" for r in results))


if __name__ == "__main__":
    main()
