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
TOUCH_EVERY = timedelta(minutes=5)  # last_used_at is a hint, not an audit log: one write per 5 minutes


class TokenError(ValueError):
    """A token request that cannot be honoured, with a message for the user."""


def create_token(*, db: Session, user: User, name: str) -> str:
    """Create a token for a user and return its only clear-text copy."""
    name = name.strip()
    if not name:
        raise TokenError("Give the token a name, such as the script or machine that will use it.")
    if len(name) > MAX_NAME:
        raise TokenError(f"Keep the name to {MAX_NAME} characters or fewer.")
    held = db.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)) or 0
    if held >= MAX_TOKENS_PER_USER:
        raise TokenError(f"You already have {MAX_TOKENS_PER_USER} tokens. Revoke one you no longer use first.")
    token = API_TOKEN_PREFIX + new_token()
    db.add(ApiToken(user_id=user.id, name=name, token_hash=token_hash(token)))
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
    return db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)).options(joinedload(ApiToken.user)))


def needs_touch(row: ApiToken) -> bool:
    """Whether last_used_at is missing or stale enough to be worth a write."""
    return row.last_used_at is None or utcnow() - as_utc(row.last_used_at) >= TOUCH_EVERY


def touch_token(*, db: Session, token_id: int) -> None:
    """Record that a token was used now."""
    row = db.get(ApiToken, token_id)
    if row is not None:
        row.last_used_at = utcnow()
