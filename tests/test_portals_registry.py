"""The CMS-family seam: every registered family follows the protocol, `matches()` picks the families asked about a
page, the portal's `cms` puts its family first, and the spider names no family."""
from pathlib import Path

from scrapy.http import HtmlResponse

from crawler.portals import FAMILIES, CmsFamily, ask, families_for
from crawler.portals.base import Family

ROOT = Path(__file__).resolve().parent.parent
HANWEB = ("<html><body><script type='text/xml'><datastore><recordset><record><![CDATA[<li><a href='/art/1.html'>"
          "柔远镇人民政府2022年政府信息公开工作年度报告</a><span>2023-01-18</span></li>]]></record></recordset>"
          "</datastore></script><a href='list_2.html'>下一页</a></body></html>")


def page(html: str, url: str = "http://x.gov.cn/col/col1/index.html") -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode(), encoding="utf-8")


def test_every_family_follows_the_protocol():
    assert list(FAMILIES) == ["trs", "hanweb", "ucap", "generic"]
    for name, family in FAMILIES.items():
        assert isinstance(family, CmsFamily) and family.name == name


def test_matches_picks_the_families_and_cms_hint_goes_first():
    r = page(HANWEB)
    assert [f.name for f in families_for(r)] == ["hanweb", "generic"]
    assert [f.name for f in families_for(r, "generic")] == ["generic", "hanweb"]
    assert [f.name for f in families_for(r, "trs")] == ["hanweb", "generic"]   # a hint that does not match: not asked
    assert [f.name for f in families_for(page("<a href='a.html'>x</a>"))] == ["generic"]
    items = ask(families_for(r), "list_items", r)
    assert items[0].url == "http://x.gov.cn/art/1.html" and str(items[0].date) == "2023-01-18"
    assert ask(families_for(r), "next_pages", r) == ["http://x.gov.cn/col/col1/list_2.html"]
    # the toolkit's default, inherited by both families, is asked once
    assert ask(families_for(r), "column_links", page("<a href='/nb/'>政府信息公开年报</a>")) == ["http://x.gov.cn/nb/"]


def test_a_new_family_is_one_class(monkeypatch):
    class Shop(Family):
        name = "shop"

        def matches(self, response):
            return "shopcms" in response.text

        def next_posts(self, response):
            return [(response.urljoin("/more"), {"page": "2"})]

    monkeypatch.setitem(FAMILIES, "shop", Shop())
    r = page("<!-- shopcms --><a href='a.html'>x</a>")
    assert [f.name for f in families_for(r, "shop")] == ["shop", "generic"]
    assert ask(families_for(r), "next_posts", r) == [("http://x.gov.cn/more", {"page": "2"})]


def test_the_spider_names_no_family():
    source = (ROOT / "crawler" / "spiders" / "annual_reports.py").read_text(encoding="utf-8")
    for name in FAMILIES:
        assert f"{name}." not in source and f'"{name}"' not in source, name
