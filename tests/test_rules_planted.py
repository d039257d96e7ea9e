"""For every single-report rule: the defect planted in a copy of a real report is found, at the right cell; the
untouched report does not raise it.  Identities are broken in both directions on reports with non-zero tables."""
from datetime import date

import pytest

from auditor.extract import extract
from tests.helpers import audit_doc, audit_text, of, plant, rules, where

SHUYANG = "沭阳县人民政府_2025.txt"
SHANGHAI = "上海市人民政府_2025.md"


@pytest.fixture(scope="module")
def text(seeds, request):
    def read(name):  # a real report (../shared) only when the test asks for one
        path = seeds[name] if name in seeds else request.getfixturevalue("realdata") / name
        return path.read_text(encoding="utf-8")
    return read


# --- publication -------------------------------------------------------------------------------------------------
def test_pub_late_signature_after_deadline(text):
    late = audit_text(plant(text("002"), "2023年1月17日", "2023年2月17日"))
    assert [(f.expected, f.observed) for f in of(late, "PUB-LATE")] == [("2023-01-31", "2023-02-17")]
    assert "PUB-LATE" not in rules(audit_text(text("002")))


def test_pub_late_uses_the_given_date_and_the_deadline_by_kind(text):
    report = text("004")  # no date printed
    assert "PUB-LATE" in rules(audit_text(report, published=date(2023, 2, 1), published_source="given"))
    assert "PUB-LATE" not in rules(audit_text(report, published=date(2023, 1, 31), published_source="given"))  # inclusive
    as_government = audit_text(report, published=date(2023, 3, 31), published_source="given", body_kind="government")
    assert "PUB-LATE" not in rules(as_government) and str(as_government.deadline) == "2023-03-31"
    county_rule = audit_text(report, published=date(2023, 2, 20), published_source="given", township_deadline="02-28")
    assert "PUB-LATE" not in rules(county_rule) and str(county_rule.deadline) == "2023-02-28"


def test_pub_date_unknown_and_suspect(text):
    assert "PUB-DATE-UNKNOWN" in rules(audit_text(text("004")))
    assert "PUB-DATE-UNKNOWN" not in rules(audit_text(text("000")))
    early = audit_text(text("004"), published=date(2022, 12, 20), published_source="given")
    assert [f.observed for f in of(early, "PUB-DATE-SUSPECT")] == ["2022-12-20"]
    off_url = audit_text(text("004"), published=date(2023, 1, 10), published_source="portal", url_date=date(2023, 6, 1))
    assert "PUB-DATE-SUSPECT" in rules(off_url)
    assert "PUB-DATE-SUSPECT" not in rules(audit_text(text("004"), published=date(2023, 1, 10), url_date=date(2023, 1, 10)))


# --- structure ---------------------------------------------------------------------------------------------------
def test_doc_title(text):
    assert "DOC-TITLE" in rules(audit_text(text("000")))  # a covering memo "关于上报…的报告"
    assert "DOC-TITLE" not in rules(audit_text(text("004")))


def test_doc_image_only_marks_every_finding_uncertain(text):
    document = extract(text("000").encode())
    document.ocr = True
    result = audit_doc(document)
    read = [f for f in result.findings if f.rule != "DOC-IMAGE-ONLY"]
    assert "DOC-IMAGE-ONLY" in rules(result) and read and all(f.uncertain and f.doubt for f in read)
    # what rests on OCR is at most a warning: PUB-LATE here rests on the 落款 date read from the scan
    assert [f.severity for f in of(result, "PUB-LATE")] == ["warning"]
    given = audit_doc(document, published=date(2023, 2, 21), published_source="portal")
    assert [(f.severity, f.uncertain) for f in of(given, "PUB-LATE")] == [("error", False)]
    assert "DOC-IMAGE-ONLY" not in rules(audit_text(text("000")))


def _cut(report: str, start: str, end: str, keep_heading: bool = False) -> str:
    i, j = report.index(start), report.index(end)
    return report[:i] + (start + "\n\n" if keep_heading else "") + report[j:]


def test_sec_missing_one_finding_per_section(text):
    report = _cut(text("004"), "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
    assert [f.section for f in of(audit_text(report), "SEC-MISSING")] == ["五"]
    assert "SEC-MISSING" not in rules(audit_text(text("004")))


def test_sec_empty(text):
    report = _cut(text("004"), "五、存在的主要问题及改进情况", "六、其他需要报告的事项", keep_heading=True)
    assert [f.section for f in of(audit_text(report), "SEC-EMPTY")] == ["五"]
    assert "SEC-EMPTY" not in rules(audit_text(text("004")))


def test_sec_order(text):
    report = text("004")
    five, six = report.index("五、存在的主要问题"), report.index("六、其他需要报告的事项")
    swapped = report[:five] + report[six:] + "\n\n" + report[five:six]
    assert "SEC-ORDER" in rules(audit_text(swapped))
    assert "SEC-ORDER" not in rules(audit_text(report))


def test_sec_heading(text):
    assert "SEC-HEADING" not in rules(audit_text(text("000")))
    renumbered = audit_text(plant(text("000"), "五、存在的主要问题及改进情况", "5.存在的主要问题及改进情况"))
    assert [f.section for f in of(renumbered, "SEC-HEADING")] == ["五"]


# --- tables ------------------------------------------------------------------------------------------------------
def test_tbl_missing_when_the_table_is_an_image(text):
    report = text("000")
    start, end = report.index("(本列数据的勾稽关系为"), report.index("四、政府信息公开行政复议")
    result = audit_text(report[:start] + "[图片：表三]\n\n" + report[end:])
    assert [where(f) for f in of(result, "TBL-MISSING")] == [("三", "三", None, None)]
    assert "TBL-MISSING" not in rules(audit_text(report))


def test_tbl_incomplete_names_the_blank_cell(text):
    report = plant(text("000"), "0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0", "0\t0\t0\t0\t\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0")
    [f] = of(audit_text(report), "TBL-INCOMPLETE")
    assert (f.location.table, f.location.row, f.expected, f.observed) == ("四", "行政复议", 15, 14)
    assert "总计" in f.message
    assert "TBL-INCOMPLETE" not in rules(audit_text(text("000")))


def test_tbl_label_typos(text):
    labels = {(f.location.row, f.location.column) for f in of(audit_text(text("001")), "TBL-LABEL")}
    assert labels == {(None, "本年废止件数"), ("（三）不予公开", None), ("2.其他法律行政法规禁止公开", None),
                      ("5.要求行政机关确认或重新出具已获取信息", None)}
    assert "TBL-LABEL" not in rules(audit_text(text("000")))


def test_tbl_old_format(text):
    old = plant(text("000"), "本年制发件数\t本年废止件数\t现行有效件数", "本年新制作数量\t本年新公开数量\t对外公开总数量")
    assert [f.section for f in of(audit_text(old), "TBL-OLD-FORMAT")] == ["二"]
    assert "TBL-OLD-FORMAT" not in rules(audit_text(old.replace("2022", "2019")))  # the trial format was right then
    assert "TBL-OLD-FORMAT" not in rules(audit_text(text("000")))


def test_tbl_cell_slash(text):
    report = plant(text(SHUYANG), "| 行政强制 | 2154 |", "| 行政强制 | / |")
    assert [where(f) for f in of(audit_text(report), "TBL-CELL")] == [("二", "二", "行政强制", "本年处理决定数量")]
    assert "TBL-CELL" not in rules(audit_text(text(SHUYANG)))


# --- arithmetic: non-zero tables, both directions ---------------------------------------------------------------
def test_balanced_nonzero_tables_raise_nothing(text):
    for name in (SHUYANG, SHANGHAI):
        found = rules(audit_text(text(name)))
        assert not found & {"T3-BAL", "T3-TOTAL", "T3-ROW", "T4-SUM", "TXT-TABLE"}, name


def test_t3_bal(text):
    report = plant(text(SHUYANG), "| 上年结转政府信息公开申请数量 | 36 | 0 | 0 | 0 | 0 | 0 | 36 |",
                   "| 上年结转政府信息公开申请数量 | 37 | 0 | 0 | 0 | 0 | 0 | 37 |")
    bal = of(audit_text(report), "T3-BAL")
    assert {(f.location.column, f.observed, f.expected) for f in bal} == {("自然人", 742, 741), ("总计", 750, 749)}
    assert {c["row"] for c in bal[0].cells} == {"一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量",
                                                 "（七）总计", "四、结转下年度继续办理"}


def test_t3_total(text):
    report = plant(text(SHUYANG), "| 予以公开 | 290 | 1 | 0 | 0 | 3 | 0 | 294 |", "| 予以公开 | 291 | 1 | 0 | 0 | 3 | 0 | 295 |")
    total = of(audit_text(report), "T3-TOTAL")
    assert {(f.location.row, f.location.column, f.observed, f.expected) for f in total} == {
        ("（七）总计", "自然人", 710, 711), ("（七）总计", "总计", 718, 719)}
    assert len(total[0].cells) == 22  # 21 outcome rows and the total


def test_t3_row(text):
    report = plant(text(SHUYANG), "| 5. 属于三类内部事务信息 | 13 | 0 | 0 | 0 | 0 | 0 | 13 |",
                   "| 5. 属于三类内部事务信息 | 13 | 0 | 0 | 0 | 0 | 0 | 14 |")
    rows = of(audit_text(report), "T3-ROW")
    assert [(f.location.row, f.location.column, f.observed, f.expected) for f in rows] == [
        ("5.属于三类内部事务信息", "总计", 14, 13)]


def test_t4_sum(text):
    report = plant(text(SHUYANG), "| 27 | 10 | 9 | 15 | 61 |", "| 27 | 10 | 9 | 15 | 62 |")
    assert [(where(f), f.observed, f.expected) for f in of(audit_text(report), "T4-SUM")] == [
        (("四", "四", "行政复议", "总计"), 62, 61)]


# --- narrative ---------------------------------------------------------------------------------------------------
def test_txt_sum(text):
    report = plant(text("000"), "共计 174 篇", "共计 175 篇")
    [f] = of(audit_text(report), "TXT-SUM")
    assert (f.section, f.observed, f.expected) == ("一", 175, 174)


def test_txt_pct(text):
    report = plant(text("002"), "46条，占总体的比例为47.9%；业务", "46条，占总体的比例为57.9%；业务")
    [f] = of(audit_text(report), "TXT-PCT")
    assert (f.observed, f.expected) == (57.9, 47.92)
    assert "TXT-PCT" not in rules(audit_text(text("002")))


def test_txt_table_says_none_received_but_table_has_one(text):
    report = text("000")
    report = plant(report, "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0",
                   "一、本年新收政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1")
    [f] = of(audit_text(report), "TXT-TABLE")
    assert (where(f), f.expected, f.observed) == (("三", "三", "一、本年新收政府信息公开申请数量", "总计"), 1, 0)
    assert "TXT-TABLE" not in rules(audit_text(text("000")))


def test_txt_table_stated_counts(text):
    report = plant(text(SHANGHAI), "办结 1191 件", "办结 1192 件")
    [f] = of(audit_text(report), "TXT-TABLE")
    assert (f.location.row, f.expected, f.observed) == ("（七）总计", 1191, 1192)
    cases = plant(text(SHUYANG), "| 27 | 10 | 9 | 15 | 61 |", "| 27 | 10 | 9 | 15 | 61 |")  # unchanged control
    assert "TXT-TABLE" not in rules(audit_text(cases))


def test_txt_table_no_cases_claimed(text):
    report = plant(text("002"), "→0\n→0\n→0\n→0\n→0\n\n\n　　五、".replace("→", "\t"), "\t1\n\t0\n\t0\n\t0\n\t1\n\n\n　　五、")
    found = of(audit_text(report), "TXT-TABLE")
    assert [(f.section, f.expected, f.observed) for f in found] == [("四", 1, 0)]


# --- content -----------------------------------------------------------------------------------------------------
def test_cnt_fee(text):
    assert [f.section for f in of(audit_text(text("002")), "CNT-FEE")] == ["六"]
    assert "CNT-FEE" not in rules(audit_text(text("000")))
    removed = plant(text("001"), "本年度未收取信息处理费。", "")
    assert "CNT-FEE" in rules(audit_text(removed))


def test_cnt_account_only_for_governments(text):
    assert "CNT-ACCOUNT" in rules(audit_text(text("000")))
    assert "CNT-ACCOUNT" not in rules(audit_text(text("001")))  # "未出现…责任追究情况", 考核
    assert "CNT-ACCOUNT" not in rules(audit_text(text("000"), body_kind="department"))
