"""Server-side login sessions: start, look up with idle and absolute expiry, end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, func, select
from sqlalchemy.orm import Session

from web.db import as_utc, utcnow
from web.models import Notification, User, UserSession
from web.infra.security import new_token, token_hash
from web.settings import Settings

TOUCH_EVERY = timedelta(minutes=5)  # update last_seen_at at most this often, to keep reads cheap


def start_session(*, db: Session, user: User, settings: Settings) -> tuple[str, UserSession]:
    """Create a session for a user; returns the cookie value (never stored) and the row."""
    cookie = new_token()
    now = utcnow()
    row = UserSession(
        id=token_hash(cookie),
        user_id=user.id,
        csrf_token=new_token(),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=settings.session_absolute_hours),
    )
    db.add(row)
    db.flush()
    return cookie, row


@dataclass(frozen=True)
class Login:
    """A live login session as every page needs it: who is signed in, their CSRF token and unread count.

    Plain values, not ORM objects: reading them is one small Core query per request, several times
    cheaper than loading mapped rows, and they stay valid whatever happens to the request's session.
    """

    session_id: str
    csrf_token: str
    last_seen_at: datetime
    user_id: int
    email: str
    role: str
    unread: int
    answers_version: int  # changes with any of the user's answers (kept page renderings check it)


def _login_query():
    unread = (
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == UserSession.user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    return (
        select(UserSession.id, UserSession.csrf_token, UserSession.last_seen_at, UserSession.expires_at,
               User.id, User.email, User.role, unread, User.answers_version)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == bindparam("session_hash"))
    )


# Built once: every request runs it, and building a statement costs more than executing it here.
LOGIN_QUERY = _login_query()


def find_login(*, db: Connection | Session, cookie: str | None, settings: Settings) -> Login | None:
    """The live session for a cookie value with its user and unread notifications, in one query;
    None if missing or expired (idle or absolute)."""
    if not cookie:
        return None
    found = db.execute(LOGIN_QUERY, {"session_hash": token_hash(cookie)}).first()
    if found is None:
        return None
    session_id, csrf, last_seen, expires, user_id, email, role, unread, answers_version = found
    now = utcnow()
    if now >= as_utc(expires) or now >= as_utc(last_seen) + timedelta(minutes=settings.session_idle_minutes):
        return None
    return Login(session_id, csrf, as_utc(last_seen), user_id, email, role, int(unread or 0), answers_version)


def needs_touch(login: Login) -> bool:
    """Whether last_seen_at is stale enough to be worth a write."""
    return utcnow() - login.last_seen_at >= TOUCH_EVERY


def touch_session(*, db: Session, session_id: str) -> None:
    """Record activity on a session (extends its idle expiry)."""
    row = db.get(UserSession, session_id)
    if row is not None:
        row.last_seen_at = utcnow()


def end_session(*, db: Session, cookie: str | None) -> None:
    """Delete the session row behind a cookie value."""
    if cookie:
        db.execute(delete(UserSession).where(UserSession.id == token_hash(cookie)))
