"""Every internal URL a page prints is built from a route name, so the site works under a root path.

A proxy may serve the app under a prefix (uvicorn --root-path /tpm): then every link, form action,
script, stylesheet, image and data-* URL must start with /tpm, and only a URL built from the route
names (url() in the templates) does. These tests serve the app with root_path="/tpm", walk through
the site the way its people do (a visitor, a candidate, two reviewers and an admin) by following the
links and submitting the forms the pages print, and fail on any internal URL outside the prefix.
No region of a page is exempt: links authors write in the markdown content (`](/guides/…)`) are
moved under the root path when the page renders (the site_links filter in web/ui/rendering.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from starlette.routing import Match

from tests.conftest import first_question_id, make_user, soup
from web.settings import REPO_ROOT

PREFIX = "/tpm"
URL_ATTRIBUTES = ("href", "src", "action", "formaction")
POSTED_DATA_ATTRIBUTES = ("data-upload-url",)  # scripts POST to these (the recorder's upload)
ANSWER = (
    "I owned the migration plan. I set the goal with the VP, mapped dependencies across four teams, kept a risk "
    "register with owners and a rollback plan, and sent a weekly status update. We shipped two weeks early."
)


class _Urls(HTMLParser):
    """(tag, attribute, value, HTTP method) of every URL attribute, and of every data-* attribute holding a path."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is not None and (name in URL_ATTRIBUTES or (name.startswith("data-") and value.startswith("/"))):
                method = (dict(attrs).get("method") or "get").upper() if name == "action" else "GET"
                if name in POSTED_DATA_ATTRIBUTES:
                    method = "POST"
                self.found.append((tag, name, value, method))


def _matches_a_route(app, path: str, method: str) -> bool:
    scope = {"type": "http", "path": path, "method": method, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in app.routes)


class Walk:
    """The pages seen under the prefix, and what is wrong with their URLs."""

    def __init__(self, app) -> None:
        self.app = app
        self.pages: dict[str, str] = {}  # label -> URL
        self.problems: list[str] = []
        self.redirects: list[tuple[str, str]] = []  # (form action, Location)
        self.assets: set[str] = set()

    def check(self, label: str, url: str, html: str) -> None:
        self.pages[label] = url
        parser = _Urls()
        parser.feed(html)
        for tag, attr, value, method in parser.found:
            if not value.startswith("/") or value.startswith("//"):
                continue  # #fragment, ?query, a relative path or another site: not a site path
            where = f"{label} ({url}): <{tag} {attr}={value!r}>"
            path = urlsplit(value).path
            if not (path == PREFIX or path.startswith(PREFIX + "/")):
                self.problems.append(f"not under {PREFIX}: {where}")
            elif path.startswith(PREFIX + PREFIX + "/"):
                self.problems.append(f"prefix twice: {where}")
            elif not _matches_a_route(self.app, path[len(PREFIX):] or "/", method):
                self.problems.append(f"no {method} route: {where}")
            elif tag in ("link", "script", "img"):
                self.assets.add(value)


class Person:
    """A browser under the prefix: follows printed links and submits printed forms."""

    def __init__(self, app, walk: Walk, email: str | None = None) -> None:
        self.walk = walk
        self.client = TestClient(app, base_url="http://testserver", root_path=PREFIX)
        self.client.__enter__()
        if email:
            page = self.page(f"login as {email}", f"{PREFIX}/login")
            response = self.submit(page, "main form", {"email": email, "password": "correct horse battery"})
            assert response.status_code == 303, response.text[:300]

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def page(self, label: str, url: str, status: int = 200):
        response = self.client.get(url, follow_redirects=False)
        assert response.status_code == status, f"{label}: GET {url} gave {response.status_code}"
        self.walk.check(label, url, response.text)
        return soup(response)

    def submit(self, page, selector: str, data: dict | None = None, *, label: str = ""):
        """Send the form `selector` on `page` as a browser would: its action, its hidden fields, plus `data`."""
        form = page.select_one(selector)
        assert form is not None, f"no form {selector!r}"
        fields = {i["name"]: i.get("value", "") for i in form.find_all("input", attrs={"type": "hidden"}) if i.get("name")}
        fields |= data or {}
        action = form["action"]
        if (form.get("method") or "get").lower() == "get":
            response = self.client.get(action, params=fields, follow_redirects=False)
        else:
            response = self.client.post(action, data=fields, follow_redirects=False)
        if response.is_redirect:
            self.walk.redirects.append((action, response.headers["location"]))
        elif label:
            assert response.status_code == 200, f"{label}: {action} gave {response.status_code}"
            self.walk.check(label, action, response.text)
        return response

    def follow(self, label: str, response):
        assert response.status_code == 303, response.text[:300]
        return self.page(label, response.headers["location"])


def _link(page, selector: str) -> str:
    node = page.select_one(selector)
    assert node is not None, f"no link {selector!r}"
    return node["href"]


def _scores(s: int, r: int, c: int, l: int) -> dict:
    return {"strategy": str(s), "risk": str(r), "communication": str(c), "leadership": str(l)}


def _review_next(rev: Person, who: str, scores: dict):
    """Claim the oldest waiting answer from the queue and score it; returns the 'done' page."""
    queue = rev.page(f"review queue ({who})", f"{PREFIX}/review")
    form_page = rev.follow(f"review form ({who})", rev.submit(queue, "table form"))
    return rev.follow(f"review done ({who})", rev.submit(form_page, "form.review-form", scores | {"overall_comment": "Clear."}))


def walk_the_site(app, catalog, settings) -> Walk:
    """Every kind of page, reached as its people reach it, under the prefix."""
    app.state.settings = settings.model_copy(update={"reviews_per_answer": 2})  # so a disagreement reaches adjudication
    for email, role in (("cand@example.com", "candidate"), ("rev1@example.com", "reviewer"), ("rev2@example.com", "reviewer"), ("boss@example.com", "admin")):
        make_user(app, email, role=role)
    walk = Walk(app)
    qid = first_question_id(catalog)
    guide = next(g for g in catalog.guides if '](/' in g.path.read_text())  # one whose markdown links other pages
    people: list[Person] = []
    try:
        visitor = Person(app, walk)
        people.append(visitor)
        home = visitor.page("home", f"{PREFIX}/")
        visitor.page("guides", _link(home, "a.button-secondary"))
        visitor.page("guide", f"{PREFIX}/guides/{guide.slug}")
        bank = visitor.page("questions", f"{PREFIX}/questions")
        visitor.submit(bank, "form.filters", {"category": "behavioral", "difficulty": "medium"}, label="questions, filtered")
        visitor.page("questions by tag", _link(visitor.page("question (visitor)", f"{PREFIX}/questions/{qid}"), ".question .meta a"))
        visitor.submit(home, "form.site-search", {"q": "risk"}, label="search")
        visitor.page("signup", f"{PREFIX}/signup")
        visitor.page("API docs", f"{PREFIX}/docs")
        visitor.page("404", f"{PREFIX}/no-such-page", status=404)
        visitor.page("404 question", f"{PREFIX}/questions/no-such-question", status=404)

        cand = Person(app, walk, "cand@example.com")
        people.append(cand)
        question = cand.page("question (candidate)", f"{PREFIX}/questions/{qid}")
        first = cand.follow("answer", cand.submit(question, "form.answer-form", {"text": ANSWER}))
        poll = cand.client.get(first.select_one("[data-poll-url]")["data-poll-url"], headers={"Accept": "application/json"})
        assert poll.status_code == 200 and "jobs" in poll.json()  # what app.js polls while a scorer works
        question = cand.page("question, answered", f"{PREFIX}/questions/{qid}")
        second = cand.follow("answer, second", cand.submit(question, "form.answer-form", {"text": ANSWER + " I learned to ask earlier."}))
        question = cand.page("question, answered twice", f"{PREFIX}/questions/{qid}")
        cand.page("compare", _link(question, 'a[href*="compare"]'))
        cand.submit(question, "#saved form:not(.note-form)")
        cand.submit(question, "form.note-form", {"text": f"Read [the guide](/guides/{guide.slug}) first."})
        cand.page("saved", f"{PREFIX}/saved")
        cand.submit(second, "#human-review form")
        cand.submit(first, "#human-review form")
        cand.page("home (candidate)", f"{PREFIX}/")
        cand.page("answers", f"{PREFIX}/answers")
        dashboard = cand.page("progress", f"{PREFIX}/progress")
        cand.page("practice", _link(dashboard, '.menu-body a[href$="/practice"]'))
        for label, url in (("account", "/account"), ("password", "/account/password"), ("delete account", "/account/delete")):
            cand.page(label, PREFIX + url)
        tokens = cand.page("API tokens", f"{PREFIX}/account/tokens")
        cand.follow("API tokens, one made", cand.submit(tokens, "main form", {"name": "laptop"}))
        tracks = cand.page("mock tracks", f"{PREFIX}/mock")
        step = cand.follow("mock interview", cand.submit(tracks, "li.track form"))
        step = cand.follow("mock follow-up", cand.submit(step, "#mock-form", {"text": ANSWER}))
        cand.follow("mock report", cand.submit(step, ".end-form form"))

        rev1, rev2, admin = (Person(app, walk, f"{who}@example.com") for who in ("rev1", "rev2", "boss"))
        people += [rev1, rev2, admin]
        done = _review_next(rev1, "rev1", _scores(2, 2, 3, 3))  # the second answer: rev1 and rev2 disagree on strategy
        rev1.page("review edit", _link(done, 'a[href$="/edit"]'))
        _review_next(rev2, "rev2", _scores(4, 3, 3, 3))
        listing = admin.page("adjudication", f"{PREFIX}/admin/adjudication")
        adjudicate = admin.page("adjudicate", _link(listing, "main li a"))
        admin.submit(adjudicate, "main form", _scores(3, 2, 3, 3) | {"comment": "Goal stated, not measured."})
        _review_next(rev1, "rev1, again", _scores(3, 3, 3, 3))  # the first answer: they agree, so it is reviewed
        done = _review_next(admin, "admin", _scores(3, 3, 3, 3))
        admin.submit(done, "main form:has(input[name=request_id])")  # make it a calibration anchor
        anchors = rev2.page("calibration", f"{PREFIX}/review/calibration")
        drill = rev2.page("calibration item", _link(anchors, "main li a"))
        rev2.submit(drill, "main form", _scores(4, 3, 2, 4), label="calibration result")
        admin.page("agreement", f"{PREFIX}/review/agreement")

        notes = cand.page("notifications", f"{PREFIX}/notifications")
        cand.page("answer, reviewed", _link(notes, "main li a"))
    finally:
        for person in people:
            person.close()
    return walk


PAGES = (
    "home", "guides", "guide", "questions", "questions, filtered", "question (visitor)", "questions by tag", "search",
    "signup", "API docs", "404", "404 question", "login as cand@example.com", "question (candidate)", "answer",
    "answer, second", "compare", "saved", "home (candidate)", "answers", "progress", "practice", "account", "password",
    "delete account", "API tokens", "API tokens, one made", "mock tracks", "mock interview", "mock follow-up",
    "mock report", "review queue (rev1)", "review form (rev1)", "review done (rev1)", "review edit", "adjudication",
    "adjudicate", "calibration", "calibration item", "calibration result", "agreement", "notifications", "answer, reviewed",
)


def test_every_page_builds_its_urls_under_the_root_path(app, catalog, settings):
    walk = walk_the_site(app, catalog, settings)
    missing = [label for label in PAGES if label not in walk.pages]
    assert not missing, f"pages the walk did not reach: {missing}"
    assert not walk.problems, "internal URLs not built from route names:\n" + "\n".join(walk.problems)
    # Form posts answer with redirects to route names too (the log-in redirect has its own test below).
    stray = [(action, location) for action, location in walk.redirects if not location.startswith(PREFIX + "/")]
    assert not stray, f"redirects outside {PREFIX}: {stray}"
    # The stylesheets, script, icon and charts the pages point at are really there under the prefix.
    with TestClient(app, base_url="http://testserver", root_path=PREFIX) as c:
        for asset in sorted(walk.assets):
            if "/progress/" in asset:
                continue  # the charts need a login; their route was matched above
            assert c.get(asset).status_code == 200, asset


def test_the_login_redirect_stays_under_the_root_path(app):
    with TestClient(app, base_url="http://testserver", root_path=PREFIX) as c:
        response = c.get(f"{PREFIX}/progress", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith(f"{PREFIX}/login?")
        # The whole address comes back after login, query included ("&b=2" is not cut off).
        response = c.get(f"{PREFIX}/answers/compare?a=1&b=2", follow_redirects=False)
    next_value = parse_qs(urlsplit(response.headers["location"]).query)["next"]
    assert next_value == [f"{PREFIX}/answers/compare?a=1&b=2"]


def test_a_new_api_token_is_shown_under_the_root_path(app):
    make_user(app, "keys@example.com")
    person = Person(app, Walk(app), "keys@example.com")
    try:
        tokens = person.page("API tokens", f"{PREFIX}/account/tokens")
        shown = person.follow("API tokens, one made", person.submit(tokens, "main form", {"name": "laptop"}))
    finally:
        person.close()
    assert shown.select_one("#new-token") is not None


def test_the_menu_marks_the_current_section_under_the_root_path(app, catalog):
    with TestClient(app, base_url="http://testserver", root_path=PREFIX) as c:
        for url in (f"{PREFIX}/guides/{catalog.guides[0].slug}", f"/guides/{catalog.guides[0].slug}"):  # path with or without the root
            current = soup(c.get(url)).select('nav[aria-label="Main"] a[aria-current="page"]')
            assert [a.get_text(strip=True) for a in current] == ["Guides"], url


def test_the_check_catches_a_hard_coded_path(app):
    walk = Walk(app)
    walk.check("sample", "/", f'<a href="{PREFIX}/questions">ok</a><a href="/questions">bad</a><form action="{PREFIX}/nowhere" method="post"></form>'
               f'<div data-poll-url="/api/v1/answers/1"></div><img src="{PREFIX}{PREFIX}/static/x.svg"><a href="#top">ok</a>')
    assert [p.split(":", 1)[0] for p in walk.problems] == ["not under /tpm", "no POST route", "not under /tpm", "prefix twice"]


def test_scripts_spell_no_site_paths():
    """Scripts get their URLs from data-* attributes that templates build with url()."""
    for script in Path(REPO_ROOT / "web" / "static").glob("*.js"):
        literals = re.findall(r"""["'`](/[A-Za-z][^"'`]*)""", script.read_text())
        assert not literals, f"{script.name} spells site paths: {literals}"
