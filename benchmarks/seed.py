"""Seed a database with a realistic volume of practice data for the page benchmarks.

Usage:
  python benchmarks/seed.py [--database-url URL] [--answers 100000] [--users 200] [--heavy 5000]
                            [--review-requests 3000] [--fresh] [--analyze]

Default URL: sqlite:///<repo>/data/bench_100k.db. A PostgreSQL URL such as
postgresql+psycopg://postgres@127.0.0.1:5432/tpmprep_bench works too; --fresh deletes the SQLite
file, or drops and recreates the PostgreSQL database, first.

What it writes (all with SQLAlchemy Core executemany, never through the scorer per answer):
  * ~200 candidates, three reviewers and one admin, all with the password "benchmark password"
    (one real argon2 hash, reused);
  * the heavy candidate candidate@bench.example with --heavy answers over the last 300 days (a
    streak up to today), and the rest of --answers spread over the other candidates over a year,
    on every catalog question;
  * for each answer: a done scoring job and one offline score card record. The cards come from a
    pool made by running the real offline scorer once on four lengths of every question's example
    answer (the answer text is the scored text, so text, card and score columns agree); --rescored
    (5 %) of the answers have a second, newer offline card, as after a scorer upgrade; the answer row
    carries the newest card's scores (answer.offline_*), as the app's store_card leaves it;
  * a spaced-repetition card per (user, question) answered;
  * --review-requests review requests: ~40 % waiting in the queue, ~5 % claimed (some claims
    expired), ~3 % flagged, the rest reviewed, with reviews (60 % by reviewer@bench.example),
    their audit-trail revisions and the candidates' notifications.

The schema is created with web.infra.migrations.upgrade first. Nothing is ANALYZEd on SQLite unless
--analyze is given (the app never runs ANALYZE, so a real SQLite database has no statistics);
PostgreSQL gets VACUUM ANALYZE, which autovacuum would do on its own after a bulk load.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from web.settings import REPO_ROOT

DEFAULT_URL = f"sqlite:///{REPO_ROOT / 'data' / 'bench_100k.db'}"
PASSWORD = "benchmark password"
HEAVY_EMAIL = "candidate@bench.example"
REVIEWER_EMAIL = "reviewer@bench.example"
ADMIN_EMAIL = "admin@bench.example"
OTHER_REVIEWERS = ("reviewer2@bench.example", "reviewer3@bench.example")
CHUNK = 5_000
VARIANTS = (1.0, 0.7, 0.45, 0.25)  # share of the example answer's sentences kept


def log(message: str) -> None:
    print(message, flush=True)


# ------------------------------------------------------------------ database


def prepare_database(url: str, fresh: bool) -> None:
    """Delete (SQLite) or drop and create (PostgreSQL) the database when --fresh; create a missing PG database."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        if fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    from sqlalchemy import create_engine

    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database})
        if exists and fresh:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": parsed.database})
            conn.execute(text(f'DROP DATABASE "{parsed.database}"'))
            exists = False
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def insert_chunks(engine, table, rows: list[dict]) -> float:
    """executemany in chunks, one transaction each; returns seconds."""
    start = time.perf_counter()
    for i in range(0, len(rows), CHUNK):
        with engine.begin() as conn:
            conn.execute(insert(table), rows[i : i + CHUNK])
    return time.perf_counter() - start


def reset_sequences(engine, tables) -> None:
    """PostgreSQL: move id sequences past the explicit ids we inserted."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in tables:
            name = f'"{table.name}"'
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))


# ------------------------------------------------------------------ the data


def sentences(text_: str) -> list[str]:
    import re

    return [s for s in re.split(r"(?<=[.!?])\s+", text_.strip()) if s]


def card_pool(catalog) -> dict[str, list[tuple[str, dict, dict]]]:
    """Per question: (text, card dict, scores) for a few lengths of its example answer, scored for real."""
    from scoring.offline import score
    from web.services.answers import word_count

    pool: dict[str, list[tuple[str, dict, dict]]] = {}
    for question in catalog.questions.values():
        parts = sentences(question.example_text) or [question.title]
        entries = []
        for share in VARIANTS:
            answer = " ".join(parts[: max(2, int(len(parts) * share))])
            card = score(answer, question.rubric)
            extra = {"overall": card.overall, "rubric_hash": card.rubric_hash, "scorer_version": card.scorer_version, "words": word_count(answer)}
            entries.append((answer, card.to_dict(), {**card.scores, **extra}))
        pool[question.id] = entries
    return pool


def fsrs_templates():
    """Per FSRS rating: (card state at a reference review, interval to due) to shift onto each review time."""
    from fsrs import Card, Rating

    from web.services.practice_queue import SCHEDULER

    ref = datetime(2026, 1, 1, tzinfo=timezone.utc)
    out = {}
    for rating in Rating:
        card, _ = SCHEDULER.review_card(Card(due=ref), rating, review_datetime=ref)
        out[int(rating)] = (card.to_dict(), card.due - ref)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--answers", type=int, default=100_000, help="answers in total (default 100,000)")
    parser.add_argument("--users", type=int, default=200, help="candidates, the heavy one included (default 200)")
    parser.add_argument("--heavy", type=int, default=5_000, help="answers of candidate@bench.example (default 5,000)")
    parser.add_argument("--review-requests", type=int, default=3_000)
    parser.add_argument("--rescored", type=float, default=0.05, help="share of answers scored twice (an older card is kept; default 0.05)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--fresh", action="store_true", help="delete / drop and recreate the database first")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE on SQLite too (PostgreSQL always gets VACUUM ANALYZE)")
    args = parser.parse_args()

    from web.infra import migrations
    from web.content import load_catalog
    from web.db import make_engine
    from web.models import (
        Answer,
        Notification,
        PracticeCard,
        Review,
        ReviewRequest,
        ReviewRevision,
        ScoreCardRecord,
        ScoringJob,
        User,
    )
    from web.infra.security import hash_password
    from web.services.practice_queue import rating_for
    from web.settings import Settings

    rng = random.Random(args.seed)
    total_start = time.perf_counter()
    url = args.database_url
    log(f"command: python benchmarks/seed.py --database-url {make_url(url).render_as_string(hide_password=True)} --answers {args.answers} --users {args.users} --heavy {args.heavy} --review-requests {args.review_requests}{f' --rescored {args.rescored}' if args.rescored != 0.05 else ''}{' --fresh' if args.fresh else ''}{' --analyze' if args.analyze else ''}")
    prepare_database(url, args.fresh)
    t = time.perf_counter()
    migrations.upgrade(url)
    log(f"migrations: {time.perf_counter() - t:.1f} s")
    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(User.__table__)):
            raise SystemExit("the database already has users; pass --fresh to start from an empty one")

    settings = Settings(database_url=url)
    catalog = load_catalog(settings.content_dir)
    t = time.perf_counter()
    pool = card_pool(catalog)
    templates = fsrs_templates()
    log(f"card pool: {sum(len(v) for v in pool.values())} real offline cards for {len(pool)} questions in {time.perf_counter() - t:.1f} s")

    now = datetime.now(timezone.utc).replace(microsecond=0)
    password_hash = hash_password(PASSWORD)

    # ---- users
    users = [dict(id=1, email=HEAVY_EMAIL, role="candidate")]
    users += [dict(id=i + 1, email=f"user{i:04d}@bench.example", role="candidate") for i in range(1, args.users)]
    reviewer_id = len(users) + 1
    users.append(dict(id=reviewer_id, email=REVIEWER_EMAIL, role="reviewer"))
    other_reviewers = [reviewer_id + 1 + i for i in range(len(OTHER_REVIEWERS))]
    users += [dict(id=uid, email=email, role="reviewer") for uid, email in zip(other_reviewers, OTHER_REVIEWERS)]
    users.append(dict(id=other_reviewers[-1] + 1, email=ADMIN_EMAIL, role="admin"))
    for u in users:
        u.update(password_hash=password_hash, created_at=now - timedelta(days=400), password_changed_at=now - timedelta(days=400))

    # ---- answers (ids follow submission time, as in a real database)
    question_ids = sorted(pool)
    candidates = [u["id"] for u in users if u["role"] == "candidate" and u["id"] != 1]
    plan: list[tuple[datetime, int, str, int]] = []  # (submitted_at, user_id, question_id, variant)

    def variant() -> int:
        return rng.choices(range(len(VARIANTS)), weights=(3, 4, 3, 2))[0]

    heavy_days = 300
    for i in range(args.heavy):
        # most recent days first so the streak runs up to today
        day = i % heavy_days if i < heavy_days else rng.randrange(heavy_days)
        moment = now - timedelta(days=day, seconds=rng.randrange(0, 20 * 3600))
        plan.append((moment, 1, rng.choice(question_ids), variant()))
    rest = max(0, args.answers - args.heavy)
    for i in range(rest):
        moment = now - timedelta(seconds=rng.randrange(0, 365 * 86400))
        plan.append((moment, candidates[i % len(candidates)], rng.choice(question_ids), variant()))
    plan.sort(key=lambda p: p[0])

    answers, cards, jobs, rescored = [], [], [], []
    last_result: dict[tuple[int, str], tuple[datetime, float]] = {}
    for answer_id, (moment, user_id, qid, v) in enumerate(plan, start=1):
        answer_text, card, scores = pool[qid][v]
        taken = rng.randrange(120, 900)
        question = catalog.question(qid)
        answers.append(
            dict(
                id=answer_id, user_id=user_id, question_id=qid, content_version=question.version, text=answer_text,
                started_at=moment - timedelta(seconds=taken), submitted_at=moment, time_taken_seconds=taken,
                word_count=scores["words"], status="scored", source="practice",
                # as scoring_jobs.store_card leaves it: the newest offline card's scores (a rescore keeps these)
                **{f"offline_{d}": scores[d] for d in ("strategy", "risk", "communication", "leadership")},
            )
        )
        created = moment + timedelta(milliseconds=rng.randrange(20, 400))
        cards.append(
            dict(
                id=answer_id, answer_id=answer_id, scorer="offline", scorer_version=scores["scorer_version"], rubric_hash=scores["rubric_hash"],
                strategy=scores["strategy"], risk=scores["risk"], communication=scores["communication"], leadership=scores["leadership"],
                overall=scores["overall"], card=card, created_at=created,
            )
        )
        jobs.append(
            dict(id=answer_id, answer_id=answer_id, scorer="offline", status="done", attempts=1, last_error=None,
                 lease_owner=f"request-{answer_id}", lease_expires_at=None, created_at=moment, updated_at=created)
        )
        if rng.random() < args.rescored:
            # Rescored later by a newer scorer version: the first card stays, the newer one has a higher id.
            first = cards[-1]
            first.update(scorer_version=f"{scores['scorer_version']}-previous", strategy=max(1, scores["strategy"] - 1), overall=max(1.0, scores["overall"] - 0.25))
            rescored.append({**first, "id": None, "scorer_version": scores["scorer_version"], "strategy": scores["strategy"],
                             "overall": scores["overall"], "created_at": now - timedelta(days=rng.randrange(0, 30))})
        last_result[(user_id, qid)] = (moment, scores["overall"])

    for offset, card_row in enumerate(rescored, start=1):
        card_row["id"] = len(plan) + offset
    cards += rescored

    practice = []
    for pid, ((user_id, qid), (moment, overall)) in enumerate(sorted(last_result.items()), start=1):
        rating = int(rating_for(overall))
        state, interval = templates[rating]
        due = moment + interval
        practice.append(
            dict(id=pid, user_id=user_id, question_id=qid, due_at=due, last_rating=rating,
                 state={**state, "card_id": pid, "due": due.isoformat(), "last_review": moment.isoformat()}, updated_at=moment)
        )

    # ---- review requests, reviews, revisions, notifications
    eligible = [a for a in answers if a["submitted_at"] < now - timedelta(hours=1)]
    chosen = sorted(rng.sample(eligible, min(args.review_requests, len(eligible))), key=lambda a: a["id"])
    requests, reviews, revisions, notifications = [], [], [], []
    dims = ("strategy", "risk", "communication", "leadership")
    n = len(chosen)
    # the newest requests are the ones still waiting; the oldest were reviewed long ago
    reviewed_upto = int(n * 0.52)
    flagged_upto = reviewed_upto + int(n * 0.03)
    claimed_upto = flagged_upto + int(n * 0.05)
    for rid, a in enumerate(chosen, start=1):
        index = rid - 1
        created = a["submitted_at"] + timedelta(minutes=rng.randrange(1, 120))
        base = {d: max(1, min(5, pool[a["question_id"]][0][2][d] + rng.choice((-1, 0, 0, 1)))) for d in dims}
        row = dict(id=rid, answer_id=a["id"], reviews_needed=1, claimed_by_id=None, claim_expires_at=None, created_at=created, completed_at=None)
        if index < flagged_upto:
            reviewer = reviewer_id if rng.random() < 0.6 else rng.choice(other_reviewers)
            at = created + timedelta(hours=rng.randrange(1, 72))
            review_id = len(reviews) + 1
            reviews.append(
                dict(id=review_id, request_id=rid, answer_id=a["id"], reviewer_id=reviewer, is_adjudication=False, **base,
                     comments={d: "" for d in dims}, overall_comment="Clear structure; quantify the risks.", passages=[],
                     created_at=at, updated_at=at, seen_by_candidate_at=at + timedelta(days=1) if index < reviewed_upto // 2 else None)
            )
            revisions.append(dict(id=review_id, review_id=review_id, editor_id=reviewer, at=at, before=None,
                                  after={**base, "comments": {d: "" for d in dims}, "overall_comment": "Clear structure; quantify the risks.", "passages": []}))
            if index < reviewed_upto:
                row.update(status="reviewed", completed_at=at)
                a["status"] = "reviewed"
                notifications.append(dict(id=len(notifications) + 1, user_id=a["user_id"], kind="review", answer_id=a["id"],
                                          message="A reviewer scored your answer.", created_at=at,
                                          read_at=at + timedelta(days=1) if index < reviewed_upto // 2 else None))
            else:
                row.update(status="flagged", reviews_needed=2)
        elif index < claimed_upto:
            expired = rng.random() < 0.5
            row.update(status="in_review", claimed_by_id=rng.choice(other_reviewers),
                       claim_expires_at=now - timedelta(minutes=5) if expired else now + timedelta(minutes=25))
        else:
            row.update(status="waiting")
        requests.append(row)

    # ---- write
    timings = {}
    plan_tables = [
        (User.__table__, users), (Answer.__table__, answers), (ScoreCardRecord.__table__, cards), (ScoringJob.__table__, jobs),
        (PracticeCard.__table__, practice), (ReviewRequest.__table__, requests), (Review.__table__, reviews),
        (ReviewRevision.__table__, revisions), (Notification.__table__, notifications),
    ]
    log(f"generated rows in {time.perf_counter() - total_start:.1f} s; inserting ({engine.dialect.name})")
    for table, rows in plan_tables:
        timings[table.name] = insert_chunks(engine, table, rows)
        log(f"  {table.name:<16}{len(rows):>9,} rows  {timings[table.name]:7.1f} s  ({len(rows) / max(timings[table.name], 1e-9):,.0f} rows/s)")
    reset_sequences(engine, [table for table, _ in plan_tables])

    t = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
        log(f"VACUUM ANALYZE: {time.perf_counter() - t:.1f} s")
    elif args.analyze:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        log(f"ANALYZE: {time.perf_counter() - t:.1f} s")
    else:
        log("SQLite: no ANALYZE (the app never runs it); pass --analyze to add statistics")

    with engine.connect() as conn:
        counts = {table.name: conn.scalar(select(func.count()).select_from(table)) for table, _ in plan_tables}
        heavy = conn.scalar(select(func.count()).select_from(Answer.__table__).where(Answer.user_id == 1))
        waiting = conn.scalar(select(func.count()).select_from(ReviewRequest.__table__).where(ReviewRequest.status.in_(("waiting", "in_review"))))
        size = None
        if engine.dialect.name == "postgresql":
            size = conn.scalar(text("SELECT pg_database_size(current_database())"))
    if engine.dialect.name == "sqlite":
        path = Path(make_url(url).database)
        size = sum(Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists())
    engine.dispose()
    log("counts: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    log(f"heavy candidate {HEAVY_EMAIL}: {heavy:,} answers; review queue (waiting or in review): {waiting:,}; reviewer {REVIEWER_EMAIL}")
    log(f"password of every account: {PASSWORD!r}")
    log(f"database size {size / 1e6:,.0f} MB; total {time.perf_counter() - total_start:.1f} s")


if __name__ == "__main__":
    main()
