"""PDF -> Document.

Text layer: pypdfium2 gives every character with its box and every vector path (the table rulings); the shared
layout engine (layout/) rebuilds ruled tables as grids with merged cells, and the text outside them as
paragraphs (page numbers, running headers and footers dropped; tables and paragraphs cut by a page break joined).

Pages without a text layer (scans, "图片版") are rendered and read by Tesseract (ocr.py); the Document is then
marked `ocr = True`.
"""
from __future__ import annotations

import ctypes
import os
import re
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as R

from auditor.document import Document
from auditor.extract import ocr
from auditor.extract.base import ExtractionError
from auditor.extract.layout import Glyph, PageLayout, Seg, join_pages, layout_page, repeated_margin_lines

MAX_PAGES = 300          # no annual report is longer; a bigger file is refused, not read
MIN_PAGE_CHARS = 10      # fewer real characters than this on a page with an image: a scanned page
MAX_PAGE_CHARS = 30_000  # characters on one page (a dense A4 page has 3,000): more is an amplification attack
MAX_CHARS = 600_000      # characters in the whole document (300 dense pages)


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise ExtractionError("PDF 文件已加密（需要密码），无法读取") from None
        if "format" in msg or "file" in msg:
            raise ExtractionError("PDF 文件已损坏或不完整，无法打开") from None
        raise ExtractionError(f"PDF 文件无法打开：{exc}".replace("\n", " ")) from None


def page_count(data: bytes) -> int:
    pdf = _open(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def extract(data: bytes) -> Document:
    pdf = _open(data)
    try:
        n = len(pdf)
        if n == 0:
            raise ExtractionError("PDF 文件没有页面")
        if n > MAX_PAGES:
            raise ExtractionError(f"PDF 文件页数过多（{n} 页，上限 {MAX_PAGES} 页），不像是年度报告")
        layouts, scanned = _read_pages(pdf, n)
        document = Document(format="pdf", pages=n)
        if b"%%EOF" not in data[-2048:]:
            document.warnings.append("PDF 文件可能不完整（缺少结尾标记 %%EOF），只读取了能恢复的部分")
        if scanned and not ocr.available() and len(scanned) < n:
            # a text PDF with a picture page (a seal, a scanned signature page): read the text, say what is lost
            document.warnings.append(f"{len(scanned)} 页没有文字层，未识别（{ocr.MISSING}）")
            scanned = []
        if scanned:
            _read_scans(pdf, scanned, layouts, document, n)
    finally:
        pdf.close()
    pages = [p for p in layouts if p is not None]
    if not any(p.glyphs for p in pages):
        raise ExtractionError("PDF 中没有任何文字（空白页，或文字被转成了曲线），无法审核")
    drop = repeated_margin_lines(pages)
    document.blocks = join_pages([layout_page(p, drop) for p in pages])
    return document


def _read_pages(pdf: pdfium.PdfDocument, n: int) -> tuple[list[PageLayout | None], list[int]]:
    """Each page's text layer (None for a page to read as a picture), and the indices of those pages."""
    layouts: list[PageLayout | None] = []
    scanned: list[int] = []
    chars = 0
    for i in range(n):
        try:
            page = pdf[i]
        except Exception:  # noqa: BLE001 - pdfium raises a generic error for a broken page
            raise ExtractionError(f"PDF 文件已损坏：第 {i + 1} 页无法读取") from None
        try:
            layout = _page_layout(page, i + 1)
            if layout is None:
                scanned.append(i)
            else:
                chars += len(layout.glyphs)
                if chars > MAX_CHARS:
                    raise ExtractionError(f"PDF 文字过多（前 {i + 1} 页已超过 {MAX_CHARS // 10000} 万字），"
                                          "不像是年度报告，疑似恶意构造")
            layouts.append(layout)
        finally:
            page.close()
    return layouts, scanned


def _read_scans(pdf: pdfium.PdfDocument, scanned: list[int], layouts: list[PageLayout | None], document: Document,
                n: int) -> None:
    """OCR the pages without a text layer into their place in `layouts`."""
    if len(scanned) > ocr.MAX_IMAGE_PAGES:
        raise ExtractionError(f"图片版 PDF 页数过多（{len(scanned)} 页需要 OCR，上限 {ocr.MAX_IMAGE_PAGES} 页）")
    batch = max(1, os.cpu_count() or 1)  # a few pages rendered at a time: memory stays bounded
    for start in range(0, len(scanned), batch):
        chunk = scanned[start:start + batch]
        images, dpis = ocr.render_pdf_pages(pdf, chunk)
        for i, page_layout in zip(chunk, ocr.layouts_from_images(images, first_numbers=[i + 1 for i in chunk],
                                                                 dpi=dpis), strict=False):
            layouts[i] = page_layout
        del images
    document.ocr = True
    if len(scanned) < n:
        document.warnings.append(f"{len(scanned)} 页没有文字层，已用 OCR 识别")
    else:
        document.warnings.append("PDF 没有文字层（图片版），已用 OCR 识别")


_PUA = re.compile(r"[\ue000-\uf8ff\ufffd]")


def _page_layout(page: pdfium.PdfPage, number: int) -> PageLayout | None:
    """The page's characters and rulings; None when the page has no usable text layer (a scan)."""
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count > MAX_PAGE_CHARS:
            raise ExtractionError(f"PDF 第 {number} 页有 {count} 个字符，超过上限 {MAX_PAGE_CHARS}，"
                                  "不像是年度报告，疑似恶意构造")
        text = textpage.get_text_range() if count else ""
        real = len("".join(text.split()))
        garbled = real > 0 and len(_PUA.findall(text)) > 0.3 * real  # fonts without a usable ToUnicode map
        if garbled or (real < MIN_PAGE_CHARS and (_has_image(page) or _many_paths(page))):
            return None  # read the page as a picture
        glyphs: list[Glyph] = []
        index: list[int] = []
        rect = R.FS_RECTF()
        raw = textpage.raw
        if len(text) != count:
            text = "".join(chr(R.FPDFText_GetUnicode(raw, i) or 32) for i in range(count))
        loose = R.FPDFText_GetLooseCharBox
        append, mark = glyphs.append, index.append
        for i, ch in enumerate(text):
            if ch.isspace() or ch == "\x00" or not loose(raw, i, rect):
                continue
            left, right, top, bottom = rect.left, rect.right, height - rect.top, height - rect.bottom
            if right <= left or bottom <= top:
                continue
            append(Glyph(ch, left, top, right, bottom))
            mark(i)
        _fix_bogus_boxes(raw, glyphs, index, height)
    finally:
        textpage.close()
    segs = _rulings(page, height)
    return PageLayout(width, height, glyphs, segs, number)


def _fix_bogus_boxes(raw: Any, glyphs: list[Glyph], index: list[int], height: float) -> None:
    """pdfium's loose box is wrong for some glyphs (vertical writing in WPS tables gives 200-point boxes):
    for a box far taller than the page's usual one, use the tight box grown to a square."""
    if not glyphs:
        return
    hs = sorted(g.bottom - g.top for g in glyphs)
    usual = hs[len(hs) // 2]
    left, r, b, t = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    for k, g in enumerate(glyphs):
        if g.bottom - g.top > 2.5 * usual or g.x1 - g.x0 > 2.5 * usual:
            if not R.FPDFText_GetCharBox(raw, index[k], left, r, b, t):
                continue
            cx, cy = (left.value + r.value) / 2, height - (b.value + t.value) / 2
            half = max(r.value - left.value, t.value - b.value, usual * 0.8) / 2
            glyphs[k] = Glyph(g.text, cx - half, cy - half, cx + half, cy + half)


def _many_paths(page: pdfium.PdfPage, threshold: int = 200) -> bool:
    """Text converted to outlines ("转曲"): hundreds of path objects and no text layer."""
    raw = page.raw
    paths = 0
    for i in range(R.FPDFPage_CountObjects(raw)):
        if R.FPDFPageObj_GetType(R.FPDFPage_GetObject(raw, i)) == R.FPDF_PAGEOBJ_PATH:
            paths += 1
            if paths >= threshold:
                return True
    return False


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=[R.FPDF_PAGEOBJ_IMAGE], max_depth=2))


Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


class _Buffers:
    """The out-parameters pdfium fills, allocated once per page."""

    def __init__(self) -> None:
        self.matrix = R.FS_MATRIX()
        self.fillmode, self.stroke = ctypes.c_int(), ctypes.c_int()
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.bl, self.bb, self.br, self.bt = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()

    def draw_mode(self, obj: Any) -> tuple[bool, bool]:
        """(stroked, filled)"""
        R.FPDFPath_GetDrawMode(obj, self.fillmode, self.stroke)
        return bool(self.stroke.value), self.fillmode.value != 0

    def placed(self, obj: Any, parent: Matrix) -> Matrix:
        """The object's matrix composed with its parent's (the parent's when it has none)."""
        if R.FPDFPageObj_GetMatrix(obj, self.matrix):
            m = self.matrix
            return _compose((m.a, m.b, m.c, m.d, m.e, m.f), parent)
        return parent


def _rulings(page: pdfium.PdfPage, height: float, max_paths: int = 20000) -> list[Seg]:
    """Axis-aligned rulings drawn as vector paths: stroked lines, thin filled rectangles, the edges of stroked
    rectangles.  Large filled rectangles (cell shading, white backgrounds) are not rulings."""
    segs: list[Seg] = []
    buf = _Buffers()
    raw_page = page.raw
    stack: list[tuple[Any, Matrix]] = []
    paths = 0
    for i in range(R.FPDFPage_CountObjects(raw_page)):
        obj = R.FPDFPage_GetObject(raw_page, i)
        kind = R.FPDFPageObj_GetType(obj)
        if kind == R.FPDF_PAGEOBJ_FORM:
            stack.append((obj, _IDENTITY))
            continue
        if kind != R.FPDF_PAGEOBJ_PATH:
            continue
        paths += 1
        if paths > max_paths:
            break
        if not _simple_shape(obj, height, buf, segs):
            stack.append((obj, _IDENTITY))
    _nested_rulings(stack, height, max_paths, buf, segs)
    return segs


def _simple_shape(obj: Any, height: float, buf: _Buffers, segs: list[Seg]) -> bool:
    """The fast path for the common shapes, from the page-space bounds: a line, a thin bar, a shaded box, a frame
    (their rulings added to segs).  False when the path must be read segment by segment."""
    stroked, filled = buf.draw_mode(obj)
    if not (stroked or filled):
        return True
    nseg: int = R.FPDFPath_CountSegments(obj)
    if nseg > 6 or not R.FPDFPageObj_GetBounds(obj, buf.bl, buf.bb, buf.br, buf.bt):
        return False
    x0, x1, top, bottom = buf.bl.value, buf.br.value, height - buf.bt.value, height - buf.bb.value
    w, h = x1 - x0, bottom - top
    if h < 3 and w >= 3:
        segs.append(Seg(True, (top + bottom) / 2, x0, x1))
        return True
    if w < 3 and h >= 3:
        segs.append(Seg(False, (x0 + x1) / 2, top, bottom))
        return True
    if w >= 3 and h >= 3 and nseg >= 4:
        if stroked:  # a frame: its four edges
            segs += [Seg(True, top, x0, x1), Seg(True, bottom, x0, x1),
                     Seg(False, x0, top, bottom), Seg(False, x1, top, bottom)]
        return True  # a filled box is shading, not a ruling
    return nseg == 2  # a diagonal line


def _nested_rulings(stack: list[tuple[Any, Matrix]], height: float, max_paths: int, buf: _Buffers,
                    segs: list[Seg]) -> None:
    """The rulings of the paths left, and of those inside form objects, read segment by segment."""
    seen = 0
    while stack:
        obj, parent = stack.pop()
        seen += 1
        if seen > max_paths:
            break
        kind = R.FPDFPageObj_GetType(obj)
        if kind == R.FPDF_PAGEOBJ_FORM:
            m = buf.placed(obj, parent)
            stack.extend((R.FPDFFormObj_GetObject(obj, k), m) for k in range(R.FPDFFormObj_CountObjects(obj)))
            continue
        if kind != R.FPDF_PAGEOBJ_PATH:
            continue
        m = buf.placed(obj, parent)
        stroked, filled = buf.draw_mode(obj)
        if not (stroked or filled):
            continue
        nseg = R.FPDFPath_CountSegments(obj)
        if nseg > 2000:
            continue
        _path_rulings(_subpaths(obj, nseg, m, height, buf), stroked, filled, segs)


def _subpaths(obj: Any, nseg: int, m: Matrix, height: float, buf: _Buffers) -> list[list[tuple[float, float]]]:
    """A path's polylines in page space (top-down); a curve breaks the polyline."""
    subpaths: list[list[tuple[float, float]]] = []
    x, y = buf.x, buf.y
    for k in range(nseg):
        sg = R.FPDFPath_GetPathSegment(obj, k)
        R.FPDFPathSegment_GetPoint(sg, x, y)
        px = m[0] * x.value + m[2] * y.value + m[4]
        py = height - (m[1] * x.value + m[3] * y.value + m[5])
        t = R.FPDFPathSegment_GetType(sg)
        if t == R.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([(px, py)])
        elif t == R.FPDF_SEGMENT_LINETO:
            subpaths[-1].append((px, py))
        else:  # a curve: not a ruling; break the polyline
            subpaths.append([(px, py)])
        if R.FPDFPathSegment_GetClose(sg) and len(subpaths[-1]) > 1:
            subpaths[-1].append(subpaths[-1][0])
    return subpaths


def _path_rulings(subpaths: list[list[tuple[float, float]]], stroked: bool, filled: bool, segs: list[Seg]) -> None:
    """A filled polyline is a ruling when it is a thin bar; a stroked one has a ruling in each axis-aligned edge."""
    for pts in subpaths:
        if len(pts) < 2:
            continue
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        w, h = max(xs) - min(xs), max(ys) - min(ys)
        if filled and not stroked:
            if w < 3 and h > 3:
                segs.append(Seg(False, (max(xs) + min(xs)) / 2, min(ys), max(ys)))
            elif h < 3 and w > 3:
                segs.append(Seg(True, (max(ys) + min(ys)) / 2, min(xs), max(xs)))
            continue
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            if abs(y1 - y0) < 1 and abs(x1 - x0) >= 3:
                segs.append(Seg(True, (y0 + y1) / 2, min(x0, x1), max(x0, x1)))
            elif abs(x1 - x0) < 1 and abs(y1 - y0) >= 3:
                segs.append(Seg(False, (x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def _compose(m: Matrix, parent: Matrix) -> Matrix:
    """m (child) then parent: the child's coordinates mapped into the page."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = parent
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
