"""Loopback HTTP servers that speak the group-bot APIs of DingTalk, WeCom and Feishu as their documentation says:
the token or key in the address, DingTalk's signature in the query, Feishu's in the body, each service's answer
codes and length limits.  The signatures are checked here with hmac directly, not with the code under test.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "tok3n-4b9f2c7e1d"
SECRET = "SECa1b2c3d4e5f6g7h8"


class Bot:
    """One service on 127.0.0.1: `received` holds every message it accepted; `refuse` makes it refuse the next N."""

    def __init__(self, kind: str, secret: str | None = None):
        self.kind, self.secret = kind, secret
        self.received: list[dict] = []
        self.requests: list[str] = []       # the request lines seen (paths with queries)
        self.refuse = 0
        self.http_error = False             # refuse with HTTP 500 instead of an error code
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def webhook(self) -> str:
        host, port = self.server.server_address
        base = f"http://{host}:{port}"
        return {"dingtalk": f"{base}/robot/send?access_token={TOKEN}",
                "wecom": f"{base}/cgi-bin/webhook/send?key={TOKEN}",
                "feishu": f"{base}/open-apis/bot/v2/hook/{TOKEN}"}[self.kind]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                bot.requests.append(self.path)
                status, answer = bot.answer(self.path, self.headers.get("Content-Type", ""), raw)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def answer(self, path: str, content_type: str, raw: bytes) -> tuple[int, dict]:
        if "json" not in content_type:
            return 400, {"errcode": 40035, "errmsg": "invalid content type"}
        body = json.loads(raw)
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        check = getattr(self, f"_{self.kind}")
        status, answer = check(url.path, query, body)
        if status == 200 and self._ok(answer) and self.refuse:
            self.refuse -= 1
            if self.http_error:
                return 500, {"error": "internal"}
            return 200, {"dingtalk": {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
                         "wecom": {"errcode": 45009, "errmsg": "api freq out of limit"},
                         "feishu": {"code": 9499, "msg": "Too Many Requests"}}[self.kind]
        if status == 200 and self._ok(answer):
            self.received.append(body)
        return status, answer

    @staticmethod
    def _ok(answer: dict) -> bool:
        return answer.get("errcode", answer.get("code")) == 0

    def _dingtalk(self, path, query, body):
        if path != "/robot/send" or query.get("access_token") != TOKEN:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        if self.secret is not None:
            ts = query.get("timestamp", "")
            expected = base64.b64encode(hmac.new(self.secret.encode(), f"{ts}\n{self.secret}".encode(),
                                                 hashlib.sha256).digest()).decode()
            if not ts.isdigit() or abs(time.time() * 1000 - int(ts)) > 3600_000 or query.get("sign") != expected:
                return 200, {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/]"}
        if body.get("msgtype") != "markdown" or not body["markdown"].get("title") or not body["markdown"].get("text"):
            return 200, {"errcode": 40035, "errmsg": "缺少参数 json"}
        if len(body["markdown"]["text"].encode()) > 20000:
            return 200, {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _wecom(self, path, query, body):
        if path != "/cgi-bin/webhook/send" or query.get("key") != TOKEN:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}
        if body.get("msgtype") != "markdown" or not body["markdown"].get("content"):
            return 200, {"errcode": 44004, "errmsg": "empty content"}
        if len(body["markdown"]["content"].encode()) > 4096:
            return 200, {"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _feishu(self, path, query, body):
        if path != f"/open-apis/bot/v2/hook/{TOKEN}":
            return 200, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"}
        if self.secret is not None:
            ts = str(body.get("timestamp", ""))
            key = f"{ts}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if not ts.isdigit() or abs(time.time() - int(ts)) > 3600 or body.get("sign") != expected:
                return 200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
        if body.get("msg_type") != "post" or not body.get("content", {}).get("post", {}).get("zh_cn"):
            return 200, {"code": 9499, "msg": "Bad Request"}
        if len(json.dumps(body, ensure_ascii=False).encode()) > 20 * 1024:
            return 200, {"code": 9499, "msg": "request body exceeds 20 KB"}
        return 200, {"code": 0, "msg": "success", "data": {}}


def message_text(kind: str, body: dict) -> str:
    """What a reader of the group sees, as plain text."""
    if kind == "dingtalk":
        return body["markdown"]["title"] + "\n" + body["markdown"]["text"]
    if kind == "wecom":
        return body["markdown"]["content"]
    post = body["content"]["post"]["zh_cn"]
    return post["title"] + "\n" + "\n".join(
        "".join(e.get("text", "") + (f" {e['href']}" if e.get("href") else "") for e in row) for row in post["content"])
