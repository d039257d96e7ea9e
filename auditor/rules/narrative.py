"""The narrative against itself and against the tables (SPEC §2.7 N1–N5): TXT-SUM, TXT-PCT, TXT-TABLE.

These read free text, so they are deliberately conservative: a sentence they do not understand is skipped, never
guessed at."""
from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.findings import Location
from auditor.labels import T3_SUBTOTAL_LABELS, T3_SUBTOTALS, T4_GROUPS
from auditor.rules import Rule, rule

_UNITS = {"件": "件", "条": "条", "篇": "篇", "个": "个", "人": "人", "名": "人", "位": "人", "次": "次", "项": "项",
          "期": "期", "场": "场", "处": "处", "万元": "万元", "元": "元", "户": "户", "家": "家", "份": "份", "起": "起"}
_QTY = re.compile(r"(?<![\d.第])(\d+(?:\.\d+)?)\s*(万元|件|条|篇|个|人|名|位|次|项|期|场|处|元|户|家|份|起)(?![\d%])")
_APPROX = re.compile(r"(超过?|近|约|余|多|以上|左右|逾)$")
_TOTAL_MARK = re.compile(r"(共计|共有|共|总计|合计|累计|总数|总量|总共)")
_SENTENCES = re.compile(r"[^。！？\n]+")


@dataclass
class Qty:
    value: float
    unit: str
    start: int
    approx: bool


def quantities(text: str) -> list[Qty]:
    out = []
    for m in _QTY.finditer(text):
        before, after = text[max(0, m.start() - 2):m.start()], text[m.end():m.end() + 1]
        approx = bool(_APPROX.search(before)) or after in ("余", "多")
        out.append(Qty(float(m.group(1)), _UNITS[m.group(2)], m.start(), approx))
    return out


def _num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(text) if s.strip()]


@rule
class NarrativeSum(Rule):
    id = "TXT-SUM"
    severity = "warning"
    title = "正文合计数与分项之和不符"
    basis = "《中华人民共和国政府信息公开条例》第五十条（报告内容应真实准确）"
    description = "正文写出总数和分项（“共计X…，其中a…、b…、c…”），分项之和与总数不符（同一单位）。"
    template = "正文称共{total}{unit}，但列出的分项{parts}合计为{sum}{unit}"

    def check(self, report, context):
        for sentence in sentences(report.text()):
            head, sep, tail = sentence.partition("其中")
            if not sep:
                continue
            clause = re.split(r"[，,；;：:]", head.rstrip("，,：: "))[-1]
            totals = [q for q in quantities(clause) if not q.approx]
            if not totals:
                continue
            explicit = bool(_TOTAL_MARK.search(clause))
            tail = _TOTAL_MARK.split(tail, maxsplit=1)[0]  # a new "共…" starts another enumeration
            parts = quantities(tail)
            for total in totals:
                same = [p for p in parts if p.unit == total.unit]
                if len(same) < 2 or any(p.approx for p in same):
                    continue
                s = round(sum(p.value for p in same), 4)
                if s > total.value + 1e-6 or (explicit and s < total.value - 1e-6):
                    yield self.finding(
                        section=self._section(report, sentence), total=_num(total.value), unit=total.unit,
                        parts="+".join(_num(p.value) for p in same), sum=_num(s), expected=s, observed=total.value,
                        evidence=sentence[:160])

    @staticmethod
    def _section(report, sentence: str) -> str | None:
        return next((n for n, s in report.sections.items() if sentence[:30] in s.text), None)


_PCT_A = re.compile(r"(\d+(?:\.\d+)?)\s*(件|条|篇|个|人|次|项)[^，。；%\d（(]{0,4}[（(]\s*(\d+(?:\.\d+)?)\s*%")
_PCT_B = re.compile(r"(\d+(?:\.\d+)?)\s*(件|条|篇|个|人|次|项)\s*[，,]\s*占[^，。；\d]{0,12}?(\d+(?:\.\d+)?)\s*%")


@rule
class NarrativePercent(Rule):
    id = "TXT-PCT"
    severity = "warning"
    title = "正文百分比与数量不符"
    basis = "《中华人民共和国政府信息公开条例》第五十条（报告内容应真实准确）"
    description = "正文写出占比（“N件（x%）”、“N条，占…x%”），该比例与数量和同段任何总数之比都不符（按所写小数位四舍五入或截断）。"
    template = "正文称{count}{unit}占{pct}%，但按总数{total}{unit}计算应为{computed}%"

    def check(self, report, context):
        for paragraph in report.text().split("\n"):
            if "%" not in paragraph:
                continue
            qtys = quantities(paragraph)
            for m in [*_PCT_A.finditer(paragraph), *_PCT_B.finditer(paragraph)]:
                count, unit, pct_text = float(m.group(1)), _UNITS[m.group(2)], m.group(3)
                pct = float(pct_text)
                decimals = len(pct_text.partition(".")[2])
                tolerance = 10 ** -decimals + 1e-9
                totals = [q.value for q in qtys if q.unit == unit and q.value > count and not q.approx]
                if not totals:
                    continue
                if any(abs(count / t * 100 - pct) <= tolerance for t in totals):
                    continue
                best = min(totals, key=lambda t: abs(count / t * 100 - pct))
                computed = round(count / best * 100, max(decimals, 2))
                yield self.finding(section=NarrativeSum._section(report, paragraph), count=_num(count), unit=unit,
                                   pct=pct_text, total=_num(best), computed=computed, expected=computed, observed=pct,
                                   evidence=paragraph[max(0, m.start() - 30):m.end() + 5])


# --- narrative against the tables ----------------------------------------------------------------------------
_NONE_RECEIVED = re.compile(r"未(?:收到|受理|接到|接收)[^。；，,]{0,14}?申请|(?:收到|受理)[^。；，,\d]{0,14}?申请[^。；，,\d]{0,10}?(?<!\d)0\s*件")
_RECEIVED = re.compile(r"(收到|受理|接收|办理)[^。；，,\d]{0,16}?申请[^。；，,\d]{0,6}?(\d+)\s*件")
_HANDLED = re.compile(r"办结[^。；，,\d（(]{0,10}?(\d+)\s*件")
_FORWARD = re.compile(r"结转(?:至\d{4}年度?|到?下一?年度?)[^。；，,\d]{0,6}?(\d+)\s*件")
_CARRY_IN = re.compile(r"上年度?结转[^。；，,\d]{0,14}?(\d+)\s*件")
_SUBTOTAL = re.compile(r"(予以公开及部分公开|予以公开|部分公开|不予公开|无法提供|不予处理|其他处理)[^。；，,\d（(]{0,6}?(\d+)\s*件")
_NO_CASES = re.compile(r"未(?:发生|收到|出现|有)[^。；]{0,14}?行政复议[、和及或与]?(?:提起)?行政诉讼(?!纠错|败诉)")
_REVIEW_N = re.compile(r"行政复议(?!纠错)[^。；，,\d]{0,8}?(\d+)\s*(?:件|起|宗)")
_LITIGATION_N = re.compile(r"行政诉讼(?!败诉)[^。；，,\d]{0,8}?(\d+)\s*(?:件|起|宗)")
_SUBTOTAL_KEYS = {"予以公开": ("granted",), "部分公开": ("partly_granted",), "予以公开及部分公开": ("granted", "partly_granted"),
                  "不予公开": ("refused",), "无法提供": ("unable",), "不予处理": ("rejected",), "其他处理": ("other_handling",)}


@rule
class NarrativeTable(Rule):
    id = "TXT-TABLE"
    severity = "error"
    title = "正文与统计表矛盾"
    basis = "《中华人民共和国政府信息公开条例》第五十条（报告内容应真实准确）"
    description = ("正文与统计表矛盾，例如称“未收到政府信息公开申请”而表三有本年新收申请；称“未发生行政复议、行政诉讼”"
                   "而表四有案件；正文写的申请数、办结数、结转数或各类办理结果件数与表三不符。")
    template = "正文称“{quote}”，但{table_text}"

    def check(self, report, context):
        t3, t4 = report.tables["三"], report.tables["四"]
        text = report.text("一", "三", "四")
        for sentence in sentences(text):
            if "申请" in sentence or "办结" in sentence or "结转" in sentence:
                yield from self._applications(sentence, t3)
            if "复议" in sentence or "诉讼" in sentence:
                yield from self._cases(sentence, t4)

    def _tot(self, grid, *rows):
        values = [grid.value(r, "total") for r in rows]
        return None if None in values else sum(values)

    def _sub(self, grid, key):
        values = [grid.value(r, "total") for r in T3_SUBTOTALS[key]]
        if grid.other_single and key == "other_handling":
            values = [grid.value("other_single", "total")]
        return None if None in values else sum(values)

    def _t3(self, quote, sentence, row_key, grid, expected, observed, what):
        row = grid.spec[row_key].label if row_key in grid.spec else row_key
        return self.finding(section="三", location=Location("三", row, "总计"), quote=quote, expected=expected,
                            observed=observed, table_text=f"表三{what}为{expected}件", evidence=sentence[:160])

    def _applications(self, sentence, t3):
        new = self._tot(t3, "new_applications")
        if new is not None and new > 0 and (m := _NONE_RECEIVED.search(sentence)):
            yield self._t3(m.group(0), sentence, "new_applications", t3, new, 0, "“本年新收政府信息公开申请数量”总计")
        carry, handled, forward = (self._tot(t3, k) for k in ("carry_over", "total_handled", "carried_forward"))
        for m in _RECEIVED.finditer(sentence):
            n = int(m.group(2))
            if "其中" in sentence[max(0, m.start() - 6):m.start()] or "结转" in m.group(0):
                continue
            accepted = {v for v in (new, handled, None if new is None or carry is None else new + carry) if v is not None}
            if accepted and n not in accepted and new is not None:
                yield self._t3(m.group(0), sentence, "new_applications", t3, new, n, "“本年新收政府信息公开申请数量”总计")
        for pattern, key, what in ((_HANDLED, "total_handled", "“（七）总计”"), (_FORWARD, "carried_forward", "“结转下年度继续办理”总计"),
                                   (_CARRY_IN, "carry_over", "“上年结转政府信息公开申请数量”总计")):
            value = self._tot(t3, key)
            for m in pattern.finditer(sentence):
                if value is not None and int(m.group(1)) != value:
                    yield self._t3(m.group(0), sentence, key, t3, value, int(m.group(1)), what)
        for m in _SUBTOTAL.finditer(sentence):
            keys = _SUBTOTAL_KEYS[m.group(1)]
            values = [self._sub(t3, k) for k in keys]
            if None in values:
                continue
            if int(m.group(2)) != sum(values):
                label = "、".join(T3_SUBTOTAL_LABELS[k] for k in keys)
                row = {"granted": "granted", "partly_granted": "partly_granted"}.get(keys[0], "total_handled")
                yield self._t3(m.group(0), sentence, row, t3, sum(values), int(m.group(2)), f"“{label}”合计")

    def _cases(self, sentence, t4):
        totals = {k: t4.value(k, "total") for k in T4_GROUPS}
        if (m := _NO_CASES.search(sentence)) and all(v is not None for v in totals.values()) and sum(totals.values()) > 0:
            yield self.finding(section="四", location=Location("四", None, "总计"), quote=m.group(0),
                               expected=sum(totals.values()), observed=0, evidence=sentence[:160],
                               table_text="表四行政复议、行政诉讼总计共{}件".format(_num(sum(totals.values()))))
        review = totals["review"]
        for m in _REVIEW_N.finditer(sentence):
            if review is not None and int(m.group(1)) != review:
                yield self.finding(section="四", location=Location("四", T4_GROUPS["review"], "总计"), quote=m.group(0),
                                   expected=review, observed=int(m.group(1)), evidence=sentence[:160],
                                   table_text=f"表四行政复议总计为{_num(review)}件")
        lit = [totals["litigation_direct"], totals["litigation_after_review"]]
        for m in _LITIGATION_N.finditer(sentence):
            if None not in lit and int(m.group(1)) != sum(lit):
                yield self.finding(section="四", location=Location("四", "行政诉讼", "总计"), quote=m.group(0),
                                   expected=sum(lit), observed=int(m.group(1)), evidence=sentence[:160],
                                   table_text=f"表四行政诉讼（直接起诉与复议后起诉）总计为{_num(sum(lit))}件")
