"""The PDF work the tests do themselves (page text, pictures of pages, blank and combined PDFs, page layouts), each
operation run by pypdfium2 in a child process of its own.

Why a child: pdfium is not thread-safe, and a pypdfium2 object left unclosed is freed by the garbage collector at
some later moment, in whatever order.  A test process that held such objects crashed once in CI, in a later test
far from the cause, and took every test of that xdist worker with it.  The project itself reads PDFs only in its
sandbox worker and renders pages for the desk in a child (ogiaudit/web/evidence.py); the tests now do the same.
"""
from __future__ import annotations

import io
import pickle
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, whitespace removed."""
    return _child("page_texts", pdf)


def page_text(pdf: bytes, index: int) -> str:
    texts = page_texts(pdf)
    return texts[index] if index < len(texts) else ""


def pdf_to_scan(pdf: bytes, dpi: int = 200) -> bytes:
    """The PDF with every page replaced by a grayscale picture of it (a scanned report)."""
    return _child("pdf_to_scan", pdf, dpi)


def page_png(pdf: bytes, index: int = 0, dpi: int = 200) -> bytes:
    return _child("page_png", pdf, index, dpi)


def blank_pdf(pages: int, width: float = 595, height: float = 842) -> bytes:
    """A PDF of `pages` empty pages (no text layer at all)."""
    return _child("blank_pdf", pages, width, height)


def combine(*parts: tuple[bytes, list[int] | None]) -> bytes:
    """One PDF of the given pages of each part in turn (None: all its pages)."""
    return _child("combine", list(parts))


def page_layouts(pdf: bytes) -> list:
    """The project's own PageLayout of every page (auditor.extract.pdf._page_layout)."""
    return _child("page_layouts", pdf)


# --- the child's side ----------------------------------------------------------------------------------------------
def _open(data: bytes):
    import pypdfium2 as pdfium
    return pdfium.PdfDocument(data)


def _saved(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _op_page_texts(pdf: bytes) -> list[str]:
    doc = _open(pdf)
    try:
        out = []
        for page in doc:
            textpage = page.get_textpage()
            out.append("".join(textpage.get_text_range().split()))
            textpage.close()
            page.close()
        return out
    finally:
        doc.close()


def _render(page, dpi: int):
    return page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")


def _op_pdf_to_scan(pdf: bytes, dpi: int) -> bytes:
    doc = _open(pdf)
    images = []
    try:
        for page in doc:
            images.append(_render(page, dpi))
            page.close()
    finally:
        doc.close()
    buf = io.BytesIO()
    images[0].save(buf, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buf.getvalue()


def _op_page_png(pdf: bytes, index: int, dpi: int) -> bytes:
    doc = _open(pdf)
    try:
        page = doc[index]
        image = _render(page, dpi)
        page.close()
    finally:
        doc.close()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def _op_blank_pdf(pages: int, width: float, height: float) -> bytes:
    import pypdfium2 as pdfium
    doc = pdfium.PdfDocument.new()
    try:
        for _ in range(pages):
            doc.new_page(width, height).close()
        return _saved(doc)
    finally:
        doc.close()


def _op_combine(parts: list[tuple[bytes, list[int] | None]]) -> bytes:
    import pypdfium2 as pdfium
    out = pdfium.PdfDocument.new()
    sources = []
    try:
        for data, pages in parts:
            sources.append(_open(data))
            out.import_pages(sources[-1], pages)
        return _saved(out)
    finally:
        out.close()
        for source in sources:
            source.close()


def _op_page_layouts(pdf: bytes) -> list:
    from auditor.extract.pdf import _page_layout
    doc = _open(pdf)
    try:
        layouts = []
        for i, page in enumerate(doc):
            layouts.append(_page_layout(page, i + 1))
            page.close()
        return layouts
    finally:
        doc.close()


def _child(op: str, *args):
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), op], input=pickle.dumps(args),
                          capture_output=True, cwd=ROOT, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"pdfops {op} failed in its child (exit {proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace')[-2000:]}")
    return pickle.loads(proc.stdout)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    result = globals()[f"_op_{sys.argv[1]}"](*pickle.loads(sys.stdin.buffer.read()))
    sys.stdout.buffer.write(pickle.dumps(result))
