"""Hanweb JCMS: list entries hidden in <script type="text/xml"><datastore><recordset><record><![CDATA[<li>…]]>, the
rest paged through /module/web/jpage/dataproxy.jsp (startrecord/endrecord/perpage + the unit's ajaxParam)."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from crawler.portals.base import Family, ListItem
from crawler.portals.toolkit import links

_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_JPAGE_RE = re.compile(r"\.jpage\(\{(.*?)\}\)", re.S)
_PARAM_RE = re.compile(r"var\s+param_(\w+)\s*=\s*\{(.*?)\}", re.S)
_KV_RE = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([\w./-]+))")
MAX_RECORDS = 5000


class _Fragment:
    """Just enough of a response for toolkit.links over a CDATA fragment."""

    def __init__(self, url: str, html: str):
        self.url = url
        self.selector = Selector(text=html)

    def xpath(self, q):
        return self.selector.xpath(q)


def _kv(text: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _KV_RE.finditer(text)}


def _dataproxy_requests(response) -> list[tuple[str, dict[str, str]]]:
    """(url, form fields) of the dataproxy.jsp POSTs that fetch the records not in the page itself."""
    text = response.text
    params = {name: _kv(body) for name, body in _PARAM_RE.findall(text)}
    out = []
    for body in _JPAGE_RE.findall(text):
        if "dataStore" not in body:
            continue   # the search form's unit, not the list
        conf = _kv(body)
        total = min(int(conf.get("totalRecord", "0") or 0), MAX_RECORDS)
        per_page = int(conf.get("perPage", "10") or 10)
        group = int(conf.get("groupSize", "3") or 3)
        proxy = conf.get("proxyUrl", "/module/web/jpage/dataproxy.jsp")
        m = re.search(r"ajaxParam\s*:\s*param_(\w+)", body)
        fields = params.get(m.group(1), {}) if m else {}
        step = per_page * group
        start = len(_RECORD_RE.findall(text)) + 1
        while start <= total:
            end = min(start + step - 1, total)
            url = urljoin(response.url, f"{proxy}?startrecord={start}&endrecord={end}&perpage={per_page}")
            out.append((url, dict(fields)))
            start = end + 1
    return out


class Hanweb(Family):
    name = "hanweb"

    def matches(self, response) -> bool:
        text = response.text
        return ("<datastore>" in text or "dataproxy.jsp" in text or bool(_RECORD_RE.search(text))
                or bool(_JPAGE_RE.search(text)))

    def list_items(self, response) -> list[ListItem]:
        out: list[ListItem] = []
        for fragment in _RECORD_RE.findall(response.text):
            out.extend(links(_Fragment(response.url, fragment)))
        return out

    def next_posts(self, response) -> list[tuple[str, dict[str, str]]]:
        """The dataproxy.jsp POSTs that fetch the records not in the page itself (Hanweb pages only this way)."""
        return _dataproxy_requests(response)
