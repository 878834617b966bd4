"""A login or sign-up flood must not block anyone else's writes: hashing outside write
transactions, a bounded hashing queue, account pages on threads of their own, few and fair writes."""

from __future__ import annotations

import threading
import time

import anyio
import pytest
from sqlalchemy import event, select

from tests.conftest import ON_POSTGRES, csrf_of, first_question_id, make_user
from web.db import WRITE_OPTION, WriteGate
from web.models import User


def _write_elsewhere(app, email: str, outcome: dict) -> None:
    """Another request's write, from another thread: how long it waited, or why it failed."""
    from web.services import users as user_service

    start = time.perf_counter()
    try:
        with app.state.write_db.begin() as db:
            user_service.create_user(db=db, email=email, prepared=(email, "not a hash: nobody logs in"), settings=app.state.settings)
        outcome["seconds"] = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - the test reports whatever stopped the write
        outcome["error"] = repr(exc)


@pytest.mark.parametrize("kind", ["login", "signup"])
def test_a_password_being_hashed_holds_no_write_lock(app, client, monkeypatch, kind):
    """While argon2 runs for a login or a sign-up, another writer commits at once."""
    from web.infra import security
    from web.services import users as user_service

    make_user(app, "owner@example.com")
    outcome: dict = {}
    real_hash, real_verify = security.hash_password, security.verify_password

    def while_hashing(fn):
        def hashing(*args, **kwargs):
            assert not outcome, "hashed twice"
            writer = threading.Thread(target=_write_elsewhere, args=(app, "bystander@example.com", outcome))
            writer.start()
            writer.join(timeout=5)
            return fn(*args, **kwargs)
        return hashing

    monkeypatch.setattr(user_service, "hash_password", while_hashing(real_hash))
    monkeypatch.setattr(user_service, "verify_password", while_hashing(real_verify))
    token = csrf_of(client, f"/{kind}")
    email = "owner@example.com" if kind == "login" else "newcomer@example.com"
    response = client.post(f"/{kind}", data={"email": email, "password": "correct horse battery", "csrf_token": token},
                           follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    assert "error" not in outcome and outcome.get("seconds", 99) < 2, outcome
    with app.state.read_db() as db:
        assert db.scalar(select(User).where(User.email == "bystander@example.com")) is not None


@pytest.mark.parametrize("kind", ["login", "signup"])
def test_a_full_hashing_queue_turns_people_away_with_a_503_and_retry_after(client, monkeypatch, kind):
    from web.infra import security

    token = csrf_of(client, f"/{kind}")
    monkeypatch.setitem(security._hash_pending, kind, security.hashing_share())
    response = client.post(f"/{kind}", data={"email": "someone@example.com", "password": "correct horse battery",
                                             "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert "very busy" in response.text and 'value="someone@example.com"' in response.text  # the email is kept


def test_a_flood_of_logins_leaves_room_for_sign_ups(app, client, monkeypatch):
    """Each kind of password check has its own share of the hashing queue."""
    from web.infra import security

    monkeypatch.setitem(security._hash_pending, "login", security.hashing_share())
    token = csrf_of(client, "/signup")
    response = client.post("/signup", data={"email": "newcomer@example.com", "password": "correct horse battery",
                                            "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    token = csrf_of(client, "/login")
    busy = client.post("/login", data={"email": "newcomer@example.com", "password": "correct horse battery",
                                       "csrf_token": token}, follow_redirects=False)
    assert busy.status_code == 503


def test_a_flood_of_account_pages_leaves_the_thread_pool_to_everyone_else(app, client, catalog, monkeypatch):
    """Login and sign-up pages queue on their own few threads; a submit still gets a thread at once."""
    from web.routes import account
    from web.services import tokens as token_service
    from web.services.users import get_by_email

    make_user(app, "api@example.com")
    with app.state.write_db.begin() as db:
        bearer = token_service.create_token(db=db, user=get_by_email(db=db, email="api@example.com"), name="script")

    async def small_pool() -> None:  # so that a dozen stuck requests would be enough to fill it
        anyio.to_thread.current_default_thread_limiter().total_tokens = 4

    client.portal.call(small_pool)
    release, stuck = threading.Event(), threading.Semaphore(0)
    real_render = account.render

    def slow_render(*args, **kwargs):
        stuck.release()
        release.wait(20)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(account, "render", slow_render)
    flood = [threading.Thread(target=client.get, args=(path,)) for path in ["/login", "/signup"] * 6]
    for visitor in flood:
        visitor.start()
    try:
        for _ in range(account.ACCOUNT_THREADS):
            assert stuck.acquire(timeout=10), "the account pages never started"
        outcome: dict = {}

        def submit() -> None:
            outcome["response"] = client.post("/api/v1/answers", headers={"Authorization": f"Bearer {bearer}"},
                                              json={"question_id": first_question_id(catalog), "text": "I would stage it."})

        submitter = threading.Thread(target=submit)
        submitter.start()
        submitter.join(timeout=10)
        assert not submitter.is_alive(), "the submit waited behind the account pages for a thread"
        assert outcome["response"].status_code == 201
        assert not stuck.acquire(timeout=0.2), "more account pages ran at once than their threads allow"
    finally:
        release.set()
        for visitor in flood:
            visitor.join(timeout=30)
        client.portal.call(_default_pool)


async def _default_pool() -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = 40


def test_an_api_submit_takes_the_write_lock_twice(app, client, catalog):
    """Storing the answer (with its scoring job leased to the request) and recording the card: two
    write transactions, not four. Every one of them queues behind a login flood's writes."""
    make_user(app, "api@example.com")
    from web.services import tokens as token_service
    from web.services.users import get_by_email

    with app.state.write_db.begin() as db:
        bearer = token_service.create_token(db=db, user=get_by_email(db=db, email="api@example.com"), name="script")
    writes: list[str] = []

    def count(connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            writes.append("write")

    event.listen(app.state.engine, "begin", count)
    try:
        response = client.post("/api/v1/answers", headers={"Authorization": f"Bearer {bearer}"},
                               json={"question_id": first_question_id(catalog), "text": "I would stage the rollout by region."})
    finally:
        event.remove(app.state.engine, "begin", count)
    assert response.status_code == 201 and response.json()["score_cards"], response.text[:300]
    assert response.json()["jobs"] == [{"scorer": "offline", "status": "done", "attempts": 1, "last_error": None}]
    assert len(writes) == 2


def test_a_request_that_dies_while_scoring_leaves_its_job_to_the_worker(app, catalog):
    """The job is leased to the request in the answer's own transaction; if the request never
    finishes it, the lease runs out and the worker scores the answer."""
    from datetime import timedelta

    from web.models import JobStatus, ScoringJob
    from web.services import answers as answer_service
    from web.services import scoring_jobs

    make_user(app, "cand@example.com")
    with app.state.write_db.begin() as db:
        user = db.scalar(select(User).where(User.email == "cand@example.com"))
        answer = answer_service.submit_answer(db=db, user=user, question=catalog.question(first_question_id(catalog)),
                                              text="I would stage the rollout by region.", started_at=None,
                                              max_chars=app.state.settings.max_answer_chars)
        (job,) = scoring_jobs.enqueue(db=db, answer=answer, settings=app.state.settings, run_here=("offline", "request-1"))
        assert (job.status, job.lease_owner, job.attempts) == (JobStatus.RUNNING, "request-1", 1)
        job_id = job.id
    # A live lease is not taken by the worker ...
    assert not scoring_jobs.process_one(write_db=app.state.write_db, catalog=catalog, settings=app.state.settings, worker_id="w")
    with app.state.write_db.begin() as db:
        db.get(ScoringJob, job_id).lease_expires_at -= timedelta(hours=1)
    # ... an expired one is.
    assert scoring_jobs.process_one(write_db=app.state.write_db, catalog=catalog, settings=app.state.settings, worker_id="w")
    with app.state.read_db() as db:
        assert db.get(ScoringJob, job_id).status == JobStatus.DONE


sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="the write gate orders SQLite's writers; PostgreSQL locks rows")


@sqlite_only
def test_sqlite_writers_take_turns_in_the_order_they_arrived(app):
    """SQLite's busy handler lets a newcomer take the lock while earlier writers sleep (up to 100 ms
    between tries): under a burst some waited seconds. Writers queue first come, first served."""
    gate = next(iter(_gates_of(app)))
    order: list[int] = []

    def writer(n: int) -> None:
        with app.state.write_db.begin() as db:
            db.execute(select(1))
            order.append(n)

    holder = app.state.write_db()
    holder.execute(select(1))  # BEGIN IMMEDIATE: the write lock is taken
    threads = _queue_one_by_one(gate, writer, 5)
    holder.commit()
    holder.close()
    for t in threads:
        t.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]


@sqlite_only
def test_a_failed_or_abandoned_write_gives_its_turn_back(app):
    gate = next(iter(_gates_of(app)))
    with pytest.raises(RuntimeError):
        with app.state.write_db.begin() as db:
            db.execute(select(1))
            raise RuntimeError("the request failed halfway")
    abandoned = app.state.write_db()
    abandoned.execute(select(1))
    abandoned.close()  # never committed: the connection's rollback on return ends the turn
    start = time.perf_counter()
    with app.state.write_db.begin() as db:
        db.execute(select(1))
    assert time.perf_counter() - start < 1 and gate.waiting() == 0


def test_the_write_gate_hands_over_in_order_and_gives_up_on_time():
    gate = WriteGate()
    assert gate.acquire(timeout=1)
    assert not gate.acquire(timeout=0.05) and gate.waiting() == 0  # timed out and left the queue
    got: list[int] = []

    def wait(n: int) -> None:
        if gate.acquire(timeout=5):
            got.append(n)
            gate.release()

    threads = _queue_one_by_one(gate, wait, 3)
    gate.release()
    for t in threads:
        t.join(timeout=5)
    assert got == [0, 1, 2]
    assert gate.acquire(timeout=0.05)  # open again once the queue is empty


def _queue_one_by_one(gate: WriteGate, target, count: int) -> list[threading.Thread]:
    """Start `count` threads running target(n), each only once the one before it waits at the gate."""
    threads = []
    for n in range(count):
        thread = threading.Thread(target=target, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_until(lambda: gate.waiting() == n + 1)
    return threads


def _gates_of(app):
    from web.db import _gates

    return [gate for url, gate in _gates.items() if url == app.state.settings.database_url]


def _wait_until(condition, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)
