"""The narrative against itself and against the tables (SPEC §2.7 N1–N5): TXT-SUM, TXT-PCT, TXT-TABLE.

These read free text, so they are deliberately conservative: a sentence they do not understand is skipped, never
guessed at."""
from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.context import AuditContext
from auditor.eras import NEW_LAW, OLD
from auditor.findings import Finding, Location
from auditor.labels import T3_SUBTOTAL_LABELS, T3_SUBTOTALS, T4_GROUPS
from auditor.narrative import UNITS, Enumeration, enumerations, quantities, sentences
from auditor.report import AnnualReport
from auditor.rules import Rule, rule
from auditor.tables import Grid


def _num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _section(report: AnnualReport, text: str) -> str | None:
    return next((n for n, s in report.sections.items() if text[:30] in s.text), None)


@rule
class NarrativeSum(Rule):
    id = "TXT-SUM"
    severity = "warning"
    title = "正文合计数与分项之和不符"
    basis = "《中华人民共和国政府信息公开条例》第五十条（报告内容应真实准确）"
    description = ("正文写出总数和分项（“共计X…，其中a…、b…、c…”），分项之和与总数不符（同一单位）。"
                   "括号内或“，包括…”的细分、分号后的另一组列举或另一件事、没有单位的数字都不算作分项；"
                   "列举在某个分号处已凑足总数的，不报告；“其中重点…”只列举一部分，分项少于总数时不报告；"
                   "“其中”前有两个数量（如新收和上年结转）时总数不确定，不报告。")
    template = "正文称共{total}{unit}，但列出的分项{parts}合计为{sum}{unit}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        for paragraph in report.text().split("\n"):
            sents = sentences(paragraph)
            for i, sentence in enumerate(sents):
                for enum in enumerations(sentence, sents[i - 1] if i else ""):
                    yield from self._judge(report, sentence, enum)

    def _judge(self, report: AnnualReport, sentence: str, enum: Enumeration) -> Iterator[Finding]:
        for total in enum.totals:
            parts = enum.parts(total.unit)
            if len(parts) < 2 or any(p.approx for p in parts) or enum.met_at_a_clause_end(total):
                continue
            if enum.bare:  # a part printed without its unit may be what is missing: cannot tell
                continue
            s = round(sum(p.value for p in parts), 4)
            if s > total.value + 1e-6 or (enum.explicit and s < total.value - 1e-6):
                yield self.finding(
                    section=_section(report, sentence), total=_num(total.value), unit=total.unit,
                    parts="+".join(_num(p.value) for p in parts), sum=_num(s), expected=s, observed=total.value,
                    evidence=sentence[:160])


_PCT_A = re.compile(r"(\d+(?:\.\d+)?)\s*(件|条|篇|个|人|次|项)[^，。；%\d（(]{0,4}[（(]\s*(\d+(?:\.\d+)?)\s*%")
_PCT_B = re.compile(r"(\d+(?:\.\d+)?)\s*(件|条|篇|个|人|次|项)\s*[，,]\s*所?占[^，。；\d]{0,12}?(\d+(?:\.\d+)?)\s*%")


@rule
class NarrativePercent(Rule):
    id = "TXT-PCT"
    severity = "warning"
    title = "正文百分比与数量不符"
    basis = "《中华人民共和国政府信息公开条例》第五十条（报告内容应真实准确）"
    description = ("正文写出占比（“N件（x%）”、“N条，占…x%”），而该比例与数量和任何可能的基数之比都不符"
                   "（按所写小数位四舍五入或截断，如5.19%只能写作5%或5.2%，不能写作6%）。可能的基数：本部分写出的同单位数量，以及表三的新收、办理总数。")
    template = "正文称{count}{unit}占{pct}%，但按总数{total}{unit}计算应为{computed}%"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        texts = [report.text()] if report.era is OLD or not report.sections else \
            [s.text for s in report.sections.values()]
        for text in texts:
            bases = self._bases(report, text)
            for paragraph in text.split("\n"):
                if "%" in paragraph:
                    yield from self._paragraph(report, paragraph, bases)

    @staticmethod
    def _bases(report: AnnualReport, text: str) -> dict[str, set[float]]:
        """Every quantity of the section by unit, and the table's totals a share of applications is taken of."""
        out: dict[str, set[float]] = {}
        for q in quantities(text):
            if not q.approx:
                out.setdefault(q.unit, set()).add(q.value)
        t3 = report.tables.get("三")
        if t3 is not None:
            keys = ("new_applications", "carry_over", "total_handled")
            new, carry, handled = (t3.value(k, "total") for k in keys)
            out.setdefault("件", set()).update(v for v in (new, handled, (new or 0) + (carry or 0)) if v)
        return out

    def _paragraph(self, report: AnnualReport, paragraph: str, bases: dict[str, set[float]]) -> Iterator[Finding]:
        preceding = quantities(paragraph)
        for m in [*_PCT_A.finditer(paragraph), *_PCT_B.finditer(paragraph)]:
            count, unit, pct_text = float(m.group(1)), UNITS[m.group(2)], m.group(3)
            pct = float(pct_text)
            decimals = len(pct_text.partition(".")[2])
            step = 10 ** -decimals
            stated = [q.value for q in preceding if q.unit == unit and q.value > count and not q.approx]
            if not stated:  # no base written near the share: nothing to compare with
                continue
            candidates = stated + [b for b in bases.get(unit, ()) if b > count]
            if any(_printed_as(count / t * 100, pct, step) for t in candidates):
                continue
            best = min(stated, key=lambda t: abs(count / t * 100 - pct))
            computed = round(count / best * 100, max(decimals, 2))
            yield self.finding(section=_section(report, paragraph), count=_num(count), unit=unit,
                               pct=pct_text, total=_num(best), computed=computed, expected=computed, observed=pct,
                               evidence=paragraph[max(0, m.start() - 30):m.end() + 5])


def _printed_as(share: float, pct: float, step: float) -> bool:
    """Whether `share` (in %) may be printed as `pct` at that many decimals: rounded (pct ± half a step) or cut off
    (pct up to a step more); 5.19% is never "6%"."""
    return pct - step / 2 - 1e-9 <= share < pct + step + 1e-9


# --- narrative against the tables ----------------------------------------------------------------------------
_NONE_RECEIVED = re.compile(r"未(?:收到|受理|接到|接收)(?P<mid>[^。；，,]{0,14}?)申请"
                            r"|(?:收到|受理)(?P<mid0>[^。；，,\d]{0,14}?)申请[^。；，,\d]{0,10}?(?<!\d)0\s*件")
# "共收到政府信息公开申请12件", "全镇收到依申请公开政府信息 5 件", "受理依申请公开事项3件"
_RECEIVED = re.compile(r"(?:收到|受理|接收|接到|新收)(?P<mid>[^。；;，,\d]{0,24}?)(?P<n>\d+)\s*件")
_HANDLED = re.compile(r"(?:办结|办理完毕|答复完毕)[^。；，,\d（(]{0,10}?(\d+)\s*件")
_FORWARD = re.compile(r"结转(?:至\d{4}年度?|到?下一?年度?)[^。；，,\d]{0,6}?(\d+)\s*件")
_CARRY_IN = re.compile(r"上年度?结转[^。；，,\d]{0,14}?(\d+)\s*件")
_SUBTOTAL = re.compile(r"(予以公开及部分公开|予以公开|部分公开|不予公开|无法提供|不予处理|其他处理)[^。；，,\d（(]{0,6}?(\d+)\s*件")
_NO_CASES = re.compile(r"未(?:发生|收到|出现|有)[^。；]{0,14}?行政复议[、和及或与]?(?:提起)?行政诉讼(?!纠错|败诉)")
# a count of cases, not of one outcome ("行政复议结果维持2件" is 维持, not all the cases)
_NOT_OUTCOME = r"(?:(?!维持|纠正|纠错|撤销|驳回|审结|结果|败诉|胜诉|终止|撤回|确认)[^。；，,\d])"
_REVIEW_N = re.compile(rf"行政复议(?!纠错|决定|机关)(?:案件|申请)?{_NOT_OUTCOME}{{0,8}}?(\d+)\s*(?:件|起|宗)")
_LITIGATION_N = re.compile(rf"行政诉讼(?!败诉)(?:案件)?{_NOT_OUTCOME}{{0,8}}?(\d+)\s*(?:件|起|宗)")
_SUBTOTAL_KEYS = {"予以公开": ("granted",), "部分公开": ("partly_granted",), "予以公开及部分公开": ("granted", "partly_granted"),
                  "不予公开": ("refused",), "无法提供": ("unable",), "不予处理": ("rejected",), "其他处理": ("other_handling",)}
# a count of a wider population than a county (or higher) government's own tables may cover: every organ of the
# county ("全县各级行政机关共收到申请…"); a township's "全镇" is the township itself
_WIDER = re.compile(r"全(?:县|区|市|省|州|盟|旗)(?!人民政府|政府)|各级(?:行政机关|政府)?|(?:县|区|市)直各")
# a count of part of the applications, not of the body's: a channel, a kind, or another office ("区政府办代表区政府")
_PART_OF = re.compile(r"其中|代表|通过|网上|网络|在线|当面|现场|窗口|信函|来信|邮寄|传真|电子邮件|邮件|电话|涉及|关于|有关.{0,6}(领域|方面)|"
                      r"各(部门|单位|乡镇|街道)|(?<![我本全该])[\u4e00-\u9fff]{1,10}(办公室|办公厅|政府办|局|委员会|部门|中心|单位)")
_NOT_APPLICATIONS = re.compile(r"复议|诉讼|信访|投诉|举报|咨询|来电|建议|提案|留言|诉求")


def _clause_before(sentence: str, at: int) -> str:
    return re.split(r"[，,；;：:]", sentence[:at])[-1]


@rule
class NarrativeTable(Rule):
    id = "TXT-TABLE"
    eras = NEW_LAW
    severity = "error"
    title = "正文与统计表矛盾"
    basis = "《中华人民共和国政府信息公开条例》第五十条（报告内容应真实准确）"
    description = ("正文与统计表矛盾，例如称“未收到政府信息公开申请”而表三有本年新收申请；称“未发生行政复议、行政诉讼”"
                   "而表四有案件；正文写的本机关收到（受理）的申请数、办结数、结转数、各类办理结果件数，"
                   "或政府信息公开行政复议、行政诉讼件数与表三、表四不符。只说部分申请（某一渠道、某个科室）的数字不比较；"
                   "正文说的是全县（全区、全市）各级行政机关的数字时，表格可能只统计本机关，至多报告为警告。")
    template = "正文称“{quote}”，但{table_text}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        t3, t4 = report.tables["三"], report.tables["四"]
        four = report.text("四")
        for sentence in sentences(report.text("一", "三", "四")):
            found: list[Finding] = []
            if "申请" in sentence or "办结" in sentence or "结转" in sentence:
                found += self._applications(sentence, t3)
            if ("复议" in sentence or "诉讼" in sentence) and ("信息公开" in sentence or sentence in four):
                found += self._cases(sentence, t4)
            wider = _WIDER.search(sentence) if found else None
            if wider and not self._same_scope(sentence, t3, t4):
                for f in found:
                    f.doubt_because(f"正文说的是“{wider.group(0)}”的数字，表格可能只统计本机关")
            yield from found

    def _same_scope(self, sentence: str, t3: Grid, t4: Grid) -> bool:
        """Whether another count of the same sentence agrees with the tables ("全县…共办理718件，结转下一年31件"
        beside a table of 718 and 31): then the tables are the county's too, and a count that disagrees is a
        contradiction, not a difference of scope."""
        keys = ("new_applications", "carry_over", "total_handled", "carried_forward")
        table = {v for v in (self._tot(t3, k)[0] for k in keys) if v}
        table |= {v for v in (self._case(t4, k)[0] for k in T4_GROUPS) if v}
        counts = {int(m.group(1)) for p in (_HANDLED, _FORWARD, _CARRY_IN, _REVIEW_N, _LITIGATION_N)
                  for m in p.finditer(sentence)} | {int(m.group("n")) for m in _RECEIVED.finditer(sentence)}
        return bool(counts & table)

    @staticmethod
    def _tot(grid: Grid, *rows: str) -> tuple[float | None, bool]:
        """The 总计 column summed over rows, and whether every cell was read with certainty; None when not there."""
        total: float = 0
        certain = True
        for r in rows:
            c = grid.cell(r, "total")
            if c is None or c.blank or c.value is None:
                return None, False
            total += c.value
            certain = certain and c.certain
        return total, certain

    def _sub(self, grid: Grid, key: str) -> tuple[float | None, bool]:
        rows = ("other_single",) if grid.other_single and key == "other_handling" else T3_SUBTOTALS[key]
        return self._tot(grid, *rows)

    def _t3(self, quote: str, sentence: str, row_key: str, grid: Grid, expected: float, observed: float, what: str,
            certain: bool) -> Finding:
        row = grid.spec[row_key].label if row_key in grid.spec else row_key
        return self.finding(section="三", location=Location("三", row, "总计"), quote=quote, expected=expected,
                            observed=observed, table_text=f"表三{what}为{_num(expected)}件", evidence=sentence[:160],
                            doubt=None if certain else "表三相关单元格的列位置或数字拆分不能确定")

    def _applications(self, sentence: str, t3: Grid) -> Iterator[Finding]:
        yield from self._received(sentence, t3)
        yield from self._handled(sentence, t3)
        yield from self._subtotals(sentence, t3)

    def _received(self, sentence: str, t3: Grid) -> Iterator[Finding]:
        """"未收到…申请" or "收到…申请N件" against 本年新收 (or 新收 + 上年结转, or the number handled)."""
        (new, new_ok), (carry, _) = self._tot(t3, "new_applications"), self._tot(t3, "carry_over")
        (handled, handled_ok) = self._tot(t3, "total_handled")
        what_new = "“本年新收政府信息公开申请数量”总计"
        if new and (m := _NONE_RECEIVED.search(sentence)):
            mid = m.group("mid") or m.group("mid0") or ""
            if not _NOT_APPLICATIONS.search(mid) and not _PART_OF.search(_clause_before(sentence, m.start()) + mid):
                yield self._t3(m.group(0), sentence, "new_applications", t3, new, 0, what_new, new_ok)
        for m in _RECEIVED.finditer(sentence):
            n, mid = int(m.group("n")), m.group("mid")
            if "申请" not in mid or _NOT_APPLICATIONS.search(mid) or "结转" in mid or new is None:
                continue
            if _PART_OF.search(_clause_before(sentence, m.start()) + mid):
                continue  # part of the applications, or another office's count
            accepted = {v for v in (new, handled, None if carry is None else new + carry) if v is not None}
            if n not in accepted:
                yield self._t3(m.group(0), sentence, "new_applications", t3, new, n, what_new, new_ok)

    def _handled(self, sentence: str, t3: Grid) -> Iterator[Finding]:
        """办结, 结转下年度 and 上年结转 counts against their rows."""
        for pattern, key, what in ((_HANDLED, "total_handled", "“（七）总计”"),
                                   (_FORWARD, "carried_forward", "“结转下年度继续办理”总计"),
                                   (_CARRY_IN, "carry_over", "“上年结转政府信息公开申请数量”总计")):
            value, ok = self._tot(t3, key)
            for m in pattern.finditer(sentence):
                if value is not None and int(m.group(1)) != value \
                        and not _PART_OF.search(_clause_before(sentence, m.start())):
                    yield self._t3(m.group(0), sentence, key, t3, value, int(m.group(1)), what, ok)

    def _subtotals(self, sentence: str, t3: Grid) -> Iterator[Finding]:
        """Counts of one kind of outcome (予以公开, 不予公开, …) against the rows of table 三 that make it up."""
        for m in _SUBTOTAL.finditer(sentence):
            keys = _SUBTOTAL_KEYS[m.group(1)]
            values = [self._sub(t3, k) for k in keys]
            known = [v for v, _ in values if v is not None]
            if len(known) < len(values) or _PART_OF.search(_clause_before(sentence, m.start())):
                continue
            total = sum(known)
            if int(m.group(2)) != total:
                label = "、".join(T3_SUBTOTAL_LABELS[k] for k in keys)
                row = {"granted": "granted", "partly_granted": "partly_granted"}.get(keys[0], "total_handled")
                yield self._t3(m.group(0), sentence, row, t3, total, int(m.group(2)), f"“{label}”合计",
                               all(ok for _, ok in values))

    def _cases(self, sentence: str, t4: Grid) -> Iterator[Finding]:
        totals = {k: NarrativeTable._case(t4, k) for k in T4_GROUPS}
        counts = [v for v, _ in totals.values() if v is not None]
        certain = all(ok for _, ok in totals.values())
        doubt = None if certain else "表四相关单元格的列位置或数字拆分不能确定"
        all_cases = sum(counts) if len(counts) == len(totals) else None
        if (m := _NO_CASES.search(sentence)) and all_cases:
            yield self.finding(section="四", location=Location("四", None, "总计"), quote=m.group(0),
                               expected=all_cases, observed=0, evidence=sentence[:160], doubt=doubt,
                               table_text=f"表四行政复议、行政诉讼总计共{_num(all_cases)}件")
        review, review_ok = totals["review"]
        for m in _REVIEW_N.finditer(sentence):
            if review is not None and int(m.group(1)) != review and not _PART_OF.search(_clause_before(sentence, m.start())):
                yield self.finding(section="四", location=Location("四", T4_GROUPS["review"], "总计"), quote=m.group(0),
                                   expected=review, observed=int(m.group(1)), evidence=sentence[:160],
                                   table_text=f"表四行政复议总计为{_num(review)}件",
                                   doubt=None if review_ok else doubt)
        (direct, d_ok), (after, a_ok) = totals["litigation_direct"], totals["litigation_after_review"]
        for m in _LITIGATION_N.finditer(sentence):
            if direct is None or after is None or _PART_OF.search(_clause_before(sentence, m.start())):
                continue
            if int(m.group(1)) != direct + after:
                yield self.finding(section="四", location=Location("四", "行政诉讼", "总计"), quote=m.group(0),
                                   expected=direct + after, observed=int(m.group(1)), evidence=sentence[:160],
                                   table_text=f"表四行政诉讼（直接起诉与复议后起诉）总计为{_num(direct + after)}件",
                                   doubt=None if (d_ok and a_ok) else doubt)

    @staticmethod
    def _case(t4: Grid, key: str) -> tuple[float | None, bool]:
        cell = t4.cell(key, "total")
        if cell is None or cell.blank or cell.value is None:
            return None, False
        return cell.value, cell.certain
