"""Durable scoring: jobs in the database, leases, concurrent workers, a worker killed mid-job."""

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import first_question_id, make_user
from web.models import Answer, ScoreCardRecord, ScoringJob
from web.services import answers as answer_service
from web.services import scoring_jobs
from web.services.users import get_by_id
from web.infra.worker import Worker

ANSWER = "I owned the rollout plan, named a rollback owner and sent the VP a weekly status update with the risk register."


def _answers(app, catalog, count, email="w@example.com"):
    """Store `count` answers with pending offline jobs; returns their ids."""
    user_id = make_user(app, email)
    question = catalog.question(first_question_id(catalog))
    ids = []
    with app.state.write_db.begin() as db:
        user = get_by_id(db=db, user_id=user_id)
        for i in range(count):
            answer = answer_service.submit_answer(db=db, user=user, question=question, text=f"{ANSWER} Attempt {i}.", started_at=None, max_chars=20_000)
            scoring_jobs.enqueue(db=db, answer=answer, settings=app.state.settings)
            ids.append(answer.id)
    return ids


def _worker(app, **kw):
    return Worker(write_db=app.state.write_db, catalog=app.state.catalog, settings=app.state.settings, **kw)


def _count(app, model, *where):
    with app.state.read_db() as db:
        return db.scalar(select(func.count()).select_from(model).where(*where))


def test_a_worker_scores_pending_jobs_once(app, catalog):
    ids = _answers(app, catalog, 3)
    worker = _worker(app)
    worker.run(until_idle=True)
    assert _count(app, ScoreCardRecord) == 3
    assert _count(app, ScoringJob, ScoringJob.status == "done") == 3
    assert _count(app, Answer, Answer.status == "scored") == 3
    worker.run(until_idle=True)  # nothing left: no second card
    assert _count(app, ScoreCardRecord) == 3
    assert len(ids) == 3


def test_two_workers_never_score_a_job_twice(app, catalog, monkeypatch):
    import web.services.scorers

    _answers(app, catalog, 30)
    calls: Counter = Counter()
    real = web.services.scorers.SCORERS["offline"]

    def counting(text, rubric, settings, offline):
        calls[text] += 1
        time.sleep(0.005)  # widen the window in which two workers could collide
        return real(text, rubric, settings, offline)

    monkeypatch.setitem(web.services.scorers.SCORERS, "offline", counting)
    workers = [_worker(app, name=f"w{i}") for i in range(2)]
    threads = [threading.Thread(target=w.run, kwargs={"until_idle": True}) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(calls.values()) == 30 and set(calls.values()) == {1}
    with app.state.read_db() as db:
        jobs = db.scalars(select(ScoringJob)).all()
        owners = Counter(j.lease_owner for j in jobs)
    assert all(j.status == "done" and j.attempts == 1 for j in jobs)
    assert _count(app, ScoreCardRecord) == 30
    assert set(owners) <= {"w0", "w1"}


def test_an_expired_lease_is_taken_over_and_the_late_result_is_ignored(app, catalog):
    (answer_id,) = _answers(app, catalog, 1)
    with app.state.write_db.begin() as db:
        job = scoring_jobs.claim(db=db, worker_id="dead-worker", lease=timedelta(seconds=-1))
        job_id = job.id
    assert job_id is not None
    _worker(app, name="rescuer").run(until_idle=True)
    # The dead worker wakes up and tries to record its result: it no longer holds the lease.
    from scoring.offline import score

    card = score(ANSWER, catalog.question(first_question_id(catalog)).rubric)
    with app.state.write_db.begin() as db:
        scoring_jobs.finish(db=db, job_id=job_id, worker_id="dead-worker", card=card, error=None)
    with app.state.read_db() as db:
        job = db.get(ScoringJob, job_id)
    assert job.status == "done" and job.lease_owner == "rescuer" and job.attempts == 2
    assert _count(app, ScoreCardRecord, ScoreCardRecord.answer_id == answer_id) == 1


def test_a_worker_process_killed_mid_job_is_finished_by_another(app, catalog, settings, tmp_path):
    (answer_id,) = _answers(app, catalog, 1)
    script = tmp_path / "stuck_worker.py"
    script.write_text(textwrap.dedent(f"""
        import time
        from datetime import timedelta
        import web.services.scorers
        from web.content import load_catalog
        from web.db import make_engine, make_sessionmaker
        from web.settings import Settings
        from web.infra.worker import Worker

        def hang(*_a, **_k):
            print("scoring", flush=True)
            time.sleep(600)

        web.services.scorers.SCORERS["offline"] = hang
        settings = Settings(database_url={settings.database_url!r}, environment="test")
        engine = make_engine(settings.database_url)
        Worker(write_db=make_sessionmaker(engine, write=True), catalog=load_catalog(settings.content_dir),
               settings=settings, name="doomed", lease=timedelta(seconds=2)).run_once()
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        assert proc.stdout.readline().strip() == "scoring"  # it holds the job now
        with app.state.read_db() as db:
            job = db.scalars(select(ScoringJob)).one()
            assert job.status == "running" and job.lease_owner == "doomed"
        assert _worker(app, name="early").run_once() is False  # the lease still holds
    finally:
        proc.kill()
        proc.wait(10)
    time.sleep(2.1)  # let the lease run out
    assert _worker(app, name="restarted").run_once() is True
    with app.state.read_db() as db:
        job = db.scalars(select(ScoringJob)).one()
    assert job.status == "done" and job.lease_owner == "restarted"
    assert _count(app, ScoreCardRecord, ScoreCardRecord.answer_id == answer_id) == 1


def test_failures_are_retried_then_marked_failed_with_the_error(app, catalog, monkeypatch):
    import web.services.scorers

    _answers(app, catalog, 1)
    monkeypatch.setitem(web.services.scorers.SCORERS, "offline", lambda *a: (_ for _ in ()).throw(ValueError("bad input")))
    worker = _worker(app)
    for _ in range(scoring_jobs.MAX_ATTEMPTS):
        assert worker.run_once() is True
    assert worker.run_once() is False
    with app.state.read_db() as db:
        job = db.scalars(select(ScoringJob)).one()
        answer = db.scalars(select(Answer)).one()
    assert job.status == "failed" and job.attempts == scoring_jobs.MAX_ATTEMPTS and "bad input" in job.last_error
    assert answer.text.startswith(ANSWER)  # the answer itself is untouched


def test_rescoring_with_a_new_scorer_version_keeps_the_earlier_card(app, catalog):
    from dataclasses import replace

    from scoring.offline import score

    (answer_id,) = _answers(app, catalog, 1)
    _worker(app).run(until_idle=True)
    card = score(ANSWER, catalog.question(first_question_id(catalog)).rubric)
    with app.state.write_db.begin() as db:
        answer = db.get(Answer, answer_id)
        scoring_jobs.store_card(db=db, answer=answer, card=replace(card, scorer_version="9.9.9"))
        scoring_jobs.store_card(db=db, answer=answer, card=replace(card, scorer_version="9.9.9"))  # idempotent
    with app.state.read_db() as db:
        versions = sorted(db.scalars(select(ScoreCardRecord.scorer_version).where(ScoreCardRecord.answer_id == answer_id)))
    assert len(versions) == 2 and "9.9.9" in versions


def _with_scores(card, version, scorer="offline", **scores):
    """The card as another scorer or version would give it, with some scores changed."""
    from dataclasses import replace

    dims = {d: replace(ds, score=scores.get(d, ds.score)) for d, ds in card.dimensions.items()}
    return replace(card, scorer=scorer, scorer_version=version, dimensions=dims)


def _copied_scores(app, answer_id):
    with app.state.read_db() as db:
        answer = db.get(Answer, answer_id)
        return {d: getattr(answer, f"offline_{d}") for d in ("strategy", "risk", "communication", "leadership")}


def test_the_newest_offline_card_is_copied_onto_the_answer(app, catalog):
    from scoring.offline import score

    (answer_id,) = _answers(app, catalog, 1)
    assert set(_copied_scores(app, answer_id).values()) == {None}  # not scored yet
    _worker(app).run(until_idle=True)
    with app.state.read_db() as db:
        first = scoring_jobs.latest_card(db=db, answer_id=answer_id)
    assert _copied_scores(app, answer_id) == first.scores

    card = score(ANSWER, catalog.question(first_question_id(catalog)).rubric)
    rescored = _with_scores(card, "9.9.9", strategy=5, risk=1)
    with app.state.write_db.begin() as db:
        answer = db.get(Answer, answer_id)
        scoring_jobs.store_card(db=db, answer=answer, card=rescored)
        # Another scorer's card, and a repeat of an existing run, leave the offline copy alone.
        scoring_jobs.store_card(db=db, answer=answer, card=_with_scores(card, "1", scorer="llm", strategy=1, risk=5))
        scoring_jobs.store_card(db=db, answer=answer, card=_with_scores(card, first.scorer_version, strategy=2))
    assert _copied_scores(app, answer_id) == rescored.scores
