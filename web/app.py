"""The application factory: settings in, a configured FastAPI app out."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.content import Catalog, load_catalog
from web.db import make_engine, make_sessionmaker
from web.routes.deps import SESSION_COOKIE, LoginRequired
from web.routes.urls import see_other
from web.infra.migrations import pending_revisions
from web.infra.paths import loggable, route_path
from web.infra.observability import Metrics, RequestObserver, configure_logging
from web.ui.rendering import make_templates, render
from web.settings import REPO_ROOT, Settings, get_settings

log = logging.getLogger("tpmprep")

# No inline script or style anywhere, so the policy needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
READ_ONLY_SQLSTATE = "25006"
ERROR_TITLES = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    422: "Check the form",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


class SchemaOutOfDate(RuntimeError):
    """The database schema is behind the code."""


def check_schema(engine, database_url: str) -> None:
    """Refuse to run on a database whose migrations are not at head, saying what to run."""
    current, head = pending_revisions(engine, database_url)
    if current != head:
        state = "has no tables yet" if current is None else f"is at revision {current}, the code expects {head}"
        raise SchemaOutOfDate(f"The database {state}. Run `tpmprep db upgrade` first.")


def create_app(settings: Settings | None = None, *, catalog: Catalog | None = None) -> FastAPI:
    """Build the app for these settings (tests pass their own settings and catalog)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    check_schema(engine, settings.database_url)
    catalog = catalog if catalog is not None else load_catalog(settings.content_dir, cache_dir=settings.cache_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from web.infra.worker import start_background_worker

        worker = start_background_worker(app) if settings.run_worker else None
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            engine.dispose()

    production = settings.environment == "production"
    app = FastAPI(
        title="tpmprep",
        version="0.1.0",
        docs_url=None,  # Swagger UI loads from a CDN; web/routes/api_docs.py serves /docs instead
        redoc_url=None,
        openapi_url=None if production else "/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_db = make_sessionmaker(engine)
    app.state.write_db = make_sessionmaker(engine, write=True)
    # The login lookup every page makes runs on the event loop only for an in-process database.
    app.state.inline_reads = engine.dialect.name == "sqlite"
    app.state.catalog = catalog
    app.state.templates = make_templates()
    configure_logging(settings.log_format, settings.log_level)
    app.state.metrics = Metrics(lambda: _job_counts(app.state.read_db))

    _install_headers(app)
    _install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(REPO_ROOT / "web" / "static")), name="static")

    from web.routes import (account, admin, answers, api, api_docs, guides, home, mock, ops, progress, questions, recordings, reviews,
                            saved, search)

    # progress before answers: /answers/compare must not be read as an answer id.
    for module in (ops, home, guides, questions, recordings, progress, answers, reviews, admin, mock, saved, search, account, api,
                   api_docs):
        app.include_router(module.router)
    return app


NO_STORE_PREFIXES = ("/account", "/answers", "/login", "/signup", "/confirm/", "/reset/", "/forgot", "/api/")
# A request that carries a login (our session cookie or an API token) may get a page made for that
# user: it must never be stored, or Back after logout would show it again.
LOGIN_MARKERS = (f"{SESSION_COOKIE}=".encode(),)


def _carries_login(scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"authorization" or (name == b"cookie" and any(m in value for m in LOGIN_MARKERS)):
            return True
    return False


class SecurityHeaders:
    """Pure ASGI middleware adding security headers (cheaper than BaseHTTPMiddleware)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        extra = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
        ]
        extra.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
        if path.startswith(NO_STORE_PREFIXES) or (_carries_login(scope) and not path.startswith("/static/")):
            extra.append((b"cache-control", b"no-store"))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _job_counts(read_db) -> dict[str, int]:
    from web.services.scoring_jobs import counts_by_status

    with read_db() as db:
        return counts_by_status(db=db)


def _install_headers(app: FastAPI) -> None:
    from web.infra.body_limit import BodyLimit
    from web.infra.page_cache import AnonymousPageCache, SignedInPageCache
    from web.routes.deps import SESSION_COOKIE, read_login

    # Added last = outermost: cached pages still get the security headers and are logged and timed.
    app.add_middleware(BodyLimit)  # innermost: nothing reads a body before its size is checked
    if app.state.settings.signed_in_page_cache:
        app.add_middleware(SignedInPageCache, read_login=read_login, session_cookie=SESSION_COOKIE)
    app.add_middleware(AnonymousPageCache)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestObserver, metrics=app.state.metrics)


def _wants_json(request: Request) -> bool:
    return route_path(request.scope).startswith("/api/")


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired):
        if _wants_json(request):
            return JSONResponse({"detail": "Log in or send an API token."}, status_code=401)
        # The whole address, query included, goes back encoded, so "?a=1&b=2" survives the login.
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return see_other(request, "login", query={"next": target})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        detail = exc.detail if exc.status_code != 404 else "There is no page at this address. It may have moved, or the link may be mistyped."
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "title": ERROR_TITLES.get(exc.status_code, "Error"), "detail": detail},
            status_code=exc.status_code,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        if _wants_json(request):
            # Only where and what: echoing the input back could hold bytes JSON cannot carry.
            errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
                      for e in exc.errors()]
            return JSONResponse({"detail": errors}, status_code=422)
        return render(
            request,
            "error.html",
            {"status": 400, "title": ERROR_TITLES[400], "detail": "Some of what was sent is not valid. Go back and check the form."},
            status_code=400,
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError):
        # The request's transaction was rolled back; a lost connection or an unreachable
        # database is temporary, so say so with a 503 rather than a 500.
        # A read-only transaction (SQLSTATE 25006: a replica after failover) is temporary too.
        unavailable = (isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated
                       or getattr(exc.orig, "sqlstate", None) == READ_ONLY_SQLSTATE)
        status = 503 if unavailable else 500
        reason = f"{type(exc.orig).__name__}: {str(exc.orig).splitlines()[0] if str(exc.orig) else ''}" if exc.orig else str(exc)
        log.error("database error on %s %s: %s", request.method, loggable(request.url.path), reason)
        detail = (
            "The database is not reachable right now. Nothing you sent was half-saved: please try again in a minute."
            if unavailable
            else "An unexpected error happened on our side. It has been logged; please try again."
        )
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status, headers={"Retry-After": "30"} if unavailable else None)
        response = render(request, "error.html", {"status": status, "title": ERROR_TITLES[status], "detail": detail}, status_code=status)
        if unavailable:
            response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, exc: PoolTimeout):
        # Every connection is busy (a flood of requests): not a bug, and over in seconds.
        log.warning("database pool exhausted on %s %s", request.method, loggable(request.url.path))
        detail = "The site is very busy right now. Nothing you sent was half-saved: please try again in a few seconds."
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=503, headers={"Retry-After": "5"})
        response = render(request, "error.html", {"status": 503, "title": ERROR_TITLES[503], "detail": detail}, status_code=503)
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return JSONResponse({"detail": "Internal error; nothing you sent was lost."}, status_code=500)
        return render(
            request,
            "error.html",
            {"status": 500, "title": ERROR_TITLES[500], "detail": "An unexpected error happened on our side. It has been logged; please try again."},
            status_code=500,
        )
