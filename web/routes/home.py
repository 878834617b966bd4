"""The home page."""

from fastapi import APIRouter, Depends, Request

from web.routes.deps import CatalogDep, OptionalUser, SessionDep, optional_user
from web.ui.rendering import render
from web.services import answers as answer_service
from web.services import practice_queue

router = APIRouter(dependencies=[Depends(optional_user)])


@router.get("/", name="home")
def home(request: Request, catalog: CatalogDep, user: OptionalUser, db: SessionDep):
    """Landing page: what tpmprep is, where to start, and the visitor's recent practice."""
    counts = {c: 0 for c in ("behavioral", "program-sense", "program-execution", "technical", "strategy")}
    for question in catalog.questions.values():
        counts[question.category] += 1
    recent = answer_service.list_answers(db=db, user=user, per_page=5).items if user else []
    due = practice_queue.due(db=db, user_id=user.id, catalog=catalog, limit=5) if user else []
    return render(
        request,
        "home.html",
        {"counts": counts, "guides": catalog.guides[:6], "recent": recent, "catalog": catalog, "due": due},
    )
