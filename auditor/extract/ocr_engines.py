"""The OCR engines, selected by name: `tesseract` (chi_sim, a process per page) and `rapidocr` (PP-OCRv4 on
onnxruntime; its models ship inside the rapidocr-onnxruntime wheel, nothing is downloaded).

Each engine turns one page image (grayscale PIL, rulings already painted out) into glyphs in points, for the shared
layout engine, within the seconds it is given (ocr.py takes them from the document's deadline).  Both engines read a
page in a process of their own, killed at its timeout: Tesseract, and RapidOCR (_rapidocr_page.py, under its own
memory limit: its detector needs more than the sandbox worker may have).  `use(name)` sets the process default (the
command line and the configuration call it; the sandbox sends it with each document); bench/bench_ocr.py measures
both.
"""
from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
from functools import lru_cache
from typing import TYPE_CHECKING

from auditor.extract.base import ExtractionError
from auditor.extract.layout import Glyph

if TYPE_CHECKING:
    from PIL.Image import Image

DEFAULT = "tesseract"   # measured in bench/bench_ocr.py: see the README's OCR table
NAMES = ("tesseract", "rapidocr")
RAPIDOCR_MISSING = "未安装 RapidOCR（rapidocr-onnxruntime），无法用它识别图片版报告：pip install rapidocr-onnxruntime"
_current = DEFAULT


def use(name: str | None) -> str:
    """Make `name` the engine of this process; None keeps the current one.  Raises ValueError (Chinese)."""
    global _current
    if name is not None:
        name = name.strip().lower()
        if name not in NAMES:
            raise ValueError(f"OCR 引擎应为 {'/'.join(NAMES)}，而不是 {name!r}")
        _current = name
    return _current


def current() -> str:
    return _current


def missing(name: str | None = None) -> str | None:
    """Why the engine cannot run here (one Chinese line), or None when it can."""
    name = name or _current
    if name == "rapidocr":
        return None if _rapidocr() else RAPIDOCR_MISSING
    from auditor.extract import ocr
    return None if ocr._tesseract() is not None else ocr.MISSING


def page_glyphs(image: Image, number: int, dpi: float, name: str | None = None, original: Image | None = None,
                timeout: float | None = None) -> list[Glyph]:
    """The glyphs of one page image (rulings painted out), in points.  RapidOCR reads the original page: its text
    detector keeps the numbers of neighbouring cells apart by their rulings (painted out, a row of numbers becomes
    one text line and the digits lose their columns: 157 of 200 cells of seed 000 read exactly, 200 with them).
    `timeout`: the seconds this page may take (default: ocr.PAGE_TIMEOUT); past them, one ExtractionError."""
    from auditor.extract import ocr

    name = name or _current
    timeout = ocr.PAGE_TIMEOUT if timeout is None else timeout
    if name == "rapidocr":
        return _rapidocr_glyphs(original if original is not None else image, number, 72.0 / dpi, timeout)
    return _tesseract_glyphs(image, number, dpi, timeout)


def _too_slow(number: int, timeout: float) -> ExtractionError:
    return ExtractionError(f"OCR 超时：第 {number} 页识别超过 {timeout:.0f} 秒")


# --- Tesseract -------------------------------------------------------------------------------------------------

def _tesseract_glyphs(image: Image, number: int, dpi: float, timeout: float) -> list[Glyph]:
    from auditor.extract import ocr

    exe = ocr._tesseract()
    if exe is None:
        raise ExtractionError(ocr.MISSING)
    scale = 72.0 / dpi
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    try:
        proc = subprocess.run([exe, "stdin", "stdout", "-l", "chi_sim", "--psm", "6", "--dpi", str(int(dpi)), "tsv"],
                              input=buf.getvalue(), capture_output=True, timeout=timeout,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except subprocess.TimeoutExpired:
        raise _too_slow(number, timeout) from None
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["未知错误"]
        raise ExtractionError(f"OCR 失败（第 {number} 页）：{reason[0]}")
    glyphs: list[Glyph] = []
    for row in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        try:
            conf = float(cols[10])
            left, top, width, height = (int(v) for v in cols[6:10])
        except ValueError:
            continue
        if text and conf >= 0:
            glyphs.extend(ocr._split_word(text, left, top, width, height, scale))
    return glyphs


# --- RapidOCR ----------------------------------------------------------------------------------------------------

MAX_SIDE = 4000   # pixels: a 300-dpi page (3,508 tall) is read at full size
RAPIDOCR_PIXELS = 9_000_000   # a page is given to RapidOCR at most this large (A4 at 300 dpi: 8.7 MP)
RAPIDOCR_MEMORY_MB = 3584     # the page process's address space (an A4 page at 300 dpi peaks at about 2.7 GB)


@lru_cache(maxsize=1)
def _rapidocr() -> bool:
    """Whether rapidocr-onnxruntime is installed (found, not imported: the models load in the page's process)."""
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


def _rapidocr_glyphs(image: Image, number: int, scale: float, timeout: float) -> list[Glyph]:
    """One page read in its own process (_rapidocr_page.py) under RAPIDOCR_MEMORY_MB, killed at `timeout`."""
    from PIL import Image

    if not _rapidocr():
        raise ExtractionError(RAPIDOCR_MISSING)
    w, h = image.size
    if w * h > RAPIDOCR_PIXELS:
        shrink = (RAPIDOCR_PIXELS / (w * h)) ** 0.5
        image = image.resize((max(1, int(w * shrink)), max(1, int(h * shrink))), Image.Resampling.LANCZOS)
        scale /= shrink
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    try:
        proc = subprocess.run([sys.executable, "-m", "auditor.extract._rapidocr_page", str(MAX_SIDE),
                               str(RAPIDOCR_MEMORY_MB)], input=buf.getvalue(), capture_output=True, timeout=timeout,
                              env={**os.environ, "OMP_NUM_THREADS": "1"})
    except subprocess.TimeoutExpired:
        raise _too_slow(number, timeout) from None
    if proc.returncode != 0:
        reason = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"退出码 {proc.returncode}"]
        raise ExtractionError(f"OCR 失败（第 {number} 页）：{reason[0][:200]}")
    try:
        words = json.loads(proc.stdout)
    except ValueError:
        raise ExtractionError(f"OCR 失败（第 {number} 页）：识别结果无法解析") from None
    glyphs: list[Glyph] = []
    for word, quad in words:
        x0, top, x1, bottom = _bounds(quad)
        glyphs.extend(_words(str(word), x0, top, x1, bottom, scale))
    return glyphs


def _bounds(quad: list[list[float]]) -> tuple[float, float, float, float]:
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return min(xs), min(ys), max(xs), max(ys)


def _words(text: str, x0: float, top: float, x1: float, bottom: float, scale: float) -> list[Glyph]:
    """A recognised word as glyphs, the way Tesseract's words are split (CJK one per character)."""
    from auditor.extract import ocr

    parts = text.split()
    if len(parts) <= 1:
        return ocr._split_word(text, int(x0), int(top), int(x1 - x0), int(bottom - top), scale)
    step = (x1 - x0) / max(len(text), 1)  # spaces inside a box: place each part where it stands in the text
    out: list[Glyph] = []
    k = 0
    for part in parts:
        k = text.index(part, k)
        out += ocr._split_word(part, int(x0 + k * step), int(top), int(len(part) * step), int(bottom - top), scale)
        k += len(part)
    return out
