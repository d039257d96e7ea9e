"""Tables of the official format: TBL-*."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from auditor.cells import Cell, classify
from auditor.context import AuditContext
from auditor.eras import CURRENT, NEW_LAW, TRIAL
from auditor.findings import Finding, Location, placed
from auditor.labels import (
    GRID_SIZES,
    SIGNED_COLUMNS,
    T2_COLUMNS,
    T2_COLUMNS_2019,
    T3_COLUMNS,
    T4_COLUMNS,
    T4_GROUPS,
    TABLE_NAMES,
    RowSpec,
)
from auditor.report import AnnualReport
from auditor.rules import Rule, rule
from auditor.rules.structure import FORMAT
from auditor.tables import Grid


def column_label(table: str, key: str) -> str:
    return {"二": {**T2_COLUMNS_2019, **T2_COLUMNS}, "三": T3_COLUMNS, "四": T4_COLUMNS}[table][key]


def row_label(table: str, grid: Grid, key: str) -> str:
    if table == "四":
        return T4_GROUPS[key]
    return grid.spec[key].label


def row_cells(table: str, grid: Grid, specs: Iterable[RowSpec]) -> list[dict[str, Any]]:
    """The cells read in these rows, with their page and box when known (for the review desk's evidence view)."""
    out = []
    for spec in specs:
        for col, cell in zip(spec.columns, grid.rows.get(spec.key) or (), strict=False):
            if cell is not None:
                out.append(placed({"table": table, "row": row_label(table, grid, spec.key),
                                   "column": column_label(table, col), "value": cell.value}, cell))
    return out


@rule
class TableMissing(Rule):
    id = "TBL-MISSING"
    eras = NEW_LAW
    severity = "error"
    title = "缺少统计表"
    basis = FORMAT
    description = "第二、三、四部分的统计表缺失（例如表格以图片粘贴，或只有标题没有表格）。"
    template = "第{table}部分缺少“{name}”（未找到任何表格数据，可能是图片或被删除）"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        for table, grid in report.tables.items():
            if table in report.sections and not grid.present:
                yield self.finding(section=table, location=Location(table=table), table=table, name=TABLE_NAMES[table],
                                   expected=GRID_SIZES[table], observed=0)


@rule
class TableIncomplete(Rule):
    id = "TBL-INCOMPLETE"
    eras = NEW_LAW
    severity = "warning"
    title = "统计表数据不全"
    basis = FORMAT
    description = ("统计表缺少部分单元格（空白、漏印或抽取时丢失）。缺少数据的勾稽关系不再核对，也不做推测。"
                   "单元格数：表二10个、表三175个（2019年试行格式161个）、表四15个。")
    template = "“{name}”应有{expected}个数据，{read}；{rows}"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        for table, grid in report.tables.items():
            if not grid.present:
                continue
            expected, observed = grid.cells_expected(), grid.cells_present()
            missing = grid.missing_rows()
            if not missing:
                continue
            rows = "、".join(self._describe(table, grid, spec) for spec in missing[:6])
            if len(missing) > 6:
                rows += f"等{len(missing)}行"
            first = missing[0]
            read = f"只读到{observed}个" if observed < expected else "其中有合计栏为空白"
            yield self.finding(section=table, location=Location(table=table, row=row_label(table, grid, first.key)),
                               name=TABLE_NAMES[table], expected=expected, observed=observed, rows=rows, read=read,
                               evidence=grid.printed_labels.get(first.key) or None,
                               cells=row_cells(table, grid, missing[:6]))

    @staticmethod
    def _describe(table: str, grid: Grid, spec: RowSpec) -> str:
        label = row_label(table, grid, spec.key)
        cells = grid.rows.get(spec.key)
        if not cells:
            return f"“{label}”行无数据" if spec.key in grid.labels_seen else f"“{label}”行缺失"
        if spec.key in grid.unsplit:
            return f"“{label}”行的数字连写“{grid.unsplit[spec.key]}”无法唯一拆分为{len(spec.columns)}个数"
        if spec.key in grid.short_rows:
            return f"“{label}”行只有{grid.short_rows[spec.key]}个数值（应为{len(spec.columns)}个，无法确定对应列）"
        cols = "、".join(column_label(table, c) for c, v in zip(spec.columns, cells, strict=False) if v is None)
        blank = "、".join(column_label(table, c) for c in grid.blank_totals(spec.key))
        parts = ([f"缺“{cols}”"] if cols else []) + ([f"“{blank}”为空白（未填写合计，相关勾稽关系未核对）"] if blank else [])
        return f"“{label}”行" + "，".join(parts)


@rule
class TableLabel(Rule):
    id = "TBL-LABEL"
    eras = NEW_LAW
    severity = "info"
    title = "表格行列名称与规范不一致"
    basis = FORMAT
    description = "表格的行或列名称与规范格式不同（错别字或旧版措辞），或三(六)其他处理未按规范分为三行。"
    template = "{what}“{printed}”与规范名称“{canonical}”不一致"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        for table, grid in report.tables.items():
            seen = set()
            for d in grid.deviations:
                if (d.row, d.printed) in seen:
                    continue
                seen.add((d.row, d.printed))
                loc = Location(table=table, column=d.row) if d.column else Location(table=table, row=d.row)
                specs = [] if d.column else [sp for sp in grid.specs if sp.label == d.row]
                yield self.finding(section=table, location=loc, what="列名" if d.column else "行名",
                                   printed=d.printed, canonical=d.row, evidence=d.printed,
                                   cells=row_cells(table, grid, specs[:1]))
            # (六) as one row is the trial format's: right for 2019–2020 reports, a deviation from 2021
            if grid.other_single and report.era is not TRIAL and not report.tables["二"].old_format:
                yield self.finding(section=table, location=Location(table=table, row="（六）其他处理"), what="行",
                                   printed="（六）其他处理（一行）",
                                   canonical="（六）其他处理 1.逾期不补正 2.逾期未缴费 3.其他（三行）",
                                   evidence=grid.printed_labels.get("other_single"),
                                   cells=row_cells(table, grid, [grid.spec["other_single"]]))


@rule
class OldFormat(Rule):
    id = "TBL-OLD-FORMAT"
    eras = (CURRENT,)
    severity = "error"
    title = "使用已废止的2019年试行表格格式"
    basis = FORMAT + "（2021年度起施行，取代国办公开办函〔2019〕60号试行格式）"
    description = "2021年度及以后的报告仍使用2019年试行格式的表格（如“本年新制作数量”“政府集中采购”等栏目）。"
    template = "{year}年度报告仍使用2019年试行格式的表格（出现“{marker}”）"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        grid = report.tables.get("二")
        if report.year and report.year >= 2021 and grid and grid.old_format:
            yield self.finding(section="二", location=Location(table="二"), year=report.year,
                               marker=grid.old_format[0], evidence="、".join(grid.old_format))


@rule
class CellValue(Rule):
    id = "TBL-CELL"
    eras = NEW_LAW
    severity = "warning"
    title = "单元格不是纯数字"
    basis = FORMAT + "（表内数据均为非负数）"
    description = "表格单元格不是单纯的非负数，例如“50（营业执照）”、“/”或负数。"
    template = "“{name}”“{row}”行“{column}”列的内容“{text}”不是单纯的非负数"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        for table, grid in report.tables.items():
            for key, cells in grid.rows.items():
                spec = grid.spec.get(key)
                columns = spec.columns if spec else ()
                for col, cell in zip(columns, cells, strict=False):
                    if cell is None or _acceptable(cell, col):
                        continue
                    row = row_label(table, grid, key)
                    column = column_label(table, col)
                    yield self.finding(section=table, location=Location(table=table, row=row, column=column),
                                       name=TABLE_NAMES[table], row=row, column=column, text=cell.text,
                                       observed=cell.text, evidence=cell.text,
                                       cells=[placed({"table": table, "row": row, "column": column,
                                                      "value": cell.text}, cell)])


def _acceptable(cell: Cell, column: str) -> bool:
    """A plain non-negative number, a blank (reported as incomplete, not here), or a signed number where the
    format asks for a change (本年增/减)."""
    if cell.plain or cell.blank:
        return True
    return column in SIGNED_COLUMNS and cell.value is not None and classify(cell.text) == "number"
