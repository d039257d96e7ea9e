"""Logging in and out, review actions (确认 / 驳回 / 豁免), XLSX exports of every list, and the JSON API."""
from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException

from ogiaudit.web import auth, words
from ogiaudit.web.app import reading, render, who, writing
from ogiaudit.web.pages import filters, finding_filters, number
from storage import desk_queries as dq

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site (never another host) is a place to go back to."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/overview"
    return target


async def _form(request: Request) -> dict:
    form = await request.form()
    if not auth.csrf_ok(request.session, form.get("csrf_token")):
        raise HTTPException(403, words.MESSAGES["csrf"])
    return form


@router.get("/login")
def login_page(request: Request):
    q = request.query_params
    message = words.MESSAGES["expired"] if q.get("expired") else None
    return render(request, "login.html", None, next=_safe_next(q.get("next")), message=message)


@router.post("/login")
async def login(request: Request):
    form = await _form(request)
    name, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    ok, message = await asyncio.to_thread(_check, request, name, password)
    if not ok:
        await asyncio.sleep(request.app.state.policy.fail_delay)   # every wrong password costs the guesser time
        return render(request, "login.html", None, status=401, next=target, message=message, username=name)
    return RedirectResponse(target, status_code=303)


def _check(request: Request, name: str, password: str) -> tuple[bool, str | None]:
    from storage import review
    from storage.repository import now
    policy = request.app.state.policy
    client = request.client.host if request.client else "?"
    with writing(request) as s:
        user = review.get_user(s, name) if name else None
        if user is not None and user.locked_until and user.locked_until > now():
            auth.verify(None, password)
            return False, words.MESSAGES["locked"]
        if user is None or not auth.verify(user.password_hash, password):
            request.app.state.attempts.failed(client)
            if user is not None:
                review.login_failed(s, user, limit=policy.fail_limit, lock=policy.lock_seconds)
            return False, words.MESSAGES["login_failed"]
        review.login_succeeded(s, user)
        auth.start(request.session, user.id, user.password_hash)
    return True, None


@router.post("/logout")
async def logout(request: Request):
    await _form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/findings/{finding_id}/review")
async def review_action(request: Request, finding_id: int):
    from storage import review
    from storage.repository import NotFound
    form = await _form(request)
    me = who(request)
    with reading(request) as s:
        if dq.finding_scope(s, me.scope, finding_id) is None:
            raise HTTPException(404)
    if not me.can_review:
        raise HTTPException(403, words.MESSAGES["forbidden"])
    action, reason = str(form.get("action", "")), str(form.get("reason", ""))
    try:
        with writing(request) as s:
            review.review(s, finding_id, action, me.user.name, reason)
    except review.UserError as exc:
        raise HTTPException(400, str(exc)) from None
    except NotFound:
        raise HTTPException(404) from None
    return RedirectResponse(_safe_next(str(form.get("next", ""))) + f"#f{finding_id}", status_code=303)


# --- exports ------------------------------------------------------------------------------------------------------------
EXPORTS = {"findings": "问题清单", "reports": "报告清单", "missing": "未发布机构", "bodies": "机构清单",
           "ranking": "门户排名"}


@router.get("/export/{kind}.xlsx")
def export(request: Request, kind: str):
    me = who(request)
    if kind not in EXPORTS:
        raise HTTPException(404)
    f = filters(request)
    with reading(request) as s:
        rows = _export_rows(request, s, me, kind, f)
    from ogiaudit.exports import xlsx_bytes
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    Path(path).write_bytes(xlsx_bytes(rows, kind=kind, title=EXPORTS[kind]))
    name = f"{kind}-{date.today().isoformat()}.xlsx"
    return FileResponse(path, filename=name, background=BackgroundTask(os.unlink, path),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _export_rows(request: Request, s, me, kind: str, f: dict) -> list[dict]:
    limit = dq.MAX_ROWS
    if kind == "findings":
        rows = dq.findings(s, me.scope, **finding_filters(f), limit=limit)
        return [_finding_export(r) for r in rows]
    if kind == "reports":
        return dq.reports(s, me.scope, year=f.get("year"), region=f.get("region"), body=f.get("body"),
                          portal=f.get("portal"), limit=limit)
    if kind == "missing":
        year = f.get("year") or date.today().year - 1
        return dq.missing(s, me.scope, year, date.today(), request.app.state.settings, region=f.get("region"))
    if kind == "bodies":
        return dq.search_bodies(s, me.scope, name=request.query_params.get("q") or None, region=f.get("region"),
                                limit=limit)
    ov = dq.overview(s, me.scope, f.get("year"), f.get("region"))
    return [{"portal": pid, "body": name, "year": ov.year, "reports": c.reports, "on_time": c.on_time,
             "share_on_time": c.share("on_time"), "errors": c.with_errors, "overdue": c.missing}
            for pid, name, c in ov.ranking]


def _finding_export(r: dict) -> dict:
    keep = ("id", "portal", "body", "year", "rule", "severity", "location", "expected", "observed", "message",
            "evidence", "status", "url")
    out = {k: r[k] for k in keep}
    out["uncertain"] = bool(r["uncertain"])               # 确定性: 确定 / 存疑 (the vocabulary's words)
    out["verdict"] = r["verdict"] or "none"               # 审核结论: 已确认 / 已驳回 / 待审核
    out["verdict_by"], out["verdict_reason"] = r["verdict_by"], r["verdict_reason"]
    return out


# --- JSON for scripts ---------------------------------------------------------------------------------------------------
API_LIMIT = 5000


@router.get("/api/findings")
def api_findings(request: Request):
    me = who(request)
    f = filters(request)
    limit = min(number(request.query_params.get("limit")) or API_LIMIT, 50_000)
    with reading(request) as s:
        rows = dq.findings(s, me.scope, **finding_filters(f), limit=limit + 1, offset=f.get("offset", 0))
    more = len(rows) > limit
    rows = [{k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in r.items()} for r in rows[:limit]]
    return JSONResponse({"year": f.get("year"), "count": len(rows), "findings": rows,
                         "next_offset": f.get("offset", 0) + limit if more else None})
