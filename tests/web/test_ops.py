"""Running it for real: health, readiness, metrics, logs, database faults, backups and concurrent writers."""

import json
import logging
import sqlite3
import threading

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from tests.conftest import ON_POSTGRES, csrf_of, first_question_id, login, make_user, soup, text_of
from web.models import Answer, ScoreCardRecord, User


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "schema": "ok", "writable": "ok", "content": "ok"}


def test_readiness_fails_when_the_database_is_away(app, client, monkeypatch):
    def broken_connect(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(app.state.engine, "connect", broken_connect)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["database"].startswith("unreachable")
    assert client.get("/healthz").status_code == 200  # liveness does not depend on the database


def test_metrics_expose_latency_and_job_counts(client, candidate, catalog):
    qid = first_question_id(catalog)
    client.post(f"/questions/{qid}/answers", data={"text": "I named the risk owner.", "csrf_token": csrf_of(client, f"/questions/{qid}")})
    text = client.get("/metrics").text
    assert 'tpmprep_request_duration_seconds_count{method="GET",route="/questions/{question_id}",status="200"}' in text
    assert 'tpmprep_scoring_jobs{status="done"} 1.0' in text
    assert 'tpmprep_scoring_jobs{status="pending"} 0.0' in text


def test_structured_access_logs_carry_the_request_id(app, client, caplog):
    from web.infra.observability import JsonFormatter

    with caplog.at_level(logging.INFO, logger="tpmprep.access"):
        response = client.get("/guides", headers={"X-Request-ID": "trace-123"})
    assert response.headers["x-request-id"] == "trace-123"
    record = next(r for r in caplog.records if r.name == "tpmprep.access")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "trace-123" and line["status"] == 200 and line["route"] == "/guides" and line["duration_ms"] >= 0


def test_database_going_away_mid_request_gives_a_503_and_no_partial_data(app, client, catalog, candidate):
    qid = first_question_id(catalog)
    token = csrf_of(client, f"/questions/{qid}")
    engine = app.state.engine
    calls = {"n": 0}

    def drop_connection(conn, cursor, statement, parameters, context, executemany):
        # Let the answer INSERT through, then lose the database before the transaction commits.
        if statement.lstrip().upper().startswith("INSERT INTO SCORING_JOB"):
            calls["n"] += 1
            raise OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))

    event.listen(engine, "before_cursor_execute", drop_connection)
    try:
        response = client.post(f"/questions/{qid}/answers", data={"text": "An answer that must not half-exist.", "csrf_token": token})
    finally:
        event.remove(engine, "before_cursor_execute", drop_connection)
    assert calls["n"] == 1
    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    page = soup(response)
    assert text_of(page.h1) == "Temporarily unavailable" and "not reachable" in text_of(page.select_one(".lead"))
    with app.state.read_db() as db:
        assert db.scalar(select(func.count()).select_from(Answer)) == 0
    api = client.get("/api/v1/questions")  # and the site works again once the database is back
    assert api.status_code == 200


def test_backup_and_restore(app, client, catalog, candidate, settings, tmp_path, monkeypatch, capsys):
    from web.cli import main

    monkeypatch.setenv("TPMPREP_DATABASE_URL", settings.database_url)
    if ON_POSTGRES:
        assert main(["backup", str(tmp_path / "x.dump")]) == 2
        assert "pg_dump --format=custom" in capsys.readouterr().out
        return
    qid = first_question_id(catalog)
    client.post(f"/questions/{qid}/answers", data={"text": "Keep me safe in the backup.", "csrf_token": csrf_of(client, f"/questions/{qid}")})
    target = tmp_path / "backups" / "tpmprep.db"
    assert main(["backup", str(target)]) == 0
    assert main(["backup", str(target)]) == 1  # no silent overwrite
    with sqlite3.connect(target) as conn:
        assert conn.execute("select text from answer").fetchall() == [("Keep me safe in the backup.",)]
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    # Restore: run the site on the backup file and find the answer there.
    from fastapi.testclient import TestClient

    from web.app import create_app

    restored = create_app(settings.model_copy(update={"database_url": f"sqlite:///{target}"}), catalog=catalog)
    with TestClient(restored) as c:
        login(c, "cand@example.com")
        assert "Keep me safe" in c.get("/answers/1").text


def test_eight_threads_submitting_at_once_lose_nothing(app, live_server, catalog):
    """SQLite: concurrent writers queue on BEGIN IMMEDIATE instead of failing with 'database is locked'."""
    threads, per_thread = 8, 5
    qid = first_question_id(catalog)
    for i in range(threads):
        make_user(app, f"writer{i}@example.com")
    barrier = threading.Barrier(threads)
    results: list[int] = []
    errors: list[str] = []

    def writer(i: int):
        with httpx.Client(base_url=live_server, timeout=60, follow_redirects=True) as c:
            page = c.get("/login").text
            token = page.split('name="csrf_token" value="')[1].split('"')[0]
            c.post("/login", data={"email": f"writer{i}@example.com", "password": "correct horse battery", "csrf_token": token})
            barrier.wait()
            for n in range(per_thread):
                form = c.get(f"/questions/{qid}").text
                token = form.split('name="csrf_token" value="')[1].split('"')[0]
                r = c.post(f"/questions/{qid}/answers", data={"text": f"Writer {i} answer {n}: I named the rollback owner.", "csrf_token": token})
                results.append(r.status_code)
                if r.status_code != 200 or "locked" in r.text:
                    errors.append(r.text[:200])

    workers = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(120)
    assert errors == [] and results == [200] * (threads * per_thread)  # 303 followed to the answer page
    with app.state.read_db() as db:
        assert db.scalar(select(func.count()).select_from(Answer)) == threads * per_thread
        assert db.scalar(select(func.count()).select_from(ScoreCardRecord)) == threads * per_thread
        assert db.scalar(select(func.count()).select_from(User)) == threads
