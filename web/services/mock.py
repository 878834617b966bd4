"""Timed mock interviews: one question at a time, a follow-up probe on the weakest dimension, a report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from scoring.card import ScoreCard
from scoring.rubric import DIMENSIONS, KeyPoint
from scoring.signals import dimension_cue_counts
from scoring.text import analyse
from web.content import Catalog, Question, Track
from web.db import as_utc, utcnow
from web.models import Answer, InterviewStatus, MockInterview, MockItem, ScorerName, StepState, User
from web.services import answers as answer_service
from web.services import recordings as recording_service
from web.services.scorers import run_scorer
from web.services.scoring_jobs import latest_card
from web.services.submission import submit_and_score
from web.settings import Settings

FOLLOW_UP_SECONDS = 180  # an interviewer's probe gets a short answer
GRACE = timedelta(seconds=20)  # the browser submits at zero; allow for the round trip before calling time


def cue_count(text: str, dimension: str) -> int:
    """How many of a dimension's cue words or phrases a follow-up question uses (the scorer's own
    lexicon, matched on word stems: "shut down" is not "own")."""
    return dimension_cue_counts(analyse(text))[dimension]


# The guides that teach each dimension, for the report.
DIMENSION_GUIDES = {
    "strategy": ("strategy-and-business-goals", "program-sense"),
    "risk": ("risk-management", "program-execution"),
    "communication": ("stakeholder-communication", "behavioral-answers"),
    "leadership": ("leadership", "behavioral-answers"),
}


class MockError(ValueError):
    """A mock interview action that is not possible now."""


def start(*, db: Session, user: User, track: Track, voice: bool = False) -> MockInterview:
    """Begin a mock interview (in voice mode, answered out loud): the first question's clock starts now."""
    interview = MockInterview(user_id=user.id, track_id=track.id, status=InterviewStatus.ACTIVE, position=0, voice=voice)
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
                state=StepState.ANSWERING if position == 0 else StepState.PENDING,
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
        db.scalars(select(MockInterview).where(MockInterview.user_id == user.id, MockInterview.status == InterviewStatus.ACTIVE).order_by(MockInterview.id.desc()))
    )


def current_item(interview: MockInterview) -> MockItem | None:
    """The item the candidate is on, or None when the interview is over."""
    if interview.status != InterviewStatus.ACTIVE:
        return None
    for item in interview.items:
        if item.state in (StepState.ANSWERING, StepState.FOLLOW_UP):
            return item
    return None


def seconds_left(item: MockItem, now: datetime | None = None) -> int:
    """Seconds before the current step's time runs out (never negative)."""
    now = now or utcnow()
    deadline = as_utc(item.follow_up_deadline_at if item.state == StepState.FOLLOW_UP else item.deadline_at)
    return max(0, int((deadline - now).total_seconds())) if deadline else 0


def total_seconds_left(interview: MockInterview, now: datetime | None = None) -> int:
    """Time left in the whole interview: the current step plus every question still to come."""
    item = current_item(interview)
    if item is None:
        return 0
    pending = [i for i in interview.items if i.state == StepState.PENDING]
    rest = sum(i.seconds for i in pending) + FOLLOW_UP_SECONDS * len(pending)
    follow = FOLLOW_UP_SECONDS if item.state == StepState.ANSWERING else 0
    return seconds_left(item, now) + rest + follow


def track_minutes(track: Track) -> float:
    """A whole track as the interview's clock counts it: every question and its follow-up."""
    return sum(i.minutes for i in track.items) + FOLLOW_UP_SECONDS / 60 * len(track.items)


def late(item: MockItem, now: datetime | None = None) -> bool:
    """Whether the current step's time ran out (allowing the grace period)."""
    now = now or utcnow()
    deadline = as_utc(item.follow_up_deadline_at if item.state == StepState.FOLLOW_UP else item.deadline_at)
    return deadline is not None and now > deadline + GRACE


class FollowUp(NamedTuple):
    """What the interviewer asks next, the dimension it probes and, when it asks for one, the key point."""

    text: str
    dimension: str
    point_id: str | None


def choose_follow_up(question: Question, card: ScoreCard) -> FollowUp:
    """Probe the answer's weakest weighted dimension: the interviewer's question for a key point the answer
    missed there, else a written follow-up that speaks to that dimension, else the first written one."""
    weighted = [d for d in DIMENSIONS if question.weights.get(d, 0) > 0] or list(DIMENSIONS)
    # Lowest score first; among ties, the dimension the question weighs most.
    weakest = min(weighted, key=lambda d: (card.dimensions[d].score, -question.weights.get(d, 0), DIMENSIONS.index(d)))
    missing = card.dimensions[weakest].missing
    point = next((p for p in question.rubric.points_for(weakest) if p.id in missing and p.id in question.probes), None)
    if point is not None:
        return FollowUp(question.probes[point.id], weakest, point.id)
    scored = sorted(((cue_count(f, weakest), -i, f) for i, f in enumerate(question.follow_ups)), reverse=True)
    if scored and scored[0][0] > 0:
        return FollowUp(scored[0][2], weakest, None)
    return FollowUp(question.follow_ups[0] if question.follow_ups else "What would you do differently next time?", weakest, None)


@dataclass(frozen=True)
class PointVerdict:
    """How a follow-up reply did on the one key point it was asked for."""

    point: KeyPoint
    covered: bool
    evidence: str | None  # the passage that made the point, when it did


def judge_follow_up(*, question: Question, point_id: str, asked: str, reply: str, settings: Settings) -> PointVerdict | None:
    """Score a reply against the key point its follow-up probed (not the whole rubric: a short, on-point
    reply is not a weak main answer). None when the point is no longer in the question's rubric."""
    if point_id not in {p.id for p in question.rubric.key_points}:
        return None
    rubric = question.rubric.single_point(point_id, asked)
    point = rubric.key_points[0]
    card = run_scorer(ScorerName.OFFLINE, text=reply, rubric=rubric, settings=settings)
    dimension = card.dimensions[point.dimension]
    covered = point_id in dimension.covered
    evidence = next((e.text for e in dimension.evidence), None) if covered else None
    return PointVerdict(point, covered, evidence)


def record_answer(*, db: Session, interview: MockInterview, item: MockItem, answer: Answer | None, timed_out: bool) -> None:
    """Attach the main answer to its item (or mark it timed out with nothing written)."""
    item.answer_id = answer.id if answer else None
    item.timed_out = timed_out
    if answer is None:
        _finish_item(db=db, interview=interview, item=item)


def set_follow_up(*, item: MockItem, follow_up: FollowUp) -> None:
    """Move the item to its follow-up with a fresh, short clock."""
    item.state = StepState.FOLLOW_UP
    item.follow_up = follow_up.text
    item.follow_up_dimension = follow_up.dimension
    item.follow_up_point = follow_up.point_id
    item.follow_up_deadline_at = utcnow() + timedelta(seconds=FOLLOW_UP_SECONDS)


def record_follow_up(*, db: Session, interview: MockInterview, item: MockItem, answer: Answer | None) -> None:
    """Attach the follow-up answer and move on."""
    item.follow_up_answer_id = answer.id if answer else None
    _finish_item(db=db, interview=interview, item=item)


def _time_out(*, db: Session, interview: MockInterview, item: MockItem) -> None:
    """The step's clock ran out with nothing written: record that and move on."""
    if item.state == StepState.FOLLOW_UP:
        record_follow_up(db=db, interview=interview, item=item, answer=None)
    else:
        record_answer(db=db, interview=interview, item=item, answer=None, timed_out=True)


def expire_if_late(*, db: Session, interview: MockInterview) -> bool:
    """Move past the current step if its time ran out while nothing was submitted (a closed tab).

    Called by the interview's POST actions, never by a page view: the page shows a step whose
    clock reads zero, and the browser submits it as it stands.
    """
    item = current_item(interview)
    if item is None or not late(item):
        return False
    _time_out(db=db, interview=interview, item=item)
    return True


def submit_step(
    *,
    db: Session,
    write_db: sessionmaker,
    catalog: Catalog,
    settings: Settings,
    user: User,
    interview: MockInterview,
    item_id: int,
    text: str,
    timed_out: bool,
    submission_key: str | None = None,
    recording_id: int | None = None,
) -> None:
    """Take the answer to the current step: store and score it, then ask the follow-up or move on.

    A submit for a step that is no longer current (a double submit, a stale tab) changes nothing.
    Raises answers.AnswerError, with nothing stored, when the text is not acceptable.
    """
    item = current_item(interview)
    if item is None or item.id != item_id:
        return
    ran_out = timed_out or late(item)
    is_follow_up = item.state == StepState.FOLLOW_UP
    if not text.strip() and ran_out:
        _time_out(db=db, interview=interview, item=item)
        return
    question = catalog.question(item.question_id)
    stored = submit_and_score(
        db=db, write_db=write_db, catalog=catalog, settings=settings, user=user, question=question, text=text,
        started_at=None, source=answer_service.FOLLOW_UP_SOURCE if is_follow_up else "mock", submission_key=submission_key,
        recording_id=recording_id,
    )
    # submit_and_score committed and expired the session: the interview and item reload as they are now.
    if is_follow_up:
        record_follow_up(db=db, interview=interview, item=item, answer=stored)
        return
    record_answer(db=db, interview=interview, item=item, answer=stored, timed_out=ran_out)
    card = latest_card(db=db, answer_id=stored.id)
    if card is not None:
        follow_up = choose_follow_up(question, card)
    else:  # scoring failed; the worker will retry it, and the interview goes on
        follow_up = FollowUp(question.follow_ups[0], question.weighted_dimensions[0], None)
    set_follow_up(item=item, follow_up=follow_up)


def _finish_item(*, db: Session, interview: MockInterview, item: MockItem) -> None:
    item.state = StepState.DONE
    nxt = next((i for i in interview.items if i.position == item.position + 1), None)
    if nxt is None:
        finish(db=db, interview=interview)
        return
    interview.position = nxt.position
    nxt.state = StepState.ANSWERING
    nxt.deadline_at = utcnow() + timedelta(seconds=nxt.seconds)


def end_early(*, db: Session, interview: MockInterview) -> None:
    """The candidate stops: a step whose clock already ran out counts as timed out, the rest as skipped."""
    if interview.status != InterviewStatus.ACTIVE:
        return
    expire_if_late(db=db, interview=interview)
    if interview.status == InterviewStatus.ACTIVE:
        finish(db=db, interview=interview)


def finish(*, db: Session, interview: MockInterview) -> None:
    """End the interview now; unanswered questions are marked skipped."""
    for item in interview.items:
        if item.state in (StepState.PENDING, StepState.ANSWERING) and item.answer_id is None:
            item.state = StepState.SKIPPED
        elif item.state == StepState.FOLLOW_UP:
            item.state = StepState.DONE
    interview.status = InterviewStatus.FINISHED
    interview.finished_at = utcnow()


@dataclass(frozen=True)
class ReportRow:
    """One question of the report."""

    item: MockItem
    question: Question | None
    answer: Answer | None
    card: ScoreCard | None
    follow_up_answer: Answer | None
    follow_up_verdict: PointVerdict | None  # the reply judged on the point it was asked for
    delivery: dict | None = None  # how the main answer was said (voice mode)
    follow_up_delivery: dict | None = None


def _card(db: Session, answer_id: int | None) -> tuple[Answer | None, ScoreCard | None]:
    if answer_id is None:
        return None, None
    return db.get(Answer, answer_id), latest_card(db=db, answer_id=answer_id)


def report(*, db: Session, interview: MockInterview, catalog: Catalog, settings: Settings) -> dict:
    """Every question with its answer and scores, per-dimension averages and the weakest dimension's guides."""
    rows = []
    for item in interview.items:
        question = catalog.question(item.question_id)
        answer, card = _card(db, item.answer_id)
        fu_answer = db.get(Answer, item.follow_up_answer_id) if item.follow_up_answer_id is not None else None
        verdict = None
        if fu_answer is not None and question is not None and item.follow_up_point:
            verdict = judge_follow_up(question=question, point_id=item.follow_up_point, asked=item.follow_up or "",
                                      reply=fu_answer.text, settings=settings)
        rows.append(ReportRow(item, question, answer, card, fu_answer, verdict, _delivery_of(db, answer), _delivery_of(db, fu_answer)))
    # The main answers make the averages; a follow-up is a short reply to one probe, shown on its row.
    cards = [r.card for r in rows if r.card is not None]
    averages = {d: sum(c.dimensions[d].score for c in cards) / len(cards) for d in DIMENSIONS} if cards else {}
    lowest = min(averages.values()) if averages else None
    # Every dimension at the lowest average is named; when all four are level, none is "weakest".
    weakest = [d for d in DIMENSIONS if averages and averages[d] == lowest]
    if len(weakest) == len(DIMENSIONS):
        weakest = []
    lessons = []
    for dimension in weakest:
        for slug in DIMENSION_GUIDES[dimension]:
            guide = catalog.guide(slug)
            if guide is not None and guide not in [g for g, _ in lessons]:
                lessons.append((guide, [h for h in guide.toc if h.level == 2][:6]))
    spoken = [d for r in rows for d in (r.delivery, r.follow_up_delivery) if d]
    delivery = None
    if spoken:  # the interview's delivery overall: every spoken answer and follow-up counts once
        words = sum(d["words"] for d in spoken)
        talk = sum(d["talk_seconds"] for d in spoken)
        delivery = {"answers": len(spoken), "words_per_minute": words / (talk / 60) if talk else 0.0,
                    "fillers_per_100_words": 100 * sum(d["fillers"] for d in spoken) / words if words else 0.0,
                    "long_pauses": sum(d["long_pauses"] for d in spoken)}
    return {"rows": rows, "averages": averages, "weakest": weakest, "level": bool(averages) and not weakest, "lessons": lessons,
            "delivery": delivery}


def _delivery_of(db: Session, answer: Answer | None) -> dict | None:
    if answer is None or db is None:
        return None
    recording = recording_service.for_answer(db=db, answer_id=answer.id)
    return recording.delivery if recording is not None else None


def words(text: str) -> list[str]:
    """Whitespace-separated tokens, for the word-level diff."""
    return re.findall(r"\S+", text)
