"""The identities of the official tables (SPEC §2.7): T3-BAL, T3-TOTAL, T3-ROW, T4-SUM.

Each finding carries both sides' numbers and every cell involved; an identity that needs a missing cell is not
checked (TBL-INCOMPLETE says so)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.cells import Cell
from auditor.context import AuditContext
from auditor.eras import NEW_LAW, OLD
from auditor.findings import Finding, Location, placed
from auditor.identity import Term, Verdict, value, weigh
from auditor.labels import T3_COLUMNS, T3_OTHER_SPLIT, T3_OUTCOME_ROWS, T4_COLUMNS, T4_GROUPS
from auditor.report import AnnualReport
from auditor.rules import Rule, rule
from auditor.rules.structure import FORMAT
from auditor.tables import Grid


def _fmt(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _cell(table: str, row: str, column: str, value: object, where: Cell | None = None,
          side: str | None = None) -> dict[str, Any]:
    """A cell an identity used, on the identity's left or right side; `where` (a Cell) adds its page and box when
    the layout engine knows them."""
    out: dict[str, Any] = {"table": table, "row": row, "column": column, "value": value}
    if side:
        out["side"] = side
    return placed(out, where)


def _term(grid: Grid, row: str, column: str) -> Term:
    """A cell of table 三; those of the 总计 column and of the (七)总计 row are stated totals (blank: not stated)."""
    return Term(grid.cell(row, column), grid.spec[row].label, T3_COLUMNS[column], column == "total" or row == "total_handled")


def _broken(left: list[Term], right: list[Term]) -> Verdict | None:
    """The verdict when the identity is broken; None when it holds or cannot be checked."""
    verdict = weigh(left, right)
    return verdict if verdict is not None and not verdict.holds else None


def _outcome_rows(grid: Grid) -> list[str]:
    if grid.other_single:
        return [k for k in T3_OUTCOME_ROWS if k not in T3_OTHER_SPLIT] + ["other_single"]
    return list(T3_OUTCOME_ROWS)


@rule
class Balance(Rule):
    id = "T3-BAL"
    severity = "error"
    eras = NEW_LAW
    title = "表三勾稽关系不成立"
    basis = FORMAT + "（表三表头：本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    description = "表三某一列：一（本年新收）+ 二（上年结转）≠ 三(七)总计 + 四（结转下年度继续办理）。"
    template = "表三“{column}”列：本年新收{new} + 上年结转{carry} = {left}，而办理结果总计{handled} + 结转下年度{forward} = {right}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        grid = report.tables["三"]
        keys = ("new_applications", "carry_over", "total_handled", "carried_forward")
        for col, label in T3_COLUMNS.items():
            new, carry, handled, forward = (_term(grid, k, col) for k in keys)
            verdict = _broken([new, carry], [handled, forward])
            if verdict is None:
                continue
            n, c, h, f = (value(t.cell) for t in (new, carry, handled, forward))
            yield self.finding(
                section="三", location=Location("三", grid.spec["new_applications"].label, label),
                expected=verdict.right, observed=verdict.left, column=label, new=_fmt(n), carry=_fmt(c),
                left=_fmt(verdict.left), handled=_fmt(h), forward=_fmt(f), right=_fmt(verdict.right),
                evidence=f"{_fmt(n)}+{_fmt(c)}≠{_fmt(h)}+{_fmt(f)}", doubt=verdict.doubt(),
                cells=[_cell("三", grid.spec[k].label, label, value(grid.cell(k, col)), grid.cell(k, col),
                             "left" if i < 2 else "right") for i, k in enumerate(keys)])


@rule
class Total(Rule):
    id = "T3-TOTAL"
    severity = "error"
    eras = NEW_LAW
    title = "表三办理结果总计不等于各项之和"
    basis = FORMAT + "（三(七)总计为各办理结果之和）"
    description = "表三某一列：三(七)总计 ≠ (一)、(二)、(三)1–8、(四)1–3、(五)1–5、(六)1–3（2019年格式为(六)一行）之和。"
    template = "表三“{column}”列：办理结果总计为{printed}，各项办理结果之和为{computed}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        grid = report.tables["三"]
        rows = _outcome_rows(grid)
        for col, label in T3_COLUMNS.items():
            parts = [_term(grid, k, col) for k in rows]
            verdict = _broken(parts, [_term(grid, "total_handled", col)])
            if verdict is None:
                continue
            values = [value(t.cell) for t in parts]
            yield self.finding(
                section="三", location=Location("三", grid.spec["total_handled"].label, label),
                expected=verdict.left, observed=verdict.right, column=label, printed=_fmt(verdict.right),
                computed=_fmt(verdict.left), doubt=verdict.doubt(),
                evidence=f"{'+'.join(_fmt(p) for p in values)}={_fmt(verdict.left)}≠{_fmt(verdict.right)}",
                cells=[_cell("三", grid.spec[k].label, label, v, t.cell, "left") for k, v, t in zip(rows, values, parts, strict=False)]
                + [_cell("三", grid.spec["total_handled"].label, label, verdict.right, grid.cell("total_handled", col),
                         "right")])


@rule
class RowTotal(Rule):
    id = "T3-ROW"
    severity = "error"
    eras = NEW_LAW
    title = "表三某行总计不等于各类申请人之和"
    basis = FORMAT + "（总计列为各类申请人之和）"
    description = "表三某一行：总计 ≠ 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。"
    template = "表三“{row}”行：总计为{printed}，各类申请人之和为{computed}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        grid = report.tables["三"]
        columns = list(T3_COLUMNS)
        for key in grid.rows:
            terms = [_term(grid, key, c) for c in columns]
            verdict = _broken(terms[:6], terms[6:])
            if verdict is None:
                continue
            row = grid.spec[key].label
            values = [value(t.cell) for t in terms]
            yield self.finding(
                section="三", location=Location("三", row, "总计"), expected=verdict.left, observed=verdict.right,
                row=row, printed=_fmt(verdict.right), computed=_fmt(verdict.left), doubt=verdict.doubt(),
                evidence=f"{'+'.join(_fmt(v) for v in values[:6])}={_fmt(verdict.left)}≠{_fmt(verdict.right)}",
                cells=[_cell("三", row, T3_COLUMNS[c], v, t.cell, "left" if i < 6 else "right")
                       for i, (c, v, t) in enumerate(zip(columns, values, terms, strict=False))])


@rule
class ReviewLitigationSum(Rule):
    id = "T4-SUM"
    severity = "error"
    eras = NEW_LAW
    title = "表四总计不等于各项结果之和"
    basis = FORMAT + "（总计为结果维持、结果纠正、其他结果、尚未审结之和）"
    description = "表四的行政复议、未经复议直接起诉或复议后起诉：总计 ≠ 结果维持 + 结果纠正 + 其他结果 + 尚未审结。"
    template = "表四“{group}”：总计为{printed}，结果维持、结果纠正、其他结果、尚未审结之和为{computed}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        grid = report.tables["四"]
        for key, group in T4_GROUPS.items():
            cells = grid.rows.get(key) or []
            if len(cells) != 5:
                continue
            terms = [Term(c, group, T4_COLUMNS[col], col == "total") for c, col in zip(cells, T4_COLUMNS, strict=False)]
            verdict = _broken(terms[:4], terms[4:])
            if verdict is None:
                continue
            values = [value(c) for c in cells]
            yield self.finding(
                section="四", location=Location("四", group, "总计"), expected=verdict.left, observed=verdict.right,
                group=group, printed=_fmt(verdict.right), computed=_fmt(verdict.left), doubt=verdict.doubt(),
                evidence=f"{'+'.join(_fmt(v) for v in values[:4])}={_fmt(verdict.left)}≠{_fmt(verdict.right)}",
                cells=[_cell("四", group, T4_COLUMNS[c], v, cell, "left" if i < 4 else "right")
                       for i, (c, v, cell) in enumerate(zip(T4_COLUMNS, values, cells, strict=False))])


@rule
class StatisticsParts(Rule):
    id = "TS-PARTS"
    severity = "error"
    eras = (OLD,)
    title = "统计表“其中”各项之和超过总数"
    basis = "2008—2018年度政府信息公开情况统计表（“其中”所列各项是总数的组成部分，之和不超过总数）"
    description = ("2008—2018年度报告的政府信息公开情况统计表（指标名称／计量单位／本年度／历年累计）中，"
                   "某项总数下“其中：1、…2、…”所列各项之和大于该总数（各项可以不全，但不能超过总数）。"
                   "总数为空白或某项无法确定时不核对；只核对互斥的细分（申请方式、答复类型），"
                   "公开渠道（网站、公报等）和部分信息的属性（全文电子化、规范性文件）可以重叠，不核对。")
    template = "统计表“{row}”（{column}）为{total}{unit}，而其中各项{parts}合计{sum}{unit}，超过总数"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        stats = report.stats
        if stats is None:
            return
        for parent, children in stats.exclusive_parts().items():
            total_row = stats.rows[parent]
            for c, column in enumerate(stats.columns):
                terms = [Term(stats.rows[i].cells[c], stats.rows[i].label, column) for i in children]
                verdict = weigh(terms, [Term(total_row.cells[c], total_row.label, column, total=True)])
                if verdict is None or verdict.left <= verdict.right:
                    continue
                values = [value(t.cell) for t in terms]
                yield self.finding(
                    section=None, location=Location("统计表", total_row.label, column),
                    expected=f"≤{_fmt(verdict.right)}", observed=verdict.left, row=total_row.label, column=column,
                    total=_fmt(verdict.right), unit=total_row.unit, parts="+".join(_fmt(v) for v in values),
                    sum=_fmt(verdict.left), doubt=verdict.doubt() if verdict.uncertain else None,
                    evidence=f"{'+'.join(_fmt(v) for v in values)}={_fmt(verdict.left)}>{_fmt(verdict.right)}",
                    cells=[_cell("统计表", stats.rows[i].label, column, v) for i, v in zip(children, values, strict=False)]
                    + [_cell("统计表", total_row.label, column, verdict.right)])
