"""The JSON API: questions, guides, answers; cookie auth with a CSRF header, or bearer tokens."""

from tests.conftest import first_question_id, make_user, soup, text_of
from web.routes.deps import CSRF_HEADER


def test_questions_filter_search_and_paginate(client, catalog):
    data = client.get("/api/v1/questions", params={"category": "strategy", "per_page": 5}).json()
    expected = [q for q in catalog.questions.values() if q.category == "strategy"]
    assert data["total"] == len(expected) and len(data["items"]) == min(5, len(expected))
    assert all(item["category"] == "strategy" for item in data["items"])
    assert client.get("/api/v1/questions", params={"category": "nope"}).status_code == 422


def test_one_question_and_guides(client, catalog):
    qid = first_question_id(catalog)
    data = client.get(f"/api/v1/questions/{qid}").json()
    assert data["id"] == qid and data["prompt"] and data["key_points"]
    assert client.get("/api/v1/questions/missing").status_code == 404
    guides = client.get("/api/v1/guides").json()
    assert [g["slug"] for g in guides] == [g.slug for g in catalog.guides]
    one = client.get(f"/api/v1/guides/{guides[0]['slug']}").json()
    assert "<h2" in one["html"]


def test_answers_need_authentication(client, catalog):
    assert client.get("/api/v1/answers").status_code == 401
    body = {"question_id": first_question_id(catalog), "text": "hello"}
    assert client.post("/api/v1/answers", json=body).status_code in (401, 403)


def test_cookie_session_needs_the_csrf_header(client, catalog, candidate):
    body = {"question_id": first_question_id(catalog), "text": "I planned the rollout and named a rollback owner."}
    assert client.post("/api/v1/answers", json=body).status_code == 403
    token = soup(client.get("/")).find("meta", attrs={"name": "csrf-token"})["content"]
    response = client.post("/api/v1/answers", json=body, headers={CSRF_HEADER: token})
    assert response.status_code == 201
    data = response.json()
    assert data["word_count"] == 9 and data["score_cards"][0]["scorer"] == "offline"
    assert set(data["score_cards"][0]["scores"]) == {"strategy", "risk", "communication", "leadership"}


def test_bearer_token_flow(client, app, catalog, settings, monkeypatch, capsys):
    from web.cli import main

    make_user(app, "api@example.com")
    monkeypatch.setenv("TPMPREP_DATABASE_URL", settings.database_url)
    assert main(["tokens", "create", "--email", "api@example.com"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"question_id": first_question_id(catalog), "text": "My answer with a risk register and an owner."}
    created = client.post("/api/v1/answers", json=body, headers=headers)
    assert created.status_code == 201
    listing = client.get("/api/v1/answers", headers=headers).json()
    assert listing["total"] == 1 and listing["items"][0]["id"] == created.json()["id"]
    assert client.get(f"/api/v1/answers/{created.json()['id']}", headers=headers).status_code == 200
    assert client.get("/api/v1/answers", headers={"Authorization": "Bearer tpm_wrong"}).status_code == 401


def test_api_validation_messages(client, catalog, candidate):
    token = soup(client.get("/")).find("meta", attrs={"name": "csrf-token"})["content"]
    empty = client.post("/api/v1/answers", json={"question_id": first_question_id(catalog), "text": "  "}, headers={CSRF_HEADER: token})
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    missing = client.post("/api/v1/answers", json={"question_id": "nope", "text": "x"}, headers={CSRF_HEADER: token})
    assert missing.status_code == 404


def test_api_reference_and_openapi_json_only_outside_production(client, settings, catalog):
    from fastapi.testclient import TestClient

    from web.app import create_app

    assert client.get("/openapi.json").status_code == 200
    assert "/openapi.json" in client.get("/docs").text
    prod = create_app(settings.model_copy(update={"environment": "production", "cookie_secure": True}), catalog=catalog)
    with TestClient(prod) as c:  # production turns both off, as README and docs/deploy.md say
        assert c.get("/docs").status_code == 404
        assert c.get("/openapi.json").status_code == 404


def test_api_reference_documents_every_api_route_and_works_offline(app, client):
    """Built from the app's own routes: a new endpoint appears without anyone editing the page."""
    from tests.web.test_security import app_routes

    page = soup(client.get("/docs"))
    listed = {tuple(text_of(code).split(" ", 1)) for code in page.select(".toc code")}
    expected = {(method, path) for method, path in app_routes(app) if path.startswith("/api/v1/")}
    assert listed == expected
    submit = page.find(id="post-api-v1-answers").find_parent("section")
    rows = {text_of(tr.find("td")): text_of(tr) for tr in page.find(id="type-AnswerIn").find_parent("section").select("tbody tr")}
    assert "JSON: AnswerIn" in text_of(submit) and "Response 201" in text_of(submit)
    assert "yes" in rows["question_id"] and "string (up to 120 characters)" in rows["question_id"]
    assert submit.find("a", href="#type-AnswerDetail") is not None  # types link to their tables
    # Nothing is fetched from another host, and the page runs under the site's strict policy.
    assert all(not (tag.get("src") or tag.get("href") or "").startswith(("http:", "https:", "//")) for tag in page.find_all(["script", "link", "img", "a"]))
    assert "unsafe-inline" not in client.get("/docs").headers["content-security-policy"]
