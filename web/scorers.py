"""The scorers the application can run, by name, with the settings they need."""

from __future__ import annotations

from collections.abc import Callable

from scoring.card import ScoreCard
from scoring.learned import LearnedScorer
from scoring.rubric import Rubric
from web.settings import Settings

OFFLINE = "offline"
LLM = "llm"


class ScorerUnavailable(RuntimeError):
    """The scorer gave up after its own retries; the job is failed at once and the offline score stands."""

    final = True


def _offline(text: str, rubric: Rubric, settings: Settings, offline: LearnedScorer) -> ScoreCard:
    return offline.score(text, rubric)


def _llm(text: str, rubric: Rubric, settings: Settings, offline: LearnedScorer) -> ScoreCard:
    from scoring.llm import LLMConfig, score_with_llm

    config = LLMConfig(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        model=settings.llm_model,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )
    card = score_with_llm(text, rubric, config=config, fallback=offline.score)
    if card.scorer != LLM:
        # The LLM scorer fell back to the offline card; that card exists already, so record why instead.
        reason = "; ".join(card.notes) or str(card.meta.get("llm_error", "unknown error"))
        raise ScorerUnavailable(reason)
    return card


SCORERS: dict[str, Callable[[str, Rubric, Settings, LearnedScorer], ScoreCard]] = {OFFLINE: _offline, LLM: _llm}


def enabled_scorers(settings: Settings) -> list[str]:
    """Scorers to run on every new answer: offline always, the LLM when configured."""
    return [OFFLINE, LLM] if settings.llm_base_url else [OFFLINE]


def run_scorer(name: str, *, text: str, rubric: Rubric, settings: Settings, offline: LearnedScorer | None = None) -> ScoreCard:
    """Score one answer with the named scorer; `offline` is the live learned scorer (default: the bundled one)."""
    if offline is None:
        from web.scorer_model import bundled_scorer

        offline = bundled_scorer()
    return SCORERS[name](text, rubric, settings, offline)
