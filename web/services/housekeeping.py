"""Deleting rows that can no longer matter: expired login sessions and old failed-login records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlalchemy.orm import Session

from web.models import LoginAttempt, UserSession
from web.settings import Settings


@dataclass(frozen=True)
class Purged:
    sessions: int
    login_attempts: int


def purge_expired(*, db: Session, settings: Settings, now: datetime) -> Purged:
    """Delete sessions past their absolute or idle expiry and failed logins outside the counting window."""
    idle_cutoff = now - timedelta(minutes=settings.session_idle_minutes)
    sessions = db.execute(
        delete(UserSession).where(or_(UserSession.expires_at <= now, UserSession.last_seen_at <= idle_cutoff))
    ).rowcount
    # Sign-ups are counted over an hour, failed logins over the login window.
    is_signup = LoginAttempt.key.startswith("signup:") | LoginAttempt.key.startswith("reset:")
    attempts = db.execute(
        delete(LoginAttempt).where(or_(
            ~is_signup & (LoginAttempt.at < now - timedelta(minutes=settings.login_window_minutes)),
            is_signup & (LoginAttempt.at < now - timedelta(hours=1)),
        ))
    ).rowcount
    return Purged(sessions=sessions, login_attempts=attempts)
