"""Hanweb JCMS family on the saved 江苏省发改委 list: <datastore> records and the dataproxy.jsp paging."""
from datetime import date

from scrapy.http import HtmlResponse, TextResponse

from crawler.portals import FAMILIES

hanweb = FAMILIES["hanweb"]


def test_datastore_records_and_dataproxy(shared_dir):
    body = (shared_dir / "realdata/portal_html/deyye+policy-collector/js_list.EXCERPT.html").read_bytes()
    r = HtmlResponse(url="http://fzggw.jiangsu.gov.cn/col/col284/index.html", body=body, encoding="utf-8")
    assert hanweb.matches(r)
    items = hanweb.list_items(r)
    assert len(items) == 5
    assert items[0].url == "http://fzggw.jiangsu.gov.cn/art/2026/8/28/art_284_11821965.html"
    assert items[0].title == "江苏省成品油价格调整公告（2026年第16号）"
    assert items[0].date == date(2026, 8, 28)
    proxies = hanweb.next_posts(r)
    # totalRecord 138, 5 records inline (an excerpt), then groups of perPage 10 × groupSize 3
    url, fields = proxies[0]
    assert url == "http://fzggw.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=6&endrecord=35&perpage=10"
    assert fields["columnid"] == "284" and fields["unitid"] == "423656" and fields["webid"] == "3"
    assert proxies[-1][0].endswith("startrecord=126&endrecord=138&perpage=10")


def test_dataproxy_answer():
    xml = ("<datastore><totalrecord>2</totalrecord><recordset><record><![CDATA[<li><a href='/art/2023/1/18/"
           "art_3401_1.html' title='柔远镇人民政府2022年政府信息公开工作年度报告'>柔远镇…</a><span>2023-01-18</span></li>]]>"
           "</record></recordset></datastore>")
    r = TextResponse(url="http://www.spt.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=31", body=xml.encode(),
                     encoding="utf-8")
    [item] = hanweb.list_items(r)
    assert item.url == "http://www.spt.gov.cn/art/2023/1/18/art_3401_1.html"
    assert item.title == "柔远镇人民政府2022年政府信息公开工作年度报告" and item.date == date(2023, 1, 18)
