"""Personal API tokens: created once, shown once, stored hashed, revocable by their owner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, joinedload

from web.db import as_utc, utcnow
from web.models import ApiToken, User
from web.infra.security import API_TOKEN_PREFIX, new_token, token_hash

MAX_NAME = 100
MAX_TOKENS_PER_USER = 20
EXPIRY_DAYS = (30, 90, 365)  # the choices offered; 0 means no expiry date
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is a hint, not an audit log: one write per 5 minutes


class TokenError(ValueError):
    """A token request that cannot be honoured, with a message for the user."""


def create_token(*, db: Session, user: User, name: str, expires_in_days: int = 0) -> str:
    """Create a token for a user and return its only clear-text copy (expiring after the days given, or never)."""
    name = name.strip()
    if expires_in_days and expires_in_days not in EXPIRY_DAYS:
        raise TokenError("Choose when the token expires from the list.")
    if not name:
        raise TokenError("Give the token a name, such as the script or machine that will use it.")
    if len(name) > MAX_NAME:
        raise TokenError(f"Keep the name to {MAX_NAME} characters or fewer.")
    held = db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)) or 0
    if held >= MAX_TOKENS_PER_USER:
        raise TokenError(f"You already have {MAX_TOKENS_PER_USER} tokens. Revoke one you no longer use first.")
    token = API_TOKEN_PREFIX + new_token()
    expires_at = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    db.add(ApiToken(user_id=user.id, name=name, token_hash=token_hash(token), expires_at=expires_at))
    db.flush()
    return token


def list_tokens(*, db: Session, user_id: int) -> list[ApiToken]:
    """A user's tokens, newest first (names and dates only: the secrets are not stored)."""
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(*, db: Session, user_id: int, token_id: int) -> bool:
    """Delete one of the user's own tokens; False if there is no such token of theirs."""
    result = db.execute(delete(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id))
    return result.rowcount == 1


def find_token(*, db: Session, token: str) -> ApiToken | None:
    """The token row (with its user) for a bearer token, or None."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)).options(joinedload(ApiToken.user)))
    if row is not None and row.expires_at is not None and as_utc(row.expires_at) <= utcnow():
        return None  # expired: as good as revoked
    return row


def revoke_all(*, db: Session, user_id: int) -> None:
    """Revoke every token of a user (their password changed: whatever a token was given for, ask again)."""
    db.execute(delete(ApiToken).where(ApiToken.user_id == user_id))


def needs_touch(row: ApiToken) -> bool:
    """Whether last_used_at is missing or stale enough to be worth a write."""
    return row.last_used_at is None or utcnow() - as_utc(row.last_used_at) >= TOUCH_EVERY


def touch_token(*, db: Session, token_id: int) -> None:
    """Record that a token was used now."""
    row = db.get(ApiToken, token_id)
    if row is not None:
        row.last_used_at = utcnow()
