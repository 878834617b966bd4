"""Getting back into an account: one-time, expiring links to choose a new password."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from web.db import as_utc, utcnow
from web.infra.security import hash_password, new_token, password_problem, token_hash
from web.models import ApiToken, LoginAttempt, PasswordReset, User, UserSession
from web.services.users import AccountError, _email_words, get_by_email
from web.settings import Settings

REQUESTS_PER_HOUR = 5  # "forgot password" requests one address may make


def new_link(*, db: Session, user: User, settings: Settings) -> str:
    """A fresh one-time token for this user (earlier unused links stop working); only its hash is kept."""
    db.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)))
    token = new_token()
    db.add(PasswordReset(user_id=user.id, token_hash=token_hash(token),
                         expires_at=utcnow() + timedelta(minutes=settings.password_reset_minutes)))
    db.flush()
    return token


def link_for(token: str, settings: Settings) -> str:
    """The address to open (the reset page's route path is fixed: /reset/<token>)."""
    return f"{settings.base_url.rstrip('/')}/reset/{token}"


def valid_reset(*, db: Session, token: str) -> PasswordReset | None:
    """The unused, unexpired reset a token stands for, or None."""
    row = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash(token)))
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= utcnow():
        return None
    return row


def choose_password(*, db: Session, token: str, password: str, settings: Settings) -> User:
    """Set the new password from a valid link; the link is used up and every session and API token ends.

    Raises AccountError (field "password" or "token") saying what is wrong.
    """
    row = valid_reset(db=db, token=token)
    if row is None:
        raise AccountError("This link has expired or was already used. Ask for a new one.", "token")
    user = db.get(User, row.user_id)
    if problem := password_problem(password, related=_email_words(user.email)):
        raise AccountError(problem, "password")
    user.password_hash = hash_password(password, cheap=settings.password_hash_cheap)
    user.password_changed_at = utcnow()
    db.execute(update(PasswordReset).where(PasswordReset.id == row.id).values(used_at=utcnow()))
    db.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    db.execute(delete(LoginAttempt).where(LoginAttempt.key.startswith(f"email:{user.email}")))
    return user


def request_allowed(*, db: Session, ip: str) -> bool:
    """Whether this address may ask for another reset email this hour (each one is counted)."""
    since = utcnow() - timedelta(hours=1)
    asked = db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == f"reset:{ip}", LoginAttempt.at >= since))
    db.add(LoginAttempt(key=f"reset:{ip}"))
    return (asked or 0) < REQUESTS_PER_HOUR


def link_for_email(*, db: Session, email: str, settings: Settings) -> str | None:
    """A reset link for the account with this email, or None when there is no such account."""
    user = get_by_email(db=db, email=email)
    return link_for(new_link(db=db, user=user, settings=settings), settings) if user is not None else None
