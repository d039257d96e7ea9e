"""The OCR engines behind one seam: selected by name, each a real engine reading a rendered page."""
from __future__ import annotations

import pytest

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
    page = next(i for i in range(6) if "本年新收" in page_text(pdf, i))
    png = render.pdf_page_to_png(pdf, page, dpi=200)
    engine.use(name)
    document = extract(png)
    assert document.ocr and document.format == "image"
    t3 = next(t for t in document.tables() if any("本年新收" in c for r in t.rows for c in r))
    assert t3.grid and len(t3.rows) >= 10 and any("予以公开" in c for r in t3.rows for c in r)


def page_text(pdf: bytes, i: int) -> str:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument(pdf)
    try:
        return "".join(doc[i].get_textpage().get_text_range().split())
    finally:
        doc.close()


def test_missing_engine_is_one_line(engine, monkeypatch):
    monkeypatch.setattr(engine, "_rapidocr", lambda: None)
    engine.use("rapidocr")
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("L", (400, 200), 255).save(buf, format="PNG")
    with pytest.raises(ExtractionError, match="rapidocr-onnxruntime"):
        extract(buf.getvalue())
