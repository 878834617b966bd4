"""The LLM scorer against a fake OpenAI-compatible server: success, corrections, negotiation, retries, fallbacks."""

from __future__ import annotations

import ast
import json
import socket
import time
from pathlib import Path

import pytest

from scoring import llm
from scoring.llm import LLMConfig, score_with_llm
from scoring.offline import score as offline_score
from scoring.rubric import ANCHORS, DIMENSIONS, KeyPoint, Rubric
from tests.fake_openai import FakeResponse, chat_completion, error, ok

QUESTION = "Tell me about a time you recovered a program that was slipping."
ANSWER = (
    "Situation: our payments migration was six weeks late.\n"
    "I rebuilt the plan around the critical path and cut two low-value features.\n"
    "The biggest risk was the ledger team's dependency, so I agreed a rollback plan with them.\n"
    "I sent a weekly status update to the VP and the   partner teams.\n"
    "We launched two weeks late instead of six, and I ran a retrospective."
)
RUBRIC = Rubric(
    question_id="pe-slip",
    question_text=QUESTION,
    weights={"strategy": 2, "risk": 1, "communication": 1, "leadership": 0},
    key_points=(
        KeyPoint("critical-path", "strategy", "Replans around the critical path.", ("critical path",)),
        KeyPoint("scope-cut", "strategy", "Cuts scope deliberately.", ("cut",)),
        KeyPoint("rollback", "risk", "Has a rollback plan for the riskiest dependency.", ("rollback",)),
        KeyPoint("status", "communication", "Keeps leadership informed on a cadence.", ("weekly status",)),
        KeyPoint("retro", "leadership", "Owns the outcome and learns from it.", ("retrospective",)),
    ),
)


def verdict(score: object = 4, *, covered: list[str] | None = None, evidence: list[str] | None = None) -> dict:
    """One dimension of a model reply."""
    return {"score": score, "rationale": "Because.", "covered": covered or [], "evidence": evidence or []}


def reply(**overrides: dict) -> dict:
    """A complete, valid model reply; keyword arguments replace dimensions or lists."""
    data = {
        "strategy": verdict(4, covered=["critical-path", "scope-cut"],
                            evidence=["I rebuilt the plan around the critical path"]),
        "risk": verdict(3, covered=["rollback"], evidence=["I agreed a rollback plan with them"]),
        "communication": verdict(4, covered=["status"],
                                 evidence=["i sent a weekly status update to the vp and the partner teams"]),
        "leadership": verdict(5, covered=["retro"], evidence=["I ran a retrospective"]),
        "strengths": ["Clear replan.", "Named the dependency risk."],
        "improvements": ["Quantify the business impact.", "Say how conflicts were resolved."],
    }
    data.update(overrides)
    return data


def config(server, **overrides) -> LLMConfig:
    """A config pointing at the fake server, with short limits so failures are quick."""
    values = {"base_url": server.base_url, "api_key": "test-key", "model": "fake-model", "timeout": 5.0,
              "max_retries": 2}
    values.update(overrides)
    return LLMConfig(**values)


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    """Keep retry pauses short; Retry-After is still honoured as sent."""
    monkeypatch.setattr(llm, "BACKOFF_BASE_SECONDS", 0.02)


def assert_fallback(card, code: str, note_words: str) -> None:
    """The card is the offline one, with a note and meta saying what went wrong."""
    assert card.scorer == "offline"
    assert card.meta["fallback"] is True
    assert card.meta["llm_error"] == code
    assert card.notes and card.notes[-1].startswith("LLM scorer unavailable (")
    assert card.notes[-1].endswith("; the offline score stands.")
    assert note_words in card.notes[-1]
    assert card.scores == offline_score(ANSWER, RUBRIC).scores


# --- success ---------------------------------------------------------------------------------


def test_success_builds_a_checked_llm_card(fake_openai):
    fake_openai.enqueue(ok(reply()))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))

    assert card.scorer == "llm"
    assert card.scorer_version == f"{llm.PROMPT_VERSION}:fake-model"
    assert card.rubric_hash == RUBRIC.fingerprint()
    assert card.scores == {"strategy": 4, "risk": 3, "communication": 4, "leadership": 5}
    assert all(card.dimensions[d].value == float(card.scores[d]) for d in DIMENSIONS)
    assert card.overall == pytest.approx(round((2 * 4 + 3 + 4) / 4, 2))  # leadership weighs 0
    assert card.dimensions["strategy"].covered == ("critical-path", "scope-cut")
    assert card.dimensions["strategy"].missing == ()
    assert card.dimensions["risk"].missing == ()
    assert card.strengths == ("Clear replan.", "Named the dependency risk.")
    assert len(card.improvements) == 2
    assert card.notes == ()
    for dim in card.dimensions.values():
        assert len(dim.evidence) == 1
        for ev in dim.evidence:
            assert ev.text == ANSWER[ev.start:ev.end]
            assert ev.dimension == dim.dimension
    # Found after case and whitespace normalisation, mapped back to the original characters.
    comm = card.dimensions["communication"].evidence[0]
    assert comm.text == "I sent a weekly status update to the VP and the   partner teams"
    meta = card.meta
    assert meta["model"] == "fake-model" and meta["prompt_version"] == llm.PROMPT_VERSION
    assert meta["response_format"] == llm.JSON_SCHEMA
    assert (meta["prompt_tokens"], meta["completion_tokens"]) == (321, 123)
    assert meta["dropped_quotes"] == 0 and meta["clamped"] == 0
    assert isinstance(meta["latency_ms"], int) and meta["latency_ms"] >= 0
    assert "fallback" not in meta
    assert json.loads(json.dumps(card.to_dict()))["scorer"] == "llm"


def test_request_carries_rubric_answer_and_strict_schema(fake_openai):
    fake_openai.enqueue(ok(reply()))
    score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))

    (request,) = fake_openai.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers.get("authorization") == "Bearer test-key"
    body = request.json
    assert body["model"] == "fake-model"
    assert body["temperature"] == 0
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert set(schema["required"]) == {*DIMENSIONS, "strengths", "improvements"}
    assert schema["additionalProperties"] is False
    prompt = "\n".join(m["content"] for m in body["messages"])
    for d in DIMENSIONS:
        for level in (1, 3, 5):
            assert ANCHORS[d][level] in prompt
    assert "2 is between 1 and 3" in prompt
    assert QUESTION in prompt and ANSWER in prompt
    for point in RUBRIC.key_points:
        assert f"{point.id}: {point.description}" in prompt


def test_fenced_json_with_chatter_is_accepted(fake_openai):
    fake_openai.enqueue(ok("Here you go:\n```json\n" + json.dumps(reply()) + "\n```\nGood luck!"))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))
    assert card.scorer == "llm"
    assert card.scores["leadership"] == 5


def test_invented_quotes_and_key_points_are_dropped_and_counted(fake_openai):
    data = reply(risk=verdict(3, covered=["rollback", "made-up-id", "status"],
                              evidence=["I agreed a rollback plan with them", "We hired ten engineers overnight",
                                        "I", "the ledger team's dependency... rollback"]))
    fake_openai.enqueue(ok(data))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))

    risk = card.dimensions["risk"]
    assert [e.text for e in risk.evidence] == ["I agreed a rollback plan with them"]
    assert risk.covered == ("rollback",)  # "status" belongs to communication, "made-up-id" to nothing
    assert card.meta["dropped_quotes"] == 3
    assert card.meta["dropped_key_points"] == 2
    assert any("3 quote(s)" in note for note in card.notes)


def test_out_of_range_scores_are_clamped_and_counted(fake_openai):
    fake_openai.enqueue(ok(reply(strategy=verdict(0), leadership=verdict(6))))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))

    assert card.scorer == "llm"
    assert card.scores["strategy"] == 1 and card.scores["leadership"] == 5
    assert card.meta["clamped"] == 2
    assert card.dimensions["strategy"].missing == ("critical-path", "scope-cut")


# --- format negotiation ----------------------------------------------------------------------


def test_json_schema_rejected_with_500_negotiates_to_json_object_with_schema_and_caches(fake_openai):
    fake_openai.enqueue(
        error(500, "Unsupported response_format type: json_schema"),
        ok(reply()),
        ok(reply()),
    )
    first = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))
    second = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))

    assert first.scorer == second.scorer == "llm"
    assert first.meta["response_format"] == second.meta["response_format"] == llm.JSON_OBJECT_SCHEMA
    assert first.meta["rejected_formats"] == [llm.JSON_SCHEMA]
    formats = fake_openai.response_formats
    assert formats[0]["type"] == "json_schema"
    assert formats[1] == {"type": "json_object", "schema": llm.REPLY_SCHEMA}
    assert formats[2] == formats[1]  # remembered: no second negotiation
    assert llm.known_format(fake_openai.base_url + "/") == llm.JSON_OBJECT_SCHEMA


def test_server_taking_neither_schema_form_gets_plain_json_object(fake_openai):
    fake_openai.enqueue(error(400, "response_format json_schema unknown"), error(422, "schema: extra field"),
                        ok(reply()))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))
    assert card.meta["response_format"] == llm.JSON_OBJECT
    assert fake_openai.response_formats[-1] == {"type": "json_object"}


# --- retries and time -------------------------------------------------------------------------


def test_timeout_falls_back_to_offline_with_note(fake_openai):
    fake_openai.default = FakeResponse(body={}, delay=2.0)
    started = time.monotonic()
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai, timeout=0.5, max_retries=1))
    elapsed = time.monotonic() - started

    assert_fallback(card, "timeout", "timeout after 0.5 s")
    assert elapsed < 1.6  # the budget is timeout x (1 + retries)
    assert card.meta["attempts"] == 2 and card.meta["retries"] == 1


def test_429_retry_after_is_honoured_then_success(fake_openai):
    fake_openai.enqueue(error(429, "slow down", headers={"Retry-After": "1"}), ok(reply()))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))

    assert card.scorer == "llm"
    first, second = fake_openai.requests
    assert second.at - first.at >= 0.95
    assert card.meta["retries"] == 1 and card.meta["waited_seconds"] == pytest.approx(1.0)
    assert card.meta["response_format"] == llm.JSON_SCHEMA  # a 429 is not a format rejection


def test_429_forever_falls_back(fake_openai):
    fake_openai.default = error(429, "quota", headers={"Retry-After": "0"})
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai, max_retries=2))

    assert_fallback(card, "rate_limited", "HTTP 429")
    assert len(fake_openai.requests) == 3
    assert "after 2 retries" in card.notes[-1]


def test_retry_after_is_capped_by_the_time_budget(fake_openai):
    fake_openai.default = error(429, "come back tomorrow", headers={"Retry-After": "3600"})
    started = time.monotonic()
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai, timeout=0.5, max_retries=2))
    assert_fallback(card, "rate_limited", "HTTP 429")
    assert time.monotonic() - started < 1.0


def test_500_is_retried_then_succeeds(fake_openai):
    fake_openai.enqueue(ok(reply()), error(500, "overloaded"), ok(reply()))
    score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))  # negotiates json_schema
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))

    assert card.scorer == "llm"
    assert card.meta["retries"] == 1 and card.meta["attempts"] == 2
    assert [f["type"] for f in fake_openai.response_formats] == ["json_schema"] * 3


def test_500_forever_falls_back(fake_openai):
    fake_openai.default = error(503, "down")
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai, max_retries=2))

    assert_fallback(card, "server_error", "HTTP 503")
    # Three formats tried while negotiating, then two retries of the last.
    assert len(fake_openai.requests) == 5
    assert card.meta["rejected_formats"] == [llm.JSON_SCHEMA, llm.JSON_OBJECT_SCHEMA]
    assert llm.known_format(fake_openai.base_url) is None


def test_connection_refused_falls_back():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    cfg = LLMConfig(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", model="m", timeout=2.0)
    card = score_with_llm(ANSWER, RUBRIC, config=cfg)
    assert_fallback(card, "connection", "cannot connect")
    assert card.meta["attempts"] == 1


# --- bad replies ------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["I think this answer is a solid 4.", '{"strategy": {"score": 4,', "```json\n```"])
def test_malformed_json_falls_back(fake_openai, content):
    fake_openai.enqueue(ok(content))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))
    assert_fallback(card, "malformed_json", "not")


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"risk": None}, "risk"),
        ({"strategy": verdict("4")}, "strategy.score"),
        ({"strategy": verdict(3.5)}, "strategy.score"),
        ({"leadership": {"rationale": "no score"}}, "leadership.score"),
    ],
)
def test_schema_violations_fall_back(fake_openai, change, where):
    data = reply(**{k: v for k, v in change.items() if v is not None})
    for key in [k for k, v in change.items() if v is None]:
        del data[key]
    fake_openai.enqueue(ok(data))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))
    assert_fallback(card, "schema_violation", where)


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (FakeResponse(body=chat_completion(None, refusal="I can't help with grading people.")), "declined"),
        (ok(""), "empty reply"),
        (ok("   \n"), "empty reply"),
    ],
)
def test_refusal_or_empty_reply_falls_back(fake_openai, response, words):
    fake_openai.enqueue(response)
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))
    assert_fallback(card, "refusal", words)


def test_non_json_http_body_falls_back_without_raising(fake_openai):
    fake_openai.enqueue(FakeResponse(raw="<html>gateway says hi</html>", headers={"Content-Type": "text/html"}))
    card = score_with_llm(ANSWER, RUBRIC, config=config(fake_openai))
    assert card.scorer == "offline" and card.meta["fallback"] is True


# --- pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("critical path", "critical path"),
        ("“I RAN a retrospective.”", "I ran a retrospective"),
        ("the VP and the partner teams", "the VP and the   partner teams"),
        ("ledger team’s dependency", "ledger team's dependency"),
        ("not in the answer", None),
        ("..", None),
    ],
)
def test_locate_quote_maps_back_to_original_text(quote, expected):
    span = llm.locate_quote(ANSWER, quote)
    assert (ANSWER[span[0]:span[1]] if span else None) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "2"}, 2.0), ({"retry-after": "0.5"}, 0.5), ({"retry-after-ms": "250"}, 0.25),
     ({"retry-after": "soon"}, None), ({}, None), ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0)],
)
def test_retry_after_parsing(headers, expected):
    assert llm.retry_after_seconds(headers) == expected


def test_scoring_llm_stays_a_pure_library():
    tree = ast.parse(Path(llm.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert not imported & {"web", "fastapi", "starlette", "sqlalchemy"}
    assert imported - {"__future__"} <= {"json", "re", "threading", "time", "dataclasses", "email", "typing",
                                         "openai", "pydantic", "scoring"}
    calls = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert "open" not in calls
