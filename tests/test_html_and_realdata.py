"""The same report as HTML gives the same findings as its text; the real reports are read as the tests state."""
import pytest

from auditor.extract import extract
from auditor.extract.html import extract as extract_html
from tests.helpers import audit_file, audit_html, of, rules, signature, to_html


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_seed_as_html_gives_the_same_findings(seeds, seed, encoding):
    text_result = audit_file(seeds[seed])
    page = to_html(extract(seeds[seed].read_bytes()), encoding=encoding)
    html_result = audit_html(page)
    assert html_result.format == "html"
    assert signature(html_result) == signature(text_result)


def test_html_rowspan_colspan_become_a_grid_without_double_values(seeds):
    page = """<html><head><meta name="PubDate" content="2023-01-20 10:00"><meta name="ArticleTitle" content="某镇2022年政府信息公开工作年度报告"></head>
    <body><div class="TRS_Editor"><p>二、主动公开政府信息情况</p><table>
    <tr><td colspan="4">第二十条第（五）项</td></tr>
    <tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>
    <tr><td>行政许可</td><td colspan="3">7</td></tr></table>
    <p>三、收到和处理政府信息公开申请情况</p><table>
    <tr><td rowspan="2">三、本年度办理结果</td><td>（一）予以公开</td><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>
    <tr><td>（二）部分公开（区分处理的，只计这一情形，不计其他情形）</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>
    </table></div></body></html>""".encode()
    document = extract_html(page)
    grid_rows = document.tables()[1].rows
    assert grid_rows[1][0] == "三、本年度办理结果" and (1, 0) in document.tables()[1].copies
    result = audit_html(page)
    assert result.report.tables["二"].value("licensing", "decisions") == 7
    assert result.report.tables["三"].value("partly_granted", "total") == 0
    assert (str(result.published), result.published_source) == ("2023-01-20", "meta")


def test_html_byline_date_not_the_document_date():
    page = """<html><body><div class="info">成文日期：2023-01-05　发布日期：2023-02-10</div>
    <div class="TRS_Editor"><p>某局2022年度政府信息公开工作年度报告</p><p>一、总体情况</p><p>内容。</p></div></body></html>""".encode("gbk")
    document = extract_html(page)
    assert (str(document.published.value), document.published.source) == ("2023-02-10", "portal")


def test_real_ucap_page_is_read(shared_dir):
    path = next((shared_dir / "realdata/portal_html/zxj6827111-blip+KIROGOVCOMPARE").glob("*.html"))
    result = audit_file(path)
    assert result.body == "沭阳县发展和改革局" and result.body_kind == "department" and result.year == 2023
    assert (str(result.published), result.published_source) == ("2024-01-17", "portal")  # <publishtime>, not page generation
    assert result.report.tables["四"].cells_present() == 15


# --- the real text reports: what each gives ------------------------------------------------------------------------
def _read(realdata, name):
    return audit_file(realdata / name)


def test_shuyang_2025(realdata):
    r = _read(realdata, "沭阳县人民政府_2025.txt")
    assert set(r.report.sections) == set("一二三四五六")
    assert {k: g.cells_present() for k, g in r.report.tables.items()} == {"二": 10, "三": 175, "四": 15}
    t3 = r.report.tables["三"]
    assert [t3.value(k, "total") for k in ("new_applications", "carry_over", "total_handled", "carried_forward")] == [713, 36, 718, 31]
    assert r.report.tables["四"].value("review", "total") == 61
    assert r.report.tables["二"].value("fees", "fee_amount") == 4068.208
    assert (r.body_kind, str(r.published), str(r.deadline)) == ("government", "2026-01-23", "2026-03-31")
    assert not rules(r) & {"SEC-MISSING", "TBL-INCOMPLETE", "T3-BAL", "T3-TOTAL", "T3-ROW", "T4-SUM", "TXT-TABLE", "PUB-LATE"}


def test_shanghai_2025(realdata):
    r = _read(realdata, "上海市人民政府_2025.md")
    assert set(r.report.sections) == set("一二三四五六")
    assert r.report.sections["五"].via_subheading  # printed without its heading, found by 存在问题 sub-heading
    assert {k: g.cells_present() for k in ("三", "四") for g in [r.report.tables[k]]} == {"三": 175, "四": 15}
    t3 = r.report.tables["三"]
    assert [t3.value(k, "total") for k in ("new_applications", "carry_over", "total_handled", "carried_forward")] == [1295, 189, 1191, 293]
    assert r.report.tables["四"].values()["litigation_after_review"] == {"upheld": 6, "corrected": 0, "other": 9, "pending": 7, "total": 22}
    # table 二's 废止 cells carry notes ("22（其中修订 16 件）") that the extraction put outside the table
    assert [(f.location.table, f.expected, f.observed) for f in of(r, "TBL-INCOMPLETE")] == [("二", 10, 8)]
    assert not rules(r) & {"SEC-MISSING", "T3-BAL", "T3-TOTAL", "T3-ROW", "T4-SUM", "TXT-TABLE", "TXT-PCT"}


def test_shanghai_science_commission_2024(realdata):
    r = _read(realdata, "上海市科学技术委员会_2024.md")
    assert set(r.report.sections) == set("一二三四五六")  # numbering restarts at 一 for the tables: SEC-HEADING
    assert {f.section for f in of(r, "SEC-HEADING")} == set("二三四五六")
    assert r.report.tables["三"].cells_present() == 174 and r.report.tables["四"].cells_present() == 15
    assert [f.location.row for f in of(r, "TBL-INCOMPLETE")] == ["四、结转下年度继续办理"]  # its 总计 cell is blank
    assert [(f.observed, f.expected) for f in of(r, "TXT-SUM")] == [(2139, 2160)]  # 1744+393+21+2
    assert r.body_kind == "department"
    assert not rules(r) & {"SEC-MISSING", "T3-BAL", "T3-TOTAL", "T3-ROW", "T4-SUM", "TXT-TABLE"}


@pytest.mark.parametrize("year,new,handled,forward,review", [(2024, 218, 218, 0, 7), (2025, 154, 148, 6, 36)])
def test_pingtan_run_together_text(realdata, year, new, handled, forward, review):
    r = _read(realdata, f"平潭综合实验区_{year}.txt")
    assert set(r.report.sections) == set("一二三四五六")
    t3, t4 = r.report.tables["三"], r.report.tables["四"]
    assert t3.cells_present() == 175 and t4.cells_present() == 15  # digit runs split by the table identities
    assert [t3.value(k, "total") for k in ("new_applications", "total_handled", "carried_forward")] == [new, handled, forward]
    assert t4.value("review", "total") == review
    assert r.published_source == "portal" and r.published.year == year + 1
    # "6233440" (规范性文件 制发/废止/现行有效) has many readings and no identity to choose: left missing, not guessed
    [incomplete] = of(r, "TBL-INCOMPLETE")
    assert incomplete.location.row == "行政规范性文件"
    assert not rules(r) & {"SEC-MISSING", "T3-BAL", "T3-TOTAL", "T3-ROW", "T4-SUM", "TXT-TABLE", "PUB-LATE"}


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_seed_typed_as_word_paragraphs_gives_the_same_findings(seeds, seed):
    """A report typed in Word with its tables as tab-separated lines, or pasted one paragraph per cell."""
    import io

    import docx

    document = docx.Document()
    for line in seeds[seed].read_text(encoding="utf-8").splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    from auditor.audit import audit_bytes
    result = audit_bytes(buffer.getvalue())
    assert result.format == "docx"
    assert signature(result) == signature(audit_file(seeds[seed]))
