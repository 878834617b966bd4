"""Answering out loud in a real browser: chromium's fake microphone plays a known recording into the recorder."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, first_question_id, make_user
from tests.web.test_browser import _log_in

pytestmark = pytest.mark.browser
SAID = "My first step is the critical path. The vendor integration takes six weeks and sets the launch date."


@pytest.fixture(scope="module")
def microphone_browser(browser, tmp_path_factory):
    """Chromium whose microphone is a WAV file of SAID (permission granted without a prompt), started by
    the session's Playwright (one Playwright per process)."""
    wav = tmp_path_factory.mktemp("mic") / "said.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(wav), SAID], check=True)
    args = [*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={wav}"]
    with_microphone = browser.browser_type.launch(executable_path=CHROMIUM, args=args)
    yield with_microphone
    with_microphone.close()


def _transcribe_until(app, stop: threading.Event) -> None:
    """A worker for the test: transcribe whatever is uploaded until told to stop."""
    from web.services import recordings

    while not stop.is_set():
        if not recordings.process_one(write_db=app.state.write_db, settings=app.state.settings, worker_id="browser-test"):
            time.sleep(0.2)


def test_record_by_keyboard_check_the_transcript_and_submit(app, live_server, microphone_browser, catalog):
    make_user(app, "speaker@example.com")
    qid = first_question_id(catalog)
    context = microphone_browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    stop = threading.Event()
    worker = threading.Thread(target=_transcribe_until, args=(app, stop), daemon=True)
    worker.start()
    try:
        _log_in(page, live_server, "speaker@example.com", next_path=f"/questions/{qid}")
        page.wait_for_url(f"**/questions/{qid}")
        record = page.get_by_role("button", name="Record", exact=True)
        record.focus()
        page.keyboard.press("Enter")  # the whole recorder works from the keyboard
        stop_button = page.get_by_role("button", name="Stop")
        stop_button.wait_for(state="visible")
        page.wait_for_function("() => document.querySelector('[data-rec-clock]').textContent >= '0:05'", timeout=15000)
        assert page.locator("[data-rec-level]").is_visible()
        page.keyboard.press("Enter")  # focus moved to Stop when recording began
        page.wait_for_function("() => document.querySelector('[data-rec-id]').value !== ''", timeout=60000)
        transcript = page.locator("#answer-text").input_value().lower()
        assert "critical path" in transcript, transcript
        assert "Transcript ready" in page.locator("[data-rec-status]").inner_text()
        assert page.get_by_role("button", name="Record again").is_visible()
        page.locator("#answer-text").fill(page.locator("#answer-text").input_value() + " I told the sponsor every Friday.")
        page.get_by_role("button", name="Submit for scoring").click()
        page.wait_for_url("**/answers/*")
        assert page.locator("section.scorecard").count() >= 1  # the transcript was scored: a card
        delivery = page.locator("section.delivery")
        assert "words a minute" in delivery.inner_text() and "You corrected the transcript" in delivery.inner_text()
    finally:
        stop.set()
        worker.join(5)
        context.close()


def test_a_browser_without_a_microphone_is_told_so_and_can_still_type(app, live_server, browser, catalog):
    make_user(app, "quiet@example.com")
    qid = first_question_id(catalog)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _log_in(page, live_server, "quiet@example.com", next_path=f"/questions/{qid}")
    page.wait_for_url(f"**/questions/{qid}")
    page.get_by_role("button", name="Record", exact=True).click()
    status = page.locator("[data-rec-status]")
    page.wait_for_function("() => document.querySelector('[data-rec-status]').classList.contains('recorder-error')", timeout=15000)
    said = status.inner_text()
    assert "type your answer" in said and ("permission" in said or "microphone" in said.lower()), said
    assert page.locator("#answer-text").is_editable()
    context.close()
