"""`ogiaudit audit URL` against real hostile servers on loopback: compression bombs decoded under the cap, one
deadline for a slow drip, every redirect through the address guard (another loopback port or address, decimal and
IPv4-mapped forms, a name that resolves to loopback, the cloud metadata address), and no refused body echoed."""
from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time

import pytest

from tests.servers import Reply, serve


def audit(*urls: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "ogiaudit", "audit", *urls, "--format", "json"], capture_output=True,
                          text=True, timeout=180, env={**os.environ, **(env or {})})
    return proc, time.monotonic() - start


def _lines(proc) -> list[str]:
    assert "Traceback" not in proc.stderr
    return proc.stderr.strip().splitlines()


@pytest.fixture(scope="module")
def internal():
    """A server on another loopback address that no redirect may reach."""
    srv = serve({"/secret": Reply(b"INTERNAL-SECRET first line\n")}, host="127.0.0.2")
    yield srv
    srv.stop()


def _drip(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(120):
        try:
            handler.wfile.write(b"x")
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(0.5)


def _length_lie(handler):
    handler.send_response(200)
    handler.send_header("Content-Length", str(10 << 30))   # 10 GB announced, a few bytes sent
    handler.end_headers()
    handler.wfile.write(b"short")


@pytest.fixture(scope="module")
def portal(internal, seeds):
    import brotli

    port = internal.server_address[1]
    seed = seeds["000"].read_bytes()
    srv = serve({
        "/report.txt": Reply(seed, content_type="text/plain; charset=utf-8"),
        "/gzgz.txt": Reply(gzip.compress(gzip.compress(seed)), headers={"Content-Encoding": "gzip, gzip"}),
        "/br-bomb": Reply(brotli.compress(bytes(256 << 20), quality=5), headers={"Content-Encoding": "br"}),
        "/gzip-bomb": Reply(gzip.compress(bytes(128 << 20)), headers={"Content-Encoding": "gzip"}),
        "/gzip-in-gzip-bomb": Reply(gzip.compress(gzip.compress(bytes(256 << 20))),
                                    headers={"Content-Encoding": "gzip, gzip"}),
        "/length-lie": _length_lie,
        "/drip": _drip,
        "/to-internal": Reply(status=302, headers={"Location": f"{internal.base_url}/secret"}),
        "/to-other-port": Reply(status=302, headers={"Location": f"http://127.0.0.1:{port}/secret"}),
        "/to-decimal": Reply(status=302, headers={"Location": f"http://2130706434:{port}/secret"}),
        "/to-mapped": Reply(status=302, headers={"Location": f"http://[::ffff:127.0.0.2]:{port}/secret"}),
        "/to-name": Reply(status=302, headers={"Location": f"http://localhost:{port}/secret"}),
        "/to-metadata": Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
        "/to-file": Reply(status=302, headers={"Location": "file:///etc/passwd"}),
        "/loop": Reply(status=302, headers={"Location": "/loop"}),
        "/same-origin": Reply(status=301, headers={"Location": "/report.txt"}),
        "/forbidden": Reply(b"REFUSED-BODY-SECRET", status=403),
    })
    yield srv
    srv.stop()


def test_a_report_by_url_and_stacked_encodings(portal):
    proc, _ = audit(f"{portal.base_url}/report.txt", f"{portal.base_url}/gzgz.txt", f"{portal.base_url}/same-origin")
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["body"] for x in proc.stdout.splitlines()] == ["盐锅峡镇人民政府"] * 3


@pytest.mark.parametrize("path", ["/br-bomb", "/gzip-bomb", "/gzip-in-gzip-bomb", "/length-lie"])
def test_compression_bombs_and_lies_stop_at_the_cap(portal, path):
    proc, seconds = audit(f"{portal.base_url}{path}")
    [line] = _lines(proc)
    assert proc.returncode == 2 and "64 MB" in line, line
    assert seconds < 30


def test_slow_drip_is_cut_at_the_deadline(portal):
    proc, seconds = audit(f"{portal.base_url}/drip", env={"OGIAUDIT_DOWNLOAD_SECONDS": "3"})
    [line] = _lines(proc)
    assert "下载超时" in line and seconds < 3 + 20


@pytest.mark.parametrize("path", ["/to-internal", "/to-other-port", "/to-decimal", "/to-mapped", "/to-name",
                                  "/to-metadata"])
def test_no_redirect_reaches_another_private_address(portal, internal, path):
    before = len(internal.log)
    proc, seconds = audit(f"{portal.base_url}{path}")
    [line] = _lines(proc)
    assert proc.returncode == 2 and "不访问私有" in line, line
    assert "INTERNAL-SECRET" not in proc.stderr + proc.stdout
    assert len(internal.log) == before, "a redirect reached the internal server"
    assert seconds < 30


def test_other_schemes_loops_and_refusals(portal):
    proc, _ = audit(f"{portal.base_url}/to-file", f"{portal.base_url}/loop", f"{portal.base_url}/forbidden")
    lines = _lines(proc)
    assert len(lines) == 3 and proc.returncode == 2
    assert "非 http(s)" in lines[0] and "重定向超过" in lines[1] and "HTTP 403" in lines[2]
    assert "REFUSED-BODY-SECRET" not in proc.stderr + proc.stdout


def test_ipv6_loopback_server_is_guarded_too(portal):
    try:
        six = serve({"/secret": Reply(b"V6-SECRET")}, host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    try:
        redirect = serve({"/go": Reply(status=302, headers={"Location": f"{six.base_url}/secret"})})
        try:
            proc, _ = audit(f"{redirect.base_url}/go")
        finally:
            redirect.stop()
        [line] = _lines(proc)
        assert "不访问私有" in line and six.log == []
    finally:
        six.stop()

