"""Hostile documents at the command line: each costs one Chinese line, within 60 s and 1.5 GB, and the next input is
still audited.  The command runs in a child process under RLIMIT_AS = 1.5 GB, so a regression fails the test
instead of taking the machine down; the peak memory of the command and its sandbox worker is measured."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests import hostile
from tests.render import tesseract_ready

LIMIT = 1536 << 20          # the acceptance bound: 1.5 GB
SECONDS = 60.0
WRAP = """
import os, resource, runpy, sys
limit = int(os.environ["T_LIMIT"])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
try:
    sys.argv = ["ogiaudit", *sys.argv[1:]]
    runpy.run_module("ogiaudit", run_name="__main__")
finally:
    from auditor.extract import _sandbox
    _sandbox.stop()   # reaped now, so that its peak is counted below
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    open(os.environ["T_PEAK"], "w").write(str(peak * 1024))
"""


def audit(tmp_path, *inputs: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float, int]:
    """`ogiaudit audit INPUTS --format json` under the memory limit: (process, seconds, peak bytes)."""
    peak = tmp_path / "peak"
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", WRAP, "audit", *inputs, "--format", "json"], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "T_LIMIT": str(LIMIT), "T_PEAK": str(peak),
                                                       **(env or {})})
    return proc, time.monotonic() - start, int(peak.read_text()) if peak.exists() else 0


BOMBS = {
    "docx-grid-before.docx": (hostile.docx_grid_before, "列"),
    "docx-wide-spans.docx": (hostile.docx_wide_spans, "列"),
    "docx-billion-laughs.docx": (hostile.docx_billion_laughs, "XML"),
    "html-spans.html": (hostile.html_spans, "单元格"),
    "pdf-shared-glyphs.pdf": (hostile.pdf_shared_glyphs, "字符"),
    "pdf-flate-bomb.pdf": (hostile.pdf_flate_bomb, "内存上限"),
    "tiff-frames.tif": (hostile.tiff_frames, "图片过大"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_each_bomb_is_one_line_and_the_next_input_is_audited(tmp_path, seeds, name):
    make, needle = BOMBS[name]
    bomb = tmp_path / name
    bomb.write_bytes(make())
    assert bomb.stat().st_size < 5 << 20          # a small file: what it expands to is the attack
    proc, seconds, peak = audit(tmp_path, str(bomb), str(seeds["000"]))
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"ogiaudit: {bomb}: ") and needle in line, line
    assert proc.returncode == 2
    first, second = (json.loads(x) for x in proc.stdout.splitlines())
    assert first["error"] and not first["findings"]
    assert "PUB-LATE" in {f["rule"] for f in second["findings"]}     # the next document is audited as usual
    assert seconds < SECONDS, f"{name} took {seconds:.0f} s"
    assert 0 < peak < LIMIT, f"{name} peaked at {peak >> 20} MB"


def test_ocr_stops_at_the_documents_deadline(tmp_path, seeds):
    reason = tesseract_ready()
    if reason:
        pytest.skip(reason)
    dense = tmp_path / "dense.tif"
    dense.write_bytes(hostile.tiff_dense(6))
    proc, seconds, _ = audit(tmp_path, str(dense), str(seeds["000"]), env={"OGIAUDIT_EXTRACT_SECONDS": "6"})
    [line] = proc.stderr.strip().splitlines()
    assert ("OCR" in line or "超时" in line or "没有识别出" in line), line
    assert seconds < 6 + 20   # the budget, the grace, starting the command
    assert "PUB-LATE" in {f["rule"] for f in json.loads(proc.stdout.splitlines()[1])["findings"]}


def test_a_worker_that_overruns_is_killed_and_replaced(monkeypatch):
    """The parent's own deadline: a document the worker cannot finish in time is one line, and the next document
    gets a fresh worker."""
    from auditor.extract import ExtractionError, _sandbox

    monkeypatch.setattr(_sandbox, "GRACE", 0.0)   # no grace: the parent's deadline, not the worker's own
    slow = hostile.pdf([hostile.dense_text(25_000)] * 300, shared=True)   # seconds of work, under every cap
    start = time.monotonic()
    with pytest.raises(ExtractionError, match="读取超时"):
        _sandbox.extract(slow, "pdf", budget=0.5)
    assert time.monotonic() - start < 5
    document = _sandbox.extract(hostile.pdf([b"BT /F1 12 Tf 72 700 Td (Hello report) Tj ET"]), "pdf")
    assert "Hello" in document.paragraphs()[0]


# --- what looked hostile but is a report: read in full, never refused or emptied ---------------------------------
def _rules(proc) -> set:
    assert proc.returncode in (0, 1), proc.stderr
    return {f["rule"] for f in json.loads(proc.stdout.splitlines()[0])["findings"]}


def _page(seeds) -> bytes:
    from auditor.extract import extract
    from tests.helpers import to_html

    return to_html(extract(seeds["000"].read_bytes()))


@pytest.mark.parametrize("depth", [300, 3000])
def test_deeply_nested_html_keeps_its_content(tmp_path, seeds, depth):
    plain, deep = tmp_path / "plain.html", tmp_path / "deep.html"
    plain.write_bytes(_page(seeds))
    deep.write_bytes(hostile.nested(_page(seeds), depth))
    want, got = _rules(audit(tmp_path, str(plain))[0]), _rules(audit(tmp_path, str(deep))[0])
    assert "SEC-MISSING" not in got and got == want


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_with_a_bom_is_read(tmp_path, seeds, encoding):
    text = seeds["000"].read_text(encoding="utf-8")
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(("\ufeff" + text).encode(encoding))
    assert _rules(audit(tmp_path, str(path))[0]) == _rules(audit(tmp_path, str(seeds["000"]))[0])


def test_utf8_page_that_says_gbk_and_invisible_characters(tmp_path, seeds):
    page = _page(seeds).replace(b'charset="utf-8"', b'charset="gbk"')
    sneaky = page.replace("总体情况".encode(), "总\u200b体\u202e情况".encode())
    plain, gbk, hidden = tmp_path / "p.html", tmp_path / "g.html", tmp_path / "h.html"
    plain.write_bytes(_page(seeds))
    gbk.write_bytes(page)
    hidden.write_bytes(sneaky)
    want = _rules(audit(tmp_path, str(plain))[0])
    assert _rules(audit(tmp_path, str(gbk))[0]) == want
    assert _rules(audit(tmp_path, str(hidden))[0]) == want
