"""The application: middleware (allowed host names, signed session cookie, security headers), templates, the login
check every page goes through, and error pages."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from ogiaudit.web import auth, words

HERE = Path(__file__).parent
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class LoginRequired(Exception):
    """The page needs a login (or the login expired)."""

    def __init__(self, expired: bool = False):
        self.expired = expired


@dataclass
class Who:
    user: object          # storage.review.DeskUserRow
    scope: frozenset[str] | None

    @property
    def can_review(self) -> bool:
        return self.user.role in ("admin", "reviewer")


def create_app(database_url: str, *, hosts: list[str] | None = None, secret: str | None = None,
               policy: auth.Policy | None = None, settings=None, https_only: bool = False) -> FastAPI:
    from storage import db
    app = FastAPI(title=words.TITLE, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine = db.connect(database_url)
    app.state.policy = policy or auth.Policy()
    app.state.settings = settings
    app.state.attempts = auth.Attempts()
    app.state.templates = _templates()
    app.middleware("http")(_headers)
    app.add_middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(48), session_cookie="ogiaudit_desk",
                       max_age=int(app.state.policy.session_seconds), same_site="strict", https_only=https_only)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts or ["127.0.0.1", "localhost"])
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(HTTPException, _error_page)
    from ogiaudit.web import actions, evidence, pages
    for module in (pages, evidence, actions):
        app.include_router(module.router)
    return app


def _templates() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(words.FILTERS)
    env.globals.update(words=words)
    return env


async def _headers(request: Request, call_next):
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _to_login(request: Request, exc: LoginRequired):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "需要登录"}, status_code=401)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target)}" + ("&expired=1" if exc.expired else ""), status_code=303)


def _error_page(request: Request, exc: HTTPException):
    message = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else words.MESSAGES["not_found"]
    if exc.status_code == 405:
        message = "不支持该请求方式"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=exc.status_code)
    html = render_string(request, "error.html", who=None, status=exc.status_code, message=message)
    return HTMLResponse(html, status_code=exc.status_code)


@contextmanager
def reading(request: Request):
    from storage import db
    with db.session(request.app.state.engine, readonly=True) as s:
        yield s


@contextmanager
def writing(request: Request):
    from storage import db
    with db.session(request.app.state.engine) as s:
        yield s


def who(request: Request) -> Who:
    """The logged-in user and their scope; LoginRequired otherwise (every page calls this first)."""
    from storage.desk_queries import user_scope
    from storage.review import DeskUserRow
    session = request.session
    if not session.get("uid"):
        raise LoginRequired()
    if not auth.alive(session, request.app.state.policy):
        session.clear()
        raise LoginRequired(expired=True)
    with reading(request) as s:
        user = s.get(DeskUserRow, session["uid"])
        if user is None or auth.stamp(user.password_hash) != session.get("pw"):
            session.clear()
            raise LoginRequired(expired=True)
        return Who(user, user_scope(s, user))


def render_string(request: Request, template: str, **context) -> str:
    context.setdefault("csrf", auth.csrf_token(request.session))
    context.setdefault("request_path", request.url.path)
    context.setdefault("query", dict(request.query_params))
    return request.app.state.templates.get_template(template).render(**context)


def render(request: Request, template: str, who: Who | None, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render_string(request, template, who=who, **context), status_code=status)
