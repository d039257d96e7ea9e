"""Throughput of a full audit per input format, and the cost of reading a text PDF against the floor.

    .venv/bin/python bench/bench_formats.py            # all seeds, 5 repeats, a six-page scanned report
    .venv/bin/python bench/bench_formats.py --quick    # one seed per format, one repeat, a one-page scan

For each format: reports per second per core (one process, one thread: the time of a full `audit_bytes`, the best
of the repeats).  For text PDFs: full audit time / bare pypdfium2 text extraction of the same file (open, every
page's text, close), the floor no PDF reader can beat.  Targets (issue 3): text PDF within 3x the floor; a scanned
six-page report within 30 seconds.

The seeds are rendered first (DOCX with python-docx, PDF with LibreOffice, scans by rasterising the PDF), as the
tests do; rendering is not timed.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import render  # noqa: E402  (tests/render.py)

from auditor.audit import audit_bytes  # noqa: E402
from auditor.document import Table  # noqa: E402

SHARED = Path(os.environ.get("OGIAUDIT_SHARED", REPO.parent / "shared"))


def best(fn, data: bytes, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - start)
    return min(times)


def pdfium_floor(data: bytes) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    for page in pdf:
        textpage = page.get_textpage()
        textpage.get_text_range()
        textpage.close()
        page.close()
    pdf.close()


def to_html(blocks: list) -> bytes:
    from html import escape

    out = ["<html><head><meta charset='utf-8'></head><body>"]
    for b in blocks:
        if isinstance(b, Table):
            out.append("<table border='1'>")
            for row in b.rows:
                out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
            out.append("</table>")
        else:
            out.append(f"<p>{escape(b.text)}</p>")
    out.append("</body></html>")
    return "\n".join(out).encode("utf-8")


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed per format, one repeat, a one-page scan")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-scan", action="store_true", help="skip the OCR benchmark")
    args = parser.parse_args()
    repeats = 1 if args.quick else args.repeats
    seeds = sorted((SHARED / "seeds").glob("0*.txt"))
    if args.quick:
        seeds = seeds[-1:]
    hongze = SHARED / "realdata" / "reports" / "洪泽区_2024.pdf"

    print(f"rendering {len(seeds)} seed(s) …", file=sys.stderr)
    inputs: dict[str, list[tuple[str, bytes]]] = {"text": [], "html": [], "docx": [], "pdf": []}
    have_html = True
    try:
        import auditor.extract.html  # noqa: F401
    except ImportError:
        have_html = False
    for seed in seeds:
        name = seed.name[:3]
        inputs["text"].append((name, seed.read_bytes()))
        if have_html:
            inputs["html"].append((name, to_html(render.seed_blocks(seed.read_text(encoding="utf-8")))))
        inputs["docx"].append((name, render.rendered(seed, "docx")))
        if render.soffice():
            inputs["pdf"].append((name, render.rendered(seed, "pdf")))
    inputs["pdf"].append(("洪泽区_2024", hongze.read_bytes()))

    print(f"{'format':<12}{'files':>6}{'ms/report':>12}{'reports/s/core':>16}")
    for fmt, files in inputs.items():
        if not files:
            print(f"{fmt:<12}{'skipped (renderer missing)':>34}")
            continue
        for _, data in files:  # warm imports and caches
            audit_bytes(data)
        total = sum(best(audit_bytes, data, repeats) for _, data in files)
        print(f"{fmt:<12}{len(files):>6}{1000 * total / len(files):>12.1f}{len(files) / total:>16.1f}")

    print("\ntext PDF: full audit / bare pypdfium2 text extraction (target <= 3.0)")
    ratios = []
    for name, data in inputs["pdf"]:
        # interleaved, best of each: the machine's load changes between runs, not within a pair
        floors, fulls = [], []
        for _ in range(max(2 * repeats, 3)):
            floors.append(best(pdfium_floor, data, 1))
            fulls.append(best(audit_bytes, data, 1))
        floor, full = min(floors), min(fulls)
        ratios.append(full / floor)
        print(f"  {name:<14} floor {1000 * floor:7.1f} ms   audit {1000 * full:7.1f} ms   ratio {full / floor:5.2f}")
    print(f"  median ratio {statistics.median(ratios):.2f}")

    if args.no_scan:
        return 0
    why = render.tesseract_ready()
    if why or not render.soffice():
        print(f"\nscanned PDF: skipped ({why or 'LibreOffice missing'})")
        return 0
    seed = seeds[-1]
    scan = render.rendered(seed, "scan")
    if args.quick:
        scan = _first_page(scan)
    pages = _pages(scan)
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    result = audit_bytes(scan)
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    print(f"\nscanned PDF ({seed.name[:3]}, {pages} pages, OCR={result.ocr}): {wall:.1f} s wall, {cpu:.1f} s CPU, "
          f"{1 / cpu:.3f} reports/s/core; target: six pages within 30 s "
          f"({'met' if wall * 6 / pages <= 30 else 'NOT met'})")
    return 0


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def _first_page(data: bytes) -> bytes:
    import io

    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(data)
    out = pdfium.PdfDocument.new()
    out.import_pages(src, [0])
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
