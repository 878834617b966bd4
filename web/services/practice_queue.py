"""What to practise next: FSRS spaced repetition over questions, steered to the weakest dimension."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from fsrs import Card, Rating, Scheduler
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from web.content import Catalog, Question
from web.db import utcnow
from web.models import PracticeCard
from web.services.progress import dimension_averages

# Interview practice is spaced in days, not minutes: no intra-day learning steps, and no
# fuzzing so the same history always gives the same schedule.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
# Overall score (1-5) to an FSRS rating: a poor answer comes back tomorrow, a strong one in a week or more.
RATING_BANDS = ((2.0, Rating.Again), (3.0, Rating.Hard), (4.0, Rating.Good))
NEW_SUGGESTIONS = 5


def rating_for(overall: float) -> Rating:
    """The FSRS rating an answer's overall score earns."""
    for upper, rating in RATING_BANDS:
        if overall < upper:
            return rating
    return Rating.Easy


def _locked_card(*, db: Session, user_id: int, question_id: str, at: datetime) -> PracticeCard:
    """The user's card for a question, created if missing, locked for update.

    Two workers may score answers to the same question at once: inserting with ON CONFLICT DO
    NOTHING and then locking the row makes them update it one after the other instead of one
    failing on the unique constraint.
    """
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(PracticeCard)
        .values(user_id=user_id, question_id=question_id, due_at=at, last_rating=0, state=Card(due=at).to_dict(), updated_at=at)
        .on_conflict_do_nothing(index_elements=["user_id", "question_id"])
    )
    return db.scalar(
        select(PracticeCard)
        .where(PracticeCard.user_id == user_id, PracticeCard.question_id == question_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def record_result(*, db: Session, user_id: int, question_id: str, overall: float, at: datetime | None = None) -> PracticeCard:
    """Reschedule a question after the user answered it."""
    at = at or utcnow()
    # FSRS wants UTC exactly: SQLite hands back naive UTC, PostgreSQL the session's time zone.
    at = at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)
    row = _locked_card(db=db, user_id=user_id, question_id=question_id, at=at)
    rating = rating_for(overall)
    previous = Card.from_dict(row.state)
    if previous.last_review is not None and previous.last_review > at:
        at = previous.last_review  # answers scored out of order: never review back in time
    card, _log = SCHEDULER.review_card(previous, rating, review_datetime=at)
    row.due_at, row.last_rating, row.state, row.updated_at = card.due, int(rating), card.to_dict(), at
    db.flush()
    return row


@dataclass(frozen=True)
class Suggestion:
    """A question to practise now and why."""

    question: Question
    reason: str
    due_at: datetime | None


def due(*, db: Session, user_id: int, catalog: Catalog, now: datetime | None = None, limit: int = 8) -> list[Suggestion]:
    """Questions due by the end of today (oldest first), topped up with new ones on the weakest dimension."""
    now = now or utcnow()
    end_of_day = now.replace(hour=23, minute=59, second=59, microsecond=0)
    rows = db.scalars(
        select(PracticeCard)
        .where(PracticeCard.user_id == user_id, PracticeCard.due_at <= end_of_day)
        .order_by(PracticeCard.due_at)
        .limit(limit)
    ).all()
    labels = {int(Rating.Again): "scored low last time", int(Rating.Hard): "scored below 3 last time", int(Rating.Good): "due for review", int(Rating.Easy): "due for a refresher"}
    out = [
        Suggestion(catalog.question(r.question_id), labels.get(r.last_rating, "due"), r.due_at)
        for r in rows
        if catalog.question(r.question_id) is not None
    ]
    if len(out) < limit:
        seen = set(db.scalars(select(PracticeCard.question_id).where(PracticeCard.user_id == user_id)))
        averages = dimension_averages(db=db, user_id=user_id)
        weakest = min(averages, key=averages.get) if averages else None
        fresh = [q for q in catalog.questions.values() if q.id not in seen]
        if weakest:
            fresh.sort(key=lambda q: (weakest not in q.weighted_dimensions[:1], weakest not in q.weighted_dimensions[:2], q.difficulty != "easy", q.id))
            reason = f"new; practises {weakest}, your weakest dimension"
        else:
            fresh.sort(key=lambda q: (q.difficulty != "easy", q.category, q.id))
            reason = "new; a good first question"
        out += [Suggestion(q, reason, None) for q in fresh[: min(NEW_SUGGESTIONS, limit - len(out))]]
    return out


def next_due_after(*, db: Session, user_id: int, question_id: str) -> datetime | None:
    """When a question comes back for this user."""
    return db.scalar(select(PracticeCard.due_at).where(PracticeCard.user_id == user_id, PracticeCard.question_id == question_id))


def days_until(moment: datetime | None, now: datetime | None = None) -> int | None:
    """Whole days from now until a moment (0 = today)."""
    if moment is None:
        return None
    now = now or utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0, (moment.date() - now.date()).days)


