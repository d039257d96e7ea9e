"""A report's page — the evidence view: the official tables with the findings' cells marked, the page images of a
PDF or scanned report with the cells boxed, both sides of each broken identity, the review history — plus the
page images and the archived original."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ogiaudit.web import pageimage, tables
from ogiaudit.web.app import reading, render, who
from storage import desk_queries as dq

router = APIRouter()
MAX_PAGES = 300


def _load(request: Request, report_id: int):
    me = who(request)
    with reading(request) as s:
        report = dq.report(s, me.scope, report_id)
        if report is None:
            raise HTTPException(404)
        return me, report, dq.document(s, report)


@router.get("/reports/{report_id}")
def report_page(request: Request, report_id: int):
    me, report, doc = _load(request, report_id)
    focus = request.query_params.get("finding")
    with reading(request) as s:
        found = dq.report_findings(s, report)
        history = dq.history(s, [f["id"] for f in found])
        portal = dq.portal(s, report.portal_id)
    drawn = tables.draw(report.values, [f for f in found if f["status"] != "resolved"])
    pages = tables.boxes(found) if _paged(doc) else {}
    if _paged(doc) and not pages:
        pages = {1: []}
    return render(request, "report.html", me, report=report, doc=doc, portal=portal, findings=found,
                  history=history, drawn=drawn, pages=dict(sorted(pages.items())),
                  sides={f["id"]: tables.sides(f) for f in found}, focus=int(focus) if (focus or "").isdigit() else None)


def _paged(doc) -> bool:
    """A PDF or an image: the page images can be drawn."""
    return bool(doc and doc.archive_path and Path(doc.archive_path).is_file() and _kind(doc.archive_path))


def _kind(path: str) -> str | None:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    return None


@router.get("/reports/{report_id}/pages/{page}.png")
def page_image(request: Request, report_id: int, page: int):
    _, _, doc = _load(request, report_id)
    if not _paged(doc) or not 1 <= page <= MAX_PAGES:
        raise HTTPException(404)
    png = _render(doc.archive_path, doc.sha256, page)
    if png is None:
        raise HTTPException(404)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


def _render(path: str, sha256: str, page: int) -> bytes | None:
    """The page as a PNG about 1000 pixels wide, drawn in a child process (pageimage.py says why); None when it
    cannot be drawn, which is not remembered (a page that timed out on a busy machine is tried again)."""
    try:
        return _drawn(path, sha256, page)
    except LookupError:
        return None


@lru_cache(maxsize=32)
def _drawn(path: str, sha256: str, page: int) -> bytes:
    """sha256 keys the cache, so a re-archived file is drawn again; no picture raises (lru_cache keeps no errors)."""
    kind = _kind(path)
    png = pageimage.page_png(path, kind, page) if kind else None
    if png is None:
        raise LookupError(page)
    return png


@router.get("/reports/{report_id}/original")
def original(request: Request, report_id: int):
    """The archived bytes, as a download: crawled HTML is never rendered inside the desk's origin."""
    _, report, doc = _load(request, report_id)
    if doc is None or not doc.archive_path or not Path(doc.archive_path).is_file():
        raise HTTPException(404)
    suffix = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "wps": ".wps", "html": ".html", "image": ".img"}
    name = f"report-{report.id}-{report.year}{suffix.get(report.format or '', '.bin')}"
    return Response(Path(doc.archive_path).read_bytes(), media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Security-Policy": "sandbox"})
