"""Scale benchmark: a simulated nation on loopback (crawler/sample_portal/nation.py, one 127.x.y.z host per portal),
audited into a fresh PostgreSQL database on one worker, then on two, and an estimate of the machines the whole
country needs.

    python bench/bench_scale.py                      # 3,000 portals (about 37,000 reports)
    python bench/bench_scale.py --portals 100        # a quick check
    python bench/bench_scale.py --mode fallback      # without the distributed engine (see below)

Each run: a fresh database bench_scale_<pid>_w<N> on 127.0.0.1:5432 (dropped afterwards unless --keep), a fresh
archive, then
  queue mode    `ogiaudit run --queue` (one crawl job per portal; audit and missing-decision jobs follow), then N
                `ogiaudit worker --until-idle` processes until the queue is empty;
  fallback mode (before `ogiaudit worker` exists) N plain `ogiaudit run` processes, each on 1/N of the portals
                (sharded by portal), each into its own database (summed), one archive: shared nothing but the
                machine, since a plain `run` audits every pending document of its database.
Reported per run: portals/s, documents/s, reports audited/s, peak memory per worker (RSS of the worker and its child
processes: the crawl runs in a child), CPU seconds, database size; then the speed-up from one worker to two.

The estimate: seconds per report audited, per format, measured in this process with auditor.audit.audit_bytes on the
nation's own archived documents, plus the crawl's cost per portal (the one-worker run's CPU seconds less the audit
seconds of what it audited, per portal); OCR from the README (bench/bench_formats.py: a 6-page scan costs 15.6 CPU s).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BIN = Path(sys.executable).parent
OGIAUDIT = [sys.executable, "-m", "ogiaudit"]
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"

# the whole country (issue 13)
COUNTRY_PORTALS = 2850
COUNTRY_REPORTS = (150_000, 200_000)
# assumptions of the estimate (the nation's own mix is 65/25/10; the country's is taken as more PDF-heavy)
COUNTRY_MIX = {"html": 0.50, "pdf": 0.40, "docx": 0.10}
SCAN_SHARE = 0.10          # of the PDFs, scans needing OCR
OCR_SECONDS = 15.6         # CPU seconds for a 6-page scanned report (README, bench/bench_formats.py, Tesseract)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- the nation ---------------------------------------------------------------------------------------------------------
def start_nation(portals: int, seed: int, workdir: Path) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "crawler.sample_portal.nation", "--portals", str(portals),
                             "--seed", str(seed), "--config", str(workdir / "portals.toml")],
                            cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True)
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the nation did not start")
    return proc, json.loads(line)


# -- PostgreSQL ------------------------------------------------------------------------------------------------------
def pg(sql: str, params=None, db: str = "postgres"):
    import psycopg

    with psycopg.connect(PG_ADMIN.rsplit("/", 1)[0] + "/" + db, autocommit=True) as con:
        cur = con.execute(sql, params)
        return cur.fetchall() if cur.description else None


def fresh_db(name: str) -> str:
    assert name.startswith("bench_scale_")
    pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_db(name: str) -> None:
    assert name.startswith("bench_scale_")
    pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- memory and CPU of a worker and its children --------------------------------------------------------------------
class Watch:
    """Samples every worker's RSS (the worker and all its descendants, summed) and CPU seconds, twice a second."""

    def __init__(self, procs: list[subprocess.Popen]):
        import psutil

        self.psutil = psutil
        self.roots = [psutil.Process(p.pid) for p in procs]
        self.peak = [0] * len(procs)
        self.cpu: dict[int, float] = {}     # pid -> last CPU seconds seen (user + system)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.is_set():
            for k, root in enumerate(self.roots):
                try:
                    family = [root] + root.children(recursive=True)
                except self.psutil.Error:
                    continue
                rss = 0
                for p in family:
                    try:
                        rss += p.memory_info().rss
                        t = p.cpu_times()
                        self.cpu[p.pid] = t.user + t.system
                    except self.psutil.Error:
                        pass
                self.peak[k] = max(self.peak[k], rss)
            self.stop.wait(0.5)

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(5)

    @property
    def cpu_seconds(self) -> float:
        return sum(self.cpu.values())


def children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# -- one run -----------------------------------------------------------------------------------------------------------
def has_queue() -> bool:
    out = subprocess.run(OGIAUDIT + ["worker", "--help"], cwd=REPO, capture_output=True, text=True)
    run = subprocess.run(OGIAUDIT + ["run", "--help"], cwd=REPO, capture_output=True, text=True)
    return out.returncode == 0 and "--until-idle" in out.stdout and "--queue" in run.stdout


def shard(config: Path, n: int, outdir: Path) -> list[Path]:
    """The portal file cut into n files, portal by portal (round robin)."""
    text = config.read_text(encoding="utf-8")
    head, *blocks = text.split("[[portal]]\n")
    files = []
    for k in range(n):
        path = outdir / f"portals.shard{k}.toml"
        path.write_text(head + "".join("[[portal]]\n" + b for b in blocks[k::n]), encoding="utf-8")
        files.append(path)
    return files


def one_run(workers: int, nation: dict, mode: str, workdir: Path, keep: bool, as_of: str, concurrency: int) -> dict:
    name = f"bench_scale_{os.getpid()}_w{workers}"
    # fallback: one database per shard (plain `run` audits every pending document of its database, so two runs on
    # one database would audit each other's documents twice); queue: one database shared by the workers
    names = [name] if mode == "queue" or workers == 1 else [f"{name}_s{k}" for k in range(workers)]
    urls = [fresh_db(n) for n in names]
    url = urls[0]
    archive = workdir / f"archive_w{workers}"
    shutil.rmtree(archive, ignore_errors=True)
    settings = nation["settings"]
    logs = [open(workdir / f"w{workers}_{k}.log", "w") for k in range(workers)]  # noqa: SIM115 - the workers' output
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cpu0 = children_cpu()
    t0 = time.monotonic()
    enqueue_seconds = None
    if mode == "queue":
        r = subprocess.run(OGIAUDIT + ["run", "--queue", "--portals", nation["config"], "--config", settings,
                                       "--database", url, "--archive", str(archive), "--as-of", as_of,
                                       "--no-progress"], cwd=REPO, capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise SystemExit(f"run --queue failed: {r.stderr[-2000:]}")
        enqueue_seconds = time.monotonic() - t0
        argv = [OGIAUDIT + ["worker", "--config", settings, "--database", url, "--archive", str(archive),
                            "--concurrency", str(concurrency), "--until-idle"] for _ in range(workers)]
    else:
        files = shard(Path(nation["config"]), workers, workdir) if workers > 1 else [Path(nation["config"])]
        argv = [OGIAUDIT + ["run", "--portals", str(f), "--config", settings, "--database", urls[k],
                            "--archive", str(archive), "--as-of", as_of, "--no-progress"]
                for k, f in enumerate(files)]
    procs = [subprocess.Popen(a, cwd=REPO, stdout=logs[k], stderr=subprocess.STDOUT, env=env, start_new_session=True)
             for k, a in enumerate(argv)]
    watch = Watch(procs)
    try:
        codes = [p.wait() for p in procs]
    except BaseException:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
        if not keep:
            for n in names:
                drop_db(n)
        raise
    finally:
        watch.finish()
        for f in logs:
            f.close()
    wall = time.monotonic() - t0
    cpu = max(watch.cpu_seconds, children_cpu() - cpu0)
    figures = sum_figures([measure_db(u, n) for u, n in zip(urls, names, strict=True)])
    figures["databases"] = len(names)
    figures.update({
        "workers": workers, "mode": mode, "concurrency": concurrency, "exit_codes": codes, "seconds": round(wall, 1),
        "enqueue_seconds": round(enqueue_seconds, 1) if enqueue_seconds is not None else None,
        "portals_per_s": round(figures["portals_crawled"] / wall, 2),
        "documents_per_s": round(figures["documents"] / wall, 2),
        "reports_audited_per_s": round(figures["audited"] / wall, 2),
        "peak_rss_mb_per_worker": [round(b / 2**20) for b in watch.peak],
        "cpu_seconds": round(cpu, 1), "archive": str(archive), "logs": [f.name for f in logs],
    })
    if mode == "queue":
        st = subprocess.run(OGIAUDIT + ["status", "--format", "json", "--database", url, "--as-of", as_of], cwd=REPO,
                            capture_output=True, text=True)
        try:
            figures["status"] = json.loads(st.stdout)
        except ValueError:
            figures["status"] = st.stdout[-500:]
    figures["_url"] = url
    if not keep:
        figures["_drop"] = names
    return figures


def sum_figures(parts: list[dict]) -> dict:
    out = dict(parts[0])
    for part in parts[1:]:
        for k, v in part.items():
            if isinstance(v, dict):
                out[k] = {f: out[k].get(f, 0) + v.get(f, 0) for f in set(out[k]) | set(v)}
            else:
                out[k] = out[k] + v
    return out


def measure_db(url: str, name: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as con:
        q = lambda sql: con.execute(text(sql)).scalar()  # noqa: E731
        out = {
            "portals_crawled": q("select count(distinct portal_id) from crawl where complete"),
            "portals_ok": q("select count(distinct portal_id) from crawl where ok and complete"),
            "documents": q("select count(*) from document"),
            "audited": q("select count(*) from document where audited_sha256 = sha256"),
            "reports": q("select count(*) from report"),
            "findings": q("select count(*) from finding"),
            "pub_missing": q("select count(*) from finding where rule = 'PUB-MISSING'"),
            "pub_late": q("select count(*) from finding where rule = 'PUB-LATE'"),
            "unreadable": q("select count(*) from extraction_problem where resolved_at is null"),
            "by_format": dict(con.execute(text(
                "select case when content_type like '%pdf%' then 'pdf' when content_type like '%word%' then 'docx' "
                "else 'html' end, count(*) from document group by 1")).all()),
        }
    engine.dispose()
    out["db_mb"] = round(pg("select pg_database_size(%s)", (name,))[0][0] / 2**20, 1)
    return out


# -- cost per format, in process ---------------------------------------------------------------------------------------
def cost_per_format(url: str, archive: Path, per_format: int = 40) -> dict:
    """Seconds per report audited with auditor.audit.audit_bytes, per format, on a sample of the archived documents
    (wall seconds, mean of one pass after a warm-up document: the extraction sandbox runs PDF and DOCX in a
    child process, whose CPU this process's clock would not see)."""
    from sqlalchemy import create_engine, text

    from auditor.audit import audit_bytes

    engine = create_engine(url)
    with engine.connect() as con:
        rows = con.execute(text("select content_type, archive_path from document order by id")).all()
    engine.dispose()
    by: dict[str, list[Path]] = {"html": [], "pdf": [], "docx": []}
    for ct, path in rows:
        fmt = "pdf" if "pdf" in (ct or "") else "docx" if "word" in (ct or "") else "html"
        p = Path(path) if Path(path).is_absolute() else archive / path
        by[fmt].append(p)
    rnd = random.Random(7)
    out = {}
    for fmt, paths in by.items():
        sample = rnd.sample(paths, min(per_format, len(paths)))
        datas = [p.read_bytes() for p in sample if p.is_file()]
        if not datas:
            continue
        with contextlib.suppress(Exception):   # a broken planted file
            audit_bytes(datas[0])
        t0 = time.perf_counter()
        n = 0
        for d in datas:
            try:
                audit_bytes(d)
                n += 1
            except Exception:  # noqa: BLE001
                pass
        out[fmt] = {"seconds": round((time.perf_counter() - t0) / max(1, n), 4), "sample": n}
    return out


def estimate(run1: dict, run2: dict | None, costs: dict, nation_formats: dict) -> dict:
    """Machines (2 cores, like this one) to audit the whole country within a day, two ways:
    - from the cost: CPU seconds per report = the audit of its format (measured in process; scans: OCR_SECONDS) plus
      the rest of the one-worker run's CPU (crawl, archive, database, process starts) spread over its documents; with
      every core kept busy;
    - from the throughput: the reports audited per second by two workers on this machine, end to end (politeness
      waits, the database and whatever else runs on the machine included), plus the OCR of the scans (the nation
      has none) on every core."""
    audit_cpu = sum(costs[f]["seconds"] * run1["by_format"].get(f, 0) for f in costs)
    rest = max(0.0, run1["cpu_seconds"] - audit_cpu)
    rest_per_doc = rest / max(1, run1["documents"])
    best = run2 if run2 and run2["reports_audited_per_s"] > run1["reports_audited_per_s"] else run1
    per_report = {f: costs[f]["seconds"] for f in costs}
    mixed = (COUNTRY_MIX["html"] * per_report.get("html", 0) + COUNTRY_MIX["docx"] * per_report.get("docx", 0)
             + COUNTRY_MIX["pdf"] * ((1 - SCAN_SHARE) * per_report.get("pdf", 0) + SCAN_SHARE * OCR_SECONDS))
    out = {"rest_cpu_s_per_portal": round(rest / max(1, run1["portals_crawled"]), 3),
           "rest_cpu_s_per_document": round(rest_per_doc, 4), "audit_cpu_s_per_report_mixed": round(mixed, 4),
           "cpu_s_per_report": round(mixed + rest_per_doc, 4),
           "per_format_s": per_report, "ocr_s_per_scan": OCR_SECONDS, "scan_share_of_pdf": SCAN_SHARE,
           "mix": COUNTRY_MIX, "nation_mix": nation_formats, "country_portals": COUNTRY_PORTALS,
           "throughput_reports_per_s": best["reports_audited_per_s"], "throughput_workers": best["workers"],
           "speedup_two_workers": round(run2["reports_audited_per_s"] / run1["reports_audited_per_s"], 2)
           if run2 else None}
    cores = os.cpu_count() or 2
    for reports in COUNTRY_REPORTS:
        cpu = reports * (mixed + rest_per_doc)
        out[f"cpu_hours_{reports}"] = round(cpu / 3600, 1)
        out[f"machines_by_cost_{reports}"] = max(1, math.ceil(cpu / (86400 * cores)))
        # the nation has no scans: its throughput, plus the scans' OCR spread over every core
        ocr = reports * COUNTRY_MIX["pdf"] * SCAN_SHARE * OCR_SECONDS / cores
        out[f"machines_by_throughput_{reports}"] = max(1, math.ceil(
            (reports / best["reports_audited_per_s"] + ocr) / 86400))
    out["cores_per_machine"] = cores
    # OCR dominates: the same for other shares of scanned PDFs
    for share in (0.0, 0.3):
        m = mixed + COUNTRY_MIX["pdf"] * share_delta(share, per_report.get("pdf", 0))
        cpu = COUNTRY_REPORTS[1] * (m + rest_per_doc)
        out[f"scan_{share:.0%}_cpu_hours_{COUNTRY_REPORTS[1]}"] = round(cpu / 3600, 1)
        out[f"scan_{share:.0%}_machines_{COUNTRY_REPORTS[1]}"] = max(1, math.ceil(cpu / (86400 * cores)))
    return out


def share_delta(share: float, pdf_text: float) -> float:
    """The change in seconds per PDF when `share` of the PDFs are scans instead of SCAN_SHARE."""
    return (share - SCAN_SHARE) * (OCR_SECONDS - pdf_text)


# -- output -----------------------------------------------------------------------------------------------------------
def table(runs: list[dict], est: dict, nation: dict, costs: dict) -> str:
    lines = [f"nation: {nation['portals']} portals (one 127.x.y.z host each, port {nation['port']}), "
             f"{nation['reports']} reports {nation['formats']}, {len(nation['expected']['missing'])} missing bodies, "
             f"{len(nation['expected']['broken'])} broken files; mode {runs[0]['mode']}"]
    head = ("workers", "seconds", "portals/s", "documents/s", "audited/s", "peak MB/worker", "CPU s", "DB MB",
            "portals ok", "docs", "PUB-MISSING", "problems")
    rows = [head] + [(str(r["workers"]), f"{r['seconds']:.0f}", f"{r['portals_per_s']:.2f}",
                      f"{r['documents_per_s']:.1f}", f"{r['reports_audited_per_s']:.1f}",
                      "/".join(str(m) for m in r["peak_rss_mb_per_worker"]), f"{r['cpu_seconds']:.0f}",
                      f"{r['db_mb']:.0f}", f"{r['portals_ok']}/{r['portals_crawled']}", str(r["documents"]),
                      f"{r['pub_missing']}/{len(nation['expected']['missing'])}", str(r["unreadable"]))
                     for r in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    if len(runs) > 1:
        a, b = runs[0], runs[1]
        lines.append(f"speed-up 1 -> 2 workers: wall {a['seconds'] / b['seconds']:.2f}x, documents/s "
                     f"{b['documents_per_s'] / a['documents_per_s']:.2f}x, audited/s "
                     f"{b['reports_audited_per_s'] / a['reports_audited_per_s']:.2f}x, portals/s "
                     f"{b['portals_per_s'] / a['portals_per_s']:.2f}x")
    for r in runs:
        jobs = (r.get("status") or {}).get("jobs") if isinstance(r.get("status"), dict) else None
        if jobs:
            lines.append(f"queue after {r['workers']} worker(s): " + "; ".join(
                f"{kind} {row.get('succeeded', 0)} succeeded, {row.get('failed', 0)} failed, "
                f"{row.get('retried', 0)} retried, {row.get('todo', 0) + row.get('doing', 0)} left"
                for kind, row in jobs.items()) + f"; enqueue {r['enqueue_seconds']} s")
    lines.append("audit cost per report (in process, audit_bytes on the nation's documents): " + ", ".join(
        f"{f} {c['seconds'] * 1000:.0f} ms (n={c['sample']})" for f, c in costs.items()))
    lines.append(f"the rest (crawl, archive, database, processes: 1-worker CPU less its audits): "
                 f"{est['rest_cpu_s_per_portal']:.2f} CPU s per portal = {est['rest_cpu_s_per_document'] * 1000:.0f} ms "
                 f"per document; OCR {OCR_SECONDS} s per scan (README), {SCAN_SHARE:.0%} of PDFs scanned")
    lines.append(f"country: {COUNTRY_PORTALS} portals, mix html/pdf/docx "
                 f"{COUNTRY_MIX['html']:.0%}/{COUNTRY_MIX['pdf']:.0%}/{COUNTRY_MIX['docx']:.0%}: "
                 f"{est['audit_cpu_s_per_report_mixed'] * 1000:.0f} ms audit + {est['rest_cpu_s_per_document'] * 1000:.0f}"
                 f" ms rest = {est['cpu_s_per_report'] * 1000:.0f} CPU ms per report")
    for reports in COUNTRY_REPORTS:
        lines.append(f"  {reports:,} reports: {est[f'cpu_hours_{reports}']} CPU hours -> "
                     f"{est[f'machines_by_cost_{reports}']} machine(s) of {est['cores_per_machine']} cores for one day "
                     f"by cost (cores kept busy); {est[f'machines_by_throughput_{reports}']} by the measured throughput "
                     f"({est['throughput_reports_per_s']} reports/s with {est['throughput_workers']} worker(s) here, plus OCR)")
    top = COUNTRY_REPORTS[1]
    lines.append(f"  OCR dominates: {top:,} reports with no scanned PDF {est[f'scan_0%_cpu_hours_{top}']} CPU hours "
                 f"({est[f'scan_0%_machines_{top}']} machine(s)); with 30% of PDFs scanned "
                 f"{est[f'scan_30%_cpu_hours_{top}']} CPU hours ({est[f'scan_30%_machines_{top}']} machine(s))")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portals", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", default="1,2", help="worker counts, one run each (default 1,2)")
    ap.add_argument("--mode", choices=("auto", "queue", "fallback"), default="auto",
                    help="queue: run --queue + ogiaudit worker; fallback: sharded plain runs; auto: queue if present")
    ap.add_argument("--concurrency", type=int, default=4,
                    help="jobs at once per worker in queue mode (a crawl job mostly waits on politeness; default 4)")
    ap.add_argument("--as-of", default=None, help="the audit day (default: the nation's, 2024-04-30)")
    ap.add_argument("--keep", action="store_true", help="keep the databases, archives and logs")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = ap.parse_args()
    # SIGTERM (a long run stopped by its PID) cleans up like Ctrl-C: workers, the nation, the databases
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started in the background

    mode = args.mode
    if mode == "auto":
        mode = "queue" if has_queue() else "fallback"
    workdir = Path(tempfile.mkdtemp(prefix="ogiaudit-bench-scale-"))
    log(f"workdir {workdir}; mode {mode}; starting the nation ({args.portals} portals)")
    server, ready = start_nation(args.portals, args.seed, workdir)
    nation = {**ready, "expected": json.loads(Path(ready["expected"]).read_text(encoding="utf-8"))}
    as_of = args.as_of or nation["expected"]["as_of"]
    runs, drops = [], []
    try:
        log(f"nation up in {ready['start_seconds']} s: {ready['first']} … {ready['last']}")
        for w in [int(x) for x in args.workers.split(",")]:
            log(f"run on {w} worker(s)")
            r = one_run(w, nation, mode, workdir, args.keep, as_of, args.concurrency)
            runs.append(r)
            log(f"  {r['seconds']} s, {r['documents']} documents, {r['audited']} audited, exit {r['exit_codes']}")
            if "_drop" in r:
                drops.extend(r["_drop"])
        log("cost per format, in process")
        costs = cost_per_format(runs[0]["_url"], Path(runs[0]["archive"]))
        est = estimate(runs[0], runs[1] if len(runs) > 1 else None, costs, nation["formats"])
    finally:
        try:
            import psutil

            t = psutil.Process(server.pid).cpu_times()
            nation["server_cpu_seconds"] = round(t.user + t.system, 1)
        except Exception:  # noqa: BLE001
            pass
        os.killpg(server.pid, signal.SIGTERM)
        try:
            tail = server.communicate(timeout=15)[0].strip().splitlines()
            nation["server"] = json.loads(tail[-1]) if tail else None
        except (subprocess.TimeoutExpired, ValueError):
            server.kill()
        for name in drops:
            drop_db(name)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(table(runs, est, nation, costs))
    if nation.get("server"):
        print(f"nation server: {nation['server']['requests']} requests to {nation['server']['hosts_hit']} hosts, "
              f"{nation['server']['bytes'] / 2**20:.0f} MB served, {nation.get('server_cpu_seconds')} CPU s "
              f"(against {sum(r['cpu_seconds'] for r in runs):.0f} CPU s of the workers)")
    if args.json:
        for r in runs:
            r.pop("_url", None)
            r.pop("_drop", None)
        print(json.dumps({"nation": {k: v for k, v in nation.items() if k != "expected"}, "runs": runs,
                          "costs": costs, "estimate": est}, ensure_ascii=False, indent=1, default=str))


if __name__ == "__main__":
    main()
