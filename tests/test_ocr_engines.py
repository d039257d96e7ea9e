"""The OCR engines behind one seam: selected by name, each a real engine reading a rendered page."""
from __future__ import annotations

import pytest

import pdfops
import render
from auditor.extract import ExtractionError, extract, ocr_engines


@pytest.fixture
def engine():
    before = ocr_engines.current()
    yield ocr_engines
    ocr_engines.use(before)


def test_selected_by_name(engine):
    assert engine.current() in engine.NAMES and engine.DEFAULT == "tesseract"
    assert engine.use("RapidOCR") == "rapidocr" and engine.current() == "rapidocr"
    assert engine.use(None) == "rapidocr"
    with pytest.raises(ValueError, match="tesseract/rapidocr"):
        engine.use("paddle")


def test_configuration_chooses_the_engine(engine, tmp_path):
    from ogiaudit.settings import ConfigError, load_settings
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ocr]\nengine = "rapidocr"\n', encoding="utf-8")
    load_settings(cfg)
    assert engine.current() == "rapidocr"
    cfg.write_text('[ocr]\nengine = "easyocr"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="ocr.engine"):
        load_settings(cfg)


@pytest.mark.slow
@pytest.mark.skipif(render.soffice() is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("name", ["rapidocr", "tesseract"])
def test_each_engine_reads_a_table_page(engine, seeds, name):
    if engine.missing(name):
        pytest.skip(engine.missing(name))
    pdf = render.rendered(seeds["004"], "pdf")
    page = next(i for i, text in enumerate(pdfops.page_texts(pdf)) if "本年新收" in text)
    png = render.pdf_page_to_png(pdf, page, dpi=200)
    engine.use(name)
    document = extract(png)
    assert document.ocr and document.format == "image"
    t3 = next(t for t in document.tables() if any("本年新收" in c for r in t.rows for c in r))
    assert t3.grid and len(t3.rows) >= 10 and any("予以公开" in c for r in t3.rows for c in r)


def test_missing_engine_is_one_line(engine, monkeypatch):
    monkeypatch.setenv("OGIAUDIT_SANDBOX", "0")      # read here, where the package is hidden
    monkeypatch.setattr(engine, "_rapidocr", lambda: False)
    engine.use("rapidocr")
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("L", (400, 200), 255).save(buf, format="PNG")
    with pytest.raises(ExtractionError, match="rapidocr-onnxruntime"):
        extract(buf.getvalue())


@pytest.mark.slow
def test_rapidocr_stops_at_the_documents_deadline(tmp_path, seeds):
    """`audit --ocr-engine rapidocr` on a dense six-page scan with a 6-second budget: one line saying the OCR time
    ran out, in time, the next input audited, and no page process left behind (RapidOCR reads a page in a process
    killed at its timeout, as Tesseract does: tests/test_hostile_documents.py)."""
    import json
    import os
    import subprocess
    import sys
    import time
    import uuid

    from tests import hostile

    name = "rapidocr"
    if ocr_engines.missing(name):
        pytest.skip(ocr_engines.missing(name))
    dense = tmp_path / "dense.tif"
    dense.write_bytes(hostile.tiff_dense(6))
    mark = f"ocr-deadline-{uuid.uuid4().hex}"
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "ogiaudit", "audit", str(dense), str(seeds["000"]), "--format",
                           "json", "--ocr-engine", name], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OGIAUDIT_EXTRACT_SECONDS": "6", "T_MARK": mark})
    seconds = time.monotonic() - start
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"ogiaudit: {dense}: ") and "超时" in line, line
    assert seconds < 6 + 20, f"{seconds:.0f} s"    # the budget, the grace, starting the command
    assert "PUB-LATE" in {f["rule"] for f in json.loads(proc.stdout.splitlines()[1])["findings"]}
    assert not _processes_marked(mark)


def _processes_marked(mark: str) -> list[int]:
    import os

    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if f"T_MARK={mark}".encode() in fh.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found
