"""A real HTTP server for the sample portal: threaded, ETag / Last-Modified / 304, a page that fails with 500 twice
then recovers, a slow page, Hanweb's dataproxy.jsp, and an access log (for the tests)."""
from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.sample_portal.site import FLAKY_PATHS, LAST_MODIFIED, REDIRECTS, SLOW_PATHS, Page, build_site, dataproxy


class SamplePortalServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, slow_seconds: float = 1.5):
        super().__init__(address, _Handler)
        self.site = build_site()
        self.slow_seconds = slow_seconds
        self.validators = True   # ETag / Last-Modified; False: a server that gives none (many real portals)
        self.failures = dict(FLAKY_PATHS)
        self.log: list[tuple[str, str, int, int]] = []   # (method, path, status, bytes)
        self.lock = threading.Lock()
        self.holds: dict[str, tuple[threading.Event, threading.Event, bool]] = {}

    def hold(self, path: str, partial: bool = False) -> threading.Event:
        """Stall requests for `path` (after half the body when `partial`: a download in progress) until release();
        the returned event is set when such a request has arrived (tests interrupt a crawl at that point)."""
        arrived = threading.Event()
        self.holds[path] = (arrived, threading.Event(), partial)
        return arrived

    def release(self) -> None:
        for _arrived, go, _partial in self.holds.values():
            go.set()
        self.holds.clear()

    def handle_error(self, request, client_address):
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):  # a client that went away: quiet
            super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def reset_log(self) -> None:
        with self.lock:
            self.log.clear()

    def fetched(self, status: int = 200) -> list[str]:
        with self.lock:
            return [p for _m, p, s, _n in self.log if s == status]


class _Handler(BaseHTTPRequestHandler):
    server: SamplePortalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - quiet; the server keeps its own log
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8", headers=None):
        held = self.server.holds.get(unquote(urlsplit(self.path).path))
        if held and not held[2]:
            held[0].set()
            held[1].wait(120)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            if held and held[2]:   # half the body, then stall: a download in progress
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                held[0].set()
                held[1].wait(120)
                body = body[len(body) // 2:]
            self.wfile.write(body)
        with self.server.lock:
            self.server.log.append((self.command, self.path, status, len(body)))

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode("utf-8", "replace"))) if length else {}
        self.do_GET(form)

    def do_GET(self, form=None):
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path in SLOW_PATHS:
            time.sleep(self.server.slow_seconds)
        with self.server.lock:
            left = self.server.failures.get(path, 0)
            if left:
                self.server.failures[path] = left - 1
        if left:
            return self._send(500, "服务器内部错误".encode(), headers={"Connection": "close"})
        if path in REDIRECTS:
            return self._send(302, b"", headers={"Location": REDIRECTS[path]})
        if path.endswith("/module/web/jpage/dataproxy.jsp"):
            query = dict(parse_qsl(parts.query))
            query.update(form or {})
            page = Page(dataproxy(query), "text/xml; charset=utf-8")
        else:
            page = self.server.site.get(path)
        if page is None and path.endswith("/"):
            page = self.server.site.get(path + "index.html")
        if page is None:
            return self._send(404, "<h1>404 页面不存在</h1>".encode())
        etag = '"' + hashlib.sha1(page.body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=0"}
        if not self.server.validators:
            return self._send(200, page.body, page.content_type)
        inm = self.headers.get("If-None-Match")
        if inm and etag in [t.strip() for t in inm.split(",")]:
            return self._send(304, b"", page.content_type, headers)
        if not inm and self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return self._send(304, b"", page.content_type, headers)
        return self._send(200, page.body, page.content_type, headers)


def start(port: int = 0, host: str = "127.0.0.1", slow_seconds: float = 1.5) -> SamplePortalServer:
    """Start the sample portal in a background thread; `server.base_url` tells where; `server.shutdown()` stops."""
    server = SamplePortalServer((host, port), slow_seconds=slow_seconds)
    threading.Thread(target=server.serve_forever, name="sample-portal", daemon=True).start()
    return server
