"""The changes proposed for web/ to make the progress pages fast at 100k answers, applied from outside.

Nothing in web/ is edited: `create_app` below patches web.services.progress, web.services.answers
and web.charts in the uvicorn process before building the app, and `setup` creates the indexes (and
columns) in the benchmark database; benchmarks/pages_100k.py --proposed-fix VARIANT does both and
calls `teardown` afterwards. It exists so the proposal is measured with the same harness as the code
as it is (docs/performance.md). Two variants, chosen with TPMPREP_BENCH_FIX=query|denorm:

query (no new columns):
  1. progress: pick "the newest offline card of each answer" per user, driving the query from the
     user's answers with NOT EXISTS on a newer card, instead of joining a subquery that groups the
     whole score_card table (every user's cards) on every call;
  2. indexes ix_score_card_latest (answer_id, scorer, id, strategy, risk, communication, leadership),
     ix_answer_user_question (user_id, question_id) and ix_answer_user_submitted_id (user_id,
     submitted_at, id) (PostgreSQL indexes do not carry the primary key; SQLite's carry the rowid).

denorm (the one that meets 50 ms on both databases):
  1. the newest offline scores copied onto the answer row (answer.offline_strategy, offline_risk,
     offline_communication, offline_leadership; in the app, written by scoring_jobs.store_card and
     backfilled by the migration), covered by ix_answer_user_scores (user_id, submitted_at, id,
     offline_*) (PostgreSQL: (user_id, submitted_at, id) INCLUDE (offline_*)), plus
     ix_answer_user_question; the dashboard is two index-only range scans of the user's own
     entries and never reads score_card.

both:
  3. a lazy Dashboard (each figure computed on first use), so the chart SVGs, which call dashboard()
     and draw one series, run only the query behind it; averages and the per-day series from one
     query (per-day counts and sums; averages = sums / counts; by_day = the last 90 days);
  4. chart SVGs memoised by the series they draw (pygal needs ~72 ms for 90 days x 4 lines);
  5. list_answers as a deferred join (the page's ids from the index, then the 20 rows), so deep
     history pages do not sort every answer's text (PostgreSQL spilled that sort to disk).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import and_, exists, func, select, text
from sqlalchemy.orm import Session, aliased

INDEXES = {
    "ix_score_card_latest": "CREATE INDEX IF NOT EXISTS ix_score_card_latest ON score_card (answer_id, scorer, id, strategy, risk, communication, leadership)",
    "ix_answer_user_question": "CREATE INDEX IF NOT EXISTS ix_answer_user_question ON answer (user_id, question_id)",
    # replaces ix_answer_user_submitted (user_id, submitted_at): PostgreSQL indexes do not carry the
    # primary key, so without id every query that needs answer.id visits the ~2 KB answer rows.
    "ix_answer_user_submitted_id": "CREATE INDEX IF NOT EXISTS ix_answer_user_submitted_id ON answer (user_id, submitted_at, id)",
}


SCORE_COLUMNS = ("offline_strategy", "offline_risk", "offline_communication", "offline_leadership")
DENORM_INDEXES = {
    "ix_answer_user_question": INDEXES["ix_answer_user_question"],
}


def _vacuum(engine, table: str) -> None:
    """PostgreSQL: what autovacuum does after bulk changes (index-only scans need the visibility map)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"VACUUM ANALYZE {table}"))


def setup(engine, variant: str = "query") -> None:
    """Create the variant's indexes (and, for denorm, columns with their backfill) in the benchmark database."""
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for ddl in (INDEXES if variant == "query" else DENORM_INDEXES).values():
            conn.execute(text(ddl))
        if variant == "denorm":
            for column in SCORE_COLUMNS:
                conn.execute(text(f"ALTER TABLE answer ADD COLUMN {column} INTEGER"))
            newest = ("score_card.scorer = 'offline' AND NOT EXISTS (SELECT 1 FROM score_card n WHERE n.answer_id = score_card.answer_id"
                      " AND n.scorer = 'offline' AND n.id > score_card.id)")
            conn.execute(text(
                "UPDATE answer SET offline_strategy = score_card.strategy, offline_risk = score_card.risk, "
                "offline_communication = score_card.communication, offline_leadership = score_card.leadership "
                f"FROM score_card WHERE score_card.answer_id = answer.id AND {newest}"
            ))
            cols = ", ".join(SCORE_COLUMNS)
            include = f"(user_id, submitted_at, id) INCLUDE ({cols})" if pg else f"(user_id, submitted_at, id, {cols})"
            conn.execute(text(f"CREATE INDEX ix_answer_user_scores ON answer {include}"))
    _vacuum(engine, "answer")
    _vacuum(engine, "score_card")


def teardown(engine, variant: str = "query") -> None:
    """Put the benchmark database back as it was."""
    with engine.begin() as conn:
        for name in INDEXES:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        if variant == "denorm":
            conn.execute(text("DROP INDEX IF EXISTS ix_answer_user_scores"))
            for column in SCORE_COLUMNS:
                conn.execute(text(f"ALTER TABLE answer DROP COLUMN {column}"))
    _vacuum(engine, "answer")


def _latest_offline(user_id: int):
    """(answer, card) pairs of one user's answers with their newest offline card only."""
    from web.models import Answer, ScoreCardRecord

    newer = aliased(ScoreCardRecord)
    return (
        select()
        .select_from(Answer)
        .join(ScoreCardRecord, and_(ScoreCardRecord.answer_id == Answer.id, ScoreCardRecord.scorer == "offline"))
        .where(
            Answer.user_id == user_id,
            ~exists().where(newer.answer_id == ScoreCardRecord.answer_id, newer.scorer == "offline", newer.id > ScoreCardRecord.id),
        )
    )


def dimension_averages(*, db: Session, user_id: int) -> dict[str, float]:
    from scoring.rubric import DIMENSIONS
    from web.models import ScoreCardRecord

    row = db.execute(_latest_offline(user_id).add_columns(*(func.avg(getattr(ScoreCardRecord, d)) for d in DIMENSIONS), func.count())).one()
    if not row[-1]:
        return {}
    return {d: float(v) for d, v in zip(DIMENSIONS, row[:-1])}


def scores_by_day(*, db: Session, user_id: int, limit_days: int = 90):
    from scoring.rubric import DIMENSIONS
    from web.models import Answer, ScoreCardRecord
    from web.services.progress import DayScores, _as_date

    day = func.date(Answer.submitted_at)
    rows = db.execute(
        _latest_offline(user_id)
        .add_columns(day.label("day"), func.count(), *(func.avg(getattr(ScoreCardRecord, d)) for d in DIMENSIONS))
        .group_by(day)
        .order_by(day.desc())
        .limit(limit_days)
    ).all()
    out = [DayScores(_as_date(r[0]), int(r[1]), {d: float(v) for d, v in zip(DIMENSIONS, r[2:])}) for r in rows]
    return list(reversed(out))


def day_rows(*, db: Session, user_id: int) -> list[tuple[date, int, dict[str, float]]]:
    """Per active day, oldest first: answers scored and the SUM of each dimension (one query)."""
    from scoring.rubric import DIMENSIONS
    from web.models import Answer, ScoreCardRecord
    from web.services.progress import _as_date

    day = func.date(Answer.submitted_at)
    rows = db.execute(
        _latest_offline(user_id)
        .add_columns(day.label("day"), func.count(), *(func.sum(getattr(ScoreCardRecord, d)) for d in DIMENSIONS))
        .group_by(day)
        .order_by(day)
    ).all()
    return [(_as_date(r[0]), int(r[1]), {d: float(v) for d, v in zip(DIMENSIONS, r[2:])}) for r in rows]


def day_rows_denorm(*, db: Session, user_id: int) -> list[tuple[date, int, int, dict[str, float]]]:
    """Variant denorm, per day with answers, oldest first: (day, answers, answers scored, SUM per dimension)."""
    from sqlalchemy import literal_column

    from scoring.rubric import DIMENSIONS
    from web.models import Answer
    from web.services.progress import _as_date

    day = func.date(Answer.submitted_at)
    rows = db.execute(
        select(day, func.count(), func.count(literal_column("answer.offline_strategy")),
               *(func.sum(literal_column(f"answer.offline_{d}")) for d in DIMENSIONS))
        .where(Answer.user_id == user_id)
        .group_by(day)
        .order_by(day)
    ).all()
    return [(_as_date(r[0]), int(r[1]), int(r[2]), {d: float(v or 0) for d, v in zip(DIMENSIONS, r[3:])}) for r in rows]


@dataclass
class LazyDashboard:
    """Dashboard with each figure computed on first use."""

    db: Session
    user_id: int
    catalog: object

    @cached_property
    def today(self) -> date:
        from web.db import utcnow

        return utcnow().date()

    @cached_property
    def _days(self) -> dict[date, int]:
        from web.services import progress

        if self.denorm:
            return {d: n for d, n, _scored, _sums in self._denorm_rows}
        return progress.active_days(db=self.db, user_id=self.user_id)

    denorm: bool = False

    @cached_property
    def _denorm_rows(self):
        return day_rows_denorm(db=self.db, user_id=self.user_id)

    @cached_property
    def _day_rows(self):
        if self.denorm:
            return [(d, scored, sums) for d, _n, scored, sums in self._denorm_rows if scored]
        return day_rows(db=self.db, user_id=self.user_id)

    @cached_property
    def averages(self) -> dict[str, float]:
        total = sum(n for _, n, _ in self._day_rows)
        if not total:
            return {}
        return {d: sum(sums[d] for _, _, sums in self._day_rows) / total for d in self._day_rows[0][2]}

    @cached_property
    def total_answers(self) -> int:
        return sum(self._days.values())

    @property
    def strongest(self):
        return max(self.averages, key=self.averages.get) if self.averages else None

    @property
    def weakest(self):
        return min(self.averages, key=self.averages.get) if self.averages else None

    @cached_property
    def by_day(self):
        from web.services.progress import DayScores

        return [DayScores(d, n, {k: v / n for k, v in sums.items()}) for d, n, sums in self._day_rows[-90:]]

    @cached_property
    def by_category(self) -> dict[str, int]:
        from web.services import progress

        return progress.attempts_by_category(db=self.db, user_id=self.user_id, catalog=self.catalog)

    @cached_property
    def calendar(self):
        from web.services.progress import CALENDAR_DAYS

        start = self.today - timedelta(days=CALENDAR_DAYS - 1)
        return [(start + timedelta(days=i), self._days.get(start + timedelta(days=i), 0)) for i in range(CALENDAR_DAYS)]

    @cached_property
    def streak(self) -> int:
        from web.services.progress import streak

        return streak(set(self._days), self.today)


def dashboard(*, db: Session, user_id: int, catalog) -> LazyDashboard:
    return LazyDashboard(db=db, user_id=user_id, catalog=catalog, denorm=VARIANT == "denorm")


def dimension_averages_denorm(*, db: Session, user_id: int) -> dict[str, float]:
    from sqlalchemy import literal_column

    from scoring.rubric import DIMENSIONS
    from web.models import Answer

    row = db.execute(
        select(*(func.avg(literal_column(f"answer.offline_{d}")) for d in DIMENSIONS), func.count(literal_column("answer.offline_strategy")))
        .where(Answer.user_id == user_id)
    ).one()
    if not row[-1]:
        return {}
    return {d: float(v) for d, v in zip(DIMENSIONS, row[:-1])}


VARIANT = "query"


def list_answers(*, db: Session, user, page: int = 1, per_page: int = 20):
    from web.models import Answer
    from web.services.answers import Page

    total = db.scalar(select(func.count()).select_from(Answer).where(Answer.user_id == user.id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    order = (Answer.submitted_at.desc(), Answer.id.desc())
    ids = select(Answer.id).where(Answer.user_id == user.id).order_by(*order).offset((page - 1) * per_page).limit(per_page)
    rows = db.scalars(select(Answer).where(Answer.id.in_(ids.scalar_subquery())).order_by(*order))
    return Page(items=list(rows), page=page, pages=pages, total=total)


def memoised_chart(draw, maxsize: int = 256):
    """A chart function whose SVG is cached by the data it draws (the series is the cache key)."""
    from functools import lru_cache
    from types import SimpleNamespace

    from web.services.progress import DayScores

    @lru_cache(maxsize=maxsize)
    def render(by_day_key: tuple, by_category_key: tuple) -> bytes:
        by_day = [DayScores(day, n, dict(scores)) for day, n, scores in by_day_key]
        return draw(SimpleNamespace(by_day=by_day, by_category=dict(by_category_key)))

    def chart(board) -> bytes:
        if draw.__name__ == "scores_over_time":
            return render(tuple((d.day, d.answers, tuple(sorted(d.scores.items()))) for d in board.by_day), ())
        return render((), tuple(board.by_category.items()))

    return chart


def apply(variant: str | None = None) -> None:
    """Patch the running process's services with the proposal (variant: query or denorm)."""
    import os

    from web import charts
    from web.services import answers, progress
    from web.services import practice_queue

    global VARIANT
    VARIANT = variant or os.environ.get("TPMPREP_BENCH_FIX", "query")

    for name, draw in list(charts.CHARTS.items()):
        charts.CHARTS[name] = memoised_chart(draw)
    averages = dimension_averages_denorm if VARIANT == "denorm" else dimension_averages
    progress.dimension_averages = averages
    progress.scores_by_day = scores_by_day
    progress.dashboard = dashboard
    practice_queue.dimension_averages = averages
    answers.list_answers = list_answers


def create_app():
    """uvicorn factory: the real app with the proposal applied."""
    apply()
    from web.app import create_app as real_create_app

    return real_create_app()
