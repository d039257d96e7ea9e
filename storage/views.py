"""The database's Chinese views (报告一览, 问题一览), for people who read it in Datasette or a spreadsheet.

Their words — column headers, severities, statuses, body kinds, yes/no — are the one vocabulary's (auditor/labels.py,
which ogiaudit/vocabulary.py presents everywhere else).  The views are created by a migration from `VIEWS` as it is
when the migration runs; tests/test_storage.py checks that a migrated database's views say what `VIEWS` says, so a
changed word comes with a migration that recreates them (`recreate`).  Portable SQL: SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from auditor.labels import BODY_KINDS, FIELD_LABELS, FINDING_STATUSES, SEVERITIES, YES_NO

L = FIELD_LABELS


def _lit(word: str) -> str:
    return "'" + word.replace("'", "''") + "'"


def _case(column: str, words: Mapping[Any, str], default: str = "") -> str:
    whens = " ".join(f"WHEN {_lit(str(code))} THEN {_lit(word)}" for code, word in words.items())
    return f"CASE {column} {whens} ELSE {_lit(default)} END"


def _yes_no(column: str, unknown: str | None = None) -> str:
    null = f"WHEN {column} IS NULL THEN {_lit(unknown)} " if unknown is not None else ""
    return f"CASE {null}WHEN {column} THEN {_lit(YES_NO[True])} ELSE {_lit(YES_NO[False])} END"


VIEWS = {
    "报告一览": f"""
        SELECT r.id AS "{L['id']}", r.portal_id AS "{L['portal']}", r.region_path AS "{L['region']}",
               r.body_name AS "{L['body']}", {_case('r.body_kind', BODY_KINDS)} AS "{L['body_kind']}",
               r.year AS "{L['year']}", r.published AS "{L['published']}",
               r.published_source AS "{L['published_source']}", r.deadline AS "{L['deadline']}",
               {_yes_no('r.on_time', '未知')} AS "{L['on_time']}", {_yes_no('r.complete')} AS "{L['complete']}",
               {_yes_no('r.consistent')} AS "{L['consistent']}", r.errors AS "{L['errors']}",
               r.warnings AS "{L['warnings']}", r.infos AS "{L['infos']}", r.document_url AS "{L['url']}",
               r.audited_at AS "{L['audited_at']}"
        FROM report r""",
    "问题一览": f"""
        SELECT f.id AS "{L['id']}", f.portal_id AS "{L['portal']}", b.name AS "{L['body']}", f.year AS "{L['year']}",
               f.rule AS "{L['rule']}", {_case('f.severity', SEVERITIES, SEVERITIES['info'])} AS "{L['severity']}",
               f.section AS "{L['section']}", f.loc_table AS "{L['table']}", f.loc_row AS "{L['row']}",
               f.loc_column AS "{L['column']}", f.message AS "{L['message']}", f.evidence AS "{L['evidence']}",
               {_case('f.status', FINDING_STATUSES, FINDING_STATUSES['waived'])} AS "{L['status']}",
               f.first_seen AS "{L['first_seen']}", f.last_seen AS "{L['last_seen']}",
               f.waived_reason AS "{L['waived_reason']}", f.url AS "{L['url']}"
        FROM finding f JOIN body b ON b.id = f.body_id""",
}


def recreate(execute: Callable[[str], Any], old: Mapping[str, str] | None = None) -> None:
    """Drop the views (and any of `old`'s names) and create them as `VIEWS` says (`execute`: op.execute)."""
    for name in {*VIEWS, *(old or {})}:
        execute(f'DROP VIEW IF EXISTS "{name}"')
    for name, sql in VIEWS.items():
        execute(f'CREATE VIEW "{name}" AS {sql}')
