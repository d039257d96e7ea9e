"""The sample portal's pages, built in memory at start time from the seed reports and the real portal layouts.

Six county sites under one host (http://127.0.0.1:PORT/<county>/), one per CMS mechanism:

| site      | family              | what it plants                                                                 |
|-----------|---------------------|--------------------------------------------------------------------------------|
| yongjing  | TRS, GBK pages      | createPageHTML pager; seed 000 as HTML published 2023-02-22 (after 01-31: PUB-LATE); |
|           |                     | a notice *about* reports; 刘家峡镇 configured but never publishes (PUB-MISSING);       |
|           |                     | links to a robots.txt-disallowed page, a private address, ftp:// and file://    |
| shapotou  | Hanweb JCMS         | <datastore> records, the rest via dataproxy.jsp; seed 001 as HTML; 宣和镇 (not configured) |
| fanshi    | county "ucap"       | index.shtml → 下一页 → index_2.shtml (slow); seed 002 as a DOCX attachment; 成文日期 ≠ 发布日期 |
| yanbian   | generic             | plain links, 下一页 to list2.html which fails with 500 twice; seed 003 as PDF via pdf.js viewer + iframe, |
|           |                     | its list title cut short ("…工作..."), a 申请表.doc form beside it (not a report)      |
| zhaoyuan  | TRS, GBK, countPage | `var countPage=2` pager; seed 004 as HTML; a broken (404) attachment link      |
| hongze    | TRS                 | a 2024 government report (seed 002 retold, render.py) as a PDF linked straight from the list |

Everything served is a seed report (data/00N_*.txt) or a document the project renders from one (render.py,
data/SOURCES.md): no file comes from anywhere else.
"""
from __future__ import annotations

import html
import io
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"
SLOW_PATHS = {"/fanshi/fsxxgk/gknb/index_2.shtml"}
FLAKY_PATHS = {"/yanbian/xxgk/nb/list2.html": 2}   # path -> how many 500s before it recovers
LAST_MODIFIED = "Mon, 06 Feb 2023 08:00:00 GMT"
# path -> Location: a redirect off the portal (to the cloud metadata address): the guard must drop it
REDIRECTS = {"/yongjing/zwgk/zfxxgknb/202301/t20230115_1007.html": "http://169.254.169.254/latest/meta-data/"}


@dataclass
class Page:
    body: bytes
    content_type: str


def _seed(n: int) -> str:
    return next(DATA.glob(f"{n:03d}_*.txt")).read_text(encoding="utf-8")


def _paragraphs(text: str) -> str:
    out = []
    for line in text.splitlines():
        if line.strip():
            out.append(f"<p>{html.escape(line.rstrip())}</p>")
    return "\n".join(out)


def _docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    for line in text.splitlines():
        if line.strip():
            d.add_paragraph(line.strip())
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _page(title: str, body: str, *, charset: str = "utf-8", meta: dict | None = None, head: str = "") -> str:
    metas = "".join(f'<meta name="{k}" content="{html.escape(v)}">\n' for k, v in (meta or {}).items())
    return (f'<!DOCTYPE html>\n<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
            f"{metas}<title>{html.escape(title)}</title>{head}</head>\n<body>\n{body}\n</body></html>\n")


def _trs_list(items: list[tuple[str, str, str]]) -> str:
    rows = "".join(f'<li><a href="{href}" target="_blank" title="{html.escape(t)}">{html.escape(t)}</a>'
                   f"<span>{d}</span></li>\n" for href, t, d in items)
    return f'<div class="list"><ul class="u-list">\n{rows}</ul></div>'


def _trs_detail(title: str, pubdate: str, source: str, content: str, extra: str = "") -> str:
    return _page(title, f"""<div class="top"><p><strong>索引号</strong>：000014348/2023-00001</p>
<p><strong>发布机构</strong>：{source}</p><p><strong>名称</strong>：{html.escape(title)}</p>
<!--<p><strong>成文日期</strong>：2022年12月30日</p>-->
<p><strong>发布日期</strong>：{pubdate[:10]}</p></div>
<h1>{html.escape(title)}</h1>
<div class="TRS_Editor">{content}</div>{extra}""",
                 charset="gbk", meta={"ArticleTitle": title, "PubDate": pubdate, "ContentSource": source,
                                      "ColumnName": "政府信息公开年报"})


def build_site() -> dict[str, Page]:
    """path -> Page for every static page of the sample portal."""
    site: dict[str, Page] = {}

    def add(path, text, charset="utf-8", ctype="text/html"):
        site[path] = Page(text.encode(charset), f"{ctype}; charset={charset}")

    # -- index of the whole sample -------------------------------------------------------------------------------
    add("/", _page("ogiaudit 示例门户", "<ul>" + "".join(
        f'<li><a href="/{c}/">{n}</a></li>' for c, n in
        (("yongjing", "永靖县人民政府"), ("shapotou", "中卫市沙坡头区人民政府"), ("fanshi", "繁峙县人民政府"),
         ("yanbian", "盐边县人民政府"), ("zhaoyuan", "招远市人民政府"), ("hongze", "淮安市洪泽区人民政府"))) + "</ul>"))
    add("/robots.txt", "User-agent: *\nDisallow: /yongjing/private/\n", ctype="text/plain")

    # -- 永靖县: TRS WCM, GBK, createPageHTML -------------------------------------------------------------------
    home = _page("永靖县人民政府", """<div class="nav"><a href="/yongjing/">首页</a> <a href="/yongjing/zwgk/index.html">政府信息公开</a>
<a href="/yongjing/xwzx/">新闻中心</a></div>""", charset="gbk", meta={"SiteName": "永靖县人民政府", "ColumnName": "首页"})
    add("/yongjing/", home, "gbk")
    add("/yongjing/index.html", home, "gbk")
    add("/yongjing/zwgk/index.html", _page("政府信息公开_永靖县人民政府", """<ul>
<li><a href="../zwgk/zfxxgkzn/">政府信息公开指南</a></li><li><a href="../zwgk/zfxxgkzd/">政府信息公开制度</a></li>
<li><a href="/yongjing/zwgk/zfxxgknb/index.html">政府信息公开年报</a></li></ul>""", charset="gbk",
        meta={"ColumnName": "政府信息公开"}), "gbk")
    page1 = [
        ("./202302/t20230222_1001.html", "永靖县盐锅峡镇2022年政府信息公开工作年度报告", "2023-02-22"),
        ("./202401/t20240105_1002.html", "关于做好2023年政府信息公开工作年度报告编制发布工作的通知", "2024-01-05"),
        ("/yongjing/private/t20230110_1003.html", "永靖县太极镇2022年政府信息公开工作年度报告", "2023-01-10"),
        ("http://10.0.0.1/zfxxgknb/t20230110_1004.html", "永靖县西河镇2022年政府信息公开工作年度报告", "2023-01-10"),
        ("ftp://127.0.0.1/nb/2022.pdf", "永靖县三塬镇2022年政府信息公开工作年度报告", "2023-01-10"),
        ("file:///etc/passwd", "永靖县岘塬镇2022年政府信息公开工作年度报告", "2023-01-10"),
    ]
    add("/yongjing/zwgk/zfxxgknb/index.html", _page("政府信息公开年报_永靖县人民政府", _trs_list(page1) + """
<div class="page"><script type="text/javascript">createPageHTML(2, 0, "index", "html");</script></div>""",
                                                       charset="gbk", meta={"ColumnName": "政府信息公开年报"}), "gbk")
    page2 = [("./202303/t20230301_1005.html", "永靖县2023年县级预算公开情况说明", "2023-03-01"),
             ("./202301/t20230115_1007.html", "永靖县陈井镇2022年政府信息公开工作年度报告", "2023-01-15"),
             ("./202301/t20230105_1006.html", "永靖县政务公开工作要点（2023年）", "2023-01-05")]
    add("/yongjing/zwgk/zfxxgknb/index_1.html", _page("政府信息公开年报_永靖县人民政府", _trs_list(page2) + """
<div class="page"><script type="text/javascript">createPageHTML(2, 1, "index", "html");</script></div>""",
                                                         charset="gbk", meta={"ColumnName": "政府信息公开年报"}), "gbk")
    add("/yongjing/zwgk/zfxxgknb/202302/t20230222_1001.html",
        _trs_detail("永靖县盐锅峡镇2022年政府信息公开工作年度报告", "2023-02-22 09:30", "盐锅峡镇人民政府",
                    _paragraphs(_seed(0))), "gbk")
    add("/yongjing/zwgk/zfxxgknb/202401/t20240105_1002.html",
        _trs_detail("关于做好2023年政府信息公开工作年度报告编制发布工作的通知", "2024-01-05 10:00", "永靖县人民政府办公室",
                    "<p>各乡镇人民政府，县政府各部门：请于2024年1月31日前完成2023年政府信息公开工作年度报告的编制和发布工作。</p>"),
        "gbk")
    for p, t in (("202303/t20230301_1005.html", "永靖县2023年县级预算公开情况说明"),
                 ("202301/t20230105_1006.html", "永靖县政务公开工作要点（2023年）")):
        add(f"/yongjing/zwgk/zfxxgknb/{p}", _trs_detail(t, "2023-03-01 08:00", "永靖县财政局", "<p>（略）</p>"), "gbk")
    add("/yongjing/private/t20230110_1003.html", _page("内部页面", "<p>robots.txt 禁止抓取</p>"))

    # -- 沙坡头区: Hanweb JCMS, datastore + dataproxy.jsp -------------------------------------------------------
    add("/shapotou/", _page("中卫市沙坡头区人民政府", """<div class="nav"><a href="/shapotou/col/col3401/index.html">信息公开年报</a>
<a href="/shapotou/col/col3300/index.html">政务动态</a></div>""", meta={"SiteName": "中卫市沙坡头区人民政府"}))
    records = _hanweb_records()
    inline = "".join(records[:4])
    add("/shapotou/col/col3401/index.html", _page("沙坡头区 信息公开年报", f"""<div id="423656"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/shapotou/&columnid=3401&unitid=423656&permissiontype=0"></a>]]></nextgroup>
<recordset>
{inline}
</recordset>
</datastore></script></div><script language="javascript" src="/module/web/jpage/jquery.jpage.js"></script><script>var param_423656 = {{col:1,appid:'1',webid:3,path:'/shapotou/',columnid:3401,sourceContentType:1,unitid:'423656',webname:'沙坡头区人民政府',permissiontype:0}}; function jpage_423656(){{$('#423656').jpage({{themeName:'default',showMode:'full',totalRecord:1000,openCookies:false,dataBefore:'<ul>',dataAfter:'</ul>',groupSize:3,proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:10,barPosition:'bottom',ajaxParam:param_423656}});}};$(function(){{$('#423656').jpage({{themeName:'default',showMode:'full',totalRecord:{len(records)},openCookies:false,dataBefore:'<ul>',dataStore:$('#423656').children('script').html(),dataAfter:'</ul>',groupSize:2,proxyUrl:'/shapotou/module/web/jpage/dataproxy.jsp',perPage:2,barPosition:'bottom',ajaxParam:param_423656}});}});</script>""",
                                                  meta={"ColumnName": "信息公开年报", "SiteName": "中卫市沙坡头区人民政府"}))
    add("/shapotou/art/2023/1/18/art_3401_90001.html", _page(
        "沙坡头区柔远镇人民政府2022年政府信息公开工作年度报告", f"""<h1>沙坡头区柔远镇人民政府2022年政府信息公开工作年度报告</h1>
<div class="info">发布日期：2023-01-18 信息来源：柔远镇人民政府</div>
<div id="zoom">{_paragraphs(_seed(1))}</div>""", meta={"PubDate": "2023-01-18 10:20", "ContentSource": "柔远镇人民政府"}))
    xuanhe = _seed(1).replace("柔远镇", "宣和镇")
    add("/shapotou/art/2023/1/29/art_3401_90002.html", _page(
        "沙坡头区宣和镇2022年政府信息公开工作年度报告", f"""<h1>沙坡头区宣和镇2022年政府信息公开工作年度报告</h1>
<div class="info">发布日期：2023-01-29 信息来源：宣和镇人民政府</div><div id="zoom">{_paragraphs(xuanhe)}</div>""",
        meta={"PubDate": "2023-01-29 16:00", "ContentSource": "宣和镇人民政府"}))
    for i, t in enumerate(("沙坡头区2023年第一季度政务公开工作情况", "关于开展2022年度政府信息公开工作年度报告评议的通知",
                           "沙坡头区政府信息公开指南", "沙坡头区2023年重点民生实事", "沙坡头区政务公开工作要点")):
        add(f"/shapotou/art/2023/3/{i + 1}/art_3401_{91000 + i}.html", _page(t, f"<h1>{t}</h1><p>（略）</p>"))

    # -- 繁峙县: county "ucap" CMS ------------------------------------------------------------------------------
    add("/fanshi/xxgk/xxgk.shtml", _page("繁峙县人民政府 政府信息公开", """<div class="xxgk-nav">
<a href="/fanshi/fsxxgk/zn/index.shtml">信息公开指南</a> <a href="/fanshi/fsxxgk/gknb/index.shtml">政府信息公开年报</a></div>"""))
    ucap1 = [("202301/8f14e45fceea167a5a36dedd4bea2543.shtml", "繁峙县繁城镇政务公开专栏建设情况", "2023-01-10"),
             ("202212/c9f0f895fb98ab9159f51fd0297e236d.shtml", "繁峙县2022年政务公开第四季度工作总结", "2022-12-28")]
    ucap2 = [("202301/45c48cce2e2d7fbdea1afc51c7c6ad26.shtml", "繁峙县平型关镇人民政府2022年政府信息公开工作年度报告",
              "2023-01-18")]
    for path, items, nxt in (("index.shtml", ucap1, '<a href="index_2.shtml">下一页</a>'), ("index_2.shtml", ucap2, "")):
        rows = "".join(f'<li><a href="/fanshi/fsxxgk/gknb/{h}" title="{t}">{t}</a><span class="date">{d}</span></li>'
                       for h, t, d in items)
        add(f"/fanshi/fsxxgk/gknb/{path}", _page("政府信息公开年报", f'<ul class="list">{rows}</ul><div class="page">'
                                                                  f'<a href="index.shtml">首页</a> {nxt}</div>'))
    add("/fanshi/fsxxgk/gknb/202301/45c48cce2e2d7fbdea1afc51c7c6ad26.shtml", _page(
        "繁峙县平型关镇人民政府2022年政府信息公开工作年度报告", """<table class="table_content">
<tr><td>名称</td><td colspan="3">繁峙县平型关镇人民政府2022年政府信息公开工作年度报告</td></tr>
<tr><td>索引号</td><td>11140924MB1234567X/2023-00003</td><td>分类</td><td>信息公开年报</td></tr>
<tr><td>成文日期</td><td>2023-01-17</td><td>公开日期</td><td><publishtime>2023-01-18</publishtime></td></tr>
<tr><td>文件下载</td><td colspan="3"><a href="/fanshi/fsxxgk/gknb/202301/P020230118345.docx">平型关镇2022年政府信息公开工作年度报告.docx</a></td></tr>
</table>
<h1 class="article-title"><ucaptitle>繁峙县平型关镇人民政府2022年政府信息公开工作年度报告</ucaptitle></h1>
<div class="article-content" id="zoomcon"><ucapcontent><p>详见附件。</p></ucapcontent></div>"""))
    site["/fanshi/fsxxgk/gknb/202301/P020230118345.docx"] = Page(
        _docx(_seed(2)), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    for h, t, d in ucap1:
        add(f"/fanshi/fsxxgk/gknb/{h}", _page(t, f"<ucaptitle>{t}</ucaptitle><publishtime>{d}</publishtime>"))

    # -- 盐边县: generic plain links, 下一页, 500 twice, pdf.js viewer ------------------------------------------
    add("/yanbian/", _page("盐边县人民政府", '<a href="/yanbian/xxgk/">政务公开</a> <a href="/yanbian/news/">新闻</a>'))
    add("/yanbian/xxgk/", _page("盐边县 政务公开", '<a href="/yanbian/xxgk/nb/list.html">政府信息公开年度报告</a>'
                                                 ' <a href="/yanbian/xxgk/zn.html">政府信息公开指南</a>'))
    add("/yanbian/xxgk/nb/list.html", _page("政府信息公开年度报告", """<ul>
<li><a href="/yanbian/xxgk/nb/a101.html">盐边县2023年政务公开第四季度工作情况</a> 2024-01-05</li></ul>
<div class="pages"><a href="list2.html">下一页</a></div>"""))
    add("/yanbian/xxgk/nb/list2.html", _page("政府信息公开年度报告", """<ul>
<li><a href="/yanbian/xxgk/nb/a102.html">盐边县红格镇2023年政府信息公开工作...</a> 2024-01-16</li>
<li><a href="/yanbian/xxgk/nb/a103.html">盐边县人民政府办公室关于做好2023年政府信息公开工作年度报告编制发布工作的通知</a> 2024-01-02</li>
</ul><div class="pages"><a href="list.html">上一页</a></div>"""))
    add("/yanbian/xxgk/nb/a101.html", _page("盐边县2023年政务公开第四季度工作情况", "<p>（略）</p>"))
    add("/yanbian/xxgk/nb/a103.html", _page("通知", "<p>盐边府办函〔2024〕1号</p>"))
    add("/yanbian/xxgk/nb/a102.html", _page("盐边县红格镇2023年政府信息公开工作年度报告", """<div class="title">盐边县红格镇2023年政府信息公开工作年度报告</div>
<div class="info"><span>发布时间：2024-01-16 10:00</span> <span>来源：红格镇人民政府</span></div>
<div class="content"><p><a href="/yanbian/pdfjs/web/viewer.html?file=/yanbian/xxgk/nb/files/hongge2023.pdf">点击查看：红格镇2023年政府信息公开工作年度报告</a></p>
<iframe src="/yanbian/pdfjs/web/viewer.html?file=%2Fyanbian%2Fxxgk%2Fnb%2Ffiles%2Fhongge2023.pdf" width="100%" height="800"></iframe></div>
<div class="sidebar"><a href="/yanbian/files/ysqgk_sqb.doc">政府信息公开申请表.doc</a></div>"""))
    add("/yanbian/pdfjs/web/viewer.html", _page("PDF.js viewer", "<div id='viewer'></div>"))
    site["/yanbian/xxgk/nb/files/hongge2023.pdf"] = Page((DATA / "seed003_hongge2023.pdf").read_bytes(),
                                                         "application/pdf")

    # -- 招远市: TRS, GBK, countPage pager, a broken attachment --------------------------------------------------
    add("/zhaoyuan/zwgk/nb/index.html", _page("政府信息公开年报_招远市人民政府", _trs_list([
        ("./202301/t20230120_2001.html", "招远市金岭镇人民政府2022年度政府信息公开工作年度报告", "2023-01-20"),
        ("./202301/t20230112_2002.html", "招远市政务公开工作动态", "2023-01-12")]) + _count_page(2, 0),
        charset="gbk", meta={"ColumnName": "政府信息公开年报"}), "gbk")
    add("/zhaoyuan/zwgk/nb/index_1.html", _page("政府信息公开年报_招远市人民政府", _trs_list([
        ("./202301/t20230130_2003.html", "招远市辛庄镇人民政府2022年度政府信息公开工作年度报告", "2023-01-30")])
        + _count_page(2, 1), charset="gbk", meta={"ColumnName": "政府信息公开年报"}), "gbk")
    add("/zhaoyuan/zwgk/nb/202301/t20230120_2001.html",
        _trs_detail("招远市金岭镇人民政府2022年度政府信息公开工作年度报告", "2023-01-20 15:12", "金岭镇人民政府",
                    _paragraphs(_seed(4))), "gbk")
    add("/zhaoyuan/zwgk/nb/202301/t20230130_2003.html",
        _trs_detail("招远市辛庄镇人民政府2022年度政府信息公开工作年度报告", "2023-01-30 11:00", "辛庄镇人民政府",
                    '<p>附件：<a href="./P020230130551.pdf">辛庄镇2022年政府信息公开工作年度报告.pdf</a></p>'), "gbk")
    add("/zhaoyuan/zwgk/nb/202301/t20230112_2002.html",
        _trs_detail("招远市政务公开工作动态", "2023-01-12 09:00", "招远市人民政府办公室", "<p>（略）</p>"), "gbk")

    # -- 洪泽区: a 2024 PDF (rendered from seed 002 by render.py) linked straight from a TRS list ----------------
    add("/hongze/zwgk/ndbg/index.html", _page("政府信息公开年度报告_淮安市洪泽区人民政府", _trs_list([
        ("/hongze/zwgk/ndbg/202503/P020250320_hongze2024.pdf", "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
         "2025-03-20")]) + '<script>createPageHTML(1, 0, "index", "html");</script>',
        meta={"ColumnName": "政府信息公开年度报告"}))
    site["/hongze/zwgk/ndbg/202503/P020250320_hongze2024.pdf"] = Page(
        (DATA / "seed004_hongze2024.pdf").read_bytes(), "application/pdf")
    return site


def _count_page(count: int, current: int) -> str:
    return f"""<div class="page"><script language="javascript">
var countnum= {count * 2};
var currentPage={current};
var countPage={count}
document.write("<a href=\\"index.html\\" target=\\"_self\\" >首页</a>");
if(countPage>1&&currentPage!=(countPage-1))
    document.write("<a href=\\"index"+"_"+(currentPage+1)+"."+"html\\" target=\\"_self\\">下一页</a>");
</script></div>"""


def _hanweb_records() -> list[str]:
    items = [
        ("沙坡头区2023年第一季度政务公开工作情况", "/shapotou/art/2023/3/1/art_3401_91000.html", "2023-03-01"),
        ("关于开展2022年度政府信息公开工作年度报告评议的通知", "/shapotou/art/2023/3/2/art_3401_91001.html", "2023-03-02"),
        ("沙坡头区政府信息公开指南", "/shapotou/art/2023/3/3/art_3401_91002.html", "2023-03-03"),
        ("沙坡头区2023年重点民生实事", "/shapotou/art/2023/3/4/art_3401_91003.html", "2023-03-04"),
        ("沙坡头区宣和镇2022年政府信息公开工作年度报告", "/shapotou/art/2023/1/29/art_3401_90002.html", "2023-01-29"),
        ("沙坡头区柔远镇人民政府2022年政府信息公开工作年度报告", "/shapotou/art/2023/1/18/art_3401_90001.html", "2023-01-18"),
        ("沙坡头区政务公开工作要点", "/shapotou/art/2023/3/5/art_3401_91004.html", "2023-01-05"),
    ]
    return [f"""<record><![CDATA[
    <li class="clearfix"><a title='{t}' target="_blank" href="{h}">{t}</a><span class="bt-list-time">{d}</span></li>]]></record>"""
            for t, h, d in items]


def dataproxy(query: dict[str, str]) -> bytes:
    """The Hanweb dataproxy.jsp answer: records startrecord..endrecord as a <datastore>."""
    records = _hanweb_records()
    start = max(1, int(query.get("startrecord", "1") or 1))
    end = min(len(records), int(query.get("endrecord", str(len(records))) or len(records)))
    body = "".join(records[start - 1:end])
    return (f"<datastore>\n<totalrecord>{len(records)}</totalrecord>\n<recordset>\n{body}\n</recordset>\n"
            f"</datastore>").encode()
