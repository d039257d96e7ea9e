"""The CMS-family protocol: what the spider asks of a family, and the defaults every family starts from.

A family is a class deriving from `Family` (one module in crawler/portals/, one line in crawler/portals/__init__.py).
It says whether a page is made by its CMS (`matches`) and overrides only what its CMS does differently; everything
else comes from the shared toolkit (crawler/portals/toolkit.py).  The spider never names a family: it asks the
families that match a page (crawler/portals/__init__.py:families_for) and merges their answers.

    matches(response) -> bool                       this page is made (or paged) by this family
    is_column(response) -> bool                     the page is the 年报 column itself
    column_links(response) -> [url]                 links to the 年报 column (and its sub-columns)
    nav_links(response) -> [url]                    links to the 信息公开 section, where the column usually is
    list_items(response) -> [ListItem]              entries of a list page (url, title, date shown in the list)
    next_pages(response) -> [url]                   the other pages of the same list, fetched by GET
    next_posts(response) -> [(url, form fields)]    the other pages of the same list, fetched by POST
    detail_title(response) -> str                   the title of a report's detail page
    content_source(response) -> str                the publishing body named by a detail page
    has_report_body(response) -> bool               the detail page itself carries the report's text
    report_files(response, has_body) -> [(url, text)]  the files of a detail page that may be the report
    publication_date(response, listed) -> (date | None, source | None)  the portal's publication date of a page
"""
from __future__ import annotations

from datetime import date
from typing import ClassVar, Protocol, runtime_checkable

from auditor.pubdate import publication_date
from crawler.portals import toolkit
from crawler.portals.toolkit import ListItem

__all__ = ["CmsFamily", "Family", "ListItem"]


@runtime_checkable
class CmsFamily(Protocol):
    """What the spider asks of a CMS family (see the module docstring)."""

    name: str

    def matches(self, response) -> bool: ...
    def is_column(self, response) -> bool: ...
    def column_links(self, response) -> list[str]: ...
    def nav_links(self, response) -> list[str]: ...
    def list_items(self, response) -> list[ListItem]: ...
    def next_pages(self, response) -> list[str]: ...
    def next_posts(self, response) -> list[tuple[str, dict[str, str]]]: ...
    def detail_title(self, response) -> str: ...
    def content_source(self, response) -> str: ...
    def has_report_body(self, response) -> bool: ...
    def report_files(self, response, has_body: bool) -> list[tuple[str, str]]: ...
    def publication_date(self, response, listed: date | None) -> tuple[date | None, str | None]: ...


class Family:
    """The defaults of every family: the toolkit's readings; no list items, no pages, matches nothing."""

    name: ClassVar[str] = ""

    def matches(self, response) -> bool:
        return False

    # -- finding the 年报 column ----------------------------------------------------------------------------------
    def is_column(self, response) -> bool:
        return toolkit.is_column_page(response)

    def column_links(self, response) -> list[str]:
        return toolkit.column_links(response)

    def nav_links(self, response) -> list[str]:
        return toolkit.nav_links(response)

    # -- list pages -----------------------------------------------------------------------------------------------
    def list_items(self, response) -> list[ListItem]:
        return []

    def next_pages(self, response) -> list[str]:
        return []

    def next_posts(self, response) -> list[tuple[str, dict[str, str]]]:
        return []

    # -- detail pages ---------------------------------------------------------------------------------------------
    def detail_title(self, response) -> str:
        return toolkit.detail_title(response)

    def content_source(self, response) -> str:
        return toolkit.content_source(response)

    def has_report_body(self, response) -> bool:
        return toolkit.has_report_body(response)

    def report_files(self, response, has_body: bool) -> list[tuple[str, str]]:
        return toolkit.report_files(response, has_body)

    def publication_date(self, response, listed: date | None) -> tuple[date | None, str | None]:
        return publication_date(response.text, response.url, listed)

    def __repr__(self) -> str:
        return f"<CMS family {self.name}>"
