"""The scheduler with a frozen clock: trigger computations, job-store persistence across a restart, a missed window
runs once, two schedulers on one database never run the same job twice."""
from __future__ import annotations

import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_SUBMITTED
from apscheduler.triggers.cron import CronTrigger

from conftest_db import db_url, pg_url, sqlite_url  # noqa: F401  (SQLite, and PostgreSQL when reachable)
from ogiaudit import schedule as sched
from ogiaudit.settings import load_settings

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def settings(tmp_path):
    cfg = tmp_path / "none.toml"
    cfg.write_text("", encoding="utf-8")
    return load_settings(cfg, database_url=f"sqlite:///{tmp_path / 'audit.db'}")


@pytest.fixture
def any_settings(tmp_path, db_url):
    cfg = tmp_path / "none.toml"
    cfg.write_text("", encoding="utf-8")
    return load_settings(cfg, database_url=db_url)


@pytest.fixture(autouse=True)
def _dispose():
    yield
    from storage.db import dispose
    dispose()


def fire_times(trigger, now, n):
    out, prev = [], None
    for _ in range(n):
        t = trigger.get_next_fire_time(prev, now if prev is None else prev)
        out.append(t)
        prev = now = t
    return out


def test_main_job_daily_in_season_weekly_otherwise(settings):
    specs = {s["id"]: s for s in sched.job_specs(settings)}
    trig = specs[sched.JOB_MAIN]["trigger"]
    # January: weekly on Monday at 02:00 Shanghai time; from 1 February daily
    assert fire_times(trig, at(2027, 1, 20, 10, 0), 4) == [
        at(2027, 1, 25, 2, 0), at(2027, 2, 1, 2, 0), at(2027, 2, 2, 2, 0), at(2027, 2, 3, 2, 0)]
    # end of the season (30 April, a Friday), then the next Monday
    assert fire_times(trig, at(2027, 4, 29, 3, 0), 3) == [at(2027, 4, 30, 2, 0), at(2027, 5, 3, 2, 0),
                                                          at(2027, 5, 10, 2, 0)]
    # 02:00 Shanghai is 18:00 UTC the day before
    nxt = trig.get_next_fire_time(None, datetime(2027, 3, 10, 12, 0, tzinfo=timezone.utc))
    assert nxt.astimezone(timezone.utc) == datetime(2027, 3, 10, 18, 0, tzinfo=timezone.utc)
    # leap day is in season
    assert trig.get_next_fire_time(None, at(2028, 2, 28, 2, 30)) == at(2028, 2, 29, 2, 0)


def test_digest_weekly_monday_0800_and_custom_season(settings):
    trig = {s["id"]: s for s in sched.job_specs(settings)}[sched.JOB_DIGEST]["trigger"]
    assert fire_times(trig, at(2027, 2, 3, 9, 0), 2) == [at(2027, 2, 8, 8, 0), at(2027, 2, 15, 8, 0)]
    season = sched.SeasonTrigger("12-15", "01-10", "23:30", "fri", "Asia/Shanghai")  # wraps the new year
    assert fire_times(season, at(2026, 12, 30, 0, 0), 3) == [at(2026, 12, 30, 23, 30), at(2026, 12, 31, 23, 30),
                                                             at(2027, 1, 1, 23, 30)]
    assert season.get_next_fire_time(None, at(2027, 1, 11, 0, 0)) == at(2027, 1, 15, 23, 30)


def test_bad_schedule_setting_is_one_line(tmp_path):
    from ogiaudit.settings import ConfigError
    cfg = tmp_path / "c.toml"
    cfg.write_text('[schedule]\nrun_time = "25:00"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="schedule"):
        sched.job_specs(load_settings(cfg))


def test_scheduled_run_only_enqueues_when_the_queue_is_on(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('database_url = "postgresql://db/x"\n[schedule]\nqueue = true\n', encoding="utf-8")
    argv = {s["id"]: s for s in sched.job_specs(load_settings(cfg))}[sched.JOB_MAIN]["kwargs"]["argv"]
    assert argv[3:5] == ["run", "--queue"]


def test_child_command_does_not_import_scrapy(settings):
    specs = {s["id"]: s for s in sched.job_specs(settings, portals=["p.toml"])}
    argv = specs[sched.JOB_MAIN]["kwargs"]["argv"]
    assert argv[:3] == [sys.executable, "-c", sched.CLI]
    assert argv[3:] == ["run", "--database", settings.database_url, "--portals", "p.toml"]
    assert specs[sched.JOB_DIGEST]["kwargs"]["argv"][3] == "digest"
    assert "env" not in specs[sched.JOB_MAIN]["kwargs"]
    with_cfg = sched.job_specs(settings, config="cfg/o.toml")[0]["kwargs"]
    assert with_cfg["env"]["OGIAUDIT_CONFIG"].endswith("cfg/o.toml")
    import ast
    import inspect
    tree = ast.parse(inspect.getsource(sched))
    names = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not any("scrapy" in (m or "") or "crawler" in (m or "") for m in names | mods)


def test_restart_keeps_the_job_store(any_settings):
    s1 = sched.make_scheduler(any_settings)
    s1.start(paused=True)
    assert sorted(sched.sync_jobs(s1, sched.job_specs(any_settings))) == [sched.JOB_DIGEST, sched.JOB_MAIN]
    before = {j.id: j.next_run_time for j in s1.get_jobs()}
    s1.shutdown(wait=False)

    s2 = sched.make_scheduler(any_settings)
    s2.start(paused=True)
    try:
        assert {j.id: j.next_run_time for j in s2.get_jobs()} == before
        assert sched.sync_jobs(s2, sched.job_specs(any_settings)) == []   # unchanged: kept as stored
        job = s2.get_job(sched.JOB_MAIN)
        assert job.coalesce and job.max_instances == 1 and job.misfire_grace_time == 12 * 3600
        assert isinstance(job.trigger, sched.SeasonTrigger)
        # a changed configuration replaces the job
        any_settings.schedule.run_time = "03:00"
        assert sched.sync_jobs(s2, sched.job_specs(any_settings)) == [sched.JOB_MAIN]
        assert s2.get_job(sched.JOB_MAIN).next_run_time.astimezone(SH).hour == 3
    finally:
        s2.shutdown(wait=False)


def counting_argv(path):
    code = f"open({str(path)!r}, 'a').write('x\\n')"
    return [sys.executable, "-c", code]


def wait_until(cond, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return False


def test_missed_window_runs_once_after_restart(settings, tmp_path):
    out = tmp_path / "runs.txt"
    specs = sched.job_specs(settings, argv={sched.JOB_MAIN: counting_argv(out)})
    s1 = sched.make_scheduler(settings)
    s1.start(paused=True)
    sched.sync_jobs(s1, specs)
    # the scheduler was down for three days: the stored next run time is in the past
    missed = datetime.now(timezone.utc) - timedelta(days=3)
    s1.modify_job(sched.JOB_MAIN, next_run_time=missed)
    s1.modify_job(sched.JOB_DIGEST, next_run_time=datetime.now(timezone.utc) + timedelta(days=30))
    s1.shutdown(wait=False)

    # a trigger firing every minute for the missed window: many run times are due, coalesced into one run
    settings_minutely = specs[0]
    settings_minutely["trigger"] = CronTrigger(minute="*", timezone=SH)
    s2 = sched.make_scheduler(settings)
    submitted = []
    s2.add_listener(lambda e: submitted.append(e.job_id), EVENT_JOB_SUBMITTED)
    s2.start(paused=True)
    try:
        s1_stored = s2.get_job(sched.JOB_MAIN)
        assert s1_stored.next_run_time == missed.astimezone(SH).replace(microsecond=missed.microsecond)
        s2.modify_job(sched.JOB_MAIN, trigger=CronTrigger(minute="*", timezone=SH), next_run_time=missed)
        assert sched.sync_jobs(s2, [specs[1]]) == []   # the digest is unchanged
        s2.resume()
        assert wait_until(lambda: out.exists() and s2.get_job(sched.JOB_MAIN).next_run_time
                          > datetime.now(timezone.utc))
        time.sleep(0.5)
    finally:
        s2.shutdown(wait=True)
    assert submitted == [sched.JOB_MAIN]
    assert out.read_text().count("x") == 1


def test_two_schedulers_on_one_database_run_a_job_once(any_settings, tmp_path):
    out = tmp_path / "runs.txt"
    specs = sched.job_specs(any_settings, argv={sched.JOB_MAIN: counting_argv(out)})
    a, b = sched.make_scheduler(any_settings), sched.make_scheduler(any_settings)
    a.start(paused=True)
    b.start(paused=True)
    try:
        sched.sync_jobs(a, specs)
        assert sched.sync_jobs(b, specs) == []                   # b sees a's jobs in the shared store
        due = datetime.now(timezone.utc) - timedelta(seconds=1)
        a.modify_job(sched.JOB_MAIN, next_run_time=due)
        b.modify_job(sched.JOB_DIGEST, next_run_time=datetime.now(timezone.utc) + timedelta(days=30))
        a.resume()
        b.resume()
        assert wait_until(lambda: out.exists())
        time.sleep(1.0)
    finally:
        a.shutdown(wait=True)
        b.shutdown(wait=True)
    assert out.read_text().count("x") == 1


def test_run_lock_one_run_per_key_across_threads(any_settings, tmp_path):
    out = tmp_path / "runs.txt"
    argv = counting_argv(out)
    now = datetime(2027, 2, 1, 18, 0, 5, tzinfo=timezone.utc)       # 2027-02-02 02:00:05 in Shanghai
    results = []
    barrier = threading.Barrier(4)
    sched.prepare_database(any_settings.database_url)   # as the scheduler does when it starts

    def go():
        barrier.wait()
        results.append(sched.run_job(sched.JOB_MAIN, argv, any_settings.database_url, timeout=30, now=now))

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
        assert not t.is_alive()
    assert sorted(results) == ["ok", "skipped", "skipped", "skipped"]
    assert out.read_text().count("x") == 1
    # the next day is a new run key; another job id is independent
    assert sched.run_job(sched.JOB_MAIN, argv, any_settings.database_url, now=now + timedelta(days=1)) == "ok"
    assert sched.run_job(sched.JOB_DIGEST, argv, any_settings.database_url, now=now) == "ok"
    assert out.read_text().count("x") == 3
    from sqlalchemy import select

    from storage.db import connect
    with connect(any_settings.database_url).connect() as conn:
        rows = conn.execute(select(sched.job_lock.c.job_id, sched.job_lock.c.run_key, sched.job_lock.c.status)
                            ).all()
    assert sorted(rows) == [(sched.JOB_DIGEST, "2027-02-02", "ok"), (sched.JOB_MAIN, "2027-02-02", "ok"),
                            (sched.JOB_MAIN, "2027-02-03", "ok")]


def test_run_lock_across_processes(settings, tmp_path):
    """Two processes (two schedulers) claim the same run key: one runs."""
    import subprocess
    out = tmp_path / "runs.txt"
    code = ("import sys, datetime; from ogiaudit import schedule as s; "
            "now = datetime.datetime(2027, 2, 1, 18, 0, tzinfo=datetime.timezone.utc); "
            f"print(s.run_job('ogiaudit-main', {counting_argv(out)!r}, {settings.database_url!r}, now=now))")
    from storage.db import connect
    connect(settings.database_url)  # migrated once, up front
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(2)]
    results = sorted(p.communicate(timeout=120)[0].strip() for p in procs)
    assert results == ["ok", "skipped"]
    assert out.read_text().count("x") == 1


def test_failed_child_is_recorded(settings):
    status = sched.run_job(sched.JOB_MAIN, [sys.executable, "-c", "raise SystemExit(3)"], settings.database_url,
                           now=datetime(2027, 3, 1, tzinfo=timezone.utc))
    assert status == "failed"


def test_scheduler_process_does_not_load_scrapy(settings):
    import subprocess
    code = ("import sys; from ogiaudit import schedule as s; from ogiaudit.settings import load_settings; "
            "from ogiaudit.commands import schedule as c, digest as d; "
            f"st = load_settings(None, database_url={settings.database_url!r}); "
            "x = s.make_scheduler(st); x.start(paused=True); s.sync_jobs(x, s.job_specs(st)); x.shutdown(); "
            "print('scrapy' in sys.modules, 'twisted.internet.reactor' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_serve_runs_until_stopped(settings):
    lines = []
    stop = threading.Event()
    t = threading.Thread(target=sched.serve, args=(settings,), kwargs={"stop": stop, "echo": lines.append})
    t.start()
    assert wait_until(lambda: any("调度器已启动" in line for line in lines))
    stop.set()
    t.join(30)
    assert not t.is_alive()
    assert any(line.startswith("抓取并审核（ogiaudit run）：下次运行") for line in lines)
    assert lines[-1] == "调度器已停止"


def test_schedule_command_list(settings, tmp_path):
    import typer
    from typer.testing import CliRunner

    from ogiaudit.commands import schedule as cmd
    app = typer.Typer()
    cmd.register(app)

    @app.callback()
    def _root():
        pass

    cfg = tmp_path / "c.toml"
    cfg.write_text('[schedule]\ndigest_time = "07:30"\n', encoding="utf-8")
    res = CliRunner().invoke(app, ["schedule", "--list", "--config", str(cfg), "--database", settings.database_url])
    assert res.exit_code == 0, res.output
    assert "抓取并审核（ogiaudit run）：下次运行" in res.output
    assert "发送摘要（ogiaudit digest）：下次运行" in res.output and "07:30" in res.output


def test_child_gets_the_config_path(settings, tmp_path):
    out = tmp_path / "env.txt"
    argv = [sys.executable, "-c", f"import os; open({str(out)!r}, 'w').write(os.environ['OGIAUDIT_CONFIG'])"]
    assert sched.run_job(sched.JOB_DIGEST, argv, settings.database_url, env={"OGIAUDIT_CONFIG": "/x/o.toml"},
                         now=datetime(2027, 3, 2, tzinfo=timezone.utc)) == "ok"
    assert out.read_text() == "/x/o.toml"


def test_scheduler_tables_come_from_the_migrations(any_settings):
    """The run lock and APScheduler's job store are created by migration 0015 (nothing creates tables at run time),
    and the job store's table is exactly the one APScheduler would create: it finds it existing."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from sqlalchemy import inspect

    from storage.db import connect
    engine = connect(any_settings.database_url)
    insp = inspect(engine)
    assert {"ogiaudit_job_lock", "apscheduler_jobs"} <= set(insp.get_table_names())
    assert {c["name"] for c in insp.get_columns("ogiaudit_job_lock")} == {
        "job_id", "run_key", "owner", "started_at", "finished_at", "status", "detail"}
    assert insp.get_pk_constraint("ogiaudit_job_lock")["constrained_columns"] == ["job_id", "run_key"]
    theirs = SQLAlchemyJobStore(engine=engine).jobs_t
    ours = {c["name"]: c for c in insp.get_columns("apscheduler_jobs")}
    assert set(ours) == {c.name for c in theirs.columns}
    for col in theirs.columns:
        assert ours[col.name]["nullable"] == col.nullable, col.name
        assert type(ours[col.name]["type"]).__name__ != "NullType", col.name
    assert insp.get_pk_constraint("apscheduler_jobs")["constrained_columns"] == ["id"]
    assert {tuple(i["column_names"]) for i in insp.get_indexes("apscheduler_jobs")} == {("next_run_time",)}
