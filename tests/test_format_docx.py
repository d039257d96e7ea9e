"""DOCX (real Word tables, merged cells) and DOC/WPS (through LibreOffice): the same report gives the same findings."""
from __future__ import annotations

import io
import re

import pytest

import render
from auditor.audit import audit_bytes
from auditor.document import Paragraph, Table
from auditor.extract import ExtractionError, extract, sniff
from auditor.labels import SECTION_TITLES, T2_ROWS, T3_COLUMNS, T3_ROWS, T4_COLUMNS

SEEDS = ["000", "001", "002", "003", "004"]
needs_soffice = pytest.mark.skipif(render.soffice() is None,
                                   reason="LibreOffice (soffice) not installed: apt-get install libreoffice-writer-nogui")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def template(realdata):
    data = (realdata / "blank_template_2021_format.docx").read_bytes()
    return extract(data)


def test_template_is_the_full_official_grid(template):
    assert template.format == "docx"
    tables = template.tables()
    assert len(tables) == 3
    t2, t3, t4 = tables
    # table 二: every row label, every column label, ten empty value cells
    text2 = _squash("".join("".join(r) for r in t2.rows))
    for spec in T2_ROWS:
        assert spec.label in text2
    for label in ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额（单位：万元）"):
        assert label in text2
    # table 三: 3 header rows + 25 rows, 10 columns; every official row label in order; all values empty
    assert len(t3.rows) == 28 and all(len(r) == 10 for r in t3.rows)
    labels = ["".join(dict.fromkeys(r[:3])) for r in t3.rows[3:]]
    for spec, printed in zip(T3_ROWS, labels):
        assert _squash(spec.label.split("（区分")[0]) in _squash(printed), (spec.label, printed)
    assert all(v == "" for r in t3.rows[3:] for v in r[3:])
    header = _squash("".join("".join(r) for r in t3.rows[:3]))
    for label in T3_COLUMNS.values():
        assert label in header
    # the merged label "三、本年度办理结果" covers 22 rows: its first position owns the text, the rest are copies
    col0 = [r[0] for r in t3.rows[5:27]]
    assert set(col0) == {"三、本年度办理结果"}
    assert all((r, 0) in t3.copies for r in range(6, 27)) and (5, 0) not in t3.copies
    assert t3.own_cells(7)[:3] == ["（三）不予公开", "1.属于国家秘密", ""]
    # table 四: 15 columns, labels, one empty data row
    assert len(t4.rows[0]) == 15
    text4 = "".join("".join(r) for r in t4.rows)
    for label in list(T4_COLUMNS.values()) + ["行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"]:
        assert label in text4
    assert t4.rows[-1] == [""] * 15


def test_template_headings_are_paragraphs_in_order(template):
    paragraphs = [b.text for b in template.blocks if isinstance(b, Paragraph)]
    headings = [p for p in paragraphs if re.match(r"^[一二三四五六]、", p)]
    assert headings == [f"{n}、{t}" for n, t in SECTION_TITLES.items()]
    kinds = ["T" if isinstance(b, Table) else "P" for b in template.blocks]
    # each table follows its section's heading
    assert "".join(kinds).count("PT") == 3


def test_template_audit_does_not_crash(realdata):
    result = audit_bytes((realdata / "blank_template_2021_format.docx").read_bytes())
    rules = {f.rule for f in result.findings}
    assert not any(r.startswith(("T3-", "T4-")) for r in rules)


def test_template_tables_reported_incomplete_not_missing(realdata):
    result = audit_bytes((realdata / "blank_template_2021_format.docx").read_bytes())
    incomplete = {f.section for f in result.findings if f.rule == "TBL-INCOMPLETE"}
    assert incomplete == {"二", "三", "四"}
    assert not any(f.rule == "TBL-MISSING" for f in result.findings)


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_as_docx_gives_the_text_findings(seeds, seed):
    text = audit_bytes(seeds[seed].read_bytes())
    data = render.rendered(seeds[seed], "docx")
    assert sniff(data) == "docx"
    docx = audit_bytes(data)
    assert docx.format == "docx"
    assert render.finding_keys(docx) == render.finding_keys(text)
    render.assert_same_values(docx, text, seed)


def _merged_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    t = d.add_table(rows=3, cols=4)
    t.cell(0, 0).merge(t.cell(2, 0)).text = "三、本年度\n办理结果"   # vertical merge, label on two lines
    t.cell(0, 1).merge(t.cell(0, 3)).text = "申请人情况"           # horizontal merge
    for r in (1, 2):
        for c in (1, 2, 3):
            t.cell(r, c).text = str(r * 10 + c)
    p = d.add_paragraph("第一行")
    p.add_run().add_break()
    p.add_run("第二行")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_merged_cells_are_expanded_with_copies():
    doc = extract(_merged_docx())
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Paragraph", "Paragraph"]
    table = doc.tables()[0]
    assert table.rows[0] == ["三、本年度办理结果", "申请人情况", "申请人情况", "申请人情况"]
    assert table.rows[1] == ["三、本年度办理结果", "11", "12", "13"]
    assert table.copies == frozenset({(0, 2), (0, 3), (1, 0), (2, 0)})
    assert table.own_cells(2) == ["21", "22", "23"]
    assert doc.paragraphs()[-2:] == ["第一行", "第二行"]


def test_format_is_sniffed_from_the_bytes_not_the_name(realdata, tmp_path):
    data = (realdata / "blank_template_2021_format.docx").read_bytes()
    assert sniff(data) == "docx"
    assert extract(data).format == "docx"          # whatever a server or file name claimed
    assert sniff((realdata / "洪泽区_2024.pdf").read_bytes()) == "pdf"


def test_docx_without_document_xml_is_a_clear_error():
    buf = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/styles.xml", "<styles/>")
    with pytest.raises(ExtractionError) as exc:
        extract(buf.getvalue())
    assert "\n" not in str(exc.value)


@needs_soffice
@pytest.mark.slow
def test_doc_through_libreoffice_gives_the_text_findings(seeds):
    data = render.rendered(seeds["000"], "doc")
    assert sniff(data) == "doc"
    text = audit_bytes(seeds["000"].read_bytes())
    doc = audit_bytes(data)
    assert doc.format == "doc"
    assert render.finding_keys(doc) == render.finding_keys(text)
    assert doc.values() == text.values()


@needs_soffice
def test_doc_conversion_failure_is_one_line():
    # an OLE compound-file header followed by garbage: LibreOffice cannot convert it
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 64
    with pytest.raises(ExtractionError) as exc:
        extract(data)
    assert "\n" not in str(exc.value)


def test_libreoffice_missing_is_said_clearly(monkeypatch):
    from auditor.extract import doc

    monkeypatch.setenv("OGIAUDIT_SANDBOX", "0")   # the patched module is this process's, not the worker's
    monkeypatch.setattr(doc, "soffice", lambda: None)
    with pytest.raises(ExtractionError, match="LibreOffice"):
        header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(20) + b"\xfe\xff\x09\x00"
        doc.extract(header + bytes(4096 - len(header)))


def _numbered_docx() -> bytes:
    """Headings numbered by Word ("一、", "（一）" from numbering.xml), not typed."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, level: int):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    numbered("总体情况", 0)
    numbered("主动公开情况", 1)
    numbered("依申请公开情况", 1)
    d.add_paragraph("正文。")
    numbered("主动公开政府信息情况", 0)
    numbered("规章", 2)
    numbered("行政规范性文件", 2)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_word_automatic_numbering_is_part_of_the_text():
    assert extract(_numbered_docx()).paragraphs() == [
        "一、总体情况", "（一）主动公开情况", "（二）依申请公开情况", "正文。", "二、主动公开政府信息情况", "1.规章",
        "2.行政规范性文件"]


def test_text_box_fallback_is_not_read_twice():
    xml = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
           b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body><w:p><w:r>'
           b'<mc:AlternateContent><mc:Choice Requires="wps"><w:t>\xe6\x96\x87\xe6\x9c\xac\xe6\xa1\x86</w:t></mc:Choice>'
           b'<mc:Fallback><w:t>\xe6\x96\x87\xe6\x9c\xac\xe6\xa1\x86</w:t></mc:Fallback></mc:AlternateContent>'
           b'</w:r></w:p></w:body></w:document>')
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml)
    assert extract(buf.getvalue()).paragraphs() == ["文本框"]
