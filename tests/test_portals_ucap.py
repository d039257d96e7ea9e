"""County "ucap" family on saved real detail pages (沭阳县发改局 年报, 万载县) and a list in its shape."""
from datetime import date

from scrapy.http import HtmlResponse

from auditor.pubdate import publication_date
from crawler.portals import FAMILIES
from crawler.portals import toolkit as generic

ucap = FAMILIES["ucap"]


def test_ucap_report_detail(shared_dir):
    path = next((shared_dir / "realdata/portal_html/zxj6827111-blip+KIROGOVCOMPARE").glob("*.html"))
    url = "http://www.shuyang.gov.cn/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml"
    r = HtmlResponse(url=url, body=path.read_bytes(), encoding="utf-8")
    assert ucap.matches(r)
    assert generic.detail_title(r) == "沭阳县发展和改革局2023年政府信息公开年度报告"
    assert publication_date(r.text, r.url) == (date(2024, 1, 17), "portal")   # <publishtime>
    assert generic.content_source(r) == "沭阳县发展和改革局"
    assert generic.has_report_body(r)


def test_ucap_other_detail(shared_dir):
    path = shared_dir / "realdata/portal_html/SimonXinw+job/万载县2015年国民经济和社会发展统计公报.html"
    r = HtmlResponse(url="http://www.wanzai.gov.cn/art/x.shtml", body=path.read_bytes(), encoding="utf-8")
    assert ucap.matches(r)
    assert generic.detail_title(r).startswith("万载县2015年国民经济和社会发展统计公报")


def test_ucap_list_and_next_page():
    html = """<ul class="list"><li><a href="/sygfj/gknb/202401/2ecfb31a335f4d689220a3a23e24a986.shtml"
    title="沭阳县发展和改革局2023年政府信息公开年度报告">沭阳县发展和改革局2023年…</a><span>2024-01-17</span></li></ul>
    <div class="page"><a href="index.shtml">首页</a><a href="index_2.shtml">下一页</a> 共3页</div>"""
    r = HtmlResponse(url="http://www.shuyang.gov.cn/sygfj/gknb/index.shtml", body=html.encode(), encoding="utf-8")
    [item] = ucap.list_items(r)
    assert item.date == date(2024, 1, 17)
    assert sorted(set(ucap.next_pages(r))) == ["http://www.shuyang.gov.cn/sygfj/gknb/index_2.shtml",
                                               "http://www.shuyang.gov.cn/sygfj/gknb/index_3.shtml"]
