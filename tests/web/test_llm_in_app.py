"""The LLM scorer inside the site: the offline card at once, the LLM card when ready, failures explained."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import first_question_id, make_user, soup, text_of
from tests.fake_openai import error, ok


def _reply(answer: str) -> dict:
    """A valid model reply quoting the answer's first sentence as evidence."""
    first = answer.split(".")[0]
    verdict = {"score": 4, "rationale": "Specific and owned.", "covered": [], "evidence": [first]}
    return {
        "strategy": verdict, "risk": {**verdict, "score": 3}, "communication": verdict, "leadership": verdict,
        "strengths": ["Clear ownership."], "improvements": ["Name the rollback trigger."],
    }


ANSWER = "I owned the recovery plan for the slipping launch. I named a rollback owner and told the VP every Friday."


@pytest.fixture
def settings(settings, fake_openai):
    """The test settings with the LLM scorer pointed at the fake server and the worker thread on."""
    return settings.model_copy(update={"llm_base_url": fake_openai.base_url, "llm_api_key": "k", "llm_model": "fake-model", "llm_timeout_seconds": 5, "run_worker": True})


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()


@pytest.mark.browser
def test_llm_card_appears_without_a_manual_reload(live_server, page, app, catalog, fake_openai):
    slow = ok(_reply(ANSWER))
    slow.delay = 2.0  # the model takes a moment
    fake_openai.enqueue(slow)
    make_user(app, "llm@example.com")
    _log_in(page, live_server, "llm@example.com")
    page.goto(f"{live_server}/questions/{first_question_id(catalog)}")
    page.get_by_role("textbox", name="Your answer").fill(ANSWER)
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page.get_by_role("heading", name="Automatic score (offline scorer)")).to_be_visible()
    expect(page.get_by_text("The llm scorer is still working")).to_be_visible()
    # No reload by hand: the page polls and shows the LLM card when the worker has it.
    expect(page.get_by_role("heading", name="Automatic score (LLM scorer)")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("The llm scorer is still working")).to_have_count(0)
    assert fake_openai.requests and fake_openai.requests[0].json["temperature"] == 0


def test_llm_failure_keeps_the_offline_score_and_says_so(app, client, catalog, fake_openai, settings):
    import time

    from tests.conftest import csrf_of, login
    from web.services.scoring_jobs import jobs_for_answer

    fake_openai.default = error(500, "model crashed")
    make_user(app, "fail@example.com")
    login(client, "fail@example.com")
    qid = first_question_id(catalog)
    response = client.post(f"/questions/{qid}/answers", data={"text": ANSWER, "csrf_token": csrf_of(client, f"/questions/{qid}")}, follow_redirects=False)
    assert response.status_code == 303
    # The app's own worker thread runs the LLM job (it retries, then falls back); wait for it.
    answer_id = int(response.headers["location"].rsplit("/", 1)[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with app.state.read_db() as db:
            statuses = {j.scorer: j.status for j in jobs_for_answer(db=db, answer_id=answer_id)}
        if statuses.get("llm") in ("failed", "done"):
            break
        time.sleep(0.2)
    assert statuses == {"offline": "done", "llm": "failed"}
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    text = text_of(soup(page))
    assert "could not score this answer" in text and "The offline score below stands" in text
    assert "Automatic score (offline scorer)" in text and "LLM scorer)" not in text


def test_llm_endpoint_down_at_start_does_not_stop_the_site(settings, catalog):
    import socket

    from fastapi.testclient import TestClient

    from web.app import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    down = settings.model_copy(update={"llm_base_url": f"http://127.0.0.1:{closed_port}/v1", "run_worker": True})
    with TestClient(create_app(down, catalog=catalog)) as c:
        assert c.get("/").status_code == 200
        assert re.search("question", c.get("/questions").text)


def test_a_failed_llm_call_does_not_score_the_answer_offline_again(app, catalog, fake_openai, monkeypatch):
    from scoring.learned import LearnedScorer
    from web.services.scorers import ScorerUnavailable, run_scorer

    fake_openai.default = error(500, "model crashed")
    offline_calls = []
    real = LearnedScorer.score
    monkeypatch.setattr(LearnedScorer, "score", lambda self, text, rubric: offline_calls.append(text) or real(self, text, rubric))
    question = catalog.question(first_question_id(catalog))
    with pytest.raises(ScorerUnavailable, match="HTTP 500"):
        run_scorer("llm", text=ANSWER, rubric=question.rubric, settings=app.state.settings)
    assert offline_calls == []
