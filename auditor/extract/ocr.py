"""Image-only reports: scanned PDF pages and JPG/PNG files, read by the OCR engine of this process (ocr_engines:
Tesseract chi_sim by default, or RapidOCR).

Each page image is binarised; long dark horizontal and vertical runs are the table rulings (they are also
painted out before OCR, so that Tesseract does not read them as "一" or "|").  The engine's words, with their boxes,
and the rulings go through the same layout engine as a PDF's text layer.  Every bound holds whichever engine reads:
pixels and frames an image (checked from the headers), OCR_PIXELS a page, and each page's time taken from the
document's deadline (extract.remaining()), so that the total OCR time of a document is bounded too.  The Document
is marked `ocr = True`: every finding from it is less certain.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, UnidentifiedImageError

from auditor.document import Document
from auditor.extract import ocr_engines
from auditor.extract.base import ExtractionError, remaining
from auditor.extract.layout import Glyph, PageLayout, Seg, join_pages, layout_page, repeated_margin_lines

if TYPE_CHECKING:
    import pypdfium2 as pdfium

DPI = 300                 # rendering resolution of scanned PDF pages
MAX_PIXELS = 60_000_000   # one page image larger than this is refused (decompression bomb)
MAX_TOTAL_PIXELS = 600_000_000  # all the frames of one image file together (50 A4 pages at 300 dpi: 435 MP)
OCR_PIXELS = 12_000_000   # a page is read at most this large (A4 at 300 dpi: 8.7 MP); bigger scans are scaled down
MAX_IMAGE_PAGES = 50      # frames of a multi-page TIFF, pages of a scanned PDF read by OCR
PAGE_TIMEOUT = 120        # seconds the OCR engine may spend on one page (less when the document's deadline is nearer)
MISSING = "未安装 Tesseract（含 chi_sim 语言包），无法识别图片版报告：apt-get install tesseract-ocr tesseract-ocr-chi-sim"


@lru_cache(maxsize=1)
def _tesseract() -> str | None:
    exe = shutil.which("tesseract")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return exe if "chi_sim" in out.split() else None


def available() -> bool:
    return ocr_engines.missing() is None


def extract_image(data: bytes) -> Document:
    """A JPG/PNG/TIFF/... report.  Every frame's size is checked from the headers before any pixel is decoded;
    frames are then decoded a few at a time (scaled down to OCR_PIXELS) and read."""
    if (why := ocr_engines.missing()) is not None:
        raise ExtractionError(why)
    try:
        image = Image.open(io.BytesIO(data))
        n = _check_frames(image)
        dpi = _dpi(image)
        layouts: list[PageLayout] = []
        batch = max(1, os.cpu_count() or 1)   # decoded pages in memory at a time
        for start in range(0, n, batch):
            frames, dpis = [], []
            for k in range(start, min(n, start + batch)):
                image.seek(k)
                frame, scale = _scaled(_to_gray(image))
                frames.append(frame)
                dpis.append(dpi * scale)
            layouts += layouts_from_images(frames, first_numbers=list(range(start + 1, start + len(frames) + 1)),
                                           dpi=dpis)
            del frames
    except Image.DecompressionBombError:
        raise ExtractionError("图片过大，不像是年度报告的扫描页") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise ExtractionError("图片文件已损坏或格式无法识别") from None
    if not any(p.glyphs for p in layouts):
        raise ExtractionError("图片中没有识别出任何文字（不是报告的扫描页，或分辨率过低）")
    document = Document(format="image", ocr=True, pages=n)
    document.warnings.append("图片版报告，已用 OCR 识别")
    drop = repeated_margin_lines(layouts)
    document.blocks = join_pages([layout_page(p, drop) for p in layouts])
    return document


def _check_frames(image: Image.Image) -> int:
    """The number of frames, after checking each frame's and the file's pixel count from the headers."""
    n: int = getattr(image, "n_frames", 1)
    if n > MAX_IMAGE_PAGES:
        raise ExtractionError(f"图片有 {n} 帧（页），超过上限 {MAX_IMAGE_PAGES} 页，不像是年度报告")
    total = 0
    for k in range(n):
        image.seek(k)
        pixels = image.size[0] * image.size[1]
        total += pixels
        if pixels > MAX_PIXELS or total > MAX_TOTAL_PIXELS:
            raise Image.DecompressionBombError("too many pixels")
    return n


def _dpi(image: Image.Image) -> float:
    dpi = image.info.get("dpi", (DPI, DPI))[0] or DPI
    try:
        return float(dpi) if 50 <= float(dpi) <= 1200 else DPI
    except (TypeError, ValueError):
        return DPI


def _scaled(image: Image.Image) -> tuple[Image.Image, float]:
    """(image, scale): a page image no larger than OCR_PIXELS (Tesseract's memory and time grow with it)."""
    w, h = image.size
    if w * h <= OCR_PIXELS:
        return image, 1.0
    scale = (OCR_PIXELS / (w * h)) ** 0.5
    return image.resize((max(1, int(w * scale)), max(1, int(h * scale))), Image.Resampling.LANCZOS), scale


def _to_gray(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image)
    return image.convert("L")


def render_pdf_pages(pdf: pdfium.PdfDocument, indices: list[int],
                     dpi: int = DPI) -> tuple[list[Image.Image], list[float]]:
    """Pages of an open pypdfium2 document as grayscale PIL images, and the resolution each was rendered at
    (`dpi`, or less for a page so large that it would exceed OCR_PIXELS)."""
    if (why := ocr_engines.missing()) is not None:
        raise ExtractionError(why)
    if len(indices) > MAX_IMAGE_PAGES:
        raise ExtractionError(f"图片版 PDF 页数过多（{len(indices)} 页需要 OCR，上限 {MAX_IMAGE_PAGES} 页）")
    images: list[Image.Image] = []
    dpis: list[float] = []
    for i in indices:
        page = pdf[i]
        try:
            w, h = page.get_size()
            scale = dpi / 72
            if w * h * scale * scale > OCR_PIXELS:
                scale = (OCR_PIXELS / max(w * h, 1)) ** 0.5
            images.append(page.render(scale=scale, grayscale=True).to_pil().convert("L"))
            dpis.append(scale * 72)
        finally:
            page.close()
    return images, dpis


def layouts_from_images(images: list[Image.Image], first_numbers: list[int] | None = None,
                        dpi: float | list[float] = DPI) -> list[PageLayout]:
    """OCR the page images (in parallel, one page per core) into page layouts in points, with the engine of this
    process (ocr_engines.current())."""
    if (why := ocr_engines.missing()) is not None:
        raise ExtractionError(why)
    engine = ocr_engines.current()
    numbers = first_numbers or list(range(1, len(images) + 1))
    dpis = dpi if isinstance(dpi, list) else [dpi] * len(images)
    workers = max(1, min(len(images), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda args: _ocr_page(engine, *args), zip(images, numbers, dpis, strict=False)))


def _ocr_page(engine: str, image: Image.Image, number: int, dpi: float) -> PageLayout:

    timeout = remaining(PAGE_TIMEOUT)   # the document's total OCR time is bounded by its deadline too
    if timeout <= 1:
        raise ExtractionError(f"OCR 总时间超过上限，第 {number} 页未识别；图片版报告过长或是恶意构造的")
    scale = 72.0 / dpi
    segs, cleaned = _rulings(_binarise(image), image, dpi)
    timeout = max(1.0, remaining(PAGE_TIMEOUT))   # what is left after the rulings were found
    glyphs = ocr_engines.page_glyphs(cleaned, number, dpi, engine, original=image, timeout=timeout)
    w, h = image.size
    segs_pt = [Seg(s.horizontal, s.pos * scale, s.a * scale, s.b * scale) for s in segs]
    glyphs = [g for g in glyphs if not _ruling_residue(g, segs_pt)]
    return PageLayout(w * scale, h * scale, glyphs, segs_pt, number)


_RESIDUE = set("“”\"'‘’。.,，:：;；`|丨!！_-—~")


def _ruling_residue(g: Glyph, segs: list[Seg]) -> bool:
    """Punctuation read from what is left of a ruling after it was painted out."""
    if not all(ch in _RESIDUE for ch in g.text):
        return False
    for s in segs:
        if s.horizontal:
            if s.a - 2 <= g.cx <= s.b + 2 and (abs(g.top - s.pos) < 3 or abs(g.bottom - s.pos) < 3):
                return True
        elif s.a - 2 <= g.cy <= s.b + 2 and (abs(g.x0 - s.pos) < 4 or abs(g.x1 - s.pos) < 4):
            return True
    return False


_CJK_WORD = re.compile(r"[\u3400-\u9fff]")


def _split_word(text: str, left: int, top: int, width: int, height: int, scale: float) -> list[Glyph]:
    """A Tesseract word as glyphs: a CJK word is spread over its box one character each (so that the layout
    engine can place characters of vertical labels and cell boundaries); other words stay whole."""
    text = _normalise(text)
    if not text:
        return []
    if len(text) > 1 and _CJK_WORD.search(text):
        step = width / len(text)
        return [Glyph(ch, (left + k * step) * scale, top * scale, (left + (k + 1) * step) * scale,
                      (top + height) * scale) for k, ch in enumerate(text)]
    return [Glyph(text, left * scale, top * scale, (left + width) * scale, (top + height) * scale)]


_FULLWIDTH_FIX = str.maketrans({"|": "", "丨": ""})


def _normalise(text: str) -> str:
    return text.translate(_FULLWIDTH_FIX).strip()


def _binarise(image: Image.Image) -> Image.Image:
    """Grayscale -> black and white at a fixed threshold, to find the rulings (Tesseract reads the grayscale)."""
    return image.point(lambda v: 0 if v < 170 else 255, mode="L")


def _rulings(image: Image.Image, gray: Image.Image, dpi: float = DPI) -> tuple[list[Seg], Image.Image]:
    """Long dark runs: horizontal and vertical table rulings, in pixels; and the image with them painted out."""
    w, h = image.size
    # longer than any stroke of a character: 0.3 inch across, 0.25 inch down (a table row is at least that tall
    # with its neighbours; a character's stroke is not)
    min_h = max(20, int(dpi * 0.3))
    min_v = max(16, int(dpi * 0.25))
    segs: list[Seg] = []
    segs += _runs(image.tobytes(), w, h, min_h, horizontal=True)
    rotated = image.transpose(Image.Transpose.TRANSPOSE)  # rows become columns
    segs += _runs(rotated.tobytes(), h, w, min_v, horizontal=False)
    cleaned = gray.copy()
    draw = ImageDraw.Draw(cleaned)
    for s in segs:
        if s.horizontal:
            draw.line([(s.a, s.pos), (s.b, s.pos)], fill=255, width=3)
        else:
            draw.line([(s.pos, s.a), (s.pos, s.b)], fill=255, width=3)
    return _merge_thick(segs), cleaned


def _runs(raw: bytes, width: int, height: int, min_len: int, horizontal: bool) -> list[Seg]:
    pattern = re.compile(rb"\x00{%d,}" % min_len)
    out: list[Seg] = []
    for y in range(height):
        row = raw[y * width:(y + 1) * width]
        if b"\x00" * min_len not in row:
            continue
        for m in pattern.finditer(row):
            out.append(Seg(horizontal, float(y), float(m.start()), float(m.end())))
    return out


def _merge_thick(segs: list[Seg]) -> list[Seg]:
    """A ruling several pixels thick is found once per pixel row: keep one, at its middle."""
    out: list[Seg] = []
    for horizontal in (True, False):
        group = sorted((s for s in segs if s.horizontal == horizontal), key=lambda s: (s.pos, s.a))
        current: list[Seg] = []
        for s in group:
            match = next((c for c in current if s.pos - c.pos <= 4 and s.a <= c.b and s.b >= c.a), None)
            if match is not None:
                match.a, match.b = min(match.a, s.a), max(match.b, s.b)
                match.pos = (match.pos + s.pos) / 2 if s.pos - match.pos <= 1 else match.pos + 0.5
                continue
            current = [c for c in current if s.pos - c.pos <= 4]
            seg = Seg(horizontal, s.pos, s.a, s.b)
            current.append(seg)
            out.append(seg)
    return out
