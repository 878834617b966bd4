"""How well scores agree: automatic scorers against human consensus, reviewers against each other,
labels exported for `tpmprep eval`, and the anchor answers reviewers calibrate on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scoring.agreement import mean_absolute_error, quadratic_weighted_kappa, spearman
from scoring.rubric import DIMENSIONS
from web.content import Catalog
from web.models import AnchorAnswer, Answer, CalibrationAttempt, ReviewRequest, ReviewStatus, ScoreCardRecord, ScorerName, User
from web.services.reviews import consensus, scores_of

PAIRINGS = ("offline vs human", "llm vs human", "human vs human")


@dataclass(frozen=True)
class Figure:
    """One agreement figure for one dimension, with the number of answers behind it."""

    qwk: float | None
    spearman: float | None
    mae: float | None
    n: int


def _figure(a: list[int], b: list[int]) -> Figure:
    if len(a) < 2:
        return Figure(None, None, mean_absolute_error(a, b) if a else None, len(a))
    return Figure(quadratic_weighted_kappa(a, b), spearman(a, b), mean_absolute_error(a, b), len(a))


def _reviewed(db: Session) -> list[ReviewRequest]:
    return list(
        db.scalars(
            select(ReviewRequest)
            .where(ReviewRequest.status == ReviewStatus.REVIEWED)
            .options(selectinload(ReviewRequest.reviews), selectinload(ReviewRequest.answer).selectinload(Answer.score_cards))
            .order_by(ReviewRequest.completed_at)
        )
    )


def _latest_card(answer: Answer, scorer: str) -> ScoreCardRecord | None:
    cards = [c for c in answer.score_cards if c.scorer == scorer]
    return cards[-1] if cards else None


def _pairs(requests: list[ReviewRequest]) -> dict[str, dict[str, tuple[list[int], list[int]]]]:
    """For each pairing and dimension, the two aligned lists of scores."""
    pairs: dict[str, dict[str, tuple[list[int], list[int]]]] = {p: {d: ([], []) for d in DIMENSIONS} for p in PAIRINGS}
    for request in requests:
        agreed = consensus(request)
        if agreed is None:
            continue
        for scorer, pairing in ((ScorerName.OFFLINE, "offline vs human"), (ScorerName.LLM, "llm vs human")):
            card = _latest_card(request.answer, scorer)
            if card is not None:
                for d in DIMENSIONS:
                    pairs[pairing][d][0].append(getattr(card, d))
                    pairs[pairing][d][1].append(agreed[d])
        humans = [r for r in request.reviews if not r.is_adjudication]
        if len(humans) >= 2:
            for d in DIMENSIONS:
                pairs["human vs human"][d][0].append(getattr(humans[0], d))
                pairs["human vs human"][d][1].append(getattr(humans[1], d))
    return pairs


def agreement_table(*, db: Session) -> dict[str, dict[str, Figure]]:
    """Pairing -> dimension -> figure, over every reviewed answer."""
    pairs = _pairs(_reviewed(db))
    return {p: {d: _figure(*pairs[p][d]) for d in DIMENSIONS} for p in PAIRINGS}


def agreement_over_time(*, db: Session) -> list[tuple[str, dict[str, Figure]]]:
    """Offline-vs-human agreement per month of review, cumulative, so the trend is visible."""
    requests = _reviewed(db)
    months = sorted({r.completed_at.strftime("%Y-%m") for r in requests if r.completed_at})
    rows = []
    for month in months:
        upto = [r for r in requests if r.completed_at and r.completed_at.strftime("%Y-%m") <= month]
        pairs = _pairs(upto)["offline vs human"]
        rows.append((month, {d: _figure(*pairs[d]) for d in DIMENSIONS}))
    return rows


@dataclass(frozen=True)
class ReviewerStat:
    """How far one reviewer sits from consensus, on average over dimensions."""

    email: str
    reviews: int
    mean_deviation: float | None


def reviewer_stats(*, db: Session) -> list[ReviewerStat]:
    """Per reviewer: reviews done and mean absolute deviation from the consensus."""
    deviations: dict[int, list[float]] = defaultdict(list)
    counts: dict[int, int] = defaultdict(int)
    for request in _reviewed(db):
        agreed = consensus(request)
        for review in request.reviews:
            if review.is_adjudication or review.reviewer_id is None:
                continue
            counts[review.reviewer_id] += 1
            deviations[review.reviewer_id].append(sum(abs(getattr(review, d) - agreed[d]) for d in DIMENSIONS) / len(DIMENSIONS))
    users = {u.id: u.email for u in db.scalars(select(User).where(User.id.in_(list(counts))))} if counts else {}
    stats = [
        ReviewerStat(users.get(uid, "(deleted)"), counts[uid], sum(devs) / len(devs) if devs else None)
        for uid, devs in deviations.items()
    ]
    return sorted(stats, key=lambda s: (-s.reviews, s.email))


def export_labels(*, db: Session, catalog: Catalog) -> list[dict]:
    """Reviewed answers in the graded-answer format (`ratings`: one object per reviewer; `scores`: consensus)."""
    records = []
    for request in _reviewed(db):
        answer = request.answer
        question = catalog.question(answer.question_id)
        humans = [r for r in request.reviews if not r.is_adjudication]
        records.append(
            {
                "id": f"answer-{answer.id}",
                "question_id": answer.question_id,
                "category": question.category if question else None,
                "question": question.prompt_text if question else answer.question_id,
                "answer": answer.text,
                "ratings": [scores_of(r) for r in humans],
                "scores": consensus(request),
            }
        )
    return records


# ------------------------------------------------------------------ anchors and calibration


def make_anchor(*, db: Session, admin: User, request: ReviewRequest) -> AnchorAnswer:
    """Turn a reviewed answer into an anchor whose reference scores are its consensus."""
    agreed = consensus(request)
    if agreed is None:
        raise ValueError("only reviewed answers can become anchors")
    answer = request.answer
    anchor = AnchorAnswer(question_id=answer.question_id, text=answer.text, source_answer_id=answer.id, created_by_id=admin.id, **agreed)
    db.add(anchor)
    db.flush()
    return anchor


def add_anchor(*, db: Session, admin: User, question_id: str, text: str, scores: dict[str, int]) -> AnchorAnswer:
    """An anchor from text an admin supplies (for example a catalog example answer) with reference scores."""
    anchor = AnchorAnswer(question_id=question_id, text=text, created_by_id=admin.id, **scores)
    db.add(anchor)
    db.flush()
    return anchor


def anchor_candidates(*, db: Session, limit: int = 20) -> list[tuple[ReviewRequest, dict[str, int]]]:
    """Reviewed answers not yet used as anchors, newest first, each with its consensus (what an
    admin can turn into a calibration anchor with one button)."""
    used = select(AnchorAnswer.source_answer_id).where(AnchorAnswer.source_answer_id.is_not(None))
    rows = db.scalars(
        select(ReviewRequest)
        .where(ReviewRequest.status == ReviewStatus.REVIEWED, ReviewRequest.answer_id.not_in(used))
        .options(selectinload(ReviewRequest.reviews), selectinload(ReviewRequest.answer))
        .order_by(ReviewRequest.completed_at.desc(), ReviewRequest.id.desc())
        .limit(limit)
    )
    return [(r, agreed) for r in rows if (agreed := consensus(r)) is not None]


def get_anchor(*, db: Session, anchor_id: int) -> AnchorAnswer | None:
    """An anchor answer by id, if it exists."""
    return db.get(AnchorAnswer, anchor_id)


def anchors(*, db: Session) -> list[AnchorAnswer]:
    """Every anchor answer, oldest first."""
    return list(db.scalars(select(AnchorAnswer).order_by(AnchorAnswer.id)))


def record_attempt(*, db: Session, reviewer: User, anchor: AnchorAnswer, scores: dict[str, int]) -> dict[str, int]:
    """Store a calibration attempt; returns the signed difference from the reference per dimension."""
    db.add(CalibrationAttempt(anchor_id=anchor.id, reviewer_id=reviewer.id, **scores))
    db.flush()
    return {d: scores[d] - getattr(anchor, d) for d in DIMENSIONS}


def attempts(*, db: Session, reviewer: User) -> dict[int, CalibrationAttempt]:
    """The reviewer's latest attempt per anchor."""
    latest: dict[int, CalibrationAttempt] = {}
    for attempt in db.scalars(select(CalibrationAttempt).where(CalibrationAttempt.reviewer_id == reviewer.id).order_by(CalibrationAttempt.id)):
        latest[attempt.anchor_id] = attempt
    return latest
