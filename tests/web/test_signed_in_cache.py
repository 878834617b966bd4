"""Signed-in catalog pages kept per session: reused only while nothing on them changed, and the
login is still checked on every request (a logout anywhere ends it at once)."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update

from tests.conftest import first_question_id, login, make_user, soup, text_of
from web.models import Notification, User, UserSession
from web.services import answers as answer_service


def _count_renders(monkeypatch) -> list[int]:
    """How many times the question bank was actually built (its attempted-marks read runs each time)."""
    from web.routes import questions

    calls: list[int] = []
    real = questions.answer_service.attempted

    def counting(**kwargs):
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(questions.answer_service, "attempted", counting)
    return calls


def _store_answer(app, catalog, email: str, text: str = "I would stage the rollout by region with a rollback owner.") -> int:
    """An answer stored outside any request (as the CLI or another process would)."""
    with app.state.write_db.begin() as db:
        user = db.scalar(select(User).where(User.email == email))
        answer = answer_service.submit_answer(db=db, user=user, question=catalog.question(first_question_id(catalog)),
                                              text=text, started_at=None, max_chars=app.state.settings.max_answer_chars)
        return answer.id


def test_a_repeat_view_is_reused_but_a_logout_elsewhere_ends_it_at_once(app, client, candidate, monkeypatch):
    renders = _count_renders(monkeypatch)
    first = client.get("/questions?category=behavioral")
    again = client.get("/questions?category=behavioral")
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert len(renders) == 1
    assert again.headers["cache-control"] == "no-store"  # kept by the server, never by the browser
    client.get("/questions?category=technical")
    assert len(renders) == 2  # other filters, another page
    with app.state.write_db.begin() as db:  # logged out in another process: the session row is gone
        db.execute(delete(UserSession))
    gone = client.get("/questions?category=behavioral")
    assert gone.status_code == 200 and candidate not in gone.text  # the public page, not the kept one
    assert soup(gone).find("a", href="/login") is not None


def test_an_answer_stored_anywhere_shows_on_the_next_view(app, client, catalog, candidate):
    qid = first_question_id(catalog)
    search = {"q": catalog.question(qid).title}

    def marks():
        link = soup(client.get("/questions", params=search)).find("a", href=f"/questions/{qid}")
        return link.find_parent("li").select_one(".attempted")

    assert marks() is None
    _store_answer(app, catalog, candidate)
    assert "Attempted" in text_of(marks())


def test_unread_notifications_and_a_new_role_show_at_once(app, client, candidate):
    page = soup(client.get("/guides/risk-management"))
    assert page.select_one(".notif .count") is None and "Review" not in text_of(page.nav)
    with app.state.write_db.begin() as db:
        user = db.scalar(select(User).where(User.email == candidate))
        db.add(Notification(user_id=user.id, kind="review", message="Your answer was reviewed."))
        db.execute(update(User).where(User.id == user.id).values(role="reviewer"))
    page = soup(client.get("/guides/risk-management"))
    assert text_of(page.select_one(".notif .count")) == "1" and "Review" in text_of(page.nav)


def test_each_session_gets_its_own_page(app, client, candidate):
    other = TestClient(app, base_url="http://testserver")
    login(other, candidate)
    mine, theirs = (soup(c.get("/guides/risk-management")) for c in (client, other))
    token = {c: p.find("meta", attrs={"name": "csrf-token"})["content"] for c, p in ((client, mine), (other, theirs))}
    with app.state.read_db() as db:
        stored = set(db.scalars(select(UserSession.csrf_token)))
    assert token[client] != token[other] and {token[client], token[other]} == stored
    make_user(app, "someone@example.com")
    login(other, "someone@example.com")
    assert "someone@example.com" in other.get("/guides/risk-management").text
    assert "someone@example.com" not in client.get("/guides/risk-management").text


def test_a_session_due_for_its_touch_is_touched_not_served_from_memory(app, client, candidate, monkeypatch):
    renders = _count_renders(monkeypatch)
    client.get("/questions")
    long_ago = None
    with app.state.write_db.begin() as db:
        session = db.scalars(select(UserSession)).one()
        session.last_seen_at = session.last_seen_at - timedelta(hours=1)
        long_ago = session.last_seen_at
    client.get("/questions")
    with app.state.read_db() as db:
        touched = db.scalars(select(UserSession)).one().last_seen_at
    assert len(renders) == 2 and touched.replace(tzinfo=None) > long_ago.replace(tzinfo=None)


def test_every_write_to_an_answer_changes_its_owners_answers_version(app, catalog, candidate):
    from web.models import Answer

    def version() -> int:
        with app.state.read_db() as db:
            return db.scalar(select(User.answers_version).where(User.email == candidate))

    start = version()
    answer_id = _store_answer(app, catalog, candidate)
    stored = version()
    with app.state.write_db.begin() as db:
        db.get(Answer, answer_id).offline_strategy = 3  # the worker recording a score
    scored = version()
    with app.state.write_db.begin() as db:
        db.delete(db.get(Answer, answer_id))
    assert start < stored < scored < version()


def test_the_cache_can_be_turned_off(database_url, catalog, monkeypatch):
    from web.app import create_app
    from web.settings import Settings

    settings = Settings(environment="test", database_url=database_url, password_hash_cheap=True, run_worker=False,
                        signed_in_page_cache=False)
    app = create_app(settings, catalog=catalog)
    try:
        with TestClient(app, base_url="http://testserver") as c:
            make_user(app, "plain@example.com")
            login(c, "plain@example.com")
            renders = _count_renders(monkeypatch)
            c.get("/questions")
            c.get("/questions")
            assert len(renders) == 2
    finally:
        app.state.engine.dispose()
