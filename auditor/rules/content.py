"""Content the law or the format requires: CNT-FEE, CNT-ACCOUNT."""
from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.context import AuditContext
from auditor.eras import CURRENT, NEW_LAW
from auditor.findings import Finding
from auditor.report import AnnualReport
from auditor.rules import Rule, rule

_FEE = re.compile(r"处理费|收取[^。]{0,8}费|收费|信息公开费")
_ACCOUNT = re.compile(r"责任追究|追究责任|问责")
_ASSESS = re.compile(r"考核|评议|考评")


@rule
class FeeStatement(Rule):
    id = "CNT-FEE"
    eras = (CURRENT,)
    severity = "warning"
    title = "未说明信息处理费收取情况"
    basis = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）；年度报告格式第六部分"
    description = "第六部分“其他需要报告的事项”没有说明本年度是否收取信息处理费。"
    template = "第六部分未说明本年度是否收取信息处理费"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        section = report.sections.get("六")
        if section is not None and not _FEE.search(section.text):
            yield self.finding(section="六", evidence=section.text[:80] or None)


@rule
class Accountability(Rule):
    id = "CNT-ACCOUNT"
    eras = NEW_LAW
    severity = "warning"
    title = "人民政府报告未说明考核、社会评议和责任追究结果"
    basis = "《中华人民共和国政府信息公开条例》第五十条第（四）项"
    description = "人民政府（含乡镇人民政府）的报告没有说明政府信息公开工作考核、社会评议和责任追究的结果（即使是“未发生责任追究”也应写明）。"
    template = "人民政府的报告应说明政府信息公开工作考核、社会评议和责任追究结果，本报告未写明{missing}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        if report.body_kind not in ("government", "township") or not report.looks_like_report:
            return
        text = report.full_text()
        missing = [w for w, pattern in (("考核或社会评议结果", _ASSESS), ("责任追究结果", _ACCOUNT)) if not pattern.search(text)]
        if missing:
            yield self.finding(section="一", missing="、".join(missing))
