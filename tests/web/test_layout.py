"""Every main page fits a phone and a laptop: no sideways scrolling of the page, no text under 11 px."""

from __future__ import annotations

import pytest

from tests.conftest import csrf_of, first_question_id, login, make_user
from tests.web.test_browser import _log_in

pytestmark = pytest.mark.browser
WIDTHS = (390, 1366)
# Elements whose own box may scroll sideways on purpose (wide tables and code scroll inside themselves).
MEASURE = """() => {
  const doc = document.documentElement;
  const small = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.childNodes.length || el.closest('[hidden], details:not([open]) > :not(summary), .visually-hidden, svg')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const rect = el.getBoundingClientRect();
    if (!rect.width || !rect.height) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 11) small.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + size + 'px');
  }
  return {overflow: doc.scrollWidth - window.innerWidth, small: small.slice(0, 5)};
}"""


@pytest.fixture
def site(app, catalog, client):
    """A candidate with answers, a reviewed answer, a finished mock; a reviewer and an admin."""
    make_user(app, "phone@example.com")
    make_user(app, "judge@example.com", role="reviewer")
    make_user(app, "chief@example.com", role="admin")
    login(client, "phone@example.com")
    qid = first_question_id(catalog)
    for text in ("I owned the plan. I told the VP weekly and kept a risk register with owners.",
                 "I owned the plan and a rollback trigger. I told the VP every Friday what changed and why."):
        client.post(f"/questions/{qid}/answers", data={"text": text, "csrf_token": csrf_of(client, f"/questions/{qid}")})
    client.post("/answers/1/review", data={"csrf_token": csrf_of(client, "/answers/1")})
    track = next(iter(catalog.tracks))
    client.post("/mock", data={"track": track, "csrf_token": csrf_of(client, "/mock")})
    client.post("/mock/1/end", data={"csrf_token": csrf_of(client, "/mock/1")})
    return {"qid": qid}


def _pages(catalog, qid):
    by_category = {}
    for q in sorted(catalog.questions.values(), key=lambda q: q.id):
        by_category.setdefault(q.category, q.id)
    return (["/", "/guides", *(f"/guides/{g.slug}" for g in catalog.guides), "/questions", "/search?q=risk register",
             *(f"/questions/{i}" for i in by_category.values()), "/answers", "/answers/1", "/answers/compare?a=1&b=2",
             "/progress", "/practice", "/saved", "/notifications", "/mock", "/mock/1/report", "/account", "/account/tokens"])


def _check(page, base, paths, width) -> list[str]:
    problems = []
    for path in paths:
        page.goto(base + path)
        found = page.evaluate(MEASURE)
        if found["overflow"] > 1:
            problems.append(f"{width}px {path}: {found['overflow']}px wider than the screen")
        if found["small"]:
            problems.append(f"{width}px {path}: text under 11px: {found['small']}")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_candidate_pages_fit_phone_and_laptop(live_server, browser, catalog, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    _log_in(page, live_server, "phone@example.com")
    problems = _check(page, live_server, _pages(catalog, site["qid"]), width)
    page.goto(live_server + "/progress")
    chosen = page.evaluate("() => [...document.querySelectorAll('figure.chart img')].map(i => i.currentSrc)")
    drawn_for_phone = [src.endswith("?size=narrow") for src in chosen]
    assert drawn_for_phone == [width < 600] * 2, chosen  # phones get charts drawn for their width
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_reviewer_and_admin_pages_fit_phone_and_laptop(live_server, browser, catalog, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    _log_in(page, live_server, "chief@example.com")
    paths = ["/review", "/review/agreement", "/review/calibration", "/admin/adjudication", "/docs"]
    problems = _check(page, live_server, paths, width)
    page.goto(live_server + "/review")
    claim = page.get_by_role("button", name="Claim").first
    box = claim.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, box  # in reach without scrolling sideways
    context.close()
    assert not problems, "\n".join(problems)
