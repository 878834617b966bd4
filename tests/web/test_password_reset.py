"""Getting back into an account: a one-time link from the CLI or by email, and what using it ends."""

from __future__ import annotations

import re
import socket

import pytest
from fastapi.testclient import TestClient

from tests.conftest import csrf_of, login, make_user, soup, text_of

NEW = "a fresh start passphrase"


def _cli(settings, *argv) -> tuple[int, str]:
    import contextlib
    import io

    from web.cli import build_parser

    out = io.StringIO()
    args = build_parser().parse_args(list(argv))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = args.func(args, settings)
    return code, out.getvalue()


def _use(client, path: str, password: str = NEW, confirm: str | None = None, token: str | None = None):
    return client.post(path, data={"new_password": password, "confirm_password": confirm or password,
                                   "csrf_token": token or csrf_of(client, path)}, follow_redirects=False)


def test_the_cli_prints_a_link_that_works_once_and_ends_every_session(app, client, settings):
    make_user(app, "lost@example.com")
    login(client, "lost@example.com")  # a session elsewhere, which the reset must end
    code, out = _cli(app.state.settings, "users", "reset-password", "--email", "lost@example.com")
    assert code == 0
    path = re.search(r"https?://[^/\s]+(/reset/\S+)", out).group(1)
    with TestClient(app, base_url="http://testserver") as phone:
        assert "Choose a new password" in text_of(soup(phone.get(path)))
        weak = _use(phone, path, "password")
        assert weak.status_code == 422 and "harder password" in weak.text
        mismatch = _use(phone, path, NEW, NEW + "x")
        assert mismatch.status_code == 422 and "do not match" in mismatch.text
        token = csrf_of(phone, path)
        done = _use(phone, path, token=token)
        assert done.status_code == 303 and "reset=1" in done.headers["location"]
        assert _use(phone, path, token=csrf_of(phone, "/login")).status_code == 410  # used up
        assert phone.get(path).status_code == 410
    assert client.get("/progress", follow_redirects=False).status_code == 303  # the other session ended
    login(client, "lost@example.com", NEW)


def test_the_cli_says_when_there_is_no_such_account(app, settings):
    code, out = _cli(app.state.settings, "users", "reset-password", "--email", "nobody@example.com")
    assert code == 1 and "no account" in out


def test_an_expired_link_is_refused(app, client):
    from web.db import utcnow
    from web.models import PasswordReset

    make_user(app, "late@example.com")
    _code, out = _cli(app.state.settings, "users", "reset-password", "--email", "late@example.com")
    path = re.search(r"(/reset/\S+)", out).group(1)
    with app.state.write_db.begin() as db:
        db.execute(PasswordReset.__table__.update().values(expires_at=utcnow()))
    assert client.get(path).status_code == 410


def test_without_email_the_forgot_page_explains_how_to_get_a_link(client):
    page = text_of(soup(client.get("/forgot")))
    assert "tpmprep users reset-password" in page


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content.decode("utf-8", "replace"))
            return "250 OK"

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler.messages
    controller.stop()


def test_forgot_password_emails_a_link_and_reveals_no_accounts(app, client, smtp_server):
    port, inbox = smtp_server
    app.state.settings = app.state.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False,
                                                               "base_url": "http://testserver"})
    make_user(app, "mailme@example.com")
    answers = []
    for email in ("mailme@example.com", "stranger@example.com"):
        response = client.post("/forgot", data={"email": email, "csrf_token": csrf_of(client, "/forgot")})
        assert response.status_code == 200
        answers.append(text_of(soup(response).find(role="status")).replace(email, "<email>"))
    assert answers[0] == answers[1]  # the same words whether or not the account exists
    assert len(inbox) == 1 and "mailme@example.com" in inbox[0]
    path = re.search(r"http://testserver(/reset/\S+)", inbox[0]).group(1)
    assert _use(client, path).status_code == 303
    login(client, "mailme@example.com", NEW)


def test_forgot_password_requests_are_limited_per_address(app, client, smtp_server):
    port, _inbox = smtp_server
    app.state.settings = app.state.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False})
    for _ in range(5):
        assert client.post("/forgot", data={"email": "x@example.com", "csrf_token": csrf_of(client, "/forgot")}).status_code == 200
    assert client.post("/forgot", data={"email": "x@example.com", "csrf_token": csrf_of(client, "/forgot")}).status_code == 429


def _mail_on(app, port):
    app.state.settings = app.state.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False,
                                                               "base_url": "http://testserver"})


def test_sign_up_reveals_no_accounts_when_the_site_sends_email(app, client, smtp_server):
    port, inbox = smtp_server
    _mail_on(app, port)
    make_user(app, "taken@example.com")
    said = []
    for email in ("taken@example.com", "fresh@example.com"):
        response = client.post("/signup", data={"email": email, "password": "violet anchor meadow 42",
                                                "csrf_token": csrf_of(client, "/signup")}, follow_redirects=False)
        assert response.status_code == 200 and "tpmprep_session" not in response.headers.get("set-cookie", "")
        said.append(text_of(soup(response).find(role="status")).replace(email, "<email>"))
    assert said[0] == said[1]  # the same page whether or not the address has an account
    assert len(inbox) == 2
    assert "already has one" in inbox[0] and "taken@example.com" in inbox[0] and "/confirm/" not in inbox[0]
    assert "fresh@example.com" in inbox[1]
    path = re.search(r"http://testserver(/confirm/\S+)", inbox[1]).group(1)

    early = client.post("/login", data={"email": "fresh@example.com", "password": "violet anchor meadow 42",
                                        "csrf_token": csrf_of(client)}, follow_redirects=False)
    assert early.status_code == 403 and "Confirm your email first" in early.text
    assert len(inbox) == 2  # a link went out moments ago: logging in again does not send another
    assert "Confirm and log in" in text_of(soup(client.get(path)))  # opening the link changes nothing ...
    assert client.post("/login", data={"email": "fresh@example.com", "password": "violet anchor meadow 42",
                                       "csrf_token": csrf_of(client)}, follow_redirects=False).status_code == 403
    done = client.post(path, data={"csrf_token": csrf_of(client, path)}, follow_redirects=False)  # ... the button does
    assert done.status_code == 303 and "tpmprep_session" in done.headers["set-cookie"]
    assert client.get("/progress").status_code == 200
    assert client.get(path).status_code == 410  # used up


def test_an_unconfirmed_login_sends_a_fresh_link(app, client, smtp_server):
    from datetime import timedelta

    from web.db import utcnow
    from web.models import EmailConfirmation
    from web.services.email_confirmation import LINK_HOURS

    port, inbox = smtp_server
    _mail_on(app, port)
    client.post("/signup", data={"email": "slow@example.com", "password": "violet anchor meadow 42", "csrf_token": csrf_of(client, "/signup")})
    first = re.search(r"(/confirm/\S+)", inbox[0]).group(1)
    with app.state.write_db.begin() as db:  # the first email went out ten minutes ago
        db.execute(EmailConfirmation.__table__.update().values(expires_at=utcnow() + timedelta(hours=LINK_HOURS, minutes=-10)))
    response = client.post("/login", data={"email": "slow@example.com", "password": "violet anchor meadow 42",
                                           "csrf_token": csrf_of(client)})
    assert response.status_code == 403 and len(inbox) == 2
    second = re.search(r"(/confirm/\S+)", inbox[1]).group(1)
    assert client.get(first).status_code == 410 and client.get(second).status_code == 200  # only the newest link works
