"""Across years (RULES.md): X-CARRY, X-REUSE.

The auditor never touches the database: storage supplies last year's report of the same body as
`context.previous` (auditor.audit.PreviousReport).  Without it these rules do not run (needs_history).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from typing import Any

from auditor.context import AuditContext, PreviousReport
from auditor.eras import NEW_LAW
from auditor.findings import Finding, Location
from auditor.labels import SECTION_TITLES, T3_COLUMNS, T3_ROWS
from auditor.report import AnnualReport
from auditor.rules import Rule, rule

ART50 = "《中华人民共和国政府信息公开条例》第五十条；国办公开办函〔2021〕30号 年度报告格式（表三 勾稽关系）"
_CARRY_ROW = next(r.label for r in T3_ROWS if r.key == "carry_over")
_CARRIED_ROW = next(r.label for r in T3_ROWS if r.key == "carried_forward")
REUSE_SECTIONS = ("一", "五")
REUSE_THRESHOLD = 0.9
REUSE_MIN_CHARS = 60  # shorter sections ("无") say too little to call them copied


def _values(report: AnnualReport) -> dict[str, dict[str, dict[str, Any]]]:
    try:
        return report.values() or {}
    except Exception:
        return {}


@rule
class CarryOver(Rule):
    id = "X-CARRY"
    eras = NEW_LAW
    severity = "error"
    needs_history = True
    title = "上年结转数与上一年度报告的结转下年度数不一致"
    basis = ART50 + "；SPEC §5 X1"
    description = ("表三“二、上年结转政府信息公开申请数量”应等于同一机构上一年度报告表三“四、结转下年度继续办理”，"
                   "逐列比较（自然人、各类法人或其他组织、总计）。两年都有数值且不相等时报告。"
                   "机构改革、乡镇合并或报告重新发布可能造成差异，应在第六部分说明。")
    template = ("{year}年度报告表三“二、上年结转”{column}列为{observed}，"
                "而{prev_year}年度报告“四、结转下年度继续办理”为{expected}，两者应相等")

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        prev = context.previous
        if prev is None:
            return
        this_year = getattr(report, "year", None) or (prev.year + 1)
        carry = (_values(report).get("三") or {}).get("carry_over") or {}
        for col, label in T3_COLUMNS.items():
            observed, expected = carry.get(col), (prev.carried_forward or {}).get(col)
            if not isinstance(observed, (int, float)) or not isinstance(expected, (int, float)):
                continue
            if observed != expected:
                yield self.finding(
                    section="三", location=Location(table="三", row=_CARRY_ROW, column=label),
                    expected=expected, observed=observed,
                    evidence=f"{prev.year}年度{_CARRIED_ROW}：{expected}；{this_year}年度{_CARRY_ROW}：{observed}",
                    cells=[{"table": "三", "row": _CARRIED_ROW, "column": label, "value": expected, "year": prev.year},
                           {"table": "三", "row": _CARRY_ROW, "column": label, "value": observed, "year": this_year}],
                    year=this_year, prev_year=prev.year, column=label, doubt=self._doubt(report, prev, col))

    @staticmethod
    def _doubt(report: AnnualReport, prev: PreviousReport, column: str) -> str | None:
        """Certainty before accusation: either year's number read with doubt makes the difference a warning."""
        grid = (getattr(report, "tables", None) or {}).get("三")
        cell = grid.cell("carry_over", column) if grid is not None else None
        if cell is not None and not cell.certain:
            return "本年度表三该单元格的列位置或数字拆分不能确定"
        if prev.uncertain:
            return f"{prev.year}年度报告是图片版，经文字识别读取"
        return None


_NOISE = re.compile(r"[\s\d０-９一二三四五六七八九十百千万零〇两]+|年度?|月|日|[，。、；：“”‘’（）()《》,.;:!?！？\-—…·%％]")


def normalise(text: str) -> str:
    """The text without digits, years, Chinese numerals, punctuation and whitespace (what stays the same when a
    report is copied and only the numbers are updated)."""
    return _NOISE.sub("", text or "")


def similarity(a: str, b: str) -> float:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@rule
class Reuse(Rule):
    id = "X-REUSE"
    eras = NEW_LAW
    severity = "warning"
    needs_history = True
    title = "与上一年度报告内容大量雷同"
    basis = "SPEC §5 X5；第三方评估“照搬上年报告”扣分项"
    description = (f"第一部分（总体情况）和第五部分（存在的主要问题及改进情况）与同一机构上一年度报告的同一部分相比，"
                   f"去掉数字、年份、标点和空白后相似度达到{REUSE_THRESHOLD:.0%}以上，可能照搬上年报告。每部分一条；"
                   f"去掉这些后不足{REUSE_MIN_CHARS}字的部分（如“无”）不比较。")
    template = "第{numeral}部分“{title}”与{prev_year}年度报告的同一部分相似度为{ratio:.0%}，可能照搬上年报告"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        prev = context.previous
        if prev is None or not prev.sections:
            return
        sections = getattr(report, "sections", None) or {}
        for numeral in REUSE_SECTIONS:
            this = sections.get(numeral)
            this_text = getattr(this, "text", this) if this is not None else None
            last = prev.sections.get(numeral)
            if not this_text or not last:
                continue
            if min(len(normalise(this_text)), len(normalise(last))) < REUSE_MIN_CHARS:
                continue
            ratio = similarity(this_text, last)
            if ratio >= REUSE_THRESHOLD:
                yield self.finding(section=numeral, expected=f"<{REUSE_THRESHOLD:.0%}", observed=round(ratio, 3),
                                   evidence=this_text.strip()[:60], numeral=numeral,
                                   title=SECTION_TITLES[numeral], prev_year=prev.year, ratio=ratio)
