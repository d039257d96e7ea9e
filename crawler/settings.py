"""Scrapy settings for the ogiaudit crawl: polite by default (robots.txt, AutoThrottle, 2 requests per host, retries
with backoff), incremental (RFC 2616 HTTP cache: conditional requests, so unchanged pages come back as 304), capped."""
from __future__ import annotations

from pathlib import Path

BOT_NAME = "ogiaudit"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

BASE = {
    "BOT_NAME": BOT_NAME,
    "SPIDER_MODULES": SPIDER_MODULES,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "DOWNLOAD_DELAY": 0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 3,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "RETRY_BACKOFF_BASE": 1.0,
    "RETRY_BACKOFF_MAX": 30.0,
    "HTTPCACHE_ENABLED": True,
    "HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy",
    "HTTPCACHE_STORAGE": "scrapy.extensions.httpcache.FilesystemCacheStorage",
    "HTTPCACHE_EXPIRATION_SECS": 0,
    "HTTPCACHE_IGNORE_HTTP_CODES": [],
    "HTTPCACHE_GZIP": False,
    "DOWNLOADER_MIDDLEWARES": {
        "crawler.middlewares.GuardMiddleware": 50,
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "crawler.middlewares.RobotsMiddleware": 100,
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "crawler.middlewares.BackoffRetryMiddleware": 550,
        "crawler.middlewares.WireStatsMiddleware": 950,
        "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    },
    "ITEM_PIPELINES": {"crawler.pipelines.StoragePipeline": 300},
    "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
    "COOKIES_ENABLED": False,
    "REDIRECT_MAX_TIMES": 5,
    "DOWNLOAD_WARNSIZE": 0,
    "TWISTED_DNS_RESOLVER": "crawler.middlewares.GuardedResolver",
}


def scrapy_settings(settings, overrides: dict | None = None) -> dict:
    """Scrapy settings from ogiaudit Settings (database, archive, [crawl]) plus explicit overrides."""
    crawl = settings["crawl"] if isinstance(settings, dict) else settings.crawl.model_dump()
    database_url = settings["database_url"] if isinstance(settings, dict) else settings.database_url
    archive_dir = Path(settings["archive_dir"] if isinstance(settings, dict) else settings.archive_dir).resolve()
    out = dict(BASE)
    out.update({
        "USER_AGENT": crawl["user_agent"],
        "DOWNLOAD_MAXSIZE": int(crawl["max_download_mb"]) * 1024 * 1024,
        "CONCURRENT_REQUESTS_PER_DOMAIN": int(crawl["concurrent_per_host"]),
        "DOWNLOAD_TIMEOUT": float(crawl["download_timeout"]),
        "ROBOTSTXT_OBEY": bool(crawl["obey_robots"]),
        "OGIAUDIT_MAX_LIST_PAGES": int(crawl.get("max_list_pages", 200)),
        "OGIAUDIT_MAX_REPORTS": int(crawl.get("max_reports", 5000)),
        "CLOSESPIDER_TIMEOUT": float(crawl.get("max_hours", 6.0)) * 3600,
        "HTTPCACHE_DIR": str(archive_dir / ".httpcache"),
        # Scrapy's own log (English, tracebacks) goes to a file; the user sees the crawl summary and one line a problem
        "LOG_FILE": str(archive_dir / ".logs" / "crawl.log"),
        "OGIAUDIT_DATABASE_URL": database_url,
        "OGIAUDIT_ARCHIVE_DIR": str(archive_dir),
    })
    out.update(overrides or {})
    return out
