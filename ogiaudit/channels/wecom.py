"""WeCom (企业微信) group robot: markdown message (at most 4,096 bytes); no signing, the key is in the URL."""
from __future__ import annotations

from ogiaudit.channels import Message, fit, plain

LABEL = "企业微信"
LIMIT = 4096      # bytes of markdown content the service accepts


def build(channel, message: Message, now: float) -> tuple[str, dict]:
    link = f"[打开审核台]({message.link})" if message.link else None
    budget = LIMIT - 16 - (len(link.encode()) + 1 if link else 0)
    lines = fit([f"**{plain(message.title)}**"] + [f"> {plain(line)}" for line in message.lines], budget)
    if link:
        lines.append(link)
    return channel.webhook.get_secret_value(), {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


def accepted(status: int, answer) -> str | None:
    if status != 200:
        return f"HTTP {status}"
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        if not isinstance(answer, dict):
            return "应答不是 JSON"
        return f"errcode {answer.get('errcode')}：{answer.get('errmsg', '')}"
    return None
