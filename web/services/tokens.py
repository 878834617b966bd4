"""Personal API tokens: created once, shown once, stored hashed."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.models import ApiToken, User
from web.security import API_TOKEN_PREFIX, new_token, token_hash


def create_token(*, db: Session, user: User, name: str) -> str:
    """Create a token for a user and return its only clear-text copy."""
    token = API_TOKEN_PREFIX + new_token()
    db.add(ApiToken(user_id=user.id, name=name[:100] or "token", token_hash=token_hash(token)))
    db.flush()
    return token


def user_for_token(*, db: Session, token: str) -> User | None:
    """The user a bearer token belongs to, or None."""
    if not token.startswith(API_TOKEN_PREFIX):
        return None
    row = db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None:
        return None
    return db.get(User, row.user_id)
