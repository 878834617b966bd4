"""Admin pages: adjudicating reviewer disagreements, choosing anchor answers, and the offline scorer's model."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from web.routes.deps import MAX_ID, CatalogDep, CsrfDep, IdPath, SessionDep, optional_user, require_role
from web.models import ReviewRequest, User
from web.ui.rendering import render
from web.services import calibration as calibration_service
from web.services import reviews as review_service
from web.services import scorer_models

router = APIRouter(prefix="/admin", dependencies=[Depends(optional_user)])
Admin = Annotated[User, Depends(require_role("admin"))]


def _request(db, request_id: IdPath) -> ReviewRequest:
    review_request = db.get(ReviewRequest, request_id)
    if review_request is None:
        raise HTTPException(404, "No such review request.")
    return review_request


@router.get("/adjudication", name="adjudication")
def adjudication_list(request: Request, admin: Admin, db: SessionDep, catalog: CatalogDep):
    """Answers whose reviewers disagree by 2 or more on a dimension."""
    items = review_service.flagged(db=db)
    return render(request, "admin/adjudication.html", {"items": items, "catalog": catalog, "disagreements": review_service.disagreements})


@router.get("/adjudication/{request_id:int}", name="adjudicate")
def adjudicate_form(request: Request, admin: Admin, db: SessionDep, catalog: CatalogDep, request_id: IdPath):
    """Every review of a flagged answer side by side, and the form for the final scores."""
    review_request = _request(db, request_id)
    return render(
        request,
        "admin/adjudicate.html",
        {"review_request": review_request, "answer": review_request.answer, "question": catalog.question(review_request.answer.question_id), "values": {}, "error": None},
    )


@router.post("/adjudication/{request_id:int}", dependencies=[CsrfDep])
async def adjudicate(request: Request, admin: Admin, db: SessionDep, catalog: CatalogDep, request_id: IdPath):
    """Record the admin's final scores; they become the consensus and the candidate is told."""
    fields = {k: str(v) for k, v in (await request.form()).items()}
    review_request = _request(db, request_id)
    try:
        scores = review_service.parse_scores(fields)
        review_service.adjudicate(db=db, admin=admin, request=review_request, scores=scores, comment=fields.get("comment", "").strip())
    except review_service.ReviewError as exc:
        ctx = {"review_request": review_request, "answer": review_request.answer, "question": catalog.question(review_request.answer.question_id), "values": fields, "error": str(exc)}
        return render(request, "admin/adjudicate.html", ctx, status_code=422)
    return RedirectResponse("/admin/adjudication", status_code=303)


@router.post("/anchors", name="make_anchor", dependencies=[CsrfDep])
def make_anchor(admin: Admin, db: SessionDep, request_id: int = Form(..., ge=1, le=MAX_ID)):
    """Mark a reviewed answer as an anchor for calibration, with its consensus as reference."""
    review_request = _request(db, request_id)
    try:
        calibration_service.make_anchor(db=db, admin=admin, request=review_request)
    except ValueError:
        raise HTTPException(409, "Only reviewed answers can become anchors.") from None
    return RedirectResponse("/review/calibration", status_code=303)


# ------------------------------------------------------------------ the offline scorer's model


@router.post("/scorer/retrain", name="retrain_scorer", dependencies=[CsrfDep])
def retrain_scorer(request: Request, admin: Admin, db: SessionDep):
    """Fit a new offline scorer from reviewed answers, on a background thread (it takes a minute)."""
    if not scorer_models.enough_to_retrain(db=db):
        return RedirectResponse("/review/agreement?retrain=too-few#scorer-models", status_code=303)
    state = request.app.state
    started = scorer_models.retrain_in_background(
        read_db=state.read_db, write_db=state.write_db, catalog=state.catalog, admin_id=admin.id
    )
    return RedirectResponse(f"/review/agreement?retrain={'started' if started else 'busy'}#scorer-models", status_code=303)


@router.post("/scorer/activate", name="activate_scorer", dependencies=[CsrfDep])
def activate_scorer(admin: Admin, db: SessionDep, version: str = Form(..., max_length=80)):
    """Make a trained model, or the bundled one, the live offline scorer."""
    try:
        scorer_models.activate(db=db, version=version, by=admin)
    except LookupError:
        raise HTTPException(404, "No such scorer model.") from None
    return RedirectResponse("/review/agreement#scorer-models", status_code=303)


@router.post("/scorer/rollback", name="rollback_scorer", dependencies=[CsrfDep])
def rollback_scorer(admin: Admin, db: SessionDep):
    """Make live again the model that was live before the current one."""
    scorer_models.rollback(db=db, by=admin)
    return RedirectResponse("/review/agreement#scorer-models", status_code=303)
