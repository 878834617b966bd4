"""Submitting an answer from any page or the API: store it, commit, then score it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from web.content import Question
from web.models import Answer, User
from web.services import answers as answer_service
from web.services import reviews as review_service
from web.services import scoring_jobs


def submit_and_score(
    *, app_state, db: Session, user: User, question: Question, text: str, started_at: datetime | None, source: str = "practice"
) -> Answer:
    """Validate and store the answer, commit it (nothing is lost if scoring fails), then run the offline scorer.

    Raises answer_service.AnswerError, before anything is stored, when the text is not acceptable.
    """
    settings = app_state.settings
    answer = answer_service.submit_answer(
        db=db, user=user, question=question, text=text, started_at=started_at, max_chars=settings.max_answer_chars, source=source
    )
    scoring_jobs.enqueue(db=db, answer=answer, settings=settings)
    if settings.review_all_answers and source == "practice":
        review_service.request_review(db=db, answer=answer, reviews_needed=settings.reviews_per_answer)
    db.commit()  # the answer is safe before scoring starts
    scoring_jobs.score_now(app_state=app_state, answer_id=answer.id, scorer="offline")
    db.expire_all()  # pick up the card and status the scorer wrote in its own transaction
    return answer
