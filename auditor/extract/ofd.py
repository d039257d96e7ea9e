"""OFD (GB/T 33190, China's fixed-layout format) -> Document, through easyofd.

The package is checked before easyofd sees it: its zip directory (entries, declared and real sizes: no zip bomb),
every XML part (no DOCTYPE or ENTITY: no entity expansion, no external entities), and every electronic seal's check
values (a part changed after signing is refused).  easyofd then parses the parts from memory (it would otherwise
write the package into the working folder); its text objects and paths become glyphs and rulings for the same
layout engine as PDF, so tables are rebuilt as grids.  Sizes in OFD are millimetres; the layout engine works in
points.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import warnings
import zipfile
from typing import Any

from lxml import etree
from PIL import Image, UnidentifiedImageError

from auditor.document import Document
from auditor.extract import ocr
from auditor.extract.base import ExtractionError
from auditor.extract.layout import Glyph, PageLayout, Seg, join_pages, layout_page, repeated_margin_lines

MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024   # the whole package inflated
MAX_RATIO = 200                        # inflated / compressed, per part (a page of text compresses ~10x)
MAX_PAGES = 300
PT = 72 / 25.4                         # points per millimetre
# check-value algorithms of seals: SM3 (GM/T 0004) and the ones some producers use
Element = Any  # lxml.etree._Element (lxml-stubs is not installed)
Parsed = dict[str, Any]  # easyofd's reading of a document (JSON-like, untyped)
_DIGESTS = {"1.2.156.10197.1.401": "sm3", "sm3": "sm3", "1.3.14.3.2.26": "sha1", "sha1": "sha1",
            "2.16.840.1.101.3.4.2.1": "sha256", "sha256": "sha256", "1.2.840.113549.2.5": "md5", "md5": "md5"}


def extract(data: bytes) -> Document:
    parts = _parts(data)
    _no_entities(parts)
    warnings = _check_seals(parts)
    docs = _parse(parts)
    pages = _pages(docs)
    if len(pages) > MAX_PAGES:
        raise ExtractionError(f"OFD 文件页数过多（{len(pages)} 页，上限 {MAX_PAGES} 页），不像是年度报告")
    document = Document(format="ofd", pages=len(pages), warnings=warnings)
    scanned = _read_scans(docs[0], pages)
    if scanned:
        document.ocr = True
        document.warnings.append(f"{scanned} 页是图片（图片版 OFD），已用 OCR 识别")
    if not any(p.glyphs for p in pages):
        raise ExtractionError("OFD 中没有任何文字（空白页，或图片中没有识别出文字），无法审核")
    drop = repeated_margin_lines(pages)
    document.blocks = join_pages([layout_page(p, drop) for p in pages])
    return document


# --- the package -------------------------------------------------------------------------------------------------

def _parts(data: bytes) -> dict[str, bytes]:
    """Every part of the package, inflated within the limits."""
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExtractionError("OFD 文件已损坏（不是完整的 ZIP 包），无法打开") from None
    if len(infos) > MAX_ENTRIES:
        raise ExtractionError(f"OFD 文件异常：包含 {len(infos)} 个部件，超过上限 {MAX_ENTRIES}")
    declared = sum(i.file_size for i in infos)
    if declared > MAX_UNCOMPRESSED:
        raise ExtractionError(f"OFD 文件异常：解压后 {declared / 1048576:.0f} MB，超过上限 "
                              f"{MAX_UNCOMPRESSED // 1048576} MB，疑似压缩炸弹")
    parts: dict[str, bytes] = {}
    for info in infos:
        if info.is_dir():
            continue
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 1048576:
            raise ExtractionError(f"OFD 文件异常：部件 {info.filename} 压缩比 {info.file_size // info.compress_size}:1，"
                                  "疑似压缩炸弹")
        try:
            with z.open(info) as fh:
                body = fh.read(info.file_size + 1)  # never more than declared: a lying header cannot inflate more
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError):
            raise ExtractionError(f"OFD 文件已损坏：部件 {info.filename} 无法解压") from None
        if len(body) > info.file_size:
            raise ExtractionError(f"OFD 文件异常：部件 {info.filename} 解压后大于声明的大小，疑似压缩炸弹")
        parts[info.filename.lstrip("/")] = body
    root = next((name for name in parts if name.lower() == "ofd.xml"), None)
    if root is None:
        raise ExtractionError("OFD 文件缺少入口文件 OFD.xml，无法读取")
    return parts


_ENTITY = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def _no_entities(parts: dict[str, bytes]) -> None:
    for name, body in parts.items():
        if name.lower().endswith(".xml") and _ENTITY.search(body[:65536] if len(body) > 65536 else body):
            raise ExtractionError(f"OFD 文件含有 XML 实体声明（{name}），可能是恶意文件，已拒绝读取")


def _xml(parts: dict[str, bytes], name: str) -> Element | None:
    body = _find(parts, name)
    if body is None:
        return None
    try:
        return etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError:
        raise ExtractionError(f"OFD 文件已损坏：{name} 不是合法的 XML") from None


def _find(parts: dict[str, bytes], name: str) -> bytes | None:
    name = name.strip().lstrip("/")
    if name in parts:
        return parts[name]
    lower = name.lower()
    return next((v for k, v in parts.items() if k.lower() == lower), None)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _texts(root: Element, name: str) -> list[str]:
    return [(e.text or "").strip() for e in root.iter() if _local(e.tag) == name]


# --- electronic seals ----------------------------------------------------------------------------------------------

def _check_seals(parts: dict[str, bytes]) -> list[str]:
    """Every seal's check values against the parts it covers; a mismatch is refused.  Returns warnings."""
    root = _xml(parts, next(k for k in parts if k.lower() == "ofd.xml"))
    warnings: list[str] = []
    for listing in _texts(root, "Signatures"):
        signatures = _xml(parts, listing)
        if signatures is None:
            raise ExtractionError(f"OFD 文件的电子签章已损坏：缺少签章列表 {listing}")
        base = listing.rsplit("/", 1)[0] if "/" in listing else ""
        for sig in (e for e in signatures.iter() if _local(e.tag) == "Signature"):
            loc = sig.get("BaseLoc", "")
            path = loc.lstrip("/") if loc.startswith("/") else f"{base}/{loc}".lstrip("/")
            warnings += _check_one(parts, path)
    return warnings


def _check_one(parts: dict[str, bytes], path: str) -> list[str]:
    signature = _xml(parts, path)
    if signature is None:
        raise ExtractionError(f"OFD 文件的电子签章已损坏：缺少签章文件 {path}")
    refs = next((e for e in signature.iter() if _local(e.tag) == "References"), None)
    if refs is None:
        raise ExtractionError(f"OFD 文件的电子签章已损坏：{path} 没有签名范围")
    algorithm = _DIGESTS.get((refs.get("CheckMethod") or "sm3").strip().lower())
    if algorithm is None or algorithm not in hashlib.algorithms_available:
        return [f"电子签章的校验算法 {refs.get('CheckMethod')} 无法核验，未校验签章"]
    for ref in (e for e in refs if _local(e.tag) == "Reference"):
        target = ref.get("FileRef", "")
        body = _find(parts, target)
        value = "".join(_texts(ref, "CheckValue"))
        if body is None:
            raise ExtractionError(f"OFD 文件的电子签章已损坏：签章覆盖的 {target} 不存在")
        try:
            expected = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ExtractionError(f"OFD 文件的电子签章已损坏：{target} 的校验值无法解析") from None
        if hashlib.new(algorithm, body).digest() != expected:
            raise ExtractionError(f"OFD 文件的电子签章校验失败：{target} 在签章后被改动过")
    return []


# --- easyofd -------------------------------------------------------------------------------------------------------

def _parse(parts: dict[str, bytes]) -> list[Parsed]:
    """easyofd's reading of the parts (from memory): per page, text objects and paths."""
    import xmltodict  # lazy: the easyofd stack (PyMuPDF) loads only for an OFD
    from loguru import logger

    logger.disable("easyofd")  # it logs to stderr; problems reach the user as one ExtractionError line
    with warnings.catch_warnings():  # easyofd imports PyMuPDF's deprecated "fitz" name
        warnings.simplefilter("ignore")
        from easyofd.parser_ofd import OFDParser, file_parser_base, file_publicres_parser

    for module in (file_parser_base, file_publicres_parser):  # they print() to stdout (JSON output goes there)
        module.print = _quiet

    tree: dict[str, Any] = {"root": "/ofd", "pdf_name": "report.pdf"}
    try:
        for name, body in parts.items():
            key = f"/ofd/{name}"
            tree[key] = xmltodict.parse(body) if "xml" in name.lower() else base64.b64encode(body).decode()
        tree["root_doc"] = next(f"/ofd/{k}" for k in parts if k.lower() == "ofd.xml")
        parser = OFDParser(None)
        parser.file_tree = tree
        docs: list[Parsed] = parser.parser()
        return docs
    except ExtractionError:
        raise
    except Exception as exc:  # noqa: BLE001 - easyofd raises whatever its parts raise
        raise ExtractionError(f"OFD 文件结构异常，无法读取（{type(exc).__name__}）") from None


def _quiet(*args: object, **kwargs: object) -> None:
    pass


def _pages(docs: list[Parsed]) -> list[PageLayout]:
    if not docs:
        raise ExtractionError("OFD 文件中没有文档")
    doc = docs[0]
    sizes = doc.get("page_size") or []
    default = doc.get("default_page_size") or [0, 0, 210, 297]
    out = []
    for k, (_, page) in enumerate(sorted(doc.get("page_info", {}).items())):
        box = sizes[k] if k < len(sizes) and len(sizes[k]) >= 4 else default
        glyphs = [g for item in page.get("text_list", []) for g in _glyphs(item)]
        segs = [s for item in page.get("line_list", []) for s in _segs(item)]
        out.append(PageLayout(float(box[2]) * PT, float(box[3]) * PT, glyphs, segs, k + 1))
    return out


def _read_scans(doc: Parsed, pages: list[PageLayout]) -> int:
    """Pages without text whose content is a picture (a scan): the largest picture read by OCR, in place, under the
    same bounds as an image file (ocr.py): each picture's and all pictures' pixels checked from their headers before
    any is decoded, then one page at a time, scaled down to OCR_PIXELS, each page's time from the deadline."""
    todo = _scans(doc, pages)
    if not todo:
        return 0
    if len(todo) > ocr.MAX_IMAGE_PAGES:
        raise ExtractionError(f"图片版 OFD 页数过多（{len(todo)} 页需要 OCR，上限 {ocr.MAX_IMAGE_PAGES} 页）")
    if sum(image.size[0] * image.size[1] for _, image, *_rest in todo) > ocr.MAX_TOTAL_PIXELS:
        raise ExtractionError("OFD 中的图片总像素过多，不像是年度报告的扫描页")
    for k, image, x, y, width_mm in todo:  # one page at a time: memory stays bounded
        layout = _read_scan(k, image, width_mm)
        if layout is not None:
            _move(layout, x, y)
            pages[k].glyphs, pages[k].segs = layout.glyphs, layout.segs
    return len(todo)


def _scans(doc: Parsed, pages: list[PageLayout]) -> list[tuple[int, Image.Image, float, float, float]]:
    """The pages to read by OCR: (index, its largest picture, the picture's x and y in points, its width in mm)."""
    todo = []
    for k, (_, page) in enumerate(sorted(doc.get("page_info", {}).items())):
        if pages[k].glyphs or not page.get("img_list"):
            continue
        best = max(page["img_list"], key=lambda im: float(im["pos"][2]) * float(im["pos"][3]))
        image = _picture(doc.get("images", {}).get(str(best.get("ResourceID")), {}))
        if image is not None:
            todo.append((k, image, float(best["pos"][0]) * PT, float(best["pos"][1]) * PT, float(best["pos"][2])))
    return todo


def _read_scan(k: int, image: Image.Image, width_mm: float) -> PageLayout | None:
    """Page k's picture read by OCR, in points from the picture's corner; None when it cannot be decoded."""
    dpi = image.size[0] / (width_mm / 25.4) if width_mm > 0 else ocr.DPI
    try:
        page_image, scale = ocr._scaled(ocr._to_gray(image))
    except (OSError, ValueError, SyntaxError, EOFError):
        return None                         # a picture that cannot be decoded: the page stays without text
    finally:
        image.close()
    dpi *= scale
    [layout] = ocr.layouts_from_images([page_image], first_numbers=[k + 1], dpi=dpi)
    return layout


def _move(layout: PageLayout, x: float, y: float) -> None:
    """Shift the glyphs and rulings of a picture placed at (x, y) on its page."""
    for g in layout.glyphs:
        g.x0, g.x1, g.top, g.bottom = g.x0 + x, g.x1 + x, g.top + y, g.bottom + y
    for sg in layout.segs:
        sg.pos, sg.a, sg.b = (sg.pos + y, sg.a + x, sg.b + x) if sg.horizontal else (sg.pos + x, sg.a + y, sg.b + y)


def _picture(resource: dict[str, Any]) -> Image.Image | None:
    """A page picture, opened but not yet decoded (PIL reads the header only), or None; a picture too large to be a
    page is refused."""
    try:
        image = Image.open(io.BytesIO(base64.b64decode(resource.get("imgb64") or "")))
    except (UnidentifiedImageError, OSError, ValueError, binascii.Error, Image.DecompressionBombError):
        return None
    if image.size[0] * image.size[1] > ocr.MAX_PIXELS:
        raise ExtractionError("OFD 中的图片过大，不像是年度报告的扫描页")
    return image


def _deltas(spec: str | None, n: int) -> list[float]:
    """DeltaX/DeltaY: numbers, where "g N d" stands for N times d."""
    tokens, i = str(spec or "").split(), 0
    out: list[float] = []
    while i < len(tokens):
        if tokens[i] == "g" and i + 2 < len(tokens):
            out += [float(tokens[i + 2])] * int(float(tokens[i + 1]))
            i += 3
        else:
            out.append(float(tokens[i]))
            i += 1
    return (out + [out[-1] if out else 0.0] * n)[: max(n - 1, 0)]


def _glyphs(item: dict[str, Any]) -> list[Glyph]:
    """One TextCode as glyphs in points: the boundary's origin, the code's X/Y (the first baseline) and DeltaX."""
    text = str(item.get("text") or "")
    if not text.strip() or text == "None":
        return []
    try:
        bx, by = float(item["pos"][0]), float(item["pos"][1])
        size = float(item.get("size") or 3.5)
        x, y = float(item.get("X") or 0), float(item.get("Y") or size)
    except (KeyError, TypeError, ValueError, IndexError):
        return []
    a, d = _scale(item.get("CTM"))
    size *= d
    xs = [x]
    for delta in _deltas(item.get("DeltaX"), len(text)):
        xs.append(xs[-1] + delta)
    out = []
    for k, ch in enumerate(text):
        if ch.isspace():
            continue
        left = bx + xs[k] * a
        right = bx + xs[k + 1] * a if k + 1 < len(text) else left + size * (1.0 if ord(ch) > 0x2e80 else 0.55)
        right = min(right, left + size)
        base = by + y * d
        out.append(Glyph(ch, left * PT, (base - 0.88 * size) * PT, max(right, left + 0.1) * PT,
                         (base + 0.12 * size) * PT))
    return out


def _scale(ctm: object) -> tuple[float, float]:
    """The horizontal and vertical scale of a text object's CTM (rotation is not used by reports)."""
    try:
        m = [float(v) for v in str(ctm).split()]
        return (m[0], m[3]) if len(m) == 6 and m[0] > 0 and m[3] > 0 else (1.0, 1.0)
    except ValueError:
        return 1.0, 1.0


_CMD = re.compile(r"[MLBQACSZ]|-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")


def _segs(item: dict[str, Any]) -> list[Seg]:
    """A PathObject's axis-aligned lines, in points (the rulings of tables)."""
    try:
        bx, by = float(item["pos"][0]), float(item["pos"][1])
    except (KeyError, TypeError, ValueError, IndexError):
        return []
    return _axis_lines(_polylines(str(item.get("AbbreviatedData") or "")), bx, by)


_ARGS = {"M": 2, "L": 2, "S": 2, "Q": 4, "B": 6, "A": 7, "C": 0}  # numbers each command takes (C: as L)


def _polylines(data: str) -> list[list[tuple[float, float]]]:
    """The path's straight polylines (AbbreviatedData); a curve ends one."""
    tokens = _CMD.findall(data)
    points: list[tuple[float, float]] = []
    polylines = [points]
    i, cmd = 0, None
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd == "Z" and points:
                points.append(points[0])
            continue
        need = _ARGS.get(cmd or "", 2) or 2
        nums = [float(t) for t in tokens[i:i + need] if not t.isalpha()]
        i += need
        if len(nums) < 2:
            break
        if cmd == "L":
            points.append((nums[0], nums[1]))
        else:  # a move, or a curve (not a ruling): a new polyline
            points = [(nums[-2], nums[-1])]
            polylines.append(points)
    return polylines


def _axis_lines(polylines: list[list[tuple[float, float]]], bx: float, by: float) -> list[Seg]:
    """The horizontal and vertical pieces of the polylines, in points from the boundary's origin (bx, by)."""
    segs = []
    for pts in polylines:
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            X0, Y0, X1, Y1 = (bx + x0) * PT, (by + y0) * PT, (bx + x1) * PT, (by + y1) * PT
            if abs(Y1 - Y0) < 1 and abs(X1 - X0) >= 3:
                segs.append(Seg(True, (Y0 + Y1) / 2, min(X0, X1), max(X0, X1)))
            elif abs(X1 - X0) < 1 and abs(Y1 - Y0) >= 3:
                segs.append(Seg(False, (X0 + X1) / 2, min(Y0, Y1), max(Y0, Y1)))
    return segs
