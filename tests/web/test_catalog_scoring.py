"""The offline scorer the site runs, against the real catalog: example answers beat their own truncations."""

import re

import pytest

from web.infra.scorer_model import bundled_scorer


def score(text, rubric):
    return bundled_scorer().score(text, rubric)


def _two_sentences(text: str) -> str:
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(sentences[:2])


def test_every_example_answer_beats_a_two_sentence_truncation(catalog):
    losers = []
    for question in catalog.questions.values():
        full = score(question.example_text, question.rubric)
        short = score(_two_sentences(question.example_text), question.rubric)
        if not full.overall > short.overall:
            losers.append((question.id, full.overall, short.overall))
    assert losers == []


@pytest.mark.parametrize("category", ["behavioral", "program-sense", "program-execution", "technical", "strategy"])
def test_example_answers_score_well_on_their_own_rubric(catalog, category):
    overall = [score(q.example_text, q.rubric).overall for q in catalog.questions.values() if q.category == category]
    assert min(overall) >= 3.5, overall


def test_every_rubric_key_point_is_matchable_by_its_own_example_or_phrases(catalog):
    """Each key point is covered by at least one of its phrases used verbatim as an answer."""
    unmatched = []
    for question in catalog.questions.values():
        for point in question.rubric.key_points:
            text = f"I would address this: {point.phrases[0]}."
            card = score(text, question.rubric)
            if point.id not in card.dimensions[point.dimension].covered:
                unmatched.append((question.id, point.id, point.phrases[0]))
    assert unmatched == []
