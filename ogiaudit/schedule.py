"""The scheduler (APScheduler 3.x): the main job (crawl -> audit, as `ogiaudit run`) and the digest.

- Main job: daily at `schedule.run_time` (Asia/Shanghai) from `season_start` to `season_end` (the reporting season,
  1 February to 30 April by default), weekly on `weekly_run_day` otherwise: one job with a `SeasonTrigger`.
- Digest: weekly on `digest_day` at `digest_time`.
- Every job runs in a child process (`python -c "...from ogiaudit.cli import main; main()" run --database URL`): a
  Scrapy crawl cannot be restarted in the same process, and nothing here imports Scrapy.  A failed or timed-out child
  is logged and recorded in `ogiaudit_job_lock`; the next scheduled run tries again.
- The job store is the `apscheduler_jobs` table of the audit database (created by migration 0015 with APScheduler's
  own schema, as is the lock table: state lives in storage), so a restart keeps the schedule; jobs are
  re-added only when their configuration changed, so a run missed while the scheduler was down is still due, and
  `coalesce=True` runs it once (within `misfire_grace_hours`).
- Two schedulers on one database: each run first inserts (job id, run key) into `ogiaudit_job_lock`, whose primary
  key makes the insert succeed once; the loser skips.  The run key is the job id and the local date of the run (no
  job fires more than once a day).
"""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from ogiaudit.settings import ConfigError
from storage import runlock

log = logging.getLogger("ogiaudit.schedule")

JOB_MAIN = "ogiaudit-main"
JOB_DIGEST = "ogiaudit-digest"
JOB_FUNC = "ogiaudit.schedule:run_job"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLI = "import sys; sys.argv[0] = 'ogiaudit'; from ogiaudit.cli import main; main()"

job_lock = runlock.job_lock   # the run lock's table (storage/runlock.py, migration 0015)


def prepare_database(url: str):
    """The audit database's engine, migrated to head: the run lock and APScheduler's job store (apscheduler_jobs)
    are tables of migration 0015, like every other table."""
    from storage.db import connect
    return connect(url)


def _md(value: str) -> tuple[int, int]:
    month, day = (int(x) for x in value.split("-"))
    date(2024, month, day)
    return month, day


def _hm(value: str) -> tuple[int, int]:
    hour, minute = (int(x) for x in value.split(":"))
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(value)
    return hour, minute


class SeasonTrigger(BaseTrigger):
    """Daily at `at` from `start` to `end` (month-day, inclusive, may wrap the new year), weekly on `weekday` otherwise."""

    def __init__(self, start: str = "02-01", end: str = "04-30", at: str = "02:00", weekday: str = "mon",
                 timezone: str = "Asia/Shanghai"):
        self.start, self.end, self.at, self.weekday, self.timezone = _md(start), _md(end), at, weekday.lower(), timezone
        if self.weekday not in DAYS:
            raise ValueError(f"weekday {weekday!r}")
        hour, minute = _hm(at)
        self.daily = CronTrigger(hour=hour, minute=minute, timezone=ZoneInfo(timezone))

    def in_season(self, day: date) -> bool:
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end

    def fires_on(self, day: date) -> bool:
        return self.in_season(day) or day.weekday() == DAYS.index(self.weekday)

    def get_next_fire_time(self, previous_fire_time, now):
        t = self.daily.get_next_fire_time(previous_fire_time, now)
        for _ in range(8):  # at most a week between two runs
            if t is None or self.fires_on(t.date()):
                return t
            t = self.daily.get_next_fire_time(t, t + timedelta(seconds=1))
        return None

    def __getstate__(self):
        return {"version": 1, "start": self.start, "end": self.end, "at": self.at, "weekday": self.weekday,
                "timezone": self.timezone}

    def __setstate__(self, state):
        (sm, sd), (em, ed) = state["start"], state["end"]
        self.__init__(f"{sm:02d}-{sd:02d}", f"{em:02d}-{ed:02d}", state["at"], state["weekday"], state["timezone"])

    def __repr__(self):
        (sm, sd), (em, ed) = self.start, self.end
        return (f"<SeasonTrigger (start='{sm:02d}-{sd:02d}', end='{em:02d}-{ed:02d}', at={self.at!r}, "
                f"weekday={self.weekday!r}, timezone={self.timezone!r})>")

    __str__ = __repr__


# ------------------------------------------------------------------------------------------------ job specs

def child_argv(command: list[str]) -> list[str]:
    """The `ogiaudit` command line in a child process with this interpreter."""
    return [sys.executable, "-c", CLI, *command]


def job_specs(settings, *, database_url: str | None = None, portals: list[str] | None = None,
              config: str | os.PathLike | None = None,
              argv: dict[str, list[str]] | None = None) -> list[dict[str, Any]]:
    """The jobs from the settings: id, trigger and the keyword arguments of `run_job`."""
    sch = settings.schedule
    url = database_url or settings.database_url
    try:
        tz = ZoneInfo(sch.timezone)
        dh, dm = _hm(sch.digest_time)
    except Exception:
        raise ConfigError(f"[schedule] 时区或摘要时间无效：{sch.timezone!r} {sch.digest_time!r}") from None
    extra = [a for p in (portals or []) for a in ("--portals", p)]
    commands = {
        JOB_MAIN: child_argv(["run", *(["--queue"] if getattr(sch, "queue", False) else []), "--database", url, *extra]),
        JOB_DIGEST: child_argv(["digest", "--database", url, *extra]),
    }
    commands.update(argv or {})
    try:
        triggers = {
            JOB_MAIN: SeasonTrigger(sch.season_start, sch.season_end, sch.run_time, sch.weekly_run_day, sch.timezone),
            JOB_DIGEST: CronTrigger(day_of_week=sch.digest_day, hour=dh, minute=dm, timezone=tz),
        }
    except ValueError as exc:
        raise ConfigError(f"[schedule] 配置无效：{exc}（日期为 MM-DD，时间为 HH:MM，星期为 mon…sun）") from None
    names = {JOB_MAIN: "抓取并审核（ogiaudit run）", JOB_DIGEST: "发送摘要（ogiaudit digest）"}
    timeout = getattr(sch, "run_timeout_hours", 12) * 3600
    # the child processes read the same configuration file
    env = {"env": {"OGIAUDIT_CONFIG": str(Path(config).resolve())}} if config is not None else {}
    return [{"id": job_id, "name": names[job_id], "trigger": triggers[job_id],
             "kwargs": {"job_id": job_id, "argv": commands[job_id], "database_url": url, "timeout": timeout,
                        "tz": sch.timezone, **env}}
            for job_id in (JOB_MAIN, JOB_DIGEST)]


def _scheduler_class():
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.base import STATE_RUNNING

    class Scheduler(BackgroundScheduler):
        """Never processes jobs unless running: APScheduler would process them when a paused scheduler (woken by a
        job change) is shut down, moving a missed run's next run time on without running it."""

        def _process_jobs(self):
            if self.state != STATE_RUNNING:
                return None
            return super()._process_jobs()

    return Scheduler


def make_scheduler(settings, *, database_url: str | None = None, scheduler_cls=None):
    """A background scheduler (start it paused, sync the jobs, resume) whose job store is the audit database."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    url = database_url or settings.database_url
    engine = prepare_database(url)
    grace = int(getattr(settings.schedule, "misfire_grace_hours", 12) * 3600)
    cls = scheduler_cls or _scheduler_class()
    return cls(jobstores={"default": SQLAlchemyJobStore(engine=engine)},
               executors={"default": {"type": "threadpool", "max_workers": 2}},
               job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
               timezone=ZoneInfo(settings.schedule.timezone))


def sync_jobs(scheduler, specs: list[dict[str, Any]]) -> list[str]:
    """Add or update the jobs; a job whose configuration did not change is kept as stored (with its next run time,
    so a run missed while the scheduler was down still happens).  Returns the ids that were (re)added."""
    changed = []
    for spec in specs:
        job = scheduler.get_job(spec["id"])
        if (job is not None and job.func_ref == JOB_FUNC and repr(job.trigger) == repr(spec["trigger"])
                and job.kwargs == spec["kwargs"] and job.coalesce and job.max_instances == 1):
            continue
        scheduler.add_job(JOB_FUNC, trigger=spec["trigger"], id=spec["id"], name=spec["name"], kwargs=spec["kwargs"],
                          replace_existing=True, coalesce=True, max_instances=1)
        changed.append(spec["id"])
    return changed


# --------------------------------------------------------------------------------------------- running a job

def run_key(now: datetime, tz: str) -> str:
    return now.astimezone(ZoneInfo(tz)).date().isoformat()


def _utcnow() -> datetime:
    return datetime.now(UTC)


def claim(engine, job_id: str, key: str, now: datetime) -> bool:
    """Take the run lock; False when another scheduler already ran (or is running) this job for this key."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    return runlock.claim(engine, job_id, key, owner, now.astimezone(UTC).replace(tzinfo=None))


def run_job(job_id: str, argv: list[str], database_url: str, timeout: float | None = None, tz: str = "Asia/Shanghai",
            now: datetime | None = None, env: dict[str, str] | None = None,
            runner: Callable[..., subprocess.CompletedProcess] | None = None) -> str:
    """Run one scheduled job in a child process, at most once per run key across every scheduler on the database.
    Returns "skipped", "ok", "failed" or "timeout".  The job runs in its own process group, stopped whole on
    timeout (its crawl child dies with it), so a timed-out run leaves nothing crawling."""
    from ogiaudit.procs import run_group

    runner = runner or run_group
    now = now or _utcnow()
    key = run_key(now, tz)
    engine = prepare_database(database_url)
    if not claim(engine, job_id, key, now):
        log.info("任务 %s（%s）已由另一个调度进程运行，跳过", job_id, key)
        return "skipped"
    log.info("开始任务 %s（%s）：%s", job_id, key, " ".join(argv[3:] if argv[1:2] == ["-c"] else argv))
    status, detail = "failed", ""
    try:
        proc = runner(argv, timeout=timeout, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
        status = "ok" if proc.returncode == 0 else "failed"
        detail = f"exit {proc.returncode}"
    except subprocess.TimeoutExpired:
        status, detail = "timeout", f"超过 {timeout} 秒"
    except OSError as exc:
        detail = str(exc)[:300]
    runlock.finish(engine, job_id, key, status=status, detail=detail, finished_at=_utcnow().replace(tzinfo=None))
    (log.info if status == "ok" else log.warning)("任务 %s（%s）结束：%s %s", job_id, key, status, detail)
    return status


# ------------------------------------------------------------------------------------------------ foreground

def describe_jobs(scheduler) -> list[str]:
    out = []
    for job in scheduler.get_jobs():
        nxt = job.next_run_time.strftime("%Y-%m-%d %H:%M %Z") if job.next_run_time else "—"
        out.append(f"{job.name}：下次运行 {nxt}")
    return out


def serve(settings, *, database_url: str | None = None, portals: list[str] | None = None,
          config: str | os.PathLike | None = None, stop: threading.Event | None = None,
          echo: Callable[[str], None] = print) -> None:
    """Run the scheduler in the foreground until SIGTERM/SIGINT (or `stop` is set)."""
    import signal

    scheduler = make_scheduler(settings, database_url=database_url)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, job_specs(settings, database_url=database_url, portals=portals, config=config))
        for line in describe_jobs(scheduler):
            echo(line)
        if stop is None:
            stop = threading.Event()
            if threading.current_thread() is threading.main_thread():
                for sig in (signal.SIGTERM, signal.SIGINT):
                    signal.signal(sig, lambda *_: stop.set())
        scheduler.resume()
        echo("调度器已启动（Ctrl-C 或 SIGTERM 停止）")
        while not stop.wait(1.0):
            pass
    finally:
        scheduler.shutdown(wait=True)
        echo("调度器已停止")
