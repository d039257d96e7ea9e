"""The auditor's pure domain modules (one home each): publication date, container, titles, body kind, numerals."""
from datetime import date

from auditor import bodies, containers, pubdate, titles
from auditor.dates import find_date
from auditor.numerals import cn_to_int, int_to_cn


def test_chinese_numerals_by_cn2an():
    assert find_date("二〇二三年二月二十一日") == date(2023, 2, 21)
    assert find_date("二○二四年十二月三十一日") == date(2024, 12, 31)   # a white circle for 〇
    assert find_date("二〇十三年一月一日") is None                       # malformed: no date rather than year 13
    assert cn_to_int("十〇") is None and cn_to_int("一二") == 12
    assert [int_to_cn(n) for n in (1, 10, 12, 21, 99, 100, 0)] == ["一", "十", "十二", "二十一", "九十九", "100", "0"]


def test_byline_never_a_signing_date():
    for label in ("成文日期", "发文日期", "印发日期", "签发日期", "生效日期", "实施日期", "颁发日期", "废止日期"):
        assert pubdate.from_byline(f"{label}：2024-01-15") is None, label
    for label in ("发布日期", "发布时间", "发布于", "公开日期", "更新时间", "日期", "正文日期"):
        assert pubdate.from_byline(f"{label}：2024年1月15日")[0] == date(2024, 1, 15), label
    assert pubdate.from_metas({"PubDate": "2025-03-10 09:30"}) == (date(2025, 3, 10),
                                                                  '<meta name="PubDate" content="2025-03-10 09:30">')


def test_containers_one_list_for_both():
    assert containers.TIERS[0].matches("div", "TRS_Editor x", "")
    assert not containers.TIERS[0].matches("div", "TRS_EditorX", "")
    assert containers.auditor_tiers()[-1].matches("div", "main-content", "")
    assert "ucapcontent" in containers.CONTENT_XPATH and "'content'" not in containers.CONTENT_XPATH


def test_titles_and_kinds():
    assert titles.is_report_title("某县政府信息公开2022年度报告")
    assert titles.report_year("某县政府信息公开2022年度报告") == 2022
    assert titles.report_year("关于2022年政府信息公开工作年度报告的函") is None
    assert titles.is_notice_title("关于做好政府信息公开工作年度报告编制发布工作的通知")
    assert bodies.infer_body_kind("柔远镇人民政府") == "township"
    assert bodies.kind_or_default("某某") == "department"
