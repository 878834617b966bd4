"""Practice answers: validate, store, list and load with ownership checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, selectinload

from scoring.rubric import DIMENSIONS
from scoring.text import word_count
from web.content import Question
from web.db import utcnow
from web.models import Answer, AnswerStatus, User

MIN_ANSWER_WORDS = 1
FOLLOW_UP_SOURCE = "follow-up"  # a reply to a mock interview's follow-up, judged on one key point only
MAX_TIME_TAKEN = 6 * 3600  # a started_at older than this is a stale tab, not time spent answering


class AnswerError(ValueError):
    """Why an answer cannot be accepted, in words fit for the user."""


@dataclass(frozen=True)
class Page:
    """One page of a listing."""

    items: list
    page: int
    pages: int
    total: int


def validate_text(text: str, *, max_chars: int) -> str:
    """The answer text to store, or AnswerError saying what is wrong."""
    cleaned = text.replace("\r\n", "\n").strip()
    if not cleaned:
        raise AnswerError("Your answer is empty. Write your answer, then submit it.")
    if len(cleaned) > max_chars:
        raise AnswerError(
            f"Your answer is {len(cleaned):,} characters; the limit is {max_chars:,}. "
            "Shorten it and submit again: interview answers rarely need more than 600 words."
        )
    return cleaned


def parse_started_at(value: str | None) -> datetime | None:
    """The client-reported start time, if it is a sane ISO timestamp in the recent past."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    elapsed = (utcnow() - moment).total_seconds()
    return moment if 0 <= elapsed <= MAX_TIME_TAKEN else None


def find_submitted(*, db: Session, user: User, submission_key: str) -> Answer | None:
    """The answer this person already submitted with this key (a retried submit), if any."""
    return db.scalar(select(Answer).where(Answer.user_id == user.id, Answer.submission_key == submission_key))


def submit_answer(
    *, db: Session, user: User, question: Question, text: str, started_at: datetime | None, max_chars: int,
    source: str = "practice", submission_key: str | None = None,
) -> Answer:
    """Validate and store an answer; the caller commits before any scoring."""
    cleaned = validate_text(text, max_chars=max_chars)
    now = utcnow()
    answer = Answer(
        user_id=user.id,
        question_id=question.id,
        content_version=question.version,
        text=cleaned,
        started_at=started_at,
        submitted_at=now,
        time_taken_seconds=int((now - started_at).total_seconds()) if started_at else None,
        word_count=word_count(cleaned),
        status=AnswerStatus.SUBMITTED,
        source=source,
        submission_key=submission_key or None,
    )
    db.add(answer)
    db.flush()
    return answer


def list_answers(*, db: Session, user: User, page: int = 1, per_page: int = 20) -> Page:
    """A user's answers, newest first, one page at a time."""
    total = db.scalar(select(func.count()).select_from(Answer).where(Answer.user_id == user.id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    newest_first = (Answer.submitted_at.desc(), Answer.id.desc())
    # Deferred join: the page's ids come from the (user, time) index, then only those rows are read,
    # so a deep page does not sort every answer's text (PostgreSQL spilled that sort to disk).
    page_ids = (
        select(Answer.id).where(Answer.user_id == user.id).order_by(*newest_first).offset((page - 1) * per_page).limit(per_page)
    )
    rows = db.scalars(select(Answer).where(Answer.id.in_(page_ids.scalar_subquery())).order_by(*newest_first))
    return Page(items=list(rows), page=page, pages=pages, total=total)


def get_own_answer(*, db: Session, user: User, answer_id: int) -> Answer | None:
    """An answer if this user owns it; None otherwise (shown as 404, so ids reveal nothing)."""
    answer = db.scalar(
        select(Answer).where(Answer.id == answer_id).options(selectinload(Answer.score_cards))
    )
    if answer is None or answer.user_id != user.id:
        return None
    return answer


def attempts_for_question(*, db: Session, user: User, question_id: str, limit: int = 10) -> list[Answer]:
    """A user's recent answers to one question, newest first."""
    return list(
        db.scalars(
            select(Answer)
            .where(Answer.user_id == user.id, Answer.question_id == question_id)
            .order_by(Answer.submitted_at.desc(), Answer.id.desc())
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Attempted:
    """How often a user has answered a question, and their best overall score on it (None until scored)."""

    count: int
    best: float | None


_SCORES = (Answer.offline_strategy, Answer.offline_risk, Answer.offline_communication, Answer.offline_leadership)
# Built once: the question bank runs it on every logged-in page view.
_ATTEMPTED = (
    select(Answer.question_id, func.count(), *_SCORES)
    .where(Answer.user_id == bindparam("user_id"), Answer.question_id.in_(bindparam("question_ids", expanding=True)),
           Answer.source != FOLLOW_UP_SOURCE)
    .group_by(Answer.question_id, *_SCORES)
)


def attempted(*, db: Session, user_id: int, questions: list[Question]) -> dict[str, Attempted]:
    """Attempts and best overall score for each of `questions` the user has answered (follow-up replies
    aside): one grouped read of the scores kept on each answer row, weighted by each question's rubric."""
    if not questions:
        return {}
    rows = db.execute(_ATTEMPTED, {"user_id": user_id, "question_ids": [q.id for q in questions]}).all()
    weights = {q.id: q.rubric.normalised_weights() for q in questions}
    counts: dict[str, int] = {}
    best: dict[str, float] = {}
    for question_id, n, *scores in rows:
        counts[question_id] = counts.get(question_id, 0) + n
        if None not in scores:
            w = weights[question_id]
            overall = sum(w[d] * s for d, s in zip(DIMENSIONS, scores, strict=True))
            best[question_id] = max(best.get(question_id, 0.0), overall)
    return {qid: Attempted(n, round(best[qid], 1) if qid in best else None) for qid, n in counts.items()}
