"""Human review: the candidate's request, the reviewer queue, blind review forms, calibration, agreement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from scoring.card import ScoreCard
from scoring.rubric import DIMENSIONS
from web.content import CATEGORIES
from web.routes.deps import CatalogDep, CsrfDep, CurrentUser, IdPath, SessionDep, SettingsDep, optional_user, require_role
from web.models import AnchorAnswer, Review, User
from web.ui.rendering import render
from web.services import answers as answer_service
from web.services import calibration as calibration_service
from web.services import scorer_models
from web.services import reviews as review_service

router = APIRouter(dependencies=[Depends(optional_user)])
Reviewer = Annotated[User, Depends(require_role(*review_service.REVIEWER_ROLES))]


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


FormFields = Annotated[dict[str, str], Depends(_form_fields)]


def _review_input(fields: dict[str, str]) -> tuple[dict[str, int], dict[str, str], str]:
    scores = review_service.parse_scores(fields)
    comments = {d: fields.get(f"comment_{d}", "").strip() for d in DIMENSIONS}
    return scores, comments, fields.get("overall_comment", "").strip()


# ------------------------------------------------------------------ candidate


@router.post("/answers/{answer_id:int}/review", name="request_review", dependencies=[CsrfDep])
def request_review(user: CurrentUser, db: SessionDep, settings: SettingsDep, answer_id: IdPath):
    """A candidate asks for human review of their answer."""
    answer = answer_service.get_own_answer(db=db, user=user, answer_id=answer_id)
    if answer is None:
        raise HTTPException(404, "No answer here.")
    review_service.request_review(db=db, answer=answer, reviews_needed=settings.reviews_per_answer)
    return RedirectResponse(f"/answers/{answer_id}#human-review", status_code=303)


@router.get("/notifications", name="notifications")
def notifications(request: Request, user: CurrentUser, db: SessionDep):
    """Everything the user has been told about, newest first."""
    return render(request, "review/notifications.html", {"items": review_service.notifications(db=db, user=user)})


# ------------------------------------------------------------------ the queue


@router.get("/review", name="review_queue")
def review_queue(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, category: str = "", question: str = ""):
    """Answers waiting for review, oldest first, with how long each has waited."""
    category = category if category in CATEGORIES else ""
    question = question if catalog.question(question) else ""
    ids = None
    if question:
        ids = [question]
    elif category:
        ids = [q.id for q in catalog.questions.values() if q.category == category]
    items = review_service.queue(db=db, reviewer=reviewer, question_ids=ids)
    return render(
        request,
        "review/queue.html",
        {"items": items, "catalog": catalog, "category": category, "question": question, "flagged": len(review_service.flagged(db=db)) if reviewer.role == "admin" else 0},
    )


@router.post("/review/{request_id:int}/claim", name="claim_review", dependencies=[CsrfDep])
def claim(request: Request, reviewer: Reviewer, db: SessionDep, settings: SettingsDep, catalog: CatalogDep, request_id: IdPath):
    """Take an answer for review so no one else scores it at the same time."""
    try:
        review_service.claim(db=db, reviewer=reviewer, request_id=request_id, claim_minutes=settings.review_claim_minutes)
    except LookupError:
        raise HTTPException(404, "No such review request.") from None
    except review_service.ReviewError as exc:
        items = review_service.queue(db=db, reviewer=reviewer)
        return render(request, "review/queue.html", {"items": items, "catalog": catalog, "category": "", "question": "", "error": str(exc), "flagged": 0}, status_code=409)
    return RedirectResponse(f"/review/{request_id}", status_code=303)


def _form_context(db, catalog, review_request, **extra) -> dict:
    answer = review_request.answer
    return {
        "review_request": review_request,
        "answer": answer,
        "question": catalog.question(answer.question_id),
        "values": {},
        "error": None,
        **extra,
    }


def _claimed(db, reviewer: User, request_id: int):
    """The request this reviewer holds a live claim on; 404 if it does not exist, 403 otherwise."""
    try:
        return review_service.held_claim(db=db, reviewer=reviewer, request_id=request_id)
    except LookupError:
        raise HTTPException(404, "No such review request.") from None
    except review_service.ReviewError as exc:
        raise HTTPException(403, str(exc)) from None


@router.get("/review/{request_id:int}", name="review_form")
def review_form(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, request_id: IdPath):
    """The blind review form: question, rubric, anchors and the answer; no other scores."""
    review_request = _claimed(db, reviewer, request_id)
    return render(request, "review/form.html", _form_context(db, catalog, review_request, action=f"/review/{request_id}"))


@router.post("/review/{request_id:int}", dependencies=[CsrfDep])
def submit_review(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, fields: FormFields, request_id: IdPath):
    """Save the review; the automatic and other reviewers' scores are shown only after this."""
    review_request = _claimed(db, reviewer, request_id)
    try:
        scores, comments, overall = _review_input(fields)
        passages = review_service.find_passages(review_request.answer.text, fields.get("passages", ""))
        review = review_service.submit_review(
            db=db, reviewer=reviewer, request=review_request, scores=scores, comments=comments, overall_comment=overall, passages=passages
        )
    except review_service.ReviewError as exc:
        ctx = _form_context(db, catalog, review_request, action=f"/review/{request_id}", values=fields, error=str(exc))
        return render(request, "review/form.html", ctx, status_code=422)
    return RedirectResponse(f"/reviews/{review.id}", status_code=303)


def _own_review(db, user: User, review_id: IdPath) -> Review:
    """A review its author (or an admin) may look at; 404 for anyone else."""
    review = db.get(Review, review_id)
    if review is None or (review.reviewer_id != user.id and user.role != "admin"):
        raise HTTPException(404, "No review here.")
    return review


@router.get("/reviews/{review_id:int}", name="review_done")
def review_done(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, review_id: IdPath):
    """After submitting: your scores next to the automatic ones and the other reviewers'."""
    review = _own_review(db, reviewer, review_id)
    review_request = review.request
    answer = review_request.answer
    cards = [ScoreCard.from_dict(r.card) for r in answer.score_cards]
    others = [r for r in review_request.reviews if r.id != review.id]
    return render(
        request,
        "review/done.html",
        {
            "review": review,
            "answer": answer,
            "question": catalog.question(answer.question_id),
            "cards": cards,
            "others": others,
            "can_edit": review_service.can_edit(review, reviewer),
            "revisions": review_service.revisions(db=db, review_id=review.id),
            "review_request": review_request,
            "consensus": review_service.consensus(review_request),
        },
    )


@router.get("/reviews/{review_id:int}/edit", name="review_edit")
def review_edit_form(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, review_id: IdPath):
    """Edit your review until the candidate has read it."""
    review = _own_review(db, reviewer, review_id)
    if not review_service.can_edit(review, reviewer):
        raise HTTPException(403, "This review can no longer be edited: the candidate has read it, or it is not yours.")
    values = {d: str(getattr(review, d)) for d in DIMENSIONS}
    values |= {f"comment_{d}": (review.comments or {}).get(d, "") for d in DIMENSIONS}
    values |= {"overall_comment": review.overall_comment, "passages": "\n".join(p["text"] for p in review.passages or [])}
    ctx = _form_context(db, catalog, review.request, action=f"/reviews/{review_id}/edit", values=values, editing=True)
    return render(request, "review/form.html", ctx)


@router.post("/reviews/{review_id:int}/edit", dependencies=[CsrfDep])
def review_edit(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, fields: FormFields, review_id: IdPath):
    """Save an edit; the previous version stays in the audit trail."""
    review = _own_review(db, reviewer, review_id)
    if not review_service.can_edit(review, reviewer):
        raise HTTPException(403, "This review can no longer be edited: the candidate has read it, or it is not yours.")
    try:
        scores, comments, overall = _review_input(fields)
        passages = review_service.find_passages(review.request.answer.text, fields.get("passages", ""))
        review_service.edit_review(db=db, editor=reviewer, review=review, scores=scores, comments=comments, overall_comment=overall, passages=passages)
    except review_service.ReviewError as exc:
        ctx = _form_context(db, catalog, review.request, action=f"/reviews/{review_id}/edit", values=fields, error=str(exc), editing=True)
        return render(request, "review/form.html", ctx, status_code=422)
    return RedirectResponse(f"/reviews/{review_id}", status_code=303)


# ------------------------------------------------------------------ agreement and calibration


@router.get("/review/agreement", name="agreement")
def agreement(request: Request, reviewer: Reviewer, db: SessionDep):
    """How well automatic scores agree with human consensus, and reviewers with each other."""
    return render(
        request,
        "review/agreement.html",
        {
            "table": calibration_service.agreement_table(db=db),
            "history": calibration_service.agreement_over_time(db=db),
            "reviewers": calibration_service.reviewer_stats(db=db),
            "live_version": scorer_models.active_version(db=db),
            "bundled_version": scorer_models.bundled_version(),
            "scorer_models": scorer_models.models(db=db),
            "activations": scorer_models.activations(db=db, limit=5),
            "retrain": request.query_params.get("retrain"),
            "retrain_minimum": (scorer_models.MIN_REVIEWED_ANSWERS, scorer_models.MIN_QUESTIONS),
            "reviewed": scorer_models.reviewed_counts(db=db),
        },
    )


@router.get("/review/calibration", name="calibration")
def calibration(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep):
    """Anchor answers to practise on, with your last distance from the reference scores."""
    return render(
        request,
        "review/calibration.html",
        {"anchors": calibration_service.anchors(db=db), "attempts": calibration_service.attempts(db=db, reviewer=reviewer), "catalog": catalog},
    )


def _anchor(db, anchor_id: IdPath) -> AnchorAnswer:
    anchor = db.get(AnchorAnswer, anchor_id)
    if anchor is None:
        raise HTTPException(404, "No such anchor answer.")
    return anchor


@router.get("/review/calibration/{anchor_id:int}", name="calibration_item")
def calibration_item(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, anchor_id: IdPath):
    """Score one anchor answer blind."""
    anchor = _anchor(db, anchor_id)
    return render(request, "review/calibrate.html", {"anchor": anchor, "question": catalog.question(anchor.question_id), "result": None, "values": {}, "error": None})


@router.post("/review/calibration/{anchor_id:int}", dependencies=[CsrfDep])
def calibration_submit(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, fields: FormFields, anchor_id: IdPath):
    """Compare your scores with the reference."""
    anchor = _anchor(db, anchor_id)
    ctx = {"anchor": anchor, "question": catalog.question(anchor.question_id), "values": fields, "error": None, "result": None}
    try:
        scores = review_service.parse_scores(fields)
    except review_service.ReviewError as exc:
        return render(request, "review/calibrate.html", ctx | {"error": str(exc)}, status_code=422)
    ctx["result"] = calibration_service.record_attempt(db=db, reviewer=reviewer, anchor=anchor, scores=scores)
    ctx["mine"] = scores
    return render(request, "review/calibrate.html", ctx)
