"""Issue 9: real reports of every era read as a careful reviewer reads them.  Each kind of false accusation (or miss)
is planted in a copy of a real report, in both directions: the defect fires, the clean case does not."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date

import pytest

from auditor.audit import NoReportText
from tests.helpers import audit_html, audit_text, of, plant, rules, signature

PINGTAN = "changwu+pingtan-gov-zwgk-archive"
OLD_ERA_ONLY = {"SEC-MISSING", "SEC-EMPTY", "SEC-ORDER", "TBL-MISSING", "TBL-INCOMPLETE", "TBL-OLD-FORMAT", "T3-BAL",
                "T3-TOTAL", "T3-ROW", "T4-SUM", "CNT-FEE", "CNT-ACCOUNT", "TXT-TABLE", "DOC-TITLE"}


@pytest.fixture(scope="module")
def real(realdata):
    return lambda name: (realdata / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(shared_dir):
    folder = shared_dir / "realdata/portal_html" / PINGTAN
    return lambda year: next(folder.glob(f"{year}_*.page.html")).read_bytes()


def errors(result) -> list:
    return [f for f in result.findings if f.severity == "error"]


def before(text: str, heading: str, line: str) -> str:
    """The text with `line` printed just before `heading` (which must be there: a plant that misses fails)."""
    assert heading in text, heading
    return text.replace(heading, f"{line}\n{heading}", 1)


def after(text: str, heading: str, line: str) -> str:
    """The text with `line` printed as the first line under the heading line `heading`."""
    assert f"{heading}\n" in text, heading
    return text.replace(f"{heading}\n", f"{heading}\n{line}\n", 1)


# --- eras ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["平潭综合实验区_2015.txt", "平潭综合实验区_2017.txt"])
def test_old_era_reports_are_judged_by_the_2007_regulation(real, name):
    r = audit_text(real(name))
    assert r.report.era.id == "2008-2018" and r.to_dict()["era"] == "2008-2018"
    assert not errors(r) and not rules(r) & OLD_ERA_ONLY
    assert r.body_kind == "government" and r.deadline == date(r.year + 1, 3, 31)
    stats = r.report.stats
    assert stats.columns == ["本年度", "历年累计"] and [row.label for row in stats.rows][:3] == [
        "主动公开文件数", "政府网站公开数", "政府公报公开数"]


def test_old_era_html_statistics_table_is_a_labelled_grid(page):
    r = audit_html(page(2017))
    assert r.report.era.id == "2008-2018" and not errors(r) and not rules(r) & OLD_ERA_ONLY
    assert r.values()["统计表"]["主动公开文件数"] == {"本年度": 2122, "历年累计": 10037}
    assert not r.values()["二"]  # not forced into the 2021 table 二


def test_old_era_departments_had_until_31_march(real):
    report = real("平潭综合实验区_2017.txt").replace("平潭综合实验区2017年度政府信息公开工作年度报告",
                                                 "平潭综合实验区地方税务局2017年信息公开年度报告")
    on_time = audit_text(report, published=date(2018, 2, 25), published_source="portal")
    assert on_time.body_kind == "department" and on_time.deadline == date(2018, 3, 31)
    assert "PUB-LATE" not in rules(on_time)
    late = audit_text(report, published=date(2018, 4, 2), published_source="portal")
    assert [f.observed for f in of(late, "PUB-LATE")] == ["2018-04-02"]
    new_law = audit_text(report.replace("2017", "2019"), published=date(2020, 2, 25), published_source="portal")
    assert new_law.deadline == date(2020, 1, 31) and "PUB-LATE" in rules(new_law)


def test_old_department_title_without_zhengfu_is_a_report(real):
    """"…地方税务局2013年信息公开年度报告": old department reports often leave out 政府; still a report."""
    text = real("平潭综合实验区_2017.txt")
    head, _, body = text.partition("==================== 正文 ====================")
    body = re.sub(r"[一二三四五六]、", "", body)  # no numbered headings either: only the title says what it is
    renamed = (head.replace("平潭综合实验区2017年度政府信息公开工作年度报告", "平潭综合实验区地方税务局2017年信息公开年度报告")
               + "==================== 正文 ====================" + body)
    r = audit_text(renamed)
    assert r.year == 2017 and r.body == "平潭综合实验区地方税务局" and not errors(r)


def test_statistics_parts_never_exceed_their_total(page):
    html = page(2017).decode("utf-8")
    clean = audit_html(page(2017))
    assert "TS-PARTS" not in rules(clean)
    # 其中：1、当面申请数 0 -> 3, while 受理…总数 stays 0
    row = re.search(r"当面申请数.*?</tr>", html, re.S).group(0)
    planted = html.replace(row, re.sub(r">0<", ">3<", row, count=1), 1)
    [f] = of(audit_html(planted.encode()), "TS-PARTS")
    assert (f.severity, f.location.table, f.location.row, f.location.column) == ("error", "统计表", "受理政府信息依申请公开总数", "本年度")
    assert f.observed == 3


def test_publication_channels_may_overlap(page):
    """政府网站公开数 and 政府公报公开数 under 主动公开文件数 are channels, not parts: a document in the gazette is on
    the website too (2017: all 2122 documents on the website), so 2122 + 30 > 2122 accuses no one."""
    html = page(2017).decode("utf-8")
    row = re.search(r"政府公报公开数.*?</tr>", html, re.S).group(0)
    planted = html.replace(row, re.sub(r">0<", ">30<", row, count=1), 1)
    r = audit_html(planted.encode())
    assert r.values()["统计表"]["政府公报公开数"]["本年度"] == 30 and "TS-PARTS" not in rules(r)


def test_old_era_topics_by_content(real):
    text = real("平潭综合实验区_2017.txt")
    assert "SEC-TOPIC" not in rules(audit_text(text))
    start = text.index("四、因政府信息公开申请行政复议")
    stripped = text[:start] + text[text.index("五、存在的主要问题和改进措施"):]
    stripped = re.sub(r"接受行政诉讼、举报数件00行政复议数件00行政诉讼数件00", "", stripped)
    [f] = of(audit_text(stripped), "SEC-TOPIC")
    assert "行政复议" in f.message and f.severity == "warning"


def test_fee_statement_is_required_from_2021_only(real):
    report = real("平潭综合实验区_2024.txt").replace("2024年，无收取信息处理费情况。", "无。")
    assert "CNT-FEE" in rules(audit_text(report))
    as_2020 = audit_text(report, year=2020)
    assert as_2020.report.era.id == "2019-2020" and "CNT-FEE" not in rules(as_2020)


def test_rules_explain_says_the_eras():
    out = subprocess.run([sys.executable, "-m", "ogiaudit", "rules", "explain", "CNT-FEE"], capture_output=True,
                         text=True, check=True).stdout
    assert "适用年度" in out and "2021年度起" in out and "2008—2018" not in out


# --- headings as a reviewer reads them -------------------------------------------------------------------------------
HEADING_FOUR = "四、政府信息公开行政复议、行政诉讼情况"


@pytest.mark.parametrize("variant", ["四、政府信息公开行政法复议、行政诉讼情况", "四、政府信息公开行政复议、行政诉讼请况",
                                     "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"])
def test_heading_with_a_typo_or_another_wording_is_found(real, variant):
    r = audit_text(plant(real("平潭综合实验区_2024.txt"), HEADING_FOUR, variant))
    assert "SEC-MISSING" not in rules(r) and r.report.tables["四"].cells_present() == 15
    assert [f.section for f in of(r, "SEC-HEADING")] == ["四"]


@pytest.mark.parametrize("heading,variant", [
    ("二、主动公开政府信息情况", "二、行政机关主动公开政府信息情况"),      # Art. 50's own words
    ("三、收到和处理政府信息公开申请情况", "三、本机关收到和处理政府信息公开申请情况"),
    ("二、主动公开政府信息情况", "二、我局主动公开政府信息情况")])
def test_heading_with_the_organ_named_is_found(seeds, heading, variant):
    text = seeds["004"].read_text(encoding="utf-8")
    r, clean = audit_text(plant(text, heading, variant)), audit_text(text)
    assert not errors(r) and "SEC-MISSING" not in rules(r) and r.report.sections[variant[0]].heading == variant
    headings = {(f.section, f.severity) for f in of(r, "SEC-HEADING")}
    assert headings - {(f.section, f.severity) for f in of(clean, "SEC-HEADING")} == {(variant[0], "info")}
    assert r.values() == clean.values()


@pytest.mark.parametrize("heading,variant", [
    ("五、存在的主要问题及改进情况", "五、存在的主要问题及下一步工作打算"),
    ("五、存在的主要问题及改进情况", "五、存在的不足和下一步工作安排"),
    ("五、存在的主要问题及改进情况", "五、下一步工作打算"),
    ("六、其他需要报告的事项", "六、其他需要说明的事项"),
    ("六、其他需要报告的事项", "六、其他"),
    ("一、总体情况", "一、年度工作概述"),
    ("一、总体情况", "一、工作概况")])
def test_heading_in_words_of_its_own_under_its_number(seeds, heading, variant):
    """Under the section's own number, words that say what the section is about make it the section, as a reviewer
    reads it: at most SEC-HEADING (wording), never SEC-MISSING."""
    text = seeds["004"].read_text(encoding="utf-8")
    r = audit_text(plant(text, heading, variant))
    assert "SEC-MISSING" not in rules(r) and not errors(r) and r.report.sections[variant[0]].heading == variant
    assert (variant[0], "info") in {(f.section, f.severity) for f in of(r, "SEC-HEADING")}
    assert r.values() == audit_text(text).values()


def test_a_row_of_table_three_is_not_a_heading(seeds):
    """"3.补正后申请内容仍不明确" has 三's number and an application in it, but an Arabic number is a row, not 三."""
    from auditor.sections import heading_of
    assert heading_of("3.补正后申请内容仍不明确") is None and heading_of("三、依申请公开情况")[0] == "三"


def test_heading_of_five_in_another_wording(seeds):
    text = seeds["004"].read_text(encoding="utf-8")
    r = audit_text(plant(text, "五、存在的主要问题及改进情况", "五、存在的主要问题及整改措施"))
    assert "SEC-MISSING" not in rules(r) and "五" in r.report.sections
    gone = text[:text.index("五、存在的主要问题及改进情况")] + text[text.index("六、其他需要报告的事项"):]
    assert [f.section for f in of(audit_text(gone), "SEC-MISSING")] == ["五"]


def test_heading_on_the_line_of_the_last_row_of_table_four(seeds):
    text = seeds["000"].read_text(encoding="utf-8")
    heading = "五、存在的主要问题及改进情况"
    i = text.index(heading)
    last_row_end = text.rstrip()[:i].rstrip().__len__()
    joined = text[:last_row_end] + "\t" + heading + text[i + len(heading):]
    r = audit_text(joined)
    assert "SEC-MISSING" not in rules(r) and "五" in r.report.sections
    assert r.report.tables["四"].cells_present() == 15


def test_heading_in_a_table_cell_and_a_section_known_by_its_table(page):
    html = page(2024).decode("utf-8")
    clean = audit_html(page(2024))
    heading = re.search(rf"<p[^>]*><span[^>]*>{HEADING_FOUR}</span></p>", html).group(0)
    in_cell = audit_html(html.replace(heading, f"<table><tr><td>{HEADING_FOUR}</td></tr></table>").encode())
    assert "SEC-MISSING" not in rules(in_cell) and signature(in_cell) == signature(clean)
    no_heading = audit_html(html.replace(heading, "").encode())
    assert "SEC-MISSING" not in rules(no_heading) and no_heading.report.tables["四"].cells_present() == 15
    assert [(f.section, f.severity) for f in of(no_heading, "SEC-HEADING")] == [("四", "info")]


# --- blank cells keep their column -------------------------------------------------------------------------------
def _blank_zeros(html: str) -> str:
    """Every cell of the report's tables that holds 0 printed blank (&nbsp;), as many CMS pages do."""
    return re.sub(r'(<p style="text-indent: 0em;">)0(</p>)', r"\1&nbsp;\2", html)


def test_blank_cells_keep_their_column(page):
    html = page(2024).decode("utf-8")
    clean, blank = audit_html(page(2024)), audit_html(_blank_zeros(html).encode())
    assert not errors(blank) and not rules(blank) & {"T3-BAL", "T3-TOTAL", "T3-ROW", "T4-SUM", "TXT-TABLE", "TBL-CELL"}
    for table, rows in clean.values().items():
        for row, cols in rows.items():
            for col, v in cols.items():
                if v:
                    assert blank.values()[table][row][col] == v, (table, row, col)
    # a blank total is not stated: reported, its identities not checked
    assert of(blank, "TBL-INCOMPLETE") and all(f.severity == "warning" for f in of(blank, "TBL-INCOMPLETE"))


def test_broken_identity_with_a_blank_part_is_a_warning_that_names_it(page):
    html = page(2024).decode("utf-8")
    row = re.findall(r"<tr[^>]*>(?:(?!<tr).)*?</tr>", html[:html.index("五、存在的主要问题")], re.S)[-1]
    cells = re.findall(r'(<p style="text-indent: 0em;">)(\d*)(</p>)', row)
    assert [c[1] for c in cells] == "2 1 3 1 7 0 0 0 0 0 13 2 4 0 19".split()

    def with_values(values):
        it = iter(values)
        return html.replace(row, re.sub(r'(<p style="text-indent: 0em;">)\d*(</p>)', lambda m: m.group(1) + next(it) + m.group(2), row))

    certain = audit_html(with_values("2 1 3 1 7 0 0 0 0 0 13 2 4 0 20".split()).encode())
    assert [(f.severity, f.location.row) for f in of(certain, "T4-SUM")] == [("error", "行政诉讼（复议后起诉）")]
    blank = audit_html(with_values("2 1 3 1 7 0 0 0 0 0 13 2 4 &nbsp; 20".split()).encode())
    [f] = of(blank, "T4-SUM")
    assert f.severity == "warning" and not f.certain and "尚未审结" in f.doubt and "空白" in f.message
    assert f.to_dict()["certain"] is False


# --- narrative: enumerations and the tables ---------------------------------------------------------------------------
SUM_CASES = [  # (sentence as printed, is a real mismatch)
    ("财政资金信息共发布348条，其中政府预决算197条（政府预决算32条、部门预决算165条）、“三公”经费151条。", False),
    ("财政资金信息共发布348条，其中政府预决算197条（政府预决算32条、部门预决算165条）、“三公”经费150条。", True),
    ("共办理行政复议案件120件，其中维持70件、纠正13件、尚未审结37件；政府信息公开行政诉讼46件，其中维持40件、纠正6件。", False),
    ("共办理行政复议案件120件，其中维持70件、纠正13件、尚未审结40件；政府信息公开行政诉讼46件，其中维持40件、纠正6件。", True),
    ("全年共受理行政复议申请9件，其中维持5件、纠正4件；因政府信息公开引起的行政复议案件2件、行政诉讼案件7件。", False),
    ("全年共制作政府信息3978条，其中主动公开信息2526条，依申请公开信息50条，不予公开信息数1402。", False),
    ("全年共制作政府信息3978条，其中主动公开信息2526条，依申请公开信息50条，不予公开信息1400条。", True),
    # "其中重点…" picks some out; "，包括…" breaks down the part before it
    ("累计发布工作动态信息165条，其中重点聚焦乡镇动态102条；发布法定主动公开内容1条，包括机构概况1条，以及经费信息2条。",
     False),
    ("累计发布信息80条，其中政策文件20条，工作动态60条，包括领导活动5条。", False),
    ("累计发布信息80条，其中政策文件20条，工作动态70条，包括领导活动5条。", True),
    # two counts before "其中": the parts may be of both (9 new + 1 carried over = 5 + 5)
    ("我镇收到政府信息公开申请9件，上年结转1件，其中网络申请5件，信函申请5件，均已按时办理。", False),
    ("我镇共收到政府信息公开申请10件，其中网络申请5件，信函申请6件，均已按时办理。", True),
]


@pytest.mark.parametrize("sentence,mismatch", SUM_CASES)
def test_txt_sum_reads_enumerations(seeds, sentence, mismatch):
    text = seeds["004"].read_text(encoding="utf-8")
    r = audit_text(before(text, "五、存在的主要问题及改进情况", sentence))
    assert ("TXT-SUM" in rules(r)) is mismatch
    assert "TXT-SUM" not in rules(audit_text(text))


def test_txt_pct_needs_the_right_base(seeds):
    text = seeds["002"].read_text(encoding="utf-8")
    # the share of 予以公开 is of the applications handled (table 三), not of a number elsewhere in the paragraph
    add = "本年度办理申请中，予以公开1件（100%），网站访问量3万次，发布信息96条。"
    assert "TXT-PCT" not in rules(audit_text(before(text, "三、收到和处理政府信息公开申请情况", add)))


PCT_CASES = [  # (sentence as printed, is a real mismatch): rounded or cut off at the printed decimals, never more
    ("全年主动公开政府信息482条，其中政策法规类信息25条，占总体的比例为5%。", False),       # 5.19%
    ("全年主动公开政府信息482条，其中政策法规类信息25条，占总体的比例为5.2%。", False),
    ("全年主动公开政府信息482条，其中政策法规类信息25条，占总体的比例为6%。", True),
    ("全年共公开文件65条，其中规范性文件45条，所占比例69%。", False),                    # 69.2%
    ("全年共公开文件65条，其中规范性文件45条，所占比例75%。", True),
]


@pytest.mark.parametrize("sentence,mismatch", PCT_CASES)
def test_txt_pct_reads_shares_as_printed(seeds, sentence, mismatch):
    text = seeds["004"].read_text(encoding="utf-8")
    r = audit_text(before(text, "三、收到和处理政府信息公开申请情况", sentence))
    assert ("TXT-PCT" in rules(r)) is mismatch
    assert all(f.severity == "warning" for f in of(r, "TXT-PCT"))


def test_txt_table_common_phrasing_of_applications(seeds):
    text = seeds["000"].read_text(encoding="utf-8")
    said = plant(text, "收到依申请公开政府信息 0 件", "全镇收到依申请公开政府信息 5 件")
    [f] = of(audit_text(said), "TXT-TABLE")
    assert (f.severity, f.location.row, f.expected, f.observed) == ("error", "一、本年新收政府信息公开申请数量", 0, 5)
    assert "TXT-TABLE" not in rules(audit_text(text))
    part = plant(text, "收到依申请公开政府信息 0 件", "镇党政办代表镇政府收到依申请公开政府信息 5 件")
    assert "TXT-TABLE" not in rules(audit_text(part))  # another office's count is not the body's


def test_hongze_counts_of_the_office_are_not_the_tables(realdata):
    from tests.helpers import audit_file
    r = audit_file(realdata / "洪泽区_2024.pdf")
    assert not errors(r)


# --- tables aligned with spaces ------------------------------------------------------------------------------------
def test_table_aligned_with_spaces_is_read(seeds):
    text = seeds["004"].read_text(encoding="utf-8")
    spaced = "\n".join("    ".join(c.strip() or "" for c in line.split("\t") if c.strip()) if "\t" in line else line
                       for line in text.split("\n"))
    assert "\t" not in spaced
    assert audit_text(spaced).values() == audit_text(text).values()


@pytest.mark.skipif(subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0,
                    reason="pdftotext (poppler-utils) is not installed")
def test_pdftotext_layout_of_a_real_report_reads_like_the_pdf(realdata, tmp_path):
    from tests.helpers import audit_file
    pdf = realdata / "洪泽区_2024.pdf"
    out = tmp_path / "hongze.txt"
    subprocess.run(["pdftotext", "-layout", str(pdf), str(out)], check=True)
    assert audit_file(out).values() == audit_file(pdf).values()


# --- twins: the same report as portal HTML and as archived text -------------------------------------------------------
@pytest.mark.parametrize("year", [2021, 2024, 2025])
def test_twin_text_and_html_give_the_same_findings(real, page, year):
    text, html = audit_text(real(f"平潭综合实验区_{year}.txt")), audit_html(page(year))
    unread = {"TBL-INCOMPLETE"}  # the text runs the table's digits together: what it cannot read, it says
    assert {s for s in signature(text) if s[0] not in unread} == {s for s in signature(html) if s[0] not in unread}
    assert not errors(html) and not errors(text)


def test_a_page_with_only_its_title_is_not_audited():
    with pytest.raises(NoReportText):
        audit_text("标题: 某某局2020年政府信息公开工作年度报告\n发布时间: 2021-01-28 11:10\n"
                   "==================== 正文 ====================\n某某局2020年政府信息公开工作年度报告\n")


def test_json_carries_era_and_certainty(seeds):
    out = subprocess.run([sys.executable, "-m", "ogiaudit", "audit", str(seeds["000"]), "--format", "json"],
                         capture_output=True, text=True).stdout
    line = json.loads(out)
    assert line["era"] == "2021-" and all(f["certain"] is True for f in line["findings"])


def test_report_inside_a_layout_table_reads_as_the_page(page):
    """Older CMS pages lay the report out inside a table cell; the cell's paragraphs and tables are the report."""
    html = page(2024).decode("utf-8")
    start = html.rfind("<p", 0, html.index("本报告根据"))
    end = html.rfind("</p>", 0, html.index("六、其他需要报告的事项") + 3000) + 4
    wrapped = (html[:start] + '<table width="100%"><tr><td width="5%">&nbsp;</td><td>' + html[start:end]
               + "</td></tr></table>" + html[end:])
    clean, laid_out = audit_html(page(2024)), audit_html(wrapped.encode())
    assert signature(laid_out) == signature(clean) and laid_out.values() == clean.values()


def test_a_letter_in_the_column_is_not_a_report(real):
    """"关于2014年政府信息公开工作要点落实情况的函" sits in the 年报 column but is not a report, whatever headings it has."""
    from auditor.audit import NotAReport
    text = real("平潭综合实验区_2017.txt").replace("标题: 平潭综合实验区2017年度政府信息公开工作年度报告",
                                               "标题: 关于2017年政府信息公开工作要点落实情况的函")
    with pytest.raises(NotAReport):
        audit_text(text)


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_tables_printed_one_paragraph_a_row_read_as_tables(seeds, seed):
    """Pages whose editor turned each table row into a paragraph ("2.其他法律法规禁止公开 0 0 0 0 0 0 0"): the same
    values as the report's own text, whatever the row label's wording."""
    import html as html_lib
    text = seeds[seed].read_text(encoding="utf-8")
    paragraphs = "".join(f"<p>{html_lib.escape(line)}</p>" for line in text.splitlines() if line.strip())
    page = f'<html><head><meta charset="utf-8"></head><body><div class="TRS_Editor">{paragraphs}</div></body></html>'
    from_page, from_text = audit_html(page.encode()), audit_text(text)
    assert from_page.values() == from_text.values()
    serious = {s for s in signature(from_text) if s[0] not in ("TBL-LABEL", "SEC-HEADING")}
    assert {s for s in signature(from_page) if s[0] not in ("TBL-LABEL", "SEC-HEADING")} == serious


def test_txt_pct_takes_the_base_the_report_means(real):
    """"受理申请1295件，办结1191件…予以公开及部分公开208件（17.46%）": the share is of the 1191 handled."""
    text = real("上海市人民政府_2025.md")
    assert "TXT-PCT" not in rules(audit_text(text))
    [f] = of(audit_text(plant(text, "208 件（17.46%）", "208 件（19.46%）")), "TXT-PCT")
    assert (f.observed, f.expected, f.severity) == (19.46, 17.46, "warning")


def test_table_rows_with_bars_but_no_leading_bar_are_read(real):
    """"规章 | 0 | 0 | 0 |": a table some pages flatten to bars without the leading one is a table, not missing."""
    text = real("沭阳县人民政府_2025.txt")
    loose = "\n".join(line.strip()[1:].strip() if line.strip().startswith("|") else line for line in text.split("\n")
                      if not re.fullmatch(r"\|?[\s:|-]*-{2,}[\s:|-]*", line.strip()))
    assert "\n|" not in loose
    r = audit_text(loose)
    assert not rules(r) & {"TBL-MISSING", "TBL-INCOMPLETE", "SEC-MISSING"} and not errors(r)
    assert r.values() == audit_text(text).values()


CHROME = "• 网站无障碍\n  • 关怀版\n索 引 号: 00817774-0/2022-04285 分类: 信息公开年度报告\n发布机构: 市卫生局\n"


def test_the_report_title_below_a_pages_chrome_gives_the_year(real):
    """A saved page whose first lines are the site's menu and index fields: the report's own title line below them
    names the year, so the report is judged by its own era (2015: the 2007 条例), not by the 2021 format."""
    text = real("平潭综合实验区_2015.txt")
    title = re.search(r"标题: (.+)", text).group(1)
    body = text.split("正文 ====================\n", 1)[1]
    body = re.sub(r"[^。\n]*统计[^。\n]*1月1日[^。\n]*。", "", body)   # the year only in the title
    r = audit_text(CHROME + f"名  称: {title}\n\n{title}\n" + body)
    assert r.year == 2015 and r.report.era.id == "2008-2018" and r.report.title == title and not errors(r)


def test_a_report_of_unknown_year_is_never_accused_by_the_current_format(seeds):
    """No year anywhere (a fragment, a title cut off): the 2021 format is only a guess, so what it alone decides is
    at most a warning that says why."""
    text = seeds["004"].read_text(encoding="utf-8")
    cut = re.sub(r"\d{4}\s*年", "", text.split("三、收到和处理政府信息公开申请情况")[0])
    r = audit_text(cut)
    assert r.year is None and r.report.era is None
    assert of(r, "SEC-MISSING") and not errors(r)
    assert all("无法确定报告年度" in f.doubt for f in of(r, "SEC-MISSING"))


# --- tab-separated rows: blank fields are blank cells ----------------------------------------------------------------
T4_ZEROS = "\t".join(["0"] * 15)
T4_BLANKS = "5\t\t\t2\t7\t8\t\t\t1\t9\t\t\t\t\t"   # 复议 5 维持 + 2 未审结 = 7; 直接起诉 8 + 1 = 9; the rest blank


def test_table_four_tab_row_with_blank_fields_keeps_its_columns(seeds):
    """A table 四 row copied with tabs, its blank cells empty fields (trailing ones too): the numbers stay in their
    columns; the identities hold and the narrative's 7 cases match."""
    text = seeds["000"].read_text(encoding="utf-8")
    assert T4_ZEROS in text
    said = "本年度共发生政府信息公开行政复议7件，行政诉讼9件。\n"
    r = audit_text(text.replace(T4_ZEROS, T4_BLANKS).replace("五、存在的主要问题及改进情况", said + "五、存在的主要问题及改进情况", 1))
    assert not rules(r) & {"T4-SUM", "TXT-TABLE"} and errors(r) == of(r, "PUB-LATE")   # 000 is late (RULES.md)
    t4 = r.values()["四"]
    assert [v for row in t4.values() for v in row.values() if v is not None] == [5, 2, 7, 8, 1, 9]


def test_table_four_row_that_lost_its_blank_fields_is_only_a_doubt(seeds):
    """The same row with its blanks gone (a copy that dropped them): which column a number is in is a guess, so a
    broken identity is at most a warning that says why."""
    text = seeds["000"].read_text(encoding="utf-8")
    r = audit_text(text.replace(T4_ZEROS, "5\t2\t7\t8\t1\t9"))
    assert errors(r) == of(r, "PUB-LATE") and of(r, "T4-SUM")
    assert all(f.severity == "warning" and not f.certain for f in of(r, "T4-SUM"))


def test_a_column_header_is_not_a_row_label(seeds):
    """Table 三 flattened one cell per line, its first row's label lost: the header's last cell "其他" (an applicant
    column) does not make the numbers under it the row "3.其他"."""
    text = seeds["002"].read_text(encoding="utf-8")
    r = audit_text(text.replace("\t一、本年新收政府信息公开申请数量\n", "", 1))
    assert not errors(r)
    assert not any("本年新收" in f.message for f in of(r, "TBL-INCOMPLETE"))


# --- a page's date that is when a site was moved, not when the report was published ------------------------------
def test_a_moved_sites_date_is_no_certain_lateness(real, seeds):
    """Sites rebuilt in 2019–2020 show old reports under the date they were moved.  When the page's address (t2018…)
    or the report's own signature says it was in time, a page date years later is at most a warning saying why;
    without such evidence the page's date stands."""
    text = real("平潭综合实验区_2017.txt")
    moved = dict(published=date(2020, 5, 6), published_source="portal")
    [f] = of(audit_text(text, url_date=date(2018, 1, 23), **moved), "PUB-LATE")
    assert f.severity == "warning" and "网址中的日期2018年1月23日在期限内" in f.doubt
    [f] = of(audit_text(text, **moved), "PUB-LATE")
    assert f.severity == "error" and f.certain
    signed_in_time = seeds["002"].read_text(encoding="utf-8")            # signed 2023-01-17, due 2023-01-31
    [f] = of(audit_text(signed_in_time, published=date(2024, 6, 1), published_source="portal"), "PUB-LATE")
    assert f.severity == "warning" and "落款日期2023年1月17日在期限内" in f.doubt
    [f] = of(audit_text(signed_in_time, published=date(2023, 3, 1), published_source="portal"), "PUB-LATE")
    assert f.severity == "error"   # a month late under its own signature's year: nothing suggests a move


# --- whose report: a government's report signed by its office ------------------------------------------------------
@pytest.mark.parametrize("signer", ["沐阳县人民政府办公室", "沐阳县政府办", "沐阳县人民政府"])
def test_a_governments_report_signed_by_its_office_is_the_governments(real, signer):
    """County governments' reports are compiled and signed by their offices.  "沐阳县人民政府…年度报告" signed
    "沐阳县人民政府办公室" on 20 February is the government's report, due 31 March: not a department's, late."""
    text = real("沭阳县人民政府_2025.txt").replace("\n沐阳县人民政府\n2026年1月23日", f"\n{signer}\n2026年2月20日")
    r = audit_text(text)
    assert (r.body, r.body_kind, r.deadline) == ("沐阳县人民政府", "government", date(2026, 3, 31))
    assert "PUB-LATE" not in rules(r)
    bare = audit_text(text.replace("# 沐阳县人民政府 2025 年", "# 沐阳县 2025 年", 1))   # the title names only the county
    assert bare.report.title.startswith("沐阳县2025年")
    assert bare.body_kind == "government" and "PUB-LATE" not in rules(bare)


def test_the_offices_own_report_is_a_departments(real):
    text = real("沭阳县人民政府_2025.txt").replace("\n沐阳县人民政府\n2026年1月23日", "\n沐阳县人民政府办公室\n2026年2月20日")
    r = audit_text(text.replace("# 沐阳县人民政府 2025 年", "# 沐阳县人民政府办公室 2025 年", 1))
    assert r.report.title.startswith("沐阳县人民政府办公室2025年") and r.body_kind == "department" and [f.severity for f in of(r, "PUB-LATE")] == ["error"]


@pytest.mark.parametrize("sentence,severity", [
    ("全县各级行政机关共收到政府信息公开申请1000件。", "warning"),   # every organ of the county: maybe not the table's
    ("全县共发生政府信息公开行政复议案件99件。", "warning"),
    ("本机关共收到政府信息公开申请1000件。", "error")])               # the body itself: a plain contradiction
def test_a_countywide_count_is_not_the_governments_own_table(real, sentence, severity):
    text = real("沭阳县人民政府_2025.txt")
    r = audit_text(before(text, "## 五、", sentence))
    [f] = of(r, "TXT-TABLE")
    assert f.severity == severity and (severity == "error" or "全县" in f.doubt)


def test_the_trial_format_is_known_by_its_table_not_by_the_narrative(seeds):
    """"政府集中采购" is a row of the 2019 trial table 二; a 2022 narrative sentence about government procurement does
    not make the report's table the trial format (a false TBL-OLD-FORMAT, and table 二 read against the wrong rows)."""
    text = seeds["004"].read_text(encoding="utf-8")
    r = audit_text(after(text, "二、主动公开政府信息情况", "本年度在政府集中采购方面，公开采购意向和结果信息12条。"))
    assert "TBL-OLD-FORMAT" not in rules(r) and not errors(r)
    assert r.values()["二"] == audit_text(text).values()["二"]


@pytest.mark.parametrize("sentence,error", [
    ("行政复议结果维持2件，尚未审结1件。", False),    # one outcome of the 3 cases, not all of them
    ("行政复议案件中纠正0件。", False),
    ("本年度发生行政复议3件，行政诉讼1件。", False),
    ("本年度发生行政复议5件，行政诉讼1件。", True)])
def test_an_outcome_count_is_not_the_number_of_cases(seeds, sentence, error):
    text = seeds["000"].read_text(encoding="utf-8").replace(T4_ZEROS, "2\t0\t0\t1\t3\t1\t0\t0\t0\t1\t0\t0\t0\t0\t0")
    r = audit_text(after(text, "四、政府信息公开行政复议、行政诉讼情况", sentence))
    assert bool(of(r, "TXT-TABLE")) is error


OLD_STATS = """某某县人民政府2014年政府信息公开工作年度报告
一、概述
2014年，我县认真贯彻落实《条例》，全年主动公开政府信息1520条。
二、主动公开政府信息情况
全年主动公开政府信息1520条，全部实现全文电子化。
三、依申请公开政府信息情况
全年受理政府信息公开申请{received}件，均已按时答复。
四、政府信息公开的收费及减免情况
未收取任何费用。
五、因政府信息公开申请行政复议、提起行政诉讼的情况
未发生行政复议和行政诉讼。
六、政府信息公开工作存在的主要问题及改进情况
公开的深度和广度还需加强。
附表：政府信息公开情况统计表
指标名称\t计量单位\t本年度
主动公开政府信息数\t条\t1520
其中：1、全文电子化数\t条\t1520
2、规范性文件数\t条\t36
受理政府信息依申请公开总数\t条\t{received}
其中：1、当面申请数\t条\t5
2、网上申请数\t条\t15
3、信函、传真申请数\t条\t8
"""


@pytest.mark.parametrize("received,broken", [(28, False), (25, True)])
def test_statistics_parts_are_only_those_that_partition(received, broken):
    """Properties of some documents (全文电子化数 1520 and 规范性文件数 36 of 1520) are not parts of a partition; the
    ways applications arrived are: 5 + 15 + 8 received in 25 is an excess a reviewer signs."""
    r = audit_text(OLD_STATS.format(received=received))
    assert r.report.era.id == "2008-2018"
    assert [f.location.row for f in of(r, "TS-PARTS")] == (["受理政府信息依申请公开总数"] if broken else [])
