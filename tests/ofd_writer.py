"""Write OFD (GB/T 33190) packages inside the tests, as a PDF→OFD converter does: every character of the PDF's text
layer at its place (TextObject runs with DeltaX), the table rulings as PathObjects, sizes in millimetres; optionally
an electronic seal's signature over the pages (SM3 check values), to tamper with afterwards."""
from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from xml.sax.saxutils import escape

from pdfops import page_layouts

NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
MM = 25.4 / 72          # one PDF point in millimetres
SM3 = "1.2.156.10197.1.401"


def pdf_to_ofd(pdf: bytes, *, signed: bool = False) -> bytes:
    """The PDF's pages as an OFD package."""
    pages = page_layouts(pdf)   # read in a child: tests/pdfops.py says why
    files = {}
    ids = iter(range(10, 10_000_000))
    for k, layout in enumerate(pages):
        files[f"Doc_0/Pages/Page_{k}/Content.xml"] = _content(layout, ids).encode("utf-8")
    files["Doc_0/Document.xml"] = _document(len(pages), pages[0]).encode("utf-8")
    files["Doc_0/PublicRes.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Res {NS} BaseLoc="Res"><ofd:Fonts>'
                                    '<ofd:Font ID="2" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>'
                                    ).encode("utf-8")
    if signed:
        files.update(_signature([f for f in files if f.endswith("Content.xml")], files))
    files["OFD.xml"] = _entry(signed).encode("utf-8")
    return package(files)


def package(files: dict[str, bytes], first: str = "OFD.xml") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in [first] + [n for n in files if n != first]:
            if name in files:
                z.writestr(name, files[name])
    return buf.getvalue()


def _entry(signed: bool) -> str:
    sig = "<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>" if signed else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {NS} Version="1.1" DocType="OFD"><ofd:DocBody>'
            '<ofd:DocInfo><ofd:DocID>0c2f5e7a</ofd:DocID><ofd:Creator>ogiaudit tests</ofd:Creator></ofd:DocInfo>'
            f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>{sig}</ofd:DocBody></ofd:OFD>')


def _document(n: int, first) -> str:
    box = f"0 0 {first.width * MM:.3f} {first.height * MM:.3f}"
    pages = "".join(f'<ofd:Page ID="{k + 1}" BaseLoc="Pages/Page_{k}/Content.xml"/>' for k in range(n))
    return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {NS}><ofd:CommonData><ofd:MaxUnitID>9999999'
            f'</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>{box}</ofd:PhysicalBox></ofd:PageArea>'
            '<ofd:PublicRes>PublicRes.xml</ofd:PublicRes></ofd:CommonData>'
            f'<ofd:Pages>{pages}</ofd:Pages></ofd:Document>')


def _runs(glyphs):
    """Characters of one line and one size, left to right, as runs."""
    from auditor.extract.layout import group_lines

    for line in group_lines(glyphs):
        run = []
        for g in line.glyphs:
            if run and (abs((g.bottom - g.top) - (run[-1].bottom - run[-1].top)) > 0.5 or g.x0 - run[-1].x1 > 40):
                yield run
                run = []
            run.append(g)
        if run:
            yield run


def _content(layout, ids) -> str:
    objects = []
    for run in _runs(layout.glyphs):
        size = max(g.bottom - g.top for g in run) * MM
        x0 = run[0].x0 * MM
        top = min(g.top for g in run) * MM
        width = (run[-1].x1 - run[0].x0) * MM
        baseline = max(g.bottom for g in run) * MM - top - size * 0.12
        deltas = " ".join(f"{(b.x0 - a.x0) * MM:.3f}" for a, b in zip(run, run[1:]))
        text = escape("".join(g.text for g in run))
        delta = f' DeltaX="{deltas}"' if deltas else ""
        objects.append(f'<ofd:TextObject ID="{next(ids)}" Boundary="{x0:.3f} {top:.3f} {width + size:.3f} '
                       f'{size * 1.2:.3f}" Font="2" Size="{size:.3f}"><ofd:FillColor Value="0 0 0"/>'
                       f'<ofd:TextCode X="0" Y="{baseline:.3f}"{delta}>{text}</ofd:TextCode></ofd:TextObject>')
    for s in layout.segs:
        if s.horizontal:
            x, y, w, h, path = s.a * MM, s.pos * MM, (s.b - s.a) * MM, 0.3, f"M 0 0 L {(s.b - s.a) * MM:.3f} 0"
        else:
            x, y, w, h, path = s.pos * MM, s.a * MM, 0.3, (s.b - s.a) * MM, f"M 0 0 L 0 {(s.b - s.a) * MM:.3f}"
        objects.append(f'<ofd:PathObject ID="{next(ids)}" Boundary="{x:.3f} {y:.3f} {w:.3f} {h:.3f}" '
                       f'LineWidth="0.25"><ofd:AbbreviatedData>{path}</ofd:AbbreviatedData></ofd:PathObject>')
    box = f"0 0 {layout.width * MM:.3f} {layout.height * MM:.3f}"
    return (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {NS}><ofd:Area><ofd:PhysicalBox>{box}'
            f'</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID="{next(ids)}">{"".join(objects)}'
            '</ofd:Layer></ofd:Content></ofd:Page>')


def _signature(refs: list[str], files: dict[str, bytes]) -> dict[str, bytes]:
    items = "".join(f'<ofd:Reference FileRef="/{r}"><ofd:CheckValue>'
                    f'{base64.b64encode(hashlib.new("sm3", files[r]).digest()).decode()}</ofd:CheckValue>'
                    '</ofd:Reference>' for r in refs)
    signature = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signature {NS}><ofd:SignedInfo>'
                 '<ofd:Provider ProviderName="ogiaudit tests"/><ofd:SignatureMethod>1.2.156.10197.1.501'
                 f'</ofd:SignatureMethod><ofd:References CheckMethod="{SM3}">{items}</ofd:References>'
                 '<ofd:StampAnnot ID="1" PageRef="1" Boundary="120 200 40 40"/></ofd:SignedInfo>'
                 '<ofd:SignedValue>/Doc_0/Signs/Sign_0/SignedValue.dat</ofd:SignedValue></ofd:Signature>')
    signatures = (f'<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures {NS}><ofd:MaxSignId>1</ofd:MaxSignId>'
                  '<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/></ofd:Signatures>')
    return {"Doc_0/Signs/Signatures.xml": signatures.encode(), "Doc_0/Signs/Sign_0/Signature.xml": signature.encode(),
            "Doc_0/Signs/Sign_0/SignedValue.dat": b"\x30\x82\x01\x00" + b"\x00" * 256}
