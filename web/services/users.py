"""Accounts: creating users, logging in with limits, changing passwords."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from web.db import as_utc, utcnow
from web.models import ROLES, ApiToken, LoginAttempt, Role, User, UserSession
from web.infra.security import hash_password, password_problem, verify_password
from web.settings import Settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL_CHARS = 320  # RFC 5321 limit
IP_ATTEMPT_FACTOR = 4  # an IP is shared by more people (offices, NAT) than an account is
ACCOUNT_DELAY_MAX = 60  # seconds: the longest an owner ever waits because others guessed at the account


class AccountError(ValueError):
    """A problem with account input, with a message fit to show the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class LoginLimited(Exception):
    """Too many failed logins recently: this attempt must wait `seconds`."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def get_by_email(*, db: Session, email: str) -> User | None:
    """The user with this email, if any."""
    return db.scalar(select(User).where(User.email == normalise_email(email)))


def get_by_id(*, db: Session, user_id: int) -> User | None:
    """The user with this id, if any."""
    return db.get(User, user_id)


def _email_words(email: str) -> list[str]:
    """The parts of an email address a guesser would try first ("ana.lopez@acme.com": ana, lopez, acme)."""
    return [w for w in re.split(r"[^a-z0-9]+", email.lower()) if len(w) > 2]


def prepare_account(*, email: str, password: str, role: str = Role.CANDIDATE, settings: Settings) -> tuple[str, str]:
    """Check a new account's email, role and password and hash the password: (email, hash).

    No database here: argon2 takes tens of milliseconds of CPU, and it must not be spent inside a
    transaction (on SQLite the only write lock) or on a request thread others are waiting for.
    """
    email = normalise_email(email)
    if not EMAIL_RE.match(email) or len(email) > MAX_EMAIL_CHARS:
        raise AccountError("Enter a valid email address, like name@example.com.", "email")
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.", "role")
    if problem := password_problem(password, related=_email_words(email)):
        raise AccountError(problem, "password")
    return email, hash_password(password, cheap=settings.password_hash_cheap)


def create_user(*, db: Session, email: str, password: str = "", role: str = Role.CANDIDATE, settings: Settings,
                prepared: tuple[str, str] | None = None, confirmed: bool = True) -> User:
    """Create an account after validating email, password and role (`prepared`: prepare_account's result).

    `confirmed=False` leaves it unable to log in until its email link is opened (sign-up on a site that sends email).
    """
    email, password_hash = prepared or prepare_account(email=email, password=password, role=role, settings=settings)
    if get_by_email(db=db, email=email) is not None:
        raise AccountError("An account with this email already exists. Log in instead?", "email")
    user = User(email=email, role=role, password_hash=password_hash, email_confirmed_at=utcnow() if confirmed else None)
    db.add(user)
    db.flush()
    return user


def _failures(*, db: Session, key: str, settings: Settings) -> tuple[int, datetime | None]:
    """How many failed logins were recorded under a key within the window, and the latest one."""
    since = utcnow() - timedelta(minutes=settings.login_window_minutes)
    count, latest = db.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(LoginAttempt.key == key, LoginAttempt.at >= since)
    ).one()
    return int(count or 0), latest


def login_wait(*, db: Session, email: str, ip: str, settings: Settings) -> int:
    """Seconds this login attempt must wait (0: it may go ahead).

    One address guessing at one account, or at many, is stopped for the whole window. Failures
    spread over many addresses never lock the owner out: each one past the limit doubles a short
    delay (1 s, 2 s, 4 s ... at most ACCOUNT_DELAY_MAX), which makes guessing slow and logging in
    only a moment's wait.
    """
    email = normalise_email(email)
    window = settings.login_window_minutes * 60
    pair, _ = _failures(db=db, key=f"email-ip:{email}|{ip}", settings=settings)
    address, _ = _failures(db=db, key=f"ip:{ip}", settings=settings)
    if pair >= settings.login_max_attempts or address >= settings.login_max_attempts * IP_ATTEMPT_FACTOR:
        return window
    account, latest = _failures(db=db, key=f"email:{email}", settings=settings)
    if account < settings.login_max_attempts or latest is None:
        return 0
    delay = min(2 ** (account - settings.login_max_attempts), ACCOUNT_DELAY_MAX)
    waited = (utcnow() - as_utc(latest)).total_seconds()
    return max(0, math.ceil(delay - waited))


def signup_limited(*, db: Session, ip: str, settings: Settings) -> bool:
    """Whether this address has created as many accounts as it may this hour."""
    since = utcnow() - timedelta(hours=1)
    made = db.scalar(select(func.count()).select_from(LoginAttempt).where(LoginAttempt.key == f"signup:{ip}", LoginAttempt.at >= since))
    return (made or 0) >= settings.signups_per_hour


def record_signup(*, db: Session, ip: str) -> None:
    """Count an account created from this address (kept with login attempts, cleared by housekeeping)."""
    db.add(LoginAttempt(key=f"signup:{ip}"))


def check_credentials(*, read_db: sessionmaker, email: str, password: str, ip: str, settings: Settings) -> User | None:
    """The user if the credentials are right, else None; raises LoginLimited when the attempt must wait.

    Reads in a short transaction of its own and checks the password after it: argon2 takes tens of
    milliseconds, and on SQLite a write transaction would hold the only write lock all that time.
    """
    with read_db() as reader:
        wait = login_wait(db=reader, email=email, ip=ip, settings=settings)
        if wait:
            raise LoginLimited(wait)
        user = get_by_email(db=reader, email=email)
    ok = verify_password(password, user.password_hash if user else None, cheap=settings.password_hash_cheap)
    return user if ok and user is not None else None


def record_login(*, db: Session, email: str, ip: str, user: User | None) -> None:
    """Count a failed attempt (per account, address and both), or clear the account's count after a success."""
    normal = normalise_email(email)
    if user is None:
        db.add_all([LoginAttempt(key=f"email:{normal}"), LoginAttempt(key=f"ip:{ip}"), LoginAttempt(key=f"email-ip:{normal}|{ip}")])
    else:
        db.execute(delete(LoginAttempt).where(LoginAttempt.key.in_((f"email:{user.email}", f"email-ip:{user.email}|{ip}"))))


def authenticate(*, read_db: sessionmaker, db: Session, email: str, password: str, ip: str, settings: Settings) -> User | None:
    """check_credentials, then record_login: for callers without their own thread for hashing (the CLI, tests)."""
    user = check_credentials(read_db=read_db, email=email, password=password, ip=ip, settings=settings)
    record_login(db=db, email=email, ip=ip, user=user)
    return user


def change_password(*, db: Session, user: User, current: str, new: str, keep_session_id: str | None, settings: Settings) -> None:
    """Change a password after checking the current one; ends the user's other sessions."""
    if not verify_password(current, user.password_hash, cheap=settings.password_hash_cheap):
        raise AccountError("Your current password is not right.", "current_password")
    if problem := password_problem(new, related=_email_words(user.email)):
        raise AccountError(problem, "new_password")
    user.password_hash = hash_password(new, cheap=settings.password_hash_cheap)
    user.password_changed_at = utcnow()
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_session_id:
        stmt = stmt.where(UserSession.id != keep_session_id)
    db.execute(stmt)
    # A token may have leaked with the old password: it stops working too.
    db.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
