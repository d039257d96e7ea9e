"""The generic family: any page. Every link is a list entry (the spider keeps those titled like a report), "下一页"
links are the other pages; the rest is the toolkit's default (crawler/portals/base.py)."""
from __future__ import annotations

from crawler.portals import toolkit
from crawler.portals.base import Family, ListItem


class Generic(Family):
    name = "generic"

    def matches(self, response) -> bool:
        return True

    def list_items(self, response) -> list[ListItem]:
        return toolkit.links(response)

    def next_pages(self, response) -> list[str]:
        return toolkit.next_links(response)
