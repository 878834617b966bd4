"""End to end in a real browser (Debian chromium via Playwright)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import first_question_id

pytestmark = pytest.mark.browser


def _log_in(page, base, email, password="correct horse battery", next_path=""):
    """Log in through the form, optionally going on to `next_path`."""
    page.goto(f"{base}/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_sign_up_answer_a_question_and_find_it_in_history(live_server, page, catalog):
    qid = first_question_id(catalog)
    question = catalog.question(qid)
    page.goto(f"{live_server}/signup")
    page.get_by_label("Email").fill("browser@example.com")
    page.get_by_label("Password").fill("a strong passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question bank")

    page.goto(f"{live_server}/questions/{qid}")
    expect(page.get_by_role("heading", level=1)).to_have_text(question.title)
    answer = "I owned the plan. I mapped every dependency, kept a risk register with owners and a rollback plan, and sent a weekly update to the VP."
    page.get_by_role("textbox", name="Your answer").fill(answer)
    expect(page.locator("[data-word-count]")).to_have_text(f"{len(answer.split())} words")
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(r"/answers/\d+$"))
    expect(page.locator(".answer-text").first).to_contain_text("dependency")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My answers").click()
    row = page.locator("table tbody tr").first
    expect(row).to_contain_text(question.title)
    expect(row).to_contain_text(str(len(answer.split())))


def test_draft_survives_a_reload_and_a_failed_submit(live_server, page, app, catalog):
    from tests.conftest import make_user

    make_user(app, "draft@example.com")
    qid = first_question_id(catalog)
    _log_in(page, live_server, "draft@example.com", next_path=f"/questions/{qid}")
    expect(page).to_have_url(re.compile(f"/questions/{qid}$"))
    page.get_by_role("textbox", name="Your answer").fill("half-written thoughts about the critical path")
    page.reload()
    expect(page.get_by_role("textbox", name="Your answer")).to_have_value("half-written thoughts about the critical path")
    page.get_by_role("textbox", name="Your answer").fill("   ")
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page.get_by_role("alert")).to_contain_text("empty")


def test_timer_and_example_answer_reveal(live_server, page, app, catalog):
    from tests.conftest import make_user

    make_user(app, "timer@example.com")
    qid = first_question_id(catalog)
    _log_in(page, live_server, "timer@example.com", next_path=f"/questions/{qid}")
    timer = page.locator("[data-timer]")
    expect(timer).to_be_hidden()
    page.get_by_label("Show a timer").check()
    expect(timer).to_be_visible()
    expect(timer).to_have_text(re.compile(r"^\d+:\d\d$"))
    example = page.locator("#example-heading + details .prose")
    expect(example).to_be_hidden()
    page.get_by_text("Show the example answer").click()
    expect(example).to_be_visible()



def test_review_round_trip_in_the_browser(live_server, browser, app, catalog):
    from tests.conftest import make_user

    make_user(app, "asker@example.com")
    make_user(app, "judge@example.com", role="reviewer")
    qid = first_question_id(catalog)
    candidate = browser.new_context().new_page()
    reviewer = browser.new_context().new_page()

    _log_in(candidate, live_server, "asker@example.com")
    candidate.goto(f"{live_server}/questions/{qid}")
    candidate.get_by_role("textbox", name="Your answer").fill("I owned the plan, named a rollback owner and told the VP weekly.")
    candidate.get_by_role("button", name="Submit for scoring").click()
    candidate.get_by_role("button", name="Request human review").click()
    expect(candidate.locator("#human-review")).to_contain_text("Waiting")

    _log_in(reviewer, live_server, "judge@example.com")
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    reviewer.get_by_role("button", name="Claim").click()
    for dimension, score in (("Strategy", "3"), ("Risk", "4"), ("Communication", "3"), ("Leadership", "2")):
        reviewer.get_by_role("group", name=dimension).get_by_label(score, exact=True).check()
    reviewer.get_by_label("Overall comment").fill("Say what the rollback trigger was.")
    reviewer.get_by_role("button", name="Submit review").click()
    expect(reviewer.get_by_role("table")).to_contain_text("Automatic")

    candidate.goto(f"{live_server}/questions")
    expect(candidate.locator("nav .count")).to_have_text("1")
    candidate.get_by_role("link", name=re.compile("Notifications")).click()
    candidate.get_by_role("link", name="A reviewer scored your answer.").click()
    expect(candidate.locator("#human-review")).to_contain_text("Say what the rollback trigger was.")
    expect(candidate.locator("#human-review")).to_contain_text("Risk: 4/5")
    candidate.context.close()
    reviewer.context.close()


def test_mock_interview_runs_out_of_time_submits_and_resumes(live_server, page, app, catalog, monkeypatch):
    from tests.conftest import make_user
    from web.content import Track, TrackItem

    ids = sorted(catalog.questions)[:2]
    monkeypatch.setitem(catalog.tracks, "tiny", Track("tiny", "Tiny track", "Two quick ones.", (TrackItem(ids[0], 0.08), TrackItem(ids[1], 2)), "", catalog.questions[ids[0]].path))
    make_user(app, "mock@example.com")
    _log_in(page, live_server, "mock@example.com")
    page.goto(f"{live_server}/mock")
    page.get_by_role("button", name="Start Tiny track").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(catalog.question(ids[0]).title)
    page.get_by_role("textbox", name="Your answer").fill("I would start from the critical path and")
    # About five seconds on the clock: the page submits the answer as it stands when it hits zero.
    expect(page.get_by_role("heading", level=1)).to_have_text("The interviewer follows up", timeout=15_000)
    # Leaving and coming back resumes at the same step with the clock still running.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("The interviewer follows up")
    clock = page.locator("[data-countdown-submit]")
    expect(clock).to_have_text(re.compile(r"^[0-3]:\d\d$"))
    page.get_by_text("End the interview early").click()  # a disclosure: ending asks for confirmation
    page.get_by_role("button", name="Yes, end it now").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report")
    expect(page.locator(".report-item").first).to_contain_text("I would start from the critical path and")
    expect(page.locator(".report-item").first).to_contain_text("Submitted when time ran out")


def test_dashboard_shows_chart_and_table(live_server, page, app, catalog):
    from tests.conftest import make_user

    make_user(app, "charts@example.com")
    _log_in(page, live_server, "charts@example.com")
    page.goto(f"{live_server}/questions/{first_question_id(catalog)}")
    page.get_by_role("textbox", name="Your answer").fill("I owned the plan, named a rollback owner and told the VP weekly.")
    page.get_by_role("button", name="Submit for scoring").click()
    page.goto(f"{live_server}/progress")
    chart = page.get_by_role("img", name=re.compile("Line chart of your mean score"))
    expect(chart).to_be_visible()
    assert page.evaluate("document.querySelector('figure.chart img').naturalWidth") > 0  # the SVG really loaded
    page.get_by_text("Show the figures as a table").first.click()
    expect(page.get_by_role("table", name="Mean score per dimension by day")).to_be_visible()


def test_api_token_from_the_account_page_with_the_keyboard(live_server, page, app):
    """Create a token, use it against the API, see its last use and revoke it, without a mouse."""
    import httpx

    from tests.conftest import make_user

    make_user(app, "keys@example.com")
    _log_in(page, live_server, "keys@example.com", next_path="/account")
    page.get_by_role("link", name="Manage API tokens").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("practice script")
    page.keyboard.press("Enter")  # submits the form
    token = page.locator("#new-token").inner_text().strip()
    expect(page.get_by_role("status")).to_contain_text("shown only this once")

    api = httpx.get(f"{live_server}/api/v1/answers", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.json()["total"] == 0
    page.reload()  # the page after the redirect: a reload neither creates another token nor shows this one again
    row = page.get_by_role("row", name=re.compile("practice script"))
    expect(row).not_to_contain_text("never")  # last used: just now
    expect(page.locator("body")).not_to_contain_text(token)

    row.get_by_role("button", name="Revoke token practice script").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Token revoked")
    expect(page.get_by_text("No tokens yet")).to_be_visible()
    assert httpx.get(f"{live_server}/api/v1/answers", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_api_reference_page_in_the_browser(live_server, page):
    page.goto(f"{live_server}/docs")
    expect(page.get_by_role("heading", level=1)).to_have_text("API reference")
    page.get_by_role("link", name="POST /api/v1/answers").click()
    expect(page).to_have_url(re.compile("#post-api-v1-answers$"))
    page.locator("#post-api-v1-answers").locator("xpath=..").get_by_role("link", name="AnswerIn").click()
    expect(page.locator("#type-AnswerIn")).to_be_in_viewport()


def test_a_long_answer_is_never_cut(live_server, page, app, catalog):
    """Past the limit the count says so, and a refused submit keeps every character in the box."""
    from tests.conftest import make_user

    make_user(app, "long@example.com")
    qid = first_question_id(catalog)
    _log_in(page, live_server, "long@example.com", next_path=f"/questions/{qid}")
    limit = app.state.settings.max_answer_chars
    text = ("I owned the plan and told the sponsor every Friday. " * (limit // 50 + 20))[: limit + 500]
    box = page.get_by_role("textbox", name="Your answer")
    box.fill(text)
    expect(page.locator("[data-char-count]")).to_contain_text("500 characters over")
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page.get_by_role("alert").first).to_contain_text("the limit is")
    assert page.get_by_role("textbox", name="Your answer").input_value().strip() == text.strip()
