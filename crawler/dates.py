"""The portal's publication date of a page: its one home is auditor/pubdate.py (pure, shared with the auditor).

This module re-exports it for crawler/pipelines.py and the spider, which others are editing now; new code imports
auditor.pubdate directly.
"""
from __future__ import annotations

from auditor.dates import url_date
from auditor.pubdate import (
    META_NAMES,
    byline_date,
    meta_date,
    meta_tags,
    parse_date,
    publication_date,
    visible_text,
)

__all__ = ["META_NAMES", "byline_date", "meta_date", "meta_tags", "parse_date", "publication_date", "url_date",
           "visible_text"]
