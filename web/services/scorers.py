"""The scorers the application can run, by name, with the settings they need."""

from __future__ import annotations

from collections.abc import Callable

from scoring.card import ScoreCard
from scoring.learned import LearnedScorer
from scoring.rubric import Rubric
from web.models import ScorerName
from web.settings import Settings

OFFLINE = ScorerName.OFFLINE
LLM = ScorerName.LLM


class ScorerUnavailable(RuntimeError):
    """The scorer gave up after its own retries; the job is failed at once and the offline score stands."""

    final = True


def _offline(text: str, rubric: Rubric, settings: Settings, offline: LearnedScorer) -> ScoreCard:
    return offline.score(text, rubric)


def _llm(text: str, rubric: Rubric, settings: Settings, offline: LearnedScorer) -> ScoreCard:
    from scoring.llm import LLMConfig, LLMFailure, judge_with_llm

    config = LLMConfig(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",
        model=settings.llm_model,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )
    try:
        return judge_with_llm(text, rubric, config=config)
    except LLMFailure as failure:
        # The offline card of this answer exists already (its own job): nothing is scored twice.
        raise ScorerUnavailable(failure.reason) from None


SCORERS: dict[str, Callable[[str, Rubric, Settings, LearnedScorer], ScoreCard]] = {OFFLINE: _offline, LLM: _llm}


def enabled_scorers(settings: Settings) -> list[str]:
    """Scorers to run on every new answer: offline always, the LLM when configured."""
    return [OFFLINE, LLM] if settings.llm_base_url else [OFFLINE]


def run_scorer(name: str, *, text: str, rubric: Rubric, settings: Settings, offline: LearnedScorer | None = None) -> ScoreCard:
    """Score one answer with the named scorer; `offline` is the live learned scorer (default: the bundled one)."""
    if offline is None:
        from web.infra.scorer_model import bundled_scorer

        offline = bundled_scorer()
    return SCORERS[name](text, rubric, settings, offline)
