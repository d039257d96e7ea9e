"""Benchmark of the review desk: page response times with a large audit database, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_desk.py                 # 200,000 reports into SQLite and into PostgreSQL
    .venv/bin/python bench/bench_desk.py --quick         # 2,000 reports: checks that it runs
    .venv/bin/python bench/bench_desk.py --no-postgres   # SQLite only

Loads the generated database of bench/bench_storage.py (its bulk loader: portals of 20 bodies, one report per body
and year 2019-2023, about 2.3 findings a report), then serves the desk with uvicorn on a loopback port and times the
main pages over real HTTP as an administrator and as a reviewer of one province: median of 5 requests after one
warm-up.  Target: every page < 300 ms.  Prints the figures per backend and the PostgreSQL / SQLite ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

TARGET_MS = 300
PASSWORD = "bench password"


def load(url: str, n: int) -> tuple[float, dict]:
    from bench_storage import bulk_load, generate

    from storage.db import connect
    engine = connect(url)
    portals, bodies, reports, findings = generate(n)
    secs = bulk_load(engine, portals, bodies, reports, findings)
    from desk_helpers import add_user
    add_user(url, "admin", "admin", password=PASSWORD)
    add_user(url, "province", "reviewer", regions=[portals[0]["province"]], password=PASSWORD)
    mid = bodies[len(bodies) // 2]
    sample = {"province": portals[0]["province"], "city": "/".join(portals[0]["region_path"].split("/")[:2]),
              "county": portals[0]["region_path"], "body_id": mid["id"], "body_part": mid["name"][-8:-4],
              "report_id": next(r["id"] for r in reports if r["body_id"] == mid["id"] and r["year"] == 2023)}
    return secs, {"reports": len(reports), "findings": len(findings), **sample}


def pages(s: dict) -> list[tuple[str, str]]:
    return [
        ("overview", "/overview"),
        ("overview province", f"/overview?region={s['province']}"),
        ("overview city", f"/overview?region={s['city']}"),
        ("overview county (bodies)", f"/overview?region={s['county']}&year=2023"),
        ("reports of a year", "/reports?year=2023"),
        ("reports, partial name", f"/reports?body={s['body_part']}"),
        ("findings of a year", "/findings?year=2023"),
        ("findings, rule + severity", "/findings?year=2023&rule=T3&severity=error"),
        ("findings to review", "/findings?verdict=none&certain=1"),
        ("missing reports", "/missing?year=2023"),
        ("body search", f"/bodies?q={s['body_part']}"),
        ("body page", f"/bodies/{s['body_id']}"),
        ("report page", f"/reports/{s['report_id']}"),
        ("api findings (1,000)", "/api/findings?year=2023&limit=1000"),
    ]


def measure(base: str, name: str, paths: list[tuple[str, str]], runs: int = 5) -> dict[str, float]:
    import httpx
    from desk_helpers import login
    client: httpx.Client = login(base, name, PASSWORD)
    out = {}
    for label, path in paths:
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200
        out[label] = statistics.median(times)
    return out


def run(url: str, n: int, label: str) -> dict:
    from desk_helpers import serve
    secs, s = load(url, n)
    result = {"backend": label, "reports": s["reports"], "findings": s["findings"], "load_s": round(secs, 1)}
    with serve(url) as base:
        for label_, ms in measure(base, "admin", pages(s)).items():
            result[label_] = round(ms, 1)
        reviewer = [p for p in pages(s) if p[0] in ("overview", "findings of a year", "reports of a year")]
        for label_, ms in measure(base, "province", reviewer).items():
            result[f"{label_} (reviewer of a province)"] = round(ms, 1)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reports", type=int, default=200_000)
    ap.add_argument("--quick", action="store_true", help="2,000 reports: check that the benchmark runs")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    ap.add_argument("--pg", default="host=127.0.0.1 port=5432 dbname=test user=postgres")
    args = ap.parse_args()
    n = 2000 if args.quick else args.reports
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run(f"sqlite:///{Path(tmp) / 'desk.db'}", n, "sqlite"))
        if not args.no_postgres:
            import psycopg
            schema = f"bench_desk_{os.getpid()}"
            conn = psycopg.connect(args.pg, autocommit=True)
            conn.execute(f'CREATE SCHEMA "{schema}"')
            try:
                p = psycopg.conninfo.conninfo_to_dict(args.pg)
                url = (f"postgresql+psycopg://{p.get('user', 'postgres')}@{p.get('host', '127.0.0.1')}:"
                       f"{p.get('port', 5432)}/{p.get('dbname', 'test')}?options=-csearch_path%3D{schema}")
                results.append(run(url, n, "postgresql"))
                from storage.db import dispose
                dispose()
            finally:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
                conn.close()
    report(results)


def report(results: list[dict]) -> None:
    keys = list(results[0])
    width = max(len(k) for k in keys)
    head = "  ".join(f"{r['backend']:>12}" for r in results) + ("    pg/sqlite" if len(results) > 1 else "")
    print(f"{'ms per page':{width}}  {head}")
    slow = []
    for k in keys[1:]:
        cells = "  ".join(f"{r[k]!s:>12}" for r in results)
        ratio = f"  {results[1][k] / results[0][k]:>11.2f}" if len(results) > 1 and results[0][k] else ""
        print(f"{k:{width}}  {cells}{ratio}")
        if k not in ("reports", "findings", "load_s"):
            slow += [(r["backend"], k, r[k]) for r in results if r[k] >= TARGET_MS]
    pages_ = [r[k] for r in results for k in keys[4:]]
    print(f"\nslowest page {max(pages_):.0f} ms; target < {TARGET_MS} ms: "
          + ("met" if not slow else "missed by " + "; ".join(f"{b} {k} {v:.0f} ms" for b, k, v in slow)))


if __name__ == "__main__":
    main()
