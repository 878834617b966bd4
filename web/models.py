"""Database tables as typed SQLAlchemy models."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint, event, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scoring.rubric import DIMENSIONS
from web.db import Base, SafeString, SafeText, utcnow



# One spelling per state. StrEnum members are the strings stored in the database, so they compare
# equal to them in queries, templates and tests.
class Role(StrEnum):
    """What a user may do: practise, review others' answers, or run the site."""

    CANDIDATE = "candidate"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class AnswerStatus(StrEnum):
    """How far an answer has got: stored, scored automatically, scored by people."""

    SUBMITTED = "submitted"
    SCORED = "scored"
    REVIEWED = "reviewed"


class JobStatus(StrEnum):
    """A scoring job's place in the queue."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RecordingStatus(StrEnum):
    """A spoken answer's transcription: waiting for a worker, being transcribed, ready to check, or failed."""

    WAITING = "waiting"
    TRANSCRIBING = "transcribing"
    TRANSCRIBED = "transcribed"
    FAILED = "failed"
    ACCEPTED = "accepted"  # the candidate checked the transcript and submitted it as an answer


class ReviewStatus(StrEnum):
    """A review request: waiting for a reviewer, claimed, reviewers disagree, or done."""

    WAITING = "waiting"
    IN_REVIEW = "in_review"
    FLAGGED = "flagged"
    REVIEWED = "reviewed"


class InterviewStatus(StrEnum):
    """A mock interview under way or over."""

    ACTIVE = "active"
    FINISHED = "finished"


class StepState(StrEnum):
    """One question of a mock interview: not reached, being answered, its follow-up, done or skipped."""

    PENDING = "pending"
    ANSWERING = "answering"
    FOLLOW_UP = "follow_up"
    DONE = "done"
    SKIPPED = "skipped"


class ScorerName(StrEnum):
    """Which scorer wrote a card: the offline learned scorer or the optional LLM judge."""

    OFFLINE = "offline"
    LLM = "llm"


ROLES = tuple(Role)
REVIEWER_ROLES = (Role.REVIEWER, Role.ADMIN)
OFFLINE_SCORE_COLUMNS = tuple(f"offline_{d}" for d in DIMENSIONS)


def _ts(**kw: Any) -> Any:
    return mapped_column(DateTime(timezone=True), **kw)


class User(Base):
    """A person with an account: candidate, reviewer or admin."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(SafeString(320), unique=True)
    password_hash: Mapped[str] = mapped_column(SafeString(255))
    role: Mapped[str] = mapped_column(SafeString(20), default=Role.CANDIDATE)
    created_at: Mapped[datetime] = _ts(default=utcnow)
    password_changed_at: Mapped[datetime] = _ts(default=utcnow)
    # Set when the owner of the email proved it (or at once when the site sends no email); an
    # account that has not been confirmed cannot log in.
    email_confirmed_at: Mapped[datetime | None] = _ts(nullable=True)
    # Changes whenever one of the user's answers is stored, scored, changed or deleted (see
    # _answers_changed below): read with the login on every request, it tells whether a kept
    # rendering of a page showing marks from those answers is still right.
    answers_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    answers: Mapped[list["Answer"]] = relationship(back_populates="user", passive_deletes=True)


class UserSession(Base):
    """A server-side login session; the cookie holds a random id whose hash is stored here."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(SafeString(64), primary_key=True)  # sha256 of the cookie value
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(SafeString(64))
    created_at: Mapped[datetime] = _ts(default=utcnow)
    last_seen_at: Mapped[datetime] = _ts(default=utcnow)
    expires_at: Mapped[datetime] = _ts()

    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    """A failed login, counted per IP and per account to limit guessing across workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(SafeString(400))  # "ip:<addr>" or "email:<address>"
    at: Mapped[datetime] = _ts(default=utcnow)


class ApiToken(Base):
    """A personal API token; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(SafeString(100))
    token_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)
    last_used_at: Mapped[datetime | None] = _ts(nullable=True)
    expires_at: Mapped[datetime | None] = _ts(nullable=True)  # None: until revoked or the password changes

    user: Mapped[User] = relationship()


class PasswordReset(Base):
    """A one-time link to choose a new password; only its hash is stored, and it expires."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)
    expires_at: Mapped[datetime] = _ts()
    used_at: Mapped[datetime | None] = _ts(nullable=True)


class Recording(Base):
    """A spoken answer: its audio (until the transcript is accepted, unless the site keeps audio), the
    transcript with word timings, and the delivery figures measured from them."""

    __tablename__ = "recording"
    __table_args__ = (Index("ix_recording_status_lease", "status", "lease_expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(SafeString(120))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), nullable=True, index=True)
    mime: Mapped[str] = mapped_column(SafeString(60))
    audio: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[float] = mapped_column(Float)
    time_box_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(SafeString(20), default=RecordingStatus.WAITING)
    transcript: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    words: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)  # [{word, start, end}]
    delivery: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    engine: Mapped[str | None] = mapped_column(SafeString(80), nullable=True)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)  # the candidate corrected the transcript
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(SafeString(100), nullable=True)
    lease_expires_at: Mapped[datetime | None] = _ts(nullable=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)


class EmailConfirmation(Base):
    """A one-time link that proves a new account's email address; only its hash is stored, and it expires."""

    __tablename__ = "email_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    expires_at: Mapped[datetime] = _ts()


class Answer(Base):
    """One submitted practice answer, kept whatever happens to its scoring."""

    __tablename__ = "answer"
    __table_args__ = (
        # Covers the history list and the progress dashboard: a user's answers by time with their
        # newest offline scores, read from the index alone (no answer text, no score_card rows).
        Index("ix_answer_user_scores", "user_id", "submitted_at", "id", *OFFLINE_SCORE_COLUMNS),
        Index("ix_answer_user_question", "user_id", "question_id"),
        # A retried submit (same key from the same person) is the same answer, never a second one.
        UniqueConstraint("user_id", "submission_key", name="uq_answer_user_submission_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(SafeString(120), index=True)
    content_version: Mapped[str] = mapped_column(SafeString(64))  # hash of the question file answered
    text: Mapped[str] = mapped_column(SafeText)
    started_at: Mapped[datetime | None] = _ts(nullable=True)
    submitted_at: Mapped[datetime] = _ts(default=utcnow)
    time_taken_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    word_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(SafeString(20), default=AnswerStatus.SUBMITTED)
    source: Mapped[str] = mapped_column(SafeString(20), default="practice", server_default="practice")  # practice, mock, follow-up
    submission_key: Mapped[str | None] = mapped_column(SafeString(80), nullable=True)  # the form's one-time key or Idempotency-Key
    # The newest offline card's scores, copied here by scoring_jobs.store_card (NULL until scored);
    # score_card keeps every card, these only spare the dashboard a search for the newest one.
    offline_strategy: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offline_risk: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offline_communication: Mapped[int | None] = mapped_column(Integer, nullable=True)
    offline_leadership: Mapped[int | None] = mapped_column(Integer, nullable=True)

    user: Mapped[User] = relationship(back_populates="answers")
    score_cards: Mapped[list["ScoreCardRecord"]] = relationship(
        back_populates="answer", passive_deletes=True, order_by="ScoreCardRecord.id"
    )


@event.listens_for(Answer, "after_insert")
@event.listens_for(Answer, "after_update")
@event.listens_for(Answer, "after_delete")
def _answers_changed(_mapper, connection, answer: Answer) -> None:
    # In the flush that writes the answer, so no path that stores or scores one (a request, the
    # worker process, the CLI) can forget it. Over-counting only costs a re-render.
    connection.execute(
        update(User.__table__).where(User.__table__.c.id == answer.user_id)
        .values(answers_version=User.__table__.c.answers_version + 1)
    )


class ScoreCardRecord(Base):
    """A score card produced by one scorer version for one answer; earlier cards are kept."""

    __tablename__ = "score_card"
    __table_args__ = (
        UniqueConstraint("answer_id", "scorer", "scorer_version", "rubric_hash", name="uq_score_card_run"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    scorer: Mapped[str] = mapped_column(SafeString(40))
    scorer_version: Mapped[str] = mapped_column(SafeString(40))
    rubric_hash: Mapped[str] = mapped_column(SafeString(64))
    # The four integers are columns too so dashboards aggregate in SQL.
    strategy: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    communication: Mapped[int] = mapped_column(Integer)
    leadership: Mapped[int] = mapped_column(Integer)
    overall: Mapped[float] = mapped_column(Float)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _ts(default=utcnow)

    answer: Mapped[Answer] = relationship(back_populates="score_cards")


class ScoringJob(Base):
    """A durable request to score an answer with one scorer, claimed by workers under a lease."""

    __tablename__ = "scoring_job"
    __table_args__ = (Index("ix_scoring_job_status_lease", "status", "lease_expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    scorer: Mapped[str] = mapped_column(SafeString(40))
    status: Mapped[str] = mapped_column(SafeString(20), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(SafeString(100), nullable=True)
    lease_expires_at: Mapped[datetime | None] = _ts(nullable=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)
    updated_at: Mapped[datetime] = _ts(default=utcnow)




class ReviewRequest(Base):
    """A candidate's (or the site's) request for human review of one answer."""

    __tablename__ = "review_request"
    __table_args__ = (Index("ix_review_request_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(SafeString(20), default=ReviewStatus.WAITING)
    reviews_needed: Mapped[int] = mapped_column(Integer, default=1)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    claim_expires_at: Mapped[datetime | None] = _ts(nullable=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)
    completed_at: Mapped[datetime | None] = _ts(nullable=True)

    answer: Mapped[Answer] = relationship()
    reviews: Mapped[list["Review"]] = relationship(back_populates="request", order_by="Review.id", passive_deletes=True)


class Review(Base):
    """One reviewer's scores and comments for an answer (or an admin's adjudication)."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("request_id", "reviewer_id", "is_adjudication", name="uq_review_one_per_reviewer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("review_request.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True, index=True)
    is_adjudication: Mapped[bool] = mapped_column(default=False)
    strategy: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    communication: Mapped[int] = mapped_column(Integer)
    leadership: Mapped[int] = mapped_column(Integer)
    comments: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # dimension -> comment
    overall_comment: Mapped[str] = mapped_column(SafeText, default="")
    passages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{start, end, text, note}]
    created_at: Mapped[datetime] = _ts(default=utcnow)
    updated_at: Mapped[datetime] = _ts(default=utcnow)
    seen_by_candidate_at: Mapped[datetime | None] = _ts(nullable=True)

    request: Mapped[ReviewRequest] = relationship(back_populates="reviews")
    reviewer: Mapped[User | None] = relationship()


class ReviewRevision(Base):
    """The audit trail of a review: who changed it, when, and the values before and after."""

    __tablename__ = "review_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    at: Mapped[datetime] = _ts(default=utcnow)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)


class Notification(Base):
    """Something a user should look at, such as a review of their answer."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(SafeString(40))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), nullable=True)
    message: Mapped[str] = mapped_column(SafeString(300))
    created_at: Mapped[datetime] = _ts(default=utcnow)
    read_at: Mapped[datetime | None] = _ts(nullable=True)


class AnchorAnswer(Base):
    """An answer with reference scores that reviewers calibrate against."""

    __tablename__ = "anchor_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(SafeString(120))
    text: Mapped[str] = mapped_column(SafeText)
    source_answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="SET NULL"), nullable=True)
    strategy: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    communication: Mapped[int] = mapped_column(Integer)
    leadership: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)


class CalibrationAttempt(Base):
    """A reviewer's practice scores for an anchor answer."""

    __tablename__ = "calibration_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    anchor_id: Mapped[int] = mapped_column(ForeignKey("anchor_answer.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    strategy: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    communication: Mapped[int] = mapped_column(Integer)
    leadership: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = _ts(default=utcnow)


class MockInterview(Base):
    """A timed mock interview on one track; its state lives here so leaving and coming back resumes it."""

    __tablename__ = "mock_interview"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    track_id: Mapped[str] = mapped_column(SafeString(120))
    status: Mapped[str] = mapped_column(SafeString(20), default=InterviewStatus.ACTIVE)
    position: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = _ts(default=utcnow)
    finished_at: Mapped[datetime | None] = _ts(nullable=True)
    voice: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # answered out loud, with delivery in the report

    items: Mapped[list["MockItem"]] = relationship(back_populates="interview", order_by="MockItem.position", passive_deletes=True)


class MockItem(Base):
    """One question of a mock interview, its answer, and the interviewer's follow-up probe."""

    __tablename__ = "mock_item"
    __table_args__ = (UniqueConstraint("interview_id", "position", name="uq_mock_item_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("mock_interview.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(SafeString(120))
    seconds: Mapped[int] = mapped_column(Integer)
    # pending -> answering -> follow_up -> done (or skipped when the interview ends first)
    state: Mapped[str] = mapped_column(SafeString(20), default=StepState.PENDING)
    deadline_at: Mapped[datetime | None] = _ts(nullable=True)
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="SET NULL"), nullable=True)
    timed_out: Mapped[bool] = mapped_column(default=False)
    follow_up: Mapped[str | None] = mapped_column(SafeText, nullable=True)
    follow_up_dimension: Mapped[str | None] = mapped_column(SafeString(20), nullable=True)
    # The key point the follow-up asked for (its probe); the reply is judged on that point alone.
    follow_up_point: Mapped[str | None] = mapped_column(SafeString(80), nullable=True)
    follow_up_deadline_at: Mapped[datetime | None] = _ts(nullable=True)
    follow_up_answer_id: Mapped[int | None] = mapped_column(ForeignKey("answer.id", ondelete="SET NULL"), nullable=True)

    interview: Mapped[MockInterview] = relationship(back_populates="items")


class PracticeCard(Base):
    """Spaced-repetition state of one question for one user (an FSRS card)."""

    __tablename__ = "practice_card"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", name="uq_practice_card_user_question"),
        Index("ix_practice_card_user_due", "user_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(SafeString(120))
    due_at: Mapped[datetime] = _ts()
    last_rating: Mapped[int] = mapped_column(Integer)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = _ts(default=utcnow)


class Bookmark(Base):
    """A question a user saved for later."""

    __tablename__ = "bookmark"
    __table_args__ = (UniqueConstraint("user_id", "question_id", name="uq_bookmark_user_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(SafeString(120))
    created_at: Mapped[datetime] = _ts(default=utcnow)


class Note(Base):
    """A user's private note on a question."""

    __tablename__ = "note"
    __table_args__ = (UniqueConstraint("user_id", "question_id", name="uq_note_user_question"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(SafeString(120))
    text: Mapped[str] = mapped_column(SafeText)
    updated_at: Mapped[datetime] = _ts(default=utcnow)


class ScorerModel(Base):
    """A learned offline scorer fit from reviewed answers; at most one is active (none: the bundled model)."""

    __tablename__ = "scorer_model"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(SafeString(80), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)  # the .npz bytes of scoring.learned.LearnedModel
    examples: Mapped[int] = mapped_column(Integer)
    questions: Mapped[int] = mapped_column(Integer)
    # Agreement with reviewers: this model held out by question, and the model live when it was fit.
    agreement: Mapped[dict] = mapped_column(JSON)
    baseline_version: Mapped[str] = mapped_column(SafeString(80))
    baseline_agreement: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_at: Mapped[datetime | None] = _ts(nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = _ts(default=utcnow)


class ScorerActivation(Base):
    """Which model went live when (version 'bundled' for the packaged one): the trail rollback follows."""

    __tablename__ = "scorer_activation"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(SafeString(80))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), nullable=True)
    at: Mapped[datetime] = _ts(default=utcnow)
    reason: Mapped[str] = mapped_column(SafeString(200))
