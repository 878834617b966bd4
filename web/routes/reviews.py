"""Human review: the candidate's request, the reviewer queue, blind review forms, calibration, agreement."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from scoring.card import ScoreCard
from scoring.rubric import DIMENSIONS
from web.content import CATEGORIES
from web.routes.deps import CatalogDep, CsrfDep, CurrentUser, IdPath, SessionDep, SettingsDep, current_viewer, require_role
from web.routes.forms import FormFields
from web.routes.loaders import AnchorDep, OwnAnswer, OwnReview
from web.routes.urls import path_for, see_other
from web.models import REVIEWER_ROLES, Role, User
from web.ui.rendering import render
from web.services import recordings as recording_service
from web.services import calibration as calibration_service
from web.services import catalog as catalog_service
from web.services import scorer_models
from web.services import reviews as review_service

router = APIRouter(dependencies=[Depends(current_viewer)])
Reviewer = Annotated[User, Depends(require_role(*REVIEWER_ROLES))]


def _review_input(fields: dict[str, str]) -> tuple[dict[str, int], dict[str, str], str]:
    scores = review_service.parse_scores(fields)
    comments = {d: fields.get(f"comment_{d}", "").strip() for d in DIMENSIONS}
    return scores, comments, fields.get("overall_comment", "").strip()


# ------------------------------------------------------------------ candidate


@router.post("/answers/{answer_id:int}/review", name="request_review", dependencies=[CsrfDep])
def request_review(request: Request, db: SessionDep, settings: SettingsDep, answer: OwnAnswer):
    """A candidate asks for human review of their answer."""
    review_service.request_review(db=db, answer=answer, reviews_needed=settings.reviews_per_answer)
    return see_other(request, "answer", answer_id=answer.id, fragment="human-review")


@router.get("/notifications", name="notifications")
def notifications(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep):
    """Everything the user has been told about, newest first."""
    items = review_service.notifications(db=db, user=user)
    questions = catalog_service.questions_by_id(catalog=catalog, ids=[qid for _, qid in items if qid])
    return render(request, "review/notifications.html", {"items": items, "questions": questions})


# ------------------------------------------------------------------ the queue


def _questions_of(catalog, items) -> dict:
    return catalog_service.questions_by_id(catalog=catalog, ids=[i.answer.question_id for i in items])


@router.get("/review", name="review_queue")
def review_queue(request: Request, reviewer: Reviewer, db: SessionDep, settings: SettingsDep, catalog: CatalogDep,
                 category: str = "", question: str = ""):
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
        {"items": items, "questions": _questions_of(catalog, items), "category": category, "question": question,
         "claim_minutes": settings.review_claim_minutes,
         "flagged": len(review_service.flagged(db=db)) if reviewer.role == Role.ADMIN else 0},
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
        ctx = {"items": items, "questions": _questions_of(catalog, items), "category": "", "question": "", "error": str(exc),
               "claim_minutes": settings.review_claim_minutes, "flagged": 0}
        return render(request, "review/queue.html", ctx, status_code=409)
    return see_other(request, "review_form", request_id=request_id)


def _form_context(db, catalog, review_request, chosen=(), **extra) -> dict:
    answer = review_request.answer
    return {
        "review_request": review_request,
        "answer": answer,
        "question": catalog.question(answer.question_id),
        "sentences": review_service.answer_sentences(answer.text),
        # A spoken answer: its recording (when the site keeps audio) is heard beside the transcript.
        "recording": recording_service.for_answer(db=db, answer_id=answer.id),
        "chosen": set(chosen),
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
    return render(request, "review/form.html", _form_context(db, catalog, review_request, action=path_for(request, "review_form", request_id=request_id)))


@router.post("/review/{request_id:int}", dependencies=[CsrfDep])
def submit_review(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, fields: FormFields, request_id: IdPath):
    """Save the review; the automatic and other reviewers' scores are shown only after this."""
    review_request = _claimed(db, reviewer, request_id)
    try:
        scores, comments, overall = _review_input(fields)
        passages = review_service.passages_from(review_request.answer.text, review_service.chosen_sentences(fields))
        review = review_service.submit_review(
            db=db, reviewer=reviewer, request=review_request, scores=scores, comments=comments, overall_comment=overall, passages=passages
        )
    except review_service.ReviewError as exc:
        ctx = _form_context(db, catalog, review_request, chosen=review_service.chosen_sentences(fields),
                            action=path_for(request, "review_form", request_id=request_id), values=fields, error=str(exc))
        return render(request, "review/form.html", ctx, status_code=422)
    return see_other(request, "review_done", review_id=review.id)


@router.get("/reviews/{review_id:int}", name="review_done")
def review_done(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, review: OwnReview):
    """After submitting: your scores next to the automatic ones and the other reviewers'."""
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
            "mine": review.reviewer_id == reviewer.id,  # an admin may be reading someone else's review
            "revisions": review_service.revisions(db=db, review_id=review.id),
            "review_request": review_request,
            "consensus": review_service.consensus(review_request),
        },
    )


@router.get("/reviews/{review_id:int}/edit", name="review_edit")
def review_edit_form(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, review: OwnReview):
    """Edit your review until the candidate has read it."""
    if not review_service.can_edit(review, reviewer):
        raise HTTPException(403, "This review can no longer be edited: the candidate has read it, or it is not yours.")
    values = {d: str(getattr(review, d)) for d in DIMENSIONS}
    values |= {f"comment_{d}": (review.comments or {}).get(d, "") for d in DIMENSIONS}
    values |= {"overall_comment": review.overall_comment}
    chosen = review_service.sentences_of_passages(review.request.answer.text, review.passages or [])
    ctx = _form_context(db, catalog, review.request, chosen=chosen, action=path_for(request, "review_edit", review_id=review.id),
                        values=values, editing=True)
    return render(request, "review/form.html", ctx)


@router.post("/reviews/{review_id:int}/edit", dependencies=[CsrfDep])
def review_edit(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, fields: FormFields, review: OwnReview):
    """Save an edit; the previous version stays in the audit trail."""
    if not review_service.can_edit(review, reviewer):
        raise HTTPException(403, "This review can no longer be edited: the candidate has read it, or it is not yours.")
    try:
        scores, comments, overall = _review_input(fields)
        passages = review_service.passages_from(review.request.answer.text, review_service.chosen_sentences(fields))
        review_service.edit_review(db=db, editor=reviewer, review=review, scores=scores, comments=comments, overall_comment=overall, passages=passages)
    except review_service.ReviewError as exc:
        ctx = _form_context(db, catalog, review.request, chosen=review_service.chosen_sentences(fields),
                            action=path_for(request, "review_edit", review_id=review.id), values=fields, error=str(exc), editing=True)
        return render(request, "review/form.html", ctx, status_code=422)
    return see_other(request, "review_done", review_id=review.id)


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
    anchors = calibration_service.anchors(db=db)
    candidates = calibration_service.anchor_candidates(db=db) if reviewer.role == Role.ADMIN else []
    shown = [a.question_id for a in anchors] + [r.answer.question_id for r, _ in candidates]
    return render(
        request,
        "review/calibration.html",
        {"anchors": anchors, "attempts": calibration_service.attempts(db=db, reviewer=reviewer), "candidates": candidates,
         "questions": catalog_service.questions_by_id(catalog=catalog, ids=shown)},
    )


@router.get("/review/calibration/{anchor_id:int}", name="calibration_item")
def calibration_item(request: Request, reviewer: Reviewer, catalog: CatalogDep, anchor: AnchorDep):
    """Score one anchor answer blind."""
    return render(request, "review/calibrate.html", {"anchor": anchor, "question": catalog.question(anchor.question_id), "result": None, "values": {}, "error": None})


@router.post("/review/calibration/{anchor_id:int}", dependencies=[CsrfDep])
def calibration_submit(request: Request, reviewer: Reviewer, db: SessionDep, catalog: CatalogDep, fields: FormFields, anchor: AnchorDep):
    """Compare your scores with the reference."""
    ctx = {"anchor": anchor, "question": catalog.question(anchor.question_id), "values": fields, "error": None, "result": None}
    try:
        scores = review_service.parse_scores(fields)
    except review_service.ReviewError as exc:
        return render(request, "review/calibrate.html", ctx | {"error": str(exc)}, status_code=422)
    ctx["result"] = calibration_service.record_attempt(db=db, reviewer=reviewer, anchor=anchor, scores=scores)
    ctx["mine"] = scores
    return render(request, "review/calibrate.html", ctx)
