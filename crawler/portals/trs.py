"""TRS WCM: detail links ./YYYYMM/tYYYYMMDD_ID.html, list pages index.html, index_1.html … written by a JavaScript
pager: `createPageHTML(count, current, "index", "html")` or `var countPage=56; var currentPage=0`."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.portals.base import Family, ListItem
from crawler.portals.toolkit import links

DETAIL_RE = re.compile(r"/t\d{8}_\d+\.s?html?$")
_CREATE_RE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,"
                        r"\s*['\"](\w+)['\"]")
# the newer template: createPageHTML('page_div', countPage, currentPage, 'index', 'html', recordCount)
_CREATE_DIV_RE = re.compile(r"createPageHTML\(\s*['\"][\w-]+['\"]\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"](\w+)['\"]\s*,"
                            r"\s*['\"](\w+)['\"]")
_COUNT_RE = re.compile(r"var\s+countPage\s*=\s*['\"]?(\d+)")
MAX_PAGES = 500


class Trs(Family):
    name = "trs"

    def matches(self, response) -> bool:
        text = response.text
        return bool(_CREATE_RE.search(text) or _CREATE_DIV_RE.search(text) or _COUNT_RE.search(text)) or \
            any(DETAIL_RE.search(i.url.split("?")[0]) for i in links(response))

    def list_items(self, response) -> list[ListItem]:
        return [i for i in links(response) if DETAIL_RE.search(i.url.split("?")[0])]

    def next_pages(self, response) -> list[str]:
        text = response.text
        m = _CREATE_RE.search(text) or _CREATE_DIV_RE.search(text)
        if m:
            count, name, ext = int(m.group(1)), m.group(3), m.group(4)
        else:
            m = _COUNT_RE.search(text)
            if not m:
                return []
            count, name, ext = int(m.group(1)), "index", "html"
        count = min(count, MAX_PAGES)
        base = response.url
        if not re.search(r"/[^/]*\.\w+$", base.split("?")[0]) and not base.endswith("/"):
            base += "/"
        pages = [urljoin(base, f"{name}.{ext}")] + [urljoin(base, f"{name}_{i}.{ext}") for i in range(1, count)]
        first = urljoin(base, f"{name}.{ext}")
        here = response.url.split("?")[0]
        return [p for p in pages if p != here and not (p == first and here.endswith("/"))]
