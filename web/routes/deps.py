"""Request dependencies: database session, current user, roles and CSRF, as short Annotated aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from web.content import Catalog
from web.models import User
from web.infra.paths import route_path
from web.infra.security import CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, expected_csrf, tokens_match  # noqa: F401  (re-exported for routes)
from web.services import sessions as session_service
from web.services import tokens as token_service
from web.settings import Settings

SESSION_COOKIE = "tpmprep_session"
API_PREFIX = "/api/"  # where API tokens are accepted
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Viewer:
    """What pages need to know about the logged-in user, safe to use after a rollback."""

    id: int
    email: str
    role: str


class LoginRequired(Exception):
    """Raised when a page needs a logged-in user; pages redirect to login, the API answers 401."""


# Plain attribute reads are `async def` so FastAPI does not send them to the thread pool.
async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


async def get_catalog(request: Request) -> Catalog:
    """The content catalog loaded at start-up."""
    return request.app.state.catalog


async def get_db(request: Request) -> AsyncIterator[Session]:
    """A session per request: deferred reads for safe methods, write-locked otherwise; commit on success.

    Creating a session does no I/O, so this runs on the event loop; the commit or rollback
    (which may) runs in the thread pool, and only when the request actually used the database.
    """
    factory = request.app.state.read_db if request.method in SAFE_METHODS else request.app.state.write_db
    db = factory()
    request.state.db = db  # render() ends a page's read transaction in the route's own thread
    try:
        yield db
        if db.in_transaction():
            await run_in_threadpool(db.commit)
    except BaseException:
        if db.in_transaction():
            await run_in_threadpool(db.rollback)
        raise
    finally:
        if db.in_transaction():
            await run_in_threadpool(db.close)
        else:
            db.close()


async def get_read_sessions(request: Request) -> sessionmaker:
    """The factory of read transactions, for work that outlives the request (a retrain thread)."""
    return request.app.state.read_db


async def get_write_sessions(request: Request) -> sessionmaker:
    """The factory of write transactions, for work that must commit apart from the request's own
    (a score card is written in its own transaction, so a scorer failure never undoes the answer)."""
    return request.app.state.write_db


SettingsDep = Annotated[Settings, Depends(get_settings)]
ReadSessions = Annotated[sessionmaker, Depends(get_read_sessions)]
WriteSessions = Annotated[sessionmaker, Depends(get_write_sessions)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
# scope="function": commit (or roll back) before the response is sent, so a redirect never
# races its own commit and a failed commit is never reported as a success.
SessionDep = Annotated[Session, Depends(get_db, scope="function")]


def _touch(request: Request, login: session_service.Login) -> None:
    # Reads run in a deferred transaction; the touch is a short write of its own.
    with request.app.state.write_db.begin() as writer:
        session_service.touch_session(db=writer, session_id=login.session_id)


def _read_login(app, cookie: str) -> session_service.Login | None:
    with app.state.engine.connect() as conn:
        return session_service.find_login(db=conn, cookie=cookie, settings=app.state.settings)


async def read_login(app, cookie: str) -> session_service.Login | None:
    """The live login for a session cookie value: one indexed read, no write."""
    if app.state.inline_reads:
        # SQLite is in-process and a WAL reader never waits for a writer: this one indexed
        # read (tens of microseconds) costs less on the event loop than a trip to the thread pool.
        return _read_login(app, cookie)
    return await run_in_threadpool(_read_login, app, cookie)


def _find_token_user(request: Request, db: Session, token: str) -> User | None:
    row = token_service.find_token(db=db, token=token)
    if row is None:
        return None
    if token_service.needs_touch(row):
        # Owners see when each token was last used. A read request touches in a short write of its
        # own; a write request already holds the write lock, so it touches in its own transaction.
        if request.method in SAFE_METHODS:
            with request.app.state.write_db.begin() as writer:
                token_service.touch_token(db=writer, token_id=row.id)
        else:
            token_service.touch_token(db=db, token_id=row.id)
    return row.user


async def current_login(request: Request) -> session_service.Login | None:
    """The live login session from the cookie (with its user's id, email, role and unread count),
    touched at most every few minutes."""
    if hasattr(request.state, "login"):
        return request.state.login
    cookie = request.cookies.get(SESSION_COOKIE)
    login = None
    if cookie:
        # The signed-in page cache may have read it already for this request.
        login = request.state.login_read if hasattr(request.state, "login_read") else await read_login(request.app, cookie)
        if login is not None and request.method in SAFE_METHODS and session_service.needs_touch(login):
            await run_in_threadpool(_touch, request, login)
    request.state.login = login
    request.state.csrf = login.csrf_token if login is not None else None
    request.state.unread = login.unread if login is not None else 0
    return login


LoginDep = Annotated[session_service.Login | None, Depends(current_login)]


async def current_viewer(request: Request, db: SessionDep, login: LoginDep) -> Viewer | None:
    """Who is looking (by session cookie or API bearer token), or None: what every page's navigation
    needs, without loading the user's row. Routes that need the row ask for OptionalUser or CurrentUser."""
    if hasattr(request.state, "viewer"):
        return request.state.viewer
    viewer: Viewer | None = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        if not route_path(request.scope).startswith(API_PREFIX):
            # A token is for scripts using the API; the site's pages and forms need a signed-in browser.
            raise HTTPException(401, "API tokens work on /api/v1 only. Sign in to use the site.",
                                headers={"WWW-Authenticate": "Bearer"})
        user = await run_in_threadpool(_find_token_user, request, db, auth[7:].strip())
        if user is None:
            raise HTTPException(401, "Invalid API token.", headers={"WWW-Authenticate": "Bearer"})
        request.state.via_token = True
        request.state.user = user
        viewer = Viewer(user.id, user.email, user.role)
    elif login is not None:
        viewer = Viewer(login.user_id, login.email, login.role)
    request.state.viewer = viewer
    return viewer


ViewerDep = Annotated[Viewer | None, Depends(current_viewer)]


async def optional_user(request: Request, db: SessionDep, viewer: ViewerDep) -> User | None:
    """The logged-in user's row, or None."""
    if hasattr(request.state, "user"):
        return request.state.user
    user = await run_in_threadpool(db.get, User, viewer.id) if viewer is not None else None
    request.state.user = user
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def current_user(user: OptionalUser) -> User:
    """The logged-in user; otherwise a login is required."""
    if user is None:
        raise LoginRequired()
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: str):
    """A dependency that lets through only users with one of `roles` (403 otherwise)."""

    async def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(403, "You do not have access to this page.")
        return user

    return check


async def verify_csrf(request: Request, login: LoginDep) -> None:
    """Refuse a state-changing request whose CSRF token is missing or wrong (bearer-token API calls excepted)."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer ") and route_path(request.scope).startswith(API_PREFIX):
        return  # no ambient credential: a cross-site page cannot send this header
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        sent = form.get(CSRF_FIELD)
    if not tokens_match(str(sent) if sent else None, expected_csrf(request)):
        raise HTTPException(403, "This form has expired or did not come from tpmprep. Reload the page and try again.")


CsrfDep = Depends(verify_csrf)


MAX_ID = 2**31 - 1  # larger numbers are not ids (and overflow a database integer)
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdQuery = Annotated[int, Query(ge=1, le=MAX_ID)]
PageQuery = Annotated[int, Query(ge=1, le=100_000)]
