"""Crawler benchmark on a generated farm of county portals on loopback.

    python bench/bench_crawl.py --portals 300 --reports 30      # the full farm
    python bench/bench_crawl.py --quick                          # 5 portals x 5 reports, to check that it runs

Measures, with politeness off (no AutoThrottle, no robots.txt, 16 concurrent requests to the one loopback host):
  1. the ogiaudit crawl (spider + guard + HTTP cache + storage pipeline into SQLite + archive): pages per second;
  2. a bare Scrapy fetch of exactly the same URLs (no parsing, no cache, no pipeline): the overhead per page;
  3. a re-crawl of the unchanged farm: requests and bytes against the first crawl (target: at most 5% of the bytes).
Each crawl runs in its own child process, the farm's HTTP server in another.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PER_PAGE = 10
LAST_MODIFIED = "Mon, 06 Feb 2023 08:00:00 GMT"
POLITENESS_OFF = {
    "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "DOWNLOAD_DELAY": 0, "RETRY_BACKOFF_BASE": 0.1, "LOG_LEVEL": "ERROR",
}
# a real report's text (seed 001, 9 KB) and a portal's usual page chrome (navigation, footer: about 12 KB), so that
# pages weigh what real ones do (20-30 KB) and the re-crawl's share is not distorted by toy-sized pages
REPORT_TEXT = (REPO / "crawler/sample_portal/data/001_478f2faad5532fd2.txt").read_text(encoding="utf-8")
CHROME = "".join(f'<li><a href="/col/col{n}/index.html">栏目{n}：政务公开 政策文件 解读回应 办事服务 互动交流</a></li>'
                 for n in range(120))


# -- the farm ------------------------------------------------------------------------------------------------------
def farm_page(path: str, portals: int, reports: int) -> tuple[bytes, str] | None:
    parts = path.strip("/").split("/")
    if not parts or not parts[0].startswith("p") or not parts[0][1:].isdigit():
        return None
    i = int(parts[0][1:])
    if i >= portals:
        return None
    rest = "/".join(parts[1:])
    pages = max(1, -(-reports // PER_PAGE))
    if rest in ("", "index.html"):
        html = (f'<html><head><meta charset="utf-8"><title>测试{i}县人民政府</title></head><body><ul>{CHROME}</ul>'
                f'<a href="/p{i}/xxgk/">政府信息公开</a> <a href="/p{i}/nb/index.html">政府信息公开年报</a></body></html>')
    elif rest.startswith("nb/index"):
        n = 0 if rest == "nb/index.html" else int(rest[len("nb/index_"):-len(".html")])
        if n >= pages:
            return None
        items = "".join(
            f'<li><a href="./202301/t202301{(j % 28) + 1:02d}_{i * 1000 + j}.html">测试{i}县第{j}镇2022年政府信息公开工作'
            f'年度报告</a><span>2023-01-{(j % 28) + 1:02d}</span></li>'
            for j in range(n * PER_PAGE, min(reports, (n + 1) * PER_PAGE)))
        html = (f'<html><head><meta charset="utf-8"><meta name="ColumnName" content="政府信息公开年报"></head><body>'
                f'<ul class="nav">{CHROME}</ul><ul>{items}</ul><script>createPageHTML({pages}, {n}, "index", "html");</script></body></html>')
    elif rest.startswith("nb/202301/t"):
        ident = int(rest.rsplit("_", 1)[1].split(".")[0])
        j = ident - i * 1000
        if not 0 <= j < reports:
            return None
        body = "".join(f"<p>{line}</p>" for line in REPORT_TEXT.splitlines())
        html = (f'<html><head><meta charset="utf-8"><meta name="PubDate" content="2023-01-{(j % 28) + 1:02d} 10:00">'
                f'<meta name="ArticleTitle" content="测试{i}县第{j}镇2022年政府信息公开工作年度报告"></head><body>'
                f'<ul class="nav">{CHROME}</ul><h1>测试{i}县第{j}镇2022年政府信息公开工作年度报告</h1>'
                f'<div class="TRS_Editor">{body}</div></body></html>')
    else:
        return None
    return html.encode("utf-8"), "text/html; charset=utf-8"


def serve_farm(port_q, portals: int, reports: int) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            page = farm_page(self.path.split("?")[0], portals, reports)
            if page is None:
                body, status, headers = b"not found", 404, {}
            else:
                body, ctype = page
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=0",
                           "Content-Type": ctype}
                status = 304 if self.headers.get("If-None-Match") == etag else 200
                if status == 304:
                    body = b""
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 256
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_q.put(server.server_address[1])
    server.serve_forever()


# -- the bare Scrapy fetch -----------------------------------------------------------------------------------------
def bare_fetch(urls: list[str], q) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"

        async def start(self):
            for u in urls:
                yield scrapy.Request(u, callback=self.parse, dont_filter=True)

        def parse(self, response):
            return None

    process = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
                              "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False})
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    st = crawler.stats.get_stats()
    q.put({"responses": st.get("downloader/response_count", 0), "seconds": st.get("elapsed_time_seconds", 0.0),
           "bytes": st.get("downloader/response_bytes", 0)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portals", type=int, default=300)
    ap.add_argument("--reports", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="5 portals x 5 reports")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--keep", action="store_true", help="keep the temporary database, archive and HTTP cache")
    args = ap.parse_args()
    if args.quick:
        args.portals, args.reports = 5, 5

    from ogiaudit.crawljob import crawl
    from ogiaudit.portals import BodySpec, Portal

    ctx = mp.get_context("spawn")
    port_q = ctx.Queue()
    server = ctx.Process(target=serve_farm, args=(port_q, args.portals, args.reports), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port_q.get(timeout=30)}"
    tmp = Path(tempfile.mkdtemp(prefix="ogiaudit-bench-"))
    portals = [Portal(id=f"p{i}", name=f"测试{i}县人民政府", region=["测试省", "测试市", f"测试{i}县"],
                      start_urls=[f"{base}/p{i}/"], bodies=[BodySpec(f"测试{i}县第0镇人民政府", "township")])
               for i in range(args.portals)]
    settings = {"database_url": f"sqlite:///{tmp}/bench.db", "archive_dir": str(tmp / "archive"),
                "crawl": {"user_agent": "ogiaudit-bench", "max_download_mb": 50, "concurrent_per_host": 16,
                          "download_timeout": 30, "obey_robots": False}}
    try:
        t0 = time.monotonic()
        first = crawl(settings, portals, progress=sys.stderr.isatty(), overrides=POLITENESS_OFF)
        wall1 = time.monotonic() - t0
        if first.error:
            raise SystemExit(f"crawl failed: {first.error}")
        second = crawl(settings, portals, progress=sys.stderr.isatty(), overrides=POLITENESS_OFF)
        # the same URLs, fetched bare: home, list pages, detail pages
        pages = max(1, -(-args.reports // PER_PAGE))
        urls = []
        for i in range(args.portals):
            urls.append(f"{base}/p{i}/")
            urls += [f"{base}/p{i}/nb/index.html"] + [f"{base}/p{i}/nb/index_{n}.html" for n in range(1, pages)]
            urls += [f"{base}/p{i}/nb/202301/t202301{(j % 28) + 1:02d}_{i * 1000 + j}.html" for j in range(args.reports)]
        q = ctx.Queue()
        bare = ctx.Process(target=bare_fetch, args=(urls, q))
        bare.start()
        bare_stats = q.get(timeout=3600)
        bare.join()
    finally:
        server.terminate()
        if not args.keep:
            import shutil
            shutil.rmtree(tmp, ignore_errors=True)

    s1, s2 = first.stats, second.stats
    t1 = s1.get("elapsed_time_seconds") or first.seconds
    n1 = s1.get("ogiaudit/wire_responses", first.responses)
    figures = {
        "farm": {"portals": args.portals, "reports_per_portal": args.reports, "urls": len(urls)},
        "first_crawl": {"responses": n1, "documents": first.documents, "seconds": round(t1, 2),
                        "wall_seconds_with_process_start": round(wall1, 2), "pages_per_second": round(n1 / t1, 1),
                        "bytes": first.bytes, "header_bytes": s1.get("ogiaudit/wire_header_bytes", 0)},
        "bare_scrapy": {"responses": bare_stats["responses"], "seconds": round(bare_stats["seconds"], 2),
                        "pages_per_second": round(bare_stats["responses"] / bare_stats["seconds"], 1)},
        "recrawl": {"requests": s2.get("downloader/request_count", 0),
                    "responses_304": s2.get("ogiaudit/wire_304", 0),
                    "responses_200": s2.get("ogiaudit/wire_200", 0), "bytes": second.bytes,
                    "bytes_share_of_first": round(second.bytes / max(1, first.bytes), 4),
                    "header_bytes": s2.get("ogiaudit/wire_header_bytes", 0),
                    "share_of_first_with_headers": round(
                        (second.bytes + s2.get("ogiaudit/wire_header_bytes", 0))
                        / max(1, first.bytes + s1.get("ogiaudit/wire_header_bytes", 0)), 4),
                    "documents_refetched": s2.get("ogiaudit/wire_200", 0),
                    "seconds": round(s2.get("elapsed_time_seconds", second.seconds), 2)},
    }
    per_page_ms = (t1 / max(1, n1) - bare_stats["seconds"] / max(1, bare_stats["responses"])) * 1000
    figures["overhead_ms_per_page"] = round(per_page_ms, 2)
    figures["target_recrawl_bytes_at_most_5pct"] = figures["recrawl"]["share_of_first_with_headers"] <= 0.05
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    f = figures
    print(f"farm: {args.portals} portals x {args.reports} reports = {len(urls)} URLs")
    print(f"ogiaudit crawl : {f['first_crawl']['responses']} responses in {f['first_crawl']['seconds']} s = "
          f"{f['first_crawl']['pages_per_second']} pages/s ({f['first_crawl']['documents']} documents archived; "
          f"{f['first_crawl']['wall_seconds_with_process_start']} s with the child process start)")
    print(f"bare Scrapy    : {f['bare_scrapy']['responses']} responses in {f['bare_scrapy']['seconds']} s = "
          f"{f['bare_scrapy']['pages_per_second']} pages/s")
    print(f"overhead       : {f['overhead_ms_per_page']} ms per page (parsing, guard, cache, SQLite + archive)")
    r = f["recrawl"]
    print(f"re-crawl       : {r['requests']} requests, {r['responses_304']} x 304, {r['responses_200']} x 200, "
          f"{r['bytes']} body bytes = {r['bytes_share_of_first'] * 100:.2f}% of the first crawl's {first.bytes}; "
          f"with response headers {r['share_of_first_with_headers'] * 100:.2f}% "
          f"(target <= 5%: {'met' if f['target_recrawl_bytes_at_most_5pct'] else 'NOT met'}); {r['seconds']} s")


if __name__ == "__main__":
    main()
