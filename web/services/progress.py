"""Progress figures for the dashboard, aggregated in SQL so thousands of answers stay fast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.rubric import DIMENSIONS
from web.content import Catalog
from web.db import utcnow
from web.models import Answer, ScoreCardRecord

CALENDAR_DAYS = 7 * 18  # about four months of activity squares


def _latest_offline_cards():
    """Subquery: the newest offline card id of each answer (rescoring keeps older ones)."""
    return (
        select(func.max(ScoreCardRecord.id).label("card_id"))
        .where(ScoreCardRecord.scorer == "offline")
        .group_by(ScoreCardRecord.answer_id)
        .subquery()
    )


def dimension_averages(*, db: Session, user_id: int) -> dict[str, float]:
    """The user's mean offline score per dimension (empty when nothing is scored)."""
    latest = _latest_offline_cards()
    row = db.execute(
        select(*(func.avg(getattr(ScoreCardRecord, d)) for d in DIMENSIONS), func.count())
        .join(latest, latest.c.card_id == ScoreCardRecord.id)
        .join(Answer, Answer.id == ScoreCardRecord.answer_id)
        .where(Answer.user_id == user_id)
    ).one()
    if not row[-1]:
        return {}
    return {d: float(v) for d, v in zip(DIMENSIONS, row[:-1])}


@dataclass(frozen=True)
class DayScores:
    """Mean scores of one day's answers."""

    day: date
    answers: int
    scores: dict[str, float]


def scores_by_day(*, db: Session, user_id: int, limit_days: int = 90) -> list[DayScores]:
    """Per-dimension mean score per active day, oldest first (the last `limit_days` active days)."""
    latest = _latest_offline_cards()
    day = func.date(Answer.submitted_at)
    rows = db.execute(
        select(day.label("day"), func.count(), *(func.avg(getattr(ScoreCardRecord, d)) for d in DIMENSIONS))
        .join(latest, latest.c.card_id == ScoreCardRecord.id)
        .join(Answer, Answer.id == ScoreCardRecord.answer_id)
        .where(Answer.user_id == user_id)
        .group_by(day)
        .order_by(day.desc())
        .limit(limit_days)
    ).all()
    out = [DayScores(_as_date(r[0]), int(r[1]), {d: float(v) for d, v in zip(DIMENSIONS, r[2:])}) for r in rows]
    return list(reversed(out))


def _as_date(value) -> date:
    # SQLite's date() returns text, PostgreSQL's a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def attempts_by_category(*, db: Session, user_id: int, catalog: Catalog) -> dict[str, int]:
    """How many answers the user gave per category (grouped in SQL by question)."""
    rows = db.execute(
        select(Answer.question_id, func.count()).where(Answer.user_id == user_id).group_by(Answer.question_id)
    ).all()
    counts = {c: 0 for c in ("behavioral", "program-sense", "program-execution", "technical", "strategy")}
    for question_id, n in rows:
        question = catalog.question(question_id)
        if question is not None:
            counts[question.category] += int(n)
    return counts


def active_days(*, db: Session, user_id: int, since: date | None = None) -> dict[date, int]:
    """Answers per day on days with any."""
    day = func.date(Answer.submitted_at)
    stmt = select(day, func.count()).where(Answer.user_id == user_id).group_by(day)
    if since is not None:
        stmt = stmt.where(Answer.submitted_at >= since)
    return {_as_date(d): int(n) for d, n in db.execute(stmt).all()}


def streak(days: set[date], today: date) -> int:
    """Consecutive active days ending today (or yesterday, so a streak survives until the day is over)."""
    current = today if today in days else today - timedelta(days=1)
    count = 0
    while current in days:
        count += 1
        current -= timedelta(days=1)
    return count


@dataclass(frozen=True)
class Dashboard:
    """Everything the progress page shows."""

    total_answers: int
    averages: dict[str, float]
    strongest: str | None
    weakest: str | None
    by_day: list[DayScores]
    by_category: dict[str, int]
    calendar: list[tuple[date, int]]
    streak: int


def dashboard(*, db: Session, user_id: int, catalog: Catalog) -> Dashboard:
    """The progress dashboard's figures for one user."""
    today = utcnow().date()
    start = today - timedelta(days=CALENDAR_DAYS - 1)
    averages = dimension_averages(db=db, user_id=user_id)
    days = active_days(db=db, user_id=user_id)
    by_category = attempts_by_category(db=db, user_id=user_id, catalog=catalog)
    calendar = [(start + timedelta(days=i), days.get(start + timedelta(days=i), 0)) for i in range(CALENDAR_DAYS)]
    return Dashboard(
        total_answers=sum(days.values()),
        averages=averages,
        strongest=max(averages, key=averages.get) if averages else None,
        weakest=min(averages, key=averages.get) if averages else None,
        by_day=scores_by_day(db=db, user_id=user_id),
        by_category=by_category,
        calendar=calendar,
        streak=streak(set(days), today),
    )
