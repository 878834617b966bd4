"""Durable scoring: jobs in the database, claimed under a lease, never scored twice."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from scoring.generic import generic_rubric
from scoring.rubric import Rubric
from scoring.card import ScoreCard
from scoring.learned import LearnedScorer
from web.content import Catalog
from web.db import utcnow
from web.models import Answer, AnswerStatus, JobStatus, ScoreCardRecord, ScorerName, ScoringJob
from web.services import leases, practice_queue
from web.services.scorers import enabled_scorers, run_scorer
from web.services import scorer_models
from web.settings import Settings

log = logging.getLogger("tpmprep.scoring")

LEASE = timedelta(minutes=2)  # a job whose worker died becomes claimable again after this
MAX_ATTEMPTS = 3  # then the job is marked failed and its error shown; the answer is kept
MAX_ERROR_CHARS = 2_000
SCHEDULED_SOURCES = ("practice", "mock")  # follow-up probes do not reschedule their question


def enqueue(*, db: Session, answer: Answer, settings: Settings, scorers: list[str] | None = None,
            run_here: tuple[str, str] | None = None) -> list[ScoringJob]:
    """Add a job per scorer for an answer (in the caller's transaction).

    `run_here=(scorer, worker_id)` leases that scorer's job to the caller at once: a request that
    scores the answer itself then needs no second write transaction to claim it, and if it dies
    before finishing, the lease runs out and the background worker scores it instead.
    """
    jobs = [ScoringJob(answer_id=answer.id, scorer=name) for name in scorers or enabled_scorers(settings)]
    if run_here is not None:
        scorer, worker_id = run_here
        for job in jobs:
            if job.scorer == scorer:
                leases.lease_to(job, running=JobStatus.RUNNING, worker_id=worker_id, lease=LEASE, now=utcnow())
    db.add_all(jobs)
    db.flush()
    return jobs


def claim(
    *,
    db: Session,
    worker_id: str,
    lease: timedelta = LEASE,
    job_id: int | None = None,
    answer_id: int | None = None,
    scorer: str | None = None,
) -> ScoringJob | None:
    """Take the oldest claimable job (pending, or running with an expired lease) under a new lease."""
    where = tuple(clause for value, clause in ((job_id, ScoringJob.id == job_id), (answer_id, ScoringJob.answer_id == answer_id),
                                               (scorer, ScoringJob.scorer == scorer)) if value is not None)
    job = leases.take(db, ScoringJob, waiting=JobStatus.PENDING, running=JobStatus.RUNNING, worker_id=worker_id, lease=lease,
                      where=where)
    if job is not None:
        job.updated_at = job.lease_expires_at - lease
    return job


def rubric_for(*, catalog: Catalog, question_id: str) -> Rubric:
    """The question's rubric, or the generic one if the question left the catalog."""
    question = catalog.question(question_id)
    if question is not None:
        return question.rubric
    return generic_rubric(question_id.replace("-", " "))


def store_card(*, db: Session, answer: Answer, card: ScoreCard) -> ScoreCardRecord:
    """Save a card unless this scorer version already scored this answer and rubric."""
    existing = db.scalar(
        select(ScoreCardRecord).where(
            ScoreCardRecord.answer_id == answer.id,
            ScoreCardRecord.scorer == card.scorer,
            ScoreCardRecord.scorer_version == card.scorer_version,
            ScoreCardRecord.rubric_hash == card.rubric_hash,
        )
    )
    if existing is not None:
        return existing
    scores = card.scores
    record = ScoreCardRecord(
        answer_id=answer.id,
        scorer=card.scorer,
        scorer_version=card.scorer_version,
        rubric_hash=card.rubric_hash,
        overall=card.overall,
        card=card.to_dict(),
        **scores,
    )
    db.add(record)
    if card.scorer == ScorerName.OFFLINE:
        # A new card is the newest: the dashboard reads these copies instead of searching score_card.
        for dimension, score in scores.items():
            setattr(answer, f"offline_{dimension}", score)
    if answer.status == AnswerStatus.SUBMITTED:
        answer.status = AnswerStatus.SCORED
    if card.scorer == ScorerName.OFFLINE and answer.source in SCHEDULED_SOURCES:
        # The offline score drives spaced repetition: a weak answer brings the question back soon.
        practice_queue.record_result(db=db, user_id=answer.user_id, question_id=answer.question_id, overall=card.overall, at=answer.submitted_at)
    db.flush()
    return record


def finish(*, db: Session, job_id: int, worker_id: str, card: ScoreCard | None, error: str | None, final: bool = False) -> None:
    """Record a job's outcome, if this worker still holds its lease."""
    job = db.get(ScoringJob, job_id, with_for_update=True)
    if job is None or job.lease_owner != worker_id or job.status != JobStatus.RUNNING:
        return  # the lease expired and another worker took over; its result wins
    now = utcnow()
    job.updated_at = now
    job.lease_expires_at = None
    if card is not None:
        store_card(db=db, answer=db.get(Answer, job.answer_id), card=card)
        job.status, job.last_error = JobStatus.DONE, None
    else:
        job.last_error = (error or "unknown error")[:MAX_ERROR_CHARS]
        job.status = JobStatus.FAILED if final or job.attempts >= MAX_ATTEMPTS else JobStatus.PENDING


def process_one(*, write_db, catalog: Catalog, settings: Settings, worker_id: str, lease: timedelta = LEASE, **which) -> bool:
    """Claim one job, score it outside any transaction, record the result; False if none was waiting."""
    with write_db.begin() as db:
        job = claim(db=db, worker_id=worker_id, lease=lease, **which)
        if job is None:
            return False
        job_id, scorer_name = job.id, job.scorer
        answer = db.get(Answer, job.answer_id)
        text, question_id = answer.text, answer.question_id
        offline = scorer_models.active_scorer(db=db)
    run_claimed(write_db=write_db, catalog=catalog, settings=settings, worker_id=worker_id, job_id=job_id,
                scorer=scorer_name, text=text, question_id=question_id, offline=offline)
    return True


def run_claimed(*, write_db, catalog: Catalog, settings: Settings, worker_id: str, job_id: int, scorer: str, text: str,
                question_id: str, offline: LearnedScorer) -> None:
    """Score a job this worker holds the lease on, outside any transaction, and record the outcome."""
    card, error, final = None, None, False
    try:
        card = run_scorer(scorer, text=text, rubric=rubric_for(catalog=catalog, question_id=question_id),
                          settings=settings, offline=offline)
    except Exception as exc:  # any scorer failure is recorded on the job; the answer is untouched
        # The log keeps the endpoint's address (operators need it) but never a password or key in it.
        log.warning("scoring job %s (%s) failed: %s", job_id, scorer, _without_credentials(str(exc), settings))
        final = getattr(exc, "final", False)
        error = public_reason(str(exc) if final else f"{type(exc).__name__}: {exc}", settings)
    with write_db.begin() as db:
        finish(db=db, job_id=job_id, worker_id=worker_id, card=card, error=error, final=final)


_URL_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


_USERINFO_RE = re.compile(r"(://)[^/@\s]+@")


def _without_credentials(error: str, settings: Settings) -> str:
    if settings.llm_api_key:
        error = error.replace(settings.llm_api_key, "[key]")
    return _USERINFO_RE.sub(r"\1[credentials]@", error)


def public_reason(error: str, settings: Settings) -> str:
    """A scorer failure as candidates and API clients may read it: the endpoint's address, any
    credentials in it and the API key never appear (the server log keeps the address)."""
    error = _URL_RE.sub("[the LLM endpoint]", error)
    for secret in (settings.llm_base_url, settings.llm_api_key):
        if secret:
            error = error.replace(secret, "[hidden]")
    return error


def score_now(*, write_db: sessionmaker, catalog: Catalog, settings: Settings, job: ScoringJob, text: str,
              question_id: str, offline: LearnedScorer) -> None:
    """Run a job enqueued with `run_here` in the request (the offline scorer is fast); any failure
    leaves it to the worker."""
    try:
        run_claimed(write_db=write_db, catalog=catalog, settings=settings, worker_id=job.lease_owner, job_id=job.id,
                    scorer=job.scorer, text=text, question_id=question_id, offline=offline)
    except Exception:  # the answer is committed; the background worker retries the job
        log.exception("inline scoring of answer %s failed", job.answer_id)


def jobs_for_answer(*, db: Session, answer_id: int) -> list[ScoringJob]:
    """Every scoring job of an answer, oldest first."""
    return list(db.scalars(select(ScoringJob).where(ScoringJob.answer_id == answer_id).order_by(ScoringJob.id)))


def latest_card(*, db: Session, answer_id: int, scorer: str = ScorerName.OFFLINE) -> ScoreCard | None:
    """The newest card of one scorer for an answer, if any."""
    record = db.scalar(
        select(ScoreCardRecord)
        .where(ScoreCardRecord.answer_id == answer_id, ScoreCardRecord.scorer == scorer)
        .order_by(ScoreCardRecord.id.desc())
        .limit(1)
    )
    return ScoreCard.from_dict(record.card) if record is not None else None


def counts_by_status(*, db: Session) -> dict[str, int]:
    """How many scoring jobs are in each status (for metrics)."""
    return {status: int(n) for status, n in db.execute(select(ScoringJob.status, func.count()).group_by(ScoringJob.status)).all()}
