"""A GET never changes anything: no page view writes to the database (the session's sliding
expiry, a separate short write of its own, is the one exception)."""

from datetime import timedelta

from sqlalchemy import event, select

from tests.conftest import csrf_of, first_question_id, make_user, login
from web.db import utcnow
from web.models import MockInterview, MockItem

WRITES = ("INSERT", "UPDATE", "DELETE")
ALLOWED = ("user_session",)  # last_seen_at: touched at most every few minutes


def test_page_views_write_nothing(app, client, catalog):
    make_user(app, "reader@example.com")
    login(client, "reader@example.com")
    qid = first_question_id(catalog)
    client.post(f"/questions/{qid}/answers", data={"text": "I owned the rollback plan and told the VP weekly.",
                                                   "csrf_token": csrf_of(client, f"/questions/{qid}")})
    track = next(iter(catalog.tracks))
    client.post("/mock", data={"track": track, "csrf_token": csrf_of(client, "/mock")})
    with app.state.write_db.begin() as db:
        interview_id = db.scalar(select(MockInterview.id))
        item = db.scalars(select(MockItem).where(MockItem.interview_id == interview_id, MockItem.position == 0)).one()
        item.deadline_at = utcnow() - timedelta(minutes=10)  # the clock ran out with the tab closed

    written: list[str] = []

    def record(conn, cursor, statement, params, context, executemany):
        verb = statement.lstrip().split(" ", 1)[0].upper()
        if verb in WRITES and not any(table in statement for table in ALLOWED):
            written.append(statement.split("\n")[0][:120])

    event.listen(app.state.engine, "before_cursor_execute", record)
    try:
        pages = ["/", "/questions", f"/questions/{qid}", "/answers", "/answers/1", "/progress", "/practice", "/saved",
                 "/notifications", "/mock", f"/mock/{interview_id}", "/account", "/account/tokens", "/search?q=risk",
                 "/guides", "/api/v1/answers", "/api/v1/answers/1"]
        for path in pages:
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(app.state.engine, "before_cursor_execute", record)
    assert not written, written
