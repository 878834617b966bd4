"""Human review: request, queue, claims, blind scoring, double review, adjudication, audit, agreement."""

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from scoring.agreement import mean_absolute_error, quadratic_weighted_kappa, spearman
from scoring.rubric import DIMENSIONS
from tests.conftest import csrf_of, first_question_id, flat_text, login, make_user, soup, text_of
from web.db import utcnow
from web.models import Answer, Review, ReviewRequest, ReviewRevision

ANSWER = (
    "I owned the migration plan. I set the goal with the VP, mapped dependencies across four teams, kept a risk "
    "register with owners and a rollback plan, and sent a weekly status update. We shipped two weeks early."
)


def _post(client, path, data=None, page="/"):
    return client.post(path, data={"csrf_token": csrf_of(client, page)} | (data or {}), follow_redirects=False)


def _scores(s=3, r=3, c=3, l=3, **extra):
    return {"strategy": str(s), "risk": str(r), "communication": str(c), "leadership": str(l)} | extra


@pytest.fixture
def people(app):
    """A candidate, two reviewers and an admin, each with their own logged-in client."""
    clients = {}
    for email, role in (("cand@example.com", "candidate"), ("rev1@example.com", "reviewer"), ("rev2@example.com", "reviewer"), ("boss@example.com", "admin")):
        make_user(app, email, role=role)
        c = TestClient(app)
        c.__enter__()
        login(c, email)
        clients[role if role != "reviewer" else email.split("@")[0]] = c
    yield clients
    for c in clients.values():
        c.__exit__(None, None, None)


def _answer(client, catalog):
    qid = first_question_id(catalog)
    response = _post(client, f"/questions/{qid}/answers", {"text": ANSWER}, page=f"/questions/{qid}")
    return int(response.headers["location"].rsplit("/", 1)[1])


def _request_id(app, answer_id):
    with app.state.read_db() as db:
        return db.scalar(select(ReviewRequest.id).where(ReviewRequest.answer_id == answer_id))


def _review(client, request_id, scores, comment="Clear and specific."):
    assert _post(client, f"/review/{request_id}/claim", page="/review").status_code == 303
    return _post(client, f"/review/{request_id}", scores | {"overall_comment": comment, "comment_risk": "Name the rollback owner."}, page=f"/review/{request_id}")


def test_the_full_loop_request_claim_score_notify(app, catalog, people):
    cand, rev = people["candidate"], people["rev1"]
    answer_id = _answer(cand, catalog)
    page = soup(cand.get(f"/answers/{answer_id}"))
    assert page.find("button", string="Request human review") is not None
    assert _post(cand, f"/answers/{answer_id}/review").status_code == 303
    assert "Waiting" in text_of(soup(cand.get(f"/answers/{answer_id}")).find(id="human-review"))

    queue = soup(rev.get("/review"))
    rows = queue.select("table tbody tr")
    assert len(rows) == 1 and catalog.question(first_question_id(catalog)).title in text_of(rows[0])
    request_id = _request_id(app, answer_id)
    done = _review(rev, request_id, _scores(4, 2, 4, 3))
    assert done.status_code == 303 and done.headers["location"].startswith("/reviews/")

    nav = soup(cand.get("/questions")).find("nav")
    assert text_of(nav.select_one(".count")) == "1"
    section = soup(cand.get(f"/answers/{answer_id}")).find(id="human-review")
    text = flat_text(section)
    assert "Reviewed" in text and "Human reviewer 1" in text and "Name the rollback owner." in text
    assert "Risk: 2/5" in text
    seen = section.find("form", attrs={"data-mark-seen": True})  # the page reports that it was read
    cand.post(seen["action"], data={"csrf_token": seen.find("input", attrs={"name": "csrf_token"})["value"]})
    assert soup(cand.get("/questions")).find("nav").select_one(".count") is None  # read now
    with app.state.read_db() as db:
        assert db.get(Answer, answer_id).status == "reviewed"


def _claimed_by_a_reviewer(app, catalog, people):
    """The candidate answers and asks for review; the first reviewer claims it."""
    cand, rev = people["candidate"], people["rev1"]
    answer_id = _answer(cand, catalog)
    _post(cand, f"/answers/{answer_id}/review")
    request_id = _request_id(app, answer_id)
    _post(rev, f"/review/{request_id}/claim", page="/review")
    return cand, rev, answer_id, request_id


def test_review_form_is_blind_and_the_done_page_reveals(app, catalog, people):
    cand, rev, answer_id, request_id = _claimed_by_a_reviewer(app, catalog, people)
    form = soup(rev.get(f"/review/{request_id}"))
    picked = " ".join(text_of(label) for label in form.select("label.sentence-pick"))
    assert all(word in picked for word in ANSWER.split())  # the whole answer, sentence by sentence
    main = text_of(form.find("main"))
    assert "Automatic" not in main and "offline" not in main.lower() and "/5" not in main
    assert len(form.select("fieldset.score-input")) == 4 and form.find("dl") is not None  # anchors beside the scores
    response = _post(rev, f"/review/{request_id}", _scores(), page=f"/review/{request_id}")
    done = soup(rev.get(response.headers["location"]))
    assert "Automatic (offline" in text_of(done)


def test_missing_scores_are_explained_and_input_kept(app, catalog, people):
    cand, rev, answer_id, request_id = _claimed_by_a_reviewer(app, catalog, people)
    response = _post(rev, f"/review/{request_id}", {"strategy": "4", "overall_comment": "Keep this"}, page=f"/review/{request_id}")
    assert response.status_code == 422
    page = soup(response)
    assert "risk, communication, leadership" in text_of(page.select_one(".alert-error"))
    assert page.find("textarea", id="overall_comment").get_text() == "Keep this"
    assert page.find("input", attrs={"name": "strategy", "value": "4"}).has_attr("checked")
    # Ticked sentences survive a refused submit too.
    kept = _post(rev, f"/review/{request_id}", {"strategy": "4", "sentence_0": "1"}, page=f"/review/{request_id}")
    assert kept.status_code == 422 and soup(kept).find("input", attrs={"name": "sentence_0"}).has_attr("checked")


def test_a_reviewer_marks_evidence_by_ticking_sentences(app, catalog, people):
    cand, rev, answer_id, request_id = _claimed_by_a_reviewer(app, catalog, people)
    form = soup(rev.get(f"/review/{request_id}"))
    sentences = [text_of(label) for label in form.select("label.sentence-pick")]
    assert len(sentences) >= 2 and all(s.strip() for s in sentences)
    assert form.find("textarea", attrs={"name": "passages"}) is None  # nothing to copy and paste
    response = _post(rev, f"/review/{request_id}", _scores(sentence_1="1"), page=f"/review/{request_id}")
    review_id = int(response.headers["location"].rsplit("/", 1)[1])
    with app.state.read_db() as db:
        passages = db.get(Review, review_id).passages
        answer_text = db.get(Answer, answer_id).text
    assert [p["text"] for p in passages] == [sentences[1]] and answer_text[passages[0]["start"]:passages[0]["end"]] == sentences[1]
    edit = soup(rev.get(f"/reviews/{review_id}/edit"))  # editing shows the same sentence ticked
    assert edit.find("input", attrs={"name": "sentence_1"}).has_attr("checked")
    assert not edit.find("input", attrs={"name": "sentence_0"}).has_attr("checked")


def test_permissions(app, catalog, people, client):
    cand, rev1, rev2, admin = people["candidate"], people["rev1"], people["rev2"], people["admin"]
    for path in ("/review", "/review/agreement", "/review/calibration", "/admin/adjudication"):
        assert cand.get(path).status_code == 403
        assert client.get(path, follow_redirects=False).status_code == 303  # visitors are asked to log in
    assert rev1.get("/admin/adjudication").status_code == 403
    assert admin.get("/review").status_code == 200
    # A reviewer never gets their own answer.
    own = _answer(rev1, catalog)
    _post(rev1, f"/answers/{own}/review")
    request_id = _request_id(app, own)
    assert soup(rev1.get("/review")).select("table tbody tr") == []
    refused = _post(rev1, f"/review/{request_id}/claim", page="/review")
    assert refused.status_code == 409 and "own answer" in refused.text
    assert rev1.get(f"/review/{request_id}").status_code == 403
    # Nobody edits another reviewer's review, or sees its page.
    response = _review(rev2, request_id, _scores())
    review_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert rev1.get(f"/reviews/{review_id}").status_code == 404
    assert rev1.get(f"/reviews/{review_id}/edit").status_code == 404
    assert _post(rev1, f"/reviews/{review_id}/edit", _scores(5, 5, 5, 5), page="/review").status_code == 404
    # A candidate cannot request review of someone else's answer.
    assert _post(cand, f"/answers/{own}/review").status_code == 404


def test_claims_do_not_collide_and_expire(app, catalog, people, settings):
    cand, rev1, rev2 = people["candidate"], people["rev1"], people["rev2"]
    answer_id = _answer(cand, catalog)
    _post(cand, f"/answers/{answer_id}/review")
    request_id = _request_id(app, answer_id)
    assert _post(rev1, f"/review/{request_id}/claim", page="/review").status_code == 303
    assert soup(rev2.get("/review")).select("table tbody tr") == []
    assert _post(rev2, f"/review/{request_id}/claim", page="/review").status_code == 409
    with app.state.write_db.begin() as db:
        db.get(ReviewRequest, request_id).claim_expires_at = utcnow() - timedelta(seconds=1)
    assert _post(rev2, f"/review/{request_id}/claim", page="/review").status_code == 303
    assert rev1.get(f"/review/{request_id}").status_code == 403  # rev1's claim is gone


def test_double_review_disagreement_goes_to_adjudication(app, catalog, people, settings):
    app.state.settings = settings.model_copy(update={"reviews_per_answer": 2})
    cand, rev1, rev2, admin = people["candidate"], people["rev1"], people["rev2"], people["admin"]
    answer_id = _answer(cand, catalog)
    _post(cand, f"/answers/{answer_id}/review")
    request_id = _request_id(app, answer_id)
    _review(rev1, request_id, _scores(2, 2, 3, 3))
    assert "In review" in text_of(soup(cand.get(f"/answers/{answer_id}")).find(id="human-review"))
    _review(rev2, request_id, _scores(4, 3, 3, 3))  # strategy differs by 2
    listing = soup(admin.get("/admin/adjudication"))
    assert "strategy" in text_of(listing.find("main"))
    assert _post(admin, f"/admin/adjudication/{request_id}", _scores(3, 2, 3, 3, comment="Goal is stated but not measured."), page="/admin/adjudication").status_code == 303
    with app.state.read_db() as db:
        request = db.get(ReviewRequest, request_id)
        assert request.status == "reviewed"
    section = flat_text(soup(cand.get(f"/answers/{answer_id}")).find(id="human-review"))
    assert "Final decision" in section and "Strategy 3," in section


def test_agreeing_double_review_uses_the_rounded_mean(app, catalog, people, settings):
    app.state.settings = settings.model_copy(update={"reviews_per_answer": 2})
    cand, rev1, rev2 = people["candidate"], people["rev1"], people["rev2"]
    answer_id = _answer(cand, catalog)
    _post(cand, f"/answers/{answer_id}/review")
    request_id = _request_id(app, answer_id)
    _review(rev1, request_id, _scores(3, 2, 4, 4))
    _review(rev2, request_id, _scores(4, 2, 4, 5))
    section = flat_text(soup(cand.get(f"/answers/{answer_id}")).find(id="human-review"))
    assert "Strategy 4, Risk 2, Communication 4, Leadership 5" in section  # 3.5 and 4.5 round up


def test_edits_are_audited_and_locked_once_the_candidate_reads(app, catalog, people):
    cand, rev = people["candidate"], people["rev1"]
    answer_id = _answer(cand, catalog)
    _post(cand, f"/answers/{answer_id}/review")
    request_id = _request_id(app, answer_id)
    response = _review(rev, request_id, _scores(3, 3, 3, 3))
    review_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert rev.get(f"/reviews/{review_id}/edit").status_code == 200
    assert _post(rev, f"/reviews/{review_id}/edit", _scores(3, 4, 3, 3, overall_comment="Better on risk than I said."), page=f"/reviews/{review_id}").status_code == 303
    with app.state.read_db() as db:
        revisions = db.scalars(select(ReviewRevision).where(ReviewRevision.review_id == review_id).order_by(ReviewRevision.id)).all()
        assert [r.before is None for r in revisions] == [True, False]
        assert revisions[1].before["risk"] == 3 and revisions[1].after["risk"] == 4 and revisions[1].editor_id is not None
    assert "risk 3→4" in text_of(soup(rev.get(f"/reviews/{review_id}")).find("ol", class_="history"))
    page = soup(cand.get(f"/answers/{answer_id}"))  # the candidate opens it: a GET changes nothing ...
    assert rev.get(f"/reviews/{review_id}/edit").status_code == 200
    form = page.find("form", attrs={"data-mark-seen": True})  # ... and the page reports it was read
    assert cand.post(form["action"], data={"csrf_token": form.find("input", attrs={"name": "csrf_token"})["value"]},
                     follow_redirects=False).status_code == 303
    assert rev.get(f"/reviews/{review_id}/edit").status_code == 403
    assert _post(rev, f"/reviews/{review_id}/edit", _scores(1, 1, 1, 1), page=f"/reviews/{review_id}").status_code == 403
    with app.state.read_db() as db:
        assert db.get(Review, review_id).risk == 4


def test_agreement_figures_on_a_known_data_set(app, catalog, people):
    from web.models import ScoreCardRecord
    from web.services.calibration import agreement_table, reviewer_stats

    cand, rev1, rev2 = people["candidate"], people["rev1"], people["rev2"]
    app.state.settings = app.state.settings.model_copy(update={"reviews_per_answer": 2})
    human_1 = [(4, 2, 4, 3), (2, 1, 2, 2), (5, 4, 4, 4), (3, 3, 3, 2)]
    human_2 = [(4, 3, 4, 3), (2, 2, 2, 1), (4, 4, 5, 4), (3, 3, 3, 3)]
    offline = [(4, 2, 4, 3), (1, 1, 2, 2), (5, 5, 4, 4), (3, 2, 3, 3)]
    for h1, h2, auto in zip(human_1, human_2, offline):
        answer_id = _answer(cand, catalog)
        with app.state.write_db.begin() as db:
            for card in db.scalars(select(ScoreCardRecord).where(ScoreCardRecord.answer_id == answer_id)):
                for d, v in zip(DIMENSIONS, auto):
                    setattr(card, d, v)
        _post(cand, f"/answers/{answer_id}/review")
        request_id = _request_id(app, answer_id)
        _review(rev1, request_id, _scores(*h1))
        _review(rev2, request_id, _scores(*h2))
    with app.state.read_db() as db:
        table = agreement_table(db=db)
        stats = reviewer_stats(db=db)
    for i, d in enumerate(DIMENSIONS):
        agreed = [int((a[i] + b[i]) / 2 + 0.5) for a, b in zip(human_1, human_2)]
        auto = [row[i] for row in offline]
        fig = table["offline vs human"][d]
        assert fig.n == 4
        assert fig.qwk == pytest.approx(quadratic_weighted_kappa(auto, agreed))
        assert fig.spearman == pytest.approx(spearman(auto, agreed))
        assert fig.mae == pytest.approx(mean_absolute_error(auto, agreed))
        hh = table["human vs human"][d]
        assert hh.n == 4 and hh.mae == pytest.approx(mean_absolute_error([r[i] for r in human_1], [r[i] for r in human_2]))
    assert table["llm vs human"]["risk"].n == 0
    assert {s.email for s in stats} == {"rev1@example.com", "rev2@example.com"} and all(s.reviews == 4 for s in stats)
    page = soup(people["admin"].get("/review/agreement"))
    assert "Offline vs human" in text_of(page) and page.find("td", string="4") is not None


def test_export_labels_feeds_eval(app, catalog, people, settings, tmp_path, monkeypatch, capsys):
    from web.cli import main

    app.state.settings = settings.model_copy(update={"reviews_per_answer": 2})
    cand, rev1, rev2 = people["candidate"], people["rev1"], people["rev2"]
    for scores in ((4, 2, 4, 3), (2, 1, 2, 2), (5, 4, 4, 4)):
        answer_id = _answer(cand, catalog)
        _post(cand, f"/answers/{answer_id}/review")
        request_id = _request_id(app, answer_id)
        _review(rev1, request_id, _scores(*scores))
        _review(rev2, request_id, _scores(*scores))
    monkeypatch.setenv("TPMPREP_DATABASE_URL", settings.database_url)
    out = tmp_path / "labels.jsonl"
    assert main(["export-labels", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 3
    first = records[0]
    assert set(first) == {"id", "question_id", "category", "question", "answer", "ratings", "scores"}
    assert first["answer"] == ANSWER and first["scores"] == dict(zip(DIMENSIONS, (4, 2, 4, 3)))
    assert len(first["ratings"]) == 2
    capsys.readouterr()
    assert main(["eval", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 3


def test_calibration_drill(app, catalog, people):
    cand, rev1, admin = people["candidate"], people["rev1"], people["admin"]
    assert "no anchor answers yet" in text_of(soup(rev1.get("/review/calibration")))
    answer_id = _answer(cand, catalog)
    _post(cand, f"/answers/{answer_id}/review")
    request_id = _request_id(app, answer_id)
    response = _review(admin, request_id, _scores(4, 3, 4, 4))
    assert _post(admin, "/admin/anchors", {"request_id": str(request_id)}, page=response.headers["location"]).status_code == 303
    listing = soup(rev1.get("/review/calibration"))
    link = listing.select_one("main li a")["href"]
    result = _post(rev1, link, _scores(5, 3, 2, 4), page=link)
    rows = {text_of(tr.th): [text_of(td) for td in tr.find_all("td")] for tr in soup(result).select("tbody tr")}
    assert rows["Strategy"] == ["5", "4", "+1"] and rows["Communication"] == ["2", "4", "-2"]
    assert "your last scores" in text_of(soup(rev1.get("/review/calibration")))


def test_review_all_answers_setting_queues_every_answer(app, catalog, people, settings):
    app.state.settings = settings.model_copy(update={"review_all_answers": True})
    answer_id = _answer(people["candidate"], catalog)
    assert _request_id(app, answer_id) is not None


def test_an_admin_makes_an_anchor_with_a_button_and_sees_whose_scores_are_whose(app, catalog, people):
    cand, rev, admin = people["candidate"], people["rev1"], people["admin"]
    answer_id = _answer(cand, catalog)
    _post(cand, f"/answers/{answer_id}/review")
    request_id = _request_id(app, answer_id)
    response = _review(rev, request_id, _scores(4, 3, 4, 3))
    review_id = int(response.headers["location"].rsplit("/", 1)[1])
    done = soup(admin.get(f"/reviews/{review_id}"))  # an admin reading another reviewer's review
    assert "This reviewer" in text_of(done.find("table")) and "You" not in [text_of(th) for th in done.select("tbody th")]
    page = soup(admin.get("/review/calibration"))
    button = page.find("button", string="Make it an anchor")
    assert button is not None
    form = button.find_parent("form")
    made = admin.post(form["action"], data={i["name"]: i["value"] for i in form.find_all("input")}, follow_redirects=False)
    assert made.status_code == 303
    page = soup(admin.get("/review/calibration"))
    assert page.find("button", string="Make it an anchor") is None  # used: no longer offered
    assert page.find("a", href=lambda h: h and "/review/calibration/" in h) is not None
    assert soup(rev.get("/review/calibration")).find(id="candidates-heading") is None  # admins only
