"""Database engine, sessions and the declarative base with a naming convention."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import overload

from sqlalchemy import MetaData, String, Text, create_engine, event
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Constraint names are fixed so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_BUSY_TIMEOUT_MS = 10_000  # writers queue for up to 10 s instead of failing at once


class _WithoutNul(TypeDecorator):
    """Text that never stores a NUL character: PostgreSQL refuses one in text (a 500 for whoever
    typed it) and SQLite would keep it, so it is dropped on the way in, the same on both."""

    def process_bind_param(self, value, dialect):
        return value.replace("\x00", "") if isinstance(value, str) else value


class SafeString(_WithoutNul):
    """VARCHAR(n) without NUL characters."""

    impl = String
    cache_ok = True  # SQLAlchemy asks each class itself


class SafeText(_WithoutNul):
    """TEXT without NUL characters."""

    impl = Text
    cache_ok = True


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A stored time as an aware UTC datetime: SQLite hands back naive ones for timezone-aware columns."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def make_engine(url: str) -> Engine:
    """An engine configured for the database kind (SQLite pragmas and write locking)."""
    if url.startswith("sqlite"):
        # The default pool (5, overflow 10) is smaller than the request thread pool: under 32 concurrent
        # logged-in page views, connections beyond it were opened (with their pragmas) and closed on
        # every request, about a fifth of such a page's CPU. SQLite connections are cheap to keep.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30, "factory": _GatedConnection},
                               pool_size=20, max_overflow=20)
        _configure_sqlite(engine, _write_gate(url))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class WriteGate:
    """One SQLite writer at a time within this process, first come, first served.

    SQLite's own lock is still what keeps writes safe (and what orders writers in other
    processes), but a writer that finds it taken sleeps in SQLite's busy handler for up to
    100 ms between tries, and a newcomer can take the lock while the sleepers sleep. Under a
    burst of writers (a login flood) that polling left some writers waiting seconds. Queued
    here instead, each writer is woken the moment the one before it commits, in arrival order.
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the turn to write; False if it did not come."""
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        if turn.acquire(timeout=timeout):
            return True  # the writer before us handed the gate over
        with self._mutex:
            if turn in self._waiting:
                self._waiting.remove(turn)
                return False
        return True  # handed over just as the wait ran out

    def waiting(self) -> int:
        """How many writers are queued behind the one writing."""
        with self._mutex:
            return len(self._waiting)

    def release(self) -> None:
        """Hand the gate to the longest-waiting writer, or open it."""
        with self._mutex:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False


_gates: weakref.WeakValueDictionary[str, WriteGate] = weakref.WeakValueDictionary()
_gates_lock = threading.Lock()


def _write_gate(url: str) -> WriteGate:
    # Engines on the same file in one process (the app's and the worker's) share a gate.
    with _gates_lock:
        gate = _gates.get(url)
        if gate is None:
            gate = _gates[url] = WriteGate()
        return gate


class _GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that gives the write gate back once its transaction has ended."""

    write_gate: WriteGate | None = None  # set while this connection holds the gate

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._open_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._open_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._open_gate()

    def _open_gate(self) -> None:
        gate, self.write_gate = self.write_gate, None
        if gate is not None:
            gate.release()


def _configure_sqlite(engine: Engine, gate: WriteGate) -> None:
    """WAL, busy timeout and foreign keys; BEGIN IMMEDIATE so concurrent writers queue."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy, not the driver, issue BEGIN, so we can make it IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A deferred transaction that later writes can fail with "database is locked"
        # without waiting; write sessions take the write lock up front so they queue
        # instead. Reads stay deferred so they never wait for a writer (WAL).
        mode = connection.get_execution_options().get(WRITE_OPTION, "DEFERRED")
        dbapi_connection = connection.connection.dbapi_connection
        if mode == "IMMEDIATE" and dbapi_connection.write_gate is None:
            # If the turn does not come in time, BEGIN anyway: SQLite's busy timeout then
            # decides, and a still-locked database is reported as such (a 503), not hung on.
            if gate.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
                dbapi_connection.write_gate = gate
        try:
            connection.exec_driver_sql(f"BEGIN {mode}")
        except BaseException:
            dbapi_connection._open_gate()
            raise


WRITE_OPTION = "sqlite_begin"


def make_sessionmaker(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """A session factory; `write=True` sessions begin with BEGIN IMMEDIATE on SQLite."""
    bind = engine.execution_options(**{WRITE_OPTION: "IMMEDIATE"}) if write else engine
    return sessionmaker(bind=bind, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
