"""The practice journey: mock interviews, progress, spaced repetition, comparison, saved items, search, your data."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_of, first_question_id, flat_text, login, make_user, soup, text_of
from web.content import Track, TrackItem
from web.db import utcnow
from web.models import Answer, MockInterview, MockItem, Note, PracticeCard, User
from web.settings import Settings

GOOD = (
    "Situation: our payments migration was slipping. I owned the recovery plan and set a goal with the VP to cut failed "
    "checkouts by 20% by June. I mapped dependencies across four teams, kept a risk register with owners and a rollback "
    "plan behind a feature flag, and sent a weekly status update to leadership. Result: we shipped on 3 June and failed "
    "checkouts fell 23%. I learned to bring finance in earlier."
)
WEAK = "I don't know, we did some things."


def _post(client, path, data=None, page="/"):
    return client.post(path, data={"csrf_token": csrf_of(client, page)} | (data or {}), follow_redirects=False)


def _answer(client, qid, text):
    return _post(client, f"/questions/{qid}/answers", {"text": text}, page=f"/questions/{qid}")


@pytest.fixture
def tiny_track(catalog, monkeypatch):
    """A two-question track with short clocks."""
    ids = sorted(catalog.questions)[:2]
    track = Track("tiny", "Tiny track", "Two quick ones.", (TrackItem(ids[0], 0.05), TrackItem(ids[1], 0.05)), "", catalog.questions[ids[0]].path)
    monkeypatch.setitem(catalog.tracks, "tiny", track)
    return track


def _mock_id(app):
    with app.state.read_db() as db:
        return db.scalar(select(func.max(MockInterview.id)))


def test_mock_interview_answer_follow_up_and_report(app, client, catalog, candidate, tiny_track):
    page = soup(client.get("/mock"))
    assert "Tiny track" in text_of(page)
    assert _post(client, "/mock", {"track": "tiny"}, page="/mock").status_code == 303
    mock_id = _mock_id(app)
    first = soup(client.get(f"/mock/{mock_id}"))
    assert text_of(first.h1) == catalog.question(tiny_track.items[0].question_id).title
    item_id = first.find("input", attrs={"name": "item_id"})["value"]
    assert _post(client, f"/mock/{mock_id}/answer", {"text": GOOD, "item_id": item_id}, page=f"/mock/{mock_id}").status_code == 303
    probe = soup(client.get(f"/mock/{mock_id}"))
    assert text_of(probe.h1) == "The interviewer follows up"
    follow_up = text_of(probe.select_one(".followup-text"))
    with app.state.read_db() as db:
        item = db.scalars(select(MockItem).where(MockItem.interview_id == mock_id, MockItem.position == 0)).one()
        assert item.follow_up == follow_up and item.follow_up_dimension in ("strategy", "risk", "communication", "leadership")
    _post(client, f"/mock/{mock_id}/answer", {"text": "I would name the rollback owner and the trigger.", "item_id": item_id}, page=f"/mock/{mock_id}")
    second = soup(client.get(f"/mock/{mock_id}"))
    assert text_of(second.h1) == catalog.question(tiny_track.items[1].question_id).title
    assert _post(client, f"/mock/{mock_id}/end", page=f"/mock/{mock_id}").status_code == 303
    report = soup(client.get(f"/mock/{mock_id}/report"))
    text = flat_text(report)
    assert "Averages" in text and "Not reached" in text
    assert ("weakest dimension" in text) != ("dimensions are level" in text)  # one verdict, never a "weakest" of equals
    assert report.select(".report-item")[0].select_one(".answer-text").get_text() == GOOD
    assert report.find("a", attrs={"data-print": True}) is not None


def test_follow_up_targets_the_weakest_weighted_dimension(catalog):
    from scoring.offline import score
    from web.services.mock import choose_follow_up

    question = catalog.question(first_question_id(catalog))
    card = score(GOOD, question.rubric)
    follow_up = choose_follow_up(question, card)
    weighted = [d for d in ("strategy", "risk", "communication", "leadership") if question.weights[d] > 0]
    assert follow_up.dimension in weighted
    assert card.dimensions[follow_up.dimension].score == min(card.dimensions[d].score for d in weighted)
    if follow_up.point_id is not None:  # it asks for a missed point of that dimension, in the interviewer's words
        assert follow_up.point_id in card.dimensions[follow_up.dimension].missing
        assert follow_up.text == question.probes[follow_up.point_id]
        assert "Walk me through it" not in follow_up.text


def _start_and_let_the_clock_run_out(app, client) -> int:
    """Start the tiny track, then move the first question's deadline five minutes into the past."""
    _post(client, "/mock", {"track": "tiny"}, page="/mock")
    mock_id = _mock_id(app)
    with app.state.write_db.begin() as db:
        item = db.scalars(select(MockItem).where(MockItem.interview_id == mock_id, MockItem.position == 0)).one()
        item.deadline_at = utcnow() - timedelta(minutes=5)
    return mock_id


def test_time_running_out_with_the_tab_closed_moves_on(app, client, catalog, candidate, tiny_track):
    mock_id = _start_and_let_the_clock_run_out(app, client)
    # Coming back, the page shows the question at 0:00 and changes nothing (a GET never writes) ...
    page = soup(client.get(f"/mock/{mock_id}"))
    assert text_of(page.h1) == catalog.question(tiny_track.items[0].question_id).title
    assert page.find(attrs={"data-countdown": "0"}) is not None
    with app.state.read_db() as db:
        first = db.scalars(select(MockItem).where(MockItem.interview_id == mock_id, MockItem.position == 0)).one()
        assert first.state == "answering" and not first.timed_out
    # ... and the browser's timer submits it as it stands: nothing written, so it is timed out.
    item_id = page.find("input", attrs={"name": "item_id"})["value"]
    _post(client, f"/mock/{mock_id}/answer", {"text": "", "item_id": item_id, "timed_out": "1"}, page=f"/mock/{mock_id}")
    page = soup(client.get(f"/mock/{mock_id}"))
    assert text_of(page.h1) == catalog.question(tiny_track.items[1].question_id).title
    with app.state.read_db() as db:
        first = db.scalars(select(MockItem).where(MockItem.interview_id == mock_id, MockItem.position == 0)).one()
        assert first.timed_out and first.answer_id is None and first.state == "done"


def test_ending_after_the_clock_ran_out_counts_the_step_as_timed_out(app, client, catalog, candidate, tiny_track):
    mock_id = _start_and_let_the_clock_run_out(app, client)
    _post(client, f"/mock/{mock_id}/end", {}, page=f"/mock/{mock_id}")
    with app.state.read_db() as db:
        items = db.scalars(select(MockItem).where(MockItem.interview_id == mock_id).order_by(MockItem.position)).all()
        assert items[0].timed_out and items[0].state == "done"
        assert all(i.state == "skipped" for i in items[1:])


def test_a_timed_out_submission_is_kept_as_it_stands(app, client, catalog, candidate, tiny_track):
    _post(client, "/mock", {"track": "tiny"}, page="/mock")
    mock_id = _mock_id(app)
    item_id = soup(client.get(f"/mock/{mock_id}")).find("input", attrs={"name": "item_id"})["value"]
    _post(client, f"/mock/{mock_id}/answer", {"text": "Half an answer about the critical", "item_id": item_id, "timed_out": "1"}, page=f"/mock/{mock_id}")
    with app.state.read_db() as db:
        item = db.get(MockItem, int(item_id))
        assert item.timed_out and db.get(Answer, item.answer_id).text == "Half an answer about the critical"


def test_other_people_cannot_open_a_mock(app, client, catalog, candidate, tiny_track):
    from fastapi.testclient import TestClient

    _post(client, "/mock", {"track": "tiny"}, page="/mock")
    mock_id = _mock_id(app)
    make_user(app, "nosy@example.com")
    with TestClient(app) as other:
        login(other, "nosy@example.com")
        assert other.get(f"/mock/{mock_id}").status_code == 404
        assert other.get(f"/mock/{mock_id}/report").status_code == 404


def test_progress_dashboard_aggregates_and_table_alternatives(app, client, catalog, candidate):
    qids = sorted(catalog.questions)
    _answer(client, qids[0], GOOD)
    _answer(client, qids[1], WEAK)
    page = soup(client.get("/progress"))
    stats = flat_text(page.select_one(".stats"))
    assert "2 answers" in stats and "1 day streak" in stats
    with app.state.read_db() as db:  # a dimension is named strongest or weakest only when no other ties it
        from web.services.progress import dashboard
        from web.services.users import get_by_email

        board = dashboard(db=db, user_id=get_by_email(db=db, email=candidate).id, catalog=catalog)
        strongest, weakest = board.strongest, board.weakest  # read while the session is open (figures load lazily)
    assert ("strongest" in stats) == (strongest is not None) and ("weakest" in stats) == (weakest is not None)
    images = [img["src"] for img in page.select("figure.chart img")]
    assert images == ["/progress/charts/scores.svg", "/progress/charts/categories.svg"]
    assert all(img.get("alt") for img in page.select("figure.chart img"))
    tables = page.select("details.chart-table table")
    assert len(tables) == 2 and len(tables[0].select("tbody tr")) == 1
    svg = client.get("/progress/charts/scores.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    assert "script-src" not in svg.headers["content-security-policy"] and "default-src 'none'" in svg.headers["content-security-policy"]
    assert client.get("/progress/charts/nope.svg").status_code == 404
    # Phones get charts drawn near the width they are shown at, so their labels stay at least 11 px.
    narrow = [s["srcset"] for s in page.select("figure.chart picture source")]
    assert narrow == ["/progress/charts/scores.svg?size=narrow", "/progress/charts/categories.svg?size=narrow"]
    for url in narrow:
        drawn = client.get(url).text
        view_width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', drawn).group(1))
        shown_width = 390 - 2 * 16  # a 390 px phone less the page's side padding
        smallest = min(float(px) for px in re.findall(r"font-size:\s*([0-9.]+)px", drawn))
        assert smallest * min(1.0, shown_width / view_width) >= 11, (url, view_width, smallest)
    assert client.get("/progress/charts/scores.svg?size=huge").status_code == 400  # a bad query is a clear 400 page
    assert len(page.select(".calendar .day")) == 126 and len(page.select(".calendar .level-2, .calendar .level-1")) == 1


def test_cached_charts_follow_new_answers(app, client, catalog, candidate):
    """Chart SVGs are cached by the data they draw, so a new answer redraws them and nothing is stale."""
    from web.ui import charts

    qids = sorted(catalog.questions)
    _answer(client, qids[0], GOOD)
    before = client.get("/progress/charts/categories.svg").content
    hits = charts._categories_svg.cache_info().hits
    assert client.get("/progress/charts/categories.svg").content == before
    assert charts._categories_svg.cache_info().hits == hits + 1  # the same data is not drawn again
    scores_before = client.get("/progress/charts/scores.svg").content
    _answer(client, qids[0], WEAK)  # same category and day: its count and the day's mean change
    after = client.get("/progress/charts/categories.svg").content
    assert after != before and ">2<" in after.decode() and ">2<" not in before.decode()
    assert client.get("/progress/charts/scores.svg").content != scores_before


def test_streak_counts_consecutive_days():
    from datetime import date

    from web.services.progress import streak

    today = date(2026, 11, 26)
    days = {today, today - timedelta(days=1), today - timedelta(days=2), today - timedelta(days=4)}
    assert streak(days, today) == 3
    assert streak(days - {today}, today) == 2  # yesterday still counts until today is over
    assert streak(set(), today) == 0


def _seed_answers(app, user_id, question_ids, count, scores_of, *, now):
    """`count` answers an hour apart, newest first; scores_of(i) gives answer i's offline scores or None."""
    with app.state.write_db.begin() as db:
        for i in range(count):
            scores = scores_of(i)
            db.add(Answer(
                user_id=user_id, question_id=question_ids[i % len(question_ids)], content_version="x", text="t", word_count=1,
                submitted_at=now - timedelta(hours=i), status="scored" if scores else "submitted",
                **{f"offline_{d}": v for d, v in (scores or {}).items()},
            ))


def test_dashboard_queries_stay_fast_with_thousands_of_answers(app, catalog):
    import time

    from web.services.progress import dashboard

    user_id = make_user(app, "busy@example.com")
    scores_of = lambda i: {"strategy": 1 + i % 5, "risk": 2, "communication": 3, "leadership": 4}  # noqa: E731
    _seed_answers(app, user_id, sorted(catalog.questions), 3000, scores_of, now=utcnow())
    with app.state.read_db() as db:
        start = time.perf_counter()
        board = dashboard(db=db, user_id=user_id, catalog=catalog)
        figures = (board.total_answers, board.averages, board.by_day, board.by_category, board.calendar, board.streak)
        elapsed = time.perf_counter() - start
    assert figures[0] == 3000 and round(board.averages["strategy"], 1) == 3.0
    assert len(board.by_day) == 90 and board.streak >= 1
    assert elapsed < 0.5, elapsed


def test_dashboard_figures_match_the_newest_offline_cards(app, client, catalog, candidate):
    """The dashboard's figures, recomputed by hand from the score cards the pages show."""
    from collections import defaultdict

    from scoring.rubric import DIMENSIONS
    from web.models import ScoreCardRecord
    from web.services.progress import dashboard

    qids = sorted(catalog.questions)[:3]
    for qid, text in zip(qids, (GOOD, WEAK, GOOD + " We also wrote a runbook.")):
        _answer(client, qid, text)
    with app.state.write_db.begin() as db:
        user_id = db.scalar(select(User.id).where(User.email == candidate))
        # An answer that is never scored counts as an answer but not in the averages.
        db.add(Answer(user_id=user_id, question_id=qids[0], content_version="x", text="later", word_count=1, status="submitted"))
    with app.state.read_db() as db:
        cards = db.scalars(select(ScoreCardRecord).where(ScoreCardRecord.scorer == "offline").order_by(ScoreCardRecord.id)).all()
        newest = {c.answer_id: c for c in cards}  # later ids replace earlier ones
        answers = db.scalars(select(Answer).where(Answer.user_id == user_id)).all()
        board = dashboard(db=db, user_id=user_id, catalog=catalog)
        expected = {d: sum(getattr(c, d) for c in newest.values()) / len(newest) for d in DIMENSIONS}
        per_day = defaultdict(list)
        for a in answers:
            if a.id in newest:
                per_day[a.submitted_at.date()].append(newest[a.id])
        assert len(newest) == 3 and board.total_answers == 4
        assert board.averages == pytest.approx(expected)
        assert [(d.day, d.answers) for d in board.by_day] == [(day, len(cs)) for day, cs in sorted(per_day.items())]
        assert board.by_day[-1].scores == pytest.approx({d: sum(getattr(c, d) for c in per_day[board.by_day[-1].day]) / len(per_day[board.by_day[-1].day]) for d in DIMENSIONS})
        top, bottom = max(expected.values()), min(expected.values())
        alone = lambda value: [d for d, v in expected.items() if round(v, 2) == round(value, 2)]  # noqa: E731
        assert board.strongest == (alone(top)[0] if len(alone(top)) == 1 else None)  # a tie names no strongest ...
        assert board.weakest == (alone(bottom)[0] if len(alone(bottom)) == 1 else None)  # ... and no weakest
        assert board.calendar[-1][1] == 4 and board.streak == 1
    page = soup(client.get("/progress"))
    assert "4 answers" in [text_of(v.parent) for v in page.select(".stat-value")]


def test_due_queue_moves_a_question_after_an_answer(app, client, catalog, candidate):
    from web.services.practice_queue import rating_for

    first = soup(client.get("/practice"))
    suggested = [a["href"].rsplit("/", 1)[1] for a in first.select(".question-card h3 a")]
    assert suggested and all("new" in text_of(m) for m in first.select(".question-card .meta"))
    qid = suggested[0]
    _answer(client, qid, WEAK)
    with app.state.read_db() as db:
        card = db.scalars(select(PracticeCard)).one()
    assert card.question_id == qid and int(rating_for(1.0)) == card.last_rating
    assert 0 < (card.due_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)).total_seconds() <= 86400 + 60
    after = [a["href"].rsplit("/", 1)[1] for a in soup(client.get("/practice")).select(".question-card h3 a")]
    assert qid not in after  # answered today, comes back tomorrow
    assert "tomorrow" in text_of(soup(client.get(f"/questions/{qid}")).find(id="attempts-heading").parent)


def test_good_answers_come_back_later_than_poor_ones():
    from datetime import datetime, timezone

    from fsrs import Card

    from web.services.practice_queue import SCHEDULER, rating_for

    now = datetime(2026, 11, 26, tzinfo=timezone.utc)
    poor, _ = SCHEDULER.review_card(Card(due=now), rating_for(1.5), review_datetime=now)
    strong, _ = SCHEDULER.review_card(Card(due=now), rating_for(4.5), review_datetime=now)
    assert poor.due < strong.due


def test_compare_two_attempts_side_by_side(app, client, catalog, candidate):
    qid = first_question_id(catalog)
    _answer(client, qid, WEAK)
    _answer(client, qid, GOOD)
    page = soup(client.get(f"/questions/{qid}"))
    link = page.find("a", string="Compare your last two attempts")
    compare = soup(client.get(link["href"]))
    rows = {text_of(tr.th): [text_of(td) for td in tr.find_all("td")] for tr in compare.select("table tbody tr")}
    assert set(rows) == {"Strategy", "Risk", "Communication", "Leadership", "Overall"}
    assert any(r[2].startswith("+") and r[2] != "+0" for r in rows.values())
    assert "know," in " ".join(text_of(d) for d in compare.select(".diff del"))
    assert "rollback" in " ".join(text_of(i) for i in compare.select(".diff ins"))


def test_bookmarks_and_notes(app, client, catalog, candidate):
    qid = first_question_id(catalog)
    assert _post(client, f"/questions/{qid}/bookmark", page=f"/questions/{qid}").status_code == 303
    assert _post(client, f"/questions/{qid}/note", {"text": "Lead with the **metric**. <script>x</script>"}, page=f"/questions/{qid}").status_code == 303
    saved = soup(client.get("/saved"))
    assert catalog.question(qid).title in text_of(saved)
    note = saved.select_one(".note .prose")
    assert note.find("strong").get_text() == "metric" and note.find("script") is None
    assert "Saved (remove)" in text_of(soup(client.get(f"/questions/{qid}")).find(id="saved"))
    _post(client, f"/questions/{qid}/bookmark", page=f"/questions/{qid}")
    _post(client, f"/questions/{qid}/note", {"text": ""}, page=f"/questions/{qid}")
    assert "No bookmarks yet" in text_of(soup(client.get("/saved"))) and "No notes yet" in text_of(soup(client.get("/saved")))


def test_search_ranks_and_highlights(client, catalog):
    page = soup(client.get("/search", params={"q": "risk register"}))
    results = page.select(".search-results li")
    assert results and "risk" in text_of(results[0].find("mark")).lower()
    assert results[0].find("a")["href"].startswith(("/guides/", "/questions/"))
    assert soup(client.get("/")).find("form", attrs={"role": "search"})["action"] == "/search"
    empty = soup(client.get("/search", params={"q": "zzqqxx"}))
    assert "Nothing matches" in text_of(empty)
    escaped = client.get("/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in escaped.text


def test_export_contains_what_was_entered_and_delete_removes_it(app, client, catalog, candidate):
    qid = first_question_id(catalog)
    _answer(client, qid, GOOD)
    _post(client, f"/questions/{qid}/note", {"text": "my private note"}, page=f"/questions/{qid}")
    data = client.get("/account/export.json").json()
    assert data["account"]["email"] == "cand@example.com"
    assert data["answers"][0]["text"] == GOOD and data["answers"][0]["score_cards"][0]["scores"]
    assert data["notes"][0]["text"] == "my private note"
    markdown = client.get("/account/export.md")
    assert markdown.headers["content-type"].startswith("text/markdown") and GOOD in markdown.text and "my private note" in markdown.text
    wrong = _post(client, "/account/delete", {"password": "not my password"}, page="/account/delete")
    assert wrong.status_code == 422 and "nothing was deleted" in wrong.text
    assert _post(client, "/account/delete", {"password": "correct horse battery"}, page="/account/delete").status_code == 303
    with app.state.read_db() as db:
        assert db.scalar(select(func.count()).select_from(User)) == 0
        assert db.scalar(select(func.count()).select_from(Answer)) == 0
        assert db.scalar(select(func.count()).select_from(Note)) == 0
    assert client.get("/answers", follow_redirects=False).status_code == 303


def test_follow_up_cues_match_words_not_fragments():
    # The scorer's cue lexicon, matched on tokens: "roll back" is in two risk families and counts once.
    from web.services.mock import cue_count

    assert cue_count("What would you shut down first?", "leadership") == 0
    assert cue_count("How did you own the decision?", "leadership") == 1  # "decision"; "own" alone is no cue
    assert cue_count("How would you convince the VP to fund it?", "leadership") == 1
    assert cue_count("When would you roll back, and who decides?", "risk") == 1
    assert cue_count("Which metrics told you it was working?", "strategy") == 1


def test_the_report_names_every_tied_weakest_dimension_and_no_weakest_when_level(catalog):
    from types import SimpleNamespace

    from scoring.card import DimensionScore, ScoreCard
    from web.services import mock as mock_service

    def card(scores):
        dims = {d: DimensionScore(dimension=d, score=s, value=float(s), rationale="", evidence=(), covered=(), missing=())
                for d, s in scores.items()}
        return ScoreCard(dimensions=dims, overall=3.0, strengths=(), improvements=(), scorer="offline", scorer_version="t",
                         rubric_hash="h")

    def report_for(*score_sets):
        items = [SimpleNamespace(answer_id=i + 1, follow_up_answer_id=None, question_id="x") for i in range(len(score_sets))]
        cards = {i + 1: card(s) for i, s in enumerate(score_sets)}
        original = mock_service._card
        mock_service._card = lambda db, answer_id: (None, cards.get(answer_id))
        try:
            return mock_service.report(db=None, interview=SimpleNamespace(items=items), catalog=catalog, settings=Settings())
        finally:
            mock_service._card = original

    level = report_for({"strategy": 3, "risk": 3, "communication": 3, "leadership": 3})
    assert level["level"] and level["weakest"] == [] and level["lessons"] == []
    tied = report_for({"strategy": 4, "risk": 2, "communication": 2, "leadership": 5})
    assert tied["weakest"] == ["risk", "communication"] and not tied["level"]


def test_the_clock_at_the_start_matches_the_track_page(app, client, candidate, tiny_track):
    from web.services.mock import track_minutes

    listed = track_minutes(tiny_track)
    assert f"{listed:g} minutes with follow-ups" in flat_text(soup(client.get("/mock")))
    _post(client, "/mock", {"track": "tiny"}, page="/mock")
    with app.state.read_db() as db:
        from web.services.mock import get_own, total_seconds_left
        from web.services.users import get_by_email

        interview = get_own(db=db, user=get_by_email(db=db, email=candidate), interview_id=_mock_id(app))
        assert abs(total_seconds_left(interview) - listed * 60) <= 2


def test_a_follow_up_reply_is_judged_on_the_point_it_asked_for():
    from pathlib import Path

    from web.content import load_catalog
    from web.services.mock import judge_follow_up

    question = load_catalog(Path(__file__).resolve().parents[1] / "fixtures" / "good").question("beh-sample")
    asked = question.probes["told"]
    on_point = judge_follow_up(question=question, point_id="told", asked=asked, settings=Settings(),
                               reply="Every Friday I told the director in the weekly status update what had slipped and why.")
    assert on_point.covered and on_point.point.id == "told" and "status update" in on_point.evidence
    off_point = judge_follow_up(question=question, point_id="told", asked=asked, settings=Settings(),
                                reply="The teams agreed on a shared goal and the risk went down.")
    assert not off_point.covered and off_point.evidence is None
    assert judge_follow_up(question=question, point_id="gone", asked=asked, reply="x", settings=Settings()) is None
