"""Sign-up, login, logout, sessions, CSRF, password changes and login limits."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import csrf_of, login, make_user, soup, text_of
from web.db import utcnow
from web.routes.deps import CSRF_COOKIE, SESSION_COOKIE
from web.models import User, UserSession
from web.infra.security import token_hash


def _session_rows(app):
    with app.state.read_db() as db:
        return list(db.scalars(select(UserSession)))


def test_signup_creates_a_candidate_with_an_argon2_hash_and_logs_in(client, app):
    token = csrf_of(client, "/signup")
    response = client.post("/signup", data={"email": " New@Example.com ", "password": "a long passphrase", "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    with app.state.read_db() as db:
        user = db.scalar(select(User).where(User.email == "new@example.com"))
    assert user.role == "candidate"
    assert user.password_hash.startswith("$argon2id$") and "a long passphrase" not in user.password_hash
    set_cookie = response.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in set_cookie and "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    page = soup(client.get("/"))
    assert "new@example.com" in text_of(page.find("nav"))


def test_signup_errors_keep_the_email_and_say_what_is_wrong(client, app):
    make_user(app, "taken@example.com")
    token = csrf_of(client, "/signup")
    cases = [
        ({"email": "not-an-email", "password": "long enough pw"}, "valid email"),
        ({"email": "short@example.com", "password": "short"}, "at least 8"),
        ({"email": "long@example.com", "password": "x" * 257}, "at most 256"),
        ({"email": "taken@example.com", "password": "long enough pw"}, "already exists"),
    ]
    for data, message in cases:
        response = client.post("/signup", data=data | {"csrf_token": token})
        assert response.status_code == 422
        page = soup(response)
        assert message in text_of(page.select_one(".field-error"))
        assert page.find("input", id="email")["value"] == data["email"]


def test_login_gives_a_new_session_id_and_logout_deletes_it(client, app):
    make_user(app, "a@example.com")
    login(client, "a@example.com")
    first_cookie = client.cookies.get(SESSION_COOKIE)
    login(client, "a@example.com")
    second_cookie = client.cookies.get(SESSION_COOKIE)
    assert first_cookie and second_cookie and first_cookie != second_cookie
    ids = {row.id for row in _session_rows(app)}
    assert token_hash(second_cookie) in ids and token_hash(first_cookie) not in ids
    assert first_cookie not in ids  # only hashes are stored
    token = csrf_of(client, "/")
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert _session_rows(app) == []
    # The old cookie no longer works even if replayed.
    client.cookies.set(SESSION_COOKIE, second_cookie)
    assert client.get("/answers", follow_redirects=False).status_code == 303


def test_wrong_password_and_unknown_email_get_the_same_message(client, app):
    make_user(app, "b@example.com")
    token = csrf_of(client)
    wrong = client.post("/login", data={"email": "b@example.com", "password": "wrong password", "csrf_token": token})
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "wrong password", "csrf_token": token})
    assert wrong.status_code == unknown.status_code == 401
    assert text_of(soup(wrong).select_one(".alert-error")) == text_of(soup(unknown).select_one(".alert-error")) == "Email or password is not right."
    assert soup(wrong).find("input", id="email")["value"] == "b@example.com"


def test_login_attempts_are_limited_per_account(client, app, settings):
    make_user(app, "c@example.com")
    token = csrf_of(client)
    for _ in range(settings.login_max_attempts):
        client.post("/login", data={"email": "c@example.com", "password": "nope nope", "csrf_token": token})
    # Even the right password is refused while the limit holds.
    response = client.post("/login", data={"email": "c@example.com", "password": "correct horse battery", "csrf_token": token})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text


def test_login_attempts_are_limited_per_ip_across_accounts(client, app, settings):
    token = csrf_of(client)
    for i in range(settings.login_max_attempts * 4):
        client.post("/login", data={"email": f"x{i}@example.com", "password": "nope nope", "csrf_token": token})
    make_user(app, "fresh@example.com")
    response = client.post("/login", data={"email": "fresh@example.com", "password": "correct horse battery", "csrf_token": token})
    assert response.status_code == 429


def test_login_redirects_only_to_local_paths(client, app):
    make_user(app, "d@example.com")
    token = csrf_of(client)
    for target, expected in (("/answers", "/answers"), ("https://evil.example/", "/"), ("//evil.example", "/")):
        response = client.post("/login", data={"email": "d@example.com", "password": "correct horse battery", "csrf_token": token, "next": target}, follow_redirects=False)
        assert response.headers["location"] == expected
        token = csrf_of(client, "/")


def test_forms_without_or_with_a_wrong_csrf_token_are_refused(client, app, candidate, catalog):
    make_user(app, "e@example.com")
    qid = sorted(catalog.questions)[0]
    for path, data in (
        ("/login", {"email": "e@example.com", "password": "correct horse battery"}),
        ("/logout", {}),
        (f"/questions/{qid}/answers", {"text": "my answer"}),
        ("/account/password", {"current_password": "correct horse battery", "new_password": "another long one", "confirm_password": "another long one"}),
    ):
        for token in (None, "wrong-token"):
            payload = dict(data) if token is None else data | {"csrf_token": token}
            response = client.post(path, data=payload, follow_redirects=False)
            assert response.status_code == 403, (path, token)
    assert _session_rows(app)  # the logout without a token did nothing


def test_signup_and_login_forms_work_for_visitors_via_the_csrf_cookie(client):
    client.get("/signup")
    assert client.cookies.get(CSRF_COOKIE)


def test_idle_and_absolute_session_expiry(client, app, settings):
    make_user(app, "f@example.com")
    login(client, "f@example.com")
    assert client.get("/answers").status_code == 200
    with app.state.write_db.begin() as db:
        row = db.scalars(select(UserSession)).one()
        row.last_seen_at = utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)
    assert client.get("/answers", follow_redirects=False).status_code == 303
    login(client, "f@example.com")
    with app.state.write_db.begin() as db:
        row = db.scalars(select(UserSession)).first()
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert client.get("/answers", follow_redirects=False).status_code == 303


def test_change_password_checks_current_and_ends_other_sessions(client, app):
    from fastapi.testclient import TestClient

    make_user(app, "g@example.com")
    with TestClient(app) as other_device:
        login(other_device, "g@example.com")
        login(client, "g@example.com")
        assert len(_session_rows(app)) == 2
        token = csrf_of(client, "/account/password")
        bad = client.post("/account/password", data={"csrf_token": token, "current_password": "wrong one!", "new_password": "brand new pass", "confirm_password": "brand new pass"})
        assert bad.status_code == 422 and "current password is not right" in bad.text
        mismatch = client.post("/account/password", data={"csrf_token": token, "current_password": "correct horse battery", "new_password": "brand new pass", "confirm_password": "different pass"})
        assert mismatch.status_code == 422 and "do not match" in mismatch.text
        ok = client.post("/account/password", data={"csrf_token": token, "current_password": "correct horse battery", "new_password": "brand new pass", "confirm_password": "brand new pass"})
        assert ok.status_code == 200 and "password was changed" in ok.text
        assert len(_session_rows(app)) == 1
        assert other_device.get("/answers", follow_redirects=False).status_code == 303
    login(client, "g@example.com", "brand new pass")


def test_users_create_command_generates_a_password_once(settings, monkeypatch, capsys, app):
    from web.cli import main

    for key, value in {"TPMPREP_DATABASE_URL": settings.database_url, "TPMPREP_PASSWORD_HASH_CHEAP": "true"}.items():
        monkeypatch.setenv(key, value)
    assert main(["users", "create", "--email", "admin@example.com", "--role", "admin", "--generate-password"]) == 0
    out = capsys.readouterr().out
    password = out.split("password (shown once): ")[1].strip()
    with app.state.read_db() as db:
        user = db.scalar(select(User).where(User.email == "admin@example.com"))
        assert user.role == "admin" and password not in user.password_hash
        assert db.scalar(select(func.count()).select_from(User)) == 1
    assert main(["users", "create", "--email", "admin@example.com", "--generate-password"]) == 1
    assert main(["users", "create", "--email", "x@example.com", "--role", "emperor", "--generate-password"]) == 1
