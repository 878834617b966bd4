"""Migrations go up, down and up again with no drift from the models, on SQLite and PostgreSQL."""

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from tests.conftest import ON_POSTGRES, recreate_postgres_database
from web import migrations
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
