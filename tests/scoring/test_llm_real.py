"""The LLM scorer against a real OpenAI-compatible server (run by .ci/llm_smoke.sh; skipped otherwise)."""

from __future__ import annotations

import json
import os

import pytest

from scoring import llm
from scoring.card import MAX_SCORE, MIN_SCORE
from scoring.llm import LLMConfig, score_with_llm
from scoring.rubric import DIMENSIONS, KeyPoint, Rubric

BASE_URL = os.environ.get("TPMPREP_LLM_TEST_BASE_URL", "")
MODEL = os.environ.get("TPMPREP_LLM_TEST_MODEL", "smollm2")
# A 135M model on two CPU cores reads a ~1,500-token prompt and writes ~400 tokens: about a minute.
TIMEOUT = float(os.environ.get("TPMPREP_LLM_TEST_TIMEOUT", "240"))

pytestmark = pytest.mark.skipif(not BASE_URL, reason="set TPMPREP_LLM_TEST_BASE_URL to test a real LLM server")

RUBRIC = Rubric(
    question_id="real-smoke",
    question_text="Tell me about a program that was slipping and how you got it back on track.",
    key_points=(
        KeyPoint("critical-path", "strategy", "Replans around the critical path and cuts scope deliberately.", ()),
        KeyPoint("dependency-risk", "risk", "Names the riskiest dependency and agrees a mitigation or rollback.", ()),
        KeyPoint("status-cadence", "communication", "Keeps leadership and partner teams informed on a cadence.", ()),
        KeyPoint("owns-outcome", "leadership", "Owns the recovery and reports the outcome with numbers.", ()),
    ),
)
ANSWER = (
    "Last year I ran the migration of our payments service to a new ledger, and at the midpoint we were "
    "six weeks behind. I rebuilt the plan around the critical path and cut two low-value features with "
    "the product lead. The biggest risk was the ledger team's dependency, so I agreed a rollback plan and a "
    "weekly checkpoint with their manager. I sent a weekly status update to the VP and the partner teams "
    "with the top three risks. We launched two weeks late instead of six, with zero payment errors, and I "
    "ran a retrospective that changed how we estimate integrations."
)


def test_real_server_gives_a_valid_card_or_an_honest_fallback():
    llm.clear_format_cache()
    config = LLMConfig(base_url=BASE_URL, api_key="not-needed", model=MODEL, timeout=TIMEOUT, max_retries=1)
    card = score_with_llm(ANSWER, RUBRIC, config=config)
    print("\nLLM smoke outcome:", json.dumps({"scorer": card.scorer, "scores": card.scores, "notes": card.notes,
                                              "meta": card.meta}, indent=2, default=str))

    assert card.meta["prompt_version"] == llm.PROMPT_VERSION
    assert isinstance(card.meta["latency_ms"], int)
    if card.scorer == "llm":
        assert card.scorer_version == f"{llm.PROMPT_VERSION}:{MODEL}"
        assert card.meta["response_format"] in llm.FORMATS
        assert llm.known_format(BASE_URL) == card.meta["response_format"]
        for d in DIMENSIONS:
            dim = card.dimensions[d]
            assert MIN_SCORE <= dim.score <= MAX_SCORE
            assert set(dim.covered) | set(dim.missing) == {p.id for p in RUBRIC.points_for(d)}
            for ev in dim.evidence:
                assert ev.text == ANSWER[ev.start:ev.end]
        for key in ("model", "prompt_tokens", "completion_tokens", "dropped_quotes", "clamped"):
            assert key in card.meta
    else:
        assert card.scorer == "offline"
        assert card.meta["fallback"] is True and card.meta["llm_error"]
        assert card.notes[-1].startswith("LLM scorer unavailable (")
