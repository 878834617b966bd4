"""Server-side login sessions: start, look up with idle and absolute expiry, end."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

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


def find_session(*, db: Session, cookie: str | None, settings: Settings) -> UserSession | None:
    """The live session for a cookie value (its user loaded in the same query), or None if missing or expired."""
    return find_session_and_unread(db=db, cookie=cookie, settings=settings)[0]


def find_session_and_unread(*, db: Session, cookie: str | None, settings: Settings) -> tuple[UserSession | None, int]:
    """The live session with its user, and the user's unread notifications, in one query: every page's
    navigation needs both, and a logged-in page should cost one round trip before its own work."""
    if not cookie:
        return None, 0
    unread = (
        select(func.count()).select_from(Notification)
        .where(Notification.user_id == UserSession.user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    found = db.execute(
        select(UserSession, unread).where(UserSession.id == token_hash(cookie)).options(joinedload(UserSession.user))
    ).first()
    if found is None:
        return None, 0
    row, count = found
    now = utcnow()
    idle_limit = as_utc(row.last_seen_at) + timedelta(minutes=settings.session_idle_minutes)
    if now >= as_utc(row.expires_at) or now >= idle_limit:
        return None, 0
    return row, int(count or 0)


def needs_touch(row: UserSession) -> bool:
    """Whether last_seen_at is stale enough to be worth a write."""
    return utcnow() - as_utc(row.last_seen_at) >= TOUCH_EVERY


def touch_session(*, db: Session, session_id: str) -> None:
    """Record activity on a session (extends its idle expiry)."""
    row = db.get(UserSession, session_id)
    if row is not None:
        row.last_seen_at = utcnow()


def end_session(*, db: Session, cookie: str | None) -> None:
    """Delete the session row behind a cookie value."""
    if cookie:
        db.execute(delete(UserSession).where(UserSession.id == token_hash(cookie)))


def user_for_session(*, db: Session, row: UserSession) -> User:
    """The user who owns a session (already loaded by find_session)."""
    return row.user
