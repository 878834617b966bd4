"""The scorer learns from reviewers: retraining, the activation rule, the live model in scoring, rollback."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from scoring.rubric import DIMENSIONS
from tests.conftest import csrf_of, login, make_user, soup, text_of
from web.models import Answer, Review, ReviewRequest, ScoreCardRecord, ScorerModel
from web.services import scorer_models
from web.services import scoring_jobs

QUESTIONS = ("pe-six-week-slip-recovery", "ps-cloud-cost-reduction", "beh-missed-deadline", "strat-build-buy-or-partner")
CUTS = (1, 2, 3, 5, 8, 40)  # sentences kept from each example answer: six answers of rising quality


def _sentences(text: str, n: int) -> str:
    return " ".join(re.split(r"(?<=[.!?])\s+", text.strip())[:n])


def _reviewed_answers(app, catalog, reviewer_id: int, candidate_id: int) -> int:
    """Reviewed answers whose reviewers' scores rise with how much of a strong answer they contain."""
    made = 0
    with app.state.write_db.begin() as db:
        for qid in QUESTIONS:
            question = catalog.question(qid)
            for level, cut in enumerate(CUTS):
                text = _sentences(question.example_text, cut)
                answer = Answer(user_id=candidate_id, question_id=qid, content_version=question.version, text=text,
                                word_count=len(text.split()), status="reviewed")
                db.add(answer)
                db.flush()
                request = ReviewRequest(answer_id=answer.id, status="reviewed", reviews_needed=1)
                db.add(request)
                db.flush()
                score = min(5, 1 + level)
                db.add(Review(request_id=request.id, answer_id=answer.id, reviewer_id=reviewer_id,
                              **dict.fromkeys(DIMENSIONS, score)))
                made += 1
    return made


@pytest.fixture
def people(app, client):
    admin = make_user(app, "admin@example.com", role="admin")
    reviewer = make_user(app, "reviewer@example.com", role="reviewer")
    candidate = make_user(app, "candidate@example.com")
    return {"admin": admin, "reviewer": reviewer, "candidate": candidate}


def _retrain(app, **kw):
    state = app.state
    return scorer_models.retrain(read_db=state.read_db, write_db=state.write_db, catalog=state.catalog, admin_id=None, **kw)


def test_too_few_reviews_is_refused_with_a_clear_reason(app, people):
    with pytest.raises(scorer_models.CannotRetrain, match="at least 20 reviewed answers"):
        _retrain(app)


def test_retraining_keeps_the_model_and_its_measured_agreement(app, catalog, people):
    n = _reviewed_answers(app, catalog, people["reviewer"], people["candidate"])
    outcome = _retrain(app)
    with app.state.read_db() as db:
        row = db.scalar(select(ScorerModel).where(ScorerModel.version == outcome.model.version))
        assert row.examples == n and row.questions == len(QUESTIONS)
        assert set(row.agreement) == {*DIMENSIONS, "mean_qwk"}
        assert row.baseline_version == scorer_models.bundled_version()
        # The rule: live exactly when held-out agreement is at least the live model's.
        better = row.agreement["mean_qwk"] >= row.baseline_agreement["mean_qwk"]
        assert outcome.activated == better == row.active
        assert scorer_models.active_version(db=db) == (row.version if better else "bundled")
    assert outcome.model.version.startswith("reviews-")


@pytest.mark.parametrize("held_out_qwk, goes_live", [(0.10, False), (0.99, True)])
def test_a_new_model_goes_live_only_when_it_agrees_at_least_as_well(app, catalog, people, monkeypatch, held_out_qwk, goes_live):
    _reviewed_answers(app, catalog, people["reviewer"], people["candidate"])
    real = scorer_models.cross_validate

    def measured(*args, **kwargs):
        report = real(*args, **kwargs)
        for d in DIMENSIONS:
            report["by_question"]["reviews"]["dimensions"][d]["qwk"] = held_out_qwk
        return report

    monkeypatch.setattr(scorer_models, "cross_validate", measured)
    outcome = _retrain(app)
    assert outcome.activated is goes_live
    with app.state.read_db() as db:
        assert (scorer_models.active_version(db=db) == outcome.model.version) is goes_live


def _score_new_answer(app, catalog, candidate_id: int) -> ScoreCardRecord:
    question = catalog.question(QUESTIONS[0])
    with app.state.write_db.begin() as db:
        answer = Answer(user_id=candidate_id, question_id=question.id, content_version=question.version,
                        text=question.example_text, word_count=len(question.example_text.split()))
        db.add(answer)
        db.flush()
        scoring_jobs.enqueue(db=db, answer=answer, settings=app.state.settings)
        answer_id = answer.id
    scoring_jobs.process_one(write_db=app.state.write_db, catalog=catalog, settings=app.state.settings,
                             worker_id="test", answer_id=answer_id, scorer="offline")
    with app.state.read_db() as db:
        return db.scalars(select(ScoreCardRecord).where(ScoreCardRecord.answer_id == answer_id)).one()


def test_cards_name_the_live_model_and_rollback_is_one_step(app, catalog, people):
    _reviewed_answers(app, catalog, people["reviewer"], people["candidate"])
    outcome = _retrain(app, activate_if_better=False)
    assert not outcome.activated
    before = _score_new_answer(app, catalog, people["candidate"])
    assert before.scorer_version == scorer_models.bundled_version()

    with app.state.write_db.begin() as db:
        scorer_models.activate(db=db, version=outcome.model.version, by=None)
    during = _score_new_answer(app, catalog, people["candidate"])
    assert during.scorer_version == outcome.model.version

    with app.state.write_db.begin() as db:
        assert scorer_models.rollback(db=db, by=None) == "bundled"
    after = _score_new_answer(app, catalog, people["candidate"])
    assert after.scorer_version == scorer_models.bundled_version()
    with app.state.read_db() as db:  # earlier cards are kept
        assert db.get(ScoreCardRecord, during.id).scorer_version == outcome.model.version


def test_the_dashboard_shows_the_live_model_and_only_admins_can_change_it(app, client, catalog, people):
    login(client, "reviewer@example.com")
    page = soup(client.get("/review/agreement"))
    section = page.find(id="scorer-models")
    assert "Live now: the bundled model" in text_of(section)
    assert section.find("button", string=re.compile("Retrain")) is None
    token = csrf_of(client, "/review/agreement")
    assert client.post("/admin/scorer/retrain", data={"csrf_token": token}, follow_redirects=False).status_code == 403
    assert client.post("/admin/scorer/rollback", data={"csrf_token": token}, follow_redirects=False).status_code == 403

    client.post("/logout", data={"csrf_token": token})
    login(client, "admin@example.com")
    section = soup(client.get("/review/agreement")).find(id="scorer-models")
    assert section.find("button", string=re.compile("Retrain from reviews")) is not None
    token = csrf_of(client, "/review/agreement")
    assert client.post("/admin/scorer/retrain", data={}, follow_redirects=False).status_code in (400, 403)  # no CSRF token
    page = soup(client.post("/admin/scorer/retrain", data={"csrf_token": token}))
    assert "Not retrained: retraining needs at least 20 reviewed answers" in text_of(page.find(id="scorer-models"))
    response = client.post("/admin/scorer/activate", data={"csrf_token": token, "version": "reviews-nothing"},
                           follow_redirects=False)
    assert response.status_code == 404


def test_the_command_line_lists_retrains_and_rolls_back(app, catalog, people, settings, monkeypatch, capsys):
    from web.cli import main

    monkeypatch.setenv("TPMPREP_DATABASE_URL", settings.database_url)
    _reviewed_answers(app, catalog, people["reviewer"], people["candidate"])
    assert main(["model", "retrain", "--no-activate"]) == 0
    out = capsys.readouterr().out
    version = re.search(r"model (reviews-[0-9a-f]{10}):", out).group(1)
    assert "grouped CV" in out
    assert main(["model", "activate", version]) == 0
    assert main(["model", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"* {version}" in listing
    assert main(["model", "rollback"]) == 0
    assert "bundled is live" in capsys.readouterr().out
    assert main(["model", "activate", "reviews-0000000000"]) == 1
