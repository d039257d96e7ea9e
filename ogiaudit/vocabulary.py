"""The words a user sees, in one place: severities, statuses, certainty, the review desk's verdicts, body kinds, date
sources, the column headers of every export (query CSV/XLSX, the digest attachments, the review desk's lists),
yes/no.  The review desk's pages take these words too (ogiaudit/web/words.py adds only the desk's own).  The auditor's official labels (auditor/labels.py) are used,
not copied.  JSON keeps the English keys of INTERFACE.md; everything meant for people goes through here.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from auditor.labels import BODY_KINDS, PUBLISHED_SOURCES

SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
STATUSES = {"open": "未整改", "resolved": "已整改", "waived": "已豁免"}
DIGEST_CATEGORIES = {"new": "新增", "open": "仍未整改", "resolved": "已整改"}
CERTAINTY = {False: "确定", True: "存疑"}          # keyed by `uncertain`
VERDICTS = {"confirmed": "已确认", "dismissed": "已驳回", "none": "待审核"}   # the review desk's (storage/review.py)
YES_NO = {True: "是", False: "否"}
JOB_KINDS = {"crawl_portal": "抓取门户", "audit_document": "审核文件", "settle_portal": "判定未发布"}   # storage/jobqueue.py

# the values of these fields are words to translate
VALUES: dict[str, dict[Any, str]] = {
    "severity": SEVERITIES, "status": STATUSES, "body_kind": BODY_KINDS, "published_source": PUBLISHED_SOURCES,
    "category": DIGEST_CATEGORIES, "digest_status": DIGEST_CATEGORIES, "uncertain": CERTAINTY, "verdict": VERDICTS,
}

# field -> column header
COLUMNS = {
    "id": "编号", "portal": "门户", "portal_name": "门户", "region": "地区", "body": "机构", "body_kind": "机构类型",
    "year": "年度", "url": "原文链接", "published": "发布日期", "published_source": "日期来源", "deadline": "期限",
    "errors": "错误数", "warnings": "警告数", "on_time": "按时", "complete": "完整", "consistent": "一致",
    "rule": "规则", "severity": "严重程度", "section": "部分", "location": "位置", "table": "表", "row": "行",
    "column": "列", "expected": "应为", "observed": "实为", "message": "说明", "evidence": "原文摘录",
    "status": "状态", "category": "类别", "digest_status": "状态", "first_seen": "首次发现", "last_seen": "最近发现", "fingerprint": "指纹",
    "waived_by": "豁免人", "waived_reason": "豁免理由", "waived_at": "豁免时间", "resolved_at": "整改时间",
    "report_id": "报告编号", "audited_at": "审核时间", "ruleset_version": "规则版本", "uncertain": "确定性",
    "expected_bodies": "应发布", "published_count": "已发布", "no_error": "无错误", "overdue": "逾期未发布",
    "share_published": "发布率", "share_on_time": "按时率", "share_complete": "完整率", "share_consistent": "一致率",
    "reports": "报告数", "top_rules": "最常见问题", "rules": "未解决问题", "carry_over": "上年结转(总计)",
    "last_year_carried_forward": "上年报告结转下年度(总计)", "body_id": "机构编号", "era": "适用年度",
    "reason": "原因",
    # the review desk's lists
    "verdict": "审核结论", "verdict_by": "审核人", "verdict_reason": "审核理由", "title": "标题", "format": "格式",
    "ocr": "图片版", "infos": "提示数", "configured": "应发布", "attempts": "次数", "error": "错误原因",
}
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
