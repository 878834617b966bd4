"""Alembic environment: the URL comes from the caller or the settings; batch mode for SQLite."""

from alembic import context
from sqlalchemy import pool

from web import models  # noqa: F401  (registers every table on Base.metadata)
from web.db import Base, make_engine
from web.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (one passed in by tests, or a new one)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a SQLite table by copy, drop and rename. With foreign keys on, dropping
        # the old table cascade-deletes every child row (score cards, jobs, reviews), so they are off
        # while migrating and checked once at the end instead.
        _sqlite_foreign_keys(connection, enabled=False)
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} rows whose foreign key points nowhere, e.g. {tuple(broken[0])}")
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, enabled=True)


def _sqlite_foreign_keys(connection, *, enabled: bool) -> None:
    """Set SQLite's foreign_keys pragma, which only takes effect outside a transaction."""
    if connection.in_transaction():
        connection.commit()
    dbapi = connection.connection.dbapi_connection
    dbapi.execute(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    if dbapi.execute("PRAGMA foreign_keys").fetchone()[0] != int(enabled):
        raise RuntimeError("could not change SQLite's foreign_keys setting for the migration")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
