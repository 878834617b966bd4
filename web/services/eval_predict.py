"""Glue between the CLI and the scorers: predictions for graded records and cards for one answer."""

from __future__ import annotations

from collections.abc import Callable

from scoring.generic import generic_rubric
from scoring.card import ScoreCard
from scoring.rubric import DIMENSIONS, anchor_text
from web.services.scorers import run_scorer
from web.settings import Settings


def predictor(scorer: str, settings: Settings) -> Callable[[dict], dict[str, int]]:
    """A function mapping a graded record to predicted 1-5 scores with the chosen scorer."""

    from web.content import load_catalog
    from web.services.graded import rubric_for

    catalog = load_catalog(settings.content_dir)

    def predict(record: dict) -> dict[str, int]:
        # A catalog question is scored on its own rubric, as candidates are; any other on the generic one.
        rubric = rubric_for(record, catalog)
        return run_scorer(scorer, text=record["answer"], rubric=rubric, settings=settings).scores

    return predict


def score_text(text: str, *, question_id: str | None, question_text: str | None, scorer: str, settings: Settings) -> ScoreCard:
    """Score an answer against a catalog question or a free question text."""
    if question_id:
        from web.content import load_catalog

        question = load_catalog(settings.content_dir).question(question_id)
        if question is None:
            raise LookupError(f"no question with id '{question_id}' (see /questions for ids)")
        rubric = question.rubric
    else:
        rubric = generic_rubric(question_text or "")
    return run_scorer(scorer, text=text, rubric=rubric, settings=settings)


def print_card(card: ScoreCard, text: str) -> None:
    """Print a score card for a terminal."""
    print(f"Overall {card.overall:.1f}/5   scorer {card.scorer} {card.scorer_version}   rubric {card.rubric_hash}")
    for note in card.notes:
        print(f"  note: {note}")
    for d in DIMENSIONS:
        ds = card.dimensions[d]
        print(f"\n{d.capitalize():<14} {ds.score}/5  ({ds.value:.2f})  {anchor_text(d, ds.score)}")
        if ds.covered:
            print(f"  covered: {', '.join(ds.covered)}")
        if ds.missing:
            print(f"  missing: {', '.join(ds.missing)}")
        if ds.rationale:
            print(f"  {ds.rationale}")
        for ev in ds.evidence[:4]:
            effect = f"{ev.effect:+.2f}" if ev.effect else "·"
            print(f"  {effect} \"{ev.text[:90]}\"")
    if card.strengths:
        print("\nStrengths:")
        for s in card.strengths:
            print(f"  + {s}")
    if card.improvements:
        print("\nTo improve:")
        for s in card.improvements:
            print(f"  - {s}")
