"""The digest ledger: the `delivery` table, one row per digest built, marked sent only when the server accepted it.

The contract (ogiaudit/digest/deliver.py keeps it):
- a delivery row is written (sent_at NULL) before sending; sent_at is set only when every recipient was accepted;
  a failure leaves sent_at NULL (attempts and last_error record it) and the next run tries again;
- the same content for the same recipient (kind, recipient, payload_sha256) is one row, sent once;
- a newer unsent digest for a recipient supersedes the older unsent ones (it contains what they had).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import select

from storage.db import session
from storage.models import DeliveryRow

SUPERSEDED = "已被"   # the start of last_error on a row a newer digest superseded


class Ledger:
    """The `delivery` table of one audit database; each call is its own transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def cutoff(self, kind: str, recipient: str) -> datetime | None:
        """The build time of the last digest the server accepted for this recipient."""
        with session(self.engine) as s:
            return s.exec(select(func.max(DeliveryRow.created_at)).where(
                DeliveryRow.kind == kind, DeliveryRow.recipient == recipient,
                DeliveryRow.sent_at.is_not(None))).one()

    def last_sent_ids(self, kind: str, recipient: str) -> list[Any]:
        """The finding ids (problem keys for the operations digest) of the last digest sent to this recipient."""
        with session(self.engine) as s:
            row = s.exec(select(DeliveryRow.finding_ids).where(
                DeliveryRow.kind == kind, DeliveryRow.recipient == recipient, DeliveryRow.sent_at.is_not(None))
                .order_by(DeliveryRow.created_at.desc(), DeliveryRow.id.desc()).limit(1)).first()
        try:
            return list(json.loads(row)) if row else []
        except ValueError:
            return []

    def find(self, kind: str, recipient: str, payload: str) -> DeliveryRow | None:
        with session(self.engine) as s:
            return s.exec(select(DeliveryRow).where(DeliveryRow.kind == kind, DeliveryRow.recipient == recipient,
                                                    DeliveryRow.payload_sha256 == payload)).first()

    def prepare(self, *, kind: str, recipient: str, period_key: str, finding_ids: Iterable[Any], subject: str,
                payload: str, now: datetime) -> DeliveryRow | None:
        """The delivery row to send (a new one, or the unsent one with the same content); None when already sent."""
        with session(self.engine) as s:
            row = s.exec(select(DeliveryRow).where(DeliveryRow.kind == kind, DeliveryRow.recipient == recipient,
                                                   DeliveryRow.payload_sha256 == payload)).first()
            if row is not None and row.sent_at is not None:
                return None
            if row is None:
                row = DeliveryRow(kind=kind, recipient=recipient, period_key=period_key, subject=subject,
                                  created_at=now, payload_sha256=payload)
            row.created_at, row.period_key, row.subject = now, period_key, subject
            row.finding_ids = json.dumps(list(finding_ids))
            s.add(row)
            s.flush()
            for old in s.exec(select(DeliveryRow).where(DeliveryRow.kind == kind, DeliveryRow.recipient == recipient,
                                                        DeliveryRow.sent_at.is_(None),
                                                        DeliveryRow.id != row.id)).all():
                if not (old.last_error or "").startswith(SUPERSEDED):
                    old.last_error = f"{SUPERSEDED}第{row.id}号摘要取代；" + (old.last_error or "")
                    s.add(old)
            s.refresh(row)
            return row

    def mark(self, delivery_id: int, *, sent_at: datetime | None, error: str | None) -> None:
        """One attempt: sent (sent_at) or failed (error)."""
        with session(self.engine) as s:
            row = s.get(DeliveryRow, delivery_id)
            if row is None:
                return
            row.attempts = (row.attempts or 0) + 1
            if sent_at is not None:
                row.sent_at = sent_at
                row.last_error = None
            else:
                row.last_error = error
            s.add(row)
