"""Publication and timeliness (RULES.md): PUB-*."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from auditor.context import AuditContext, PublicationFacts
from auditor.dates import cn_date as _cn
from auditor.findings import Finding
from auditor.labels import BODY_KINDS, PUBLISHED_SOURCES
from auditor.report import AnnualReport
from auditor.rules import Rule, rule

ART49 = "《中华人民共和国政府信息公开条例》第四十九条"


@rule
class Late(Rule):
    id = "PUB-LATE"
    severity = "error"
    title = "年度报告发布晚于期限"
    basis = ART49 + "（部门1月31日前、县级以上人民政府3月31日前；乡镇/街道按县级通知，默认1月31日）"
    description = ("报告的发布日期晚于其期限。期限按机构类型：部门（县级以上人民政府部门）1月31日；"
                   "县级以上地方人民政府本级报告3月31日；乡镇/街道默认1月31日，可按县设置。当日发布视为按时。"
                   "发布日期优先取门户发布日期或用户指定日期，否则取报告落款日期（落款晚于期限则必然发布晚于期限）。")
    template = "{body_kind}年度报告应于{deadline}前发布，实际{source}为{published}，逾期{days}天"

    def rests_on_text(self, report: AnnualReport) -> bool:
        return report.published_source == "signature"  # a portal or given date was not read from the scan

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        if report.published and report.deadline and report.published > report.deadline:
            days = (report.published - report.deadline).days
            finding = self.finding(
                body_kind=BODY_KINDS.get(report.body_kind or "", ""), deadline=_cn(report.deadline),
                source=PUBLISHED_SOURCES.get(report.published_source or "", "日期"), published=_cn(report.published),
                days=days, expected=report.deadline.isoformat(), observed=report.published.isoformat(),
                evidence=report.published_evidence)
            if (why := self._republished(report, context, report.deadline, days)) is not None:
                finding.doubt_because(why)
            yield finding

    @staticmethod
    def _republished(report: AnnualReport, context: AuditContext, deadline: date, days: int) -> str | None:
        """Why a page's date may be when the page was put up again (a site moved or rebuilt) rather than when the
        report was first published: the page's address or the report's own signature says it was in time."""
        if report.published_source not in ("portal", "meta"):
            return None
        if context.url_date and context.url_date <= deadline:
            return f"网址中的日期{_cn(context.url_date)}在期限内，页面日期可能是网站迁移或重新发布的日期"
        if report.signed and report.signed <= deadline and days > 365:
            return f"报告落款日期{_cn(report.signed)}在期限内，而页面日期晚一年以上，可能是网站迁移或重新发布的日期"
        return None


@rule
class Missing(Rule):
    id = "PUB-MISSING"
    severity = "error"
    title = "期限已过仍未发现年度报告"
    basis = ART49
    description = ("应发布年度报告的机构在期限过后仍无该年度报告，且其门户的抓取成功、完整。"
                   "抓取失败时不判定为未发布，而作为运行问题报告给运维人员。由 `ogiaudit run` 在抓取后判定。")
    template = "{body}未发现{year}年度政府信息公开工作年度报告（期限{deadline}，门户抓取完整）"

    # why a body's report cannot yet be said to be missing (an operations matter, not a compliance one)
    NOT_CRAWLED = "门户尚未抓取"
    CRAWL_FAILED = "门户最近一次抓取失败或不完整"
    CRAWL_EARLY = "门户最近一次抓取在发布期限之前"
    UNREAD = "门户有尚未审核或无法读取的文件，可能就是该报告"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterable[Finding]:
        return ()  # judged from what storage knows after a crawl, not from one report: see decide()

    @classmethod
    def decide(cls, facts: PublicationFacts) -> tuple[Finding | None, str | None]:
        """(the PUB-MISSING finding, None) when the body's report is missing; (None, reason) when it cannot be said
        yet (certainty before accusation: an interrupted, failed or early crawl is no evidence, nor is a portal with
        unread documents that may be the report); (None, None) when it is not overdue."""
        if not facts.expected or facts.report_found or facts.as_of <= facts.deadline:
            return None, None
        if not facts.crawled:
            return None, cls.NOT_CRAWLED
        if not (facts.crawl_ok and facts.crawl_complete):
            return None, cls.CRAWL_FAILED
        if facts.crawl_finished is None or facts.crawl_finished <= facts.deadline:
            return None, cls.CRAWL_EARLY
        if facts.unread_documents:
            return None, cls.UNREAD
        return missing_finding(facts.body, facts.year, facts.deadline, facts.portal_url), None

    @classmethod
    def judge(cls, facts: PublicationFacts) -> Finding | None:
        """The PUB-MISSING finding when the facts show the body's report missing, else None (see decide())."""
        return cls.decide(facts)[0]


def missing_finding(body: str, year: int, deadline: date, portal_url: str | None = None) -> Finding:
    """The PUB-MISSING finding for an expected body with no report, once its portal's crawl completed cleanly."""
    return Missing().finding(body=body, year=year, deadline=_cn(deadline), expected=deadline.isoformat(),
                             evidence=portal_url)


@rule
class DateUnknown(Rule):
    id = "PUB-DATE-UNKNOWN"
    severity = "warning"
    title = "无法确定发布日期"
    basis = ART49
    description = "既无门户发布日期，也无网页元数据日期，报告本身也未印落款日期，无法判断是否按时发布。"
    template = "无法确定发布日期：门户、网页元数据和报告落款均无日期，无法判断是否按时发布"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        if report.published is None:
            yield self.finding()


@rule
class DateSuspect(Rule):
    id = "PUB-DATE-SUSPECT"
    severity = "warning"
    title = "发布日期可疑"
    basis = "SPEC §6：显示日期与网址日期、首次发现日期不符"
    description = ("发布日期早于报告年度结束（不可能在年度结束前发布全年报告），"
                   "或与网址中的日期相差超过30天，或晚于抓取程序首次发现该报告的日期。")
    template = "发布日期{published}可疑：{reason}"
    tolerance = timedelta(days=30)

    def check(self, report: AnnualReport, context: AuditContext) -> Iterator[Finding]:
        published, year = report.published, report.year
        if not published:
            return
        if year and published < date(year + 1, 1, 1):
            yield self.finding(published=_cn(published), reason=f"早于{year}年度结束",
                               expected=f">={year + 1}-01-01", observed=published.isoformat())
        if context.url_date and abs(published - context.url_date) > self.tolerance:
            yield self.finding(published=_cn(published), reason=f"与网址中的日期{_cn(context.url_date)}不符",
                               expected=context.url_date.isoformat(), observed=published.isoformat())
        if context.first_seen and context.first_seen + timedelta(days=1) < published:
            yield self.finding(published=_cn(published), reason=f"晚于首次发现该报告的日期{_cn(context.first_seen)}",
                               expected=context.first_seen.isoformat(), observed=published.isoformat())


@dataclass(frozen=True)
class DocumentChange:
    """A fact the crawler records, without judging it: the document at `url` now has other bytes."""

    url: str
    old_sha256: str      # the version archived before ("" when unknown)
    new_sha256: str
    same_text: bool      # an HTML page whose visible report text did not change (a visit counter, a render time …)
    first_seen: date     # when the document was first archived
    seen: date           # when the new version was found


@rule
class Changed(Rule):
    id = "PUB-CHANGED"
    severity = "warning"
    title = "报告发布后被修改"
    basis = "SPEC §4（CASS 评估：年度报告发布后有变动）"
    description = "同一网址的报告在首次存档后内容发生变化（SHA-256 不同）。由抓取程序判定。"
    template = "同一网址的报告在{first_seen}首次存档后被修改（{when}发现新版本）"

    def check(self, report: AnnualReport, context: AuditContext) -> Iterable[Finding]:
        return ()  # judged from what the crawler records: see judge()

    @classmethod
    def judge(cls, change: DocumentChange) -> Finding | None:
        """The PUB-CHANGED finding for a document the crawler saw change; None when only render noise changed."""
        if change.same_text:
            return None
        return changed_finding(change.url, change.first_seen, change.seen, change.old_sha256 or "?" * 12,
                               change.new_sha256)


def changed_finding(url: str, first_seen: date, when: date, old_sha256: str, new_sha256: str) -> Finding:
    return Changed().finding(first_seen=_cn(first_seen), when=_cn(when), expected=old_sha256[:12],
                             observed=new_sha256[:12], evidence=url)
