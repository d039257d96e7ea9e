"""A page of an archived report as a PNG for the desk, drawn in a child process under a memory and a time budget.

The archive holds crawled bytes, hostile until proven otherwise: a page that decodes to gigabytes or renders for
minutes costs that one picture, never the desk.  pdfium is not thread-safe either, and the desk answers requests on
several threads: one process per picture keeps them apart.  Starting one costs ~0.2 s; the desk caches the result.
"""
from __future__ import annotations

import io
import resource
import subprocess
import sys

MEMORY_MB = 1024
SECONDS = 20
WIDTH = 1000          # pixels across a PDF page
NO_PAGE = 3           # the child's exit code when the document has no such page


def page_png(path: str, kind: str, page: int) -> bytes | None:
    """The page as PNG bytes, or None (no such page, or the file could not be drawn within the budget)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "ogiaudit.web.pageimage", kind, path, str(page)],
                              capture_output=True, timeout=SECONDS, start_new_session=True)
    except subprocess.TimeoutExpired:
        return None
    return proc.stdout if proc.returncode == 0 and proc.stdout.startswith(b"\x89PNG") else None


def _draw(kind: str, path: str, page: int):
    from PIL import Image
    if kind == "pdf":
        import pypdfium2 as pdfium
        pdf = pdfium.PdfDocument(path)
        try:
            if page > len(pdf):
                raise SystemExit(NO_PAGE)
            p = pdf[page - 1]
            image = p.render(scale=WIDTH / max(p.get_width(), 1)).to_pil()
            p.close()
        finally:
            pdf.close()
        return image
    if page != 1:
        raise SystemExit(NO_PAGE)
    image = Image.open(path)
    image.thumbnail((1400, 2000))
    return image


def main(kind: str, path: str, page: str) -> None:
    from ogiaudit.procs import die_with_parent
    die_with_parent()
    for limit, soft in ((resource.RLIMIT_AS, MEMORY_MB << 20), (resource.RLIMIT_CPU, SECONDS)):
        hard = resource.getrlimit(limit)[1]
        resource.setrlimit(limit, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
    out = io.BytesIO()
    _draw(kind, path, int(page)).convert("RGB").save(out, "PNG", optimize=True)
    sys.stdout.buffer.write(out.getvalue())


if __name__ == "__main__":
    main(*sys.argv[1:4])
