"""A candidate's answers: history and the answer (feedback) page."""

from fastapi import APIRouter, Depends, Request, Response

from scoring.card import ScoreCard
from web.routes.deps import CSRF_HEADER, CatalogDep, CsrfDep, CurrentUser, PageQuery, SessionDep, current_viewer
from web.models import JobStatus, ReviewStatus
from web.routes.loaders import OwnAnswer
from web.routes.urls import see_other
from web.ui.rendering import render
from web.services import recordings as recording_service
from web.services import answers as answer_service
from web.services import catalog as catalog_service
from web.services import compare as compare_service
from web.services import reviews as review_service
from web.services import scoring_jobs

router = APIRouter(prefix="/answers", dependencies=[Depends(current_viewer)])


@router.get("", name="answers")
def history(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep, page: PageQuery = 1):
    """Every answer the user has submitted, newest first."""
    page_obj = answer_service.list_answers(db=db, user=user, page=page)
    questions = catalog_service.questions_by_id(catalog=catalog, ids=[a.question_id for a in page_obj.items])
    return render(request, "answers/index.html", {"page": page_obj, "questions": questions})


@router.get("/{answer_id:int}", name="answer")
def answer_page(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep, answer: OwnAnswer):
    """The answer with its score cards and scoring status."""
    cards = [ScoreCard.from_dict(r.card) for r in answer.score_cards]
    jobs = scoring_jobs.jobs_for_answer(db=db, answer_id=answer.id)
    question = catalog.question(answer.question_id)
    review_request = review_service.request_for_answer(db=db, answer_id=answer.id)
    reviews = review_request.reviews if review_request is not None and review_request.status == ReviewStatus.REVIEWED else []
    return render(
        request,
        "answers/detail.html",
        {
            "answer": answer,
            "question": question,
            "cards": cards,
            "jobs": jobs,
            "pending": any(j.status in (JobStatus.PENDING, JobStatus.RUNNING) for j in jobs),
            "review_request": review_request,
            "review_status": review_service.candidate_status(review_request),
            "reviews": reviews,
            # The page reports back that the reviews were read (a GET never writes): see answer_seen.
            "unseen": any(r.seen_by_candidate_at is None for r in reviews),
            "consensus": review_service.consensus(review_request) if review_request else None,
            "comparison": compare_service.example_comparison(db=db, question=question, answer_text=answer.text) if question else [],
            "recording": recording_service.for_answer(db=db, answer_id=answer.id),
        },
    )


@router.post("/{answer_id:int}/seen", name="answer_seen", dependencies=[CsrfDep])
def answer_seen(request: Request, user: CurrentUser, db: SessionDep, answer: OwnAnswer):
    """The candidate has read the reviews on this page: they lock against edits and their
    notifications are read. The page posts this itself once shown; without script, a button does."""
    review_service.mark_seen(db=db, user=user, request=review_service.request_for_answer(db=db, answer_id=answer.id))
    if request.headers.get(CSRF_HEADER):  # the page's own script: nothing to show
        return Response(status_code=204)
    return see_other(request, "answer", answer_id=answer.id, fragment="human-review")
