"""bytes -> Document.  The format is sniffed from the bytes, never from the name or a server's content type.

A new format is one module in this package plus one line in EXTRACTORS: a function `extract(data: bytes) -> Document`
that raises ExtractionError with a one-line Chinese reason when it cannot read the bytes.

Where the bytes are read: text and HTML up to INLINE_BYTES in this process (fast: hundreds a second; their extractors
are bounded); everything else (PDF, DOCX, DOC/WPS, images, big text) in the sandbox worker (_sandbox.py: a memory
and a time budget, one line when a file exceeds them).  Every Document is bounded (check_size) and cleaned of
invisible control characters (zero-width, bidirectional overrides) that would hide a heading from the parser.
"""
from __future__ import annotations

import importlib
import os
import re

from auditor.document import Document, Paragraph
from auditor.extract import _sandbox
from auditor.extract.base import (
    INLINE_BYTES,
    INLINE_KINDS,
    MAX_BYTES,
    MAX_CELLS,
    MAX_CHARS,
    ExtractionError,
    check_size,
    deadline,
    failure_line,
    remaining,
)

__all__ = ["EXTRACTORS", "INLINE_BYTES", "INLINE_KINDS", "MAX_BYTES", "MAX_CELLS", "MAX_CHARS", "ExtractionError",
           "check_size", "deadline", "decode_text", "extract", "extract_here", "failure_line", "remaining", "sniff"]


# kind -> "module:function"; imported lazily so that auditing HTML never loads the PDF stack
EXTRACTORS: dict[str, str] = {
    "text": "auditor.extract.text:extract",
    "markdown": "auditor.extract.text:extract",
    "html": "auditor.extract.html:extract",
    "pdf": "auditor.extract.pdf:extract",
    "docx": "auditor.extract.docx:extract",
    "doc": "auditor.extract.doc:extract",
    "wps": "auditor.extract.doc:extract",
    "image": "auditor.extract.ocr:extract_image",
    "ofd": "auditor.extract.ofd:extract",
}

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")
_HTML_MARKERS = (b"<html", b"<!doctype html", b"<head", b"<body", b"<table", b"<div", b"<p>", b"<%@", b"<meta")


def sniff(data: bytes) -> str | None:
    """The format of `data`, or None when it is nothing a report could be."""
    head = data[:4096]
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _package_format(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "wps" if b"W\x00P\x00S" in data[:65536] or b"WPS" in data[:4096] else "doc"
    if any(head.startswith(m) for m in _IMAGE_MAGIC) or head[4:12] in (b"ftypavif", b"ftypheic") or head[8:12] == b"WEBP":
        return "image"
    if head.startswith(b"{\\rtf"):
        return None
    return _text_format(head)


def _package_format(data: bytes) -> str | None:
    """A zip package: OFD, DOCX, or None (some other archive)."""
    if b"OFD.xml" in data[:65536] or b"OFD.xml" in data[-65536:]:  # the package's entry file (GB/T 33190)
        return "ofd"
    return "docx" if b"word/" in data[:65536] or b"[Content_Types].xml" in data[:65536] else None


def _text_format(head: bytes) -> str | None:
    """Text: HTML or plain text; None when the bytes are not text."""
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):   # UTF-16 with its byte-order mark: judged on its text
        head = head[: len(head) // 2 * 2].decode("utf-16", errors="replace").encode("utf-8")
        text_head = head.lower()
    if b"\x00" in head:
        return None
    if not _looks_like_text(head):
        return None
    if any(m in text_head[:2048] for m in _HTML_MARKERS):
        return "html"
    return "text"


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > len(head) * 0.02:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            head.decode(enc)
            return True
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # cut in the middle of a character at the 4 KiB boundary
                return True
    return False


def decode_text(data: bytes) -> str:
    """Text bytes to str: BOM, then UTF-8, then GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def extract(data: bytes, kind: str | None = None) -> Document:
    """Read `data` into a Document.  Raises ExtractionError with a one-line reason."""
    if not data or not data.strip():
        raise ExtractionError("文件为空")
    if len(data) > MAX_BYTES:
        raise ExtractionError(f"文件过大（{len(data) / 1048576:.0f} MB，上限 {MAX_BYTES // 1048576} MB），不像是年度报告")
    kind = kind or sniff(data)
    if kind is None:
        raise ExtractionError("无法识别的文件格式（不是 HTML、文本、PDF、OFD、DOCX、DOC/WPS 或图片）")
    if (kind in INLINE_KINDS and len(data) <= INLINE_BYTES) or os.environ.get("OGIAUDIT_SANDBOX") == "0":
        document = extract_here(data, kind)
        check_size(document)
        return document
    document = _sandbox.extract(data, kind)
    return document


def extract_here(data: bytes, kind: str) -> Document:
    """Read `data` of a known kind in this process (the sandbox worker's entry)."""
    if kind in INLINE_KINDS:
        data = _as_utf8(data)
    invisible = not data.startswith(b"\xef\xbb\xbf") or bool(_INVISIBLE_UTF8.search(data, 3))
    module_name, func_name = EXTRACTORS[kind].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # an optional stack that is not installed here
        raise ExtractionError(f"无法读取 {kind} 文件：缺少组件 {exc.name}") from None
    document: Document = getattr(module, func_name)(data)
    if kind in ("wps", "doc") and document.format in ("docx", "text"):
        document.format = kind
    if invisible or kind not in INLINE_KINDS:
        _clean(document)
    return document


def _as_utf8(data: bytes) -> bytes:
    """Text bytes the extractors read right whatever a page declares: UTF-16 (with its byte-order mark) transcoded,
    and UTF-8 marked as such (a BOM), since a page that is valid UTF-8 is UTF-8 even when it says charset=gbk."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return b"\xef\xbb\xbf" + data.decode("utf-16", errors="replace").encode("utf-8")
    if data.startswith(b"\xef\xbb\xbf") or data.isascii():
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return b"\xef\xbb\xbf" + data


# invisible characters that split a heading or a number without showing: zero-width, joiners, bidi controls
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_INVISIBLE_UTF8 = re.compile(b"\xc2\xad|\xe2\x80[\x8b-\x8f\xaa-\xae]|\xe2\x81[\xa0-\xa4\xa6-\xa9]|\xef\xbb\xbf")


def _clean(document: Document) -> None:
    for block in document.blocks:
        if isinstance(block, Paragraph):
            if not block.text.isascii():
                block.text = _INVISIBLE.sub("", block.text)
        else:
            for row in block.rows:
                for i, cell in enumerate(row):
                    if not cell.isascii() and _INVISIBLE.search(cell):
                        row[i] = _INVISIBLE.sub("", cell)
