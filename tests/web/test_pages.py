"""Every page renders and shows what a reader expects (parsed HTML, not string matching)."""

import pytest

from tests.conftest import first_question_id, soup, text_of


def test_home_page_introduces_the_product_and_links_to_categories(client, catalog):
    page = soup(client.get("/"))
    assert "technical program manager" in text_of(page.h1).lower()
    hrefs = {a["href"] for a in page.find_all("a")}
    for category in ("behavioral", "program-sense", "program-execution", "technical", "strategy"):
        assert f"/questions?category={category}" in hrefs
    assert page.find("a", string="Log in") is not None


def test_guides_index_lists_every_guide_in_order(client, catalog):
    page = soup(client.get("/guides"))
    titles = [text_of(h) for h in page.select(".guide-list h2")]
    assert titles == [g.title for g in catalog.guides]


def test_guide_page_has_toc_reading_time_neighbours_and_related_questions(client, catalog):
    guide = catalog.guides[1]
    response = client.get(f"/guides/{guide.slug}")
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.h1) == guide.title
    toc_links = [a["href"] for a in page.select("nav.toc a")]
    assert toc_links and all(page.find(id=href[1:]) is not None for href in toc_links)
    assert f"{guide.reading_minutes} min read" in text_of(page.select_one(".meta"))
    assert page.find("a", rel="prev")["href"] == f"/guides/{catalog.guides[0].slug}"
    assert page.find("a", rel="next")["href"] == f"/guides/{catalog.guides[2].slug}"
    related = [a["href"] for a in page.select(".related a")]
    assert related == [f"/questions/{q.id}" for q in catalog.questions_for_guide(guide.slug)]


def test_question_bank_filters_and_paginates(client, catalog):
    page = soup(client.get("/questions?category=technical"))
    titles = [text_of(h) for h in page.select(".question-card h3")]
    expected = [q for q in catalog.questions.values() if q.category == "technical"]
    assert 0 < len(titles) <= 20
    assert set(titles) <= {q.title for q in expected}
    assert f"{len(expected)} question" in text_of(page.select_one(".result-count"))
    assert page.find("select", id="category").find("option", selected=True)["value"] == "technical"


def test_question_bank_pagination_links(client, catalog):
    page = soup(client.get("/questions"))
    if len(catalog.questions) > 20:
        nxt = page.find("a", rel="next")
        assert nxt is not None and "page=2" in nxt["href"]
        page2 = soup(client.get("/questions?page=2"))
        assert "Page 2 of" in text_of(page2.select_one(".pagination"))


def test_question_bank_text_search_ranks_title_matches(client, catalog):
    question = catalog.question(first_question_id(catalog))
    word = max(question.title.split(), key=len)
    page = soup(client.get("/questions", params={"q": word}))
    titles = [text_of(h) for h in page.select(".question-card h3")]
    assert question.title in titles


def test_question_bank_difficulty_dimension_and_tag_filters(client, catalog):
    for params, predicate in (
        ({"difficulty": "hard"}, lambda q: q.difficulty == "hard"),
        ({"dimension": "risk"}, lambda q: "risk" in q.weighted_dimensions[:2]),
    ):
        page = soup(client.get("/questions", params=params | {"page": 1}))
        expected = [q for q in catalog.questions.values() if predicate(q)]
        assert f"{len(expected)} question" in text_of(page.select_one(".result-count"))
    tag = catalog.all_tags()[0]
    page = soup(client.get("/questions", params={"tag": tag}))
    expected = [q for q in catalog.questions.values() if tag in q.tags]
    assert f"{len(expected)} question" in text_of(page.select_one(".result-count"))


def test_question_bank_empty_state(client):
    page = soup(client.get("/questions?q=zzzzqqqxxy"))
    assert "No question matches" in text_of(page.select_one(".empty"))


def test_question_page_for_visitor_shows_prompt_tips_followups_and_hidden_example(client, catalog):
    question = catalog.question(first_question_id(catalog))
    page = soup(client.get(f"/questions/{question.id}"))
    headings = [text_of(h) for h in page.find_all("h2")]
    for expected in ("The question", "Your answer", "Tips", "Follow-up questions", "Example strong answer"):
        assert expected in headings
    example = page.find(id="example-heading").find_next("details")
    assert example is not None and not example.has_attr("open")
    assert page.find("textarea") is None  # visitors are asked to log in first
    assert page.find("a", href=f"/login?next=/questions/{question.id}") is not None
    follow_ups = [text_of(li) for li in page.find(id="followups-heading").find_next("ul").find_all("li")]
    assert follow_ups == list(question.follow_ups)


def test_question_page_for_candidate_has_labelled_form_with_csrf_and_timer(client, catalog, candidate):
    question = catalog.question(first_question_id(catalog))
    page = soup(client.get(f"/questions/{question.id}"))
    form = page.find("form", action=f"/questions/{question.id}/answers")
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    textarea = form.find("textarea", attrs={"name": "text"})
    assert page.find("label", attrs={"for": textarea["id"]}) is not None
    assert form.find("input", attrs={"data-timer-toggle": True}) is not None


def test_unknown_pages_give_a_styled_404(client):
    for path in ("/nowhere", "/guides/not-a-guide", "/questions/not-a-question"):
        response = client.get(path)
        assert response.status_code == 404
        page = soup(response)
        assert text_of(page.h1) == "Page not found"
        assert page.find("a", href="/") is not None


def test_500_page_is_styled_and_does_not_leak(app):
    from fastapi.testclient import TestClient

    @app.get("/boom-test")
    def boom():
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/boom-test")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert text_of(soup(response).h1) == "Something went wrong"


def test_security_headers_on_pages(client):
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]


@pytest.mark.parametrize("path", ["/static/site.css", "/static/app.js", "/static/print.css"])
def test_static_assets_are_served_locally(client, path):
    assert client.get(path).status_code == 200


def test_pages_reference_no_external_hosts(client, catalog):
    for path in ("/", "/guides", "/questions", f"/questions/{first_question_id(catalog)}", "/login", "/signup"):
        page = soup(client.get(path))
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
            for node in page.find_all(tag):
                value = node.get(attr) or ""
                assert not value.startswith(("http:", "https:", "//")), (path, value)


def test_anonymous_catalog_pages_are_cached_but_never_served_to_a_logged_in_user(app, client, catalog):
    from fastapi.testclient import TestClient

    from tests.conftest import login, make_user

    with TestClient(app) as anonymous:
        first = anonymous.get("/questions?category=strategy")
        second = anonymous.get("/questions?category=strategy")
        assert first.text == second.text and "set-cookie" not in first.headers
        assert second.headers["content-security-policy"]  # cached pages keep their headers
    make_user(app, "cached@example.com")
    login(client, "cached@example.com")
    page = soup(client.get("/questions?category=strategy"))
    assert "cached@example.com" in text_of(page.find("nav"))
    assert page.find("meta", attrs={"name": "csrf-token"}) is not None


def test_pages_without_forms_set_no_cookie_for_visitors(client, catalog):
    assert "set-cookie" not in client.get("/guides").headers
    assert "tpmprep_csrf" in client.get("/login").headers["set-cookie"]
