"""DingTalk (钉钉 / 政务钉钉) custom robot: markdown message; 加签 = timestamp + HMAC-SHA256 sign in the query."""
from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

from ogiaudit.channels import Message, fit, plain

LABEL = "钉钉"
LIMIT = 4000      # bytes of markdown we send (the service takes 20,000; a bot message should be read at a glance)


def sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def build(channel, message: Message, now: float) -> tuple[str, dict]:
    url = channel.webhook.get_secret_value()
    if channel.secret is not None:
        ts = int(now * 1000)
        url += ("&" if "?" in url else "?") + f"timestamp={ts}&sign={sign(channel.secret.get_secret_value(), ts)}"
    link = f"[打开审核台]({message.link})" if message.link else ""
    lines = [f"#### {plain(message.title)}"] + [f"- {plain(line)}" for line in message.lines]
    lines = fit(lines, LIMIT - len(link.encode()) - 2)
    body = "\n".join(lines) + (f"\n\n{link}" if link else "")
    return url, {"msgtype": "markdown", "markdown": {"title": message.title[:60], "text": body}}


def accepted(status: int, answer) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        return f"errcode {code}：{(answer or {}).get('errmsg', '') if isinstance(answer, dict) else '应答不是 JSON'}"
    return None
