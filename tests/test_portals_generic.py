"""Generic pages: the 平潭 年报 column's list text, plain links, 下一页, attachments (files, pdf.js, iframes, images)."""
import re

from scrapy.http import HtmlResponse

from auditor.titles import report_year
from crawler.portals import FAMILIES, toolkit

generic = FAMILIES["generic"]


def test_pingtan_column_titles(shared_dir):
    text = (shared_dir / "realdata/portal_html/changwu+pingtan-gov-zwgk-archive/zfxxgknb__lists__index.txt").read_text(
        encoding="utf-8")
    titles = re.findall(r"(平潭综合实验区\d{4}年度政府信息公开工作年度报告) (\d{4}-\d{2}-\d{2})", text)
    assert len(titles) == 10
    assert [report_year(t) for t, _ in titles] == list(range(2025, 2015, -1))
    # the list as a page: every entry is a report, with its date
    html = "<ul>" + "".join(f'<li><a href="./{i}.htm">{t}</a> {d}</li>' for i, (t, d) in enumerate(titles)) + "</ul>"
    r = HtmlResponse(url="https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/", body=html.encode(), encoding="utf-8")
    items = generic.list_items(r)
    assert str(items[1].date) == "2025-03-10" and report_year(items[1].title) == 2024


def test_attachments_and_next_page():
    html = """<html><body><div class="TRS_Editor"><p>见附件</p><img src="scan1.jpg"></div>
    <a href="/nb/2023.pdf">报告.pdf</a> <a href="/module/download/downfile.jsp?classid=0&filename=a.docx">下载</a>
    <a href="/pdfjs/web/viewer.html?file=/nb/2023b.pdf">在线查看</a>
    <iframe src="/pdfjs/web/viewer.html?file=%2Fnb%2F2023c.pdf"></iframe>
    <a href="/nb/news.html">新闻</a> <img src="/logo.png"> <a href="list_2.html">下一页</a></body></html>"""
    r = HtmlResponse(url="http://x.gov.cn/nb/t.html", body=html.encode(), encoding="utf-8")
    urls = [u for u, _ in toolkit.attachments(r)]
    assert urls == ["http://x.gov.cn/nb/2023.pdf",
                    "http://x.gov.cn/module/download/downfile.jsp?classid=0&filename=a.docx",
                    "http://x.gov.cn/nb/2023b.pdf", "http://x.gov.cn/nb/2023c.pdf", "http://x.gov.cn/nb/scan1.jpg"]
    assert generic.next_pages(r) == ["http://x.gov.cn/nb/list_2.html"]


def test_gbk_page_decoded():
    html = ('<html><head><meta charset="gbk"><title>年报</title></head><body>'
            '<a href="a.html">红格镇2023年政府信息公开工作年度报告</a></body></html>')
    r = HtmlResponse(url="http://x.gov.cn/", body=html.encode("gbk"))
    assert report_year(generic.list_items(r)[0].title) == 2023
