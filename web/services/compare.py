"""An answer beside its question's example answer: which key points each covers, and with which sentence."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from scoring.rubric import KeyPoint
from web.content import Question
from web.services import scorer_models


@dataclass(frozen=True)
class PointRow:
    """One key point and the sentence of each answer that covers it (None: not covered)."""

    point: KeyPoint
    yours: str | None
    example: str | None


def example_comparison(*, db: Session, question: Question, answer_text: str) -> list[PointRow]:
    """Each key point of the question's rubric, as the live scorer finds it in both answers."""
    if not question.example_text or not question.rubric.key_points:
        return []
    scorer = scorer_models.active_scorer(db=db)
    mine = scorer.read(answer_text, question.rubric)
    theirs = scorer.read(question.example_text, question.rubric)

    def sentence(reading, match) -> str | None:
        if not match.covered or match.sentence is None or match.sentence >= len(reading.sentences):
            return None
        found = reading.sentences[match.sentence]
        return reading.doc.text[found.start:found.end]  # as written, punctuation included

    return [PointRow(m.point, sentence(mine, m), sentence(theirs, e)) for m, e in zip(mine.key_points, theirs.key_points)]
