"""The sample portal's PDF attachments, rendered from the seed reports by the project itself (no document in the
sample portal comes from anywhere else; data/SOURCES.md lists each file and how it was made):

    .venv/bin/python -m crawler.sample_portal.render      # rewrites data/*.pdf (needs LibreOffice and CJK fonts)

A seed becomes a DOCX with its tables as real Word tables (python-docx), which LibreOffice prints to PDF with a text
layer.  The PDFs are checked in, so `ogiaudit demo` needs neither LibreOffice nor a network; tests/test_sample_data.py
checks that each PDF's text is its seed's text.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

DATA = Path(__file__).parent / "data"
CJK_FONT = "Noto Serif CJK SC"

# the sample's 洪泽区 report: seed 004 (金岭镇 2022, tables as real rows) retold as 淮安市洪泽区人民政府's own report for 2024
HONGZE_NAMES = (("招远市金岭镇人民政府", "淮安市洪泽区人民政府"), ("金岭镇人民政府", "洪泽区人民政府"), ("金岭之声", "洪泽发布"),
                ("金岭镇", "洪泽区"), ("招远市", "淮安市"), ("我镇", "我区"), ("本乡镇", "本区"), ("镇政府", "区政府"))
# a table 三 that does not add up, for the demo's evidence view: two applications received, one counted as handled
HONGZE_TABLE = (("一、本年新收政府信息公开申请数量\t\t", "2\t0\t0\t0\t0\t0\t2"),
                ("三、本年度办理结果\t(一) 予以公开\t", "2\t0\t0\t0\t0\t0\t2"),
                ("(七) 总计\t", "1\t0\t0\t0\t0\t0\t1"))


def seed_text(prefix: str) -> str:
    return next(DATA.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def hongze_text() -> str:
    """Seed 004 with the body's names and every year moved on by two, and table 三 planted with a broken balance."""
    text = seed_text("004")
    for old, new in HONGZE_NAMES:
        text = text.replace(old, new)
    text = re.sub(r"20(19|2[0-3])(?=年|\d|-|\.|/)", lambda m: str(int(m.group(0)) + 2), text)
    for label, values in HONGZE_TABLE:
        row = label + "\t".join("0" * 7)
        assert text.count(row) == 1, label
        text = text.replace(row, label + values)
    return text


# what data/ holds besides the seeds: file name -> the text it is rendered from
RENDERED = {"seed003_hongge2023.pdf": lambda: seed_text("003"), "seed004_hongze2024.pdf": hongze_text}


def to_docx(blocks: list) -> bytes:
    """Paragraphs and tables (auditor.document blocks) as a DOCX with real Word tables."""
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from auditor.document import Table

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = CJK_FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FONT)
    for block in blocks:
        if isinstance(block, Table):
            width = max(_extent(r) for r in block.rows)   # trailing blank fields of a tab row add no column
            table = d.add_table(rows=len(block.rows), cols=width)
            table.style = "Table Grid"
            for r, row in enumerate(block.rows):
                for c in range(width):
                    text = row[c] if c < len(row) and (r, c) not in block.copies else ""
                    table.cell(r, c).paragraphs[0].add_run(text).font.size = Pt(8)
            d.add_paragraph("")
        else:
            d.add_paragraph(block.text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _extent(row: list[str]) -> int:
    """The cells of a row up to its last non-blank one."""
    n = len(row)
    while n and not row[n - 1].strip():
        n -= 1
    return max(n, 1)


def text_to_docx(text: str) -> bytes:
    from auditor.extract.text import extract

    return to_docx(list(extract(text.encode("utf-8")).blocks))


def convert(data: bytes, source_ext: str, target: str, timeout: int = 180) -> bytes:
    """A file LibreOffice can open (docx, …) converted to `target` (pdf, doc, …); a LibreOffice that died by a
    signal (a fresh profile's first start aborts now and then: exit 134, seen in CI) is given one more try."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    try:
        return _convert_once(exe, data, source_ext, target, timeout)
    except subprocess.CalledProcessError as exc:
        if 0 <= exc.returncode <= 128:
            raise
        return _convert_once(exe, data, source_ext, target, timeout)


def _convert_once(exe: str, data: bytes, source_ext: str, target: str, timeout: int) -> bytes:
    with tempfile.TemporaryDirectory(prefix="ogiaudit-render-") as tmp:
        src = Path(tmp) / f"report.{source_ext}"
        src.write_bytes(data)
        proc = subprocess.run([exe, f"-env:UserInstallation=file://{Path(tmp) / 'profile'}", "--headless",
                               "--norestore", "--convert-to", target, "--outdir", tmp, str(src)],
                              capture_output=True, timeout=timeout, env={**os.environ, "HOME": tmp})
        out = Path(tmp) / f"report.{target}"
        if proc.returncode != 0 or not out.is_file():
            raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
        return out.read_bytes()


def main() -> None:
    for name, text in RENDERED.items():
        pdf = convert(text_to_docx(text()), "docx", "pdf")
        (DATA / name).write_bytes(pdf)
        print(f"{DATA / name}: {len(pdf) // 1024} KB")


if __name__ == "__main__":
    main()
