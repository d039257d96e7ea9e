"""Structure and completeness of the document: DOC-*, SEC-*."""
from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.context import AuditContext
from auditor.document import Paragraph
from auditor.eras import NEW_LAW, OLD
from auditor.findings import Finding
from auditor.labels import SECTION_NUMERALS, section_name
from auditor.oldera import missing_topics
from auditor.report import AnnualReport
from auditor.rules import Rule, rule

FORMAT = "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）"
ART50 = "《中华人民共和国政府信息公开条例》第五十条"
_TITLE_FORM = re.compile(r"^(?:.{2,40}?\d{4}年度?|\d{4}年度?.{2,40}?)政府信息公开工作年度报告$")


@rule
class Title(Rule):
    id = "DOC-TITLE"
    eras = NEW_LAW  # the title's form comes with the format; old reports were titled freely
    severity = "info"
    title = "标题不符合规范格式"
    basis = FORMAT
    description = "标题不是“<机构名称><年份>年（度）政府信息公开工作年度报告”的形式，例如以“关于上报…的报告”呈报的文件。"
    template = "标题“{title}”不是“<机构名称><年份>年（度）政府信息公开工作年度报告”的形式"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        title = report.title or ""
        if not _TITLE_FORM.match(title):
            yield self.finding(title=title or "（无标题）", evidence=title or None)


@rule
class ImageOnly(Rule):
    id = "DOC-IMAGE-ONLY"
    severity = "warning"
    title = "报告无文字层（图片版）"
    basis = "SPEC §3.3、§4（图片版报告无法检索）"
    description = "报告没有文字层（扫描件或图片），已通过文字识别（OCR）读取，其他审核结果的可信度较低。"
    template = "报告无文字层（扫描件或图片版），已用文字识别读取，以下结果请人工复核"

    def rests_on_text(self, report: AnnualReport) -> bool:
        return False

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        if report.document.ocr:
            yield self.finding()


@rule
class SectionMissing(Rule):
    id = "SEC-MISSING"
    eras = NEW_LAW
    severity = "error"
    title = "缺少规定部分"
    basis = f"{ART50}；{FORMAT}"
    description = "六个部分（总体情况、主动公开、依申请公开、复议诉讼、问题及改进、其他事项）之一缺失，每缺一个部分报一条。"
    template = "缺少第{numeral}部分“{name}”"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        if not report.looks_like_report:
            return
        for numeral in SECTION_NUMERALS:
            if numeral not in report.sections:
                yield self.finding(section=numeral, numeral=numeral, name=section_name(numeral))


@rule
class SectionEmpty(Rule):
    id = "SEC-EMPTY"
    eras = NEW_LAW
    severity = "warning"
    title = "部分内容为空"
    basis = ART50
    description = "某部分有标题但没有实际内容（既无文字也无表格）。"
    template = "第{numeral}部分“{name}”只有标题，没有内容"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        for numeral, section in report.sections.items():
            body = any(ch.isalnum() for ch in section.text)
            has_table = numeral in ("二", "三", "四") and report.tables[numeral].present
            if not body and not has_table:
                yield self.finding(section=numeral, numeral=numeral, name=section_name(numeral))


@rule
class SectionOrder(Rule):
    id = "SEC-ORDER"
    eras = NEW_LAW
    severity = "warning"
    title = "部分顺序错乱"
    basis = FORMAT
    description = "六个部分没有按“一”至“六”的顺序排列。"
    template = "各部分顺序为“{actual}”，应为“一二三四五六”"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        actual = "".join(s.numeral for s in sorted(report.sections.values(), key=lambda s: s.start))
        if actual != "".join(n for n in SECTION_NUMERALS if n in report.sections):
            yield self.finding(actual=actual, expected="一二三四五六", observed=actual)


@rule
class SectionHeading(Rule):
    id = "SEC-HEADING"
    eras = NEW_LAW
    severity = "info"
    title = "标题编号或措辞与规范不一致"
    basis = FORMAT
    description = "某部分的标题编号（如“2、”代替“二、”）或措辞与规范格式不同，但仍可识别。"
    template = "第{numeral}部分标题“{printed}”与规范标题“{name}”不一致（{what}）"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        for numeral, s in report.sections.items():
            if s.numbering_ok and s.wording_ok:
                continue
            if s.via_subheading:
                what, printed = "无本部分标题，按其小标题识别", "（无）"
            elif s.via_table:
                what, printed = "未找到本部分标题，按其统计表识别", "（无）"
            else:
                what = "、".join(w for w, bad in (("编号", not s.numbering_ok), ("措辞", not s.wording_ok)) if bad)
                printed = s.heading
            yield self.finding(section=numeral, numeral=numeral, printed=printed, name=section_name(numeral),
                               what=what, evidence=s.heading or None)


@rule
class OldTopic(Rule):
    id = "SEC-TOPIC"
    severity = "warning"
    eras = (OLD,)
    title = "未报告旧条例第三十二条规定的事项"
    basis = "《中华人民共和国政府信息公开条例》（国务院令第492号，2008—2019年施行）第三十二条"
    description = ("2008—2018年度的报告没有统一格式，按内容（不按标题编号）核对旧条例第三十二条规定的报告事项："
                   "主动公开，依申请公开和不予公开，收费及减免，行政复议和行政诉讼，存在的主要问题及改进情况。"
                   "全文（含统计表）对某一事项只字未提时报告；收费及减免情况（多地已停止收费）仅作提示。")
    template = "全文未涉及旧条例第三十二条第{name}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        if not report.looks_like_report:
            return
        text = "\n".join(b.text if isinstance(b, Paragraph) else " ".join(" ".join(r) for r in b.rows)
                         for b in report.blocks)
        for topic in missing_topics(text):
            yield self.finding(name=topic.name, severity="info" if topic.key == "fees" else None,
                               evidence=topic.name)
