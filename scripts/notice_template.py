"""Write the default 整改通知书 template, config/notice_template.docx (docxtpl tags in a Word file, 公文 layout).

    .venv/bin/python scripts/notice_template.py [OUT.docx]

The office edits the .docx in Word or WPS as it likes (wording, letterhead, fonts); keep the {{ … }} and {%tr … %}
tags.  Fields: n.body, n.report (the reports concerned), n.problems (each: n, what, where, expected, observed,
basis), count, office, issued, deadline.
"""
from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FANGSONG, XIAOBIAOSONG, HEITI = "仿宋_GB2312", "方正小标宋简体", "黑体"
SAN_HAO, ER_HAO, XIAO_SI = Pt(16), Pt(22), Pt(12)   # 三号, 二号, 小四


def _font(run, name: str, size, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name, run.font.size, run.font.bold = name, size, bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if color is not None:
        run.font.color.rgb = color


def _para(doc, text: str, *, font=FANGSONG, size=SAN_HAO, align=None, indent: bool = False, bold=False,
          color=None, space_after=0):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing, fmt.space_after = Pt(28), Pt(space_after)   # 公文: 每行 28 磅
    if indent:
        fmt.first_line_indent = Pt(32)                               # 首行缩进两字
    _font(p.add_run(text), font, size, bold, color)
    return p


def _cell(cell, text: str, *, bold: bool = False, align=WD_ALIGN_PARAGRAPH.LEFT) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    _font(p.add_run(text), FANGSONG, XIAO_SI, bold)


def build(out: Path) -> None:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _para(doc, "{{ office }}", font=XIAOBIAOSONG, size=Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER,
          color=RGBColor(0xC0, 0x00, 0x00), space_after=6)
    _para(doc, "政府信息公开工作年度报告整改通知书", font=XIAOBIAOSONG, size=ER_HAO, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=16)
    _para(doc, "{{ n.body }}：")
    _para(doc, "经审核，你单位发布的{{ n.report }}存在以下{{ count }}个问题，不符合《中华人民共和国政府信息公开条例》"
               "和政府信息公开工作年度报告格式的要求。现将问题通知如下：", indent=True, space_after=6)
    rows = [("序号", "问题", "位置", "应为", "实为", "依据"),
            ("{%tr for p in n.problems %}",) + ("",) * 5,
            ("{{ p.n }}", "{{ p.what }}", "{{ p.where }}", "{{ p.expected }}", "{{ p.observed }}", "{{ p.basis }}"),
            ("{%tr endfor %}",) + ("",) * 5]
    table = doc.add_table(rows=len(rows), cols=6)
    table.style, table.alignment = "Table Grid", WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            centre = WD_ALIGN_PARAGRAPH.CENTER if r == 0 or c in (0, 3, 4) else WD_ALIGN_PARAGRAPH.LEFT
            _cell(table.cell(r, c), text, bold=r == 0, align=centre)
    table.autofit = False
    for c, width in enumerate((Mm(10), Mm(48), Mm(26), Mm(18), Mm(18), Mm(36))):   # 156 mm: the type area
        table.columns[c].width = width
        for row in table.rows:
            row.cells[c].width = width
    _para(doc, "", space_after=0)
    _para(doc, "请你单位于{{ deadline }}前完成整改：更正年度报告并在原发布位置重新发布，说明更正情况，并将整改情况书面报送"
               "{{ office }}。逾期未整改的，将依据《中华人民共和国政府信息公开条例》第四十七条予以督促整改或者通报批评。",
          indent=True)
    _para(doc, "（联系人：　　　　　　联系电话：　　　　　　）", indent=True, space_after=24)
    _para(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{{ issued }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))


if __name__ == "__main__":
    build(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "config" /
          "notice_template.docx")
