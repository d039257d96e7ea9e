"""TRS WCM family on saved real pages (邯郸 list/detail/信息公开 home, 国家发改委 list, 平潭 年报 detail)."""
from datetime import date

from scrapy.http import HtmlResponse

from auditor.pubdate import publication_date
from crawler.portals import FAMILIES
from crawler.portals import toolkit as generic

trs = FAMILIES["trs"]


def page(shared_dir, name, url):
    return HtmlResponse(url=url, body=(shared_dir / "realdata" / "portal_html" / name).read_bytes(), encoding="utf-8")


def test_countpage_list(shared_dir):
    r = page(shared_dir, "kevin3691+renmin/list.jsp", "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index.html")
    assert trs.matches(r)
    items = trs.list_items(r)
    assert items[0].url == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html"
    assert items[0].date == date(2020, 8, 5)
    pages = trs.next_pages(r)
    assert len(pages) == 55   # var countPage=56: index_1 … index_55
    assert pages[0] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_1.html"
    assert pages[-1] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_55.html"


def test_createpagehtml_list(shared_dir):
    r = page(shared_dir, "deyye+policy-collector/ndrc_list_sample.EXCERPT.html",
             "https://www.ndrc.gov.cn/xxgk/zcfb/tz/")
    items = trs.list_items(r)
    assert items[0].url == "https://www.ndrc.gov.cn/xxgk/zcfb/tz/202608/t20260828_1407232.html"
    assert items[0].date == date(2026, 8, 27)   # the date shown in the list, not the URL's
    pages = trs.next_pages(r)
    assert len(pages) == 19 and pages[0] == "https://www.ndrc.gov.cn/xxgk/zcfb/tz/index_1.html"


def test_column_link_on_xxgk_home(shared_dir):
    r = page(shared_dir, "kevin3691+renmin/gkzn.jsp", "http://hdzfxxgk.hd.gov.cn/zfxxgkzn/")
    assert generic.column_links(r) == ["http://hdzfxxgk.hd.gov.cn/zfxxgknb/"]


def test_detail_dates(shared_dir):
    r = page(shared_dir, "kevin3691+renmin/details.jsp",
             "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html")
    assert publication_date(r.text, r.url) == (date(2020, 8, 2), "meta")
    assert generic.content_source(r) == "邯郸市教育局"
    r = page(shared_dir, "changwu+pingtan-gov-zwgk-archive/97791_page.EXCERPT.html",
             "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202503/t20250310_97791.htm")
    assert publication_date(r.text, r.url) == (date(2025, 3, 10), "meta")
    assert generic.detail_title(r) == "平潭综合实验区2024年度政府信息公开工作年度报告"


def test_createpagehtml_with_a_div_id():
    html = """<ul><li><a href="./202401/t20240110_1.html">红格镇2023年政府信息公开工作年度报告</a><span>2024-01-10</span></li>
    </ul><script>createPageHTML('page_div', 3, 0, 'index', 'shtml', 45);</script>"""
    r = HtmlResponse(url="http://www.scyanbian.gov.cn/zwgk/nb/index.shtml", body=html.encode(), encoding="utf-8")
    assert trs.next_pages(r) == ["http://www.scyanbian.gov.cn/zwgk/nb/index_1.shtml",
                                 "http://www.scyanbian.gov.cn/zwgk/nb/index_2.shtml"]
    assert trs.list_items(r)[0].date.isoformat() == "2024-01-10"
