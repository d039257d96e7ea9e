"""The overview with its drill-down (省 → 市 → 县 → body), the lists (reports, findings, missing reports, bodies)
and a body's page.  Each list takes the same filters as its XLSX export (actions.py)."""
from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException

from ogiaudit.web.app import reading, render, who
from storage import desk_queries as dq

router = APIRouter()
PAGE = 200


def number(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise HTTPException(400, "参数应为数字") from None


def filters(request: Request) -> dict:
    """The list filters of the query string (empty ones dropped)."""
    q = request.query_params
    out = {k: q.get(k).strip() for k in ("region", "body", "portal", "rule", "severity", "status", "verdict", "certain")
           if q.get(k, "").strip()}
    for k in ("year", "offset"):
        if (v := number(q.get(k))) is not None:
            out[k] = v
    return out


def finding_filters(f: dict) -> dict:
    out = {k: f.get(k) for k in ("year", "region", "body", "rule", "severity", "status", "verdict")}
    if f.get("certain") in ("1", "0"):
        out["certain"] = f["certain"] == "1"
    return out


@router.get("/")
def home():
    return RedirectResponse("/overview", status_code=303)


@router.get("/overview")
def overview(request: Request):
    me = who(request)
    f = filters(request)
    with reading(request) as s:
        ov = dq.overview(s, me.scope, f.get("year"), f.get("region"))
        if len(ov.region.split("/")) >= 3 and ov.region:
            ov.bodies = dq.reports(s, me.scope, year=ov.year, region=ov.region, limit=1000)
            missing = dq.missing(s, me.scope, ov.year, date.today(), request.app.state.settings, region=ov.region)
        else:
            missing = []
    chart = {"years": ov.years,
             "on_time": [round(100 * (ov.trend[y].share("on_time") or 0), 1) if y in ov.trend else None for y in ov.years],
             "errors": [round(100 * (ov.trend[y].share("with_errors") or 0), 1) if y in ov.trend else None for y in ov.years],
             "missing": [ov.trend[y].missing if y in ov.trend else 0 for y in ov.years]}
    crumbs = _crumbs(ov.region)
    return render(request, "overview.html", me, ov=ov, chart=chart, crumbs=crumbs, missing=missing)


def _crumbs(region: str) -> list[tuple[str, str]]:
    parts = [p for p in region.split("/") if p]
    return [("全部地区", "")] + [(p, "/".join(parts[:i + 1])) for i, p in enumerate(parts)]


@router.get("/reports")
def reports(request: Request):
    me = who(request)
    f = filters(request)
    hide = request.query_params.get("hide_unreadable") == "1"
    with reading(request) as s:
        rows = dq.reports(s, me.scope, year=f.get("year"), region=f.get("region"), body=f.get("body"),
                          portal=f.get("portal"), limit=PAGE, offset=f.get("offset", 0))
        problems = [] if hide else dq.unreadable(s, me.scope, region=f.get("region"))
        regions = dq.region_names(s, me.scope)
    return render(request, "reports.html", me, rows=rows, problems=problems, hide=hide, f=f, regions=regions,
                  page=PAGE)


@router.get("/findings")
def findings(request: Request):
    me = who(request)
    f = filters(request)
    with reading(request) as s:
        rows = dq.findings(s, me.scope, **finding_filters(f), limit=PAGE, offset=f.get("offset", 0))
        regions = dq.region_names(s, me.scope)
    return render(request, "findings.html", me, rows=rows, f=f, regions=regions, page=PAGE)


@router.get("/missing")
def missing(request: Request):
    me = who(request)
    f = filters(request)
    year = f.get("year") or date.today().year - 1
    with reading(request) as s:
        rows = dq.missing(s, me.scope, year, date.today(), request.app.state.settings, region=f.get("region"))
        regions = dq.region_names(s, me.scope)
    return render(request, "missing.html", me, rows=rows, year=year, f=f, regions=regions)


@router.get("/bodies")
def bodies(request: Request):
    me = who(request)
    f = filters(request)
    name = request.query_params.get("q", "").strip()
    with reading(request) as s:
        rows = dq.search_bodies(s, me.scope, name=name or None, region=f.get("region"), limit=PAGE)
        regions = dq.region_names(s, me.scope)
    return render(request, "bodies.html", me, rows=rows, q=name, f=f, regions=regions)


@router.get("/bodies/{body_id}")
def body(request: Request, body_id: int):
    me = who(request)
    with reading(request) as s:
        row = dq.body(s, me.scope, body_id)
        if row is None:
            raise HTTPException(404)
        reps = dq.body_reports(s, body_id)
        found = dq.findings(s, me.scope, body_id=body_id, limit=2000)
        portal = dq.portal(s, row.portal_id)
    by_report: dict = {}
    for x in found:
        by_report.setdefault(x["report_id"], []).append(x)
    return render(request, "body.html", me, body=row, reports=reps, by_report=by_report, portal=portal,
                  missing=[x for x in found if x["rule"] == "PUB-MISSING"])
