"""`ogiaudit worker`: run the queue's jobs (ogiaudit/jobs.py) until stopped, on any machine that reaches the audit
database and the archive.

- SIGTERM or Ctrl-C: no new job is taken; running audits finish; a crawl still running after the grace period is
  stopped, recorded as incomplete and handed back to the queue.
- A worker killed outright (SIGKILL, a lost machine) stops beating; every live worker looks for jobs left "doing" by a
  worker without a recent heartbeat and hands them back, so they run again (jobs are idempotent).
- The database going away (a restart, a failover): the worker says so in one line, and goes on when it is back
  (procrastinate's pool reconnects; a job cut off meanwhile is retried, or handed back as a stalled one).
- until_idle: stop once no job is left to do or running (benchmarks, tests, a one-off catch-up).
"""
from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass

from ogiaudit.jobs import Runtime, make_app
from storage import jobqueue

logger = logging.getLogger(__name__)


@dataclass
class WorkerOptions:
    concurrency: int = 1
    until_idle: bool = False
    stalled_after: float = 60.0    # seconds without a heartbeat before a worker's jobs are handed back
    grace: float = 20.0            # seconds running jobs have to finish after SIGTERM before crawls are handed back
    reconnect_wait: float = 5.0


class Stop:
    requested = False


def run(settings, options: WorkerOptions) -> None:
    """Run jobs until stopped (or idle); returns normally on SIGTERM/SIGINT."""
    Runtime.settings = settings
    Stop.requested = False
    if not os.environ.get("OGIAUDIT_DEBUG"):   # their tracebacks on a lost connection: our one line says it
        for name in ("procrastinate", "psycopg.pool"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    while not Stop.requested:
        try:
            asyncio.run(_serve(settings, options))
        except (OSError, Exception) as exc:  # noqa: BLE001 - the database went away: wait and connect again
            if Stop.requested:
                break
            print(f"ogiaudit worker：与数据库的连接中断（{_first_line(exc)}），{options.reconnect_wait:g} 秒后重连",
                  file=sys.stderr, flush=True)
            time.sleep(options.reconnect_wait)
            continue
        if options.until_idle or Stop.requested:
            break


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


async def _serve(settings, options: WorkerOptions) -> None:
    app = make_app(settings.database_url)
    async with app.open_async():
        worker = asyncio.create_task(app.run_worker_async(
            queues=[jobqueue.QUEUE], concurrency=options.concurrency, wait=True,
            shutdown_graceful_timeout=options.grace, install_signal_handlers=False, listen_notify=True,
            fetch_job_polling_interval=2.0, update_heartbeat_interval=max(options.stalled_after / 4, 0.5),
            stalled_worker_timeout=options.stalled_after, delete_jobs="never"))
        _on_signals(worker)
        sides = [asyncio.create_task(_hand_back_stalled(app, options)),
                 asyncio.create_task(_watch(settings, worker, options.until_idle))]
        try:
            await worker
        except asyncio.CancelledError:
            if not Stop.requested:
                raise
        finally:
            for side in sides:
                side.cancel()
            await asyncio.gather(*sides, return_exceptions=True)


def _on_signals(worker: asyncio.Task) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        Stop.requested = True
        worker.cancel()   # procrastinate: stop fetching, wait `grace` for running jobs, then abort them (handed back)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)


async def _hand_back_stalled(app, options: WorkerOptions) -> None:
    """Jobs left "doing" by a worker that stopped beating (killed, its machine lost) go back to the queue."""
    while True:
        await asyncio.sleep(max(options.stalled_after / 4, 0.5))
        try:
            for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=options.stalled_after):
                logger.warning("handing back stalled job %s", job.id)
                await app.job_manager.retry_job(job)
        except Exception:  # noqa: BLE001 - the database is away for a moment; the worker's own loop reports it
            logger.debug("stalled-job sweep failed", exc_info=True)


async def _watch(settings, worker: asyncio.Task, until_idle: bool) -> None:
    """Say, in one line each, when the database goes away and when it is back (procrastinate's pool reconnects by
    itself; jobs cut off meanwhile are retried or handed back); with until_idle, stop once no job is left."""
    from storage import db

    engine = db.connect(settings.database_url)
    idle, lost = 0, False
    while True:
        await asyncio.sleep(1.0)
        try:
            with db.session(engine, readonly=True) as s:
                left = jobqueue.waiting(s)
        except Exception as exc:  # noqa: BLE001 - the database is away: say so once, then wait for it
            if not lost:
                print(f"ogiaudit worker：数据库暂时不可用（{_first_line(exc)}），等待恢复后继续", file=sys.stderr,
                      flush=True)
            lost, idle = True, 0
            continue
        if lost:
            print("ogiaudit worker：数据库已恢复，继续执行任务", file=sys.stderr, flush=True)
            lost = False
        idle = idle + 1 if left == 0 else 0
        if until_idle and idle >= 2:   # twice in a row: a job deferred between two looks is not missed
            Stop.requested = True
            worker.cancel()
            return
