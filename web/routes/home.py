"""The home page."""

from fastapi import APIRouter, Depends, Request

from web.routes.deps import CatalogDep, OptionalUser, SessionDep, current_viewer
from web.ui.rendering import render
from web.services import answers as answer_service
from web.services import catalog as catalog_service
from web.services import practice_queue

router = APIRouter(dependencies=[Depends(current_viewer)])


@router.get("/", name="home")
def home(request: Request, catalog: CatalogDep, user: OptionalUser, db: SessionDep):
    """Landing page: what tpmprep is, where to start, and the visitor's recent practice."""
    counts = catalog_service.counts_by_category(catalog=catalog)
    recent = answer_service.list_answers(db=db, user=user, per_page=5).items if user else []
    due = practice_queue.due(db=db, user_id=user.id, catalog=catalog, limit=5) if user else []
    return render(
        request,
        "home.html",
        {"counts": counts, "guides": catalog.guides[:6], "recent": recent, "due": due,
         "questions": catalog_service.questions_by_id(catalog=catalog, ids=[a.question_id for a in recent])},
    )
