"""Bookmarks and private notes on questions."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from web.db import utcnow
from web.models import Bookmark, Note, User

MAX_NOTE_CHARS = 10_000


def is_bookmarked(*, db: Session, user_id: int, question_id: str) -> bool:
    """Whether the user saved this question."""
    return db.scalar(select(Bookmark.id).where(Bookmark.user_id == user_id, Bookmark.question_id == question_id)) is not None


def toggle_bookmark(*, db: Session, user: User, question_id: str) -> bool:
    """Save or unsave a question; returns whether it is now saved."""
    if is_bookmarked(db=db, user_id=user.id, question_id=question_id):
        db.execute(delete(Bookmark).where(Bookmark.user_id == user.id, Bookmark.question_id == question_id))
        return False
    db.add(Bookmark(user_id=user.id, question_id=question_id))
    db.flush()
    return True


def note_for(*, db: Session, user_id: int, question_id: str) -> Note | None:
    """The user's note on a question, if any."""
    return db.scalar(select(Note).where(Note.user_id == user_id, Note.question_id == question_id))


def save_note(*, db: Session, user: User, question_id: str, text: str) -> Note | None:
    """Create, change or (when emptied) delete the user's note on a question."""
    text = text.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise ValueError(f"Notes are limited to {MAX_NOTE_CHARS:,} characters; yours has {len(text):,}.")
    note = note_for(db=db, user_id=user.id, question_id=question_id)
    if not text:
        if note is not None:
            db.delete(note)
        return None
    if note is None:
        note = Note(user_id=user.id, question_id=question_id, text=text)
        db.add(note)
    else:
        note.text, note.updated_at = text, utcnow()
    db.flush()
    return note


def saved_items(*, db: Session, user: User) -> tuple[list[Bookmark], list[Note]]:
    """A user's bookmarks and notes, newest first."""
    bookmarks = list(db.scalars(select(Bookmark).where(Bookmark.user_id == user.id).order_by(Bookmark.created_at.desc())))
    notes = list(db.scalars(select(Note).where(Note.user_id == user.id).order_by(Note.updated_at.desc())))
    return bookmarks, notes
