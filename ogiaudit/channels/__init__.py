"""Group-bot webhooks (DingTalk, WeCom, Feishu) beside e-mail: a digest or an operator alert as one short message.

Thin httpx clients, one module per service, because the notification libraries (apprise) fix each service's public
host, and government deployments (政务钉钉, private WeCom) run on their own: the configured webhook is used as is.
A message counts as sent only when the service answered that it accepted it (HTTP 200 and code 0).
Webhook addresses and secrets are never printed or logged; errors are scrubbed of them.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from importlib import import_module

PREFIX = "channel:"
# httpx logs every request's URL at INFO: a webhook carries its token in the URL
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)


class ChannelError(Exception):
    """The service did not accept the message (scrubbed of secrets)."""


@dataclass
class Message:
    title: str
    lines: list[str] = field(default_factory=list)
    link: str | None = None             # the review desk


def is_channel(recipient: str) -> bool:
    return recipient.strip().lower().startswith(PREFIX)


def channel_name(recipient: str) -> str:
    return recipient.strip()[len(PREFIX):].strip()


def service(kind: str):
    """The module of a service: build(channel, message, now) -> (url, json); accepted(status, json) -> error."""
    return import_module(f"ogiaudit.channels.{kind}")


def send(channel, message: Message, *, client=None, now: float | None = None) -> None:
    """Post one message; raises ChannelError unless the service accepted it."""
    import httpx

    mod = service(channel.kind)
    url, body = mod.build(channel, message, now if now is not None else time.time())
    try:
        if client is None:
            with httpx.Client(timeout=channel.timeout, follow_redirects=False) as c:
                response = c.post(url, json=body)
        else:
            response = client.post(url, json=body)
    except httpx.HTTPError as exc:
        raise ChannelError(scrub(f"无法连接{mod.LABEL}：{type(exc).__name__} {exc}", channel)) from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    error = mod.accepted(response.status_code, answer)
    if error:
        raise ChannelError(scrub(f"{mod.LABEL}拒收：{error}", channel))


def scrub(text: str, channel) -> str:
    """The text without the webhook address, its query (the token) and the secret."""
    from urllib.parse import parse_qsl, urlsplit

    webhook = channel.webhook.get_secret_value()
    url = urlsplit(webhook)
    secrets = [webhook, url.query, url.path.rstrip("/").rsplit("/", 1)[-1]] + [v for _, v in parse_qsl(url.query)]
    if channel.secret is not None:
        secrets.append(channel.secret.get_secret_value())
    for s in sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True):
        text = text.replace(s, "***")
    return text[:300]


_MARKUP = str.maketrans({"[": "［", "]": "］", "(": "（", ")": "）", "<": "＜", ">": "＞", "*": "＊", "_": "＿",
                        "#": "＃", "`": "｀", "!": "！", "|": "｜"})


def plain(text: str) -> str:
    """Crawled text inside markdown: its markup characters as full-width look-alikes, so a body's name can never
    become a link, a heading or an image."""
    return " ".join(text.translate(_MARKUP).split())


def fit(lines: list[str], budget: int, more: str = "……另有{n}条，详见邮件或审核台") -> list[str]:
    """As many lines as fit in `budget` UTF-8 bytes, then one line saying how many were left out."""
    out: list[str] = []
    used = 0
    for k, line in enumerate(lines):
        size = len(line.encode("utf-8")) + 1
        tail = len(more.format(n=len(lines) - k).encode("utf-8")) + 1
        if used + size + (tail if k < len(lines) - 1 else 0) > budget:
            out.append(more.format(n=len(lines) - k))
            break
        out.append(line)
        used += size
    return out
