"""The identities of the official tables (SPEC §2.7): T3-BAL, T3-TOTAL, T3-ROW, T4-SUM.

Each finding carries both sides' numbers and every cell involved; an identity that needs a missing cell is not
checked (TBL-INCOMPLETE says so)."""
from __future__ import annotations

from auditor.findings import Location
from auditor.labels import T3_COLUMNS, T3_OTHER_SPLIT, T3_OUTCOME_ROWS, T4_COLUMNS, T4_GROUPS
from auditor.rules import Rule, rule
from auditor.rules.structure import FORMAT


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _cell(table: str, row: str, column: str, value) -> dict:
    return {"table": table, "row": row, "column": column, "value": value}


def _outcome_rows(grid) -> list[str]:
    if grid.other_single:
        return [k for k in T3_OUTCOME_ROWS if k not in T3_OTHER_SPLIT] + ["other_single"]
    return list(T3_OUTCOME_ROWS)


@rule
class Balance(Rule):
    id = "T3-BAL"
    severity = "error"
    title = "表三勾稽关系不成立"
    basis = FORMAT + "（表三表头：本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    description = "表三某一列：一（本年新收）+ 二（上年结转）≠ 三(七)总计 + 四（结转下年度继续办理）。"
    template = "表三“{column}”列：本年新收{new} + 上年结转{carry} = {left}，而办理结果总计{handled} + 结转下年度{forward} = {right}"

    def check(self, report, context):
        grid = report.tables["三"]
        keys = ("new_applications", "carry_over", "total_handled", "carried_forward")
        for col, label in T3_COLUMNS.items():
            new, carry, handled, forward = (grid.value(k, col) for k in keys)
            if None in (new, carry, handled, forward):
                continue
            left, right = new + carry, handled + forward
            if left != right:
                yield self.finding(
                    section="三", location=Location("三", grid.spec["new_applications"].label, label),
                    expected=right, observed=left, column=label, new=_fmt(new), carry=_fmt(carry), left=_fmt(left),
                    handled=_fmt(handled), forward=_fmt(forward), right=_fmt(right),
                    evidence=f"{_fmt(new)}+{_fmt(carry)}≠{_fmt(handled)}+{_fmt(forward)}",
                    cells=[_cell("三", grid.spec[k].label, label, grid.value(k, col)) for k in keys])


@rule
class Total(Rule):
    id = "T3-TOTAL"
    severity = "error"
    title = "表三办理结果总计不等于各项之和"
    basis = FORMAT + "（三(七)总计为各办理结果之和）"
    description = "表三某一列：三(七)总计 ≠ (一)、(二)、(三)1–8、(四)1–3、(五)1–5、(六)1–3（2019年格式为(六)一行）之和。"
    template = "表三“{column}”列：办理结果总计为{printed}，各项办理结果之和为{computed}"

    def check(self, report, context):
        grid = report.tables["三"]
        rows = _outcome_rows(grid)
        for col, label in T3_COLUMNS.items():
            total = grid.value("total_handled", col)
            parts = [grid.value(k, col) for k in rows]
            if total is None or None in parts:
                continue
            computed = sum(parts)
            if computed != total:
                yield self.finding(
                    section="三", location=Location("三", grid.spec["total_handled"].label, label),
                    expected=computed, observed=total, column=label, printed=_fmt(total), computed=_fmt(computed),
                    evidence=f"{'+'.join(_fmt(p) for p in parts)}={_fmt(computed)}≠{_fmt(total)}",
                    cells=[_cell("三", grid.spec[k].label, label, grid.value(k, col)) for k in rows]
                    + [_cell("三", grid.spec["total_handled"].label, label, total)])


@rule
class RowTotal(Rule):
    id = "T3-ROW"
    severity = "error"
    title = "表三某行总计不等于各类申请人之和"
    basis = FORMAT + "（总计列为各类申请人之和）"
    description = "表三某一行：总计 ≠ 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他。"
    template = "表三“{row}”行：总计为{printed}，各类申请人之和为{computed}"

    def check(self, report, context):
        grid = report.tables["三"]
        columns = list(T3_COLUMNS)
        for key, cells in grid.rows.items():
            values = [c.value if c else None for c in cells]
            if None in values:
                continue
            computed, total = sum(values[:6]), values[6]
            if computed != total:
                row = grid.spec[key].label
                yield self.finding(
                    section="三", location=Location("三", row, "总计"), expected=computed, observed=total, row=row,
                    printed=_fmt(total), computed=_fmt(computed),
                    evidence=f"{'+'.join(_fmt(v) for v in values[:6])}={_fmt(computed)}≠{_fmt(total)}",
                    cells=[_cell("三", row, T3_COLUMNS[c], v) for c, v in zip(columns, values)])


@rule
class ReviewLitigationSum(Rule):
    id = "T4-SUM"
    severity = "error"
    title = "表四总计不等于各项结果之和"
    basis = FORMAT + "（总计为结果维持、结果纠正、其他结果、尚未审结之和）"
    description = "表四的行政复议、未经复议直接起诉或复议后起诉：总计 ≠ 结果维持 + 结果纠正 + 其他结果 + 尚未审结。"
    template = "表四“{group}”：总计为{printed}，结果维持、结果纠正、其他结果、尚未审结之和为{computed}"

    def check(self, report, context):
        grid = report.tables["四"]
        for key, group in T4_GROUPS.items():
            cells = grid.rows.get(key) or []
            values = [c.value if c else None for c in cells]
            if len(values) != 5 or None in values:
                continue
            computed, total = sum(values[:4]), values[4]
            if computed != total:
                yield self.finding(
                    section="四", location=Location("四", group, "总计"), expected=computed, observed=total,
                    group=group, printed=_fmt(total), computed=_fmt(computed),
                    evidence=f"{'+'.join(_fmt(v) for v in values[:4])}={_fmt(computed)}≠{_fmt(total)}",
                    cells=[_cell("四", group, T4_COLUMNS[c], v) for c, v in zip(T4_COLUMNS, values)])
