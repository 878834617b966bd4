"""Bookmarks and private notes on questions, and the page listing them."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from web.content import render_user_markdown
from web.routes.deps import CatalogDep, CsrfDep, CurrentUser, SessionDep, optional_user
from web.ui.rendering import render
from web.services import saved as saved_service

router = APIRouter(dependencies=[Depends(optional_user)])


def _question_or_404(catalog, question_id: str):
    question = catalog.question(question_id)
    if question is None:
        raise HTTPException(404, "No question here.")
    return question


@router.post("/questions/{question_id}/bookmark", name="bookmark", dependencies=[CsrfDep])
def bookmark(catalog: CatalogDep, user: CurrentUser, db: SessionDep, question_id: str):
    """Save or unsave a question."""
    _question_or_404(catalog, question_id)
    saved_service.toggle_bookmark(db=db, user=user, question_id=question_id)
    return RedirectResponse(f"/questions/{question_id}#saved", status_code=303)


@router.post("/questions/{question_id}/note", name="note", dependencies=[CsrfDep])
def note(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep, question_id: str, text: str = Form("")):
    """Save the user's private note on a question (an empty note deletes it)."""
    _question_or_404(catalog, question_id)
    try:
        saved_service.save_note(db=db, user=user, question_id=question_id, text=text)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse(f"/questions/{question_id}#saved", status_code=303)


@router.get("/saved", name="saved")
def saved(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep):
    """Bookmarked questions and private notes."""
    bookmarks, notes = saved_service.saved_items(db=db, user=user)
    return render(request, "saved.html", {"bookmarks": bookmarks, "notes": notes, "catalog": catalog, "render_note": render_user_markdown})
