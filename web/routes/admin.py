"""Admin pages: adjudicating reviewer disagreements, choosing anchor answers, and the offline scorer's model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request

from web.routes.deps import MAX_ID, CatalogDep, CsrfDep, ReadSessions, SessionDep, WriteSessions, current_viewer, require_role
from web.routes.forms import FormFields
from web.routes.loaders import ReviewRequestDep
from web.routes.urls import see_other
from web.models import Role, User
from web.ui.rendering import render
from web.services import calibration as calibration_service
from web.services import catalog as catalog_service
from web.services import reviews as review_service
from web.services import scorer_models

router = APIRouter(prefix="/admin", dependencies=[Depends(current_viewer)])
Admin = Annotated[User, Depends(require_role(Role.ADMIN))]


@router.get("/adjudication", name="adjudication")
def adjudication_list(request: Request, admin: Admin, db: SessionDep, catalog: CatalogDep):
    """Answers whose reviewers disagree by 2 or more on a dimension."""
    items = review_service.flagged(db=db)
    questions = catalog_service.questions_by_id(catalog=catalog, ids=[r.answer.question_id for r in items])
    return render(request, "admin/adjudication.html", {"items": items, "questions": questions, "disagreements": review_service.disagreements})


@router.get("/adjudication/{request_id:int}", name="adjudicate")
def adjudicate_form(request: Request, admin: Admin, catalog: CatalogDep, review_request: ReviewRequestDep):
    """Every review of a flagged answer side by side, and the form for the final scores."""
    return render(
        request,
        "admin/adjudicate.html",
        {"review_request": review_request, "answer": review_request.answer, "question": catalog.question(review_request.answer.question_id), "values": {}, "error": None},
    )


@router.post("/adjudication/{request_id:int}", dependencies=[CsrfDep])
def adjudicate(request: Request, admin: Admin, db: SessionDep, catalog: CatalogDep, fields: FormFields,
               review_request: ReviewRequestDep):
    """Record the admin's final scores; they become the consensus and the candidate is told."""
    try:
        scores = review_service.parse_scores(fields)
        review_service.adjudicate(db=db, admin=admin, request=review_request, scores=scores, comment=fields.get("comment", "").strip())
    except review_service.ReviewError as exc:
        ctx = {"review_request": review_request, "answer": review_request.answer, "question": catalog.question(review_request.answer.question_id), "values": fields, "error": str(exc)}
        return render(request, "admin/adjudicate.html", ctx, status_code=422)
    return see_other(request, "adjudication")


@router.post("/anchors", name="make_anchor", dependencies=[CsrfDep])
def make_anchor(request: Request, admin: Admin, db: SessionDep, request_id: int = Form(..., ge=1, le=MAX_ID)):
    """Mark a reviewed answer as an anchor for calibration, with its consensus as reference."""
    review_request = review_service.get_request(db=db, request_id=request_id)
    if review_request is None:
        raise HTTPException(404, "No such review request.")
    try:
        calibration_service.make_anchor(db=db, admin=admin, request=review_request)
    except ValueError:
        raise HTTPException(409, "Only reviewed answers can become anchors.") from None
    return see_other(request, "calibration")


# ------------------------------------------------------------------ the offline scorer's model


@router.post("/scorer/retrain", name="retrain_scorer", dependencies=[CsrfDep])
def retrain_scorer(request: Request, admin: Admin, db: SessionDep, read_db: ReadSessions, write_db: WriteSessions,
                   catalog: CatalogDep):
    """Fit a new offline scorer from reviewed answers, on a background thread (it takes a minute)."""
    if not scorer_models.enough_to_retrain(db=db):
        outcome = "too-few"
    else:
        started = scorer_models.retrain_in_background(read_db=read_db, write_db=write_db, catalog=catalog, admin_id=admin.id)
        outcome = "started" if started else "busy"
    return see_other(request, "agreement", query={"retrain": outcome}, fragment="scorer-models")


@router.post("/scorer/activate", name="activate_scorer", dependencies=[CsrfDep])
def activate_scorer(request: Request, admin: Admin, db: SessionDep, version: str = Form(..., max_length=80)):
    """Make a trained model, or the bundled one, the live offline scorer."""
    try:
        scorer_models.activate(db=db, version=version, by=admin)
    except LookupError:
        raise HTTPException(404, "No such scorer model.") from None
    return see_other(request, "agreement", fragment="scorer-models")


@router.post("/scorer/rollback", name="rollback_scorer", dependencies=[CsrfDep])
def rollback_scorer(request: Request, admin: Admin, db: SessionDep):
    """Make live again the model that was live before the current one."""
    scorer_models.rollback(db=db, by=admin)
    return see_other(request, "agreement", fragment="scorer-models")
