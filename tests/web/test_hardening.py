"""Hardening: private pages are never stored, production hides what it should, logs cannot be forged."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from playwright.sync_api import expect

from tests.conftest import REPO_ROOT, first_question_id, login, make_user
from web.db import utcnow
from web.settings import Settings

PRIVATE_PAGES = ("/", "/saved", "/notifications", "/progress", "/practice", "/mock", "/answers", "/account")


def test_every_page_made_for_a_logged_in_user_is_never_stored(client, candidate):
    for path in PRIVATE_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get("cache-control") == "no-store", path


def test_an_anonymous_catalog_page_may_be_cached(client, catalog):
    response = client.get(f"/questions/{first_question_id(catalog)}")
    assert "no-store" not in response.headers.get("cache-control", "")


def test_reviewer_and_admin_pages_are_never_stored(app, client):
    make_user(app, "boss@example.com", role="admin")
    login(client, "boss@example.com")
    for path in ("/review", "/review/agreement", "/review/calibration", "/admin/adjudication"):
        response = client.get(path)
        assert response.status_code == 200 and response.headers.get("cache-control") == "no-store", path


def test_the_login_redirect_keeps_the_whole_address(client):
    response = client.get("/answers/compare?a=1&b=2", follow_redirects=False)
    assert response.status_code == 303
    assert parse_qs(urlsplit(response.headers["location"]).query)["next"] == ["/answers/compare?a=1&b=2"]


@pytest.fixture
def production_client(database_url, catalog):
    from web.app import create_app

    def make(**extra):
        settings = Settings(environment="production", database_url=database_url, cookie_secure=True, run_worker=False,
                            content_dir=REPO_ROOT / "content", **extra)
        return TestClient(create_app(settings, catalog=catalog), base_url="https://testserver")

    return make


def test_production_turns_off_the_api_reference_and_open_metrics(production_client):
    with production_client() as c:
        assert c.get("/docs").status_code == 404
        assert c.get("/openapi.json").status_code == 404
        assert c.get("/metrics").status_code == 404


def test_metrics_need_the_token_when_one_is_set(production_client):
    with production_client(metrics_token="scrape-me-please") as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = c.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert ok.status_code == 200 and "tpmprep_request_duration_seconds" in ok.text


def test_a_line_break_in_the_path_cannot_forge_a_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="tpmprep.access"):
        client.get("/questions/x%0a127.0.0.1 GET /admin 200")
    lines = [r.getMessage() for r in caplog.records if r.name == "tpmprep.access"]
    assert lines and all("\n" not in line and "\r" not in line for line in lines)
    assert any("%0A" in line for line in lines)


@pytest.mark.browser
def test_back_after_logout_shows_no_private_data(live_server, page, app, catalog):
    make_user(app, "private@example.com")
    qid = first_question_id(catalog)
    page.goto(f"{live_server}/login?next=/questions/{qid}")
    page.get_by_label("Email").fill("private@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Private note").fill("My salary floor is 240k, keep this private")
    page.get_by_role("button", name="Save note").click()
    page.goto(f"{live_server}/saved")
    expect(page.locator("main")).to_contain_text("My salary floor is 240k")
    page.locator("summary", has_text="private@example.com").click()  # the account menu
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    page.go_back()
    page.wait_for_load_state()
    assert "240k" not in page.content()


def test_an_llm_failure_never_shows_the_endpoint_or_its_credentials(app, client, catalog, candidate):
    import socket

    from tests.conftest import csrf_of
    from web.services.scoring_jobs import process_one

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    secret_url = f"http://scorer:hunter2secret@127.0.0.1:{closed_port}/v1"
    app.state.settings = app.state.settings.model_copy(
        update={"llm_base_url": secret_url, "llm_api_key": "sk-live-abcdef", "llm_timeout_seconds": 1, "llm_max_retries": 0})
    qid = first_question_id(catalog)
    response = client.post(f"/questions/{qid}/answers", data={"text": "I owned the plan and told the VP weekly.",
                                                              "csrf_token": csrf_of(client, f"/questions/{qid}")},
                           follow_redirects=False)
    answer_id = int(response.headers["location"].rsplit("/", 1)[1])
    while process_one(write_db=app.state.write_db, catalog=catalog, settings=app.state.settings, worker_id="t",
                      answer_id=answer_id, scorer="llm"):
        pass
    page = client.get(f"/answers/{answer_id}").text
    api = client.get(f"/api/v1/answers/{answer_id}").json()
    llm_job = next(j for j in api["jobs"] if j["scorer"] == "llm")
    assert llm_job["last_error"], "the failure is explained"
    for shown in (page, llm_job["last_error"]):
        for secret in ("hunter2secret", "sk-live-abcdef", f"127.0.0.1:{closed_port}", "scorer:"):
            assert secret not in shown


def test_a_nul_character_is_dropped_not_a_server_error(app, client, catalog):
    """PostgreSQL refuses NUL in text; SQLite would keep it. Either way the person gets a normal answer."""
    from tests.conftest import csrf_of
    from web.models import Answer, Note, User

    token = csrf_of(client, "/signup")
    response = client.post("/signup", data={"email": "nul\x00@example.com", "password": "a long passphrase here",
                                            "csrf_token": token}, follow_redirects=False)
    assert response.status_code in (303, 422)
    make_user(app, "clean@example.com")
    login(client, "clean@example.com")
    qid = first_question_id(catalog)
    page = f"/questions/{qid}"
    response = client.post(f"/questions/{qid}/answers", data={"text": "I owned\x00 the plan.", "csrf_token": csrf_of(client, page)},
                           follow_redirects=False)
    assert response.status_code == 303
    response = client.post(f"/questions/{qid}/note", data={"text": "note\x00 here", "csrf_token": csrf_of(client, page)},
                           follow_redirects=False)
    assert response.status_code == 303
    with app.state.read_db() as db:
        assert db.query(Answer).one().text == "I owned the plan."
        assert db.query(Note).one().text == "note here"
        assert all("\x00" not in u.email for u in db.query(User))


@pytest.mark.parametrize("content_type, body", [
    ("text/plain", b"just text"),
    ("application/x-www-form-urlencoded", b"text=hello&question_id=x"),
    ("application/xml", b"<answer>\xff\xfe</answer>"),
    (None, b""),
])
def test_a_body_that_is_not_json_gets_a_clear_422_from_the_api(app, client, content_type, body):
    from web.services import tokens as token_service
    from web.services.users import get_by_id

    user_id = make_user(app, "script@example.com")
    with app.state.write_db.begin() as db:
        token = token_service.create_token(db=db, user=get_by_id(db=db, user_id=user_id), name="ci")
    headers = {"Authorization": f"Bearer {token}"} | ({"Content-Type": content_type} if content_type else {})
    response = client.post("/api/v1/answers", content=body, headers=headers)
    assert response.status_code == 422
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.json()["detail"]


def _read_only_url(database_url: str) -> str:
    if database_url.startswith("sqlite:///"):
        return f"sqlite:///file:{database_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    separator = "&" if "?" in database_url else "?"
    return f"{database_url}{separator}options=-c%20default_transaction_read_only%3Don"


class _Lines(logging.Handler):
    """Collects tpmprep's log lines (its logger does not propagate to pytest's handler)."""

    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_a_read_only_database_is_not_ready_and_says_why(database_url, catalog):
    from web.app import create_app

    settings = Settings(environment="test", database_url=_read_only_url(database_url), password_hash_cheap=True,
                        run_worker=False, content_dir=REPO_ROOT / "content")
    with TestClient(create_app(settings, catalog=catalog), base_url="http://testserver") as c:
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["writable"].startswith("refuses writes")
        from tests.conftest import csrf_of

        token = csrf_of(c, "/signup")
        lines = _Lines()
        logging.getLogger("tpmprep").addHandler(lines)
        try:
            response = c.post("/signup", data={"email": "ro@example.com", "password": "a long passphrase here",
                                               "csrf_token": token}, follow_redirects=False)
        finally:
            logging.getLogger("tpmprep").removeHandler(lines)
        assert response.status_code == 503
    # The log says what is wrong, not only the exception's class name.
    written = " ".join(line for line in lines.lines if "database error" in line)
    assert "read" in written.lower() and ("only" in written.lower() or "readonly" in written.lower()), written


def test_a_writable_database_is_ready(client):
    assert client.get("/readyz").json()["checks"]["writable"] == "ok"


def test_an_exhausted_connection_pool_is_a_503_with_retry_after(app, client, candidate, monkeypatch):
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    def busy(*_a, **_k):
        raise PoolTimeout("QueuePool limit of size 5 overflow 10 reached, connection timed out")

    monkeypatch.setattr(app.state.engine.pool, "connect", busy)
    page = client.get("/progress")
    assert page.status_code == 503 and page.headers["retry-after"] == "5" and "very busy" in page.text
    api = client.get("/api/v1/answers")
    assert api.status_code == 503 and api.headers["retry-after"] == "5"


def test_deleting_an_account_deletes_anchors_copied_from_its_answers(app, catalog):
    from web.models import AnchorAnswer
    from web.services import account_data, calibration, reviews
    from web.services.submission import submit_and_score
    from web.services.users import get_by_id

    ids = {r: make_user(app, f"{r}@example.com", role=r if r != "owner" else "candidate") for r in ("owner", "reviewer", "admin")}
    question = catalog.question(first_question_id(catalog))
    with app.state.write_db() as db:
        owner, reviewer, admin = (get_by_id(db=db, user_id=ids[r]) for r in ("owner", "reviewer", "admin"))
        answer = submit_and_score(db=db, write_db=app.state.write_db, catalog=catalog, settings=app.state.settings, user=owner,
                                  question=question, text="My private story about the Falcon migration.", started_at=None)
        request = reviews.request_review(db=db, answer=answer, reviews_needed=1)
        reviews.claim(db=db, reviewer=reviewer, request_id=request.id, claim_minutes=30)
        reviews.submit_review(db=db, reviewer=reviewer, request=request, scores=dict.fromkeys(("strategy", "risk", "communication", "leadership"), 3),
                              comments={}, overall_comment="", passages=[])
        calibration.make_anchor(db=db, admin=admin, request=request)
        kept = calibration.add_anchor(db=db, admin=admin, question_id=question.id, text="Written by the admin.",
                                      scores=dict.fromkeys(("strategy", "risk", "communication", "leadership"), 4))
        db.commit()
        account_data.delete_account(db=db, user=owner)
        db.commit()
        texts = [a.text for a in db.scalars(select(AnchorAnswer))]
    assert texts == [kept.text]


def _token_for(app, email: str, **kw) -> str:
    from web.services import tokens as token_service
    from web.services.users import get_by_email

    with app.state.write_db.begin() as db:
        return token_service.create_token(db=db, user=get_by_email(db=db, email=email), name="script", **kw)


def test_an_api_token_opens_the_api_and_nothing_else(app, client, catalog):
    make_user(app, "boss2@example.com", role="admin")
    token = _token_for(app, "boss2@example.com")
    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(app, base_url="http://testserver") as script:  # no cookies: only the token
        assert script.get("/api/v1/answers", headers=bearer).status_code == 200
        assert script.get("/progress", headers=bearer, follow_redirects=False).status_code == 401
        assert script.get("/admin/adjudication", headers=bearer).status_code == 401
        # Not even an admin's token can post a form without the CSRF token a signed-in browser holds.
        assert script.post("/admin/anchors", data={"request_id": 1}, headers=bearer).status_code in (401, 403)


def test_an_expired_token_is_refused(app, client):
    from web.models import ApiToken

    make_user(app, "old@example.com")
    token = _token_for(app, "old@example.com", expires_in_days=30)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/answers", headers=bearer).status_code == 200
    with app.state.write_db.begin() as db:
        db.execute(ApiToken.__table__.update().values(expires_at=utcnow() - timedelta(minutes=1)))
    assert client.get("/api/v1/answers", headers=bearer).status_code == 401


def test_changing_the_password_revokes_every_token(app, client):
    from tests.conftest import csrf_of

    make_user(app, "rotate@example.com")
    token = _token_for(app, "rotate@example.com")
    login(client, "rotate@example.com")
    response = client.post("/account/password", data={
        "current_password": "correct horse battery", "new_password": "a brand new passphrase 42",
        "confirm_password": "a brand new passphrase 42", "csrf_token": csrf_of(client, "/account/password")})
    assert response.status_code == 200
    with TestClient(app, base_url="http://testserver") as script:
        assert script.get("/api/v1/answers", headers={"Authorization": f"Bearer {token}"}).status_code == 401


@pytest.mark.parametrize("weak", ["12345678", "password", "        ", "qwertyuiop", "passw0rd123"])
def test_common_passwords_are_refused_with_a_clear_message(client, weak):
    from tests.conftest import csrf_of

    response = client.post("/signup", data={"email": "new@example.com", "password": weak, "csrf_token": csrf_of(client, "/signup")},
                           follow_redirects=False)
    assert response.status_code == 422
    assert "harder password" in response.text or "at least 8" in response.text


def test_a_password_made_of_the_email_is_refused(client):
    from tests.conftest import csrf_of

    response = client.post("/signup", data={"email": "margaretha.vanderberg@example.com", "password": "margarethavanderberg",
                                            "csrf_token": csrf_of(client, "/signup")}, follow_redirects=False)
    assert response.status_code == 422 and "harder password" in response.text


def test_sign_ups_are_limited_per_address(app, client, settings):
    from tests.conftest import csrf_of

    app.state.settings = app.state.settings.model_copy(update={"signups_per_hour": 3})
    for i in range(3):
        with TestClient(app, base_url="http://testserver") as fresh:  # a new browser each time, same address
            made = fresh.post("/signup", data={"email": f"bulk{i}@example.com", "password": "a long passphrase here",
                                               "csrf_token": csrf_of(fresh, "/signup")}, follow_redirects=False)
            assert made.status_code == 303
    refused = client.post("/signup", data={"email": "bulk9@example.com", "password": "a long passphrase here",
                                           "csrf_token": csrf_of(client, "/signup")}, follow_redirects=False)
    assert refused.status_code == 429 and "Too many accounts" in refused.text and refused.headers["retry-after"] == "3600"
    assert soup_field(refused, "email") == "bulk9@example.com"  # the form comes back filled in


def soup_field(response, name):
    from tests.conftest import soup

    return soup(response).find("input", attrs={"name": name})["value"]


def test_guesses_from_many_addresses_slow_the_account_down_but_never_lock_its_owner_out(app, settings):
    from tests.conftest import csrf_of
    from web.models import LoginAttempt

    make_user(app, "target@example.com")
    for i in range(settings.login_max_attempts):
        with TestClient(app, base_url="http://testserver", client=(f"203.0.113.{i}", 5000)) as attacker:
            wrong = attacker.post("/login", data={"email": "target@example.com", "password": "guess number one",
                                                  "csrf_token": csrf_of(attacker)})
            assert wrong.status_code == 401
    with TestClient(app, base_url="http://testserver", client=("198.51.100.7", 5000)) as owner:
        token = csrf_of(owner)
        slowed = owner.post("/login", data={"email": "target@example.com", "password": "correct horse battery", "csrf_token": token})
        assert slowed.status_code == 429 and int(slowed.headers["retry-after"]) <= 2  # a second or two, not 15 minutes
        with app.state.write_db.begin() as db:  # ... and once that moment has passed
            db.execute(LoginAttempt.__table__.update().values(at=utcnow() - timedelta(seconds=5)))
        ok = owner.post("/login", data={"email": "target@example.com", "password": "correct horse battery", "csrf_token": token},
                        follow_redirects=False)
        assert ok.status_code == 303


def test_an_oversized_body_is_refused_before_it_is_read(app, client, candidate):
    from web.infra.body_limit import JSON_LIMIT

    big = b"x" * (JSON_LIMIT + 1)
    api = client.post("/api/v1/answers", content=big, headers={"Content-Type": "application/json"})
    assert api.status_code == 413 and "larger than this page accepts" in api.json()["detail"]
    assert api.headers["x-content-type-options"] == "nosniff"
    form = client.post("/questions/x/answers", content=b"text=" + big, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 413 and "Too large" in form.text


def test_a_chunked_body_is_cut_off_at_the_limit(app):
    """No Content-Length: the body is counted as it arrives and refused once past the limit."""
    import asyncio
    import threading

    from web.infra.body_limit import FORM_LIMIT, BodyLimit

    read = {"bytes": 0}

    async def inner(scope, receive, send):
        while True:
            message = await receive()
            read["bytes"] += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    chunks = [{"type": "http.request", "body": b"x" * 65536, "more_body": True} for _ in range(100)]
    sent = []

    async def receive():
        return chunks.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/signup", "root_path": "", "headers": []}
    # In a thread of its own: the browser tests' Playwright keeps an event loop on this one.
    runner = threading.Thread(target=lambda: asyncio.run(BodyLimit(inner)(scope, receive, send)))
    runner.start()
    runner.join(10)
    assert sent[0]["status"] == 413
    assert read["bytes"] <= FORM_LIMIT  # it stopped reading at the limit, not after 6 MB


def _answers_of(app) -> int:
    from sqlalchemy import func

    from web.models import Answer

    with app.state.read_db() as db:
        return db.scalar(select(func.count()).select_from(Answer))


def test_a_retried_form_submit_stores_one_answer(app, client, candidate, catalog):
    from tests.conftest import soup

    qid = first_question_id(catalog)
    form = soup(client.get(f"/questions/{qid}")).find("form", class_="answer-form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    fields["text"] = "I owned the recovery plan and told the VP every Friday."
    first = client.post(form["action"], data=fields, follow_redirects=False)
    again = client.post(form["action"], data=fields, follow_redirects=False)  # the browser retries
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert _answers_of(app) == 1
    fresh = soup(client.get(f"/questions/{qid}")).find("input", attrs={"name": "submission_key"})["value"]
    assert fresh != fields["submission_key"]  # the next answer gets a new key


def test_the_api_honours_an_idempotency_key(app, client, catalog):
    make_user(app, "api@example.com")
    bearer = {"Authorization": f"Bearer {_token_for(app, 'api@example.com')}"}
    body = {"question_id": first_question_id(catalog), "text": "I owned the plan and named a rollback owner."}
    first = client.post("/api/v1/answers", json=body, headers=bearer | {"Idempotency-Key": "run-42"})
    again = client.post("/api/v1/answers", json=body, headers=bearer | {"Idempotency-Key": "run-42"})
    other = client.post("/api/v1/answers", json=body, headers=bearer | {"Idempotency-Key": "run-43"})
    assert first.json()["id"] == again.json()["id"] != other.json()["id"]
    assert _answers_of(app) == 2


def test_a_submit_whose_connection_dropped_is_not_stored_twice_when_retried(app, live_server, catalog):
    """The client sends the answer and hangs up before the reply; its retry finds the stored answer."""
    import socket
    import time
    from urllib.parse import urlencode, urlsplit

    import httpx

    from tests.conftest import soup

    make_user(app, "flaky@example.com")
    browser = httpx.Client(base_url=live_server)
    token = soup(browser.get("/login")).find("input", attrs={"name": "csrf_token"})["value"]
    browser.post("/login", data={"email": "flaky@example.com", "password": "correct horse battery", "csrf_token": token})
    qid = first_question_id(catalog)
    form = soup(browser.get(f"/questions/{qid}")).find("form", class_="answer-form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    fields["text"] = "I owned the cut-over plan, rehearsed the rollback twice and briefed the sponsor weekly."
    body = urlencode(fields).encode()
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    host, port = urlsplit(live_server).hostname, urlsplit(live_server).port
    with socket.create_connection((host, port)) as raw:  # send it all, then drop the line unread
        raw.sendall(f"POST {form['action']} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\nCookie: {cookies}\r\nConnection: close\r\n\r\n".encode() + body)
    deadline = time.monotonic() + 10
    while _answers_of(app) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _answers_of(app) == 1  # the server stored it although the client never saw the reply
    retry = browser.post(form["action"], data=fields, follow_redirects=True)  # the client saw an error: it tries again
    assert retry.status_code == 200 and fields["text"][:30] in retry.text
    assert _answers_of(app) == 1
    browser.close()
