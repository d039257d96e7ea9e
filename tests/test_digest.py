"""Digests against a real SMTP server (aiosmtpd on 127.0.0.1): recipients, subject, body, attachments, retries,
idempotence, waived findings, escaping; dry run to an outbox; the operations digest."""
from __future__ import annotations

import csv
import email
import io
import json
import socket
import time
from datetime import date, datetime, timedelta
from email import policy

import pytest

pytest.importorskip("aiosmtpd")
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
from aiosmtpd.controller import Controller  # noqa: E402

from conftest_db import pg_url  # noqa: E402,F401  (PostgreSQL when reachable, else skipped)
from ogiaudit.digest.deliver import run_digests  # noqa: E402
from ogiaudit.portals import BodySpec, Portal  # noqa: E402
from ogiaudit.settings import load_settings  # noqa: E402

AS_OF = date(2024, 3, 4)
T0 = datetime(2024, 3, 1, 2, 0)


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    handler = Collector()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    box = {"handler": handler, "port": port, "ctl": ctl}
    yield box
    try:
        box["ctl"].stop()
    except Exception:
        pass


@pytest.fixture
def db(tmp_path):
    from storage.db import connect, dispose
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    connect(url)
    yield url
    dispose(url)


def settings_for(tmp_path, db, port, operator=None):
    cfg = tmp_path / "none.toml"
    cfg.write_text("", encoding="utf-8")
    return load_settings(cfg, database_url=db, operator=operator,
                         smtp={"host": "127.0.0.1", "port": port, "security": "none", "sender": "审核 <bot@audit.example>",
                               "timeout": 5})


PORTALS = [
    Portal(id="yj", name="永靖县人民政府", region=["甘肃省"], start_urls=["http://yj.example/"],
           supervisor=["a@sup.example"], bodies=[BodySpec("盐锅峡镇人民政府", "township")]),
    Portal(id="hz", name="洪泽区人民政府", region=["江苏省"], start_urls=["http://hz.example/"],
           supervisor=["b@sup.example", "a@sup.example"], bodies=[BodySpec("洪泽区教育局", "department")]),
]


def add_body(url, portal, name):
    from storage.db import session
    from storage.models import Body
    with session(url) as s:
        b = Body(portal_id=portal, name=name, configured=True)
        s.add(b)
        s.flush()
        return b.id


def add_finding(url, body_id, portal, rule, severity="error", *, year=2023, status="open", first_seen=T0,
                location=None, expected=None, observed=None, message="消息", evidence=None, fp=None,
                resolved_at=None, doc_url="http://yj.example/nb2023.html"):
    from storage.db import session
    from storage.models import Finding
    with session(url) as s:
        f = Finding(body_id=body_id, portal_id=portal, year=year, url=None if rule == "PUB-MISSING" else doc_url,
                    rule=rule, severity=severity, location=location, expected=expected, observed=observed,
                    message=message, evidence=evidence, fingerprint=fp or f"{rule}-{body_id}-{year}-{message}",
                    first_seen=first_seen, last_seen=first_seen, status=status, resolved_at=resolved_at)
        s.add(f)
        s.flush()
        return f.id


def deliveries(url):
    from sqlmodel import select

    from storage.db import session
    from storage.models import Delivery
    with session(url, readonly=True) as s:
        return list(s.exec(select(Delivery).order_by(Delivery.id)).all())


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def parts(msg):
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    files = {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
    return text, html, files


@pytest.fixture
def seeded(db):
    return seed(db)


def seed(db):
    yg = add_body(db, "yj", "盐锅峡镇人民政府")
    edu = add_body(db, "hz", "洪泽区教育局")
    ids = {
        "bal": add_finding(db, yg, "yj", "T3-BAL", location={"table": "三", "row": "一、本年新收政府信息公开申请数量",
                                                            "column": "总计"},
                           expected=12, observed=10, message="表三总计不平衡", evidence="本年新收 10 件"),
        "late": add_finding(db, yg, "yj", "PUB-LATE", expected="2024-01-31", observed="2024-02-21",
                            message="逾期发布"),
        "waived": add_finding(db, yg, "yj", "SEC-MISSING", status="waived", message="豁免的缺失章节XYZ"),
        "warn": add_finding(db, yg, "yj", "CNT-FEE", severity="warning", message="未说明信息处理费"),
        "missing": add_finding(db, edu, "hz", "PUB-MISSING", message="未发布2023年度报告"),
        "old": add_finding(db, edu, "hz", "T4-SUM", year=2022, message="表四合计错误（旧）"),
    }
    return ids


def test_supervisor_digests_arrive_with_content_and_attachments(tmp_path, db, smtp, seeded):
    settings = settings_for(tmp_path, db, smtp["port"])
    outcomes = run_digests(settings, as_of=AS_OF, portals=PORTALS)
    assert sorted((o.recipient, o.status) for o in outcomes) == [("a@sup.example", "sent"), ("b@sup.example", "sent")]
    got = {tuple(rcpt): parse(raw) for _, rcpt, raw in smtp["handler"].messages}
    assert set(got) == {("a@sup.example",), ("b@sup.example",)}

    a = got[("a@sup.example",)]
    assert a["To"] == "a@sup.example"
    assert "政务公开年报审核" in a["Subject"] and "永靖县人民政府、洪泽区人民政府" in a["Subject"]
    assert "新增问题4条" in a["Subject"]
    assert a["Message-ID"].startswith("<ogiaudit.supervisor.") and a["Message-ID"].endswith("@audit.example>")
    text, html, files = parts(a)
    for part in (text, html):
        assert "盐锅峡镇人民政府" in part and "洪泽区教育局" in part
        assert "T3-BAL" in part and "表三" in part and "一、本年新收政府信息公开申请数量" in part and "总计" in part
        assert "http://yj.example/nb2023.html" in part
        assert "豁免的缺失章节XYZ" not in part            # waived: absent
        assert "未说明信息处理费" in part                  # warning: in the "to review" list
        assert "待复核" in part
        assert "与上年比较" in part
    assert "应为 12，实为 10" in text
    assert "应为 12，实为 10" in html
    assert "期限 2024-01-31，发布 2024-02-21（逾期21天）" in text
    assert "逾期 21 天" in text                           # late report with days late
    assert "未发布年度报告（1）" in text
    assert "新增问题4条，仍未整改0条，已整改0条" in text    # the summary line

    name_x = "ogiaudit-findings-2024-03-04.xlsx"
    name_c = "ogiaudit-findings-2024-03-04.csv"
    assert set(files) == {name_x, name_c}
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(files[name_x])).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("状态", "门户", "机构", "年度", "规则")
    assert {r[4] for r in rows[1:]} == {"T3-BAL", "PUB-LATE", "PUB-MISSING", "T4-SUM"}
    bal = next(r for r in rows if r[4] == "T3-BAL")
    assert bal[7:12] == ("三", "一、本年新收政府信息公开申请数量", "总计", 12, 10)   # numbers, not text
    assert bal[1] == "永靖县人民政府" and bal[5] == "错误" and bal[0] == "新增"     # names and words, not codes
    assert ws.auto_filter.ref and ws.cell(2, 15).hyperlink is not None
    csv_text = files[name_c].decode("utf-8-sig") if isinstance(files[name_c], bytes) else files[name_c].lstrip("\ufeff")
    crows = list(csv.reader(io.StringIO(csv_text)))
    assert len(crows) == 5 and "豁免的缺失章节XYZ" not in csv_text and "CNT-FEE" not in csv_text

    b = got[("b@sup.example",)]
    text_b, _, _ = parts(b)
    assert "洪泽区教育局" in text_b and "盐锅峡镇人民政府" not in text_b
    assert "新增问题2条" in b["Subject"]

    rows = deliveries(db)
    assert len(rows) == 2 and all(r.sent_at is not None and r.attempts == 1 for r in rows)
    assert set(json.loads(rows[0].finding_ids)) <= set(seeded.values())


def test_second_run_sends_nothing_then_only_what_is_new(tmp_path, db, smtp, seeded):
    settings = settings_for(tmp_path, db, smtp["port"])
    run_digests(settings, as_of=AS_OF, portals=PORTALS)
    assert len(smtp["handler"].messages) == 2
    outcomes = run_digests(settings, as_of=AS_OF, portals=PORTALS)
    assert {o.status for o in outcomes} == {"nothing-new"}
    assert len(smtp["handler"].messages) == 2 and len(deliveries(db)) == 2

    # a new finding in 洪泽 (both a@ and b@) and a resolved one in 永靖 (a@ only)
    from storage.db import session
    from storage.models import Finding
    later = datetime.utcnow() + timedelta(seconds=1)
    edu = 2
    add_finding(db, edu, "hz", "T3-ROW", first_seen=later, message="表三行合计错误")
    with session(db) as s:
        f = s.get(Finding, seeded["bal"])
        f.status, f.resolved_at = "resolved", later
        s.add(f)
    outcomes = {o.recipient: o for o in run_digests(settings, as_of=AS_OF + timedelta(days=7), portals=PORTALS)}
    assert outcomes["a@sup.example"].status == "sent" and outcomes["b@sup.example"].status == "sent"
    new = {tuple(r): parse(raw) for _, r, raw in smtp["handler"].messages[2:]}
    a_text = parts(new[("a@sup.example",)])[0]
    assert "新增问题1条，仍未整改3条，已整改1条" in a_text
    assert "[新增] 2023年度 T3-ROW" in a_text and "[已整改] 2023年度 T3-BAL" in a_text
    assert "已整改1条" in new[("a@sup.example",)]["Subject"]
    assert "新增问题1条" in new[("b@sup.example",)]["Subject"]


def test_server_down_nothing_marked_sent_and_next_run_delivers_once(tmp_path, db, smtp, seeded):
    server_down_scenario(tmp_path, db, smtp)


@pytest.mark.postgres
def test_server_down_and_retry_on_postgresql(tmp_path, pg_url, smtp):
    from storage.db import connect
    connect(pg_url)
    seed(pg_url)
    server_down_scenario(tmp_path, pg_url, smtp)


def server_down_scenario(tmp_path, db, smtp):
    settings = settings_for(tmp_path, db, smtp["port"])
    smtp["ctl"].stop()
    outcomes = run_digests(settings, as_of=AS_OF, portals=PORTALS)
    assert {o.status for o in outcomes} == {"failed"}
    rows = deliveries(db)
    assert len(rows) == 2 and all(r.sent_at is None and r.attempts == 1 and r.last_error for r in rows)
    ids = {r.recipient: r.id for r in rows}

    ctl = Controller(smtp["handler"], hostname="127.0.0.1", port=smtp["port"])
    for _ in range(50):
        try:
            ctl.start()
            break
        except Exception:  # the port may take a moment to be free again
            time.sleep(0.1)
    smtp["ctl"] = ctl
    outcomes = run_digests(settings, as_of=AS_OF, portals=PORTALS)
    assert {o.status for o in outcomes} == {"sent"}
    msgs = smtp["handler"].messages
    assert len(msgs) == 2
    rows = deliveries(db)
    assert len(rows) == 2 and all(r.sent_at is not None and r.attempts == 2 and r.last_error is None for r in rows)
    for _, rcpt, raw in msgs:   # the same delivery row, so the same Message-ID a retry can be recognised by
        assert parse(raw)["Message-ID"].startswith(f"<ogiaudit.supervisor.{ids[rcpt[0]]}.")
    assert {o.status for o in run_digests(settings, as_of=AS_OF, portals=PORTALS)} == {"nothing-new"}
    assert len(smtp["handler"].messages) == 2


def test_crawled_text_is_escaped_and_cannot_break_headers(tmp_path, db, smtp):
    evil_body = '<script>alert("x")</script><b>镇</b>'
    portals = [Portal(id="ev", name="恶意县\r\nBcc: evil@attacker.example", region=[], start_urls=["http://e.example/"],
                      supervisor=["c@sup.example"])]
    bid = add_body(db, "ev", evil_body)
    add_finding(db, bid, "ev", "T3-TOTAL", message='总计<img src=x onerror=alert(1)>', evidence="=HYPERLINK(\"http://x\")",
                doc_url="javascript:alert(1)")
    settings = settings_for(tmp_path, db, smtp["port"])
    outcomes = run_digests(settings, as_of=AS_OF, portals=portals)
    assert [o.status for o in outcomes] == ["sent"]
    [(_, rcpt, raw)] = smtp["handler"].messages
    assert rcpt == ["c@sup.example"]
    msg = parse(raw)
    assert msg["Bcc"] is None and "evil@attacker.example" not in str(msg["To"])
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in header_block and b"\nBcc:" not in header_block
    text, html, files = parts(msg)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "javascript:" not in html                       # not a link
    assert evil_body in text                                # plain text keeps the text as it is
    from openpyxl import load_workbook
    ws = load_workbook(io.BytesIO(files["ogiaudit-findings-2024-03-04.xlsx"])).active
    evidence = [r[13] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert evidence == ["'=HYPERLINK(\"http://x\")"]      # never a formula


def test_dry_run_writes_eml_files_and_records_nothing(tmp_path, db, seeded):
    settings = settings_for(tmp_path, db, 9)  # no server needed
    out = tmp_path / "outbox"
    outcomes = run_digests(settings, as_of=AS_OF, portals=PORTALS, dry_run=True, outbox=out)
    assert {o.status for o in outcomes} == {"written"}
    files = sorted(p.name for p in out.glob("*.eml"))
    assert files == ["supervisor-a@sup.example.eml", "supervisor-b@sup.example.eml"]
    msg = parse((out / files[0]).read_bytes())
    assert msg["To"] == "a@sup.example" and "盐锅峡镇人民政府" in parts(msg)[0]
    assert deliveries(db) == []


def test_operations_digest_to_operator(tmp_path, db, smtp, seeded):
    from storage.db import session
    from storage.models import Crawl, ExtractionProblem
    with session(db) as s:
        for i in range(3):
            t = T0 + timedelta(days=i)
            s.add(Crawl(portal_id="yj", started=t, finished=t, ok=False, complete=False, errors=[f"连接超时{i}"]))
        s.add(Crawl(portal_id="hz", started=T0, finished=T0, ok=True, complete=True, documents=0, pages=4))
        s.add(ExtractionProblem(url="http://hz.example/a.pdf", portal_id="hz", error="PDF 已损坏<x>", when=T0))
    settings = settings_for(tmp_path, db, smtp["port"], operator="ops@audit.example")
    outcomes = {o.recipient: o.status for o in run_digests(settings, as_of=AS_OF, portals=PORTALS)}
    assert outcomes["ops@audit.example"] == "sent"
    ops = [parse(raw) for _, rcpt, raw in smtp["handler"].messages if rcpt == ["ops@audit.example"]]
    assert len(ops) == 1
    text, html, files = parts(ops[0])
    assert files == {}
    assert "yj：连续失败 3 次" in text and "连接超时2" in text
    assert "hz" in text and "找到0份文件" in text
    assert "http://hz.example/a.pdf" in text and "PDF 已损坏&lt;x&gt;" in html
    assert "运维" in ops[0]["Subject"]
    # same problems, or fewer: nothing new, not sent again
    again = {o.recipient: o.status for o in run_digests(settings, as_of=AS_OF, portals=PORTALS)}
    assert again["ops@audit.example"] == "nothing-new"
    with session(db) as s:
        s.add(Crawl(portal_id="hz", started=T0 + timedelta(days=5), finished=T0 + timedelta(days=5), ok=True,
                    complete=True, documents=3, pages=4))
    again = {o.recipient: o.status for o in run_digests(settings, as_of=AS_OF, portals=PORTALS)}
    assert again["ops@audit.example"] == "nothing-new"
    # a new problem: the digest lists everything still wrong
    with session(db) as s:
        s.add(ExtractionProblem(url="http://yj.example/b.pdf", portal_id="yj", error="加密的 PDF", when=T0))
    again = {o.recipient: o.status for o in run_digests(settings, as_of=AS_OF, portals=PORTALS)}
    assert again["ops@audit.example"] == "sent"
    last = parts([parse(raw) for _, rcpt, raw in smtp["handler"].messages if rcpt == ["ops@audit.example"]][-1])[0]
    assert "加密的 PDF" in last and "PDF 已损坏" in last and "找到0份文件" not in last


def test_login_with_password_from_environment(tmp_path, db, seeded, monkeypatch):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"bot" and auth_data.password == b"s3cret"
        seen.append(ok)
        return AuthResult(success=ok)

    handler = Collector()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator,
                     auth_require_tls=False, auth_required=True)
    ctl.start()
    try:
        monkeypatch.setenv("OGIAUDIT_SMTP__PASSWORD", "s3cret")
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "bot"\n', encoding="utf-8")
        settings = load_settings(cfg, database_url=db)
        assert settings.smtp.password.get_secret_value() == "s3cret"
        outcomes = run_digests(settings, as_of=AS_OF, portals=PORTALS)
        assert {o.status for o in outcomes} == {"sent"} and seen and all(seen)
        assert len(handler.messages) == 2
    finally:
        ctl.stop()


def test_digest_command_dry_run(tmp_path, db, seeded):
    import typer
    from typer.testing import CliRunner

    from ogiaudit.commands import digest as cmd
    app = typer.Typer()
    cmd.register(app)

    @app.callback()
    def _root():
        pass

    ptoml = tmp_path / "p.toml"
    ptoml.write_text('[[portal]]\nid = "yj"\nname = "永靖县人民政府"\nstart_urls = ["http://yj.example/"]\n'
                     'supervisor = "a@sup.example"\n', encoding="utf-8")
    cfg = tmp_path / "c.toml"
    cfg.write_text("", encoding="utf-8")
    out = tmp_path / "outbox"
    res = CliRunner().invoke(app, ["digest", "--dry-run", "--outbox", str(out), "--as-of", "2024-03-04",
                                   "--database", db, "--portals", str(ptoml), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    assert "a@sup.example：已写入发件箱" in res.output
    assert [p.name for p in out.glob("*.eml")] == ["supervisor-a@sup.example.eml"]


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.utcnow()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    d = tmp_path_factory.mktemp("tls")
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return d / "cert.pem", d / "key.pem"


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_starttls_and_ssl_with_login(tmp_path, db, seeded, tls_files, monkeypatch, security):
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword
    cert, key = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, session.ssl is not None or security == "ssl"))
        return AuthResult(success=isinstance(auth_data, LoginPassword) and auth_data.password == b"pw")

    handler = Collector()
    port = free_port()
    # aiosmtpd does not count implicit TLS as TLS for AUTH (it only knows STARTTLS): allow AUTH there explicitly
    kwargs = ({"tls_context": server_ctx, "require_starttls": True} if security == "starttls"
              else {"ssl_context": server_ctx, "auth_require_tls": False})
    ctl = Controller(handler, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_required=True,
                     **kwargs)
    ctl.start()
    try:
        monkeypatch.setenv("OGIAUDIT_SMTP__PASSWORD", "pw")
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\nuser = "bot"\n'
                       f'ca_file = "{cert}"\n', encoding="utf-8")
        settings = load_settings(cfg, database_url=db)
        outcomes = run_digests(settings, as_of=AS_OF, portals=PORTALS)
        assert {o.status for o in outcomes} == {"sent"}, outcomes
        assert len(handler.messages) == 2 and logins and all(l == (b"bot", True) for l in logins)
    finally:
        ctl.stop()


def test_untrusted_certificate_is_a_failure_not_sent(tmp_path, db, seeded, tls_files):
    import ssl
    cert, key = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    handler = Collector()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_ctx, require_starttls=True)
    ctl.start()
    try:
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "starttls"\n', encoding="utf-8")
        outcomes = run_digests(load_settings(cfg, database_url=db), as_of=AS_OF, portals=PORTALS)
        assert {o.status for o in outcomes} == {"failed"} and "CERTIFICATE" in outcomes[0].error.upper()
        assert handler.messages == [] and all(r.sent_at is None for r in deliveries(db))
    finally:
        ctl.stop()


def test_user_without_password_is_a_config_error(tmp_path, db, monkeypatch):
    from ogiaudit.settings import ConfigError
    monkeypatch.delenv("OGIAUDIT_SMTP__PASSWORD", raising=False)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[smtp]\nuser = "bot"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="OGIAUDIT_SMTP__PASSWORD"):
        run_digests(load_settings(cfg, database_url=db), as_of=AS_OF, portals=PORTALS)
    cfg.write_text('[smtp]\npassword = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="环境变量"):
        load_settings(cfg)


def test_with_the_storage_writers(tmp_path, db, smtp):
    """Data written the way `ogiaudit run` writes it (storage.repository): PUB-MISSING, a waiver, crawls, problems."""
    from auditor.findings import Finding, Location
    from auditor.rules.publication import missing_finding
    from storage import repository as repo
    from storage.db import session
    from storage.models import Finding as FindingRow
    from sqlmodel import select
    with session(db) as s:
        repo.store_extra_finding(s, portal_id="yj", body="刘家峡镇人民政府", year=2023,
                                 finding=missing_finding("刘家峡镇人民政府", 2023, date(2024, 1, 31), "http://yj.example/"),
                                 url=None)
        repo.store_extra_finding(s, portal_id="yj", body="盐锅峡镇人民政府", year=2023,
                                 finding=Finding(rule="T3-ROW", severity="error", message="行合计不符WAIVEME",
                                                 location=Location("三", "一、本年新收政府信息公开申请数量", "总计"),
                                                 expected=5, observed=6), url="http://yj.example/a.html")
        for i in range(3):
            repo.record_crawl(s, portal_id="hz", started=T0 + timedelta(hours=i), finished=T0 + timedelta(hours=i),
                              ok=False, complete=False, errors=["DNS 解析失败"], pages=0, documents=0)
        repo.record_problem(s, url="http://yj.example/bad.doc", portal_id="yj", error="无法转换 .doc", when=T0)
    with session(db) as s:
        waive_id = s.exec(select(FindingRow.id).where(FindingRow.rule == "T3-ROW")).one()
        repo.waive(s, waive_id, reason="已核实为印刷错误", by="tester")
    settings = settings_for(tmp_path, db, smtp["port"], operator="ops@audit.example")
    outcomes = {o.recipient: o.status for o in run_digests(settings, as_of=AS_OF, portals=PORTALS[:1])}
    assert outcomes == {"a@sup.example": "sent", "ops@audit.example": "sent"}
    msgs = {tuple(r): parse(raw) for _, r, raw in smtp["handler"].messages}
    text = parts(msgs[("a@sup.example",)])[0]
    assert "刘家峡镇人民政府（2023年度）" in text and "期限 2024-01-31" in text
    assert "WAIVEME" not in text and "新增问题1条" in text
    ops = parts(msgs[("ops@audit.example",)])[0]
    assert "hz：连续失败 3 次" in ops and "DNS 解析失败" in ops and "http://yj.example/bad.doc" in ops


def test_scheduled_digest_job_runs_the_real_command_in_a_child(tmp_path, db, smtp, seeded):
    """The scheduler's digest job: `ogiaudit digest` in a child process, configured by the same file."""
    from ogiaudit import schedule as sched
    ptoml = tmp_path / "portals.toml"
    ptoml.write_text('[[portal]]\nid = "hz"\nname = "洪泽区人民政府"\nstart_urls = ["http://hz.example/"]\n'
                     'supervisor = "b@sup.example"\n', encoding="utf-8")
    cfg = tmp_path / "ogiaudit.toml"
    cfg.write_text(f'database_url = "{db}"\nportals = ["{ptoml}"]\n[smtp]\nhost = "127.0.0.1"\nport = {smtp["port"]}\n'
                   'security = "none"\nsender = "bot@audit.example"\n', encoding="utf-8")
    settings = load_settings(cfg)
    spec = {s["id"]: s for s in sched.job_specs(settings, config=cfg)}[sched.JOB_DIGEST]
    status = sched.run_job(**spec["kwargs"])
    assert status == "ok"
    [(mail_from, rcpt, raw)] = smtp["handler"].messages
    assert mail_from == "bot@audit.example" and rcpt == ["b@sup.example"]
    assert "洪泽区教育局" in parts(parse(raw))[0]
    assert sched.run_job(**spec["kwargs"]) == "skipped"      # the same day: already run


def test_refused_recipient_is_not_marked_sent(tmp_path, db, seeded):
    class Refusing(Collector):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("b@"):
                return "550 5.1.1 没有这个用户"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    handler = Refusing()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        outcomes = {o.recipient: o for o in run_digests(settings_for(tmp_path, db, port), as_of=AS_OF,
                                                       portals=PORTALS)}
        assert outcomes["a@sup.example"].status == "sent"
        assert outcomes["b@sup.example"].status == "failed" and "550" in outcomes["b@sup.example"].error
        sent = {r.recipient: r.sent_at is not None for r in deliveries(db)}
        assert sent == {"a@sup.example": True, "b@sup.example": False}
        assert [m[1] for m in handler.messages] == [["a@sup.example"]]
    finally:
        ctl.stop()


def test_dry_run_without_outbox_only_reports(tmp_path, db, seeded):
    outcomes = run_digests(settings_for(tmp_path, db, 9), as_of=AS_OF, portals=PORTALS, dry_run=True)
    assert {o.status for o in outcomes} == {"dry-run"} and deliveries(db) == []
