"""The learned scorer: exact per-sentence explanations, readable cards, relevance and key points by meaning."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from scoring.generic import generic_rubric
from scoring.rubric import DIMENSIONS
from tests.scoring.samples import MIGRATION_QUESTION, STRONG_MIGRATION_ANSWER

WEAK = "We had a project. It was late. We worked hard and it was fine in the end."


def test_cards_are_deterministic(learned, migration_rubric):
    assert learned.score(STRONG_MIGRATION_ANSWER, migration_rubric).to_dict() == \
        learned.score(STRONG_MIGRATION_ANSWER, migration_rubric).to_dict()


@pytest.mark.parametrize("text", [STRONG_MIGRATION_ANSWER, WEAK])
def test_sentence_contributions_add_up_to_the_value(learned, migration_rubric, text):
    reading = learned.read(text, migration_rubric)
    values = learned.values(reading)
    for d in DIMENSIONS:
        baseline, per_sentence, whole = learned.contributions(reading, d)
        assert len(per_sentence) == len(reading.sentences)
        assert baseline + per_sentence.sum() + whole == pytest.approx(values[d], abs=1e-9)


def test_evidence_is_whole_sentences_in_plain_words(learned, migration_rubric):
    card = learned.score(STRONG_MIGRATION_ANSWER, migration_rubric)
    starts = {(s.start, s.end) for s in learned.read(STRONG_MIGRATION_ANSWER, migration_rubric).sentences}
    shown = [e for d in DIMENSIONS for e in card.dimensions[d].evidence]
    assert shown, "a strong answer shows what earned its scores"
    for e in shown:
        assert (e.start, e.end) in starts
        assert e.text == STRONG_MIGRATION_ANSWER[e.start : e.end]
        assert re.fullmatch(r"(raised|lowered) \w+ by \d\.\d\d \(\d+% of what the sentences moved\)", e.label), e.label
        assert (e.effect > 0) == e.label.startswith("raised")


def test_no_internal_ids_or_signal_names_reach_the_candidate(learned, migration_rubric):
    card = learned.score(STRONG_MIGRATION_ANSWER, migration_rubric)
    ids = {p.id for p in migration_rubric.key_points if "-" in p.id} | {"risk_term", "evidence_", "key_points_", "log_words"}
    text = " ".join([*card.strengths, *card.improvements, *card.notes,
                     *(card.dimensions[d].rationale for d in DIMENSIONS),
                     *(e.label for d in DIMENSIONS for e in card.dimensions[d].evidence)])
    assert not [i for i in ids if i in text], text


def test_a_dimension_scored_one_shows_what_is_missing_not_evidence(learned, migration_rubric):
    card = learned.score("I don't know.", migration_rubric)
    for d in DIMENSIONS:
        assert card.dimensions[d].score == 1
        assert card.dimensions[d].evidence == ()
    assert card.improvements


def test_feedback_never_says_a_present_word_is_missing(learned, migration_rubric):
    card = learned.score(WEAK, generic_rubric("Tell me about a difficult project.", "behavioral"))
    assert not any("says little about" in s for s in card.improvements)


def test_a_paragraph_pasted_many_times_scores_no_higher_than_once(learned, catalog):
    question = catalog.question("pe-six-week-slip-recovery")
    paragraph = max(question.example_text.split("\n\n"), key=len)
    once = learned.score(paragraph, question.rubric)
    many = learned.score("\n\n".join([paragraph] * 13), question.rubric)
    assert many.overall <= once.overall
    assert all(many.scores[d] <= once.scores[d] for d in DIMENSIONS)


def test_the_bundled_model_is_named_by_its_version(learned):
    card = learned.score(STRONG_MIGRATION_ANSWER, generic_rubric(MIGRATION_QUESTION, "program-sense"))
    assert card.scorer == "offline"
    assert card.scorer_version == learned.model.version
    assert re.fullmatch(r"learned-[0-9a-f]{10}", card.scorer_version)


def test_the_text_model_separates_related_from_unrelated_sentences(learned):
    v = learned.space.vectors([
        "I own the plan, but the dates come from the engineering leads.",
        "The engineering leads set the dates; the plan is mine to run.",
        "Whisk the eggs with sugar until pale and fold in the flour.",
    ])
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2]


# ---------------------------------------------------------------- relevance on the catalog itself

def _sample(catalog, seed: int = 11):
    questions = sorted(catalog.questions.values(), key=lambda q: q.id)
    return questions, random.Random(seed)


def test_every_example_answer_beats_other_questions_on_its_own(learned, catalog):
    questions, rng = _sample(catalog)
    losses = []
    for q in questions:
        own = learned.score(q.example_text, q.rubric).overall
        for other in rng.sample([o for o in questions if o.id != q.id], 5):
            elsewhere = learned.score(q.example_text, other.rubric).overall
            if elsewhere >= own:
                losses.append((q.id, own, other.id, elsewhere))
    # Measured: none of 525 pairs (benchmarks/relevance.py). The six-week-slip answer on "bad news
    # to executives", whose key points it genuinely covers, is the closest call; one loss is allowed.
    assert len(losses) <= 1, losses


def test_answers_scored_against_another_category_are_held_to_two(learned, catalog):
    questions, rng = _sample(catalog, seed=5)
    held, total = 0, 0
    for q in questions:
        others = [o for o in questions if o.category != q.category]
        for other in rng.sample(others, 8):
            total += 1
            held += learned.score(q.example_text, other.rubric).overall <= 2.0
    # The goal is 90%. benchmarks/relevance.py measured 90.6% of 8,770 pairs on 105 questions and
    # 88.6% of 14,468 on 135 (2026-12-05): the second edition added questions that share a topic
    # across categories (generative AI in four, metric investigations beside launches) and gave
    # every planning answer the same labelled paragraphs (critical path, top risk, rollout gates).
    # This sample of 1,080 is a regression check a little below today's figure, not the goal.
    assert held / total >= 0.86, (held, total)


# ---------------------------------------------------------------- key points by meaning

# Paraphrases written for these tests: none uses a phrase listed in the rubric.
PARAPHRASES = {
    ("pe-six-week-slip-recovery", "reprioritizes-scope"): [
        "I would rank the remaining scope by business value and move the lowest items explicitly to phase two.",
        "We ordered what was left of the scope by business value and agreed in writing which pieces would wait for a later phase.",
    ],
    ("pe-six-week-slip-recovery", "tells-sponsor-early"): [
        "The same afternoon I went to the program's sponsor, explained the slip directly and proposed what we should do about it.",
    ],
    ("ps-cloud-cost-reduction", "visibility-first"): [
        "My first step would be making spend visible: every team labels its resources so costs can be traced to the owning team and reported back to them.",
    ],
    ("ps-cloud-cost-reduction", "reliability-guardrails"): [
        "Each saving had to stay within our service level objectives, so cutting cost never put reliability at risk or caused an incident.",
    ],
    ("tech-zero-downtime-db-migration", "hidden-dependencies"): [
        "Before the cutover I would find every hidden consumer of the old database, like nightly exports, reports and scripts that query it straight.",
    ],
    ("tech-zero-downtime-db-migration", "verification"): [
        "We proved the two copies held identical data by comparing them every night and reading from both before trusting the new store.",
    ],
    ("strat-build-buy-or-partner", "total-cost-of-ownership"): [
        "I compared the full multi-year cost of each option, counting the engineers and upkeep, not only the vendor's price.",
    ],
    ("beh-missed-deadline", "owns-it"): [
        "The miss was mine: I accepted the responsibility personally and never blamed the vendor or my engineers.",
    ],
    ("beh-missed-deadline", "early-signal"): [
        "The slip first became visible in week six, when the share of passing tests flattened, and that signal told me when it started.",
    ],
}
UNRELATED = [
    "We celebrated the launch with a team lunch at the Italian place near the office.",
    "The office moved to a new building with better coffee and more meeting rooms.",
    "My manager at the time had joined from a bank and liked long slide decks.",
]


def _by_meaning(learned, question, sentence: str, point_id: str) -> bool:
    reading = learned.read(sentence, question.rubric)
    match = next(m for m in reading.key_points if m.point.id == point_id)
    return match.covered and not match.by_phrase


@pytest.mark.parametrize("key", sorted(PARAPHRASES), ids=lambda k: f"{k[0]}:{k[1]}")
def test_a_key_point_said_in_other_words_is_credited(learned, catalog, key):
    question_id, point_id = key
    question = catalog.question(question_id)
    point = next(p for p in question.rubric.key_points if p.id == point_id)
    for sentence in PARAPHRASES[key]:
        assert not any(phrase.lower() in sentence.lower() for phrase in point.phrases), "not a paraphrase"
        assert _by_meaning(learned, question, sentence, point_id), sentence


@pytest.mark.parametrize("question_id", sorted({k[0] for k in PARAPHRASES}))
def test_unrelated_sentences_cover_no_key_point(learned, catalog, question_id):
    question = catalog.question(question_id)
    for sentence in UNRELATED:
        reading = learned.read(sentence, question.rubric)
        assert not [m.point.id for m in reading.key_points if m.covered], sentence


def test_adding_a_missing_point_raises_the_score_and_covers_it(learned, catalog):
    question = catalog.question("pe-six-week-slip-recovery")
    base = (
        "We were six weeks behind on the checkout rebuild. I met the engineering leads and we found that "
        "the payments integration had been estimated at two weeks and needed five. I rebuilt the critical "
        "path with them and added a buffer week. I set weekly checkpoints on the burn-down so we would know "
        "early if the plan was failing, and I sent the sponsor a short written update every Friday."
    )
    added = base + (" I would rank the remaining scope by business value and move the lowest items "
                    "explicitly to phase two.")
    before, after = learned.score(base, question.rubric), learned.score(added, question.rubric)
    assert "reprioritizes-scope" in before.dimensions["strategy"].missing
    assert "reprioritizes-scope" in after.dimensions["strategy"].covered
    assert after.dimensions["strategy"].value > before.dimensions["strategy"].value
    assert after.overall > before.overall


def test_the_key_point_threshold_is_calibrated_not_zero(learned):
    # A point counts only above the similarity that 95% of unrelated answers stay under.
    assert 0.1 < learned.model.key_point_threshold < 0.9
    assert np.isfinite(learned.model.key_point_threshold)
