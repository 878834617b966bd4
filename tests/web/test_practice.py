"""Answering questions: storage before scoring, validation with the text kept, history, ownership."""

import re

from sqlalchemy import select

from tests.conftest import csrf_of, first_question_id, login, make_user, soup, text_of
from web.models import Answer, ScoringJob


def _submit(client, qid, text, **extra):
    token = csrf_of(client, f"/questions/{qid}")
    return client.post(f"/questions/{qid}/answers", data={"text": text, "csrf_token": token} | extra, follow_redirects=False)


ANSWER = (
    "In my last role I led a payments migration across four teams. I set the goal with the VP: cut failed "
    "checkouts by 20% before the holiday peak. I mapped dependencies, kept a risk register with owners, and "
    "agreed a rollback plan. I sent a weekly status update to leadership and escalated a vendor delay early. "
    "We shipped two weeks early and failed checkouts fell 23%."
)


def test_submit_stores_the_answer_then_shows_feedback(client, app, catalog, candidate):
    qid = first_question_id(catalog)
    response = _submit(client, qid, ANSWER, started_at="")
    assert response.status_code == 303
    location = response.headers["location"]
    with app.state.read_db() as db:
        answer = db.scalars(select(Answer)).one()
        jobs = list(db.scalars(select(ScoringJob)))
    assert answer.text == ANSWER and answer.question_id == qid
    assert answer.content_version == catalog.question(qid).version
    assert answer.word_count == len(ANSWER.split())
    assert location.endswith(f"/answers/{answer.id}")
    assert [j.status for j in jobs] == ["done"] and answer.status == "scored"
    page = soup(client.get(location))
    assert text_of(page.h1) == catalog.question(qid).title
    scores = page.select(".dimension .score strong")
    assert len(scores) == 4 and all(1 <= int(text_of(s)) <= 5 for s in scores)


def test_history_lists_answers_with_date_words_and_status(client, app, catalog, candidate):
    qid = first_question_id(catalog)
    _submit(client, qid, ANSWER)
    _submit(client, qid, "A second, shorter answer about risk owners.")
    page = soup(client.get("/answers"))
    rows = page.select("table tbody tr")
    assert len(rows) == 2
    cells = [text_of(td) for td in rows[0].find_all("td")]
    assert cells[0] == catalog.question(qid).title and cells[2] == "7" and cells[4] == "Scored"
    assert re.fullmatch(r"[1-5] [1-5] [1-5] [1-5]", cells[3])  # the four dimension scores, in rubric order


def test_history_empty_state(client, candidate):
    page = soup(client.get("/answers"))
    assert "not submitted any answers" in text_of(page.select_one(".empty"))


def test_empty_answer_gets_a_message_and_nothing_is_stored(client, app, catalog, candidate):
    response = _submit(client, first_question_id(catalog), "   \n  ")
    assert response.status_code == 422
    assert "empty" in text_of(soup(response).select_one(".alert-error"))
    with app.state.read_db() as db:
        assert db.scalars(select(Answer)).all() == []


def test_too_long_answer_is_refused_with_the_text_given_back(client, app, catalog, candidate, settings):
    long_text = "word " * (settings.max_answer_chars // 5 + 10)
    response = _submit(client, first_question_id(catalog), long_text)
    assert response.status_code == 422
    page = soup(response)
    assert "the limit is 20,000" in text_of(page.select_one(".alert-error"))
    assert page.find("textarea").get_text() == long_text
    with app.state.read_db() as db:
        assert db.scalars(select(Answer)).all() == []


def test_time_taken_comes_from_a_sane_started_at(client, app, catalog, candidate):
    from datetime import timedelta

    from web.db import utcnow

    started = (utcnow() - timedelta(minutes=3)).isoformat()
    _submit(client, first_question_id(catalog), ANSWER, started_at=started)
    _submit(client, first_question_id(catalog), ANSWER, started_at="not a date")
    with app.state.read_db() as db:
        first, second = db.scalars(select(Answer).order_by(Answer.id)).all()
    assert 175 <= first.time_taken_seconds <= 200
    assert second.time_taken_seconds is None and second.started_at is None


def test_visitors_are_sent_to_login(client, catalog):
    for path in ("/answers", "/answers/1", "/account/password"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next=")


def test_a_candidate_never_sees_another_candidates_answer(client, app, catalog, candidate):
    from fastapi.testclient import TestClient

    _submit(client, first_question_id(catalog), ANSWER)
    with app.state.read_db() as db:
        answer_id = db.scalars(select(Answer)).one().id
    make_user(app, "other@example.com")
    make_user(app, "rev@example.com", role="reviewer")
    with TestClient(app) as other:
        login(other, "other@example.com")
        assert other.get(f"/answers/{answer_id}").status_code == 404
        assert other.get(f"/api/v1/answers/{answer_id}").status_code == 404
        assert "not submitted any answers" in other.get("/answers").text
    assert client.get(f"/answers/{answer_id}").status_code == 200


def test_scorer_failure_keeps_the_answer_and_shows_no_error_page(client, app, catalog, candidate, monkeypatch):
    import web.services.scorers

    def broken(*_args, **_kw):
        raise RuntimeError("scorer exploded")

    monkeypatch.setitem(web.services.scorers.SCORERS, "offline", broken)
    response = _submit(client, first_question_id(catalog), ANSWER)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert ANSWER in text_of(soup(page))
    with app.state.read_db() as db:
        job = db.scalars(select(ScoringJob)).one()
        assert db.scalars(select(Answer)).one().status == "submitted"
    assert job.status == "pending" and "scorer exploded" in job.last_error


def test_a_scorer_that_cannot_be_loaded_keeps_the_answer_for_the_worker(client, app, catalog, candidate, monkeypatch):
    from sqlalchemy import text

    from web.services import scorer_models

    real = scorer_models.active_scorer

    def broken(*, db):
        db.execute(text("SELECT * FROM no_such_table"))  # a failed query: on PostgreSQL it ends the transaction

    monkeypatch.setattr(scorer_models, "active_scorer", broken)
    response = _submit(client, first_question_id(catalog), ANSWER)
    assert response.status_code == 303
    monkeypatch.setattr(scorer_models, "active_scorer", real)
    assert client.get(response.headers["location"]).status_code == 200
    with app.state.read_db() as db:
        job = db.scalars(select(ScoringJob)).one()
        assert db.scalars(select(Answer)).one().text == ANSWER
    assert (job.status, job.lease_owner, job.attempts) == ("pending", None, 0)  # not leased: the worker takes it


def test_the_answer_and_the_example_side_by_side_with_key_points_marked(client, catalog, candidate):
    qid = first_question_id(catalog)
    question = catalog.question(qid)
    response = _submit(client, qid, ANSWER)
    page = soup(client.get(response.headers["location"]))
    section = page.find(id="compare-example")
    columns = section.select(".side-by-side > div")
    assert [text_of(c.h3) for c in columns] == ["Your answer", "Example strong answer"]
    rows = section.select("table.key-point-compare tbody tr")
    assert len(rows) == len(question.rubric.key_points)
    example_marks = [r.find_all("td")[1] for r in rows]
    assert sum(1 for td in example_marks if td.select_one(".covered")) >= len(rows) // 2  # the example covers most points
    for td in example_marks:
        quoted = td.find("q")
        assert quoted is None or text_of(quoted)[:20] in question.example_text.replace("**", "")


def test_question_bank_marks_attempted_questions_with_the_best_score(client, app, catalog, candidate):
    qid = first_question_id(catalog)
    question = catalog.question(qid)

    def card_of(page):
        link = page.find("a", href=f"/questions/{qid}")
        return link.find_parent("li")

    before = card_of(soup(client.get("/questions", params={"q": question.title})))
    assert before.select_one(".attempted") is None
    _submit(client, qid, "We agreed a plan.")
    _submit(client, qid, ANSWER)
    with app.state.read_db() as db:
        cards = [a.offline_strategy for a in db.scalars(select(Answer))]
        weights = question.rubric.normalised_weights()
        best = max(
            sum(weights[d] * getattr(a, f"offline_{d}") for d in weights) for a in db.scalars(select(Answer))
        )
    assert None not in cards
    line = text_of(card_of(soup(client.get("/questions", params={"q": question.title}))).select_one(".attempted"))
    assert line == f"Attempted 2 answers · best {best:.1f} of 5"
    # Another candidate sees no marks on it.
    client.post("/logout", data={"csrf_token": csrf_of(client, "/questions")})
    make_user(app, "other@example.com")
    login(client, "other@example.com")
    assert card_of(soup(client.get("/questions", params={"q": question.title}))).select_one(".attempted") is None
