"""Bookmarks and private notes on questions, and the page listing them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request

from web.content import render_user_markdown
from web.routes.deps import CatalogDep, CsrfDep, CurrentUser, SessionDep, current_viewer
from web.routes.loaders import QuestionDep
from web.routes.urls import see_other
from web.ui.rendering import render
from web.services import catalog as catalog_service
from web.services import saved as saved_service

router = APIRouter(dependencies=[Depends(current_viewer)])


@router.post("/questions/{question_id}/bookmark", name="bookmark", dependencies=[CsrfDep])
def bookmark(request: Request, user: CurrentUser, db: SessionDep, question: QuestionDep):
    """Save or unsave a question."""
    saved_service.toggle_bookmark(db=db, user=user, question_id=question.id)
    return see_other(request, "question", question_id=question.id, query={"saved": "bookmark"}, fragment="saved")


@router.post("/questions/{question_id}/note", name="note", dependencies=[CsrfDep])
def note(request: Request, user: CurrentUser, db: SessionDep, question: QuestionDep, text: str = Form("")):
    """Save the user's private note on a question (an empty note deletes it)."""
    try:
        saved_service.save_note(db=db, user=user, question_id=question.id, text=text)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return see_other(request, "question", question_id=question.id, query={"saved": "note"}, fragment="saved")


@router.get("/saved", name="saved")
def saved(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep):
    """Bookmarked questions and private notes."""
    bookmarks, notes = saved_service.saved_items(db=db, user=user)
    return render(request, "saved.html", {"bookmarks": bookmarks, "notes": notes, "render_note": render_user_markdown,
                                          "questions": catalog_service.questions_by_id(catalog=catalog, ids=[b.question_id for b in bookmarks] + [n.question_id for n in notes])})
