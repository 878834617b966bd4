"""Submitting an answer from any page or the API: store it, commit, then score it."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from web.content import Catalog, Question
from web.models import Answer, ScorerName, User
from web.infra.transcribe import AudioError
from web.services import answers as answer_service
from web.services import recordings as recording_service
from web.services import reviews as review_service
from web.services import scorer_models, scoring_jobs
from web.settings import Settings

MAX_KEY_CHARS = 80
log = logging.getLogger("tpmprep.scoring")


def submit_and_score(
    *,
    db: Session,
    write_db: sessionmaker,
    catalog: Catalog,
    settings: Settings,
    user: User,
    question: Question,
    text: str,
    started_at: datetime | None,
    source: str = "practice",
    submission_key: str | None = None,
    recording_id: int | None = None,
) -> Answer:
    """Validate and store the answer, commit it (nothing is lost if scoring fails), then run the offline scorer.

    A submit that repeats an earlier one's `submission_key` (the browser or a script retrying after
    a dropped connection) returns the answer already stored instead of storing it twice.
    With `recording_id`, the text is that recording's transcript as the candidate checked it.
    Raises answer_service.AnswerError, before anything is stored, when the text is not acceptable.
    """
    key = (submission_key or "").strip()[:MAX_KEY_CHARS] or None
    if key and (earlier := answer_service.find_submitted(db=db, user=user, submission_key=key)) is not None:
        return earlier
    recording = None
    if recording_id is not None:
        try:
            recording = recording_service.usable_for_answer(db=db, user=user, recording_id=recording_id, question_id=question.id)
        except AudioError as exc:
            raise answer_service.AnswerError(str(exc)) from exc
    answer = answer_service.submit_answer(
        db=db, user=user, question=question, text=text, started_at=started_at, max_chars=settings.max_answer_chars,
        source=source, submission_key=key,
    )
    if recording is not None:
        recording_service.accept(db=db, recording=recording, answer=answer, settings=settings)
    offline = _live_scorer(db)
    # The request scores the answer itself, so its offline job is leased to it in this transaction
    # (no second write to claim it); without a usable scorer the job waits for the worker.
    run_here = (ScorerName.OFFLINE, f"request-{answer.id}") if offline is not None else None
    jobs = scoring_jobs.enqueue(db=db, answer=answer, settings=settings, run_here=run_here)
    inline = next(job for job in jobs if job.scorer == ScorerName.OFFLINE)
    if settings.review_all_answers and source == "practice":
        review_service.request_review(db=db, answer=answer, reviews_needed=settings.reviews_per_answer)
    try:
        db.commit()  # the answer is safe before scoring starts
    except IntegrityError:
        # The same key arrived twice at once (PostgreSQL; SQLite's write lock queues them): keep the first.
        db.rollback()
        earlier = answer_service.find_submitted(db=db, user=user, submission_key=key) if key else None
        if earlier is None:
            raise
        return earlier
    # The card is written in a transaction of its own (write_db), so a scorer failure cannot undo the answer.
    if offline is not None:
        scoring_jobs.score_now(write_db=write_db, catalog=catalog, settings=settings, job=inline, text=answer.text,
                               question_id=answer.question_id, offline=offline)
    # The card and the new status were written in another transaction: whoever shows them reads
    # them afresh. Not expiring `answer` here keeps its id readable without a new (write) transaction.
    return answer


def _live_scorer(db: Session):
    """The live offline scorer, or None if it cannot be loaded: in a savepoint, so that not even a
    failed query (which would end a PostgreSQL transaction) can cost the answer being stored."""
    try:
        with db.begin_nested():
            return scorer_models.active_scorer(db=db)
    except Exception:
        log.exception("the live scorer could not be loaded; the worker will score this answer")
        return None
