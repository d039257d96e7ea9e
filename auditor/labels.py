"""Every Chinese label of the official format, in one place (SPEC.md §2).

Rows and columns have stable English keys in the domain's words; code uses the keys, messages use the labels.
"""
from __future__ import annotations

from dataclasses import dataclass

# --- the six sections (2021 format, SPEC §2.2) ---------------------------------------------------------------
SECTION_NUMERALS = ("一", "二", "三", "四", "五", "六")
SECTION_TITLES = {
    "一": "总体情况",
    "二": "主动公开政府信息情况",
    "三": "收到和处理政府信息公开申请情况",
    "四": "政府信息公开行政复议、行政诉讼情况",
    "五": "存在的主要问题及改进情况",
    "六": "其他需要报告的事项",
}
# the phrase that identifies each heading, tolerant of the variants of SPEC §3.1; typos are left to the fuzzy match
# the subject Art. 50 names ("行政机关主动公开政府信息的情况"), or the organ's own, printed before a heading's words
_SUBJECT = r"(?:本?行政机关|本机关|本单位|本部门|[我本][局委办厅署院县区市镇乡])?"
SECTION_PATTERNS = {
    "一": r"(?:总体|基本)情况|总体工作情况|工作概况|概述",
    "二": rf"{_SUBJECT}(?:主动公开政府信息|政府信息主动公开)(?:的)?(?:工作)?情况",
    "三": rf"{_SUBJECT}收到和处理政府信息公开申请(?:的)?情况",
    "四": r"(?:因)?(?:政府信息公开(?:工作)?)?(?:被申请)?行政复议[、和及与]?(?:提起)?行政诉讼(?:的)?情况",
    "五": r"(?:政府信息公开工作)?存在的?主要问题(?:(?:及|和|与)(?:其)?(?:改进|整改)(?:的)?(?:情况|措施|方向|计划)?)?"
          r"|(?:政府信息公开工作)?(?:存在的?)?(?:主要)?问题(?:及|和|与)(?:其)?(?:改进|整改)(?:的)?(?:情况|措施|方向|计划)?",
    "六": r"其他需要?报告的?事项|其他事项",
}
# what each section is about, for a heading in words of its own under the section's own number ("五、存在的不足及
#下一步工作打算", "六、其他需要说明的事项", "一、年度工作概述"): the number and one of these make it the section
SECTION_KEYWORDS = {
    "一": r"总体|概述|概况|基本情况",
    "二": r"主动公开",
    "三": r"申请",
    "四": r"复议|诉讼",
    "五": r"问题|不足|改进|整改|下一步|打算",
    "六": r"其他|需要?报告",
}
# the official titles and the wordings seen in the wild, for the approximate match of a heading with a typo
SECTION_VARIANTS = {
    "一": ("总体情况",),
    "二": ("主动公开政府信息情况", "主动公开政府信息的情况"),
    "三": ("收到和处理政府信息公开申请情况",),
    "四": ("政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
          "因政府信息公开行政复议、行政诉讼情况"),
    "五": ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
    "六": ("其他需要报告的事项",),
}


def section_name(numeral: str) -> str:
    return f"{numeral}、{SECTION_TITLES[numeral]}"


# --- table 二 (section 二, SPEC §2.3) --------------------------------------------------------------------------
@dataclass(frozen=True)
class RowSpec:
    key: str
    label: str                    # the official label
    keywords: tuple[str, ...]     # distinctive fragments that identify the row despite typos and splits
    columns: tuple[str, ...]      # column keys of the values this row carries, in order
    group: str | None = None      # the parent label printed beside it (e.g. "（三）不予公开")
    numbering: str = ""           # the printed numbering, e.g. "1." or "（一）"
    in_grid: bool = True          # counted in the official cell total


T2_COLUMNS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "fee_amount": "本年收费金额（单位：万元）",
}
T2_ROWS = (
    RowSpec("regulations", "规章", ("规章",), ("issued", "repealed", "in_force"), "第二十条第（一）项"),
    RowSpec("normative_documents", "行政规范性文件", ("规范性文件",), ("issued", "repealed", "in_force"), "第二十条第（一）项"),
    RowSpec("licensing", "行政许可", ("行政许可",), ("decisions",), "第二十条第（五）项"),
    RowSpec("penalties", "行政处罚", ("行政处罚",), ("decisions",), "第二十条第（六）项"),
    RowSpec("enforcement", "行政强制", ("行政强制",), ("decisions",), "第二十条第（六）项"),
    RowSpec("fees", "行政事业性收费", ("事业性收费",), ("fee_amount",), "第二十条第（八）项"),
)

# the 2019 trial format (国办公开办函〔2019〕60号, SPEC §2.3)
T2_COLUMNS_2019 = {
    "made": "本年新制作数量",
    "published": "本年新公开数量",
    "total_public": "对外公开总数量",
    "items_last_year": "上一年项目数量",
    "change": "本年增/减",
    "decisions": "处理决定数量",
    "procurement_items": "采购项目数量",
    "procurement_amount": "采购总金额",
}
T2_ROWS_2019 = (
    RowSpec("regulations", "规章", ("规章",), ("made", "published", "total_public"), "第二十条第（一）项"),
    RowSpec("normative_documents", "规范性文件", ("规范性文件",), ("made", "published", "total_public"), "第二十条第（一）项"),
    RowSpec("licensing", "行政许可", ("行政许可",), ("items_last_year", "change", "decisions"), "第二十条第（五）项"),
    RowSpec("other_services", "其他对外管理服务事项", ("对外管理服务",), ("items_last_year", "change", "decisions"), "第二十条第（五）项"),
    RowSpec("penalties", "行政处罚", ("行政处罚",), ("items_last_year", "change", "decisions"), "第二十条第（六）项"),
    RowSpec("enforcement", "行政强制", ("行政强制",), ("items_last_year", "change", "decisions"), "第二十条第（六）项"),
    RowSpec("fees", "行政事业性收费", ("事业性收费",), ("items_last_year", "change"), "第二十条第（八）项"),
    RowSpec("procurement", "政府集中采购", ("集中采购",), ("procurement_items", "procurement_amount"), "第二十条第（九）项"),
)
SIGNED_COLUMNS = ("change",)  # 本年增/减 of the trial format: a decrease is printed as a negative number
OLD_FORMAT_MARKERS = ("本年新制作数量", "对外公开总数量", "第二十条第（九）项", "政府集中采购", "上一年项目数量", "本年新公开数量")

# --- table 三 (section 三, SPEC §2.4) --------------------------------------------------------------------------
T3_COLUMNS = {
    "natural_person": "自然人",
    "business": "商业企业",
    "research": "科研机构",
    "public_interest": "社会公益组织",
    "legal_services": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}
T3_COLUMN_GROUP = "法人或其他组织"
_C7 = tuple(T3_COLUMNS)
_R3, _R4, _R5, _R6 = "（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"
T3_ROWS = (
    RowSpec("new_applications", "一、本年新收政府信息公开申请数量", ("本年新收",), _C7, numbering="一、"),
    RowSpec("carry_over", "二、上年结转政府信息公开申请数量", ("上年结转",), _C7, numbering="二、"),
    RowSpec("granted", "（一）予以公开", ("予以公开",), _C7, "三、本年度办理结果", "（一）"),
    RowSpec("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",), _C7, "三、本年度办理结果", "（二）"),
    RowSpec("refused_state_secret", "1.属于国家秘密", ("国家秘密",), _C7, _R3, "1."),
    RowSpec("refused_prohibited", "2.其他法律行政法规禁止公开", ("禁止公开",), _C7, _R3, "2."),
    RowSpec("refused_security", "3.危及“三安全一稳定”", ("三安全", "一稳定"), _C7, _R3, "3."),
    RowSpec("refused_third_party", "4.保护第三方合法权益", ("第三方",), _C7, _R3, "4."),
    RowSpec("refused_internal", "5.属于三类内部事务信息", ("内部事务",), _C7, _R3, "5."),
    RowSpec("refused_process", "6.属于四类过程性信息", ("过程性",), _C7, _R3, "6."),
    RowSpec("refused_enforcement_file", "7.属于行政执法案卷", ("执法案卷",), _C7, _R3, "7."),
    RowSpec("refused_query", "8.属于行政查询事项", ("行政查询",), _C7, _R3, "8."),
    RowSpec("unable_not_held", "1.本机关不掌握相关政府信息", ("不掌握",), _C7, _R4, "1."),
    RowSpec("unable_needs_creation", "2.没有现成信息需要另行制作", ("另行制作", "没有现成"), _C7, _R4, "2."),
    RowSpec("unable_unclear", "3.补正后申请内容仍不明确", ("仍不明确", "补正后"), _C7, _R4, "3."),
    RowSpec("rejected_petition", "1.信访举报投诉类申请", ("信访", "举报投诉"), _C7, _R5, "1."),
    RowSpec("rejected_repeat", "2.重复申请", ("重复申请",), _C7, _R5, "2."),
    RowSpec("rejected_publication", "3.要求提供公开出版物", ("公开出版物",), _C7, _R5, "3."),
    RowSpec("rejected_mass", "4.无正当理由大量反复申请", ("大量反复",), _C7, _R5, "4."),
    RowSpec("rejected_confirm", "5.要求行政机关确认或重新出具已获取信息", ("重新出具", "确认或重新"), _C7, _R5, "5."),
    RowSpec("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ("逾期不补正",), _C7, _R6, "1."),
    RowSpec("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ("缴纳费用", "收费通知"), _C7, _R6, "2."),
    RowSpec("other_other", "3.其他", (), _C7, _R6, "3."),
    RowSpec("total_handled", "（七）总计", ("总计",), _C7, "三、本年度办理结果", "（七）"),
    RowSpec("carried_forward", "四、结转下年度继续办理", ("结转下年度", "下年度继续"), _C7, numbering="四、"),
)
# (六)其他处理 printed as a single row: the 2019 format, or a real-world deviation (洪泽区 2024)
T3_OTHER_SINGLE = RowSpec("other_single", "（六）其他处理", ("其他处理",), _C7, "三、本年度办理结果", "（六）", in_grid=False)
T3_OTHER_SPLIT = ("other_overdue_correction", "other_unpaid_fee", "other_other")
T3_OUTCOME_ROWS = tuple(r.key for r in T3_ROWS[2:23])  # (一) … (六)3, whose sum is (七)总计
T3_SUBTOTALS = {  # the implied subtotals the narrative quotes (SPEC §2.7 T3-SUB)
    "granted": ("granted",),
    "partly_granted": ("partly_granted",),
    "refused": tuple(r.key for r in T3_ROWS[4:12]),
    "unable": tuple(r.key for r in T3_ROWS[12:15]),
    "rejected": tuple(r.key for r in T3_ROWS[15:20]),
    "other_handling": T3_OTHER_SPLIT,
}
T3_SUBTOTAL_LABELS = {"granted": "予以公开", "partly_granted": "部分公开", "refused": "不予公开", "unable": "无法提供",
                      "rejected": "不予处理", "other_handling": "其他处理"}
T3_FOOTNOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# --- table 四 (section 四, SPEC §2.5) --------------------------------------------------------------------------
T4_GROUPS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼（未经复议直接起诉）",
    "litigation_after_review": "行政诉讼（复议后起诉）",
}
T4_COLUMNS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}

TABLE_NAMES = {"二": "主动公开政府信息情况表", "三": "收到和处理政府信息公开申请情况表", "四": "行政复议、行政诉讼情况表"}
GRID_SIZES = {"二": 10, "三": 175, "四": 15}

# column labels whose near-misses are reported as TBL-LABEL (SPEC §3.2)
T2_HEADER_LABELS = ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量")
T3_HEADER_LABELS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "法人或其他组织", "申请人情况")

BODY_KINDS = {"department": "县级以上人民政府部门", "government": "县级以上地方人民政府", "township": "乡镇人民政府/街道办事处"}
PUBLISHED_SOURCES = {"given": "用户指定", "portal": "门户网站发布日期", "meta": "网页元数据", "signature": "报告落款日期"}

# --- the words a user sees for coded values and fields --------------------------------------------------------------
# One vocabulary (README, "For developers"): ogiaudit/vocabulary.py presents these words in the CLI, every export, the
# digests and the review desk; storage reads them here (it never imports ogiaudit) for the database's Chinese views and
# Datasette's metadata.  A word is changed here and nowhere else.
SEVERITIES = {"error": "错误", "warning": "警告", "info": "提示"}
FINDING_STATUSES = {"open": "未整改", "resolved": "已整改", "waived": "已豁免"}
YES_NO = {True: "是", False: "否"}
CERTAINTY = {False: "确定", True: "存疑"}          # keyed by a finding's `uncertain`
# why every finding of a report is uncertain, when the reason is the whole report's (Finding.doubt_because)
OCR_DOUBT = "图片版报告经文字识别读取"
YEAR_DOUBT = "无法确定报告年度，按现行（2021年）格式审核"
# the short form of a body kind, for narrow tables (a chart's legend, a phone-sized message); BODY_KINDS is the default
BODY_KINDS_SHORT = {"department": "部门", "government": "人民政府", "township": "乡镇/街道"}

# field -> column header, in every table people read (exports, the review desk's lists, the database's views)
FIELD_LABELS = {
    "id": "编号", "portal": "门户", "portal_name": "门户", "region": "地区", "body": "机构", "body_kind": "机构类型",
    "year": "年度", "url": "原文链接", "published": "发布日期", "published_source": "日期来源", "deadline": "期限",
    "errors": "错误数", "warnings": "警告数", "infos": "提示数", "on_time": "按时", "complete": "完整",
    "consistent": "一致", "rule": "规则", "severity": "严重程度", "section": "部分", "location": "位置", "table": "表",
    "row": "行", "column": "列", "expected": "应为", "observed": "实为", "message": "说明", "evidence": "原文摘录",
    "status": "状态", "category": "类别", "digest_status": "状态", "first_seen": "首次发现", "last_seen": "最近发现",
    "fingerprint": "指纹", "waived_by": "豁免人", "waived_reason": "豁免理由", "waived_at": "豁免时间",
    "resolved_at": "整改时间", "report_id": "报告编号", "audited_at": "审核时间", "ruleset_version": "规则版本",
    "uncertain": "确定性", "expected_bodies": "应发布", "published_count": "已发布", "no_error": "无错误",
    "overdue": "逾期未发布", "share_published": "发布率", "share_on_time": "按时率", "share_complete": "完整率",
    "share_consistent": "一致率", "reports": "报告数", "top_rules": "最常见问题", "rules": "未整改问题",
    "carry_over": "上年结转(总计)", "last_year_carried_forward": "上年报告结转下年度(总计)", "body_id": "机构编号",
    "era": "适用年度", "reason": "原因",
    # the review desk's lists
    "verdict": "审核结论", "verdict_by": "审核人", "verdict_reason": "审核理由", "title": "标题", "format": "格式",
    "ocr": "图片版", "configured": "应发布", "attempts": "次数", "error": "错误原因",
}
