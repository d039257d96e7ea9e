"""Feishu (飞书) custom bot: rich-text ("post") message; 签名校验 = timestamp + sign in the body, where sign is
base64(HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing)."""
from __future__ import annotations

import base64
import hashlib
import hmac

from ogiaudit.channels import Message, fit

LABEL = "飞书"
LIMIT = 4000      # bytes of text we send (the service takes a 20 KB request)


def sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def build(channel, message: Message, now: float) -> tuple[str, dict]:
    rows = [[{"tag": "text", "text": line}] for line in fit(message.lines, LIMIT)]
    if message.link:
        rows.append([{"tag": "a", "text": "打开审核台", "href": message.link}])
    body: dict = {"msg_type": "post",
                  "content": {"post": {"zh_cn": {"title": message.title, "content": rows}}}}
    if channel.secret is not None:
        ts = int(now)
        body = {"timestamp": str(ts), "sign": sign(channel.secret.get_secret_value(), ts), **body}
    return channel.webhook.get_secret_value(), body


def accepted(status: int, answer) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(answer, dict):
        return "应答不是 JSON"
    code = answer.get("code", answer.get("StatusCode"))
    if code != 0:
        return f"code {code}：{answer.get('msg', answer.get('StatusMessage', ''))}"
    return None
