"""Small hostile documents, generated inside the tests (a few KB each; what they expand to is the attack)."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_CT = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
       b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')


# --- DOCX -----------------------------------------------------------------------------------------------------------
def docx(body: str, prolog: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("word/document.xml",
                   f'<?xml version="1.0"?>{prolog}<w:document {W}><w:body>{body}</w:body></w:document>')
    return buf.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, span: int | None = None) -> str:
    pr = f'<w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr>' if span else ""
    return f"<w:tc>{pr}{_p(text)}</w:tc>"


def docx_grid_before() -> bytes:
    """A row that starts 2,000,000,000 empty grid columns in (600 bytes; unbounded: 16 GB)."""
    return docx(f'<w:tbl><w:tr><w:trPr><w:gridBefore w:val="2000000000"/></w:trPr>{_tc("1")}</w:tr>'
                f'<w:tr>{_tc("2")}</w:tr></w:tbl>')


def docx_wide_spans() -> bytes:
    """One row of cells spanning 64 columns each, then 20,000 empty rows (unbounded: every row padded to the
    widest, 640 million cells from 3 KB)."""
    return docx("<w:tbl><w:tr>" + _tc("x", 64) * 500 + "</w:tr>" + "<w:tr/>" * 20000 + "</w:tbl>")


def docx_billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10 if i > 1 else "lol" * 10}">'
                       for i in range(1, 10))
    return docx(_p("&lol9;"), prolog=f"<!DOCTYPE lolz [{entities}]>")


# --- HTML -----------------------------------------------------------------------------------------------------------
def html_spans() -> bytes:
    """Cells each 100 rows by 100 columns (about 60 KB; unbounded: gigabytes of grid)."""
    rows = ("<tr>" + '<td rowspan="100" colspan="100">1</td>' * 60 + "</tr>") * 40
    return f"<html><body><table>{rows}</table></body></html>".encode()


def nested(page: bytes, depth: int, tag: str = "div") -> bytes:
    """The page's body wrapped `depth` elements deep."""
    head, _, rest = page.partition(b"<body>")
    body, _, tail = rest.rpartition(b"</body>")
    return head + b"<body>" + f"<{tag}>".encode() * depth + body + f"</{tag}>".encode() * depth + b"</body>" + tail


# --- PDF ------------------------------------------------------------------------------------------------------------
def pdf(contents: list[bytes], shared: bool = False, filters: tuple[bytes, ...] | None = None) -> bytes:
    """A minimal PDF, one page per content stream (or one stream shared by every page); streams compressed with
    FlateDecode unless `filters` says otherwise (b"" for none; pre-compressed data then)."""
    objs: list[bytes] = []

    def add(b: bytes) -> int:
        objs.append(b)
        return len(objs)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    streams = []
    for k, c in enumerate(contents[:1] if shared else contents):
        filt = filters[k] if filters is not None else b"/FlateDecode"
        data = zlib.compress(c, 9) if filters is None else c
        streams.append(add(b"<< /Length %d /Filter %s >>\nstream\n" % (len(data), filt or b"[]") + data
                           + b"\nendstream"))
    pages = len(objs) + len(contents) + 1
    kids = [add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> "
                b"/Contents %d 0 R >>" % (pages, font, streams[0] if shared else streams[i]))
            for i in range(len(contents))]
    add(b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids))
    root = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, xref)
    return bytes(out)


def dense_text(glyphs: int) -> bytes:
    line = b"0123456789" * 10
    ops = [b"BT /F1 4 Tf"] + [b"1 0 0 1 5 %.1f Tm (%s) Tj" % (830 - (i % 200) * 4.1, line)
                              for i in range(glyphs // 100)] + [b"ET"]
    return b"\n".join(ops)


def pdf_shared_glyphs(pages: int = 300, glyphs: int = 200_000) -> bytes:
    """Every page draws the same glyph-heavy stream (50 KB; unbounded: 3.7 GB and minutes)."""
    return pdf([dense_text(glyphs)] * pages, shared=True)


def flate_bomb(mb: int) -> bytes:
    """A zlib stream that inflates to `mb` MB of zeros, made in milliseconds: one compressed, fully flushed 1 MB
    block repeated (each copy stands alone), then the end block and the checksum (for zeros: n mod 65521, 1)."""
    c = zlib.compressobj(9)
    first = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    n = mb << 20
    return first[:2] + first[2:] * mb + b"\x03\x00" + struct.pack(">I", ((n % 65521) << 16) | 1)


def pdf_flate_bomb(mb: int = 2048) -> bytes:
    """One page whose content stream inflates to `mb` MB (2 MB; unbounded: the machine's memory)."""
    return pdf([flate_bomb(mb)], filters=(b"/FlateDecode",))


# --- images ---------------------------------------------------------------------------------------------------------
def tiff_frames(frames: int = 11, side: int = 7700) -> bytes:
    """A multi-page TIFF of blank 59-megapixel pages, Group 4 compressed (a few hundred KB; unbounded: GBs)."""
    from PIL import Image

    page = Image.new("1", (side, side), 1)
    buf = io.BytesIO()
    page.save(buf, format="TIFF", compression="group4", save_all=True, append_images=[page] * (frames - 1))
    return buf.getvalue()


def tiff_dense(pages: int = 6) -> bytes:
    """A page of glyph-like marks, the kind that keeps OCR busy, several times."""
    import random

    from PIL import Image, ImageDraw

    rnd = random.Random(1)
    page = Image.new("L", (2480, 3508), 255)
    draw = ImageDraw.Draw(page)
    for y in range(20, 3490, 14):
        x = 10
        while x < 2460:
            w = rnd.randint(3, 9)
            draw.rectangle([x, y, x + w, y + 9], fill=0)
            x += w + rnd.randint(2, 5)
    buf = io.BytesIO()
    page.save(buf, format="TIFF", compression="tiff_lzw", save_all=True, append_images=[page] * (pages - 1))
    return buf.getvalue()
