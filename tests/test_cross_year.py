"""X-CARRY and X-REUSE: unit checks with small fakes, then two years of a real seed through the database."""
from __future__ import annotations

import re

from conftest_db import SEEDS, FakeReport, db_url, pg_url, settings_for, sqlite_url  # noqa: F401

SEED = "000_50046161c6499f8c.txt"  # 盐锅峡镇 2022, table 三 all zeros


def _ctx(previous):
    from auditor.audit import AuditContext
    return AuditContext(source="x", previous=previous)


def test_carry_over_rule_with_fakes():
    from auditor.audit import PreviousReport
    from auditor.rules.cross_year import CarryOver
    rep = FakeReport(year=2023, vals={"三": {"carry_over": {"natural_person": 3, "business": 0, "total": 3,
                                                            "research": None}}})
    prev = PreviousReport(year=2022, carried_forward={"natural_person": 2, "business": 0, "total": 2, "research": 1})
    found = list(CarryOver().check(rep, _ctx(prev)))
    assert [(f.location.column, f.expected, f.observed) for f in found] == [("自然人", 2, 3), ("总计", 2, 3)]
    assert found[0].location.row == "二、上年结转政府信息公开申请数量" and found[0].severity == "error"
    assert "2022" in found[0].message and "2023" in found[0].message
    ok = PreviousReport(year=2022, carried_forward={"natural_person": 3, "business": 0, "total": 3})
    assert list(CarryOver().check(rep, _ctx(ok))) == []
    # last year's report was a scan read by OCR: its number is a reading, so the difference is only a doubt
    scanned = PreviousReport(year=2022, carried_forward={"total": 2}, uncertain=True)
    [f] = CarryOver().check(rep, _ctx(scanned))
    assert f.severity == "warning" and "2022年度报告是图片版" in f.doubt


def test_reuse_rule_with_fakes():
    from auditor.audit import PreviousReport
    from auditor.rules.cross_year import Reuse
    text = ("本镇认真贯彻落实政府信息公开条例，坚持以公开为常态、不公开为例外，围绕重点领域信息公开、政策解读、"
            "回应关切等方面扎实推进政务公开工作，全年主动公开政府信息{n}条，政务新媒体发布信息{m}篇，"
            "进一步提升了政府工作透明度，切实保障了人民群众的知情权、参与权和监督权。")
    this = {"一": text.format(n=120, m=55), "五": "存在的问题：公开内容不够全面。改进措施：加强培训。"}
    prev = PreviousReport(year=2022, sections={"一": text.format(n=98, m=31).replace("2023", "2022"),
                                               "五": "问题：无。"})
    found = list(Reuse().check(FakeReport(year=2023, sections=this), _ctx(prev)))
    assert [f.section for f in found] == ["一"] and found[0].severity == "warning"
    other = PreviousReport(year=2022, sections={"一": "今年我县重点推进了财政预决算公开和重大建设项目批准实施信息公开，"
                                                    "新建了政府信息公开专栏，完善了依申请公开的登记、审核、办理、答复流程，"
                                                    "并对乡镇工作人员开展了两次专题培训。" * 2})
    assert list(Reuse().check(FakeReport(year=2023, sections=this), _ctx(other))) == []


def _replace_section(text: str, numeral: str, new_body: str) -> str:
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if re.match(rf"^{numeral}、", l.strip()))
    order = "一二三四五六"
    nxt = order[order.index(numeral) + 1] if numeral != "六" else None
    end = next((i for i in range(start + 1, len(lines)) if nxt and re.match(rf"^{nxt}、", lines[i].strip())
                and "政府信息" in lines[i] + "总体情况存在的主要问题其他需要报告"), len(lines))
    return "\n".join(lines[:start + 1] + [new_body] + lines[end:]) + "\n"


def _next_year(text: str, *, carry: str | None = None, fresh_text: bool = False) -> bytes:
    t = text.replace("2023", "2024").replace("2022", "2023")
    if carry is not None:
        t = re.sub(r"^(二、上年结转政府信息公开申请数量\t\t)[^\n]*$", lambda m: m.group(1) + carry, t, flags=re.M)
    if fresh_text:
        t = _replace_section(t, "一", "2023年，全镇围绕乡村振兴和基层治理，新开设了惠民惠农财政补贴资金公开栏目，对全部村务公开栏"
                                      "进行了规范化改造，组织各村干部参加政务公开业务培训三次，公开重大建设项目和民生实事"
                                      "办理进度，畅通了群众反映诉求的渠道，受到群众普遍好评。")
        t = _replace_section(t, "五", "本年度发现的主要问题是部分村务公开栏更新不及时、依申请公开办理流程不够熟悉。下一步将"
                                      "建立村务公开月度巡查制度，邀请县政务公开办专家到镇授课，并把公开工作纳入干部年度考核。")
    return t.encode("utf-8")


def _rules():
    from auditor.rules.cross_year import CarryOver, Reuse
    from auditor.rules.publication import DateUnknown, Late
    return [Late(), DateUnknown(), CarryOver(), Reuse()]


def _audit(data: bytes, source: str):
    from auditor.audit import AuditContext, audit_bytes
    # the body's name as configuration would give it (the parser may read it differently from rewritten text)
    return audit_bytes(data, AuditContext(source=source, body="盐锅峡镇人民政府"), _rules())


def test_two_years_through_the_database(db_url, tmp_path):
    """Year 2022 from the seed; a 2023 copy with a planted carry-over break and copied sections 一/五 gets X-CARRY and
    X-REUSE; a clean 2023 (carry matches, new text) gets neither."""
    from ogiaudit.pipeline import save_results
    from storage import queries
    from storage.db import session
    seed = (SEEDS / SEED).read_text(encoding="utf-8")
    settings = settings_for(db_url, tmp_path)
    first = _audit(seed.encode(), "y2022.txt")
    assert first.year == 2022 and first.values()["三"]["carried_forward"]["total"] == 0
    save_results(settings, [first], [None])

    bad = _audit(_next_year(seed, carry="2\t0\t0\t0\t0\t0\t2\t"), "y2023.txt")
    assert bad.year == 2023 and bad.values()["三"]["carry_over"]["total"] == 2
    save_results(settings, [bad], [None])
    with session(db_url) as s:
        rows = queries.findings(s, year=2023)
        carry = sorted((r["location"]["column"], r["expected"], r["observed"]) for r in rows if r["rule"] == "X-CARRY")
        assert carry == [("总计", 0, 2), ("自然人", 0, 2)]
        assert sorted(r["section"] for r in rows if r["rule"] == "X-REUSE") == ["一", "五"]
        assert not [r for r in queries.findings(s, year=2022) if r["rule"].startswith("X-")]
        hist = queries.body_history(s, "盐锅峡镇人民政府")
        assert [(h["year"], h["carry_over"], h["last_year_carried_forward"]) for h in hist] == [(2022, 0, None),
                                                                                                (2023, 2, 0)]
        assert "X-CARRY" in hist[1]["rules"] and not hist[1]["consistent"]

    # the body fixes its report: same carry as last year, new text -> the cross-year findings resolve
    good = _audit(_next_year(seed, fresh_text=True), "y2023.txt")
    save_results(settings, [good], [None])
    with session(db_url) as s:
        rows = [r for r in queries.findings(s, year=2023) if r["rule"].startswith("X-")]
        assert rows and all(r["status"] == "resolved" for r in rows), [(r["rule"], r["section"], r["status"], r["message"]) for r in rows]
        assert queries.reports(s, year=2023)[0]["consistent"] is True


def test_clean_second_year_has_no_cross_year_findings(sqlite_url, tmp_path):
    from ogiaudit.pipeline import save_results
    from storage import queries
    from storage.db import session
    seed = (SEEDS / SEED).read_text(encoding="utf-8")
    settings = settings_for(sqlite_url, tmp_path)
    save_results(settings, [_audit(seed.encode(), "a")], [None])
    save_results(settings, [_audit(_next_year(seed, fresh_text=True), "b")], [None])
    with session(sqlite_url) as s:
        assert [r for r in queries.findings(s) if r["rule"].startswith("X-")] == []


def test_pending_audit_finds_cross_year_whatever_the_order(db_url, tmp_path):
    """`audit --pending` over an archive where the later year was fetched first still checks it against the
    earlier one."""
    from datetime import datetime

    from ogiaudit.pipeline import audit_pending
    from storage import queries
    from storage.db import session
    from storage.repository import record_document
    seed = (SEEDS / SEED).read_text(encoding="utf-8")
    settings = settings_for(db_url, tmp_path)
    with session(db_url) as s:
        for url, data in (("http://x.gov.cn/2023.txt", _next_year(seed, carry="2\t0\t0\t0\t0\t0\t2\t")),
                          ("http://x.gov.cn/2022.txt", seed.encode())):
            record_document(s, url=url, data=data, archive_dir=tmp_path / "archive", content_type=None,
                            portal_id=None, body_name="盐锅峡镇人民政府", title=None, published=None,
                            published_source=None, fetched_at=datetime(2024, 3, 1))
    results = audit_pending(settings, progress=False, rules=_rules())
    assert sorted(r.year for r in results) == [2022, 2023]
    with session(db_url) as s:
        rows = queries.findings(s, year=2023)
        assert sorted(r["location"]["column"] for r in rows if r["rule"] == "X-CARRY") == ["总计", "自然人"]
        assert all(r["url"] == "http://x.gov.cn/2023.txt" for r in rows)
