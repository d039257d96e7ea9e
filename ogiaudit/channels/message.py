"""A digest as one short channel message: the counts, the worst findings, a link to the review desk."""
from __future__ import annotations

from ogiaudit.channels import Message
from ogiaudit.vocabulary import JOB_KINDS

WORST = 5           # findings named in a message; the e-mail and the desk have the rest
# the order in which problems matter to a supervisor: not published, broken identities, late, the rest
_RANK = {"PUB-MISSING": 0, "T3-BAL": 1, "T3-TOTAL": 1, "T3-ROW": 1, "T4-SUM": 1, "X-CARRY": 1, "TXT-TABLE": 2,
         "PUB-LATE": 3}


def from_digest(digest, base_url: str | None = None) -> Message:
    link = base_url.rstrip("/") + "/" if base_url else None
    if digest.kind == "operator":
        return _operator(digest, link)
    from ogiaudit.digest.render import subject_for

    worst = sorted(digest.new + digest.still_open,
                   key=lambda f: (f.category != "new", _RANK.get(f.rule, 4), -(f.year or 0), f.body))
    lines = [digest.summary]
    for f in worst[:WORST]:
        where = f"（{f.place}）" if f.place else ""
        sides = f"：{f.sides}" if f.sides else ""
        mark = "【新】" if f.category == "new" else ""
        lines.append(f"{mark}{f.body} {f.year or ''}年度 {f.rule}{where}{sides}")
    if len(worst) > WORST:
        lines.append(f"另有{len(worst) - WORST}个问题，详见摘要邮件或审核台")
    if digest.resolved:
        lines.append(f"已整改：{'、'.join(sorted({f.body for f in digest.resolved}))}")
    return Message(title=subject_for(digest), lines=lines, link=link)


def _operator(digest, link: str | None) -> Message:
    from ogiaudit.digest.render import subject_for

    lines = [digest.summary]
    lines += [f"抓取连续失败{c.runs}次：{c.portal}（{c.last_error[:80]}）" for c in digest.crawl_failures[:WORST]]
    lines += [f"版面可能已改变：{p.portal}（{p.detail[:80]}）" for p in digest.layouts[:WORST]]
    lines += [f"无法读取：{p.url}（{p.error[:80]}）" for p in digest.unreadable[:WORST]]
    lines += [f"队列任务失败：{JOB_KINDS.get(j.kind, j.kind)} {j.subject or ''}（{j.error[:80]}）"
              for j in digest.job_failures[:WORST]]
    return Message(title=subject_for(digest), lines=lines, link=link)
