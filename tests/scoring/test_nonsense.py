"""Answers that only look like answers score at most 2 on every dimension, with the learned scorer
the site runs and with the rule-based reading it is built on."""

from __future__ import annotations

import pytest

from scoring import DIMENSIONS, generic_rubric, score
from tests.scoring.samples import CONFLICT_QUESTION, MIGRATION_QUESTION, RESTATED, STRONG_MIGRATION_ANSWER

KEYWORD_LIST = (
    "stakeholders, risk mitigation, escalation, RACI, OKRs, roadmap, dependencies, rollback, "
    "weekly status, critical path, alignment, trade-offs, success metrics, phases, milestones, "
    "contingency plan, feature flags, steering committee, dashboards, ownership, influence"
)
FLUENT_SOUP = (
    "I always drive stakeholder alignment and proactively mitigate risks with a holistic, data-driven "
    "approach. I leverage escalation frameworks, a RACI and OKRs to unblock dependencies and ensure "
    "buy-in across the matrixed organization. By socializing the roadmap early and fostering a culture "
    "of ownership and accountability, I deliver value at scale with high velocity. Ultimately it's all "
    "about a customer-obsessed mindset, operational excellence and strong alignment across all key "
    "stakeholders going forward, which is how I would approach this migration."
)
GOOD_SENTENCE = (
    "I set up a weekly risk review with the payments and identity leads, and we cut the launch scope "
    "by 30% so the first wave could still move on March 1."
)
STAR_TEMPLATE = (
    "In my previous role there was a challenging situation. My task was to fix it. I took action and "
    "worked with stakeholders. The result was positive."
)
RECIPE = (
    "Preheat the oven to 180C. Whisk 3 eggs with 200g of sugar for 5 minutes until pale, then fold in "
    "250g of flour, a pinch of salt and 100g of melted butter. Pour the batter into a lined 23cm tin and "
    "bake for 35 minutes until golden. Let it cool on a rack for 20 minutes, then dust with icing sugar "
    "and serve to 8 people with fresh berries and cream."
)
GIBBERISH = "asdf qwer zxcv blorp fnargle wibble snork grelt vorp zzxq plimb torsk quib navel frindle"
DONT_KNOW = "I don't know."

MIGRATION_CASES = {
    "keyword soup as a bare list": KEYWORD_LIST,
    "keyword soup as fluent sentences": FLUENT_SOUP,
    "one good sentence repeated": " ".join([GOOD_SENTENCE] * 15),
    "the question restated": RESTATED,
    "a STAR template with no specifics": STAR_TEMPLATE,
    "a recipe": RECIPE,
    "gibberish": GIBBERISH,
    "I don't know": DONT_KNOW,
}


@pytest.fixture(params=["learned", "rules"])
def scorer(request):
    """Each offline scorer as a function of (text, rubric)."""
    if request.param == "rules":
        return score
    return request.getfixturevalue("learned").score


def _assert_at_most_two(scorer, text: str, question: str, category: str | None, migration_rubric=None) -> None:
    rubrics = [generic_rubric(question, category)]
    if migration_rubric is not None:
        rubrics.append(migration_rubric)
    for rubric in rubrics:
        card = scorer(text, rubric)
        too_high = {d: card.scores[d] for d in DIMENSIONS if card.scores[d] > 2}
        assert not too_high, (rubric.question_id, too_high, {d: card.dimensions[d].rationale for d in too_high})


@pytest.mark.parametrize("case", sorted(MIGRATION_CASES))
def test_nonsense_scores_at_most_two_everywhere(scorer, case, migration_rubric):
    _assert_at_most_two(scorer, MIGRATION_CASES[case], MIGRATION_QUESTION, "program-sense", migration_rubric)


def test_a_strong_answer_to_a_different_question_scores_at_most_two(scorer):
    _assert_at_most_two(scorer, STRONG_MIGRATION_ANSWER, CONFLICT_QUESTION, "behavioral")


def test_the_same_strong_answer_scores_well_on_its_own_question(scorer, migration_rubric, migration_generic):
    # The nonsense tests above mean something only if the scorer can also score high.
    for rubric in (migration_rubric, migration_generic):
        card = scorer(STRONG_MIGRATION_ANSWER, rubric)
        assert min(card.scores.values()) >= 4, card.scores


def test_repetition_scores_no_higher_than_the_sentence_alone(scorer, migration_generic):
    once = scorer(GOOD_SENTENCE, migration_generic)
    many = scorer(" ".join([GOOD_SENTENCE] * 15), migration_generic)
    assert many.scores == once.scores
