"""The JSON API under /api/v1 (session cookie with CSRF header, or a bearer API token)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Request

from scoring.rubric import DIMENSIONS
from web.content import CATEGORIES, DIFFICULTIES, Guide, Question
from web.routes.deps import CatalogDep, CsrfDep, CurrentUser, IdPath, PageQuery, SessionDep, ReadSessions, SettingsDep, WriteSessions
from web.routes.urls import path_for
from web.models import Answer
from web.routes.schemas import (
    AnswerDetail,
    AnswerIn,
    AnswerOut,
    AnswerPage,
    ErrorOut,
    GuideDetail,
    GuideSummary,
    JobOut,
    KeyPointOut,
    QuestionDetail,
    QuestionPage,
    QuestionSummary,
    ScoreCardOut,
)
from web.services import answers as answer_service
from web.services import catalog as catalog_service
from web.services import scoring_jobs
from web.services.submission import submit_and_score

_ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 422, 503)}
router = APIRouter(prefix="/api/v1", tags=["api"], responses=_ERRORS)
# The one list of each, spelled as a Literal so the OpenAPI schema lists the allowed values.
Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Difficulty = Literal[DIFFICULTIES]  # type: ignore[valid-type]
Dimension = Literal[DIMENSIONS]  # type: ignore[valid-type]


def _question_summary(request: Request, q: Question) -> dict:
    return dict(id=q.id, title=q.title, category=q.category, difficulty=q.difficulty, tags=list(q.tags), weights=q.weights,
                url=path_for(request, "question", question_id=q.id))


def _guide_summary(request: Request, g: Guide) -> dict:
    return dict(slug=g.slug, title=g.title, summary=g.summary, order=g.order, tags=list(g.tags), reading_minutes=g.reading_minutes,
                url=path_for(request, "guide", slug=g.slug))


def _answer_out(request: Request, a: Answer) -> dict:
    return dict(
        id=a.id,
        question_id=a.question_id,
        text=a.text,
        word_count=a.word_count,
        status=a.status,
        submitted_at=a.submitted_at,
        time_taken_seconds=a.time_taken_seconds,
        url=path_for(request, "answer", answer_id=a.id),
    )


@router.get("/questions", name="api_questions", response_model=QuestionPage)
def list_questions(
    request: Request,
    catalog: CatalogDep,
    category: Category | None = None,
    difficulty: Difficulty | None = None,
    dimension: Dimension | None = None,
    tag: Annotated[str, Query(max_length=60)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
):
    """Questions, filtered and searched like the question bank."""
    flt = catalog_service.QuestionFilter(category=category or "", difficulty=difficulty or "", dimension=dimension or "", tag=tag, q=q)
    result = catalog_service.paginate(catalog_service.filter_questions(catalog=catalog, flt=flt), page=page, per_page=per_page)
    return QuestionPage(items=[QuestionSummary(**_question_summary(request, x)) for x in result.items], page=result.page, pages=result.pages, total=result.total)


@router.get("/questions/{question_id}", response_model=QuestionDetail)
def get_question(request: Request, catalog: CatalogDep, question_id: str):
    """One question with its prompt, follow-ups and key points."""
    q = catalog.question(question_id)
    if q is None:
        raise HTTPException(404, "No such question.")
    return QuestionDetail(
        **_question_summary(request, q),
        prompt=q.prompt_text,
        follow_ups=list(q.follow_ups),
        guides=[g.slug for g in catalog.guides_for_question(q.id)],
        key_points=[KeyPointOut(id=p.id, dimension=p.dimension, description=p.description) for p in q.rubric.key_points],
        version=q.version,
    )


@router.get("/guides", response_model=list[GuideSummary])
def list_guides(request: Request, catalog: CatalogDep):
    """Every guide in reading order."""
    return [GuideSummary(**_guide_summary(request, g)) for g in catalog.guides]


@router.get("/guides/{slug}", response_model=GuideDetail)
def get_guide(request: Request, catalog: CatalogDep, slug: str):
    """One guide with its rendered HTML."""
    g = catalog.guide(slug)
    if g is None:
        raise HTTPException(404, "No such guide.")
    return GuideDetail(**_guide_summary(request, g), html=g.html, questions=[q.id for q in catalog.questions_for_guide(slug)])


@router.post("/answers", name="api_submit_answer", response_model=AnswerDetail, status_code=201, dependencies=[CsrfDep])
def submit_answer(
    request: Request, body: AnswerIn, user: CurrentUser, db: SessionDep, catalog: CatalogDep, settings: SettingsDep,
    write_db: WriteSessions, read_db: ReadSessions, idempotency_key: Annotated[str, Header(max_length=80)] = "",
):
    """Submit an answer; it is stored before scoring, and the offline score comes back with it.

    Send an `Idempotency-Key` header (any unique string) to make retries safe: a second request
    with the same key returns the answer the first one stored.
    """
    question = catalog.question(body.question_id)
    if question is None:
        raise HTTPException(404, "No such question.")
    started = answer_service.parse_started_at(body.started_at.isoformat()) if body.started_at else None
    try:
        answer = submit_and_score(db=db, write_db=write_db, catalog=catalog, settings=settings, user=user,
                                  question=question, text=body.text, started_at=started, submission_key=idempotency_key)
    except answer_service.AnswerError as exc:
        raise HTTPException(422, str(exc)) from exc
    # Answer and card are committed: read them back without taking the write lock again (SQLite).
    with read_db() as reader:
        return _answer_detail(request, reader, user, answer.id)


def _answer_detail(request: Request, db, user, answer_id: IdPath) -> AnswerDetail:
    answer = answer_service.get_own_answer(db=db, user=user, answer_id=answer_id)
    if answer is None:
        raise HTTPException(404, "No such answer.")
    return AnswerDetail(
        **_answer_out(request, answer),
        score_cards=[
            ScoreCardOut(
                scorer=r.scorer,
                scorer_version=r.scorer_version,
                overall=r.overall,
                scores={"strategy": r.strategy, "risk": r.risk, "communication": r.communication, "leadership": r.leadership},
                card=r.card,
            )
            for r in answer.score_cards
        ],
        jobs=[JobOut(scorer=j.scorer, status=j.status, attempts=j.attempts, last_error=j.last_error) for j in scoring_jobs.jobs_for_answer(db=db, answer_id=answer.id)],
    )


@router.get("/answers", response_model=AnswerPage)
def my_answers(request: Request, user: CurrentUser, db: SessionDep, page: PageQuery = 1):
    """The caller's answers, newest first."""
    result = answer_service.list_answers(db=db, user=user, page=page)
    return AnswerPage(items=[AnswerOut(**_answer_out(request, a)) for a in result.items], page=result.page, pages=result.pages, total=result.total)


@router.get("/answers/{answer_id}", name="api_answer", response_model=AnswerDetail)
def my_answer(request: Request, user: CurrentUser, db: SessionDep, answer_id: IdPath):
    """One of the caller's answers with its score cards and scoring jobs."""
    return _answer_detail(request, db, user, answer_id)
