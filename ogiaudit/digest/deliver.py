"""Deliver digests: compose the e-mail, record it in the ledger (storage/ledger.py, the `delivery` table), send it by
SMTP or to a group bot (or write .eml / .json files).

The delivery contract:
- a delivery row is written (sent_at NULL) before sending; sent_at is set only when the server accepted the message
  for every recipient; a failure leaves sent_at NULL (attempts and last_error record it) and the next run tries again;
- the same content for the same recipient (kind, recipient, payload_sha256) is sent once;
- the Message-ID is derived from the delivery id, so a retry after an ambiguous failure can be recognised;
- `dry_run` with an outbox writes .eml files and changes nothing in the database.
"""
from __future__ import annotations

import copy
import json
import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from ogiaudit.digest import attach
from ogiaudit.digest.build import (
    FAILED_RUNS,
    build_operator_digest,
    build_supervisor_digest,
    load_findings,
    load_job_failures,
    load_operations,
    reviewed,
    supervisors,
)
from ogiaudit.digest.render import header_safe, render, subject_for
from ogiaudit.settings import ConfigError
from storage.ledger import Ledger


class DeliveryError(Exception):
    """The server did not accept a message."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------------------------------------ composing

def _domain(sender: str) -> str:
    addr = parseaddr(sender)[1]
    return addr.rsplit("@", 1)[1] if "@" in addr else "ogiaudit.local"


def message_id(kind: str, delivery_id: int | str, payload: str, sender: str) -> str:
    return f"<ogiaudit.{kind}.{delivery_id}.{payload[:16]}@{_domain(sender)}>"


def compose(digest, sender: str, msg_id: str, *, when: datetime | None = None) -> EmailMessage:
    rendered = render(digest)
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = rendered.subject
    name, addr = parseaddr(header_safe(sender))
    msg["From"] = formataddr((name or "政务公开年报审核", addr or "ogiaudit@localhost"))
    msg["To"] = header_safe(digest.recipient)
    msg["Date"] = format_datetime(when or datetime.now(UTC))
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Ogiaudit-Digest"] = f"{digest.kind}; {digest.period_key}"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    for filename, mime, data in attach.attachments(digest):
        maintype, subtype = mime.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=header_safe(filename))
    return msg


# ---------------------------------------------------------------------------------------------- transports

class SmtpTransport:
    """smtplib with STARTTLS, SSL or plain, and a login when a user is configured; one connection per run."""

    def __init__(self, smtp, ssl_context: ssl.SSLContext | None = None):
        self.cfg = smtp
        self.context = ssl_context
        self._conn: smtplib.SMTP | None = None
        self._down: str | None = None  # the server could not be reached: do not wait for it again in this run
        if smtp.user and not (smtp.password and smtp.password.get_secret_value()):
            raise ConfigError("已设置 SMTP 用户（smtp.user），但没有密码：请设置环境变量 OGIAUDIT_SMTP__PASSWORD")
        if getattr(smtp, "ca_file", None) and not Path(smtp.ca_file).is_file():
            raise ConfigError(f"smtp.ca_file 指定的证书文件不存在：{smtp.ca_file}")

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        context = self.context or ssl.create_default_context(cafile=getattr(cfg, "ca_file", None) or None)
        if cfg.security == "ssl":
            conn = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
        else:
            conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        try:
            conn.ehlo()
            if cfg.security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if cfg.user:
                conn.login(cfg.user, cfg.password.get_secret_value())
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, msg: EmailMessage, sender: str, recipients: list[str]) -> None:
        if self._down:
            raise DeliveryError(self._down)
        if self._conn is None:
            try:
                self._conn = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                self._down = f"无法连接或登录 SMTP 服务器 {self.cfg.host}:{self.cfg.port}：{_short(exc)}"
                raise DeliveryError(self._down) from None
        try:
            refused = self._conn.send_message(msg, from_addr=sender, to_addrs=recipients)
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise DeliveryError(_short(exc)) from None
        if refused:
            raise DeliveryError("收件人被拒绝：" + "，".join(f"{k}（{v[0]}）" for k, v in refused.items()))

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except Exception:
                conn.close()


class ChannelTransport:
    """Digests to group bots ([channels.NAME]): one short message each, accepted or DeliveryError."""

    def __init__(self, configured: dict, base_url: str | None = None, client=None):
        self.configured, self.base_url, self.client = configured, base_url, client

    def send_digest(self, digest) -> None:
        from ogiaudit import channels
        from ogiaudit.channels.message import from_digest

        channel = self.configured[channels.channel_name(digest.recipient)]
        try:
            channels.send(channel, from_digest(digest, self.base_url), client=self.client)
        except channels.ChannelError as exc:
            raise DeliveryError(str(exc)) from None


class ChannelOutbox(ChannelTransport):
    """Dry run: each channel message as the JSON it would post (without the webhook address) in the outbox."""

    def __init__(self, configured: dict, base_url: str | None, directory: Path):
        super().__init__(configured, base_url)
        self.dir = Path(directory)
        self.written: list[Path] = []

    def send_digest(self, digest) -> None:
        from ogiaudit import channels
        from ogiaudit.channels.message import from_digest

        name = channels.channel_name(digest.recipient)
        channel = self.configured[name]
        _, body = channels.service(channel.kind).build(channel, from_digest(digest, self.base_url), 0)
        body.pop("sign", None)
        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / re.sub(r"[^A-Za-z0-9._-]+", "_", f"{digest.kind}-channel-{name}.json")
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        self.written.append(path)


def check_channels(settings, recipients) -> None:
    """Every "channel:NAME" recipient names a configured [channels.NAME]."""
    from ogiaudit.channels import channel_name, is_channel

    for recipient in recipients:
        if is_channel(recipient) and channel_name(recipient) not in settings.channels:
            raise ConfigError(f"收件人 {recipient} 没有对应的配置 [channels.{channel_name(recipient)}]"
                              f"（已配置：{'、'.join(settings.channels) or '无'}）")


def operators(settings) -> list[str]:
    """The operator recipients: an address, a "channel:NAME", or a list of them."""
    value = settings.operator
    if not value:
        return []
    return [v.strip() for v in ([value] if isinstance(value, str) else value) if v and v.strip()]


class OutboxTransport:
    """Writes each message as an .eml file (dry run)."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []

    def send(self, msg: EmailMessage, sender: str, recipients: list[str]) -> None:
        kind = msg["X-Ogiaudit-Digest"].split(";")[0]
        stem = re.sub(r"[^A-Za-z0-9@._-]+", "_", f"{kind}-{recipients[0]}")
        path = self.dir / f"{stem}.eml"
        path.write_bytes(msg.as_bytes())
        self.written.append(path)

    def close(self) -> None:
        pass


def _short(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}".strip()[:300]
    return (f"{exc.__class__.__name__}: {exc}".strip())[:300]


# ---------------------------------------------------------------------------------------------- the run

@dataclass
class Outcome:
    kind: str
    recipient: str
    status: str            # sent | failed | nothing-new | already-sent | written | dry-run
    subject: str = ""
    error: str = ""
    delivery_id: int | None = None


STATUS_CN = {"sent": "已发送", "failed": "发送失败（下次运行重试）", "nothing-new": "无新内容，未发送",
             "already-sent": "相同内容已发送过", "written": "已写入发件箱（未发送）",
             "dry-run": "有新内容（演习，未发送）"}


def run_digests(settings, *, database_url: str | None = None, as_of: date | None = None,
                portals: list | None = None, dry_run: bool = False, outbox: Path | None = None,
                transport=None, now: Callable[[], datetime] = utcnow, channels=None) -> list[Outcome]:
    """Build, record and send every digest due.  Returns one Outcome per recipient."""
    from ogiaudit.portals import load_portals
    from storage.db import connect, session

    url = database_url or settings.database_url
    engine = connect(url)
    ledger = Ledger(engine)
    as_of = as_of or date.today()
    if portals is None:
        portals = load_portals(settings.portals)
    if transport is None:
        transport = OutboxTransport(outbox) if (dry_run and outbox) else (None if dry_run else
                                                                           SmtpTransport(settings.smtp))
    if channels is None:
        base_url = settings.web.base_url
        channels = (ChannelOutbox(settings.channels, base_url, outbox) if (dry_run and outbox) else
                    (None if dry_run else ChannelTransport(settings.channels, base_url)))
    ops = operators(settings)
    check_channels(settings, list(supervisors(portals)) + ops)
    sender = settings.smtp.sender
    ids = [p.id for p in portals]
    built_at = now()  # "since the last digest" is measured from when its content was read
    with session(engine, readonly=True) as s:
        findings = reviewed(s, load_findings(s, ids), confirmed_only=settings.digest.confirmed_only)
        problems = load_operations(s, None, FAILED_RUNS) if ops else None
        job_failures = load_job_failures(s) if ops else []

    by_portal: dict[str, list] = {}
    for f in findings:
        by_portal.setdefault(f.portal, []).append(f)
    digests = []
    for recipient, theirs in supervisors(portals).items():
        since = ledger.cutoff("supervisor", recipient)
        own = [copy.copy(f) for p in theirs for f in by_portal.get(p.id, [])]  # building sets f.category
        digests.append(build_supervisor_digest(recipient, theirs, own, as_of=as_of, since=since))
    for op in ops if problems is not None else []:
        digests.append(build_operator_digest(op, as_of=as_of, crawl_failures=problems[0], layouts=problems[1],
                                             unreadable=problems[2], already_sent=ledger.last_sent_ids("operator", op),
                                             job_failures=job_failures))

    outcomes: list[Outcome] = []
    try:
        for digest in digests:
            outcomes.append(_deliver_one(digest, ledger, transport, sender, dry_run, built_at, now, channels))
    finally:
        if transport is not None:
            transport.close()
    return outcomes


def _deliver_one(digest, ledger: Ledger, transport, sender: str, dry_run: bool, built_at: datetime,
                 now: Callable[[], datetime], channels=None) -> Outcome:
    subject = subject_for(digest)
    out = Outcome(digest.kind, digest.recipient, "nothing-new", subject)
    if digest.is_empty:
        return out
    payload = digest.payload_sha256()
    addr = parseaddr(digest.recipient)[1] or digest.recipient
    channel = digest.recipient.strip().lower().startswith("channel:")
    if dry_run:
        existing = ledger.find(digest.kind, digest.recipient, payload)
        if existing is not None and existing.sent_at is not None:
            out.status = "already-sent"
            return out
        if transport is None or (channel and channels is None):
            out.status = "dry-run"
            return out
        if channel:
            channels.send_digest(digest)
        else:
            transport.send(compose(digest, sender, message_id(digest.kind, "dry", payload, sender)), sender, [addr])
        out.status = "written"
        return out
    row = ledger.prepare(kind=digest.kind, recipient=digest.recipient, period_key=digest.period_key,
                         finding_ids=digest.finding_ids, subject=subject, payload=payload, now=built_at)
    if row is None:
        out.status = "already-sent"
        return out
    out.delivery_id = row.id
    try:
        if channel:
            channels.send_digest(digest)
        else:
            msg = compose(digest, sender, message_id(digest.kind, row.id, payload, sender))
            transport.send(msg, parseaddr(sender)[1] or sender, [addr])
    except DeliveryError as exc:
        ledger.mark(row.id, sent_at=None, error=str(exc))
        out.status, out.error = "failed", str(exc)
        return out
    ledger.mark(row.id, sent_at=now(), error=None)
    out.status = "sent"
    return out
