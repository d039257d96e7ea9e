"""The review desk's security, against the real application on a loopback port and the demo database: logins,
reviewer scope by page, direct URL and forged form post, CSRF, escaping of crawled text, session expiry, slowed and
counted wrong passwords, host names not served."""
from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx
import pytest

from desk_helpers import PASSWORD, add_user, csrf, finding_ids, login, make_demo, report_id, serve

A, B = "sample-yongjing", "sample-hongze"   # the reviewer's county, and another one


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = make_demo(tmp_path_factory.mktemp("desk") / "demo")
    add_user(url, "admin", "admin")
    add_user(url, "reviewer_a", "reviewer", portals=[A])
    add_user(url, "gansu", "reviewer", regions=["甘肃省"])
    add_user(url, "viewer", "viewer")
    return url


@pytest.fixture(scope="module")
def desk(demo):
    with serve(demo) as base:
        yield base


def test_every_page_needs_a_login(desk):
    c = httpx.Client(base_url=desk, follow_redirects=False)
    for path in ("/overview", "/reports/1", "/findings", "/export/findings.xlsx", "/reports/1/original"):
        r = c.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    assert c.get("/api/findings?year=2022").status_code == 401


def test_reviewer_never_sees_another_county(desk, demo):
    c = login(desk, "reviewer_a")
    theirs, other = report_id(demo, A), report_id(demo, B)
    assert c.get(f"/reports/{theirs}").status_code == 200
    for path in (f"/reports/{other}", f"/reports/{other}/original", f"/reports/{other}/pages/1.png"):
        assert c.get(path).status_code in (403, 404), path
    body_b = re.search(r'href="/bodies/(\d+)"', login(desk, "admin").get(f"/reports/{other}").text).group(1)
    assert c.get(f"/bodies/{body_b}").status_code in (403, 404)
    api = c.get("/api/findings?year=2022").json()["findings"] + c.get("/api/findings?year=2024").json()["findings"]
    assert api and {f["portal"] for f in api} == {A}
    for path in ("/findings", "/reports", "/overview?year=2024", "/bodies?q=镇"):
        assert "洪泽区" not in c.get(path).text, path
    # a reviewer of a region sees its portals (甘肃省: yongjing) and nothing else
    g = login(desk, "gansu")
    assert g.get(f"/reports/{theirs}").status_code == 200 and g.get(f"/reports/{other}").status_code == 404


def test_forged_review_of_another_county_is_refused(desk, demo):
    c = login(desk, "reviewer_a")
    token = csrf(c.get("/overview").text)
    target = finding_ids(demo, B)[0]
    r = c.post(f"/findings/{target}/review", data={"action": "confirm", "csrf_token": token})
    assert r.status_code in (403, 404)
    r = c.post(f"/findings/{target}/review", data={"action": "waive", "reason": "伪造", "csrf_token": token})
    assert r.status_code in (403, 404)
    admin = login(desk, "admin")
    page = admin.get(f"/reports/{report_id(demo, B)}").text
    assert "审核记录" not in page and "已豁免" not in page
    own = finding_ids(demo, A)[0]
    assert c.post(f"/findings/{own}/review", data={"action": "confirm", "csrf_token": token}).status_code == 303


def test_a_viewer_cannot_review(desk, demo):
    c = login(desk, "viewer")
    token = csrf(c.get("/overview").text)
    r = c.post(f"/findings/{finding_ids(demo, A)[0]}/review", data={"action": "confirm", "csrf_token": token})
    assert r.status_code == 403
    assert "<form class=\"review\"" not in c.get(f"/reports/{report_id(demo, A)}").text


def test_a_post_without_csrf_token_is_refused(desk, demo):
    c = login(desk, "admin")
    fid = finding_ids(demo, A)[-1]
    assert c.post(f"/findings/{fid}/review", data={"action": "confirm"}).status_code == 403
    assert c.post(f"/findings/{fid}/review", data={"action": "confirm", "csrf_token": "x" * 43}).status_code == 403
    assert c.post("/logout", data={}).status_code == 403
    fresh = httpx.Client(base_url=desk, follow_redirects=False)
    r = fresh.post("/login", data={"username": "admin", "password": PASSWORD})
    assert r.status_code == 403 and fresh.get("/overview").status_code == 303
    from sqlmodel import select

    from storage import db
    from storage.review import ReviewActionRow
    with db.session(demo, readonly=True) as s:
        assert s.exec(select(ReviewActionRow).where(ReviewActionRow.finding_id == fid)).first() is None


def test_crawled_text_is_escaped(desk, demo):
    from sqlmodel import select

    from storage import db
    from storage.models import FindingRow, ReportRow
    rid = report_id(demo, A)
    with db.session(demo) as s:
        report = s.get(ReportRow, rid)
        report.title = '<script>alert("x")</script>年度报告'
        s.add(report)
        f = s.exec(select(FindingRow).where(FindingRow.report_id == rid)).first()
        f.evidence = '<img src=x onerror="alert(1)">'
        s.add(f)
    c = login(desk, "admin")
    for path in (f"/reports/{rid}", "/reports?year=2022"):
        page = c.get(path).text
        assert '<script>alert("x")' not in page and "&lt;script&gt;alert(" in page, path
    assert "<img src=x" not in c.get(f"/reports/{rid}").text
    assert "script-src 'self'" in c.get("/overview").headers["content-security-policy"]


def test_the_archived_original_is_a_download_never_a_page(desk, demo):
    c = login(desk, "admin")
    r = c.get(f"/reports/{report_id(demo, A)}/original")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment")
    assert r.headers["content-type"] == "application/octet-stream" and "sandbox" in r.headers["content-security-policy"]


def test_sessions_expire_and_cookies_are_httponly(demo):
    from ogiaudit.web.auth import Policy
    with serve(demo, policy=Policy(session_seconds=2)) as base:
        import httpx as h
        c = h.Client(base_url=base, follow_redirects=False)
        page = c.get("/login")
        r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf(page.text)})
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=2" in cookie
        assert c.get("/overview").status_code == 200
        time.sleep(2.5)
        r = c.get("/overview")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        # a cookie kept past its time (the browser would drop it) is refused by the server too
        c.cookies.set("ogiaudit_desk", c.cookies.get("ogiaudit_desk") or "")
        assert c.get("/findings").status_code == 303


def test_a_tampered_cookie_is_refused(desk):
    c = login(desk, "viewer")
    value = c.cookies.get("ogiaudit_desk")
    c.cookies.clear()
    c.cookies.set("ogiaudit_desk", value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB"))
    assert c.get("/overview").status_code == 303


def test_wrong_passwords_are_slowed_counted_and_lock_the_account(demo):
    from ogiaudit.web.auth import Policy
    from storage import db, review
    add_user(demo, "target", "viewer")
    with serve(demo, policy=Policy(fail_delay=0.6, fail_limit=3, lock_seconds=60)) as base:
        c = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
        for attempt in range(3):
            token = csrf(c.get("/login").text)
            started = time.monotonic()
            r = c.post("/login", data={"username": "target", "password": "wrong-guess", "csrf_token": token})
            assert r.status_code == 401 and time.monotonic() - started >= 0.6
            assert "用户名或密码错误" in r.text
        with db.session(demo, readonly=True) as s:
            user = review.get_user(s, "target")
            assert user.failed_logins == 3 and user.locked_until is not None
        token = csrf(c.get("/login").text)
        r = c.post("/login", data={"username": "target", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 401 and "锁定" in r.text
        token = csrf(c.get("/login").text)
        started = time.monotonic()
        r = c.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token})
        assert r.status_code == 401 and time.monotonic() - started >= 0.6


def test_a_host_name_not_served_is_refused(desk):
    c = httpx.Client(base_url=desk, follow_redirects=False)
    assert c.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert c.get("/login", headers={"Host": "localhost"}).status_code == 200


def test_next_never_leaves_the_site(desk):
    c = httpx.Client(base_url=desk, follow_redirects=False)
    token = csrf(c.get("/login").text)
    r = c.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf_token": token,
                               "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/overview"


def test_a_new_password_ends_old_sessions(desk, demo):
    from ogiaudit.web.auth import hash_password
    from storage import db, review
    add_user(demo, "mover", "viewer")
    c = login(desk, "mover")
    assert c.get("/overview").status_code == 200
    with db.session(demo) as s:
        review.set_password(s, "mover", hash_password("another password"))
    assert c.get("/overview").status_code == 303
    assert login(desk, "mover", "another password").get("/overview").status_code == 200


def test_users_command(demo, tmp_path):
    def run(*args, password=None):
        return subprocess.run([sys.executable, "-m", "ogiaudit", "users", *args, "--database", demo],
                              input=password, capture_output=True, text=True, timeout=120)
    r = run("add", "clerk", "--role", "reviewer", "--scope", A, password="long enough pw\n")
    assert r.returncode == 0, r.stderr
    r = run("add", "noscope", "--role", "reviewer", password="long enough pw\n")
    assert r.returncode == 2 and "--scope" in r.stderr
    r = run("add", "short", "--role", "viewer", password="short\n")
    assert r.returncode == 2 and "至少8个字符" in r.stderr
    r = run("add", "clerk", "--role", "viewer", password="long enough pw\n")
    assert r.returncode == 2 and "已存在" in r.stderr
    listed = run("list").stdout
    assert "clerk\t审核人\t范围：sample-yongjing" in listed
    assert run("passwd", "clerk", password="a new long pw\n").returncode == 0
    assert run("remove", "clerk").returncode == 0 and "clerk" not in run("list").stdout
    assert run("remove", "clerk").returncode == 2


def _pdf_report(url: str) -> int:
    from sqlmodel import select

    from storage import db
    from storage.models import ReportRow
    with db.session(url, readonly=True) as s:
        return s.exec(select(ReportRow.id).where(ReportRow.format == "pdf").order_by(ReportRow.id)).first()


def test_page_images_are_drawn_apart_from_the_desk(desk, demo):
    """Pages are drawn by pdfium, which is not thread-safe, from crawled bytes: each in a child process.  Several
    pages asked for at once all arrive as pictures, and the desk goes on answering."""
    from concurrent.futures import ThreadPoolExecutor

    c = login(desk, "admin")
    rid = _pdf_report(demo)
    assert rid is not None
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda p: c.get(f"/reports/{rid}/pages/{p}.png"), [1, 2, 3, 1, 2, 3]))
    assert [r.status_code for r in answers] == [200] * 6
    assert all(r.headers["content-type"] == "image/png" and r.content.startswith(b"\x89PNG") for r in answers)
    assert c.get(f"/reports/{rid}/pages/299.png").status_code == 404
    assert c.get("/overview").status_code == 200


def test_a_page_bomb_costs_one_picture(tmp_path):
    """An archived picture that declares 40,000 × 40,000 pixels (1.6 GB once decoded) in a few kilobytes: no
    picture, in seconds, and nothing held by the desk's process."""
    import struct
    import zlib

    from ogiaudit.web import pageimage

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    side = 40_000
    rows = zlib.compress(b"\x00" * (side + 1) * 64)   # only the first rows: the header is what is believed
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    start = time.monotonic()
    assert pageimage.page_png(str(bomb), "image", 1) is None
    assert time.monotonic() - start < pageimage.SECONDS + 5
    assert pageimage.page_png(str(tmp_path / "missing.pdf"), "pdf", 1) is None
