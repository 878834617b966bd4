"""Accounts: creating users, logging in with limits, changing passwords."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from web.db import utcnow
from web.models import ROLES, LoginAttempt, User, UserSession
from web.infra.security import hash_password, password_problem, verify_password
from web.settings import Settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_CHARS = 320  # RFC 5321 limit
IP_ATTEMPT_FACTOR = 4  # an IP is shared by more people (offices, NAT) than an account is


class AccountError(ValueError):
    """A problem with account input, with a message fit to show the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LoginLimited(Exception):
    """Too many failed logins recently for this account or address."""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def get_by_email(*, db: Session, email: str) -> User | None:
    """The user with this email, if any."""
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def get_by_id(*, db: Session, user_id: int) -> User | None:
    """The user with this id, if any."""
    return db.get(User, user_id)


def create_user(*, db: Session, email: str, password: str, role: str = "candidate", settings: Settings) -> User:
    """Create an account after validating email, password and role."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > MAX_EMAIL_CHARS:
        raise AccountError("Enter a valid email address, like name@example.com.", "email")
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.", "role")
    if problem := password_problem(password):
        raise AccountError(problem, "password")
    if get_by_email(db=db, email=email) is not None:
        raise AccountError("An account with this email already exists. Log in instead?", "email")
    user = User(email=email, role=role, password_hash=hash_password(password, cheap=settings.password_hash_cheap))
    db.add(user)
    db.flush()
    return user


def _recent_failures(*, db: Session, key: str, settings: Settings) -> int:
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    return db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == key, LoginAttempt.at >= since)) or 0


def login_limited(*, db: Session, email: str, ip: str, settings: Settings) -> bool:
    """Whether this account or address has failed too often within the window."""
    account = _recent_failures(db=db, key=f"email:{normalise_email(email)}", settings=settings)
    address = _recent_failures(db=db, key=f"ip:{ip}", settings=settings)
    return account >= settings.login_max_attempts or address >= settings.login_max_attempts * IP_ATTEMPT_FACTOR


def authenticate(*, db: Session, email: str, password: str, ip: str, settings: Settings) -> User | None:
    """The user if the credentials are right; records failures; raises LoginLimited when over the limit."""
    if login_limited(db=db, email=email, ip=ip, settings=settings):
        raise LoginLimited()
    user = get_by_email(db=db, email=email)
    ok = verify_password(password, user.password_hash if user else None, cheap=settings.password_hash_cheap)
    if not ok or user is None:
        db.add(LoginAttempt(key=f"email:{normalise_email(email)}"))
        db.add(LoginAttempt(key=f"ip:{ip}"))
        return None
    db.execute(delete(LoginAttempt).where(LoginAttempt.key == f"email:{user.email}"))
    return user


def change_password(*, db: Session, user: User, current: str, new: str, keep_session_id: str | None, settings: Settings) -> None:
    """Change a password after checking the current one; ends the user's other sessions."""
    if not verify_password(current, user.password_hash, cheap=settings.password_hash_cheap):
        raise AccountError("Your current password is not right.", "current_password")
    if problem := password_problem(new):
        raise AccountError(problem, "new_password")
    user.password_hash = hash_password(new, cheap=settings.password_hash_cheap)
    user.password_changed_at = utcnow()
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_session_id:
        stmt = stmt.where(UserSession.id != keep_session_id)
    db.execute(stmt)
