"""The words a user sees, in one place: severities, statuses, certainty, the review desk's verdicts, body kinds, date
sources, the column headers of every export (query CSV/XLSX, the digest attachments, the review desk's lists),
yes/no.  The review desk's pages take these words too (ogiaudit/web/words.py adds only the desk's own).

The words that storage shows too (severities, finding statuses, body kinds — with a documented short form for narrow
tables, BODY_KINDS_SHORT —, date sources, yes/no, the column headers) live in auditor/labels.py, which storage may
import (it never imports ogiaudit); they are used here, never copied.  JSON keeps the English keys of INTERFACE.md;
everything meant for people goes through here.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from auditor.labels import (
    BODY_KINDS,
    BODY_KINDS_SHORT,
    CERTAINTY,
    FIELD_LABELS,
    FINDING_STATUSES,
    PUBLISHED_SOURCES,
    SEVERITIES,
    YES_NO,
)

# the short body kinds are for narrow tables only; BODY_KINDS is the word by default
__all__ = ["BODY_KINDS", "BODY_KINDS_SHORT", "PUBLISHED_SOURCES", "SEVERITIES", "STATUSES", "YES_NO", "COLUMNS",
           "VALUES", "header", "word", "cn_date"]
STATUSES = FINDING_STATUSES
DIGEST_CATEGORIES = {"new": "新增", "open": "仍未整改", "resolved": "已整改"}
VERDICTS = {"confirmed": "已确认", "dismissed": "已驳回", "none": "待审核"}   # the review desk's (storage/review.py)
JOB_KINDS = {"crawl_portal": "抓取门户", "audit_document": "审核文件", "settle_portal": "判定未发布"}   # storage/jobqueue.py

# the values of these fields are words to translate
VALUES: dict[str, dict[Any, str]] = {
    "severity": SEVERITIES, "status": STATUSES, "body_kind": BODY_KINDS, "published_source": PUBLISHED_SOURCES,
    "category": DIGEST_CATEGORIES, "digest_status": DIGEST_CATEGORIES, "uncertain": CERTAINTY, "verdict": VERDICTS,
}

# field -> column header (auditor/labels.py, where storage reads them too)
COLUMNS = FIELD_LABELS
# `query compliance` reuses "expected"/"published" for counts: its own headers
COMPLIANCE_COLUMNS = {"expected": "应发布机构数", "published": "已发布", "on_time": "按时发布", "no_error": "无错误"}

DATE_FIELDS = {"published", "deadline"}
TIME_FIELDS = {"first_seen", "last_seen", "waived_at", "resolved_at", "audited_at"}
LINK_FIELDS = {"url"}


def header(field: str, kind: str | None = None) -> str:
    if kind == "compliance" and field in COMPLIANCE_COLUMNS:
        return COMPLIANCE_COLUMNS[field]
    return COLUMNS.get(field, field)


def word(field: str, value: Any) -> Any:
    """The Chinese word for a coded value (severity, status, kind, …); other values unchanged."""
    table = VALUES.get(field)
    if table is not None and isinstance(value, (str, bool)) and value in table:
        return table[value]
    if isinstance(value, bool):
        return YES_NO[value]
    return value


def as_date(value: Any) -> date | datetime | None:
    """An ISO date or time (as the queries give them) as a date or datetime; None when it is not one."""
    if isinstance(value, (date, datetime)):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    except ValueError:
        return None


def cn_date(value: Any) -> str:
    """2023年1月31日 (a time keeps its hour and minute); '' for None."""
    from auditor.dates import cn_date as _cn

    d = as_date(value)
    if d is None:
        return "" if value is None else str(value)
    if isinstance(d, datetime):
        return f"{_cn(d.date())} {d:%H:%M}"
    return _cn(d)

# `ogiaudit portals import`: the kinds of problem found in county and township lists (ogiaudit/registry.py)
REGISTRY_PROBLEMS = {
    "malformed_code": "区划代码无效", "duplicate_code": "代码重复", "shared_host": "多个县共用同一主机",
    "missing_url": "缺少网址", "malformed_url": "网址格式错误", "non_government_host": "非政府网站域名",
    "sources_disagree_host": "两个来源网址不一致", "sources_disagree_name": "两个来源名称不一致",
    "only_in_one_source": "只有一个来源列出", "orphan_township": "乡镇所属县不在名单中",
    "county_without_townships": "县无乡镇", "division_code_unknown": "区划代码未知",
    "division_name_differs": "名称与区划代码表不一致",
}
