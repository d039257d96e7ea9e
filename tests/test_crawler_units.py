"""Unit tests of the crawler's pure parts: publication dates, report titles and bodies, the address guard."""
from datetime import date

import pytest

from auditor.pubdate import byline_date, meta_date, publication_date, url_date
from crawler.middlewares import check_url
from auditor.titles import report_year
from crawler.titles import body_from_title, infer_kind, is_column_title, match_body


# -- publication dates (SPEC §6) ------------------------------------------------------------------------------------
def test_meta_pubdate_first():
    html = ('<meta name="PubDate" content="2025-03-10 15:35"><p>成文日期：2025-02-28</p>'
            '<p>发布日期：2025-03-11</p>')
    assert publication_date(html, "https://x.gov.cn/202503/t20250312_1.htm") == (date(2025, 3, 10), "meta")


@pytest.mark.parametrize("meta", [
    '<meta name="PubDate" content="2020年08月02日">',
    '<meta name="publishdate" content="2020-08-02">',
    '<meta name="firstpublishedtime" content="2020-08-02-14:46:00">',
    "<meta content='2020/8/2 9:00' name='pubdate'>",
])
def test_meta_variants(meta):
    assert meta_date(meta) == date(2020, 8, 2)


@pytest.mark.parametrize("text,expected", [
    ("发布时间：2021-11-02 09:08 来源：中国政府网", date(2021, 11, 2)),
    ("发布日期:2019-8-7 8:56:14", date(2019, 8, 7)),
    ("發布日期: 2020/12/31 14:29:32", date(2020, 12, 31)),
    ("发布时间:2020-06-29 10时59分", date(2020, 6, 29)),
    ("公开日期 <publishtime>2024-01-17</publishtime>", date(2024, 1, 17)),
    ("成文日期：2021-09-26 发布日期：2021-09-29", date(2021, 9, 29)),
])
def test_byline(text, expected):
    assert byline_date(f"<div>{text}</div>") == expected


@pytest.mark.parametrize("text", ["成文日期：2023-01-17", "发文日期：2018-02-26", "<!--<p>发布日期：2020-01-01</p>-->",
                                  "印发日期：2023-01-05", "生效日期：2023-01-01"])
def test_byline_never_a_signing_date(text):
    assert byline_date(f"<div>{text}</div>") is None


def test_url_dates():
    assert url_date("https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/202503/t20250310_97791.htm") == date(2025, 3, 10)
    assert url_date("http://x.gov.cn/art/2023/5/15/art_1229397394_58900967.html") == date(2023, 5, 15)
    assert url_date("http://www.gov.cn/zhengce/content_5640033.htm") is None


def test_list_date_before_url_date():
    assert publication_date("<p>正文</p>", "http://x/202302/t20230221_1.html", date(2023, 2, 22)) == \
        (date(2023, 2, 22), "portal")
    assert publication_date("<p>正文</p>", "http://x/202302/t20230221_1.html") == (date(2023, 2, 21), "url")


# -- titles ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("title,year", [
    ("沙坡头区柔远镇人民政府 2022 年政府信息公开工作年度报告", 2022),
    ("关于上报盐锅峡镇 2022 年政府信息公开工作报告的报告", 2022),
    ("平潭综合实验区2024年度政府信息公开工作年度报告", 2024),
    ("沭阳县发展和改革局2023年政府信息公开年度报告", 2023),
    ("政府信息公开工作年度报告（2023）", 2023),
    ("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", None),
    ("盐边县人民政府办公室关于做好2023年政府信息公开工作年度报告编制发布工作的通知", None),
    ("关于开展2022年度政府信息公开工作年度报告评议的通知", None),
    ("图解：2023年政府信息公开工作年度报告", None),
    ("永靖县2023年县级预算公开情况说明", None),
    ("政务公开工作要点（2023年）", None),
])
def test_report_year(title, year):
    assert report_year(title) == year


def test_column_titles():
    assert is_column_title("政府信息公开年报")
    assert is_column_title("政府信息公开年度报告")
    assert not is_column_title("2022年政府信息公开工作年度报告")
    assert not is_column_title("政府信息公开指南")


def test_bodies():
    region = ["宁夏回族自治区", "中卫市", "沙坡头区"]
    assert body_from_title("沙坡头区柔远镇人民政府2022年政府信息公开工作年度报告", region) == "柔远镇人民政府"
    assert body_from_title("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", ["江苏省", "淮安市", "洪泽区"]) == \
        "洪泽区人民政府"
    assert body_from_title("2022年政府信息公开工作年度报告", region) is None
    bodies = ["中卫市沙坡头区人民政府", "柔远镇人民政府", "宣和镇人民政府"]
    assert match_body("沙坡头区柔远镇2022年政府信息公开工作年度报告", bodies) == "柔远镇人民政府"
    assert match_body("沙坡头区2022年政府信息公开工作年度报告", ["沙坡头区人民政府", "柔远镇人民政府"]) == "沙坡头区人民政府"
    assert [infer_kind(n) for n in ("柔远镇人民政府", "永靖县人民政府", "永靖县教育局", "罗峰街道办事处", "关山乡人民政府")] \
        == ["township", "government", "department", "township", "township"]


# -- the address guard ---------------------------------------------------------------------------------------------
ALLOWED = {"127.0.0.1", "www.spt.gov.cn"}
EXPLICIT = {"127.0.0.1:8800", "www.spt.gov.cn:80"}


@pytest.mark.parametrize("url", ["http://127.0.0.1:8800/a/b.html", "http://www.spt.gov.cn/x.pdf",
                                 "https://www.spt.gov.cn/x.pdf"])
def test_guard_allows(url):
    assert check_url(url, ALLOWED, EXPLICIT, resolve=lambda h: ["61.1.1.1"]) is None


@pytest.mark.parametrize("url", [
    "http://www.example.com/report.pdf",          # another host
    "ftp://127.0.0.1:8800/report.pdf",            # another scheme
    "file:///etc/passwd",
    "http://127.0.0.1:22/",                       # the configured loopback host, another port
    "http://10.0.0.1/report.pdf",                 # a private address not configured
    "http://169.254.169.254/latest/meta-data/",   # link-local (cloud metadata)
])
def test_guard_drops(url):
    assert check_url(url, ALLOWED, EXPLICIT, resolve=lambda h: ["61.1.1.1"]) is not None


def test_guard_drops_names_resolving_to_private_addresses():
    assert check_url("http://www.spt.gov.cn/x.pdf", ALLOWED, set(), resolve=lambda h: ["10.2.3.4"]) is not None


# -- which files of a report page are the report ------------------------------------------------------------------
def test_truncated_titles_are_candidates():
    from crawler.spiders.annual_reports import maybe_report

    assert maybe_report("盐边县红格镇2023年政府信息公开工作...")
    assert maybe_report("沙坡头区柔远镇2022年政府信息公开工…")
    assert not maybe_report("盐边县红格镇2023年政府信息公开工作年度报告")   # not cut: report_year decides
    assert not maybe_report("新闻动态...")


def test_report_attachments():
    from scrapy.http import HtmlResponse

    from crawler.portals.toolkit import report_files as report_attachments

    html = """<html><body><div class="TRS_Editor"><p>见附件</p><a href="a/report.pdf">附件1</a><img src="qr.png"></div>
    <div class="side"><a href="/files/sqb.doc">政府信息公开申请表</a> <a href="/files/other.xls">统计数据</a>
    <a href="/nb/2023年度报告.docx">2023年度报告</a></div></body></html>"""
    r = HtmlResponse(url="http://x.gov.cn/nb/t.html", body=html.encode(), encoding="utf-8")
    assert [u for u, _ in report_attachments(r, has_body=False)] == [
        "http://x.gov.cn/nb/a/report.pdf", "http://x.gov.cn/nb/2023年度报告.docx", "http://x.gov.cn/nb/qr.png"]
    assert [u for u, _ in report_attachments(r, has_body=True)] == [
        "http://x.gov.cn/nb/a/report.pdf", "http://x.gov.cn/nb/2023年度报告.docx"]


def test_pub_changed_ignores_render_noise():
    from crawler.pipelines import _report_text

    page = "<html><body><p>一、总体情况 主动公开 12 条</p><div>页面生成时间 2024-05-28 15:46:43 浏览次数：123</div></body></html>"
    rerendered = page.replace("15:46:43", "16:00:01").replace("123", "124")
    edited = page.replace("12 条", "13 条")
    assert _report_text(page.encode()) == _report_text(rerendered.encode())
    assert _report_text(page.encode()) != _report_text(edited.encode())
    assert _report_text(page.encode("gbk")) == _report_text(page.encode())


def test_pub_changed_is_judged_by_its_rule():
    """The crawler records the change; the PUB-CHANGED rule decides (render noise only: no finding)."""
    from datetime import date

    from auditor.rules.publication import Changed, DocumentChange, changed_finding

    change = DocumentChange(url="http://x.gov.cn/r.html", old_sha256="a" * 64, new_sha256="b" * 64, same_text=False,
                            first_seen=date(2023, 1, 18), seen=date(2023, 3, 1))
    finding = Changed.judge(change)
    assert finding == changed_finding("http://x.gov.cn/r.html", date(2023, 1, 18), date(2023, 3, 1), "a" * 64, "b" * 64)
    assert finding.rule == "PUB-CHANGED" and finding.severity == "warning" and finding.expected == "a" * 12
    assert Changed.judge(DocumentChange(**{**change.__dict__, "same_text": True})) is None
    assert Changed.judge(DocumentChange(**{**change.__dict__, "old_sha256": ""})).expected == "?" * 12


def test_scrapy_settings_from_ogiaudit_settings(tmp_path):
    from crawler.settings import scrapy_settings
    from ogiaudit.settings import load_settings

    s = scrapy_settings(load_settings(None, archive_dir=tmp_path / "a", database_url="sqlite:///x.db"))
    assert s["DOWNLOAD_MAXSIZE"] == 50 * 1024 * 1024 and s["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2
    assert s["AUTOTHROTTLE_ENABLED"] and s["ROBOTSTXT_OBEY"] and s["RETRY_TIMES"] >= 2
    assert s["USER_AGENT"].startswith("ogiaudit/") and "@" in s["USER_AGENT"]
    assert s["HTTPCACHE_POLICY"].endswith("RFC2616Policy") and s["HTTPCACHE_DIR"].startswith(str(tmp_path))


# -- crawl state in the audit database ---------------------------------------------------------------------------
def test_crawl_state_in_the_database_and_json_state_imported_once(tmp_path):
    """Known list entries live in crawl_entry (storage/crawlstate.py); the JSON files of earlier versions are
    imported on the first crawl after the upgrade, then renamed."""
    import json
    from datetime import datetime, timedelta, timezone
    from types import SimpleNamespace

    from scrapy.http import HtmlResponse, Request
    from scrapy.settings import Settings

    from crawler.spiders.annual_reports import AnnualReportsSpider
    from storage import crawlstate, db

    url = f"sqlite:///{tmp_path}/db.sqlite"
    state_dir = tmp_path / "archive" / ".crawlstate"
    state_dir.mkdir(parents=True)
    checked = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    (state_dir / "p1.json").write_text(json.dumps({
        "http://x.gov.cn/a.html": {"listed": "2023-01-18", "validators": False, "checked": checked},
        "http://x.gov.cn/b.html": {"listed": None, "validators": True, "checked": checked}}), encoding="utf-8")
    portal = SimpleNamespace(id="p1", start_urls=["http://x.gov.cn/"], allowed_hosts=[], cms=None)

    def spider():
        s = AnnualReportsSpider(portals=[portal])
        s.settings = Settings({"OGIAUDIT_DATABASE_URL": url, "OGIAUDIT_ARCHIVE_DIR": str(tmp_path / "archive")})
        s._load_state()
        return s

    first = spider()
    assert not (state_dir / "p1.json").exists() and (state_dir / "p1.json.imported").exists()
    assert first._known_unchanged("p1", "http://x.gov.cn/a.html", "2023-01-18")
    assert not first._known_unchanged("p1", "http://x.gov.cn/a.html", "2023-01-19")   # listed with another date
    assert not first._known_unchanged("p1", "http://x.gov.cn/b.html", None)           # the server gives validators
    # an entry fetched by this crawl is saved when it ends, and known to the next crawl
    request = Request("http://x.gov.cn/c.html", meta={"portal": "p1", "entry": "http://x.gov.cn/c.html",
                                                      "listed": "2024-01-10"})
    first._remember(HtmlResponse(url=request.url, body=b"<html></html>", request=request))
    first.closed("finished")
    second = spider()
    assert second._known_unchanged("p1", "http://x.gov.cn/c.html", "2024-01-10")
    with db.session(url) as s:
        assert set(crawlstate.load(s, ["p1", "p2"])["p1"]) == {f"http://x.gov.cn/{n}.html" for n in "abc"}
    db.dispose(url)
