"""The site in a real browser behind a proxy that serves it under /tpm (Debian chromium via Playwright)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.test_root_path import PREFIX

pytestmark = pytest.mark.browser


class BehindProxy:
    """What the app sees behind a proxy forwarding only /tpm/… to `uvicorn --root-path /tpm`.

    The path keeps the prefix and root_path names it (the ASGI spec); a request outside the
    prefix never reaches the site, so a hard-coded path answers 404 here as it would in production.
    """

    def __init__(self, app) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if not scope["path"].startswith(PREFIX + "/"):
                await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"not forwarded by the proxy"})
                return
            scope = dict(scope, root_path=PREFIX)
        await self.app(scope, receive, send)


@pytest.fixture
def app(app):
    """The test app, served as a proxy under /tpm serves it (live_server runs this)."""
    return BehindProxy(app)


def test_a_candidate_uses_the_site_under_a_root_path(live_server, page):
    requests: list[tuple[str, int]] = []
    page.set_default_timeout(5000)  # a link outside the prefix is a 404 page: fail fast, not after 30 s
    page.on("response", lambda r: requests.append((r.url, r.status)))
    site = live_server + PREFIX
    page.goto(f"{site}/")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") != "inline"  # site.css applied
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("proxy@example.com")
    page.get_by_label("Password").fill("a strong passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question bank")

    page.locator(".question-card h3 a").first.click()
    page.get_by_role("textbox", name="Your answer").fill("I owned the plan, named a rollback owner and told the VP weekly.")
    expect(page.locator("[data-word-count]")).to_have_text("13 words")  # app.js loaded and ran
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page).to_have_url(re.compile(rf"{PREFIX}/answers/\d+$"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Progress").click()
    expect(page.get_by_role("img", name=re.compile("Line chart of your mean score"))).to_be_visible()
    assert page.evaluate("document.querySelector('figure.chart img').naturalWidth") > 0  # the chart loaded
    page.get_by_role("search").get_by_role("searchbox").fill("risk")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    page.locator(".search-results a").first.click()
    expect(page).to_have_url(re.compile(rf"{PREFIX}/(guides|questions)/"))

    failed = [(url, status) for url, status in requests if status >= 400]
    outside = [url for url, _ in requests if not url.startswith(site + "/")]
    assert not failed and not outside, (failed, outside)
