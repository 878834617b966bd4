"""The worker purges expired login sessions and old failed-login records, and nothing live."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import make_user
from web.db import utcnow
from web.models import LoginAttempt, UserSession
from web.services import sessions as session_service
from web.services.users import get_by_id
from web.infra.worker import Worker


def test_worker_purges_expired_sessions_and_old_failed_logins(app):
    settings = app.state.settings
    now = utcnow()
    user_id = make_user(app, "keep@example.com")
    with app.state.write_db.begin() as db:
        user = get_by_id(db=db, user_id=user_id)
        rows = {name: session_service.start_session(db=db, user=user, settings=settings)[1] for name in ("live", "past_expiry", "idle")}
        rows["past_expiry"].expires_at = now - timedelta(seconds=1)
        rows["idle"].last_seen_at = now - timedelta(minutes=settings.session_idle_minutes + 1)
        live_id = rows["live"].id
        db.add(LoginAttempt(key="ip:203.0.113.9", at=now - timedelta(minutes=settings.login_window_minutes + 1)))
        db.add(LoginAttempt(key="ip:203.0.113.9", at=now - timedelta(minutes=1)))

    worker = Worker(write_db=app.state.write_db, catalog=app.state.catalog, settings=settings)
    worker.housekeeping()
    with app.state.read_db() as db:
        assert list(db.scalars(select(UserSession.id))) == [live_id]
        assert len(db.scalars(select(LoginAttempt)).all()) == 1  # the recent one still counts towards the limit

    # At most every few minutes: a second call right away does not run again.
    with app.state.write_db.begin() as db:
        db.get(UserSession, live_id).expires_at = now - timedelta(seconds=1)
    worker.housekeeping()
    with app.state.read_db() as db:
        assert db.get(UserSession, live_id) is not None
