"""The one home of the report-title decision: does a title name an annual report (政府信息公开工作年度报告), and
of which year.

The auditor asks `is_report_title` of a document's title (with its section headings, whether it is a report at
all) and `is_notice_title` (a notice, a letter, a bulletin is no report whatever it says); the crawler asks
`report_year` of a list entry's title (a report of which year, or a notice *about* reports).  Pure functions.
"""
from __future__ import annotations

import re

# what names a report: "…政府信息公开工作年度报告", "…信息公开年报", "…政务公开工作年度报告", "…信息公开2022年度报告";
# "…地方税务局2013年信息公开年度报告": old department reports often leave out 政府
_REPORT = re.compile(r"(政府|政务)?信息公开.*(年度报告|年报|工作报告)|信息公开(工作)?(年度)?(报告|年报)"
                     r"|政务公开(工作)?年度报告")
_NOTICE = re.compile(r"(通知|通报|公告|公示|函|意见|方案|办法|统计公报)$")
# a list entry *about* reports, not a report: notices, plans, trainings, evaluations, interpretations
ABOUT_REPORTS = re.compile(
    r"通知|通报|公告|做好|编制|报送工作|发布工作|工作要点|实施方案|考核|评议结果|评估|培训|解读|图解|一图读懂|答记者问|会议|征求意见")
MEMO_PREFIX = re.compile(r"^关于(上报|报送|印发|公布)?")  # "关于上报…年度报告的报告": a covering memo
_LIST_YEAR = re.compile(r"(20\d{2}|19\d{2})\s*年")


def is_notice_title(title: str | None) -> bool:
    """A notice, a letter, a bulletin: "关于2014年政府信息公开工作要点落实情况的函" is not a report, whatever it says."""
    return bool(title and _NOTICE.search(title))


def is_report_title(title: str | None) -> bool:
    """A title of a report, not of a notice about reports ("关于做好…年度报告编制发布工作的通知")."""
    return bool(title and _REPORT.search(title) and not is_notice_title(title))


def report_year(title: str | None) -> int | None:
    """The report year of a list entry's title, or None if the title is not an annual report.

    "柔远镇人民政府2022年政府信息公开工作年度报告" -> 2022;
    "关于做好2023年政府信息公开工作年度报告编制发布工作的通知" -> None (a notice about reports).
    """
    t = re.sub(r"\s+", "", title or "")
    if not is_report_title(t) or ABOUT_REPORTS.search(t):
        return None
    # "关于上报…的报告" (a covering memo carrying the report, seed 000) is a report; other 关于… titles are not
    if t.startswith("关于") and not re.search(r"报告的报告$|年报的报告$", t):
        return None
    m = _LIST_YEAR.search(t) or re.search(r"[（(](20\d{2})[)）]", t)   # "政府信息公开工作年度报告（2023）"
    if not m:
        return None
    year = int(m.group(1))
    return year if 2007 <= year <= 2100 else None
