"""Digests and operator alerts to DingTalk, WeCom and Feishu group bots, against loopback servers that speak each
service's API: accepted, refused (retried next run), signed, never sent twice, secrets never shown."""
from __future__ import annotations

import logging
from datetime import date, datetime

import pytest

from ogiaudit.digest.deliver import run_digests
from ogiaudit.portals import BodySpec, Portal
from ogiaudit.settings import ConfigError, load_settings
from webhook_servers import SECRET, TOKEN, Bot, message_text

AS_OF = date(2024, 3, 4)
T0 = datetime(2024, 3, 1, 2, 0)
KINDS = ("dingtalk", "wecom", "feishu")


@pytest.fixture
def db(tmp_path):
    from storage.db import connect, dispose
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    connect(url)
    yield url
    dispose(url)


@pytest.fixture
def bots():
    made = {k: Bot(k, SECRET if k != "wecom" else None) for k in KINDS}
    yield made
    for b in made.values():
        b.close()


def portals(*recipients):
    return [Portal(id="yj", name="永靖县人民政府", region=["甘肃省"], start_urls=["http://yj.example/"],
                   supervisor=list(recipients), bodies=[BodySpec("盐锅峡镇人民政府", "township")])]


def settings_for(tmp_path, db, bots, *, secret=SECRET, base_url="http://desk.example.gov.cn/", operator=None):
    cfg = tmp_path / "ogiaudit.toml"
    lines = [f'database_url = "{db}"']
    if operator:
        lines.append(f'operator = "{operator}"')
    lines += ["[web]", f'base_url = "{base_url}"']
    for kind, bot in bots.items():
        lines += [f"[channels.{kind}]", f'kind = "{kind}"', f'webhook = "{bot.webhook}"', "timeout = 5"]
        if kind != "wecom" and secret:
            lines.append(f'secret = "{secret}"')
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_settings(cfg)


def seed(db, n_errors=3):
    from storage.db import session
    from storage.models import Body, Finding
    with session(db) as s:
        body = Body(portal_id="yj", name="盐锅峡镇人民政府", configured=True)
        s.add(body)
        s.flush()
        for k in range(n_errors):
            s.add(Finding(body_id=body.id, portal_id="yj", year=2023, url="http://yj.example/nb.html", rule="T3-BAL",
                          severity="error", location={"table": "三", "row": f"第{k}行", "column": "总计"},
                          expected=12 + k, observed=10, message="表三不平衡", fingerprint=f"fp{k}",
                          first_seen=T0, last_seen=T0))
        return body.id


def sent_rows(db):
    from sqlmodel import select

    from storage.db import session
    from storage.models import Delivery
    with session(db, readonly=True) as s:
        return {d.recipient: d for d in s.exec(select(Delivery)).all()}


@pytest.mark.parametrize("kind", KINDS)
def test_message_accepted_short_with_counts_numbers_and_link(tmp_path, db, bots, kind):
    seed(db)
    settings = settings_for(tmp_path, db, bots)
    out = run_digests(settings, as_of=AS_OF, portals=portals(f"channel:{kind}"))
    assert [(o.recipient, o.status) for o in out] == [(f"channel:{kind}", "sent")]
    assert len(bots[kind].received) == 1
    text = message_text(kind, bots[kind].received[0])
    assert "新增问题3条" in text and "盐锅峡镇人民政府" in text and "应为 12，实为 10" in text
    assert "http://desk.example.gov.cn/" in text
    assert len(text.encode()) < 4096
    assert sent_rows(db)[f"channel:{kind}"].sent_at is not None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("http_error", [False, True])
def test_refused_is_not_marked_sent_and_the_next_run_sends_it_once(tmp_path, db, bots, kind, http_error):
    seed(db)
    settings = settings_for(tmp_path, db, bots)
    bots[kind].refuse, bots[kind].http_error = 1, http_error
    first = run_digests(settings, as_of=AS_OF, portals=portals(f"channel:{kind}"))
    assert first[0].status == "failed" and first[0].error
    row = sent_rows(db)[f"channel:{kind}"]
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert bots[kind].received == []
    second = run_digests(settings, as_of=AS_OF, portals=portals(f"channel:{kind}"))
    assert second[0].status == "sent" and second[0].delivery_id == first[0].delivery_id
    third = run_digests(settings, as_of=AS_OF, portals=portals(f"channel:{kind}"))
    assert third[0].status in ("nothing-new", "already-sent")
    assert len(bots[kind].received) == 1


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
def test_signature_checked_by_the_service(tmp_path, db, bots, kind):
    seed(db)
    wrong = settings_for(tmp_path, db, bots, secret="SECwrong-secret-value")
    out = run_digests(wrong, as_of=AS_OF, portals=portals(f"channel:{kind}"))
    assert out[0].status == "failed" and ("310000" in out[0].error or "19021" in out[0].error)
    unsigned = settings_for(tmp_path, db, bots, secret=None)
    assert run_digests(unsigned, as_of=AS_OF, portals=portals(f"channel:{kind}"))[0].status == "failed"
    right = settings_for(tmp_path, db, bots)
    assert run_digests(right, as_of=AS_OF, portals=portals(f"channel:{kind}"))[0].status == "sent"
    assert len(bots[kind].received) == 1


def test_nothing_sent_twice_across_channels_and_new_findings_go_once(tmp_path, db, bots):
    body = seed(db)
    settings = settings_for(tmp_path, db, bots)
    everyone = portals(*(f"channel:{k}" for k in KINDS))
    def at(day):
        return lambda: datetime(2024, 3, day, 8)
    assert {o.status for o in run_digests(settings, as_of=AS_OF, portals=everyone, now=at(4))} == {"sent"}
    assert {o.status for o in run_digests(settings, as_of=AS_OF, portals=everyone, now=at(4))} == {"nothing-new"}
    from storage.db import session
    from storage.models import Finding
    with session(db) as s:
        s.add(Finding(body_id=body, portal_id="yj", year=2023, rule="T4-SUM", severity="error", message="表四",
                      fingerprint="new", first_seen=datetime(2024, 3, 5), last_seen=datetime(2024, 3, 5)))
    assert {o.status for o in run_digests(settings, as_of=AS_OF, portals=everyone, now=at(6))} == {"sent"}
    assert {o.status for o in run_digests(settings, as_of=AS_OF, portals=everyone, now=at(6))} == {"nothing-new"}
    assert [len(b.received) for b in bots.values()] == [2, 2, 2]


def test_long_digest_respects_each_service_limit(tmp_path, db, bots):
    from storage.db import session
    from storage.models import Body, Finding
    with session(db) as s:
        for k in range(60):
            b = Body(portal_id="yj", name=f"第{k}个很长名字的乡镇人民政府街道办事处" * 3, configured=True)
            s.add(b)
            s.flush()
            s.add(Finding(body_id=b.id, portal_id="yj", year=2023, rule="T3-TOTAL", severity="error",
                          location={"table": "三", "row": "（七）总计" * 5, "column": "总计"}, expected=k, observed=0,
                          message="m", fingerprint=f"f{k}", first_seen=T0, last_seen=T0))
    settings = settings_for(tmp_path, db, bots)
    out = run_digests(settings, as_of=AS_OF, portals=portals(*(f"channel:{k}" for k in KINDS)))
    assert {o.status for o in out} == {"sent"}
    wecom = bots["wecom"].received[0]["markdown"]["content"]
    assert len(wecom.encode()) <= 4096 and "另有" in wecom


def test_crawled_markup_in_a_body_name_is_not_markup(tmp_path, db, bots):
    from storage.db import session
    from storage.models import Body, Finding
    with session(db) as s:
        b = Body(portal_id="yj", name="[点我](http://evil.example/)镇", configured=True)
        s.add(b)
        s.flush()
        s.add(Finding(body_id=b.id, portal_id="yj", year=2023, rule="T3-BAL", severity="error", message="m",
                      fingerprint="x", first_seen=T0, last_seen=T0))
    run_digests(settings_for(tmp_path, db, bots), as_of=AS_OF, portals=portals("channel:dingtalk", "channel:wecom"))
    for kind in ("dingtalk", "wecom"):
        text = message_text(kind, bots[kind].received[0])
        assert "](http://evil" not in text and "［点我］" in text


def test_operator_alerts_to_a_channel(tmp_path, db, bots):
    from storage.db import session
    from storage.models import ExtractionProblem
    with session(db) as s:
        s.add(ExtractionProblem(url="http://yj.example/a.pdf", portal_id="yj", error="PDF 文件已加密", when=T0))
    settings = settings_for(tmp_path, db, bots, operator="channel:feishu")
    out = run_digests(settings, as_of=AS_OF, portals=portals())
    assert [(o.kind, o.status) for o in out] == [("operator", "sent")]
    assert "PDF 文件已加密" in message_text("feishu", bots["feishu"].received[0])
    assert run_digests(settings, as_of=AS_OF, portals=portals())[0].status == "nothing-new"


def test_unknown_channel_is_a_config_error(tmp_path, db, bots):
    settings = settings_for(tmp_path, db, bots)
    with pytest.raises(ConfigError, match=r"\[channels.nosuch\]"):
        run_digests(settings, as_of=AS_OF, portals=portals("channel:nosuch"))


def test_secrets_never_in_output_logs_or_the_ledger(tmp_path, db, bots, caplog, capsys):
    seed(db)
    settings = settings_for(tmp_path, db, bots)
    for bot in bots.values():
        bot.refuse = 1
    caplog.set_level(logging.DEBUG)
    everyone = portals(*(f"channel:{k}" for k in KINDS))
    failed = run_digests(settings, as_of=AS_OF, portals=everyone)
    assert {o.status for o in failed} == {"failed"}
    sent = run_digests(settings, as_of=AS_OF, portals=everyone)
    assert {o.status for o in sent} == {"sent"}
    shown = caplog.text + capsys.readouterr().out + repr(settings) + "".join(o.error for o in failed)
    shown += "".join(str(r.last_error) for r in sent_rows(db).values())
    assert TOKEN not in shown and SECRET not in shown


def test_digest_command_dry_run_writes_channel_messages_without_secrets(tmp_path, db, bots):
    from typer.testing import CliRunner

    from ogiaudit.cli import app
    seed(db)
    cfg = tmp_path / "ogiaudit.toml"
    settings_for(tmp_path, db, bots)
    portals_file = tmp_path / "portals.toml"
    portals_file.write_text('[[portal]]\nid = "yj"\nname = "永靖县人民政府"\nregion = ["甘肃省"]\n'
                            'start_urls = ["http://yj.example/"]\nsupervisor = ["channel:dingtalk"]\n', encoding="utf-8")
    out = tmp_path / "outbox"
    result = CliRunner().invoke(app, ["digest", "--config", str(cfg), "--portals", str(portals_file), "--outbox",
                                      str(out), "--as-of", "2024-03-04"])
    assert result.exit_code == 0, result.output
    assert "channel:dingtalk" in result.output and TOKEN not in result.output
    written = list(out.glob("*.json"))
    assert len(written) == 1 and "新增问题3条" in written[0].read_text(encoding="utf-8")
    assert TOKEN not in written[0].read_text(encoding="utf-8") and bots["dingtalk"].received == []


@pytest.mark.parametrize("confirmed_only", [False, True])
def test_channels_follow_the_review_desks_verdicts(tmp_path, db, bots, confirmed_only):
    """Group-bot digests carry what e-mail digests carry: a dismissed finding is never sent, and with
    `[digest] confirmed_only = true` only the errors a reviewer confirmed."""
    from sqlmodel import select

    from storage.db import session
    from storage.models import Finding
    from storage.review import review

    seed(db, n_errors=3)
    with session(db) as s:
        first, second, _third = s.exec(select(Finding).order_by(Finding.id)).all()
        review(s, first.id, "dismiss", "审核员张三", "表格已在更正版中改正")
        review(s, second.id, "confirm", "审核员张三")
    settings = settings_for(tmp_path, db, {"feishu": bots["feishu"]})
    settings.digest.confirmed_only = confirmed_only
    out = run_digests(settings, as_of=AS_OF, portals=portals("channel:feishu"))
    assert out[0].status == "sent"
    [body] = bots["feishu"].received
    text = message_text("feishu", body)
    assert "第0行" not in text                                          # dismissed: never sent
    if confirmed_only:
        assert "新增问题1条" in text and "第1行" in text and "第2行" not in text   # only the confirmed error
    else:
        assert "新增问题2条" in text
