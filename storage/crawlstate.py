"""Crawl state in the audit database (table crawl_entry, migration 0014): the list entries each portal's crawl has
fetched, so that a server without ETag/Last-Modified is not asked for them again on every crawl.

The spider reads a portal's entries when a crawl starts (`load`) and writes those it fetched when it ends (`save`).
State kept by earlier versions in JSON files (<archive>/.crawlstate/<portal>.json) is imported once (`import_json`):
each file is renamed to <portal>.json.imported, so an upgrade re-fetches nothing it had already checked.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from storage.models import CrawlEntryRow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One list entry fetched before: the date the list showed, whether the server gave validators, when."""

    listed: str | None
    validators: bool
    checked: datetime   # UTC, without tzinfo (as the database keeps it)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def load(session: Session, portal_ids: Iterable[str]) -> dict[str, dict[str, Entry]]:
    """{portal id: {entry url: Entry}} for each of `portal_ids` (an empty dict for a portal never crawled)."""
    ids = list(portal_ids)
    out: dict[str, dict[str, Entry]] = {pid: {} for pid in ids}
    if not ids:
        return out
    for row in session.exec(select(CrawlEntryRow).where(CrawlEntryRow.portal_id.in_(ids))):  # type: ignore[attr-defined]
        out[row.portal_id][row.url] = Entry(row.listed, row.validators, row.checked)
    return out


def save(session: Session, portal_id: str, entries: Mapping[str, Entry]) -> None:
    """Insert or update the given entries of a portal (the others are kept)."""
    if not entries:
        return
    rows = {r.url: r for r in session.exec(select(CrawlEntryRow).where(CrawlEntryRow.portal_id == portal_id))}
    for url, entry in entries.items():
        row = rows.get(url)
        if row is None:
            row = CrawlEntryRow(portal_id=portal_id, url=url, listed=entry.listed, validators=entry.validators,
                                checked=entry.checked)
        else:
            row.listed, row.validators, row.checked = entry.listed, entry.validators, entry.checked
        session.add(row)
    session.flush()


def _naive_utc(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when


def import_json(session: Session, state_dir: Path, portal_ids: Iterable[str]) -> int:
    """Import the JSON state files of earlier versions (<state_dir>/<portal>.json) once: entries the database does
    not hold yet are added, and each file is renamed to <portal>.json.imported.  Returns the entries imported; an
    unreadable file is left as it is (its entries are then simply checked again)."""
    count = 0
    for pid in portal_ids:
        path = state_dir / f"{pid}.json"
        if not path.is_file():
            continue
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            entries = {url: Entry(e.get("listed"), bool(e.get("validators")), _naive_utc(e["checked"]))
                       for url, e in raw.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            logger.warning("crawl state %s not imported: %s", path, exc)
            continue
        known = load(session, [pid])[pid]
        new = {url: e for url, e in entries.items() if url not in known}
        save(session, pid, new)
        count += len(new)
        path.rename(path.with_name(path.name + ".imported"))
    return count
