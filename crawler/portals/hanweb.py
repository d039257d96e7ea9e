"""Hanweb JCMS: list entries hidden in <script type="text/xml"><datastore><recordset><record><![CDATA[<li>…]]>, the
rest paged through /module/web/jpage/dataproxy.jsp (startrecord/endrecord/perpage + the unit's ajaxParam)."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from parsel import Selector

from crawler.portals.generic import ListItem, links

NAME = "hanweb"
_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_JPAGE_RE = re.compile(r"\.jpage\(\{(.*?)\}\)", re.S)
_PARAM_RE = re.compile(r"var\s+param_(\w+)\s*=\s*\{(.*?)\}", re.S)
_KV_RE = re.compile(r"(\w+)\s*:\s*(?:'([^']*)'|\"([^\"]*)\"|([\w./-]+))")
MAX_RECORDS = 5000


def matches(response) -> bool:
    return "<datastore>" in response.text or "dataproxy.jsp" in response.text


class _Fragment:
    """Just enough of a response for generic.links over a CDATA fragment."""

    def __init__(self, url: str, html: str):
        self.url = url
        self.selector = Selector(text=html)

    def xpath(self, q):
        return self.selector.xpath(q)


def list_items(response) -> list[ListItem]:
    out: list[ListItem] = []
    for fragment in _RECORD_RE.findall(response.text):
        out.extend(links(_Fragment(response.url, fragment)))
    return out


def _kv(text: str) -> dict[str, str]:
    return {m.group(1): next(g for g in m.groups()[1:] if g is not None) for m in _KV_RE.finditer(text)}


def dataproxy_requests(response) -> list[tuple[str, dict[str, str]]]:
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


def next_pages(response) -> list[str]:
    return []   # Hanweb pages through POSTs: see dataproxy_requests
