"""A candidate's answers: history and the answer (feedback) page."""

from fastapi import APIRouter, Depends, HTTPException, Request

from scoring.card import ScoreCard
from web.routes.deps import CatalogDep, CurrentUser, IdPath, PageQuery, SessionDep, optional_user
from web.models import Answer
from web.ui.rendering import render
from web.services import answers as answer_service
from web.services import reviews as review_service
from web.services import scoring_jobs

router = APIRouter(prefix="/answers", dependencies=[Depends(optional_user)])


def get_own_answer(db, user, answer_id: IdPath) -> Answer:
    """The user's answer, or 404 (also for other people's answers, so ids reveal nothing)."""
    answer = answer_service.get_own_answer(db=db, user=user, answer_id=answer_id)
    if answer is None:
        raise HTTPException(404, "No answer here.")
    return answer


@router.get("", name="answers")
def history(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep, page: PageQuery = 1):
    """Every answer the user has submitted, newest first."""
    page_obj = answer_service.list_answers(db=db, user=user, page=page)
    return render(request, "answers/index.html", {"page": page_obj, "catalog": catalog})


@router.get("/{answer_id:int}", name="answer")
def answer_page(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep, answer_id: IdPath):
    """The answer with its score cards and scoring status."""
    answer = get_own_answer(db, user, answer_id)
    cards = [ScoreCard.from_dict(r.card) for r in answer.score_cards]
    jobs = scoring_jobs.jobs_for_answer(db=db, answer_id=answer.id)
    review_request = review_service.request_for_answer(db=db, answer_id=answer.id)
    # Opening a reviewed answer locks its reviews against edits and reads its notifications.
    review_service.mark_seen(db=db, user=user, request=review_request)
    reviews = review_request.reviews if review_request is not None and review_request.status == "reviewed" else []
    return render(
        request,
        "answers/detail.html",
        {
            "answer": answer,
            "question": catalog.question(answer.question_id),
            "cards": cards,
            "jobs": jobs,
            "pending": any(j.status in ("pending", "running") for j in jobs),
            "review_request": review_request,
            "review_status": review_service.candidate_status(review_request),
            "reviews": reviews,
            "consensus": review_service.consensus(review_request) if review_request else None,
        },
    )
