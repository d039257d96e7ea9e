"""The review desk's own words (its title, navigation, roles, actions, messages).  The words it shares with every
other output — severities, statuses, certainty, verdicts — come from the one vocabulary (ogiaudit/vocabulary.py), and
the auditor's labels are reused, not repeated."""
from __future__ import annotations

from datetime import date, datetime

from auditor.dates import cn_date
from auditor.labels import BODY_KINDS, PUBLISHED_SOURCES, SECTION_TITLES, TABLE_NAMES
from ogiaudit import vocabulary

TITLE = "政府信息公开年报审核台"
SEVERITY = vocabulary.SEVERITIES
STATUS = vocabulary.STATUSES
VERDICT = {**vocabulary.VERDICTS, None: vocabulary.VERDICTS["none"]}
ACTION = {"confirm": "确认", "dismiss": "驳回", "waive": "豁免", "unwaive": "取消豁免", "reset": "撤销审核结论"}
ROLE = {"admin": "管理员", "reviewer": "审核人", "viewer": "只读"}
CERTAINTY = {not uncertain: word for uncertain, word in vocabulary.CERTAINTY.items()}   # keyed by `certain`
LEVEL = {0: "省", 1: "市", 2: "县", 3: "机构"}
FORMAT = {"pdf": "PDF", "html": "网页", "docx": "Word", "doc": "Word（旧版）", "wps": "WPS", "text": "文本",
          "markdown": "文本", "image": "图片"}
NAV = {"overview": "总览", "reports": "报告", "findings": "问题", "missing": "未发布", "bodies": "机构搜索"}
COUNTS = {"reports": "已发布", "on_time": "按时发布", "late": "逾期发布", "missing": "未发布",
          "with_errors": "有确定错误"}
EXPORT = "导出 Excel"
MESSAGES = {
    "login_failed": "用户名或密码错误",
    "locked": "连续输错密码次数过多，账号已暂时锁定，请稍后再试",
    "expired": "登录已过期，请重新登录",
    "csrf": "表单已失效（缺少或错误的校验码），请刷新页面后重试",
    "forbidden": "您没有权限执行此操作",
    "not_found": "没有找到该页面，或不在您的审核范围内",
    "reason_needed": "驳回和豁免须写明理由",
    "bad_host": "不接受该主机名的访问",
}


def day(value) -> str:
    """A date as people here write it: 2023年1月31日 ('' when unknown)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.date()
    return cn_date(value)


def moment(value: datetime | None) -> str:
    """A time of a review action: 2023年1月31日 14:05（UTC）."""
    if value is None:
        return ""
    return f"{cn_date(value.date())} {value:%H:%M}（UTC）"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def place(location: dict | None, section: str | None = None) -> str:
    """表三 / 行 / 列, readable."""
    loc = location or {}
    parts = [f"表{loc['table']}" if loc.get("table") else "", loc.get("row") or "", loc.get("column") or ""]
    text = " / ".join(p for p in parts if p)
    return text or (f"第{section}部分（{SECTION_TITLES.get(section, '')}）" if section in SECTION_TITLES else "")


FILTERS = {"day": day, "moment": moment, "percent": percent, "place": place,
           "severity": lambda v: SEVERITY.get(v, v or ""), "status": lambda v: STATUS.get(v, v or ""),
           "verdict": lambda v: VERDICT.get(v, v or ""), "action": lambda v: ACTION.get(v, v or ""),
           "role": lambda v: ROLE.get(v, v or ""), "body_kind": lambda v: BODY_KINDS.get(v, v or "未知"),
           "source": lambda v: PUBLISHED_SOURCES.get(v, v or "未知"), "fmt": lambda v: FORMAT.get(v, v or ""),
           "table_name": lambda v: TABLE_NAMES.get(v, v or "")}
