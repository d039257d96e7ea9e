"""The audit database (SQLModel on SQLAlchemy 2).  Every schema change is an Alembic migration in storage/migrations.

Conventions: times are naive UTC datetimes; JSON columns hold the parsed table values, locations and evidence;
denormalised columns on `report` and `finding` (region, portal, kind, flags) keep the queries of INTERFACE.md fast.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

metadata = SQLModel.metadata
# tables in the audit database whose schema belongs to a library: the job queue's (created by migration 0013 from
# procrastinate's own schema) and the scheduler's job store (APScheduler's)
FOREIGN_PREFIXES = ("procrastinate_", "apscheduler_")


def described_here(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's include_name: compare only what these models describe."""
    return not (type_ == "table" and name and name.startswith(FOREIGN_PREFIXES))


class PortalRow(SQLModel, table=True):
    __tablename__ = "portal"

    id: str = Field(primary_key=True, max_length=100)
    name: str
    region_path: str = ""               # "甘肃省/临夏回族自治州/永靖县"
    province: str | None = None
    city: str | None = None
    county: str | None = None
    start_urls: list[str] | None = Field(default=None, sa_column=Column(JSON))
    supervisor: list[str] | None = Field(default=None, sa_column=Column(JSON))
    township_deadline: str | None = None
    updated_at: datetime | None = Field(default=None, sa_type=DateTime)


class BodyRow(SQLModel, table=True):
    __tablename__ = "body"
    __table_args__ = (UniqueConstraint("portal_id", "name", name="uq_body_portal_name"),
                      Index("ix_body_configured", "configured", "region_path", "kind", "portal_id"))

    id: int | None = Field(default=None, primary_key=True)
    portal_id: str = Field(default="", index=True)  # "" when audited outside any portal
    name: str = Field(index=True)
    kind: str | None = None             # department | government | township
    configured: bool = False            # listed in config/portals (expected to publish)
    region_path: str = ""
    created_at: datetime | None = Field(default=None, sa_type=DateTime)


class DocumentRow(SQLModel, table=True):
    __tablename__ = "document"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)       # the address (or the local path of a file audited with --save)
    sha256: str = Field(index=True)
    content_type: str | None = None
    size: int = 0
    archive_path: str | None = None
    portal_id: str | None = Field(default=None, index=True)
    body_name: str | None = None
    title: str | None = None
    published: date | None = None       # the portal's publication date
    published_source: str | None = None
    first_fetched: datetime | None = Field(default=None, sa_type=DateTime)
    last_fetched: datetime | None = Field(default=None, sa_type=DateTime)
    previous_sha256: str | None = None  # the version before the last change (PUB-CHANGED)
    audited_ruleset: str | None = None  # the RULESET_VERSION of its last audit (or failed extraction)
    audited_sha256: str | None = None   # the content it was audited with
    audited_at: datetime | None = Field(default=None, sa_type=DateTime)


class ReportRow(SQLModel, table=True):
    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("body_id", "year", name="uq_report_body_year"),
        Index("ix_report_year_region", "year", "region_path"),
        Index("ix_report_year_portal", "year", "portal_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    year: int
    portal_id: str = ""                 # denormalised from body, for fast grouping
    region_path: str = ""
    body_name: str = ""
    body_kind: str | None = None
    document_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    document_url: str | None = None     # for links in digests and queries
    source: str | None = None
    title: str | None = None
    format: str | None = None
    ocr: bool = False
    sha256: str | None = None
    published: date | None = None
    published_source: str | None = None
    deadline: date | None = None
    on_time: bool | None = None         # published <= deadline (None when either is unknown)
    complete: bool = True               # no open SEC-MISSING / TBL-MISSING
    consistent: bool = True             # no open T3-*/T4-*/TXT-TABLE/X-CARRY
    errors: int = 0                     # open (not waived) findings by severity
    warnings: int = 0
    infos: int = 0
    values: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))     # {"二"|"三"|"四": {row: {col: v}}}
    sections: dict[str, str] | None = Field(default=None, sa_column=Column(JSON))   # {"一": text, …}
    ruleset_version: str | None = None
    last_run_id: int | None = Field(default=None, foreign_key="audit_run.id")
    audited_at: datetime | None = Field(default=None, sa_type=DateTime)


class AuditRunRow(SQLModel, table=True):
    __tablename__ = "audit_run"

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_type=DateTime)
    finished_at: datetime | None = Field(default=None, sa_type=DateTime)  # None: still running, or killed
    ruleset_version: str
    mode: str = "audit"                 # audit | pending | all | extra
    reports: int = 0
    problems: int = 0
    findings: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    resolved: int = 0


class AuditRecordRow(SQLModel, table=True):
    """One report audited in one run: the history of every run (counts and the fingerprints that fired)."""
    __tablename__ = "audit_record"

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="audit_run.id", index=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    at: datetime = Field(sa_type=DateTime)
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    fingerprints: list[str] | None = Field(default=None, sa_column=Column(JSON))


FINDING_STATUSES = ("open", "resolved", "waived")


class FindingRow(SQLModel, table=True):
    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("body_id", "fingerprint", name="uq_finding_body_fingerprint"),
        Index("ix_finding_rule_year", "rule", "year"),
        Index("ix_finding_year_portal_rule", "year", "portal_id", "rule", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)  # None for PUB-MISSING
    portal_id: str = ""
    year: int | None = None
    url: str | None = None
    rule: str
    severity: str
    section: str | None = None
    loc_table: str | None = None
    loc_row: str | None = None
    loc_column: str | None = None
    location: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    expected: Any = Field(default=None, sa_column=Column(JSON))
    observed: Any = Field(default=None, sa_column=Column(JSON))
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    evidence: str | None = Field(default=None, sa_column=Column(Text))
    cells: list[Any] | None = Field(default=None, sa_column=Column(JSON))
    uncertain: bool = False
    fingerprint: str = Field(index=True)
    first_seen: datetime = Field(sa_type=DateTime)
    last_seen: datetime = Field(sa_type=DateTime)
    first_run_id: int | None = None
    last_run_id: int | None = None
    resolved_at: datetime | None = Field(default=None, sa_type=DateTime)
    status: str = Field(default="open", index=True)  # open | resolved | waived
    waived_by: str | None = None
    waived_reason: str | None = None
    waived_at: datetime | None = Field(default=None, sa_type=DateTime)


TALLY_SCOPES = ("province", "city", "county", "portal", "body_kind")


class RuleTallyRow(SQLModel, table=True):
    """Open (not waived) findings counted per year, rule and group, for each way `query trend` groups (scope:
    province, city, county, portal, body_kind); kept up to date on every status change, so that a trend reads a few
    hundred rows instead of every finding."""
    __tablename__ = "rule_tally"

    scope: str = Field(primary_key=True)
    key: str = Field(primary_key=True)   # the group: a region path cut at the scope's level, a portal id, a kind
    year: int = Field(primary_key=True)
    rule: str = Field(primary_key=True)
    open: int = 0


class ReportTallyRow(SQLModel, table=True):
    """Reports counted per year and group (same scopes as rule_tally): how many, on time, complete, consistent,
    with no open error.  Kept up to date whenever a report's flags change; `query trend` and `query compliance`
    read it instead of every report."""
    __tablename__ = "report_tally"

    scope: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    reports: int = 0
    on_time: int = 0
    complete: int = 0
    consistent: int = 0
    no_error: int = 0
    top_rules: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON [[rule, open]…]


class CrawlRow(SQLModel, table=True):
    __tablename__ = "crawl"

    id: int | None = Field(default=None, primary_key=True)
    portal_id: str = Field(index=True)
    started: datetime = Field(sa_type=DateTime)
    finished: datetime = Field(sa_type=DateTime)
    ok: bool
    complete: bool
    errors: list[str] | None = Field(default=None, sa_column=Column(JSON))
    pages: int = 0
    documents: int = 0


class ExtractionProblemRow(SQLModel, table=True):
    """A document that could not be read (an operational problem, never a compliance finding)."""
    __tablename__ = "extraction_problem"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(unique=True)
    portal_id: str | None = Field(default=None, index=True)
    error: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(default="unreadable", sa_column_kwargs={"server_default": "unreadable"})  # or not_report
    when: datetime = Field(sa_type=DateTime)                       # the last time it failed
    first_seen: datetime | None = Field(default=None, sa_type=DateTime)
    attempts: int = 1
    resolved_at: datetime | None = Field(default=None, sa_type=DateTime)  # set when the document was later read


class DeliveryRow(SQLModel, table=True):
    """One digest e-mail (built, then sent); the unique key makes re-sending the same digest idempotent."""
    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("kind", "recipient", "payload_sha256", name="uq_delivery_payload"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str                            # supervisor | operator
    recipient: str
    period_key: str
    subject: str
    created_at: datetime = Field(sa_type=DateTime)
    sent_at: datetime | None = Field(default=None, sa_type=DateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    payload_sha256: str
    finding_ids: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))  # JSON text


# the names other modules import
Portal = PortalRow
Body = BodyRow
Document = DocumentRow
Report = ReportRow
AuditRun = AuditRunRow
AuditRecord = AuditRecordRow
Finding = FindingRow
Crawl = CrawlRow
ExtractionProblem = ExtractionProblemRow
Delivery = DeliveryRow
RuleTally = RuleTallyRow
ReportTally = ReportTallyRow

# the review desk's tables (migration 0012) belong to the same metadata, and so do the indexes its lists need
from storage.review import DeskUserRow, FindingReviewRow, ReviewActionRow  # noqa: E402,F401

Index("ix_finding_year_id", FindingRow.year, FindingRow.id)                          # lists, newest first
Index("ix_finding_portal_year", FindingRow.portal_id, FindingRow.year, FindingRow.id)  # a reviewer's lists
# the overview reads the tallies of every portal: covering indexes, no table lookups
Index("ix_rule_tally_scope_rule", RuleTallyRow.scope, RuleTallyRow.rule, RuleTallyRow.key, RuleTallyRow.year,
      RuleTallyRow.open)
Index("ix_report_tally_scope_year", ReportTallyRow.scope, ReportTallyRow.year, ReportTallyRow.key,
      ReportTallyRow.reports, ReportTallyRow.on_time, ReportTallyRow.no_error)


class JobProblemRow(SQLModel, table=True):
    """Why a queued job failed (an operational problem for the operations digest); final when no retry is left."""
    __tablename__ = "job_problem"
    __table_args__ = (UniqueConstraint("job_id", name="uq_job_problem_job"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(sa_type=BigInteger)
    task: str
    portal_id: str | None = Field(default=None, index=True)
    subject: str | None = None          # what the job acted on: a portal id, a document URL
    error: str = Field(sa_column=Column(Text, nullable=False))
    attempts: int = 1
    final: bool = False
    when: datetime = Field(sa_type=DateTime)


class JobLockRow(SQLModel, table=True):
    """The scheduler's run lock (migration 0015): one row per job and run key (the local date); the primary key lets
    one scheduler of several on the database claim a run.  APScheduler's own job store, `apscheduler_jobs`, is
    created by the same migration with the library's schema, and left out of the model comparison (FOREIGN_PREFIXES)."""
    __tablename__ = "ogiaudit_job_lock"

    job_id: str = Field(primary_key=True, max_length=100)
    run_key: str = Field(primary_key=True, max_length=100)
    owner: str = Field(max_length=200)
    started_at: datetime = Field(sa_type=DateTime)
    finished_at: datetime | None = Field(default=None, sa_type=DateTime)
    status: str = Field(default="running", max_length=50)     # running | ok | failed | timeout
    detail: str | None = Field(default=None, sa_column=Column(Text))


class CrawlEntryRow(SQLModel, table=True):
    """Crawl state (migration 0014): a list entry of a portal fetched before.  For a server that gives no
    ETag/Last-Modified (so no conditional request can be made), an entry still listed with the same date is not
    fetched again until OGIAUDIT_RECHECK_DAYS have passed (storage/crawlstate.py)."""
    __tablename__ = "crawl_entry"
    __table_args__ = (UniqueConstraint("portal_id", "url", name="uq_crawl_entry_portal_url"),)

    id: int | None = Field(default=None, primary_key=True)
    portal_id: str
    url: str = Field(sa_column=Column(Text, nullable=False))
    listed: str | None = None           # the date the list showed beside the entry (ISO), None when none
    validators: bool = False            # the server answered with ETag or Last-Modified
    checked: datetime = Field(sa_type=DateTime)   # when it was last fetched (UTC)


CrawlEntry = CrawlEntryRow
