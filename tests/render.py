"""Render a seed text report to DOCX, to PDF (LibreOffice from the DOCX) and to a scanned PDF (the PDF's pages as
pictures), inside the tests.  The DOCX carries the seed's tables as real Word tables (one row per table row of the
text), so every format shows the same report.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

from auditor.document import Document, Paragraph, Table

from crawler.sample_portal.render import CJK_FONT  # noqa: E402,F401 - one font name for every rendering


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def tesseract_ready() -> str | None:
    """None when Tesseract with chi_sim is usable, else why not."""
    if not shutil.which("tesseract"):
        return "Tesseract 未安装（apt-get install tesseract-ocr tesseract-ocr-chi-sim）"
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        return f"tesseract --list-langs failed: {exc}"
    if "chi_sim" not in out.split():
        return "Tesseract 缺少 chi_sim 语言包（apt-get install tesseract-ocr-chi-sim）"
    return None


# --- seed text -> blocks -----------------------------------------------------------------------------------------
def seed_blocks(text: str) -> list:
    """The seed as ordered paragraphs and tables: the text extractor's own Document when it exists, otherwise
    a small parser of the seeds' two table layouts (tab-separated rows; one cell per line, rows between blank
    lines)."""
    try:
        from auditor.extract.text import extract as text_extract  # type: ignore[import-not-found]
    except ImportError:
        return _parse_seed(text)
    return list(text_extract(text.encode("utf-8")).blocks)


def _parse_seed(text: str) -> list:
    lines = text.replace("\r\n", "\n").split("\n")
    blocks: list = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" not in line:
            if line.strip():
                blocks.append(Paragraph(line.strip()))
            i += 1
            continue
        if line.startswith("\t") and line.count("\t") == 1:  # one cell per line
            rows: list[list[str]] = []
            cur: list[str] = []
            while i < len(lines):
                ln = lines[i]
                if not ln.strip():
                    if cur:
                        rows.append(cur)
                        cur = []
                    nxt = next((x for x in lines[i + 1:] if x.strip()), "")
                    if not nxt.startswith("\t"):
                        break
                elif ln.startswith("\t"):
                    cur.append(ln[1:].strip())
                elif cur:
                    cur[-1] += ln.strip()
                else:
                    break
                i += 1
            if cur:
                rows.append(cur)
            blocks.append(Table(rows=rows))
            continue
        rows = []
        while i < len(lines) and "\t" in lines[i]:
            rows.append([c.strip() for c in lines[i].split("\t")])
            i += 1
        blocks.append(Table(rows=rows))
    return blocks


# --- blocks -> DOCX (the project's own renderer, crawler/sample_portal/render.py) -------------------------------
from crawler.sample_portal.render import to_docx  # noqa: E402


def document_to_docx(document: Document) -> bytes:
    return to_docx(document.blocks)


# --- DOCX -> PDF (LibreOffice) -----------------------------------------------------------------------------------
def docx_to_pdf(data: bytes, timeout: int = 180) -> bytes:
    return docx_to(data, "pdf", timeout)


# --- PDF -> scanned PDF (pages as pictures), a page as PNG: pypdfium2 in a child (tests/pdfops.py says why) -----
from pdfops import page_png as pdf_page_to_png  # noqa: E402,F401
from pdfops import pdf_to_scan  # noqa: E402,F401


# --- per-session cache: LibreOffice takes seconds per file, OCR seconds per page ----------------------------------
_CACHE: dict[tuple[str, str], bytes] = {}


def rendered(seed: Path, kind: str) -> bytes:
    """The seed rendered as "docx", "pdf" or "scan" (a scanned PDF), cached for the test session."""
    key = (str(seed), kind)
    if key not in _CACHE:
        if kind == "docx":
            _CACHE[key] = to_docx(seed_blocks(Path(seed).read_text(encoding="utf-8")))
        elif kind == "pdf":
            _CACHE[key] = docx_to_pdf(rendered(seed, "docx"))
        elif kind == "doc":
            _CACHE[key] = docx_to(rendered(seed, "docx"), "doc")
        elif kind == "scan":
            _CACHE[key] = pdf_to_scan(rendered(seed, "pdf"), dpi=200)
        else:
            raise ValueError(kind)
    return _CACHE[key]


def docx_to(data: bytes, target: str, timeout: int = 180) -> bytes:
    """DOCX -> another format LibreOffice writes (doc, pdf)."""
    from crawler.sample_portal.render import convert

    return convert(data, "docx", target, timeout)


def finding_keys(result) -> set[tuple]:
    """What must agree between formats: (rule, section, table, row, column) of every finding."""
    out = set()
    for f in result.findings:
        loc = f.location
        out.add((f.rule, f.section, getattr(loc, "table", None), getattr(loc, "row", None),
                 getattr(loc, "column", None)))
    return out


def without_borders(docx_bytes: bytes) -> bytes:
    """The same DOCX with its tables drawn without rulings (no table style): for the borderless-table path."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(docx_bytes))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = re.sub(rb'<w:tblStyle w:val="[^"]*"/>', b"", data)
            out.writestr(info, data)
    return buf.getvalue()


def known_values(values: dict) -> set:
    """(table, row, column, value) of every value read."""
    return {(t, r, c, v) for t, rows in values.items() for r, cols in rows.items() for c, v in cols.items()
            if v is not None}


def assert_same_values(rendered, text, seed: str) -> None:
    """The rendered report's table values are the text's.  Seed 003's text lost a cell in seven rows (a trailing
    tab): rendered as real cells those are blank cells that keep their column, so the rendering knows the other six
    columns of those rows where the text knows none."""
    if seed == "003":
        assert known_values(rendered.values()) >= known_values(text.values())
    else:
        assert rendered.values() == text.values()
