"""Proving a new account's email: one-time links, and the emails sign-up sends.

When the site sends email, sign-up answers every address the same way ("check your inbox"): a new
address gets a link that confirms the account, a registered one gets a note saying someone tried
to sign up with it. So the sign-up form no longer tells anyone which addresses have accounts.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from web.db import as_utc, utcnow
from web.infra.security import new_token, token_hash
from web.models import EmailConfirmation, User
from web.settings import Settings

LINK_HOURS = 48  # long enough for an email that sits in a spam folder over a weekend
RESEND_AFTER = timedelta(minutes=2)  # logging in again sooner does not send another email


def new_link(*, db: Session, user: User, settings: Settings) -> str:
    """The address of a fresh confirmation link for this account (earlier links stop working)."""
    db.execute(delete(EmailConfirmation).where(EmailConfirmation.user_id == user.id))
    token = new_token()
    db.add(EmailConfirmation(user_id=user.id, token_hash=token_hash(token), expires_at=utcnow() + timedelta(hours=LINK_HOURS)))
    db.flush()
    return f"{settings.base_url.rstrip('/')}/confirm/{token}"


def recently_sent(*, db: Session, user: User) -> bool:
    """Whether a link went to this account moments ago (so a repeated login does not flood the inbox)."""
    expires = db.scalar(select(EmailConfirmation.expires_at).where(EmailConfirmation.user_id == user.id))
    return expires is not None and as_utc(expires) - timedelta(hours=LINK_HOURS) > utcnow() - RESEND_AFTER


def pending(*, db: Session, token: str) -> EmailConfirmation | None:
    """The unexpired confirmation a token stands for, or None."""
    row = db.scalar(select(EmailConfirmation).where(EmailConfirmation.token_hash == token_hash(token)))
    return row if row is not None and as_utc(row.expires_at) > utcnow() else None


def confirm(*, db: Session, token: str) -> User | None:
    """Mark the account confirmed and use the link up; None when the link is unknown or expired."""
    row = pending(db=db, token=token)
    if row is None:
        return None
    user = db.get(User, row.user_id)
    user.email_confirmed_at = utcnow()
    db.execute(delete(EmailConfirmation).where(EmailConfirmation.user_id == user.id))
    return user


def welcome_email(link: str) -> tuple[str, str]:
    """Subject and body of the email that confirms a new account."""
    return "Confirm your tpmprep account", (
        "Welcome to tpmprep.\n\n"
        f"Open this link to confirm your email address and log in. It works once, for {LINK_HOURS} hours:\n\n"
        f"{link}\n\nIf you did not sign up, ignore this email: no account is used until the link is opened.\n"
    )


def already_registered_email(settings: Settings) -> tuple[str, str]:
    """Subject and body of the note to an address that already has an account."""
    base = settings.base_url.rstrip("/")
    return "Someone tried to sign up with your email", (
        "Someone (perhaps you) tried to create a tpmprep account with this email address, which already has one.\n\n"
        f"To use it, log in at {base}/login\nForgot the password? Choose a new one at {base}/forgot\n\n"
        "If it was not you, you need do nothing: your account and password are unchanged.\n"
    )
