"""Shared fixtures: an isolated database per test (SQLite file or PostgreSQL), the app, clients, users."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from web.settings import REPO_ROOT, Settings

# Set TPMPREP_TEST_DATABASE_URL=postgresql+psycopg://... to run every DB test on PostgreSQL.
PG_URL = os.environ.get("TPMPREP_TEST_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")
FIXTURES = Path(__file__).parent / "fixtures"


def postgres_admin_url(database: str) -> str:
    """The test server's URL with another database name."""
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def recreate_postgres_database(name: str) -> str:
    """Drop and create a PostgreSQL database on the test server; returns its URL."""
    admin = create_engine(postgres_admin_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return postgres_admin_url(name)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> str:
    """A database at head, made once: a SQLite file to copy, or the PostgreSQL test database."""
    from web.infra import migrations

    if ON_POSTGRES:
        url = recreate_postgres_database(f"tpmprep_test_{os.getpid()}")
        migrations.upgrade(url)
        return url
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(migrated_template, tmp_path) -> str:
    """A fresh, migrated database for one test."""
    if ON_POSTGRES:
        yield migrated_template
        engine = create_engine(migrated_template)
        from web.db import Base

        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return
    path = tmp_path / "test.db"
    shutil.copy(migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    """Test settings: isolated DB, cheap hashing, no background worker."""
    return Settings(
        environment="test",
        database_url=database_url,
        password_hash_cheap=True,
        run_worker=False,
        content_dir=REPO_ROOT / "content",
    )


@pytest.fixture(scope="session")
def catalog():
    """The real content catalog, loaded once."""
    from web.content import load_catalog

    return load_catalog(REPO_ROOT / "content")


@pytest.fixture
def app(settings, catalog):
    """The application for one test."""
    from web.app import create_app

    application = create_app(settings, catalog=catalog)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app):
    """A browser-like test client (keeps cookies)."""
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://testserver") as c:
        yield c


def soup(response) -> BeautifulSoup:
    """Parse a page the way a reader sees it."""
    return BeautifulSoup(response.text, "html.parser")


def csrf_of(client, path: str = "/login") -> str:
    """The CSRF token a page's forms carry."""
    page = soup(client.get(path))
    field = page.find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"no CSRF field on {path}"
    return field["value"]


def make_user(app, email: str, password: str = "correct horse battery", role: str = "candidate"):
    """Create a user directly through the service."""
    from web.services import users as user_service

    with app.state.write_db.begin() as db:
        user = user_service.create_user(db=db, email=email, password=password, role=role, settings=app.state.settings)
        return user.id


def login(client, email: str, password: str = "correct horse battery"):
    """Log in through the form, as a person would."""
    token = csrf_of(client, "/login")
    response = client.post("/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, response.text[:500]
    return response


@pytest.fixture
def candidate(app, client):
    """A logged-in candidate; returns the email."""
    make_user(app, "cand@example.com")
    login(client, "cand@example.com")
    return "cand@example.com"


def first_question_id(catalog) -> str:
    """A stable question id to practise with."""
    return sorted(catalog.questions)[0]


def text_of(node) -> str:
    """Visible text with whitespace folded."""
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


CHROMIUM = "/usr/bin/chromium"
# Flags for headless Chromium on a closed network: no background calls home.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def live_server(app):
    """The app served by uvicorn on a free 127.0.0.1 port in a thread; yields the base URL."""
    import socket
    import threading
    import time

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page per test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


def flat_text(node) -> str:
    """Visible text as a reader runs it together (no spaces added between inline tags)."""
    return re.sub(r"\s+", " ", node.get_text()).strip()


@pytest.fixture
def fake_openai():
    """A scriptable fake OpenAI-compatible server on 127.0.0.1, and a clean format-negotiation cache."""
    from scoring.llm import clear_format_cache
    from tests.fake_openai import FakeOpenAI

    clear_format_cache()
    server = FakeOpenAI().start()
    yield server
    server.stop()
    clear_format_cache()
