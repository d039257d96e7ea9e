"""Real HTTP servers on loopback for the tests (threads with http.server, an ephemeral port each): a route is a
path -> Reply, or a callable(handler) that writes whatever it likes (slow drips, lies, bombs).  Every request is
logged, so a test can assert that an address was never reached."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import urlsplit


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, routes: dict[str, Reply | Callable], fallback: Callable | None = None):
        super().__init__(address, _Handler)
        self.routes = routes
        self.fallback = fallback
        self.log: list[str] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def handle_error(self, request, client_address):  # a client that went away is no news
        pass

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):
        path = urlsplit(self.path).path
        with self.server.lock:
            self.server.log.append(path)
        route = self.server.routes.get(path) or self.server.fallback
        if route is None:
            route = Reply(b"not found", 404)
        if callable(route):
            return route(self)
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(route.body)))
        for k, v in route.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(route.body)

    do_HEAD = do_GET


def serve(routes: dict, host: str = "127.0.0.1", fallback: Callable | None = None) -> Server:
    import socket

    if ":" in host:
        class Server6(Server):
            address_family = socket.AF_INET6
        srv = Server6((host, 0), routes, fallback)
    else:
        srv = Server((host, 0), routes, fallback)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def page(title: str, body: str, charset: str = "utf-8") -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body>{body}</body></html>").encode(charset)
