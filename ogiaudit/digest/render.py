"""Render a digest once: subject, HTML (autoescaped: crawled text is never markup) and a plain-text alternative."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ogiaudit.vocabulary import JOB_KINDS

TEMPLATES = Path(__file__).parent / "templates"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\u0085]+")


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


def header_safe(value: str, limit: int = 200) -> str:
    """One header line: control characters (CR, LF, …) become a space, so crawled text cannot add headers."""
    value = _CONTROL.sub(" ", str(value)).strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "、".join(_fmt(v) for v in value)
    return str(value)


def _dt(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def _safe_url(value: Any) -> str:
    """Only http(s) links become links (no javascript:, no data:)."""
    if isinstance(value, str) and re.match(r"https?://", value.strip(), re.I):
        return _CONTROL.sub("", value.strip())
    return ""


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False,
                                                   default=False),
                      undefined=StrictUndefined, trim_blocks=False, keep_trailing_newline=True)
    env.filters.update(fmt=_fmt, dt=_dt, safe_url=_safe_url, job_kind=lambda kind: JOB_KINDS.get(kind, kind))
    from types import SimpleNamespace

    from ogiaudit.vocabulary import DIGEST_CATEGORIES
    env.globals["words"] = SimpleNamespace(**DIGEST_CATEGORIES)   # the vocabulary's words for new/open/resolved
    return env


def subject_for(digest) -> str:
    if digest.kind == "operator":
        parts = []
        if digest.crawl_failures:
            parts.append(f"抓取失败{len(digest.crawl_failures)}个门户")
        if digest.layouts:
            parts.append(f"版面变化{len(digest.layouts)}个")
        if digest.unreadable:
            parts.append(f"无法读取{len(digest.unreadable)}个文件")
        return header_safe(f"【ogiaudit运维】{'，'.join(parts) or '无新问题'}（{digest.as_of.isoformat()}）")
    names = "、".join(digest.portals)
    if len(names) > 60:
        names = names[:59] + "…"
    return header_safe(f"【政务公开年报审核】{names}：新增问题{len(digest.new)}条，已整改{len(digest.resolved)}条"
                       f"（{digest.as_of.isoformat()}）")


def render(digest) -> Rendered:
    env = environment()
    subject = subject_for(digest)
    name = "operator" if digest.kind == "operator" else "supervisor"
    html = env.get_template(f"{name}.html").render(d=digest, subject=subject)
    text = env.get_template(f"{name}.txt").render(d=digest, subject=subject)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return Rendered(subject=subject, text=text, html=html)
