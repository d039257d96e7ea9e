"""A simulated nation on loopback: N county portals (default 3,000), each its own host on a 127.0.0.0/8 address
(127.1.0.1, 127.1.0.2 … 127.1.0.250, 127.1.1.1 …), all on one port, served by one asyncio process with one listening
socket per address (RLIMIT_NOFILE raised as needed).  Never 0.0.0.0.

    python -m crawler.sample_portal.nation --portals 3000 --config /tmp/nation/portals.toml

writes the nation's portal config (start URL per host, expected bodies incl. the missing ones), an ogiaudit settings
file beside it (<config>.settings.toml: [crawl] for loopback) and the planted facts (<config>.expected.json), then
serves until interrupted; `ogiaudit run --portals /tmp/nation/portals.toml --config …settings.toml --as-of 2024-04-30`
audits it.

Every portal is generated deterministically from (seed, index): its county (government, departments, townships), its
CMS family (TRS, Hanweb with dataproxy.jsp, ucap, generic: the page shapes of site.py, so crawler/portals/ recognise
them) and a 年报 column of 5–20 reports for the year 2023 (published in 2024), in HTML (most), PDF and DOCX:
- the text of a report is a seed report (data/001–004) with the body's and the county's names substituted and its
  years moved to 2023;
- a DOCX is the seed's DOCX (real Word tables, render.text_to_docx) made once at start, with the names substituted
  in word/document.xml per document;
- a PDF is one of a few PDFs rendered once from the seeds (LibreOffice, cached; without LibreOffice the checked-in
  seed003_hongge2023.pdf only); its text names the seed's body, not the portal's (the crawler takes the body from the
  portal's title, as it does for real portals).  Each PDF URL gets its own bytes (a comment line appended after
  %%EOF), so that every PDF is archived and audited as its own document (identical bytes are archived once);
- planted: late reports (portal date after the deadline: PUB-LATE), expected bodies without a report (PUB-MISSING, on
  portals whose crawl is clean), and broken files on other portals: a truncated PDF, a corrupt DOCX (both archived,
  then unreadable for the auditor), a report page that always answers 500 (a crawl problem).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import html
import io
import json
import os
import random
import re
import shutil
import threading
import time
import zipfile
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from crawler.sample_portal.site import DATA, _count_page, _page, _trs_detail, _trs_list

YEAR = 2023                      # the reports' year; published in 2024
AS_OF = "2024-04-30"             # a day in the season after every deadline: PUB-MISSING can be decided
FAMILIES = ("trs", "hanweb", "ucap", "generic")
FAMILY_WEIGHTS = (40, 25, 15, 20)
FORMAT_WEIGHTS = {"html": 65, "pdf": 25, "docx": 10}   # the share of reports per format (per cent)
LAST_MODIFIED = "Mon, 06 May 2024 08:00:00 GMT"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_POOL = "安平和兴隆丰泰宁康乐永福长青山河东西南北金银石桥林松柏云龙凤新华太阳明清白水田溪峰岭湖源泉阜盛昌德仁义礼信文武庆祥瑞"
_PROVINCES = ("河北省", "山西省", "辽宁省", "吉林省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省",
              "湖北省", "湖南省", "广东省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省")
_DEPARTMENTS = ("教育局", "财政局", "民政局", "自然资源局", "卫生健康局", "交通运输局", "农业农村局", "市场监督管理局",
                "人力资源和社会保障局", "住房和城乡建设局", "水利局", "应急管理局", "司法局", "审计局", "统计局",
                "医疗保障局", "生态环境局", "商务局", "文化和旅游局", "林业局")

# the seeds used for report text: number -> (names in the text, longest first, as (full, short) roles), year shift
# roles: "full" the body's full name; "short" its short name; "county" the county; "city" the prefecture
_SEEDS = {
    1: ((("沙坡头区柔远镇人民政府", "full"), ("柔远镇人民政府", "full"), ("柔远镇", "short"), ("沙坡头区", "county"),
         ("中卫市", "city")), 1),
    2: ((("繁峙县平型关镇人民政府", "full"), ("平型关镇人民政府", "full"), ("平型关镇", "short"), ("繁峙县", "county"),
         ("忻州市", "city")), 1),
    3: ((("攀枝花市盐边县红格镇", "full"), ("红格镇人民政府", "full"), ("红格镇", "short"), ("盐边县", "county"),
         ("攀枝花市", "city")), 0),
    4: ((("招远市金岭镇人民政府", "full"), ("金岭镇人民政府", "full"), ("金岭镇", "short"), ("招远市", "county"),
         ("烟台市", "city")), 1),
}
_YEARS_RE = re.compile(r"(?<!\d)20(1[89]|2[0-4])(?!\d)")


# -- the plan: what each portal holds ------------------------------------------------------------------------------
@dataclass
class Report:
    body: str                 # the body's full name
    kind: str                 # government | department | township
    short: str                # its short name (as in the report text)
    fmt: str                  # html | pdf | docx
    published: str            # ISO date shown by the portal
    seed: int                 # the seed report its text comes from
    late: bool = False
    broken: str | None = None  # None | truncated-pdf | corrupt-docx | http-500
    detail: str = ""          # the detail page's path
    file: str = ""            # the attachment's path (pdf, docx)


@dataclass
class NationPortal:
    index: int
    id: str
    host: str
    family: str
    name: str                 # the county government
    region: list[str]
    county: str
    city: str
    expected: list[tuple[str, str]]            # (name, kind) configured: the government and the townships
    missing: list[str] = field(default_factory=list)   # expected bodies that publish nothing
    reports: list[Report] = field(default_factory=list)


def host_of(i: int) -> str:
    """Portal i's address: 127.1.0.1 … 127.1.0.250, 127.1.1.1 …; 62,500 per second octet."""
    a, rest = 1 + i // 62500, i % 62500
    return f"127.{a}.{rest // 250}.{rest % 250 + 1}"


def _names(seed: int) -> list[str]:
    combos = [a + b for a in _POOL for b in _POOL if a != b]
    random.Random(f"names:{seed}").shuffle(combos)
    return combos


def plan_portal(i: int, seed: int = 1, names: list[str] | None = None) -> NationPortal:
    """Portal i of the nation `seed`: the same answer every time."""
    names = names or _names(seed)
    rnd = random.Random(f"{seed}:{i}")
    stem = names[i % len(names)] + ("" if i < len(names) else _POOL[i // len(names) % len(_POOL)])
    county = stem + rnd.choice(("县", "县", "县", "区", "市"))
    city = rnd.choice(names) + "市"
    province = _PROVINCES[i % len(_PROVINCES)]
    family = rnd.choices(FAMILIES, FAMILY_WEIGHTS)[0]
    gov = f"{county}人民政府"
    total = rnd.randint(5, 20)
    n_town = max(1, round(total * rnd.uniform(0.3, 0.6)))
    n_dept = max(0, total - 1 - n_town)
    towns = []
    for stem2 in rnd.sample(names, n_town + 3):
        if stem2 != stem and len(towns) < n_town:
            suffix = rnd.choices(("镇", "乡", "街道"), (70, 20, 10))[0]
            full = f"{stem2}街道办事处" if suffix == "街道" else f"{stem2}{suffix}人民政府"
            towns.append((full, f"{stem2}{suffix}"))
    depts = [(f"{county}{d}", d) for d in rnd.sample(_DEPARTMENTS, n_dept)]
    p = NationPortal(index=i, id=f"n{i:05d}", host=host_of(i), family=family, name=gov,
                     region=[province, city, county], county=county, city=city,
                     expected=[(gov, "government")] + [(full, "township") for full, _ in towns])
    # planted: ~15% of the portals have an expected body that publishes nothing; ~8% a broken file (never both,
    # so that the missing decision stays decidable on the first kind)
    roll = rnd.random()
    bodies = [(gov, "government", county)] + [(f, "township", s) for f, s in towns] + \
             [(f, "department", s) for f, s in depts]
    if roll < 0.15 and towns:
        gone = rnd.sample(towns, 1 if len(towns) < 4 or rnd.random() < 0.8 else 2)
        p.missing = [f for f, _ in gone]
    broken = None
    if 0.15 <= roll < 0.23:
        broken = rnd.choice(("truncated-pdf", "corrupt-docx", "http-500"))
    n = 0
    for full, kind, short in bodies:
        if full in p.missing:
            continue
        fmt = rnd.choices(list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values()))[0]
        late = rnd.random() < 0.1
        if kind == "government":
            day = date(2024, 4, rnd.randint(1, 25)) if late else date(2024, 2, 1) + timedelta(days=rnd.randint(0, 59))
        else:
            day = date(2024, 2, 1) + timedelta(days=rnd.randint(0, 45)) if late else \
                date(2024, 1, 2) + timedelta(days=rnd.randint(0, 29))
        n += 1
        p.reports.append(Report(body=full, kind=kind, short=short, fmt=fmt, published=day.isoformat(),
                                seed=rnd.choice(tuple(_SEEDS)), late=late))
    if broken:
        want = {"truncated-pdf": "pdf", "corrupt-docx": "docx", "http-500": "html"}[broken]
        victim = next((r for r in p.reports if r.kind != "government"), p.reports[0])
        victim.fmt, victim.broken = want, broken
    p.reports.sort(key=lambda r: r.published, reverse=True)
    _paths(p)
    return p


def _paths(p: NationPortal) -> None:
    for k, r in enumerate(p.reports):
        d = date.fromisoformat(r.published)
        ident = 10000 + p.index % 1000 * 100 + k
        if p.family == "trs":
            r.detail = f"/zwgk/zfxxgknb/{d:%Y%m}/t{d:%Y%m%d}_{ident}.html"
            r.file = f"/zwgk/zfxxgknb/{d:%Y%m}/P0{d:%Y%m%d}{ident}.{r.fmt}"
        elif p.family == "hanweb":
            r.detail = f"/art/{d.year}/{d.month}/{d.day}/art_3401_{ident}.html"
            r.file = f"/picture/0/{d:%y%m%d}{ident}.{r.fmt}"
        elif p.family == "ucap":
            h = hashlib.md5(f"{p.id}/{k}".encode()).hexdigest()
            r.detail = f"/fsxxgk/gknb/{d:%Y%m}/{h}.shtml"
            r.file = f"/fsxxgk/gknb/{d:%Y%m}/P0{d:%Y%m%d}{ident}.{r.fmt}"
        else:
            r.detail = f"/xxgk/nb/a{ident}.html"
            r.file = f"/xxgk/nb/files/{d:%Y%m%d}{ident}.{r.fmt}"
        if r.fmt == "html":
            r.file = ""


def title_of(p: NationPortal, r: Report) -> str:
    prefix = "" if r.kind != "township" else p.county
    return f"{prefix}{r.body}{YEAR}年政府信息公开工作年度报告"


# -- the documents: seed texts, DOCX and PDF made once, varied per document ------------------------------------------
class Assets:
    """Per seed: the report text moved to 2023 (HTML paragraphs, escaped), its DOCX (document.xml and the rest of the
    zip), and a few distinct PDFs."""

    def __init__(self, render_pdfs: bool = True, cache: Path | None = None):
        from crawler.sample_portal.render import seed_text, text_to_docx

        self.texts: dict[int, str] = {}
        self.html: dict[int, str] = {}
        self.docx: dict[int, tuple[list[tuple[zipfile.ZipInfo, bytes]], str]] = {}
        for s, (_names, shift) in _SEEDS.items():
            text = seed_text(f"{s:03d}")
            if shift:
                text = _YEARS_RE.sub(lambda m, shift=shift: str(int(m.group(0)) + shift), text)
            self.texts[s] = text
            self.html[s] = "\n".join(f"<p>{html.escape(line.rstrip())}</p>" for line in text.splitlines() if line.strip())
            with zipfile.ZipFile(io.BytesIO(text_to_docx(text))) as z:
                parts = [(info, z.read(info.filename)) for info in z.infolist()]
            xml = next(data for info, data in parts if info.filename == "word/document.xml").decode("utf-8")
            self.docx[s] = ([(i, d) for i, d in parts if i.filename != "word/document.xml"], xml)
        self.pdfs = self._pdfs(render_pdfs, cache)

    def _pdfs(self, render: bool, cache: Path | None) -> list[bytes]:
        out = [(DATA / "seed003_hongge2023.pdf").read_bytes()]
        if not render or not (shutil.which("soffice") or shutil.which("libreoffice")):
            return out
        from crawler.sample_portal.render import convert, text_to_docx

        cache = cache or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ogiaudit-nation"
        for s in (1, 2, 4):
            key = hashlib.sha256(self.texts[s].encode()).hexdigest()[:16]
            path = cache / f"seed{s:03d}-{key}.pdf"
            if not path.is_file():
                try:
                    pdf = convert(text_to_docx(self.texts[s]), "docx", "pdf")
                except Exception:   # noqa: BLE001 - LibreOffice trouble: fewer distinct PDFs, nothing else
                    continue
                cache.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_bytes(pdf)
                tmp.replace(path)
            out.append(path.read_bytes())
        return out

    @staticmethod
    def _swap(text: str, s: int, p: NationPortal, r: Report) -> str:
        values = {"full": r.body, "short": r.short, "county": p.county, "city": p.city}
        for old, role in _SEEDS[s][0]:
            text = text.replace(old, values[role])
        return text

    def report_html(self, p: NationPortal, r: Report) -> str:
        return self._swap(self.html[r.seed], r.seed, p, r)

    def report_docx(self, p: NationPortal, r: Report) -> bytes:
        rest, xml = self.docx[r.seed]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            z.writestr("word/document.xml", self._swap(xml, r.seed, p, r))
            for info, data in rest:
                z.writestr(info, data)
        data = buf.getvalue()
        if r.broken == "corrupt-docx":   # the central directory and half the parts gone: not a zip any more
            data = data[: len(data) // 2]
        return data

    def report_pdf(self, p: NationPortal, r: Report, k: int) -> bytes:
        pdf = self.pdfs[(p.index + k) % len(self.pdfs)]
        if r.broken == "truncated-pdf":
            return pdf[: len(pdf) * 2 // 5]
        return pdf + f"\n%ogiaudit-nation {p.id} {k}\n".encode()


# -- the pages of one portal, per family ------------------------------------------------------------------------------
@dataclass
class Page:
    body: bytes
    content_type: str
    status: int = 200


def _html(text: str, charset: str = "utf-8") -> Page:
    return Page(text.encode(charset, "xmlcharrefreplace"), f"text/html; charset={charset}")


NOTICE = f"关于做好{YEAR}年政府信息公开工作年度报告编制发布工作的通知"


def build_portal(p: NationPortal, assets: Assets) -> dict[str, Page]:
    """path -> Page for every page and file of portal `p`; "__records__": the Hanweb records (for dataproxy.jsp)."""
    site: dict[str, Page] = {"/robots.txt": Page(b"User-agent: *\nDisallow: /private/\n", "text/plain")}
    entries = []   # (href, title, date) in list order: the reports, a notice among them
    for k, r in enumerate(p.reports):
        title = title_of(p, r)
        listed = r.published
        link = r.detail
        if p.family == "trs" and r.fmt == "pdf" and k % 2:
            link = r.file   # half the TRS PDFs are linked straight from the list (洪泽区)
        entries.append((link, title, listed))
        if r.file:   # made when asked for (a thunk): a portal's files are most of its bytes
            site[r.file] = (lambda r=r, k=k: Page(assets.report_pdf(p, r, k), "application/pdf")) if r.fmt == "pdf" \
                else (lambda r=r: Page(assets.report_docx(p, r), DOCX_TYPE))
        if link == r.file:
            continue
        if r.broken == "http-500":
            site[r.detail] = Page("服务器内部错误".encode(), "text/html; charset=utf-8", 500)
            continue
        site[r.detail] = _detail(p, r, title, assets)
    entries.insert(min(2, len(entries)), (_notice_path(p), f"{p.county}{NOTICE}", "2024-01-03"))
    site[_notice_path(p)] = _html(_page(NOTICE, f"<h1>{NOTICE}</h1><p>各乡镇人民政府，县政府各部门：（略）</p>"))
    getattr(_Families, p.family)(p, site, entries)
    return site


def _notice_path(p: NationPortal) -> str:
    return {"trs": "/zwgk/zfxxgknb/202401/t20240103_9001.html", "hanweb": "/art/2024/1/3/art_3401_9001.html",
            "ucap": "/fsxxgk/gknb/202401/" + "9" * 32 + ".shtml", "generic": "/xxgk/nb/a9001.html"}[p.family]


def _detail(p: NationPortal, r: Report, title: str, assets: Assets) -> Page:
    pubdate = f"{r.published} 10:00"
    if r.file:
        name = f"{r.short}{YEAR}年政府信息公开工作年度报告.{r.fmt}"
        content = f'<p>详见附件。</p><p>附件：<a href="{r.file}">{html.escape(name)}</a></p>'
    else:
        content = assets.report_html(p, r)
    if p.family == "trs":
        return _html(_trs_detail(title, pubdate, r.body, content), "gbk")
    if p.family == "hanweb":
        return _html(_page(title, f"""<h1>{html.escape(title)}</h1>
<div class="info">发布日期：{r.published} 信息来源：{html.escape(r.body)}</div>
<div id="zoom">{content}</div>""", meta={"PubDate": pubdate, "ContentSource": r.body}))
    if p.family == "ucap":
        return _html(_page(title, f"""<table class="table_content">
<tr><td>名称</td><td colspan="3">{html.escape(title)}</td></tr>
<tr><td>成文日期</td><td>{r.published}</td><td>公开日期</td><td><publishtime>{r.published}</publishtime></td></tr>
</table>
<h1 class="article-title"><ucaptitle>{html.escape(title)}</ucaptitle></h1>
<div class="article-content" id="zoomcon"><ucapcontent>{content}</ucapcontent></div>"""))
    if r.fmt == "pdf":   # generic: the PDF through a pdf.js viewer, as 盐边县 does
        content = (f'<p><a href="/pdfjs/web/viewer.html?file={r.file}">点击查看：{html.escape(title)}</a></p>'
                   f'<iframe src="/pdfjs/web/viewer.html?file={r.file}" width="100%" height="800"></iframe>')
    return _html(_page(title, f"""<div class="title">{html.escape(title)}</div>
<div class="info"><span>发布时间：{pubdate}</span> <span>来源：{html.escape(r.body)}</span></div>
<div class="content">{content}</div>"""))


class _Families:
    @staticmethod
    def trs(p, site, entries):
        site["/"] = _html(_page(p.name, """<div class="nav"><a href="/">首页</a> <a href="/zwgk/index.html">政府信息公开</a>
<a href="/xwzx/">新闻中心</a></div>""", charset="gbk", meta={"SiteName": p.name, "ColumnName": "首页"}), "gbk")
        site["/zwgk/index.html"] = _html(_page(f"政府信息公开_{p.name}", """<ul>
<li><a href="/zwgk/zfxxgkzn/">政府信息公开指南</a></li><li><a href="/zwgk/zfxxgknb/index.html">政府信息公开年报</a></li></ul>""",
                                               charset="gbk", meta={"ColumnName": "政府信息公开"}), "gbk")
        pages = [entries[i:i + 10] for i in range(0, len(entries), 10)]
        for n, chunk in enumerate(pages):
            items = [(h if h.startswith("/zwgk/zfxxgknb/2") and h.endswith(".pdf") else "." + h[len("/zwgk/zfxxgknb"):],
                      t, d) for h, t, d in chunk]
            pager = (f'<div class="page"><script type="text/javascript">createPageHTML({len(pages)}, {n}, "index", '
                     f'"html");</script></div>') if n % 2 == 0 else _count_page(len(pages), n)
            site[f"/zwgk/zfxxgknb/index{'' if n == 0 else f'_{n}'}.html"] = _html(_page(
                f"政府信息公开年报_{p.name}", _trs_list(items) + pager, charset="gbk",
                meta={"ColumnName": "政府信息公开年报"}), "gbk")

    @staticmethod
    def hanweb(p, site, entries):
        records = [f"""<record><![CDATA[
    <li class="clearfix"><a title='{t}' target="_blank" href="{h}">{t}</a><span class="bt-list-time">{d}</span></li>]]></record>"""
                   for h, t, d in entries]
        site["__records__"] = records   # type: ignore[assignment]
        site["/"] = _html(_page(p.name, """<div class="nav"><a href="/col/col3401/index.html">信息公开年报</a>
<a href="/col/col3300/index.html">政务动态</a></div>""", meta={"SiteName": p.name}))
        site["/col/col3401/index.html"] = _html(_page(f"{p.county} 信息公开年报", f"""<div id="423656"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=3401&unitid=423656&permissiontype=0"></a>]]></nextgroup>
<recordset>
{"".join(records[:4])}
</recordset>
</datastore></script></div><script language="javascript" src="/module/web/jpage/jquery.jpage.js"></script><script>var param_423656 = {{col:1,appid:'1',webid:3,path:'/',columnid:3401,sourceContentType:1,unitid:'423656',webname:'{p.name}',permissiontype:0}};$(function(){{$('#423656').jpage({{themeName:'default',showMode:'full',totalRecord:{len(records)},openCookies:false,dataBefore:'<ul>',dataStore:$('#423656').children('script').html(),dataAfter:'</ul>',groupSize:2,proxyUrl:'/module/web/jpage/dataproxy.jsp',perPage:4,barPosition:'bottom',ajaxParam:param_423656}});}});</script>""",
                                                              meta={"ColumnName": "信息公开年报", "SiteName": p.name}))

    @staticmethod
    def ucap(p, site, entries):
        site["/xxgk/xxgk.shtml"] = _html(_page(f"{p.name} 政府信息公开", """<div class="xxgk-nav">
<a href="/fsxxgk/zn/index.shtml">信息公开指南</a> <a href="/fsxxgk/gknb/index.shtml">政府信息公开年报</a></div>"""))
        site["/"] = site["/xxgk/xxgk.shtml"]
        pages = [entries[i:i + 8] for i in range(0, len(entries), 8)]
        for n, chunk in enumerate(pages):
            rows = "".join(f'<li><a href="{h}" title="{t}">{t}</a><span class="date">{d}</span></li>' for h, t, d in chunk)
            nxt = f'<a href="index_{n + 2}.shtml">下一页</a>' if n + 1 < len(pages) else ""
            site[f"/fsxxgk/gknb/index{'' if n == 0 else f'_{n + 1}'}.shtml"] = _html(_page(
                "政府信息公开年报", f'<ul class="list">{rows}</ul><div class="page"><a href="index.shtml">首页</a> {nxt}'
                                  f' 共{len(pages)}页</div>'))

    @staticmethod
    def generic(p, site, entries):
        site["/"] = _html(_page(p.name, '<a href="/xxgk/">政务公开</a> <a href="/news/">新闻</a>'))
        site["/xxgk/"] = _html(_page(f"{p.county} 政务公开", '<a href="/xxgk/nb/list.html">政府信息公开年度报告</a>'
                                                             ' <a href="/xxgk/zn.html">政府信息公开指南</a>'))
        site["/pdfjs/web/viewer.html"] = _html(_page("PDF.js viewer", "<div id='viewer'></div>"))
        pages = [entries[i:i + 8] for i in range(0, len(entries), 8)]
        for n, chunk in enumerate(pages):
            rows = "".join(f'<li><a href="{h}">{t}</a> {d}</li>\n' for h, t, d in chunk)
            nav = (f'<a href="list{n}.html">上一页</a> ' if n > 1 else ('<a href="list.html">上一页</a> ' if n == 1 else "")) + \
                  (f'<a href="list{n + 2}.html">下一页</a>' if n + 1 < len(pages) else "")
            site[f"/xxgk/nb/list{'' if n == 0 else n + 1}.html"] = _html(_page(
                "政府信息公开年度报告", f'<ul>\n{rows}</ul><div class="pages">{nav}</div>'))


def start_url(p: NationPortal, port: int) -> str:
    path = {"trs": "/", "hanweb": "/", "ucap": "/xxgk/xxgk.shtml", "generic": "/"}[p.family]
    return f"http://{p.host}:{port}{path}"


def dataproxy(records: list[str], query: dict[str, str]) -> bytes:
    start = max(1, int(query.get("startrecord", "1") or 1))
    end = min(len(records), int(query.get("endrecord", str(len(records))) or len(records)))
    return (f"<datastore>\n<totalrecord>{len(records)}</totalrecord>\n<recordset>\n{''.join(records[start - 1:end])}"
            f"\n</recordset>\n</datastore>").encode()


# -- the nation: plan, config, server ----------------------------------------------------------------------------------
class Nation:
    def __init__(self, portals: int = 3000, seed: int = 1, render_pdfs: bool = True, cache_portals: int = 1000):
        names = _names(seed)
        self.seed = seed
        self.portals = [plan_portal(i, seed, names) for i in range(portals)]
        self.by_host = {p.host: p for p in self.portals}
        self.assets = Assets(render_pdfs)
        self._sites: OrderedDict[int, dict] = OrderedDict()
        self._cache_portals = cache_portals
        self.port: int | None = None
        self.hits: Counter = Counter()       # host -> requests
        self.status: Counter = Counter()     # status -> responses
        self.bytes = 0

    def site(self, p: NationPortal) -> dict:
        site = self._sites.get(p.index)
        if site is None:
            site = build_portal(p, self.assets)
            self._sites[p.index] = site
            while len(self._sites) > self._cache_portals:
                self._sites.popitem(last=False)
        else:
            self._sites.move_to_end(p.index)
        return site

    def respond(self, host: str, method: str, target: str, headers: dict, body: bytes) -> tuple[int, bytes, str, dict]:
        from urllib.parse import parse_qsl, unquote, urlsplit

        p = self.by_host.get(host)
        self.hits[host] += 1
        if p is None:
            return 404, b"no such portal", "text/plain", {}
        parts = urlsplit(target)
        path = unquote(parts.path)
        site = self.site(p)
        if path.endswith("/module/web/jpage/dataproxy.jsp") and "__records__" in site:
            query = dict(parse_qsl(parts.query))
            if body:
                query.update(parse_qsl(body.decode("utf-8", "replace")))
            return 200, dataproxy(site["__records__"], query), "text/xml; charset=utf-8", {}
        page = site.get(path)
        if page is None and path.endswith("/"):
            page = site.get(path + "index.html")
        if callable(page):
            page = page()
        if page is None:
            return 404, "<h1>404 页面不存在</h1>".encode(), "text/html; charset=utf-8", {}
        if page.status != 200:
            return page.status, page.body, page.content_type, {"Connection": "close"}
        etag = '"' + hashlib.blake2b(page.body[:4096] + str(len(page.body)).encode(), digest_size=8).hexdigest() + '"'
        extra = {"ETag": etag, "Last-Modified": LAST_MODIFIED, "Cache-Control": "max-age=0"}
        inm = headers.get("if-none-match")
        if inm and etag in [t.strip() for t in inm.split(",")]:
            return 304, b"", page.content_type, extra
        return 200, page.body, page.content_type, extra

    # -- config ----------------------------------------------------------------------------------------------------
    def portals_toml(self, port: int) -> str:
        out = [f"# A simulated nation of {len(self.portals)} portals on loopback (crawler/sample_portal/nation.py, "
               f"seed {self.seed}), one host each.", "# Loopback start URLs are crawled only because they are configured here.", ""]
        for p in self.portals:
            out += ["[[portal]]", f'id = "{p.id}"', f'name = "{p.name}"',
                    "region = [" + ", ".join(f'"{r}"' for r in p.region) + "]",
                    f'start_urls = ["{start_url(p, port)}"]', f'supervisor = "zwgk@{p.id}.example.gov.cn"',
                    'township_deadline = "01-31"', f'cms = "{p.family}"', ""]
            for name, kind in p.expected:
                note = "        # never publishes: PUB-MISSING" if name in p.missing else ""
                out += ["[[portal.body]]", f'name = "{name}"', f'kind = "{kind}"{note}', ""]
        return "\n".join(out)

    @staticmethod
    def settings_toml(config: Path) -> str:
        """ogiaudit settings for crawling the nation: [crawl] for loopback (no politeness needed towards our own
        server beyond the defaults that cannot be set here: AutoThrottle stays on, as in production)."""
        return ("# ogiaudit settings for the simulated nation on loopback (crawler/sample_portal/nation.py)\n"
                f'portals = ["{config}"]\n\n[crawl]\nconcurrent_per_host = 8\ndownload_timeout = 20\n'
                "max_memory_mb = 16384\nmax_hours = 12\n")

    def expected(self, port: int) -> dict:
        """The planted facts: what a complete audit must find."""
        fmts = Counter(r.fmt for p in self.portals for r in p.reports)
        return {
            "seed": self.seed, "year": YEAR, "as_of": AS_OF, "port": port, "portals": len(self.portals),
            "hosts": len({p.host for p in self.portals}),
            "families": dict(Counter(p.family for p in self.portals)),
            "reports": sum(len(p.reports) for p in self.portals), "formats": dict(fmts),
            "missing": [[p.id, b] for p in self.portals for b in p.missing],
            "late": [[p.id, r.body, r.kind] for p in self.portals for r in p.reports if r.late and not r.broken],
            "broken": [[p.id, r.body, r.broken, f"http://{p.host}:{port}{r.file if r.broken != 'http-500' else r.detail}"]
                       for p in self.portals for r in p.reports if r.broken],
            "pdfs_distinct_texts": len(self.assets.pdfs),
        }

    def write_config(self, path: Path, port: int) -> dict[str, Path]:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.portals_toml(port), encoding="utf-8")
        settings = path.with_suffix(".settings.toml")
        settings.write_text(self.settings_toml(path.resolve()), encoding="utf-8")
        expected = path.with_suffix(".expected.json")
        expected.write_text(json.dumps(self.expected(port), ensure_ascii=False, indent=1), encoding="utf-8")
        return {"portals": path, "settings": settings, "expected": expected}


class _Http(asyncio.Protocol):
    """A minimal HTTP/1.1 server connection: keep-alive, GET / HEAD / POST with Content-Length."""

    def __init__(self, nation: Nation, host: str):
        self.nation, self.host = nation, host
        self.buf = b""
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while self.transport is not None:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    self.transport.close()
                return
            lines = self.buf[:end].decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buf) < end + 4 + length:
                return
            body = self.buf[end + 4:end + 4 + length]
            self.buf = self.buf[end + 4 + length:]
            try:
                method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                self.transport.close()
                return
            self._reply(method, target, headers, body)

    def _reply(self, method, target, headers, body):
        try:
            status, payload, ctype, extra = self.nation.respond(self.host, method, target, headers, body)
        except Exception:   # noqa: BLE001 - a bug in a page: a 500, never a dead server
            status, payload, ctype, extra = 500, b"nation error", "text/plain", {"Connection": "close"}
        reason = {200: "OK", 304: "Not Modified", 404: "Not Found", 500: "Internal Server Error"}.get(status, "OK")
        head = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}", f"Content-Length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in extra.items()]
        self.nation.status[status] += 1
        self.nation.bytes += len(payload)
        out = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        self.transport.write(out + (payload if method != "HEAD" else b""))
        if extra.get("Connection") == "close" or headers.get("connection", "").lower() == "close":
            self.transport.close()
            self.transport = None


def raise_nofile(need: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)) if hard != resource.RLIM_INFINITY
                                                     else need, hard))


async def serve(nation: Nation, port: int = 0) -> list[asyncio.base_events.Server]:
    """One listening socket per portal address, all on one port (the first free one when `port` is 0)."""
    raise_nofile(len(nation.portals) + 4096)
    loop = asyncio.get_running_loop()
    for _attempt in range(20):
        servers = []
        try:
            first = await loop.create_server(lambda h=nation.portals[0].host: _Http(nation, h),
                                             nation.portals[0].host, port, reuse_address=True, backlog=256)
            servers.append(first)
            chosen = first.sockets[0].getsockname()[1]
            for p in nation.portals[1:]:
                servers.append(await loop.create_server(lambda h=p.host: _Http(nation, h), p.host, chosen,
                                                        reuse_address=True, backlog=256))
            nation.port = chosen
            return servers
        except OSError:
            for s in servers:
                s.close()
            if port:
                raise
    raise OSError("no port free on every portal address")


class Running:
    """A nation served from a background thread (tests): `.port`, `.nation`, `.stop()`."""

    def __init__(self, nation: Nation, port: int = 0):
        self.nation = nation
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.error: BaseException | None = None

        def run():
            asyncio.set_event_loop(self.loop)
            try:
                self.servers = self.loop.run_until_complete(serve(nation, port))
            except BaseException as exc:  # noqa: BLE001
                self.error = exc
                ready.set()
                return
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, name="nation", daemon=True)
        self.thread.start()
        ready.wait(120)
        if self.error:
            raise self.error
        self.port = nation.port

    def stop(self) -> None:
        def close():
            for s in self.servers:
                s.close()
            self.loop.stop()
        self.loop.call_soon_threadsafe(close)
        self.thread.join(10)


def start(portals: int = 20, seed: int = 1, port: int = 0, render_pdfs: bool = True) -> Running:
    return Running(Nation(portals, seed, render_pdfs), port)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="模拟全国：N 个县级门户，各占一个 127.x.y.z 地址（同一端口）")
    ap.add_argument("--portals", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port", type=int, default=0, help="端口（0：自动选择）")
    ap.add_argument("--config", type=Path, required=True, help="写出门户配置 TOML 的路径")
    ap.add_argument("--no-render", action="store_true", help="不用 LibreOffice 生成 PDF（只用自带的一份）")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    nation = Nation(args.portals, args.seed, render_pdfs=not args.no_render)
    loop = asyncio.new_event_loop()
    servers = loop.run_until_complete(serve(nation, args.port))
    files = nation.write_config(args.config, nation.port)
    exp = nation.expected(nation.port)
    print(json.dumps({"ready": True, "port": nation.port, "portals": len(nation.portals),
                      "first": f"http://{nation.portals[0].host}:{nation.port}/",
                      "last": f"http://{nation.portals[-1].host}:{nation.port}/",
                      "config": str(files["portals"]), "settings": str(files["settings"]),
                      "expected": str(files["expected"]), "reports": exp["reports"], "formats": exp["formats"],
                      "start_seconds": round(time.monotonic() - t0, 2)}, ensure_ascii=False), flush=True)
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        for s in servers:
            s.close()
        print(json.dumps({"stopped": True, "requests": sum(nation.hits.values()), "hosts_hit": len(nation.hits),
                          "status": {str(k): v for k, v in nation.status.items()}, "bytes": nation.bytes}),
              flush=True)


if __name__ == "__main__":
    main()
