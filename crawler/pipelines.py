"""Archive and record: every fetched document through storage.repository (bytes stored once by sha256), crawl
problems as problems (never findings), a crawl row per portal, and the fact that a document changed (the PUB-CHANGED
rule judges it: auditor/rules/publication.py).  The crawler records; only rules judge.

The crawl row is written when the crawl starts, as failed and incomplete, and completed only when Scrapy says why it
stopped: only a crawl that ran to its end ("finished"), found the 年报 column, read every list page and hit no limit
is complete.  A crawl stopped by a signal, a timeout or a kill stays incomplete, so no PUB-MISSING is decided from it."""
from __future__ import annotations

import logging
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path

logger = logging.getLogger(__name__)
BATCH_ITEMS = 50
BATCH_BYTES = 16 * 1024 * 1024
BATCH_SECONDS = 2.0
STORAGE_FAILED = "存档失败"   # in a portal's errors: a document could not be recorded (the crawl is not ok)


def _date(value):
    if not value:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _dt(value):
    if not value:
        return datetime.now(UTC)
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _report_text(data: bytes) -> str:
    """The visible text of an HTML page without whitespace, date-times and visit counters (which many portals change
    on every render); a changed word or figure of the report still changes it."""
    from crawler.dates import visible_text

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030", "replace")
    text = visible_text(text)
    text = re.sub(r"\d{4}[-/年.]\d{1,2}[-/月.]\d{1,2}日?\s*\d{1,2}[:时]\d{2}([:分]\d{2}秒?)?", "", text)
    text = re.sub(r"(浏览|访问|阅读|点击)(次数|量)?\s*[:：]?\s*\d+\s*次?", "", text)
    return re.sub(r"\s+", "", text)


class StoragePipeline:
    def __init__(self, database_url: str, archive_dir: str, queue: bool = False):
        self.database_url = database_url
        self.queue = queue   # distributed: each new or changed document's audit job is written with its row
        self.archive_dir = Path(archive_dir)
        self.engine = None
        self.known_bodies: dict[str, set[str]] = {}
        self.buffer: list[dict] = []
        self.buffered_bytes = 0
        self.last_flush = time.monotonic()
        self.crawl_ids: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        o = cls(crawler.settings.get("OGIAUDIT_DATABASE_URL"), crawler.settings.get("OGIAUDIT_ARCHIVE_DIR"),
                crawler.settings.getbool("OGIAUDIT_QUEUE"))
        o.crawler = crawler
        crawler.signals.connect(o.spider_closed, signal=signals.spider_closed)   # the only place the reason is told
        return o

    def open_spider(self, spider=None):
        from storage import db, repository

        spider = spider or self.crawler.spider
        try:
            self.archive_dir.mkdir(parents=True, exist_ok=True)
            self.engine = db.connect(self.database_url)
        except Exception as exc:
            spider.storage_error = f"{exc}"   # the crawl is stopped and reported as failed
            raise
        with db.session(self.engine) as s:
            for portal in spider.portals.values():
                repository.upsert_portal(s, portal)
                self.known_bodies[portal.id] = {b.name for b in portal.bodies}
                for b in portal.bodies:
                    from crawler.titles import infer_kind
                    repository.add_body(s, portal.id, b.name, b.kind or infer_kind(b.name), True)
                self.crawl_ids[portal.id] = repository.start_crawl(s, portal_id=portal.id,
                                                                   started=spider.portal_stats[portal.id].started)

    def process_item(self, item, spider=None):
        """Items are written in batches (one transaction, a savepoint per item): one commit per document would
        cost more than fetching it."""
        spider = spider or self.crawler.spider
        self.buffer.append(item)
        self.buffered_bytes += len(item.get("data") or b"")
        if (len(self.buffer) >= BATCH_ITEMS or self.buffered_bytes >= BATCH_BYTES
                or time.monotonic() - self.last_flush >= BATCH_SECONDS):
            self.flush(spider)
        return item

    def flush(self, spider) -> None:
        from storage import db

        items, self.buffer, self.buffered_bytes = self.buffer, [], 0
        self.last_flush = time.monotonic()
        if not items or self.engine is None:
            return
        try:
            with db.session(self.engine) as s:
                for item in items:
                    try:
                        with s.begin_nested():
                            self._process(s, item, spider)
                    except Exception as exc:  # noqa: BLE001 - recorded as a crawl error below
                        self._failed(item, spider, exc)
        except Exception as exc:  # noqa: BLE001 - the commit itself failed: none of them is recorded
            for item in items:
                self._failed(item, spider, exc)

    def _failed(self, item, spider, exc) -> None:
        """A storage failure makes the portal's crawl not ok (no PUB-MISSING decided from it), never silent."""
        logger.error("%s：%s：%s", STORAGE_FAILED, item.get("url"), exc)
        stats = spider.portal_stats.get(item.get("portal"))
        if stats is not None:
            stats.errors.append(f"{item.get('url')}: {STORAGE_FAILED}：{type(exc).__name__}: {exc}"[:300])

    def _process(self, s, item, spider):
        from storage import repository

        portal_id = item["portal"]
        if item["kind"] == "problem":
            repository.record_problem(s, url=item["url"], portal_id=portal_id, error=item["error"],
                                      when=_dt(item.get("when")))
            return
        source = item.get("published_source")
        row, changed = repository.record_document(
            s, url=item["url"], data=item["data"], archive_dir=self.archive_dir,
            content_type=item.get("content_type") or None, portal_id=portal_id, body_name=item.get("body"),
            title=item.get("title"), published=_date(item.get("published")),
            published_source={"url": "portal"}.get(source, source), fetched_at=_dt(item.get("fetched_at")))
        body = item.get("body")
        if body and body not in self.known_bodies.setdefault(portal_id, set()):
            repository.add_body(s, portal_id, body, item.get("body_kind") or "department", False)
            self.known_bodies[portal_id].add(body)
            spider.portal_stats[portal_id].new_bodies.add((body, item.get("body_kind") or "department"))
        if changed:
            self._changed(s, repository, row, item)
        if self.queue and row.audited_sha256 != row.sha256:
            from storage import jobqueue
            jobqueue.defer_audit(s, row.id, portal_id, item.get("year"))

    def _same_text(self, old_sha: str, item) -> bool:
        """An HTML page whose report text did not change (only a visit counter, a generation time, a token …)."""
        if "html" not in (item.get("content_type") or "").lower() or not old_sha:
            return False
        path = self.archive_dir / old_sha[:2] / old_sha[2:4] / old_sha
        try:
            old = path.read_bytes()
        except OSError:
            return False
        return _report_text(old) == _report_text(item["data"])

    def _changed(self, s, repository, row, item):
        """Record what changed (a fact); the PUB-CHANGED rule judges it (auditor/rules/publication.py)."""
        from auditor.rules.publication import Changed, DocumentChange

        old = getattr(row, "previous_sha256", None) or getattr(row, "old_sha256", None) or ""
        change = DocumentChange(url=item["url"], old_sha256=old, new_sha256=getattr(row, "sha256", "") or "",
                                same_text=self._same_text(old, item),
                                first_seen=_date(getattr(row, "first_fetched", None)) or date.today(),
                                seen=date.today())
        finding = Changed.judge(change)
        if finding is None:
            return
        repository.store_extra_finding(s, portal_id=item["portal"], body=item.get("body"), year=item.get("year"),
                                       finding=finding, url=item["url"])
        self.crawler.spider.portal_stats[item["portal"]].changed.append(item["url"])

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        if self.engine is not None:
            self.flush(spider)

    def spider_closed(self, spider, reason):
        """The crawl rows, now that Scrapy says why it stopped ("finished" only when it ran to its end)."""
        from storage import db, repository

        if self.engine is None:
            return
        finished = datetime.now(UTC)
        with db.session(self.engine) as s:
            for pid, st in spider.portal_stats.items():
                st.ok, st.complete = ok, complete = crawl_outcome(st, reason)
                if pid in self.crawl_ids:
                    repository.finish_crawl(s, self.crawl_ids[pid], finished=finished, ok=ok, complete=complete,
                                            errors=st.errors, pages=st.pages, documents=st.documents)


def crawl_outcome(st, reason: str) -> tuple[bool, bool]:
    """(ok, complete) of one portal's crawl; the reasons it is not are added to st.errors."""
    if reason != "finished":
        st.errors.append(f"抓取未完成：被中断或超时（{reason}）")   # shutdown, cancelled, closespider_timeout …
    elif not st.column_found and not st.errors:
        st.errors.append("未找到政府信息公开年报栏目")
    st.errors.extend(m for m in st.limits if m not in st.errors)
    complete = reason == "finished" and st.column_found and st.list_errors == 0 and not st.limits
    return not st.errors, complete
