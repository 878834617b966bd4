"""Load-or-404 dependencies: the question, answer, interview or review a URL names, if the viewer may see it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from web.content import Question
from web.models import AnchorAnswer, Answer, MockInterview, Review, ReviewRequest, Role
from web.routes.deps import CatalogDep, CurrentUser, IdPath, SessionDep
from web.services import answers as answer_service
from web.services import calibration as calibration_service
from web.services import mock as mock_service
from web.services import reviews as review_service


def _found(thing, message: str):
    """The thing a URL names, or a 404 saying there is none (for anyone who may not see it, too)."""
    if thing is None:
        raise HTTPException(404, message)
    return thing


def _question(catalog: CatalogDep, question_id: str) -> Question:
    return _found(catalog.question(question_id), "No question here.")


def _own_answer(user: CurrentUser, db: SessionDep, answer_id: IdPath) -> Answer:
    # Someone else's answer is a 404 too, so ids reveal nothing.
    return _found(answer_service.get_own_answer(db=db, user=user, answer_id=answer_id), "No answer here.")


def _own_interview(user: CurrentUser, db: SessionDep, interview_id: IdPath) -> MockInterview:
    return _found(mock_service.get_own(db=db, user=user, interview_id=interview_id), "No mock interview here.")


def _review_request(db: SessionDep, request_id: IdPath) -> ReviewRequest:
    return _found(review_service.get_request(db=db, request_id=request_id), "No such review request.")


def _own_review(user: CurrentUser, db: SessionDep, review_id: IdPath) -> Review:
    # Its author or an admin may look at a review; anyone else gets a 404.
    review = review_service.get_review(db=db, review_id=review_id)
    visible = review is not None and (review.reviewer_id == user.id or user.role == Role.ADMIN)
    return _found(review if visible else None, "No review here.")


def _anchor(db: SessionDep, anchor_id: IdPath) -> AnchorAnswer:
    return _found(calibration_service.get_anchor(db=db, anchor_id=anchor_id), "No such anchor answer.")


QuestionDep = Annotated[Question, Depends(_question)]
OwnAnswer = Annotated[Answer, Depends(_own_answer)]
OwnInterview = Annotated[MockInterview, Depends(_own_interview)]
ReviewRequestDep = Annotated[ReviewRequest, Depends(_review_request)]
OwnReview = Annotated[Review, Depends(_own_review)]
AnchorDep = Annotated[AnchorAnswer, Depends(_anchor)]
