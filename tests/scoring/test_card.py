"""The offline score card: deterministic, explained by valid evidence, serialisable, tied to the rubric."""

from __future__ import annotations

import json

from scoring import DIMENSIONS, SCORER_NAME, SCORER_VERSION, ScoreCard, score
from scoring.rubric import Rubric
from tests.scoring.samples import STRONG_MIGRATION_ANSWER

SPOKEN = (
    "Um so last year I was uh running the data team's migration and, like, the vendor slipped two weeks. "
    "So I decided to move the cutover to March 3 and I told the VP and the finance lead the same day. "
    "If the vendor slipped again we would keep the old system running, and in the end we shipped on time."
)


def test_the_same_input_gives_an_identical_card(migration_rubric):
    first = score(STRONG_MIGRATION_ANSWER, migration_rubric).to_dict()
    second = score(STRONG_MIGRATION_ANSWER, migration_rubric).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    # A rubric rebuilt from its dict is the same rubric: same card, same hash.
    rebuilt = Rubric.from_dict(migration_rubric.to_dict())
    assert score(STRONG_MIGRATION_ANSWER, rebuilt).to_dict() == first


def test_card_names_scorer_version_and_rubric(migration_rubric):
    card = score(STRONG_MIGRATION_ANSWER, migration_rubric)
    assert (card.scorer, card.scorer_version) == (SCORER_NAME, SCORER_VERSION) == ("offline", SCORER_VERSION)
    assert card.rubric_hash == migration_rubric.fingerprint()


def test_every_evidence_span_quotes_the_original_text(migration_rubric, migration_generic):
    for text in (STRONG_MIGRATION_ANSWER, SPOKEN, "  Leading spaces,\n\n- a list\n- of items  "):
        for rubric in (migration_rubric, migration_generic):
            card = score(text, rubric)
            for d in DIMENSIONS:
                for ev in card.dimensions[d].evidence:
                    assert 0 <= ev.start < ev.end <= len(text)
                    assert text[ev.start:ev.end] == ev.text
                    assert ev.dimension == d and ev.label


def test_evidence_labels_are_key_point_ids_or_signal_names(migration_rubric):
    card = score(STRONG_MIGRATION_ANSWER, migration_rubric)
    ids = {p.id for p in migration_rubric.key_points}
    labels = {ev.label for d in DIMENSIONS for ev in card.dimensions[d].evidence}
    assert labels & ids  # key points are quoted
    assert labels - ids  # and so are general signals (metrics, mitigations, actions...)


def test_scores_are_integers_from_their_continuous_values(migration_rubric):
    card = score(SPOKEN, migration_rubric)
    for d in DIMENSIONS:
        ds = card.dimensions[d]
        assert isinstance(ds.score, int) and 1 <= ds.score <= 5
        assert 1.0 <= ds.value <= 5.0 and abs(ds.score - ds.value) <= 0.5


def test_covered_and_missing_partition_the_dimension_key_points(migration_rubric):
    card = score(STRONG_MIGRATION_ANSWER, migration_rubric)
    for d in DIMENSIONS:
        ids = [p.id for p in migration_rubric.points_for(d)]
        ds = card.dimensions[d]
        assert sorted(ds.covered + ds.missing) == sorted(ids) and not set(ds.covered) & set(ds.missing)


def test_overall_uses_the_rubric_weights(migration_rubric):
    card = score(SPOKEN, migration_rubric)
    weights = migration_rubric.normalised_weights()
    assert card.overall == round(sum(weights[d] * card.scores[d] for d in DIMENSIONS), 2)


def test_feedback_refers_to_the_questions_own_key_points(migration_rubric):
    descriptions = {p.description.rstrip(".") for p in migration_rubric.key_points}
    strong = score(STRONG_MIGRATION_ANSWER, migration_rubric)
    assert 2 <= len(strong.strengths) <= 3
    assert any(any(desc in s for desc in descriptions) for s in strong.strengths)
    weak = score("We moved the services to the cloud in some waves and it went fine.", migration_rubric)
    assert 2 <= len(weak.improvements) <= 3
    missing = [i[len("Missing: "):].rstrip(".") for i in weak.improvements if i.startswith("Missing: ")]
    assert set(missing) & descriptions


def test_card_round_trips_through_json(migration_rubric):
    card = score(SPOKEN, migration_rubric)
    data = json.loads(json.dumps(card.to_dict()))
    again = ScoreCard.from_dict(data)
    assert again == card
    assert again.to_dict() == card.to_dict()
