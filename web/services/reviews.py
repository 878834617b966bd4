"""Human review: requests, the queue with claims, blind reviews with an audit trail, adjudication."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from scoring.card import round_half_up
from scoring.rubric import DIMENSIONS
from scoring.text import analyse
from web.db import as_utc, utcnow
from web.models import Answer, AnswerStatus, Notification, Review, ReviewRequest, ReviewRevision, ReviewStatus, User

DISAGREEMENT = 2  # two reviewers this far apart on a dimension need an admin to decide
MAX_COMMENT_CHARS = 4_000
MAX_PASSAGES = 20


class ReviewError(ValueError):
    """Why a review action is not possible, in words for the user."""


@dataclass(frozen=True)
class QueueItem:
    """One answer waiting in the review queue."""

    request: ReviewRequest
    answer: Answer
    waited: timedelta
    claimed_by_me: bool


def scores_of(row) -> dict[str, int]:
    """The four integer scores of a review, card record or anchor."""
    return {d: int(getattr(row, d)) for d in DIMENSIONS}


# ------------------------------------------------------------------ requests


def request_review(*, db: Session, answer: Answer, reviews_needed: int) -> ReviewRequest:
    """Put an answer in the review queue (once; asking again returns the existing request)."""
    existing = db.scalar(select(ReviewRequest).where(ReviewRequest.answer_id == answer.id))
    if existing is not None:
        return existing
    request = ReviewRequest(answer_id=answer.id, reviews_needed=reviews_needed, status=ReviewStatus.WAITING)
    db.add(request)
    db.flush()
    return request


def get_request(*, db: Session, request_id: int) -> ReviewRequest | None:
    """A review request by id, if it exists."""
    return db.get(ReviewRequest, request_id)


def get_review(*, db: Session, review_id: int) -> Review | None:
    """A review by id, if it exists (callers check who may see it)."""
    return db.get(Review, review_id)


def request_for_answer(*, db: Session, answer_id: int) -> ReviewRequest | None:
    """An answer's review request with its reviews, if one exists."""
    return db.scalar(
        select(ReviewRequest).where(ReviewRequest.answer_id == answer_id).options(selectinload(ReviewRequest.reviews))
    )


def candidate_status(request: ReviewRequest | None) -> str | None:
    """What the candidate sees: waiting, in review or reviewed."""
    if request is None:
        return None
    if request.status == ReviewStatus.REVIEWED:
        return "reviewed"
    return "in review" if request.reviews or request.status in (ReviewStatus.IN_REVIEW, ReviewStatus.FLAGGED) else "waiting"


# ------------------------------------------------------------------ the queue


def queue(
    *, db: Session, reviewer: User, question_ids: list[str] | None = None, limit: int = 100
) -> list[QueueItem]:
    """Answers a reviewer may take, oldest first: never their own, never one they reviewed already."""
    now = utcnow()
    already = select(Review.request_id).where(Review.reviewer_id == reviewer.id)
    stmt = (
        select(ReviewRequest, Answer)
        .join(Answer, Answer.id == ReviewRequest.answer_id)
        .where(
            ReviewRequest.status.in_((ReviewStatus.WAITING, ReviewStatus.IN_REVIEW)),
            Answer.user_id != reviewer.id,
            ReviewRequest.id.not_in(already),
            or_(
                ReviewRequest.claimed_by_id.is_(None),
                ReviewRequest.claimed_by_id == reviewer.id,
                ReviewRequest.claim_expires_at < now,
            ),
        )
        .order_by(ReviewRequest.created_at, ReviewRequest.id)
        .limit(limit)
    )
    if question_ids is not None:
        stmt = stmt.where(Answer.question_id.in_(question_ids))
    return [
        QueueItem(request=r, answer=a, waited=now - as_utc(r.created_at), claimed_by_me=r.claimed_by_id == reviewer.id)
        for r, a in db.execute(stmt).all()
    ]


def claim(*, db: Session, reviewer: User, request_id: int, claim_minutes: int) -> ReviewRequest:
    """Take an answer for review under a time-limited claim, atomically (two reviewers never collide)."""
    request = db.get(ReviewRequest, request_id)
    if request is None:
        raise LookupError(request_id)
    answer = db.get(Answer, request.answer_id)
    if answer.user_id == reviewer.id:
        raise ReviewError("You cannot review your own answer.")
    if db.scalar(select(Review.id).where(Review.request_id == request.id, Review.reviewer_id == reviewer.id)):
        raise ReviewError("You have already reviewed this answer.")
    now = utcnow()
    result = db.execute(
        update(ReviewRequest)
        .where(
            ReviewRequest.id == request.id,
            ReviewRequest.status.in_((ReviewStatus.WAITING, ReviewStatus.IN_REVIEW)),
            or_(
                ReviewRequest.claimed_by_id.is_(None),
                ReviewRequest.claimed_by_id == reviewer.id,
                ReviewRequest.claim_expires_at < now,
            ),
        )
        .values(claimed_by_id=reviewer.id, claim_expires_at=now + timedelta(minutes=claim_minutes), status=ReviewStatus.IN_REVIEW)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ReviewError("Another reviewer has just taken this answer. Pick another one from the queue.")
    db.refresh(request)
    return request


def held_claim(*, db: Session, reviewer: User, request_id: int) -> ReviewRequest:
    """The request if this reviewer holds a live claim on it; otherwise a ReviewError saying why."""
    request = db.get(ReviewRequest, request_id)
    if request is None:
        raise LookupError(request_id)
    if request.claimed_by_id != reviewer.id:
        raise ReviewError("Claim this answer from the queue before reviewing it.")
    if as_utc(request.claim_expires_at) < utcnow():
        raise ReviewError("Your claim on this answer expired. Claim it again from the queue.")
    return request


# ------------------------------------------------------------------ reviews


def parse_scores(raw: dict[str, str]) -> dict[str, int]:
    """Four 1-5 integers from form fields, or a ReviewError naming what is missing."""
    scores: dict[str, int] = {}
    missing = []
    for d in DIMENSIONS:
        value = str(raw.get(d, "")).strip()
        if value not in {"1", "2", "3", "4", "5"}:
            missing.append(d)
        else:
            scores[d] = int(value)
    if missing:
        raise ReviewError(f"Choose a score from 1 to 5 for {', '.join(missing)}.")
    return scores


def answer_sentences(answer_text: str) -> list[str]:
    """The answer's sentences as a reviewer picks them (the scorer's own sentence split)."""
    doc = analyse(answer_text)
    return [answer_text[span.start:span.end] for span in doc.sentences]


def chosen_sentences(fields: Mapping[str, str]) -> list[int]:
    """The sentence numbers a review form ticked (fields named sentence_<n>)."""
    return sorted(int(k.removeprefix("sentence_")) for k in fields if k.startswith("sentence_") and k[9:].isdigit())


def passages_from(answer_text: str, chosen: Iterable[int]) -> list[dict]:
    """Marked passages from ticked sentences: each with its place in the answer, so it can be highlighted."""
    spans = analyse(answer_text).sentences
    picked = sorted({i for i in chosen if 0 <= i < len(spans)})
    if len(picked) > MAX_PASSAGES:
        raise ReviewError(f"Mark at most {MAX_PASSAGES} sentences: the ones that decided your scores.")
    return [{"start": spans[i].start, "end": spans[i].end, "text": answer_text[spans[i].start:spans[i].end]} for i in picked]


def sentences_of_passages(answer_text: str, passages: Iterable[dict]) -> list[int]:
    """Which sentences a review's saved passages are (for editing it)."""
    starts = [span.start for span in analyse(answer_text).sentences]
    return [starts.index(p["start"]) for p in passages if p.get("start") in starts]


def _snapshot(review: Review) -> dict:
    return {
        **scores_of(review),
        "comments": dict(review.comments or {}),
        "overall_comment": review.overall_comment,
        "passages": list(review.passages or []),
    }


def submit_review(
    *,
    db: Session,
    reviewer: User,
    request: ReviewRequest,
    scores: dict[str, int],
    comments: dict[str, str],
    overall_comment: str,
    passages: list[dict],
) -> Review:
    """Record a reviewer's scores under their claim, release the claim and move the request on."""
    answer = db.get(Answer, request.answer_id)
    if answer.user_id == reviewer.id:
        raise ReviewError("You cannot review your own answer.")
    review = Review(
        request_id=request.id,
        answer_id=answer.id,
        reviewer_id=reviewer.id,
        comments={d: (comments.get(d) or "")[:MAX_COMMENT_CHARS] for d in DIMENSIONS},
        overall_comment=overall_comment[:MAX_COMMENT_CHARS],
        passages=passages,
        **scores,
    )
    db.add(review)
    db.flush()
    db.add(ReviewRevision(review_id=review.id, editor_id=reviewer.id, before=None, after=_snapshot(review)))
    request.claimed_by_id = None
    request.claim_expires_at = None
    db.flush()
    _advance(db=db, request=request)
    return review


def _human_reviews(request: ReviewRequest) -> list[Review]:
    return [r for r in request.reviews if not r.is_adjudication]


def disagreements(reviews: list[Review]) -> list[str]:
    """Dimensions on which any two reviews differ by DISAGREEMENT or more."""
    out = []
    for d in DIMENSIONS:
        values = [getattr(r, d) for r in reviews]
        if values and max(values) - min(values) >= DISAGREEMENT:
            out.append(d)
    return out


def _advance(*, db: Session, request: ReviewRequest) -> None:
    """Set a request's status from its reviews: more needed, flagged for adjudication, or reviewed."""
    db.refresh(request, attribute_names=["reviews"])
    humans = _human_reviews(request)
    if any(r.is_adjudication for r in request.reviews):
        new_status = ReviewStatus.REVIEWED
    elif len(humans) < request.reviews_needed:
        new_status = ReviewStatus.IN_REVIEW if request.claimed_by_id else ReviewStatus.WAITING
    elif disagreements(humans):
        new_status = ReviewStatus.FLAGGED
    else:
        new_status = ReviewStatus.REVIEWED
    if new_status == ReviewStatus.REVIEWED and request.status != ReviewStatus.REVIEWED:
        request.completed_at = utcnow()
        answer = db.get(Answer, request.answer_id)
        answer.status = AnswerStatus.REVIEWED
        db.add(Notification(user_id=answer.user_id, kind="review", answer_id=answer.id, message="A reviewer scored your answer."))
    request.status = new_status


def can_edit(review: Review, user: User) -> bool:
    """Only the author may edit, and only until the candidate has seen the review."""
    return review.reviewer_id == user.id and review.seen_by_candidate_at is None and not review.is_adjudication


def edit_review(
    *, db: Session, editor: User, review: Review, scores: dict[str, int], comments: dict[str, str], overall_comment: str, passages: list[dict]
) -> Review:
    """Change a review, keeping the previous version in the audit trail."""
    if review.reviewer_id != editor.id:
        raise PermissionError("not the author")
    if review.seen_by_candidate_at is not None:
        raise ReviewError("The candidate has already read this review, so it can no longer be changed.")
    before = _snapshot(review)
    for d, v in scores.items():
        setattr(review, d, v)
    review.comments = {d: (comments.get(d) or "")[:MAX_COMMENT_CHARS] for d in DIMENSIONS}
    review.overall_comment = overall_comment[:MAX_COMMENT_CHARS]
    review.passages = passages
    review.updated_at = utcnow()
    after = _snapshot(review)
    if after != before:
        db.add(ReviewRevision(review_id=review.id, editor_id=editor.id, before=before, after=after))
    db.flush()
    request = db.get(ReviewRequest, review.request_id)
    if request.status in (ReviewStatus.FLAGGED, ReviewStatus.REVIEWED) and not any(r.is_adjudication for r in request.reviews):
        _advance(db=db, request=request)
    return review


def revisions(*, db: Session, review_id: int) -> list[ReviewRevision]:
    """A review's audit trail, oldest first."""
    return list(db.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review_id).order_by(ReviewRevision.id)))


def adjudicate(*, db: Session, admin: User, request: ReviewRequest, scores: dict[str, int], comment: str) -> Review:
    """An admin's final scores for a flagged answer; they become the consensus."""
    if request.status != ReviewStatus.FLAGGED:
        raise ReviewError("Only answers flagged for disagreement need adjudication.")
    review = Review(
        request_id=request.id,
        answer_id=request.answer_id,
        reviewer_id=admin.id,
        is_adjudication=True,
        comments={d: "" for d in DIMENSIONS},
        overall_comment=comment[:MAX_COMMENT_CHARS],
        passages=[],
        **scores,
    )
    db.add(review)
    db.flush()
    db.add(ReviewRevision(review_id=review.id, editor_id=admin.id, before=None, after=_snapshot(review)))
    _advance(db=db, request=request)
    return review


def consensus(request: ReviewRequest) -> dict[str, int] | None:
    """The agreed scores: the adjudication if any, else the rounded mean of the reviews once complete."""
    if request.status != ReviewStatus.REVIEWED:
        return None
    adjudicated = [r for r in request.reviews if r.is_adjudication]
    if adjudicated:
        return scores_of(adjudicated[-1])
    humans = _human_reviews(request)
    return {d: round_half_up(sum(getattr(r, d) for r in humans) / len(humans)) for d in DIMENSIONS}


def flagged(*, db: Session) -> list[ReviewRequest]:
    """Requests waiting for an admin to adjudicate, oldest first."""
    return list(
        db.scalars(
            select(ReviewRequest)
            .where(ReviewRequest.status == ReviewStatus.FLAGGED)
            .options(selectinload(ReviewRequest.reviews))
            .order_by(ReviewRequest.created_at)
        )
    )


# ------------------------------------------------------------------ the candidate's side


def mark_seen(*, db: Session, user: User, request: ReviewRequest | None) -> None:
    """The candidate opened a reviewed answer: lock its reviews and read its notifications."""
    if request is None or request.status != ReviewStatus.REVIEWED:
        return
    now = utcnow()
    for review in request.reviews:
        if review.seen_by_candidate_at is None:
            review.seen_by_candidate_at = now
    db.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.answer_id == request.answer_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )


def unread_count(*, db: Session, user_id: int) -> int:
    """How many notifications a user has not read."""
    return db.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def notifications(*, db: Session, user: User, limit: int = 50) -> list[tuple[Notification, str | None]]:
    """A user's notifications, newest first, each with the id of the question its answer was to."""
    rows = db.execute(
        select(Notification, Answer.question_id)
        .outerjoin(Answer, Answer.id == Notification.answer_id)
        .where(Notification.user_id == user.id)
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    return [(n, question_id) for n, question_id in rows]
