"""What is known about a report from outside it (configuration, the crawl, storage): the auditor's input beside the
bytes.  Its own module so that audit.py, report.py and the rules all import it without importing each other."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class PreviousReport:
    """Last year's report of the same body, supplied by storage for the cross-year rules."""

    year: int
    carried_forward: dict[str, int | None] = field(default_factory=dict)  # table 三 row 四, by column key
    sections: dict[str, str] = field(default_factory=dict)               # section numeral -> text
    source: str | None = None
    uncertain: bool = False  # its numbers were read with doubt (a scan read by OCR)


@dataclass
class AuditContext:
    source: str = ""                  # path or URL, for messages
    published: date | None = None     # a date known from outside the report
    published_source: str | None = None  # "given" or "portal" (or "meta") for that date
    body: str | None = None           # the body's name when known from configuration
    body_kind: str | None = None      # department | government | township
    year: int | None = None
    deadline: date | None = None
    township_deadline: str = "01-31"  # MM-DD; the county's rule for its townships
    department_deadline: str = "01-31"
    government_deadline: str = "03-31"
    url_date: date | None = None      # a date printed in the document's URL
    first_seen: date | None = None    # the first time the crawler saw this document
    previous: PreviousReport | None = None


@dataclass(frozen=True)
class PublicationFacts:
    """What storage knows of an expected body's report for a year, after its portal's crawls: PUB-MISSING's input
    (auditor.rules.publication.Missing.decide).  The crawler and storage record these; only the rule judges."""

    body: str
    year: int
    deadline: date                       # the body's publication deadline for that year
    as_of: date                          # the day of the decision
    expected: bool = True                # a configured body of the portal
    report_found: bool = False           # a report of the body for the year is stored
    crawled: bool = False                # the portal has been crawled at least once
    crawl_ok: bool = False               # its last crawl succeeded ...
    crawl_complete: bool = False         # ... and saw every list page
    crawl_finished: date | None = None   # the day its last crawl ended
    unread_documents: bool = False       # a document of the portal that may be the report is not read yet
    portal_url: str | None = None        # the portal's first start URL, the finding's evidence
