"""Progress figures for the dashboard, aggregated in SQL so thousands of answers stay fast."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.rubric import DIMENSIONS
from web.content import CATEGORIES, Catalog
from web.db import as_utc, utcnow
from web.models import Answer, Recording

CALENDAR_DAYS = 7 * 18  # about four months of activity squares
BY_DAY_LIMIT = 90  # active days drawn on the scores-over-time chart


def _offline(dimension: str):
    """The answer's copy of its newest offline score on one dimension (NULL until scored)."""
    return getattr(Answer, f"offline_{dimension}")


def dimension_averages(*, db: Session, user_id: int) -> dict[str, float]:
    """The user's mean offline score per dimension (empty when nothing is scored)."""
    row = db.execute(
        select(*(func.avg(_offline(d)) for d in DIMENSIONS), func.count(_offline(DIMENSIONS[0])))
        .where(Answer.user_id == user_id)
    ).one()
    if not row[-1]:
        return {}
    return {d: float(v) for d, v in zip(DIMENSIONS, row[:-1])}


@dataclass(frozen=True)
class DayScores:
    """Mean scores of one day's scored answers."""

    day: date
    answers: int
    scores: dict[str, float]


@dataclass(frozen=True)
class DayTotals:
    """One day with answers: how many, how many are scored, and the sum of each dimension's scores."""

    day: date
    answers: int
    scored: int
    sums: dict[str, int]


def day_totals(*, db: Session, user_id: int) -> list[DayTotals]:
    """Every day the user answered, oldest first, in one query (sums, so callers can derive any mean)."""
    day = func.date(Answer.submitted_at)
    rows = db.execute(
        select(day, func.count(), func.count(_offline(DIMENSIONS[0])), *(func.sum(_offline(d)) for d in DIMENSIONS))
        .where(Answer.user_id == user_id)
        .group_by(day)
        .order_by(day)
    ).all()
    return [DayTotals(_as_date(r[0]), int(r[1]), int(r[2]), {d: int(v or 0) for d, v in zip(DIMENSIONS, r[3:])}) for r in rows]


def _as_date(value) -> date:
    # SQLite's date() returns text, PostgreSQL's a date.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def attempts_by_category(*, db: Session, user_id: int, catalog: Catalog) -> dict[str, int]:
    """How many answers the user gave per category (grouped in SQL by question)."""
    rows = db.execute(
        select(Answer.question_id, func.count()).where(Answer.user_id == user_id).group_by(Answer.question_id)
    ).all()
    counts = dict.fromkeys(CATEGORIES, 0)
    for question_id, n in rows:
        question = catalog.question(question_id)
        if question is not None:
            counts[question.category] += int(n)
    return counts


def streak(days: set[date], today: date) -> int:
    """Consecutive active days ending today (or yesterday, so a streak survives until the day is over)."""
    current = today if today in days else today - timedelta(days=1)
    count = 0
    while current in days:
        count += 1
        current -= timedelta(days=1)
    return count


class Dashboard:
    """Everything the progress page shows, each figure computed on first use.

    The chart endpoints draw one series each, so a chart request runs only the query behind it.
    """

    def __init__(self, *, db: Session, user_id: int, catalog: Catalog, today: date | None = None):
        self._db = db
        self._user_id = user_id
        self._catalog = catalog
        self.today = today or utcnow().date()

    @cached_property
    def _days(self) -> list[DayTotals]:
        return day_totals(db=self._db, user_id=self._user_id)

    @cached_property
    def spoken(self) -> list[SpokenAnswer]:
        return spoken_answers(db=self._db, user_id=self._user_id, catalog=self._catalog)

    @cached_property
    def total_answers(self) -> int:
        return sum(d.answers for d in self._days)

    @cached_property
    def averages(self) -> dict[str, float]:
        """Mean offline score per dimension over every scored answer (empty when none is)."""
        scored = sum(d.scored for d in self._days)
        if not scored:
            return {}
        return {dim: sum(d.sums[dim] for d in self._days) / scored for dim in DIMENSIONS}

    @property
    def strongest(self) -> str | None:
        """The dimension with the highest average; None when none stands above the others."""
        return self._single(max)

    @property
    def weakest(self) -> str | None:
        """The dimension with the lowest average; None when it is tied with another."""
        return self._single(min)

    @property
    def level(self) -> bool:
        """Whether all four averages are the same (then there is no strongest or weakest)."""
        return bool(self.averages) and len(set(round(v, 2) for v in self.averages.values())) == 1

    def _single(self, pick) -> str | None:
        if not self.averages:
            return None
        best = pick(round(v, 2) for v in self.averages.values())
        tied = [d for d, v in self.averages.items() if round(v, 2) == best]
        return tied[0] if len(tied) == 1 else None

    @cached_property
    def by_day(self) -> list[DayScores]:
        """Mean score per dimension on each of the last BY_DAY_LIMIT days with scored answers."""
        scored = [d for d in self._days if d.scored][-BY_DAY_LIMIT:]
        return [DayScores(d.day, d.scored, {dim: d.sums[dim] / d.scored for dim in DIMENSIONS}) for d in scored]

    @cached_property
    def by_category(self) -> dict[str, int]:
        return attempts_by_category(db=self._db, user_id=self._user_id, catalog=self._catalog)

    @cached_property
    def calendar(self) -> list[tuple[date, int]]:
        counts = {d.day: d.answers for d in self._days}
        start = self.today - timedelta(days=CALENDAR_DAYS - 1)
        return [(start + timedelta(days=i), counts.get(start + timedelta(days=i), 0)) for i in range(CALENDAR_DAYS)]

    @cached_property
    def streak(self) -> int:
        return streak({d.day for d in self._days}, self.today)


@dataclass(frozen=True)
class SpokenAnswer:
    """One spoken answer's delivery figures, for the trend."""

    answer_id: int
    question_title: str
    submitted_at: datetime
    words_per_minute: float
    fillers_per_100_words: float
    long_pauses: int
    talk_seconds: float
    time_box_seconds: int | None


def spoken_answers(*, db: Session, user_id: int, catalog: Catalog, limit: int = 20) -> list[SpokenAnswer]:
    """The user's latest spoken answers with their delivery figures, oldest first (a trend reads left to right)."""
    rows = db.execute(
        select(Answer.id, Answer.question_id, Answer.submitted_at, Recording.delivery)
        .join(Recording, Recording.answer_id == Answer.id)
        .where(Answer.user_id == user_id, Recording.delivery.is_not(None))
        .order_by(Answer.submitted_at.desc(), Answer.id.desc())
        .limit(limit)
    ).all()
    out = []
    for answer_id, question_id, submitted_at, d in reversed(rows):
        question = catalog.question(question_id)
        out.append(SpokenAnswer(answer_id, question.title if question else question_id, as_utc(submitted_at),
                                d["words_per_minute"], d["fillers_per_100_words"], d["long_pauses"], d["talk_seconds"],
                                d.get("time_box_seconds")))
    return out


def dashboard(*, db: Session, user_id: int, catalog: Catalog) -> Dashboard:
    """The progress dashboard's figures for one user."""
    return Dashboard(db=db, user_id=user_id, catalog=catalog)
