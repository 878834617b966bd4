"""Work claimed under a lease: the one way a worker takes a scoring job or a recording to transcribe.

A row is claimable while waiting, or while "running" under a lease that has run out (its worker was
killed); claiming sets a new lease, so a second worker never takes a row a live one holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from web.db import utcnow

Row = TypeVar("Row")


def take(db: Session, model: type[Row], *, waiting: str, running: str, worker_id: str, lease: timedelta,
         where: tuple[Any, ...] = ()) -> Row | None:
    """The oldest claimable row of `model` (filtered by `where`), now running under this worker's lease."""
    now = utcnow()
    stmt = (
        select(model)
        .where(or_(model.status == waiting, (model.status == running) & (model.lease_expires_at < now)), *where)
        .order_by(model.id)
        .limit(1)
        # PostgreSQL: concurrent workers skip rows another has locked; SQLite ignores this
        # and serialises writers with BEGIN IMMEDIATE instead.
        .with_for_update(skip_locked=True)
    )
    row = db.scalar(stmt)
    if row is None:
        return None
    lease_to(row, running=running, worker_id=worker_id, lease=lease, now=now)
    db.flush()
    return row


def lease_to(row, *, running: str, worker_id: str, lease: timedelta, now: datetime) -> None:
    """Mark a row as running under this worker's lease (one more attempt)."""
    row.status = running
    row.attempts = (row.attempts or 0) + 1  # a row not yet flushed has no default yet
    row.lease_owner = worker_id
    row.lease_expires_at = now + lease
