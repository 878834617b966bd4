"""Migrations go up, down and up again with no drift from the models, on SQLite and PostgreSQL."""

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from tests.conftest import ON_POSTGRES, recreate_postgres_database
from web.infra import migrations
from web.app import SchemaOutOfDate, create_app


@pytest.fixture
def empty_database_url(tmp_path):
    if ON_POSTGRES:
        return recreate_postgres_database("tpmprep_migrations_test")
    return f"sqlite:///{tmp_path / 'migrations.db'}"


def _tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(empty_database_url):
    url = empty_database_url
    migrations.upgrade(url)
    assert {"user", "user_session", "answer", "score_card", "scoring_job"} <= _tables(url)
    migrations.downgrade(url, "base")
    assert _tables(url) == set()
    migrations.upgrade(url)
    # `alembic check` raises if autogenerate would produce any operation.
    command.check(migrations.alembic_config(url))


def test_server_refuses_an_out_of_date_schema(empty_database_url, settings):
    with pytest.raises(SchemaOutOfDate, match="tpmprep db upgrade"):
        create_app(settings.model_copy(update={"database_url": empty_database_url}))


def test_constraint_names_follow_the_naming_convention(database_url):
    engine = create_engine(database_url)
    try:
        fks = inspect(engine).get_foreign_keys("answer")
    finally:
        engine.dispose()
    assert [fk["name"] for fk in fks] == ["fk_answer_user_id_user"]


def test_sqlite_pragmas(app):
    if ON_POSTGRES:
        pytest.skip("SQLite pragmas")
    with app.state.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000


# Raw SQL: these rows are written at an older schema revision, where the models do not apply.
USER_SQL = (
    "INSERT INTO \"user\" (id, email, password_hash, role, created_at, password_changed_at)"
    " VALUES (:id, :email, 'x', 'candidate', '2026-11-26 10:00:00', '2026-11-26 10:00:00')"
)
ANSWER_SQL = (
    "INSERT INTO answer (id, user_id, question_id, content_version, text, submitted_at, word_count, status, source)"
    " VALUES (:id, :user, 'q', 'v', 't', '2026-11-26 10:00:00', 1, 'scored', 'practice')"
)
CARD_SQL = (
    "INSERT INTO score_card (id, answer_id, scorer, scorer_version, rubric_hash, strategy, risk, communication, leadership, overall, card, created_at)"
    " VALUES (:id, :answer, :scorer, :version, 'h', :s, :s, :s, :s, 1.0, '{}', '2026-11-26 10:00:00')"
)


def _insert(conn, *, user: int, answers: tuple[int, ...], cards: list[dict]) -> None:
    """One user, their answers, and score cards given as CARD_SQL parameters."""
    from sqlalchemy import text

    conn.execute(text(USER_SQL), {"id": user, "email": f"user{user}@example.com"})
    for answer_id in answers:
        conn.execute(text(ANSWER_SQL), {"id": answer_id, "user": user})
    for card in cards:
        conn.execute(text(CARD_SQL), card)


def test_upgrade_copies_each_answers_newest_offline_scores(empty_database_url):
    """The offline-scores migration backfills from the newest offline card, ignoring other scorers."""
    from sqlalchemy import text

    url = empty_database_url
    migrations.upgrade(url, "881c191431b3")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            _insert(conn, user=1, answers=(1, 2, 3), cards=[
                {"id": 1, "answer": 1, "scorer": "offline", "version": "1", "s": 2},
                {"id": 2, "answer": 1, "scorer": "offline", "version": "2", "s": 4},
                {"id": 3, "answer": 1, "scorer": "llm", "version": "1", "s": 5},
                {"id": 4, "answer": 2, "scorer": "llm", "version": "1", "s": 5},
            ])
        migrations.upgrade(url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, offline_strategy, offline_leadership FROM answer ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, 4, 4), (2, None, None), (3, None, None)]


def test_downgrade_and_upgrade_keep_every_child_row(database_url):
    """SQLite batch mode rebuilds tables; that must not cascade-delete score cards, jobs or reviews."""
    from sqlalchemy import text

    engine = create_engine(database_url)
    tables = ("user", "answer", "score_card")
    with engine.begin() as conn:
        _insert(conn, user=7, answers=(70,), cards=[{"id": 700, "answer": 70, "scorer": "offline", "version": "1", "s": 3}])

    def counts():
        with engine.connect() as conn:
            return [conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables]

    try:
        assert counts() == [1, 1, 1]
        migrations.downgrade(database_url, "881c191431b3")
        assert counts() == [1, 1, 1]
        migrations.upgrade(database_url)
        assert counts() == [1, 1, 1]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT offline_strategy FROM answer")).scalar() == 3  # backfilled again from the card
    finally:
        engine.dispose()
