"""`ogiaudit web` as a command: it binds loopback by default and answers only to the names it is served as."""
from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

from ogiaudit.commands.web import allowed_hosts


def test_allowed_hosts():
    assert allowed_hosts("127.0.0.1", None) == ["127.0.0.1", "localhost"]
    assert allowed_hosts("10.0.0.5", ["shenhe.example.gov.cn"]) == ["10.0.0.5", "shenhe.example.gov.cn"]


def test_all_interfaces_need_a_server_name(tmp_path):
    r = subprocess.run([sys.executable, "-m", "ogiaudit", "web", "--host", "0.0.0.0", "--database",
                        f"sqlite:///{tmp_path / 'a.db'}"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--server-name" in r.stderr


def test_the_command_serves_the_login_on_loopback(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "ogiaudit", "web", "--port", str(port), "--database",
                             f"sqlite:///{tmp_path / 'a.db'}"], stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/login", timeout=5)
                break
            except httpx.TransportError:
                assert time.time() < deadline and proc.poll() is None, proc.stderr.read() if proc.poll() else "timeout"
                time.sleep(0.3)
        assert r.status_code == 200 and 'name="username"' in r.text and 'name="password"' in r.text
        assert httpx.get(f"http://127.0.0.1:{port}/overview").status_code == 303
        assert httpx.get(f"http://127.0.0.1:{port}/login", headers={"Host": "attacker.example"}).status_code == 400
    finally:
        proc.terminate()
        proc.wait(30)   # a loaded machine (CI) takes its time to stop a server
