"""One Scrapy crawl in a child process (a Twisted reactor cannot be restarted in the same process).

    summary = crawl(settings, portals, progress=True)

The child runs the spider and the storage pipeline; it sends progress events and, at the end, the per-portal
summary to the parent through a queue.  The parent shows a progress line and returns a CrawlSummary.

The child is forked from a fork server that has imported Scrapy once; it leads its own process group and dies with
its parent (even a SIGKILLed one: the fork server exits when its parent does, and its children die with it); when the parent stops it
(timeout, SIGINT, SIGTERM) the whole group gets SIGTERM (Scrapy closes the crawl as "shutdown": recorded as
incomplete), then SIGKILL.  A crawl that did not run to its end is never recorded as complete (crawler/pipelines.py).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import queue as queue_mod
import sys
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PortalSummary:
    portal_id: str
    name: str
    pages: int = 0
    documents: int = 0
    reports: int = 0
    ok: bool = False
    complete: bool = False
    errors: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    new_bodies: list[tuple[str, str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    known_skipped: int = 0   # list entries known and unchanged, not fetched again (servers without validators)


@dataclass
class CrawlSummary:
    portals: list[PortalSummary] = field(default_factory=list)
    requests: int = 0
    responses: int = 0
    bytes: int = 0
    cached: int = 0          # responses answered from the HTTP cache (304 Not Modified or still fresh)
    not_modified: int = 0    # 304 answers
    seconds: float = 0.0
    error: str | None = None  # the crawl itself failed or did not run to its end (not one page)
    stats: dict[str, Any] = field(default_factory=dict)
    finish_reason: str | None = None  # Scrapy's: "finished" when the crawl ran to its end

    @property
    def ok(self) -> bool:
        return self.error is None and all(p.ok for p in self.portals)

    @property
    def documents(self) -> int:
        return sum(p.documents for p in self.portals)

    @property
    def pages(self) -> int:
        return sum(p.pages for p in self.portals)


def _settings_payload(settings) -> dict:
    from storage import db

    if isinstance(settings, dict):
        return settings
    return {"database_url": settings.database_url, "archive_dir": str(settings.archive_dir),
            "crawl": settings.crawl.model_dump(), "migrated": db.is_migrated(settings.database_url)}


def _limit_memory(mb: int) -> None:
    """A hostile portal (a huge page, millions of links) fails this crawl, not the machine."""
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mb << 20 if hard == resource.RLIM_INFINITY else min(mb << 20, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


# Scrapy, the spider and storage take seconds to import: a fork server imports them once, and each crawl (a worker
# crawls one portal per job, thousands a day) is forked from it ready to run.  Elsewhere: spawn.
PRELOAD = ["ogiaudit.crawljob", "scrapy.crawler", "crawler.spiders.annual_reports", "crawler.settings",
           "crawler.pipelines", "crawler.middlewares", "storage.repository"]


def _preload() -> list[str]:
    """PRELOAD and what Scrapy imports when a crawl starts (its handlers, middlewares, extensions, queues: about a
    second of imports, some slow), found from its default settings; never twisted.internet.reactor (the child
    installs the asyncio reactor)."""
    from scrapy.settings import default_settings as d

    paths = [*d.DOWNLOAD_HANDLERS_BASE.values(), *d.DOWNLOADER_MIDDLEWARES_BASE, *d.SPIDER_MIDDLEWARES_BASE,
             *d.EXTENSIONS_BASE, *d.ITEM_PIPELINES_BASE, d.SCHEDULER, d.SCHEDULER_PRIORITY_QUEUE, d.DUPEFILTER_CLASS,
             d.STATS_CLASS, d.LOG_FORMATTER, d.SCHEDULER_DISK_QUEUE, d.SCHEDULER_MEMORY_QUEUE, d.DNS_RESOLVER,
             d.DOWNLOADER, d.REQUEST_FINGERPRINTER_CLASS]
    modules = {p.rsplit(".", 1)[0] for p in paths if isinstance(p, str) and "." in p}
    return PRELOAD + sorted(modules) + ["scrapy.core.engine", "scrapy.core.downloader.contextfactory", "tldextract"]


def _context():
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(_preload())
        return ctx
    return mp.get_context("spawn")


STOP_GRACE = 3.0   # seconds the child has to record an interrupted crawl before it is killed (its row already says
                  # incomplete; Scrapy would otherwise wait for every download in flight)


def _child(payload: dict, portals: list, q, overrides: dict | None, parent: int | None = None) -> None:
    from ogiaudit.procs import die_with, die_with_parent

    os.setsid()   # its own process group: stopped whole, and a terminal's Ctrl-C goes to the parent only
    die_with_parent(parent if os.getppid() == parent else None)
    if parent is not None:
        die_with(parent)   # forked by the fork server: its parent is that server, not the caller
    _limit_memory(int(payload["crawl"].get("max_memory_mb", 2048)))
    try:
        from pathlib import Path

        (Path(payload["archive_dir"]) / ".logs").mkdir(parents=True, exist_ok=True)
        if payload.get("migrated"):
            from storage import db

            db.assume_migrated(payload["database_url"])
        import logging

        from scrapy import signals
        from scrapy.crawler import CrawlerProcess

        from crawler.middlewares import private_hosts
        from crawler.settings import scrapy_settings
        from crawler.spiders.annual_reports import AnnualReportsSpider

        process = CrawlerProcess(scrapy_settings(payload, {"OGIAUDIT_PRIVATE_HOSTS": private_hosts(portals),
                                                           **(overrides or {})}))
        logging.getLogger("scrapy").setLevel(logging.WARNING)
        crawler = process.create_crawler(AnnualReportsSpider)
        counters = {"responses": 0, "documents": 0, "errors": 0, "last": 0.0}

        def _tick(url=""):
            now = time.monotonic()
            if now - counters["last"] > 0.2:
                counters["last"] = now
                q.put(("progress", counters["responses"], counters["documents"], counters["errors"], url))

        def on_response(response, request, spider):
            counters["responses"] += 1
            _tick(response.url)

        def on_item(item, response, spider):
            if item.get("kind") == "document":
                counters["documents"] += 1
            else:
                counters["errors"] += 1
            _tick()

        crawler.signals.connect(on_response, signal=signals.response_received)
        crawler.signals.connect(on_item, signal=signals.item_scraped)
        process.crawl(crawler, portals=portals)
        process.start()
        spider = crawler.spider
        stats = crawler.stats.get_stats()
        if spider is not None and getattr(spider, "storage_error", None):
            q.put(("failed", f"无法打开数据库或存档：{spider.storage_error}", ""))
            return
        if spider is None or "finish_reason" not in stats:
            q.put(("failed", "Scrapy 未能启动抓取（详见上方日志）", ""))
            return
        out = []
        for pid, st in spider.portal_stats.items():
            portal = spider.portals[pid]
            out.append(PortalSummary(
                portal_id=pid, name=portal.name, pages=st.pages, documents=st.documents, reports=len(st.report_urls),
                ok=st.ok, complete=st.complete, errors=list(st.errors),
                skipped=list(st.skipped), new_bodies=sorted(st.new_bodies), changed=list(st.changed),
                known_skipped=st.known_skipped))
        summary = CrawlSummary(
            portals=out, requests=stats.get("downloader/request_count", 0),
            responses=stats.get("downloader/response_count", 0),
            bytes=stats.get("ogiaudit/wire_bytes", 0), not_modified=stats.get("ogiaudit/wire_304", 0),
            cached=stats.get("httpcache/hit", 0) + stats.get("httpcache/revalidate", 0),
            stats={k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in stats.items()},
            finish_reason=stats.get("finish_reason"))
        if summary.finish_reason != "finished":
            summary.error = f"抓取未完成（{summary.finish_reason}），已记为不完整"
        q.put(("done", summary))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as a crawl failure
        import traceback
        q.put(("failed", f"{type(exc).__name__}: {exc}", traceback.format_exc()))


def crawl(settings, portals: list, progress: bool = True, *, overrides: dict | None = None,
          timeout: float | None = None, should_stop=None) -> CrawlSummary:
    """Crawl `portals` in a child process, archiving into `settings` (database, archive, [crawl]).
    timeout: seconds (default: [crawl] max_hours plus a margin).  should_stop: a callable asked twice a second; when
    it says True the crawl is stopped and recorded as incomplete (a worker handing its job back).  Any exception here (KeyboardInterrupt, the
    signal of a stopped run) stops the child's whole process group first, then propagates."""
    ctx = _context()
    q = ctx.Queue()
    started = time.monotonic()
    payload = _settings_payload(settings)
    timeout = timeout or float(payload["crawl"].get("max_hours", 6.0)) * 3600 + 600
    proc = ctx.Process(target=_child, args=(payload, list(portals), q, overrides, os.getpid()), daemon=True)
    proc.start()
    status = None
    if progress:
        from rich.console import Console
        status = Console(stderr=True).status("正在抓取…")
        status.start()
    result = None
    try:
        result = _wait(proc, q, status, started, timeout, should_stop)
    finally:
        if status is not None:
            status.stop()
        _finish(proc, reported=result is not None and result.finish_reason is not None)
    if result is None:
        result = CrawlSummary(error=f"抓取进程异常退出（退出码 {proc.exitcode}）")
    result.seconds = time.monotonic() - started
    return result


STOPPED = "抓取已停止（工作进程退出），任务已交还队列，记为不完整"


def _wait(proc, q, status, started: float, timeout: float, should_stop=None) -> CrawlSummary | None:
    while True:
        try:
            msg = q.get(timeout=0.5)
        except queue_mod.Empty:
            if not proc.is_alive():
                return None
            if should_stop is not None and should_stop():
                return CrawlSummary(error=STOPPED)
            if time.monotonic() - started > timeout:
                return CrawlSummary(error=f"抓取超时（超过 {timeout / 3600:.1f} 小时），已停止，记为不完整")
            continue
        if msg[0] == "progress" and status is not None:
            _, pages, docs, errors, url = msg
            status.update(f"正在抓取：已获取 {pages} 页，文档 {docs} 份，失败 {errors} 次  {url[-60:]}")
        elif msg[0] == "done":
            return msg[1]
        elif msg[0] == "failed":
            if msg[2] and os.environ.get("OGIAUDIT_DEBUG"):
                print(msg[2], file=sys.stderr)
            return CrawlSummary(error=msg[1])


def _finish(proc, reported: bool) -> None:
    """Let a child that reported its summary exit; stop one that is still crawling (timeout, interruption)."""
    from ogiaudit.procs import stop_group

    if reported:
        proc.join(timeout=30)
    stop_group(proc, STOP_GRACE)
