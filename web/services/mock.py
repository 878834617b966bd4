"""Timed mock interviews: one question at a time, a follow-up probe on the weakest dimension, a report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scoring.card import ScoreCard
from scoring.rubric import DIMENSIONS
from scoring.text import tokenize
from web.content import Catalog, Question, Track
from web.db import as_utc, utcnow
from web.models import Answer, MockInterview, MockItem, User
from web.services.scoring_jobs import latest_card

FOLLOW_UP_SECONDS = 180  # an interviewer's probe gets a short answer
GRACE = timedelta(seconds=20)  # the browser submits at zero; allow for the round trip before calling time
# Words that show which dimension a written follow-up probes.
DIMENSION_CUES = {
    "strategy": ("measure", "metric", "success", "prioritize", "prioritise", "priority", "trade-off", "tradeoff", "goal",
                 "business", "why", "alternative", "cost"),
    "risk": ("risk", "wrong", "fail", "rollback", "roll back", "contingency", "mitigate", "mitigation", "depend",
             "dependency", "slip", "worst", "break"),
    "communication": ("tell", "communicate", "communication", "update", "stakeholder", "executive", "explain",
                      "present", "escalate", "escalation", "told", "message"),
    "leadership": ("team", "conflict", "disagree", "you personally", "influence", "convince", "push back", "decide",
                   "decision", "own", "learn"),
}
# The same cues as stem sequences: a follow-up matches a cue word, never a fragment of another word
# ("shut down" is not "own").
_CUE_STEMS = {d: tuple(tuple(t.stem for t in tokenize(cue)) for cue in cues) for d, cues in DIMENSION_CUES.items()}


def cue_count(text: str, dimension: str) -> int:
    """How many of a dimension's cue words or phrases a follow-up question uses (on word stems)."""
    stems = [t.stem for t in tokenize(text)]
    count = 0
    for cue in _CUE_STEMS[dimension]:
        n = len(cue)
        count += sum(1 for i in range(len(stems) - n + 1) if tuple(stems[i : i + n]) == cue)
    return count


# The guides that teach each dimension, for the report.
DIMENSION_GUIDES = {
    "strategy": ("strategy-and-business-goals", "program-sense"),
    "risk": ("risk-management", "program-execution"),
    "communication": ("stakeholder-communication", "behavioral-answers"),
    "leadership": ("leadership", "behavioral-answers"),
}


class MockError(ValueError):
    """A mock interview action that is not possible now."""


def start(*, db: Session, user: User, track: Track) -> MockInterview:
    """Begin a mock interview: the first question's clock starts now."""
    interview = MockInterview(user_id=user.id, track_id=track.id, status="active", position=0)
    db.add(interview)
    db.flush()
    now = utcnow()
    for position, item in enumerate(track.items):
        seconds = max(1, int(round(item.minutes * 60)))
        db.add(
            MockItem(
                interview_id=interview.id,
                position=position,
                question_id=item.question_id,
                seconds=seconds,
                state="answering" if position == 0 else "pending",
                deadline_at=now + timedelta(seconds=seconds) if position == 0 else None,
            )
        )
    db.flush()
    return interview


def get_own(*, db: Session, user: User, interview_id: int) -> MockInterview | None:
    """A user's mock interview with its items, or None (404 for anyone else's)."""
    interview = db.scalar(select(MockInterview).where(MockInterview.id == interview_id).options(selectinload(MockInterview.items)))
    if interview is None or interview.user_id != user.id:
        return None
    return interview


def active_for(*, db: Session, user: User) -> list[MockInterview]:
    """Unfinished mock interviews, newest first, to resume."""
    return list(
        db.scalars(select(MockInterview).where(MockInterview.user_id == user.id, MockInterview.status == "active").order_by(MockInterview.id.desc()))
    )


def current_item(interview: MockInterview) -> MockItem | None:
    """The item the candidate is on, or None when the interview is over."""
    if interview.status != "active":
        return None
    for item in interview.items:
        if item.state in ("answering", "follow_up"):
            return item
    return None


def seconds_left(item: MockItem, now: datetime | None = None) -> int:
    """Seconds before the current step's time runs out (never negative)."""
    now = now or utcnow()
    deadline = as_utc(item.follow_up_deadline_at if item.state == "follow_up" else item.deadline_at)
    return max(0, int((deadline - now).total_seconds())) if deadline else 0


def total_seconds_left(interview: MockInterview, now: datetime | None = None) -> int:
    """Time left in the whole interview: the current step plus every question still to come."""
    item = current_item(interview)
    if item is None:
        return 0
    rest = sum(i.seconds for i in interview.items if i.state == "pending")
    follow = FOLLOW_UP_SECONDS if item.state == "answering" else 0
    return seconds_left(item, now) + rest + follow


def late(item: MockItem, now: datetime | None = None) -> bool:
    """Whether the current step's time ran out (allowing the grace period)."""
    now = now or utcnow()
    deadline = as_utc(item.follow_up_deadline_at if item.state == "follow_up" else item.deadline_at)
    return deadline is not None and now > deadline + GRACE


def choose_follow_up(question: Question, card: ScoreCard) -> tuple[str, str]:
    """The probe for the answer's weakest weighted dimension: a written follow-up that fits it, else one built
    from a key point the answer missed."""
    weighted = [d for d in DIMENSIONS if question.weights.get(d, 0) > 0] or list(DIMENSIONS)
    # Lowest score first; among ties, the dimension the question weighs most.
    weakest = min(weighted, key=lambda d: (card.dimensions[d].score, -question.weights.get(d, 0), DIMENSIONS.index(d)))
    scored = sorted(((cue_count(f, weakest), -i, f) for i, f in enumerate(question.follow_ups)), reverse=True)
    if scored and scored[0][0] > 0:
        return scored[0][2], weakest
    missing = card.dimensions[weakest].missing
    point = next((p for p in question.rubric.points_for(weakest) if p.id in missing), None)
    if point is not None:
        ask = point.description.rstrip(".")
        return f"You did not get to this. Walk me through it: {ask[0].lower()}{ask[1:]}.", weakest
    return (question.follow_ups[0] if question.follow_ups else "What would you do differently next time?"), weakest


def record_answer(*, db: Session, interview: MockInterview, item: MockItem, answer: Answer | None, timed_out: bool) -> None:
    """Attach the main answer to its item (or mark it timed out with nothing written)."""
    item.answer_id = answer.id if answer else None
    item.timed_out = timed_out
    if answer is None:
        _finish_item(db=db, interview=interview, item=item)


def set_follow_up(*, item: MockItem, text: str, dimension: str) -> None:
    """Move the item to its follow-up with a fresh, short clock."""
    item.state = "follow_up"
    item.follow_up = text
    item.follow_up_dimension = dimension
    item.follow_up_deadline_at = utcnow() + timedelta(seconds=FOLLOW_UP_SECONDS)


def record_follow_up(*, db: Session, interview: MockInterview, item: MockItem, answer: Answer | None) -> None:
    """Attach the follow-up answer and move on."""
    item.follow_up_answer_id = answer.id if answer else None
    _finish_item(db=db, interview=interview, item=item)


def _finish_item(*, db: Session, interview: MockInterview, item: MockItem) -> None:
    item.state = "done"
    nxt = next((i for i in interview.items if i.position == item.position + 1), None)
    if nxt is None:
        finish(db=db, interview=interview)
        return
    interview.position = nxt.position
    nxt.state = "answering"
    nxt.deadline_at = utcnow() + timedelta(seconds=nxt.seconds)


def finish(*, db: Session, interview: MockInterview) -> None:
    """End the interview now; unanswered questions are marked skipped."""
    for item in interview.items:
        if item.state in ("pending", "answering") and item.answer_id is None:
            item.state = "skipped"
        elif item.state == "follow_up":
            item.state = "done"
    interview.status = "finished"
    interview.finished_at = utcnow()


@dataclass(frozen=True)
class ReportRow:
    """One question of the report."""

    item: MockItem
    question: Question | None
    answer: Answer | None
    card: ScoreCard | None
    follow_up_answer: Answer | None
    follow_up_card: ScoreCard | None


def _card(db: Session, answer_id: int | None) -> tuple[Answer | None, ScoreCard | None]:
    if answer_id is None:
        return None, None
    return db.get(Answer, answer_id), latest_card(db=db, answer_id=answer_id)


def report(*, db: Session, interview: MockInterview, catalog: Catalog) -> dict:
    """Every question with its answer and scores, per-dimension averages and the weakest dimension's guides."""
    rows = []
    for item in interview.items:
        answer, card = _card(db, item.answer_id)
        fu_answer, fu_card = _card(db, item.follow_up_answer_id)
        rows.append(ReportRow(item, catalog.question(item.question_id), answer, card, fu_answer, fu_card))
    cards = [c for r in rows for c in (r.card, r.follow_up_card) if c is not None]
    averages = {d: sum(c.dimensions[d].score for c in cards) / len(cards) for d in DIMENSIONS} if cards else {}
    weakest = min(averages, key=averages.get) if averages else None
    lessons = []
    if weakest:
        for slug in DIMENSION_GUIDES[weakest]:
            guide = catalog.guide(slug)
            if guide is not None:
                lessons.append((guide, [h for h in guide.toc if h.level == 2][:6]))
    return {"rows": rows, "averages": averages, "weakest": weakest, "lessons": lessons}


def words(text: str) -> list[str]:
    """Whitespace-separated tokens, for the word-level diff."""
    return re.findall(r"\S+", text)
