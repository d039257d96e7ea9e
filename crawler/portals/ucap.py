"""The county "ucap" CMS (沭阳, 万载 …): detail pages /<col>/<sub>/YYYYMM/<32 hex>.shtml with <ucaptitle>,
<ucapcontent> in #zoomcon and <publishtime> in the metadata table; lists index.shtml, index_2.shtml … linked by
page numbers and a 下一页 link."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.portals.base import Family, ListItem
from crawler.portals.toolkit import links, next_links

DETAIL_RE = re.compile(r"/\d{6}/[0-9a-f]{32}\.s?html?$")
_PAGE_RE = re.compile(r"index_(\d+)\.shtml")
_TOTAL_RE = re.compile(r"共\s*(\d+)\s*页")


_PAGED_URL_RE = re.compile(r"index(_\d+)?\.shtml$|/$")


class Ucap(Family):
    name = "ucap"

    def matches(self, response) -> bool:
        text = response.text
        return ("<ucapcontent" in text or "<ucaptitle" in text
                or any(DETAIL_RE.search(i.url.split("?")[0]) for i in links(response))
                or bool(_TOTAL_RE.search(text) and _PAGED_URL_RE.search(response.url)))   # its "共N页" pager

    def list_items(self, response) -> list[ListItem]:
        return [i for i in links(response) if DETAIL_RE.search(i.url.split("?")[0])]

    def next_pages(self, response) -> list[str]:
        out = next_links(response)
        m = _TOTAL_RE.search(response.text)
        if m and _PAGED_URL_RE.search(response.url):
            total = min(int(m.group(1)), 500)
            out += [urljoin(response.url, f"index_{i}.shtml") for i in range(2, total + 1)]
        return out
