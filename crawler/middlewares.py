"""Downloader middlewares: the address guard (hosts, schemes, private addresses; robots.txt requests and redirects
included), robots.txt refusals told apart from failed fetches, retries with backoff; and the DNS resolver that never
hands a crawl a private address for a name that was not configured."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver

from crawler.addresses import is_private as _is_private
from crawler.addresses import resolve

logger = logging.getLogger(__name__)


class GuardDropped(IgnoreRequest):
    """A request the address guard refused (another host, scheme or a private address)."""


class RobotsForbidden(IgnoreRequest):
    """A request robots.txt forbids: a deliberate skip, not a failed fetch."""


def check_url(url: str, allowed: set[str], explicit: set[str], resolve=None) -> str | None:
    """Why `url` must not be fetched, or None when it may.

    allowed: host names the portal may be crawled on (its start URLs' hosts and `allowed_hosts`);
    explicit: host[:port] of the configured start URLs, the only private/loopback addresses ever fetched.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"不抓取 {parts.scheme or '无协议'} 地址"
    host = (parts.hostname or "").lower()
    if not host:
        return "地址无主机名"
    if host not in allowed:
        return f"主机 {host} 不在门户允许的范围内"
    netloc = _netloc(parts)
    if netloc in explicit:
        return None
    if _is_private(host):
        return f"不抓取私有或回环地址 {netloc}"
    if resolve is not None:
        for ip in resolve(host):
            if _is_private(ip):
                return f"主机 {host} 解析到私有或回环地址 {ip}"
    return None


def private_hosts(portals) -> list[str]:
    """Host names of configured start URLs: the only names the resolver may answer with a private address."""
    return sorted({(urlsplit(u).hostname or "").lower() for p in portals for u in p.start_urls} - {""})


def _netloc(parts) -> str:
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def explicit_netlocs(portal) -> set[str]:
    return {_netloc(urlsplit(u)) for u in portal.start_urls}


class GuardMiddleware:
    """Follows links only on a portal's own hosts, only over http(s), never to another private/loopback address.
    Runs on every request, redirects included (a redirect is a new request through the middlewares)."""

    def __init__(self):
        self._dns: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        o = cls()
        o.crawler = crawler
        return o

    def _resolve(self, host: str) -> list[str]:
        if host not in self._dns:
            self._dns[host] = resolve(host)   # [] when it does not resolve: the download fails on its own
        return self._dns[host]

    def _why_not(self, spider, portal_id: str, url: str) -> str | None:
        portal = spider.portals[portal_id]
        return check_url(url, spider.allowed[portal_id], explicit_netlocs(portal),
                         resolve=None if getattr(spider, "no_dns_check", False) else self._resolve)

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        portal_id = request.meta.get("portal")
        portals = getattr(spider, "portals", {})
        if portal_id in portals:
            reason = self._why_not(spider, portal_id, request.url)
        elif urlsplit(request.url).path == "/robots.txt":
            # Scrapy asks for robots.txt (and follows its redirects) outside any portal: it must be a URL some
            # portal may fetch, like every other request
            reasons = [self._why_not(spider, pid, request.url) for pid in portals]
            reason = None if None in reasons else (reasons[0] if reasons else "没有门户")
        else:
            reason = f"请求不属于任何门户：{request.url}"
        if reason:
            logger.info("guard: %s (%s)", reason, request.url)
            raise GuardDropped(reason)
        return None


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, whose refusals are RobotsForbidden: the spider tells a page robots.txt
    forbids (skipped) from a page the crawl gave up on (a failed fetch: the crawl is incomplete)."""

    async def process_request(self, request, spider=None):
        try:
            return await super().process_request(request)
        except RobotsForbidden:
            raise
        except IgnoreRequest as exc:
            raise RobotsForbidden(str(exc)) from None


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver that refuses to hand out a private, loopback or link-local address for a name that is not
    the host of a configured start URL: a name that resolved to a public address when the guard looked cannot
    resolve to an internal one when the connection is made (DNS rebinding)."""

    @classmethod
    def from_crawler(cls, crawler, reactor):
        o = super().from_crawler(crawler, reactor)
        o.explicit = set(crawler.settings.getlist("OGIAUDIT_PRIVATE_HOSTS"))
        return o

    def getHostByName(self, name, timeout=()):
        d = super().getHostByName(name, timeout)
        d.addCallback(self._checked, name)
        return d

    def _checked(self, address, name):
        from twisted.internet.error import DNSLookupError

        if name.lower() not in self.explicit and _is_private(str(address)):
            raise DNSLookupError(f"主机 {name} 解析到私有或回环地址 {address}，不抓取")
        return address


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (5xx, timeouts, connection errors) with an exponential pause before each retry."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 30.0)

    async def _pause(self, request):
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        tries = request.meta.get("retry_times", 1)
        delay = min(self.cap, self.base * (2 ** (tries - 1)))
        if delay > 0:
            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))

    async def process_response(self, request, response, spider=None):
        result = super().process_response(request, response)
        if result is not response:
            await self._pause(result)
        return result

    async def process_exception(self, request, exception, spider=None):
        result = super().process_exception(request, exception)
        if result is not None:
            await self._pause(result)
        return result


class WireStatsMiddleware:
    """Counts what really came over the wire (before the HTTP cache substitutes a 304 with the stored page):
    ogiaudit/wire_responses, ogiaudit/wire_bytes (bodies), ogiaudit/wire_header_bytes (status line and headers),
    ogiaudit/wire_304, ogiaudit/wire_200."""

    @classmethod
    def from_crawler(cls, crawler):
        o = cls()
        o.stats = crawler.stats
        return o

    def process_response(self, request, response, spider=None):
        self.stats.inc_value("ogiaudit/wire_responses")
        self.stats.inc_value("ogiaudit/wire_bytes", len(response.body))
        headers = sum(len(k) + len(v) + 4 for k, values in response.headers.items() for v in values)
        self.stats.inc_value("ogiaudit/wire_header_bytes", headers + 17)
        self.stats.inc_value(f"ogiaudit/wire_{response.status}")
        return response
