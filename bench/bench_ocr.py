"""Tesseract chi_sim against RapidOCR (PP-OCRv4, onnxruntime) on scanned reports, both engines in one run.

    .venv/bin/python bench/bench_ocr.py            # the five seeds and the real PDFs, every page
    .venv/bin/python bench/bench_ocr.py --quick    # seed 004 only

Each report is rendered to a text PDF (seeds: python-docx + LibreOffice, as the tests do; real PDFs as they are),
then rasterised at 200 dpi into a scanned PDF.  The text PDF read from its text layer is the reference:

- character accuracy: 1 - (edit distance / reference length), page by page, whitespace removed;
- table cells: the share of the cells of tables 二, 三 and 四 (as the auditor reads them) read exactly;
- seconds per page: wall time of reading the scanned PDF (rendering at 300 dpi, rulings, OCR, layout), both cores.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
# documents are read in the sandbox worker under its per-document deadline (50 s): a whole scanned report read by
# RapidOCR (15-30 s a page here) needs longer, and the benchmark measures reading, not the deadline
os.environ.setdefault("OGIAUDIT_EXTRACT_SECONDS", "1800")
sys.path.insert(0, str(REPO / "tests"))

import render  # noqa: E402  (tests/render.py)

from auditor.audit import audit_document  # noqa: E402
from auditor.document import Table  # noqa: E402
from auditor.extract import extract, ocr_engines  # noqa: E402

SHARED = Path(os.environ.get("OGIAUDIT_SHARED", REPO.parent / "shared"))


def inputs(quick: bool) -> list[tuple[str, bytes]]:
    seeds = sorted((SHARED / "seeds").glob("0*.txt"))
    out = [(f"种子 {p.name[:3]}", render.rendered(p, "pdf")) for p in seeds if not quick or p.name.startswith("004")]
    if not quick:
        out += [(p.stem, p.read_bytes()) for p in sorted((SHARED / "realdata" / "reports").glob("*.pdf"))]
    return out


def page_texts(document) -> dict[int, str]:
    pages: dict[int, list[str]] = {}
    for block in document.blocks:
        text = "".join("".join(r) for r in block.rows) if isinstance(block, Table) else block.text
        pages.setdefault(block.page or 0, []).append(text)
    return {k: "".join("".join(v).split()) for k, v in pages.items()}


def distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def cells(values: dict) -> dict[tuple, object]:
    return {(t, r, c): v for t, rows in values.items() for r, cols in rows.items() for c, v in cols.items()
            if v is not None}


def measure(name: str, scan: bytes, ref_doc, ref_cells: dict, pages: int) -> dict:
    ocr_engines.use(name)
    start = time.perf_counter()
    doc = extract(scan)
    seconds = time.perf_counter() - start
    ref, got = page_texts(ref_doc), page_texts(doc)
    errors = sum(distance(ref.get(k, ""), got.get(k, "")) for k in set(ref) | set(got))
    total = sum(len(v) for v in ref.values())
    read = cells(audit_document(doc).values())
    exact = sum(1 for k, v in ref_cells.items() if read.get(k) == v)
    return {"chars": total, "errors": errors, "cells": len(ref_cells), "exact": exact, "seconds": seconds,
            "pages": pages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    engines = [n for n in ocr_engines.NAMES if ocr_engines.missing(n) is None]
    totals = {n: {"chars": 0, "errors": 0, "cells": 0, "exact": 0, "seconds": 0.0, "pages": 0} for n in engines}
    print(f"{'报告':<14}{'引擎':<11}{'字符准确率':>10}{'单元格全对':>12}{'秒/页':>8}")
    for label, pdf in inputs(args.quick):
        ref_doc = extract(pdf)
        ref_cells = cells(audit_document(ref_doc).values())
        scan = render.pdf_to_scan(pdf, dpi=200)
        pages = ref_doc.pages or 1
        for name in engines:
            m = measure(name, scan, ref_doc, ref_cells, pages)
            for k in totals[name]:
                totals[name][k] += m[k]
            print(f"{label:<14}{name:<11}{row(m)}", flush=True)
    for name in engines:
        print(f"{'合计':<14}{name:<11}{row(totals[name])}")


def row(m: dict) -> str:
    acc = 1 - m["errors"] / max(m["chars"], 1)
    share = m["exact"] / m["cells"] if m["cells"] else float("nan")
    return f"{acc:>13.2%}{share:>12.1%} ({m['exact']}/{m['cells']}){m['seconds'] / max(m['pages'], 1):>8.1f}"


if __name__ == "__main__":
    main()
