"""Hostile files: each ends with a one-line ExtractionError or a bounded, clear result, in bounded time, and the
next file in the same run is still audited."""
from __future__ import annotations

import io
import os
import random
import struct
import time
import zipfile
import zlib

import pytest

import pdfops

from auditor.audit import audit_bytes
from auditor.extract import MAX_BYTES, ExtractionError, extract
from auditor.extract._files import read_report_file

FAST = 10.0  # seconds any hostile file may take


def _refused(data: bytes, *needles: str) -> str:
    start = time.perf_counter()
    with pytest.raises(ExtractionError) as exc:
        extract(data)
    elapsed = time.perf_counter() - start
    message = str(exc.value)
    assert message and "\n" not in message and "Traceback" not in message
    assert elapsed < FAST, f"took {elapsed:.1f} s"
    for needle in needles:
        assert needle in message, message
    return message


@pytest.fixture(scope="module")
def hongze(realdata) -> bytes:
    return (realdata / "洪泽区_2024.pdf").read_bytes()


def test_encrypted_pdf(hongze):
    pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) makes the encrypted PDF")
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(hongze)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    _refused(buf.getvalue(), "加密")


def test_truncated_pdf_is_an_error_or_a_partial_document(hongze):
    start = time.perf_counter()
    try:
        document = extract(hongze[: len(hongze) // 2])
    except ExtractionError as exc:
        assert "\n" not in str(exc)
    else:  # pdfium rebuilt what it could: a bounded result, never more than the file had
        assert document.pages is not None and document.pages <= 5
    assert time.perf_counter() - start < FAST


def test_random_bytes_behind_a_pdf_header():
    rng = random.Random(3)
    _refused(b"%PDF-1.7\n" + bytes(rng.getrandbits(8) for _ in range(200_000)), "PDF")


def test_pdf_header_only():
    _refused(b"%PDF-1.4\n%%EOF\n", "PDF")


def test_thousand_page_pdf_is_refused_quickly():
    _refused(pdfops.blank_pdf(1000), "页数过多", "1000")


def _patch_sizes(data: bytes, member: bytes, size: int) -> bytes:
    """Make the zip's headers claim `size` uncompressed bytes for `member`."""
    out = bytearray(data)
    pos = 0
    while (pos := out.find(b"PK\x03\x04", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 26)[0]
        if out[pos + 30: pos + 30 + n] == member:
            struct.pack_into("<I", out, pos + 22, size)
        pos += 4
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        n = struct.unpack_from("<H", out, pos + 28)[0]
        if out[pos + 46: pos + 46 + n] == member:
            struct.pack_into("<I", out, pos + 24, size)
        pos += 4
    return bytes(out)


def _docx_with(document_xml: bytes, level: int = 9) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def test_docx_zip_bomb_that_says_so():
    """word/document.xml expands to 1 GB of zeros (about 1 MB compressed): refused from the zip directory,
    nothing is inflated."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (16 << 20)
            for _ in range(64):
                fh.write(chunk)
    data = buf.getvalue()
    assert len(data) < 8 << 20
    _refused(data, "压缩炸弹")


def test_docx_whose_header_claims_gigabytes():
    data = _patch_sizes(_docx_with(b"<w:document/>"), b"word/document.xml", 0xF0000000)
    _refused(data, "压缩炸弹")


def test_docx_that_expands_beyond_what_it_declares():
    """The header claims 2 KB; the stream inflates to 50 MB: never more than the declared size is inflated."""
    big = b"<?xml version='1.0'?>" + b" " * (50 << 20)
    data = _patch_sizes(_docx_with(big), b"word/document.xml", 2048)
    _refused(data)


def test_corrupt_and_truncated_docx(realdata):
    template = (realdata / "blank_template_2021_format.docx").read_bytes()
    _refused(template[: len(template) // 2])
    _refused(b"PK\x03\x04" + b"word/" + bytes(5000))
    _refused(_docx_with(b"<w:document><w:body><w:p>unclosed"), "XML")


def test_xml_entity_expansion_is_not_expanded():
    lol = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
           + b"".join(b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8))
           + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
           + b"<w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>")
    start = time.perf_counter()
    try:
        document = extract(_docx_with(lol))
        assert sum(len(p) for p in document.paragraphs()) < 1000
    except ExtractionError as exc:
        assert "\n" not in str(exc)
    assert time.perf_counter() - start < FAST


def test_corrupt_images():
    _refused(b"\x89PNG\r\n\x1a\n" + bytes(1000), "图片")
    _refused(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 10, "图片")


def test_image_claiming_ten_billion_pixels():
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b"")
    _refused(png, "过大")


def test_oversized_bytes_are_refused_before_parsing():
    data = b"%PDF-1.7\n" + bytes(MAX_BYTES + 1)
    _refused(data, "过大")


def test_300_mb_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.pdf"
    with open(path, "wb") as fh:  # sparse: no disk space, no memory
        fh.write(b"%PDF-1.7\n")
        fh.truncate(300 * 1024 * 1024)
    start = time.perf_counter()
    with pytest.raises(ExtractionError, match="过大"):
        read_report_file(path)
    assert time.perf_counter() - start < 1.0
    assert os.path.getsize(path) == 300 * 1024 * 1024


def test_read_report_file_reads_a_real_report(realdata):
    data = read_report_file(realdata / "洪泽区_2024.pdf")
    assert data.startswith(b"%PDF")
    with pytest.raises(ExtractionError, match="不存在"):
        read_report_file(realdata / "no-such-file.pdf")
    with pytest.raises(ExtractionError, match="普通文件"):
        read_report_file(realdata)


def test_nothing_else_in_the_run_is_lost(hongze, seeds):
    """A batch with hostile files in it: each fails alone, the reports after them are audited."""
    batch = [b"%PDF-1.7\n" + bytes(5000), hongze[:5000], pdfops.blank_pdf(400, 100, 100), b"PK\x03\x04word/" + bytes(100),
             seeds["000"].read_bytes(), hongze]
    outcomes = []
    for data in batch:
        try:
            outcomes.append(audit_bytes(data))
        except ExtractionError as exc:
            outcomes.append(str(exc))
    assert all(isinstance(o, str) for o in outcomes[:4])
    assert outcomes[4].body and outcomes[5].format == "pdf"
    assert not any(f.rule.startswith("T3-") for f in outcomes[5].findings)


def test_pdf_without_any_text_is_an_error_not_an_empty_report():
    _refused(pdfops.blank_pdf(3), "没有任何文字")


def test_text_pdf_with_a_picture_page_and_no_tesseract(monkeypatch, realdata):
    """Without Tesseract, a text PDF with one image-only page is still read; the lost page is a warning."""
    from PIL import Image

    from auditor.extract import ocr

    monkeypatch.setenv("OGIAUDIT_SANDBOX", "0")   # the patched module is this process's, not the worker's
    monkeypatch.setattr(ocr, "_tesseract", lambda: None)
    picture = io.BytesIO()
    Image.new("L", (600, 800), 200).save(picture, format="PDF", resolution=72)
    mixed = pdfops.combine(((realdata / "洪泽区_2024.pdf").read_bytes(), None), (picture.getvalue(), None))
    document = extract(mixed)
    assert document.pages == 6 and not document.ocr
    assert any("Tesseract" in w for w in document.warnings)
    assert len(document.tables()) >= 3


def test_blank_image_is_an_error_not_an_empty_report():
    from PIL import Image

    from auditor.extract import ocr

    if not ocr.available():
        pytest.skip("Tesseract with chi_sim not installed: apt-get install tesseract-ocr tesseract-ocr-chi-sim")
    buf = io.BytesIO()
    Image.new("L", (400, 400), 255).save(buf, format="PNG")
    _refused(buf.getvalue(), "没有识别出任何文字")
