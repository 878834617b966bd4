"""The question bank and question pages, including answer submission."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request

from scoring.rubric import DIMENSIONS
from web.content import CATEGORIES, DIFFICULTIES, Question
from web.routes.deps import (
    CatalogDep, CsrfDep, CurrentUser, OptionalUser, PageQuery, SessionDep, SettingsDep, ViewerDep, WriteSessions, current_viewer,
)
from web.routes.loaders import QuestionDep
from web.routes.urls import see_other
from web.infra.security import new_token
from web.ui.rendering import render, shared_fragment
from web.services import answers as answer_service
from web.services import catalog as catalog_service
from web.services import practice_queue
from web.services import saved as saved_service
from web.services.submission import submit_and_score

router = APIRouter(prefix="/questions", dependencies=[Depends(current_viewer)])


def _choice(value: str, allowed) -> str:
    return value if value in allowed else ""


@router.get("", name="questions")
def question_bank(
    request: Request,
    catalog: CatalogDep,
    settings: SettingsDep,
    db: SessionDep,
    viewer: ViewerDep,
    category: str = "",
    difficulty: str = "",
    dimension: str = "",
    tag: str = "",
    q: str = "",
    page: PageQuery = 1,
):
    """Browse questions with filters, search and pagination."""
    flt = catalog_service.QuestionFilter(
        category=_choice(category, CATEGORIES),
        difficulty=_choice(difficulty, DIFFICULTIES),
        dimension=_choice(dimension, DIMENSIONS),
        tag=tag if catalog.has_tag(tag) else "",
        q=q[:200],
    )
    results = catalog_service.filter_questions(catalog=catalog, flt=flt)
    page_obj = catalog_service.paginate(results, page=page, per_page=settings.page_size)
    tags = catalog.common_tags()
    if flt.tag and flt.tag not in tags:
        tags = sorted([*tags, flt.tag])
    filters_form = shared_fragment(request, "questions/_filters.html", (id(catalog), flt, tuple(tags)), {"flt": flt, "tags": tags})
    attempted = answer_service.attempted(db=db, user_id=viewer.id, questions=page_obj.items) if viewer else {}
    return render(request, "questions/index.html", {"flt": flt, "page": page_obj, "filters_form": filters_form, "attempted": attempted})


def _question_context(catalog, question: Question, user, db) -> dict:
    ctx = {"question": question, "guides": catalog.guides_for_question(question.id), "attempts": [], "bookmarked": False, "note": None, "due_in": None,
           "time_box_seconds": catalog_service.time_box_seconds(catalog=catalog, question=question)}
    if user:
        ctx["attempts"] = answer_service.attempts_for_question(db=db, user=user, question_id=question.id)
        ctx["bookmarked"] = saved_service.is_bookmarked(db=db, user_id=user.id, question_id=question.id)
        ctx["note"] = saved_service.note_for(db=db, user_id=user.id, question_id=question.id)
        ctx["due_in"] = practice_queue.days_until(practice_queue.next_due_after(db=db, user_id=user.id, question_id=question.id))
    return ctx


@router.get("/{question_id}", name="question")
def question_page(request: Request, catalog: CatalogDep, user: OptionalUser, db: SessionDep, question: QuestionDep):
    """A question with its prompt, tips, practice form, follow-ups and hidden example answer."""
    ctx = _question_context(catalog, question, user, db) | {"text": "", "error": None, "submission_key": new_token()}
    return render(request, "questions/detail.html", ctx)


@router.post("/{question_id}/answers", name="submit_answer", dependencies=[CsrfDep])
def submit_answer(
    request: Request,
    catalog: CatalogDep,
    settings: SettingsDep,
    write_db: WriteSessions,
    user: CurrentUser,
    db: SessionDep,
    question: QuestionDep,
    text: str = Form(""),
    started_at: str = Form(""),
    submission_key: str = Form("", max_length=80),
    recording_id: str = Form("", max_length=12),
):
    """Store the answer (committed before any scoring), then show its feedback page."""
    try:
        answer = submit_and_score(
            recording_id=int(recording_id) if recording_id.isdigit() else None,
            db=db,
            write_db=write_db,
            catalog=catalog,
            settings=settings,
            user=user,
            question=question,
            text=text,
            started_at=answer_service.parse_started_at(started_at),
            submission_key=submission_key,
        )
    except answer_service.AnswerError as exc:
        ctx = _question_context(catalog, question, user, db) | {"text": text, "error": str(exc), "started_at": started_at,
                                                                "submission_key": submission_key or new_token(),
                                                                "recording_id": recording_id}
        return render(request, "questions/detail.html", ctx, status_code=422)
    return see_other(request, "answer", answer_id=answer.id)
