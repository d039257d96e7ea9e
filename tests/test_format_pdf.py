"""PDF with a text layer: a real WPS PDF (洪泽区 2024) and the seeds rendered to PDF by LibreOffice."""
from __future__ import annotations

import re

import pytest

import render
from auditor.audit import audit_bytes
from auditor.document import Paragraph, Table
from auditor.extract import extract, sniff
from auditor.labels import SECTION_TITLES

SEEDS = ["000", "001", "002", "003", "004"]
needs_soffice = pytest.mark.skipif(render.soffice() is None,
                                   reason="LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui")
PAGE_NUMBER = re.compile(r"^[\s\-—–]*\d+[\s\-—–]*$|第\s*\d+\s*页")
DASHED_NUMBER = re.compile(r"[-—–]\s*\d+\s*[-—–]")


@pytest.fixture(scope="module")
def hongze_bytes(realdata) -> bytes:
    return (realdata / "洪泽区_2024.pdf").read_bytes()


@pytest.fixture(scope="module")
def hongze(hongze_bytes):
    return extract(hongze_bytes)


def _table_with(document, needle: str) -> Table:
    return next(t for t in document.tables() if any(needle in c for r in t.rows for c in r))


def test_hongze_sections_are_separate_paragraphs(hongze):
    assert hongze.format == "pdf" and hongze.pages == 5 and not hongze.ocr
    paragraphs = hongze.paragraphs()
    for numeral, title in SECTION_TITLES.items():
        assert f"{numeral}、{title}" in paragraphs
    # a paragraph wrapped over several lines is one paragraph
    assert any(p.startswith("（一）主动公开情况。") and p.endswith("解读信息发布 7 条。") for p in paragraphs)


def test_hongze_has_no_page_numbers_anywhere(hongze):
    for block in hongze.blocks:
        if isinstance(block, Paragraph):
            assert not PAGE_NUMBER.match(block.text), block.text
            assert not DASHED_NUMBER.search(block.text), block.text
        else:
            cells = [c for r in block.rows for c in r]
            assert not any(DASHED_NUMBER.search(c) for c in cells)
            # every number in the tables is a value of the report, not a page number
            assert sum(len(r) for r in block.rows) == len(cells)


def test_hongze_table3_across_the_page_break(hongze):
    t3 = _table_with(hongze, "本年新收")
    rows = {r[2] if r[2] else r[1] if r[1] else r[0]: r[3:] for r in t3.rows}
    # one table although it runs over pages 3 and 4, 3 header rows + 23 rows (its (六) is one row)
    assert len(t3.rows) == 26 and all(len(r) == 10 for r in t3.rows)
    assert rows["一、本年新收政府信息公开申请数量"] == ["95", "0", "0", "0", "0", "0", "95"]
    assert rows["（一）予以公开"] == ["50", "0", "0", "0", "0", "0", "50"]
    assert rows["1.本机关不掌握相关政府信息"] == ["31", "0", "0", "0", "0", "0", "31"]
    assert rows["2.没有现成信息需要另行制作"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert rows["（七）总计"] == ["95", "0", "0", "0", "0", "0", "95"]
    # the label set vertically, one character per line, is one label covering the outcome rows
    assert t3.rows[5][0] == "三、本年度办理结果"
    assert all(t3.rows[r][0] == "三、本年度办理结果" and (r, 0) in t3.copies for r in range(6, 25))
    # the label wrapped inside its cell is joined, the continuation row on page 4 keeps its group labels
    assert t3.rows[6][1] == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"
    row = next(r for r in t3.rows if r[2].startswith("2.没有现成"))
    assert row[:2] == ["三、本年度办理结果", "（四）无法提供"]
    # the header: wrapped column labels joined
    assert t3.rows[2][4:9] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def test_hongze_table4_data_row_far_from_its_headers(hongze):
    t4 = _table_with(hongze, "复议后起诉")
    assert t4.rows[-1] == ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]
    assert t4.rows[1][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_hongze_audit_matches_rules_md(hongze_bytes):
    result = audit_bytes(hongze_bytes)
    rules = {f.rule for f in result.findings}
    assert not {r for r in rules if r.startswith(("T3-", "T4-"))}
    assert not rules & {"TBL-MISSING", "TBL-INCOMPLETE", "TBL-OLD-FORMAT"}
    assert any(f.rule == "TBL-LABEL" and f.section == "三" and "其他处理" in (f.location.row or "")
               for f in result.findings)
    values = result.values()
    assert values["三"]["new_applications"]["total"] == 95
    assert values["三"]["total_handled"]["natural_person"] == 95
    assert values["二"]["licensing"]["decisions"] == 9487
    assert values["四"]["litigation_after_review"]["total"] == 3


@needs_soffice
@pytest.mark.parametrize("seed", SEEDS)
def test_seed_as_pdf_gives_the_text_findings(seeds, seed):
    data = render.rendered(seeds[seed], "pdf")
    assert sniff(data) == "pdf"
    text = audit_bytes(seeds[seed].read_bytes())
    pdf = audit_bytes(data)
    assert pdf.format == "pdf" and not pdf.ocr
    assert render.finding_keys(pdf) == render.finding_keys(text)
    render.assert_same_values(pdf, text, seed)


@needs_soffice
def test_seed_pdf_paragraphs_match_the_text(seeds):
    """Paragraphs cut by line wraps and page breaks come back whole."""
    seed = seeds["004"]
    want = [re.sub(r"\s+", "", b.text) for b in render.seed_blocks(seed.read_text(encoding="utf-8"))
            if isinstance(b, Paragraph) and b.text.strip()]
    got = [re.sub(r"\s+", "", p) for p in extract(render.rendered(seed, "pdf")).paragraphs()]
    assert got == want


@needs_soffice
@pytest.mark.parametrize("seed", ["000", "004"])
def test_tables_without_rulings(seeds, seed):
    """The same seed with its tables printed without borders: rows are rebuilt from the gaps between columns."""
    pdf = render.docx_to_pdf(render.without_borders(render.rendered(seeds[seed], "docx")))
    text = audit_bytes(seeds[seed].read_bytes())
    result = audit_bytes(pdf)
    assert render.finding_keys(result) == render.finding_keys(text)
    assert result.values()["三"] == text.values()["三"]


def _line(text: str, x: float, y: float, size: float = 12.0):
    from auditor.extract.layout import Glyph

    return [Glyph(ch, x + k * size, y, x + (k + 1) * size, y + size) for k, ch in enumerate(text) if ch != " "]


@pytest.mark.parametrize("number", ["- 3 -", "— 3 —", "第 3 页", "第3页 共5页", "3"])
def test_page_furniture_is_dropped(number):
    """Page numbers in any common form, and a running header repeated on every page, never reach the text."""
    from auditor.extract.layout import PageLayout, join_pages, layout_page, repeated_margin_lines

    pages = []
    for n in range(1, 5):
        glyphs = _line("某某镇人民政府文件", 100, 30) + _line(number.replace("3", str(n)), 280, 800)
        glyphs += _line("这是正文第一行，文字排满整行后自动换行到下一", 60, 100)
        glyphs += _line("行。", 60, 118)
        pages.append(PageLayout(595, 842, glyphs, [], n))
    drop = repeated_margin_lines(pages)
    blocks = join_pages([layout_page(p, drop) for p in pages])
    texts = [b.text for b in blocks]
    assert texts == ["这是正文第一行，文字排满整行后自动换行到下一行。"] * 4
