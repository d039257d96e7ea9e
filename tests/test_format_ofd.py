"""OFD reports: the seeds and a real PDF written as OFD (as a PDF→OFD converter does) give the findings and table
values of the PDF; hostile packages get one Chinese line."""
from __future__ import annotations

import io
import zipfile

import pytest

import ofd_writer
import render
from auditor.audit import audit_bytes
from auditor.extract import ExtractionError, extract, sniff

needs_lo = pytest.mark.skipif(render.soffice() is None, reason="LibreOffice (soffice) not installed")


@needs_lo
@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_seed_as_ofd_gives_the_findings_of_the_pdf(seeds, seed):
    pdf = render.rendered(seeds[seed], "pdf")
    ofd = ofd_writer.pdf_to_ofd(pdf, signed=True)
    assert sniff(ofd) == "ofd"
    a, b = audit_bytes(ofd), audit_bytes(pdf)
    assert a.format == "ofd" and not a.ocr
    assert render.finding_keys(a) == render.finding_keys(b)
    assert a.values() == b.values()
    assert any(t.grid for t in a.report.document.tables())   # ruled tables rebuilt as grids


def test_real_pdf_as_ofd(realdata):
    pdf = (realdata / "洪泽区_2024.pdf").read_bytes()
    a, b = audit_bytes(ofd_writer.pdf_to_ofd(pdf)), audit_bytes(pdf)
    assert render.finding_keys(a) == render.finding_keys(b)
    assert a.values() == b.values() and a.values()["三"]


def test_ofd_is_audited_from_the_command_line(seeds, tmp_path):
    import json

    from typer.testing import CliRunner

    from ogiaudit.cli import app
    path = tmp_path / "report.bin"     # the name says nothing: the bytes are sniffed
    path.write_bytes(ofd_writer.pdf_to_ofd(render.rendered(seeds["000"], "pdf")))
    res = CliRunner().invoke(app, ["audit", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)       # nothing but the JSON line on stdout
    assert {"PUB-LATE", "TBL-CELL"} <= {f["rule"] for f in out["findings"]}


# --- hostile packages ------------------------------------------------------------------------------------------

def small_ofd(seeds) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(ofd_writer.pdf_to_ofd(render.rendered(seeds["004"], "pdf"), signed=True)))
    return {i.filename: z.read(i) for i in z.infolist()}


def one_line(data: bytes) -> str:
    with pytest.raises(ExtractionError) as exc:
        extract(data)
    message = str(exc.value)
    assert "\n" not in message and message
    return message


def test_zip_bomb_declared(seeds):
    files = small_ofd(seeds)
    files["Doc_0/Res/bomb.bin"] = b"\0" * (210 * 1024 * 1024)
    assert "压缩炸弹" in one_line(ofd_writer.package(files))


def test_zip_bomb_with_a_lying_header(seeds):
    files = small_ofd(seeds)
    files["Doc_0/Res/bomb.xml.bin"] = b"\0" * (30 * 1024 * 1024)
    data = bytearray(ofd_writer.package(files))
    # shrink the declared size of the bomb in both headers: inflating must stop at the declared size
    name = b"Doc_0/Res/bomb.xml.bin"
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = 0
        while (at := data.find(sig, at)) != -1:
            n = int.from_bytes(data[at + (26 if sig == b"PK\x03\x04" else 28):][:2], "little")
            start = at + (30 if sig == b"PK\x03\x04" else 46)
            if data[start:start + n] == name:
                data[at + off:at + off + 4] = (1000).to_bytes(4, "little")
            at += 4
    message = one_line(bytes(data))
    assert "压缩炸弹" in message or "损坏" in message


def test_xml_entities_are_refused(seeds):
    files = small_ofd(seeds)
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
              b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><ofd:Page xmlns:ofd="http://www.ofdspec.org/2016">'
              b'&lol3;</ofd:Page>')
    files["Doc_0/Pages/Page_0/Content.xml"] = laughs
    assert "XML 实体" in one_line(ofd_writer.package(files))
    files = small_ofd(seeds)
    files["OFD.xml"] = files["OFD.xml"].replace(b"?>", b'?><!DOCTYPE x SYSTEM "file:///etc/passwd">', 1)
    assert "XML 实体" in one_line(ofd_writer.package(files))


def test_broken_signature(seeds):
    files = small_ofd(seeds)
    files["Doc_0/Pages/Page_0/Content.xml"] = files["Doc_0/Pages/Page_0/Content.xml"].replace("0".encode(), b"1", 1)
    assert "签章" in one_line(ofd_writer.package(files)) and "改动" in one_line(ofd_writer.package(files))
    files = small_ofd(seeds)
    del files["Doc_0/Signs/Sign_0/Signature.xml"]
    assert "签章" in one_line(ofd_writer.package(files))


def test_broken_packages(seeds):
    data = ofd_writer.pdf_to_ofd(render.rendered(seeds["004"], "pdf"))
    assert "损坏" in one_line(data[: len(data) // 2])
    files = small_ofd(seeds)
    files["Doc_0/Document.xml"] = b"<ofd:Document xmlns:ofd='x'><unclosed>"
    one_line(ofd_writer.package(files))
    assert "OFD.xml" in one_line(ofd_writer.package({"Doc_0/Document.xml": b"<a/>", "x/OFD.xml.bak": b"OFD.xml"},
                                                    first="x/OFD.xml.bak"))


@needs_lo
@pytest.mark.skipif(render.tesseract_ready() is not None, reason=render.tesseract_ready() or "")
def test_image_only_ofd_is_read_by_ocr(seeds, tmp_path, monkeypatch):
    """A scanned report as OFD, written by easyofd itself (one picture per page)."""
    import warnings

    from loguru import logger
    from PIL import Image
    pdf = render.rendered(seeds["004"], "pdf")
    page = Image.open(io.BytesIO(render.pdf_page_to_png(pdf, 2, dpi=200))).convert("RGB")
    logger.disable("easyofd")
    monkeypatch.chdir(tmp_path)  # easyofd's writer unpacks into ./test
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from easyofd import OFD
        data = OFD().jpg2ofd([page])
    assert sniff(data) == "ofd"
    document = extract(data)
    assert document.format == "ofd" and document.ocr and "图片版 OFD" in document.warnings[-1]
    t3 = next(t for t in document.tables() if any("本年新收" in c for r in t.rows for c in r))
    assert t3.grid and any("予以" in c for r in t3.rows for c in r)
