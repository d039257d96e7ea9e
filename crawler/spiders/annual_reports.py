"""The one spider: driven by config rows (ogiaudit.portals.Portal), never one spider per county.

home / 信息公开 page --(年报 column link)--> list pages --(every pager)--> report entries (by title)
  --> detail page (publication date, attachments) --> attachments
Items are plain dicts: kind "document" (bytes to archive) or "problem" (a fetch that failed).
"""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.http import FormRequest, TextResponse
from twisted.python.failure import Failure

from crawler.dates import url_date
from crawler.portals import FAMILIES, any_says, ask, families_for, toolkit
from crawler.titles import body_from_title, core_name, infer_kind, match_body, report_year
from storage import crawlstate, db

MAX_NAV_DEPTH = 2
MAX_ATTACHMENTS = 50   # files followed from one report page (a report has one or two); more: the crawl is incomplete


class PortalStats:
    def __init__(self):
        self.pages = 0
        self.documents = 0
        self.report_urls: set[str] = set()
        self.column_found = False
        self.errors: list[str] = []
        self.list_errors = 0
        self.skipped: list[str] = []
        self.new_bodies: set[tuple[str, str]] = set()
        self.changed: list[str] = []
        self.known_skipped = 0
        self.started = datetime.now(UTC)
        self.list_urls: set[str] = set()   # list pages requested (下一页, sub-columns, dataproxy)
        self.entries: set[str] = set()     # report entries followed
        self.limits: list[str] = []        # limits reached: the crawl stopped short of the whole column
        self.ok = self.complete = False    # decided when the crawl ends (pipelines.crawl_outcome)

    def limit(self, message: str) -> None:
        if message not in self.limits:
            self.limits.append(message)


class AnnualReportsSpider(scrapy.Spider):
    name = "annual_reports"

    def __init__(self, portals=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.portals = {p.id: p for p in (portals or [])}
        self.portal_stats = {pid: PortalStats() for pid in self.portals}
        self.allowed = {pid: allowed_hosts(p) for pid, p in self.portals.items()}
        for p in self.portals.values():
            if p.cms and p.cms not in FAMILIES:
                self.logger.warning("portal %s: cms %r is no CMS family (%s); every family is tried", p.id, p.cms,
                                    ", ".join(FAMILIES))

    # -- requests ---------------------------------------------------------------------------------------------------
    def _request(self, url, callback, portal, **meta):
        meta["portal"] = portal.id
        if not portal.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return scrapy.Request(url, callback=callback, errback=self.failed, meta=meta)

    def _limit(self, name: str, default: int) -> int:
        settings = getattr(self, "settings", None)
        return settings.getint(name, default) if settings is not None else default

    def _new_list_page(self, portal, key: str) -> bool:
        """Whether another list page may be read: at most OGIAUDIT_MAX_LIST_PAGES a portal (a calendar trap's
        endless 下一页 stops here, and the crawl is then incomplete: never evidence that a report is missing)."""
        stats = self.portal_stats[portal.id]
        if key in stats.list_urls:
            return True   # the dupefilter drops it
        cap = self._limit("OGIAUDIT_MAX_LIST_PAGES", 200)
        if len(stats.list_urls) >= cap:
            stats.limit(f"列表页超过上限 {cap} 页，未读完（[crawl] max_list_pages）")
            return False
        stats.list_urls.add(key)
        return True

    def _new_entry(self, portal, url: str) -> bool:
        stats = self.portal_stats[portal.id]
        if url in stats.entries:
            return True
        cap = self._limit("OGIAUDIT_MAX_REPORTS", 5000)
        if len(stats.entries) >= cap:
            stats.limit(f"年报条目超过上限 {cap} 条，未读完（[crawl] max_reports）")
            return False
        stats.entries.add(url)
        return True

    def _list_request(self, url, portal):
        if self._new_list_page(portal, url):
            yield self._request(url, self.parse_list, portal, role="list")

    # -- incremental state: list entries already fetched (for servers without ETag/Last-Modified) ---------------------
    def _load_state(self):
        """The portals' known list entries, from the audit database (storage/crawlstate.py); JSON state files of
        earlier versions (<archive>/.crawlstate/) are imported once."""
        settings = getattr(self, "settings", None)
        self.state_db = settings.get("OGIAUDIT_DATABASE_URL") if settings is not None else None
        self.recheck = timedelta(days=settings.getfloat("OGIAUDIT_RECHECK_DAYS", 7) if self.state_db else 0)
        self.state = {pid: {} for pid in self.portals}
        self.fetched = {pid: {} for pid in self.portals}   # entries fetched by this crawl: saved when it ends
        if not self.state_db:
            return
        archive = settings.get("OGIAUDIT_ARCHIVE_DIR")
        try:
            with db.session(db.connect(self.state_db)) as s:
                if archive:
                    crawlstate.import_json(s, Path(archive) / ".crawlstate", list(self.portals))
                self.state.update(crawlstate.load(s, list(self.portals)))
        except Exception as exc:  # noqa: BLE001 - without state every entry is fetched again: slower, never wrong
            self.logger.warning("crawl state not read (every entry is checked again): %s", exc)

    def _known_unchanged(self, portal_id, url, listed):
        """A list entry fetched before, still listed with the same date, from a server that gives no validators
        (so a conditional request cannot be made), and checked less than OGIAUDIT_RECHECK_DAYS ago."""
        entry = self.state.get(portal_id, {}).get(url)
        if not entry or entry.validators or entry.listed != listed or not self.recheck:
            return False
        return crawlstate.utcnow() - entry.checked < self.recheck

    def _remember(self, response):
        entry = response.meta.get("entry")
        portal_id = response.meta.get("portal")
        if entry and portal_id in self.fetched:
            validators = b"ETag" in response.headers or b"Last-Modified" in response.headers
            known = crawlstate.Entry(response.meta.get("listed"), validators, crawlstate.utcnow())
            self.fetched[portal_id][entry] = self.state.setdefault(portal_id, {})[entry] = known

    def closed(self, reason):
        if not getattr(self, "state_db", None) or not any(self.fetched.values()):
            return
        try:
            with db.session(db.connect(self.state_db)) as s:
                for pid, entries in self.fetched.items():
                    crawlstate.save(s, pid, entries)
        except Exception as exc:  # noqa: BLE001 - the next crawl checks these entries again
            self.logger.warning("crawl state not saved (the next crawl checks these entries again): %s", exc)

    async def start(self):
        self._load_state()
        for portal in self.portals.values():
            for url in portal.start_urls:
                yield self._request(url, self.parse_nav, portal, role="nav", nav_depth=0)

    # -- callbacks --------------------------------------------------------------------------------------------------
    def _portal(self, response):
        return self.portals[response.meta["portal"]]

    def _families(self, response):
        """The CMS families that make this page, the portal's configured `cms` first (crawler/portals)."""
        return families_for(response, self._portal(response).cms)

    def _count_page(self, response):
        self.portal_stats[response.meta["portal"]].pages += 1

    def parse_nav(self, response):
        """A home or 信息公开 page: go to the 年报 column; if it is the column, read it as a list."""
        self._count_page(response)
        if not isinstance(response, TextResponse):
            return
        portal = self._portal(response)
        families = self._families(response)
        if any_says(families, "is_column", response):
            yield from self.parse_list(response, counted=True)
            return
        columns = ask(families, "column_links", response)
        for url in columns:
            yield from self._list_request(url, portal)
        if not columns and response.meta.get("nav_depth", 0) < MAX_NAV_DEPTH:
            for url in ask(families, "nav_links", response)[:6]:
                yield self._request(url, self.parse_nav, portal, role="nav",
                                    nav_depth=response.meta.get("nav_depth", 0) + 1)

    def parse_list(self, response, counted=False):
        """A 年报 list page: report entries, the other pages of the list, sub-columns (部门年报, 乡镇年报)."""
        if not counted:
            self._count_page(response)
        if not isinstance(response, TextResponse):
            return
        portal = self._portal(response)
        stats = self.portal_stats[portal.id]
        stats.column_found = True
        seen = set()
        families = self._families(response)
        for item in ask(families, "list_items", response):
            year = report_year(item.title)
            if item.url in seen or (year is None and not maybe_report(item.title)):
                continue
            seen.add(item.url)
            if year is not None:
                stats.report_urls.add(item.url)
            listed = item.date.isoformat() if item.date else None
            if self._known_unchanged(portal.id, item.url, listed):
                stats.known_skipped += 1
                continue
            if not self._new_entry(portal, item.url):
                break
            meta = dict(role="detail", title=item.title, year=year, listed=listed, list_url=response.url,
                        entry=item.url)
            if toolkit.is_document_url(item.url):
                meta["role"] = "attachment"
                yield self._request(item.url, self.parse_attachment, portal, **meta)
            else:
                yield self._request(item.url, self.parse_detail, portal, **meta)
        for url in ask(families, "next_pages", response):
            yield from self._list_request(url, portal)
        for url, fields in ask(families, "next_posts", response):
            if not self._new_list_page(portal, f"{url} {sorted(fields.items())}"):
                break
            req = FormRequest(url, formdata=fields, callback=self.parse_list, errback=self.failed,
                              meta={"portal": portal.id, "role": "list"})
            if not portal.obey_robots:
                req.meta["dont_obey_robotstxt"] = True
            yield req
        for url in ask(families, "column_links", response):
            yield from self._list_request(url, portal)

    def parse_detail(self, response):
        """A report's detail page: its publication date, its attachments, and the page itself if it holds the text."""
        self._count_page(response)
        self._remember(response)
        portal = self._portal(response)
        if not isinstance(response, TextResponse):   # the "page" was a file after all
            yield from self.parse_attachment(response)
            return
        listed = response.meta.get("listed")
        family = self._families(response)[0]   # the page's own family (generic when no other matches)
        published, source = family.publication_date(response, date.fromisoformat(listed) if listed else None)
        title = family.detail_title(response)
        if report_year(title) is None:
            title = response.meta.get("title") or title
        year = report_year(title) or response.meta.get("year")
        if year is None:
            return   # a truncated list title that was not a report after all
        self.portal_stats[portal.id].report_urls.add(response.meta.get("entry") or response.url)
        body, kind, configured = self.guess_body(portal, title, family.content_source(response))
        info = dict(title=title, year=year, body=body, body_kind=kind, configured=configured,
                    published=published.isoformat() if published else None, published_source=source,
                    detail_url=response.url, role="attachment")
        has_body = family.has_report_body(response)
        if has_body:
            yield self.document(response, info)
        attachments = family.report_files(response, has_body)
        if len(attachments) > MAX_ATTACHMENTS:
            self.portal_stats[portal.id].limit(f"一个报告页面有 {len(attachments)} 个附件，只取前 {MAX_ATTACHMENTS} 个")
        for url, _text in attachments[:MAX_ATTACHMENTS]:
            yield self._request(url, self.parse_attachment, portal, **info)

    def parse_attachment(self, response):
        self._remember(response)
        portal = self._portal(response)
        meta = response.meta
        if meta.get("body") is None:   # a file linked straight from the list
            title = meta.get("title") or ""
            listed = meta.get("listed")
            body, kind, configured = self.guess_body(portal, title, "")
            published = listed
            source = "portal" if listed else None
            if not published and url_date(response.url):
                published, source = url_date(response.url).isoformat(), "url"
            info = dict(title=title, year=meta.get("year"), body=body, body_kind=kind, configured=configured,
                        published=published, published_source=source, detail_url=meta.get("list_url"))
        else:
            info = {k: meta.get(k) for k in ("title", "year", "body", "body_kind", "configured", "published",
                                             "published_source", "detail_url")}
        content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
        if (isinstance(response, TextResponse) and "html" in content_type
                and not self._families(response)[0].has_report_body(response)):
            if toolkit.is_document_url(response.url):   # a file's address answered with an error page
                yield self.problem(portal.id, response.request, "文件地址返回了网页而不是文件（可能是错误页）")
            return   # an HTML page where a file was expected (a viewer, an error page): nothing to archive
        yield self.document(response, info)

    # -- helpers ----------------------------------------------------------------------------------------------------
    def document(self, response, info):
        stats = self.portal_stats[response.meta["portal"]]
        stats.documents += 1
        return {
            "kind": "document", "portal": response.meta["portal"], "url": response.url, "data": response.body,
            "content_type": (response.headers.get("Content-Type") or b"").decode("latin-1"),
            "fetched_at": datetime.now(UTC).isoformat(), "cached": "cached" in response.flags,
            "referer": (response.request.headers.get("Referer") or b"").decode("latin-1") if response.request else "",
            **info,
        }

    def guess_body(self, portal, title, source):
        """(body name, kind, configured?): a configured body named in the title or by the page, else the name in the
        title (a body learned from the portal), else the portal's own government."""
        names = [b.name for b in portal.bodies]
        name = match_body(title, names) or (match_body(source, names) if source else None)
        if name:
            spec = next(b for b in portal.bodies if b.name == name)
            return name, spec.kind or infer_kind(name), True
        found = body_from_title(title, portal.region) or (source or None)
        own = core_name(portal.name)
        if not found or (core_name(found) and own.endswith(core_name(found))):
            return portal.name, "government", any(b.name == portal.name for b in portal.bodies)
        kind = infer_kind(found)
        if kind == "township" and not found.endswith(("政府", "办事处")):
            found += "办事处" if found.endswith("街道") else "人民政府"
        return found, kind, False

    def failed(self, failure: Failure):
        """A fetch that did not succeed.  Only a deliberate refusal (the address guard, robots.txt) is a skip; any
        other fetch the crawl gave up on (HTTP errors, timeouts, a file over the size cap before or after
        decompression, a cancelled download) is a failure, so the portal's crawl is not ok."""
        from scrapy.spidermiddlewares.httperror import HttpError

        from crawler.middlewares import GuardDropped, RobotsForbidden

        request = failure.request
        portal_id = request.meta.get("portal")
        if portal_id not in self.portal_stats:
            return
        if failure.check(GuardDropped, RobotsForbidden):
            self.portal_stats[portal_id].skipped.append(f"{request.url}: {failure.value}")
            return
        if failure.check(HttpError):
            error = f"HTTP {failure.value.response.status}"
        elif re.search(r"max ?size|MAXSIZE", failure.getErrorMessage(), re.I):
            mb = self.settings.getint("DOWNLOAD_MAXSIZE") / 1048576 if getattr(self, "settings", None) else 0
            error = f"文件超过大小上限（{mb:.0f} MB，含解压后），未下载"
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        yield self.problem(portal_id, request, error)

    def problem(self, portal_id: str, request, error: str) -> dict:
        stats = self.portal_stats[portal_id]
        stats.errors.append(f"{request.url}: {error}")
        if request.meta.get("role") in ("nav", "list"):
            stats.list_errors += 1
        return {"kind": "problem", "portal": portal_id, "url": request.url, "error": error,
                "role": request.meta.get("role"), "when": datetime.now(UTC).isoformat()}


_TRUNCATED_RE = re.compile(r"(\.\.\.|…|\.{2,}|。。)$")
def maybe_report(title: str) -> bool:
    """A list title cut short ("…2022年政府信息公开工...") that may be a report: the detail page decides."""
    t = re.sub(r"\s+", "", title or "")
    return bool(_TRUNCATED_RE.search(t)) and "公开" in t and bool(re.search(r"20\d{2}", t))


def allowed_hosts(portal) -> set[str]:
    hosts = {(urlsplit(u).hostname or "").lower() for u in portal.start_urls}
    hosts |= {h.lower() for h in portal.allowed_hosts}
    return {h for h in hosts if h}
