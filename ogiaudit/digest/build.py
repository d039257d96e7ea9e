"""Collect what a digest says, from the audit database (or from plain rows in tests).

A supervisor digest covers the bodies of every portal whose `supervisor` lists the recipient:

- new: error findings (not waived) first seen after the last digest that was *sent* to that recipient;
- still open: the other open error findings;
- resolved: error findings resolved after the last sent digest;
- missing reports (open `PUB-MISSING`), late reports (open `PUB-LATE`, with days late);
- warnings (open, not waived) as a short "to review" list;
- a summary line and the comparison with the year before.

"Since the last digest" is the build time (`created_at`) of the last delivery that the server accepted, so a finding
recorded while a digest was being sent is never skipped.  Nothing new (no new error finding, nothing newly resolved)
means no digest.

The operations digest (operator address): portals whose crawl failed several runs in a row, portals whose layout
stopped matching (crawl succeeded but found nothing or was incomplete), documents that could not be read.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from storage import digest_queries, jobqueue, review
from storage.digest_queries import naive_utc

MISSING_RULE = "PUB-MISSING"
LATE_RULE = "PUB-LATE"
MAX_WARNINGS = 30          # the "to review" list stays short
FAILED_RUNS = 3            # crawl failures in a row before the operator hears about it


@dataclass
class DigestFinding:
    id: int
    portal: str
    body: str
    year: int | None
    rule: str
    severity: str
    status: str = "open"                 # open | resolved | waived
    url: str | None = None
    section: str | None = None
    location: dict[str, Any] | None = None
    message: str = ""
    evidence: str | None = None
    expected: Any = None
    observed: Any = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    resolved_at: datetime | None = None
    fingerprint: str = ""
    category: str = ""                   # new | open | resolved (set when a digest is built)

    @property
    def place(self) -> str:
        """表三 / 行 / 列, readable."""
        loc = self.location or {}
        parts = []
        if loc.get("table"):
            parts.append(f"表{loc['table']}")
        if loc.get("row"):
            parts.append(str(loc["row"]))
        if loc.get("column"):
            parts.append(str(loc["column"]))
        if not parts and self.section:
            parts.append(f"第{self.section}部分")
        return " / ".join(parts)

    @property
    def sides(self) -> str:
        """Both sides of a broken identity ("应为 12，实为 10"); for the publication rules, the dates."""
        from ogiaudit.digest.render import _fmt
        if self.rule == LATE_RULE:
            days = self.days_late
            return (f"期限 {_fmt(self.expected)}，发布 {_fmt(self.observed)}"
                    + (f"（逾期{days}天）" if days is not None else ""))
        if self.rule == MISSING_RULE:
            return f"期限 {_fmt(self.expected)}" if self.expected is not None else ""
        if self.expected is None and self.observed is None:
            return ""
        return f"应为 {_fmt(self.expected)}，实为 {_fmt(self.observed)}"

    @property
    def days_late(self) -> int | None:
        """For PUB-LATE: published (observed) minus deadline (expected), when both are dates."""
        dl, pub = _as_date(self.expected), _as_date(self.observed)
        if dl and pub:
            return (pub - dl).days
        return None


@dataclass
class BodyBlock:
    portal: str
    body: str
    new: list[DigestFinding] = field(default_factory=list)
    open: list[DigestFinding] = field(default_factory=list)
    resolved: list[DigestFinding] = field(default_factory=list)

    @property
    def findings(self) -> list[DigestFinding]:
        return self.new + self.open + self.resolved


@dataclass
class YearStats:
    year: int
    bodies: int = 0              # bodies with a report or a finding that year
    errors: int = 0              # error findings (open or resolved, not waived)
    missing: int = 0
    late: int = 0


@dataclass
class SupervisorDigest:
    recipient: str
    portals: list[str]           # portal names
    as_of: date
    since: datetime | None       # cutoff: the build time of the last sent digest
    year: int                    # the report year in season (as_of.year - 1)
    blocks: list[BodyBlock] = field(default_factory=list)
    missing: list[DigestFinding] = field(default_factory=list)
    late: list[DigestFinding] = field(default_factory=list)
    warnings: list[DigestFinding] = field(default_factory=list)
    warnings_total: int = 0
    this_year: YearStats | None = None
    last_year: YearStats | None = None
    portal_names: dict[str, str] = field(default_factory=dict)   # id -> name, for the attachments

    kind = "supervisor"

    @property
    def new(self) -> list[DigestFinding]:
        return [f for b in self.blocks for f in b.new]

    @property
    def still_open(self) -> list[DigestFinding]:
        return [f for b in self.blocks for f in b.open]

    @property
    def resolved(self) -> list[DigestFinding]:
        return [f for b in self.blocks for f in b.resolved]

    @property
    def all_findings(self) -> list[DigestFinding]:
        return [f for b in self.blocks for f in b.findings]

    @property
    def is_empty(self) -> bool:
        """Nothing new: no new error finding (missing and late reports included), nothing newly resolved."""
        return not self.new and not self.resolved

    @property
    def period_key(self) -> str:
        return self.as_of.isoformat()

    @property
    def finding_ids(self) -> list[int]:
        return sorted({f.id for f in self.all_findings})

    def payload_sha256(self) -> str:
        """What makes this digest "the same digest": the recipient's new and resolved findings."""
        key = {"recipient": self.recipient,
               "new": sorted(f.id for f in self.new),
               "resolved": sorted(f.id for f in self.resolved)}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    @property
    def summary(self) -> str:
        bodies = len({(b.portal, b.body) for b in self.blocks if b.new or b.open})
        return (f"截至{self.as_of.isoformat()}：新增问题{len(self.new)}条，仍未整改{len(self.still_open)}条，"
                f"已整改{len(self.resolved)}条，涉及{bodies}个机构；未发布年报{len(self.missing)}个，"
                f"逾期发布{len(self.late)}个；待复核提示{self.warnings_total}条。")


@dataclass
class CrawlFailure:
    portal: str
    runs: int                    # failed runs in a row
    last_error: str = ""
    since: datetime | None = None


@dataclass
class LayoutProblem:
    portal: str
    when: datetime | None
    detail: str = ""


@dataclass
class ReadProblem:
    url: str
    portal: str | None
    error: str
    when: datetime | None
    attempts: int = 1


@dataclass
class JobFailure:
    """A queued job that failed for good (every retry spent): the distributed workers' operational problem."""
    job: int
    kind: str
    portal: str | None
    subject: str | None
    error: str
    attempts: int
    when: datetime | None


@dataclass
class OperatorDigest:
    recipient: str
    as_of: date
    crawl_failures: list[CrawlFailure] = field(default_factory=list)
    layouts: list[LayoutProblem] = field(default_factory=list)
    unreadable: list[ReadProblem] = field(default_factory=list)
    job_failures: list[JobFailure] = field(default_factory=list)

    kind = "operator"
    already_sent: set[str] = field(default_factory=set)   # the problem keys of the last operations digest sent

    @property
    def finding_ids(self) -> list[str]:
        """The problems as stable keys (stored in delivery.finding_ids, to tell what is new next time)."""
        return sorted([f"crawl:{c.portal}" for c in self.crawl_failures] + [f"layout:{p.portal}" for p in self.layouts]
                      + [f"read:{p.url}" for p in self.unreadable] + [f"job:{j.job}" for j in self.job_failures])

    @property
    def is_empty(self) -> bool:
        """Nothing new: every problem was already in the last operations digest sent (or there is none)."""
        return not set(self.finding_ids) - self.already_sent

    @property
    def period_key(self) -> str:
        return self.as_of.isoformat()

    def payload_sha256(self) -> str:
        """The same problems (not their timestamps) make the same operations digest: it is sent once."""
        key = {"recipient": self.recipient, "problems": self.finding_ids}
        return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()

    @property
    def summary(self) -> str:
        return (f"截至{self.as_of.isoformat()}：连续抓取失败的门户{len(self.crawl_failures)}个，"
                f"版面可能已改变的门户{len(self.layouts)}个，无法读取的文件{len(self.unreadable)}个"
                + (f"，失败的队列任务{len(self.job_failures)}个。" if self.job_failures else "。"))


# --------------------------------------------------------------------------------------------------- building

def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def supervisors(portals: Iterable[Any]) -> dict[str, list[Any]]:
    """recipient address -> the portals it supervises (config order)."""
    out: dict[str, list[Any]] = {}
    for portal in portals:
        for address in portal.supervisor:
            address = address.strip()
            mine = out.setdefault(address, []) if address else None
            if mine is not None and all(p.id != portal.id for p in mine):
                mine.append(portal)
    return out


def build_supervisor_digest(recipient: str, portals: list[Any], findings: Iterable[DigestFinding], *,
                            as_of: date, since: datetime | None) -> SupervisorDigest:
    """The digest for one recipient, from every finding of its portals (all statuses; waived ones are dropped)."""
    ids = {p.id for p in portals}
    names = [p.name for p in portals]
    year = as_of.year - 1
    digest = SupervisorDigest(recipient=recipient, portals=names, as_of=as_of, since=since, year=year,
                              portal_names={p.id: p.name for p in portals})
    blocks: dict[tuple[str, str], BodyBlock] = {}
    stats = {year: YearStats(year), year - 1: YearStats(year - 1)}
    seen_bodies: dict[int, set] = {year: set(), year - 1: set()}
    warnings: list[DigestFinding] = []
    for f in findings:
        if f.portal not in ids or f.status == "waived":
            continue
        if f.year in stats and f.severity == "error":
            s = stats[f.year]
            seen_bodies[f.year].add((f.portal, f.body))
            s.errors += 1
            s.missing += f.rule == MISSING_RULE
            s.late += f.rule == LATE_RULE
        if f.severity == "warning":
            if f.status == "open":
                warnings.append(f)
            continue
        if f.severity != "error":
            continue
        if f.status == "open":
            f.category = "new" if since is None or (f.first_seen and f.first_seen > since) else "open"
        elif f.status == "resolved" and f.resolved_at and (since is None or f.resolved_at > since):
            f.category = "resolved"
        else:
            continue
        block = blocks.setdefault((f.portal, f.body), BodyBlock(f.portal, f.body))
        {"new": block.new, "open": block.open, "resolved": block.resolved}[f.category].append(f)
        if f.status == "open" and f.rule == MISSING_RULE:
            digest.missing.append(f)
        if f.status == "open" and f.rule == LATE_RULE:
            digest.late.append(f)
    order = {p.id: i for i, p in enumerate(portals)}
    digest.blocks = sorted(blocks.values(), key=lambda b: (order.get(b.portal, 0), b.body))
    for b in digest.blocks:
        for lst in (b.new, b.open, b.resolved):
            lst.sort(key=lambda f: (-(f.year or 0), f.rule, f.place, f.id))
    warnings.sort(key=lambda f: (f.first_seen or datetime.min), reverse=True)
    digest.warnings_total = len(warnings)
    digest.warnings = warnings[:MAX_WARNINGS]
    digest.missing.sort(key=lambda f: (order.get(f.portal, 0), f.body))
    digest.late.sort(key=lambda f: (-(f.days_late or 0), f.body))
    for y, s in stats.items():
        s.bodies = len(seen_bodies[y])
    digest.this_year, digest.last_year = stats[year], stats[year - 1]
    return digest


def build_operator_digest(recipient: str, *, as_of: date, crawl_failures: list[CrawlFailure],
                          layouts: list[LayoutProblem], unreadable: list[ReadProblem],
                          already_sent: Iterable[str] = (), job_failures: list[JobFailure] | None = None
                          ) -> OperatorDigest:
    return OperatorDigest(recipient=recipient, as_of=as_of, crawl_failures=crawl_failures, layouts=layouts,
                          unreadable=unreadable, already_sent=set(already_sent), job_failures=job_failures or [])


# ------------------------------------------------------------------------------------------ from the database
# The SQL is storage's (storage/digest_queries.py); here the rows become the digest's data model, and the policy
# (how many failures in a row, what a layout change looks like) is applied.

def load_findings(session, portal_ids: Iterable[str] | None = None) -> list[DigestFinding]:
    """Every finding of the given portals (all statuses), with its body's name."""
    return [DigestFinding(**row) for row in digest_queries.findings(session, portal_ids)]


# ------------------------------------------------------------------------------- the review desk's verdicts

def reviewed(session, findings: list[DigestFinding], *, confirmed_only: bool = False) -> list[DigestFinding]:
    """Findings a reviewer dismissed (审核台 驳回) are not mailed; with `[digest] confirmed_only = true`, an error is
    mailed only once a reviewer confirmed it (warnings, the "to review" list, stay)."""
    verdicts = review.verdicts(session)
    if not verdicts and not confirmed_only:
        return findings
    return [f for f in findings if verdicts.get(f.id) != "dismissed"
            and not (confirmed_only and f.severity == "error" and verdicts.get(f.id) != "confirmed")]


def load_job_failures(session, portal_ids: Iterable[str] | None = None) -> list[JobFailure]:
    """Queued jobs that failed for good and were not run again since (PostgreSQL; none on SQLite)."""
    wanted = set(portal_ids) if portal_ids is not None else None
    return [JobFailure(job=p.job_id, kind=p.task, portal=p.portal_id, subject=p.subject, error=p.error[:300],
                       attempts=p.attempts, when=naive_utc(p.when)) for p in jobqueue.job_problems(session, wanted)]


def load_operations(session, portal_ids: Iterable[str] | None = None, failed_runs: int = FAILED_RUNS
                    ) -> tuple[list[CrawlFailure], list[LayoutProblem], list[ReadProblem]]:
    """Crawl failures in a row, layouts that stopped matching, unreadable documents (not later read)."""
    failures, layouts = [], []
    for h in digest_queries.crawl_histories(session, portal_ids):
        if h.failed >= failed_runs:
            failures.append(CrawlFailure(portal=h.portal, runs=h.failed, last_error="；".join(h.latest_errors)[:300],
                                         since=h.failing_since))
        elif h.latest_ok and (not h.latest_complete or h.latest_documents == 0):
            detail = "；".join(h.latest_errors) or (f"找到0份文件（{h.latest_pages}个页面）" if h.latest_documents == 0
                                                    else "抓取不完整")
            layouts.append(LayoutProblem(portal=h.portal, when=h.latest_finished, detail=detail[:300]))
    unreadable = [ReadProblem(url=p.url, portal=p.portal_id, error=(p.error or "")[:300], when=naive_utc(p.when),
                              attempts=p.attempts or 1)
                  for p in digest_queries.unreadable(session, portal_ids)]
    return failures, layouts, unreadable
