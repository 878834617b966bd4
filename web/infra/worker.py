"""The worker: a loop that claims and runs scoring jobs and transcriptions, in a thread or its own process."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from web.db import utcnow
from web.services.housekeeping import purge_expired
from web.services import recordings
from web.services.scoring_jobs import LEASE, process_one

log = logging.getLogger("tpmprep.worker")

IDLE_SECONDS = 1.0  # how long an idle worker waits before looking for jobs again
HOUSEKEEPING_EVERY = timedelta(minutes=10)  # expired sessions are refused anyway; this only frees rows


def worker_name() -> str:
    """A unique name for leases: host, process and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs jobs until stopped; several may run at once, in threads or processes."""

    def __init__(self, *, write_db, catalog, settings, name: str | None = None, lease: timedelta = LEASE):
        self.write_db, self.catalog, self.settings, self.lease = write_db, catalog, settings, lease
        self.name = name or worker_name()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._housekept_at = None

    def run_once(self) -> bool:
        """Process one scoring job if any is waiting, else transcribe one recording."""
        scored = process_one(
            write_db=self.write_db, catalog=self.catalog, settings=self.settings, worker_id=self.name, lease=self.lease
        )
        return scored or recordings.process_one(write_db=self.write_db, settings=self.settings, worker_id=self.name)

    def housekeeping(self) -> None:
        """Purge expired sessions and old failed logins, at most every HOUSEKEEPING_EVERY.

        Several workers may do this at once: the deletes are idempotent.
        """
        now = utcnow()
        if self._housekept_at is not None and now - self._housekept_at < HOUSEKEEPING_EVERY:
            return
        self._housekept_at = now
        with self.write_db.begin() as db:
            purged = purge_expired(db=db, settings=self.settings, now=now)
        if purged.sessions or purged.login_attempts:
            log.info("worker %s: purged %d expired sessions, %d old failed logins", self.name, purged.sessions, purged.login_attempts)

    def run(self, *, until_idle: bool = False) -> None:
        """Loop until stopped (or, with until_idle, until no job is waiting)."""
        while not self._stop.is_set():
            try:
                self.housekeeping()
                worked = self.run_once()
            except Exception:  # keep the loop alive through a database hiccup
                log.exception("worker %s: error while processing", self.name)
                worked = False
            if not worked:
                if until_idle:
                    return
                self._stop.wait(IDLE_SECONDS)

    def start(self) -> "Worker":
        """Run in a daemon thread."""
        self._thread = threading.Thread(target=self.run, name=f"worker-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to stop and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def start_background_worker(app) -> Worker:
    """The worker thread inside the web server."""
    state = app.state
    return Worker(write_db=state.write_db, catalog=state.catalog, settings=state.settings).start()
