"""Your data: everything a user has, exported as JSON or Markdown, and deleting the account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from web.content import Catalog
from web.models import AnchorAnswer, Answer, Bookmark, MockInterview, Note, ReviewRequest, ReviewStatus, User

EXPORT_VERSION = 1


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def export(*, db: Session, user: User, catalog: Catalog) -> dict[str, Any]:
    """Everything stored about a user: account, answers with score cards and reviews, notes, bookmarks, mocks."""
    answers = db.scalars(select(Answer).where(Answer.user_id == user.id).options(selectinload(Answer.score_cards)).order_by(Answer.id)).all()
    requests = {
        r.answer_id: r
        for r in db.scalars(
            select(ReviewRequest).join(Answer, Answer.id == ReviewRequest.answer_id).where(Answer.user_id == user.id).options(selectinload(ReviewRequest.reviews))
        )
    }
    out_answers = []
    for answer in answers:
        question = catalog.question(answer.question_id)
        request = requests.get(answer.id)
        reviews = request.reviews if request is not None and request.status == ReviewStatus.REVIEWED else []
        out_answers.append(
            {
                "id": answer.id,
                "question_id": answer.question_id,
                "question_title": question.title if question else None,
                "source": answer.source,
                "text": answer.text,
                "submitted_at": _iso(answer.submitted_at),
                "time_taken_seconds": answer.time_taken_seconds,
                "word_count": answer.word_count,
                "status": answer.status,
                "score_cards": [r.card for r in answer.score_cards],
                "review_status": request.status if request else None,
                "reviews": [
                    {
                        "adjudication": r.is_adjudication,
                        "scores": {d: getattr(r, d) for d in ("strategy", "risk", "communication", "leadership")},
                        "comments": r.comments,
                        "overall_comment": r.overall_comment,
                        "passages": r.passages,
                        "at": _iso(r.updated_at),
                    }
                    for r in reviews
                ],
            }
        )
    notes = db.scalars(select(Note).where(Note.user_id == user.id).order_by(Note.id)).all()
    bookmarks = db.scalars(select(Bookmark).where(Bookmark.user_id == user.id).order_by(Bookmark.id)).all()
    mocks = db.scalars(select(MockInterview).where(MockInterview.user_id == user.id).options(selectinload(MockInterview.items)).order_by(MockInterview.id)).all()
    return {
        "export_version": EXPORT_VERSION,
        "account": {"email": user.email, "role": user.role, "created_at": _iso(user.created_at)},
        "answers": out_answers,
        "notes": [{"question_id": n.question_id, "text": n.text, "updated_at": _iso(n.updated_at)} for n in notes],
        "bookmarks": [{"question_id": b.question_id, "created_at": _iso(b.created_at)} for b in bookmarks],
        "mock_interviews": [
            {
                "track_id": m.track_id,
                "status": m.status,
                "started_at": _iso(m.started_at),
                "items": [{"question_id": i.question_id, "answer_id": i.answer_id, "follow_up": i.follow_up, "follow_up_answer_id": i.follow_up_answer_id} for i in m.items],
            }
            for m in mocks
        ],
    }


def to_markdown(data: dict[str, Any]) -> str:
    """The export as a readable Markdown document."""
    lines = [f"# tpmprep export for {data['account']['email']}", "", f"Account created {data['account']['created_at']}.", ""]
    lines += ["## Answers", ""]
    for a in data["answers"]:
        lines += [f"### {a['question_title'] or a['question_id']} ({a['submitted_at']})", "", a["text"], ""]
        for card in a["score_cards"]:
            scores = ", ".join(f"{d} {v}" for d, v in card["scores"].items())
            lines += [f"- Score ({card['scorer']} {card['scorer_version']}): {scores}; overall {card['overall']:.1f}"]
        for review in a["reviews"]:
            scores = ", ".join(f"{d} {v}" for d, v in review["scores"].items())
            lines += [f"- Human review: {scores}" + (f" — {review['overall_comment']}" if review["overall_comment"] else "")]
        lines.append("")
    lines += ["## Notes", ""]
    lines += [f"- **{n['question_id']}**: {n['text']}" for n in data["notes"]] or ["(none)"]
    lines += ["", "## Bookmarks", ""]
    lines += [f"- {b['question_id']}" for b in data["bookmarks"]] or ["(none)"]
    return "\n".join(lines) + "\n"


def delete_account(*, db: Session, user: User) -> None:
    """Remove the user and everything personal: answers, cards, sessions, notes, bookmarks, mocks.

    Reviews this user wrote of other people's answers stay (those answers' owners rely on them)
    but no longer point at the deleted account.
    """
    # An anchor made from one of their answers holds a copy of its text: it goes too (the delete
    # page promises the answers are gone, and a copy is still the answer).
    own_answers = select(Answer.id).where(Answer.user_id == user.id)
    db.execute(delete(AnchorAnswer).where(AnchorAnswer.source_answer_id.in_(own_answers)))
    # Foreign keys do the rest: CASCADE for what the user owns, SET NULL on reviews they wrote.
    db.execute(delete(User).where(User.id == user.id))
