"""Who may do what: every route of the app against every kind of visitor, plus XSS and CSRF checks."""

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.conftest import csrf_of, first_question_id, login, make_user, soup
from web.routes.deps import CSRF_HEADER

ROLES = ("anonymous", "owner", "stranger", "reviewer", "admin")
# O: allowed (any outcome but a denial), L: asked to log in, F: forbidden (403), H: hidden (404).
ALL = "O O O O O"
SIGNED_IN = "L O O O O"
OWNER_ONLY = "L O H H H"
REVIEWERS = "L F F O O"
ADMINS = "L F F F O"
MATRIX = {
    ("GET", "/"): ALL,
    ("GET", "/account"): SIGNED_IN,
    ("GET", "/account/delete"): SIGNED_IN,
    ("POST", "/account/delete"): SIGNED_IN,
    ("GET", "/account/export.json"): SIGNED_IN,
    ("GET", "/account/export.md"): SIGNED_IN,
    ("GET", "/account/password"): SIGNED_IN,
    ("GET", "/account/tokens"): SIGNED_IN,
    ("POST", "/account/tokens"): SIGNED_IN,
    # The owner revokes it first; afterwards nobody finds it, and no one else ever could.
    ("POST", "/account/tokens/{token_id}/revoke"): OWNER_ONLY,
    ("POST", "/account/password"): SIGNED_IN,
    ("GET", "/admin/adjudication"): ADMINS,
    ("GET", "/admin/adjudication/{request_id:int}"): ADMINS,
    ("POST", "/admin/adjudication/{request_id:int}"): ADMINS,
    ("POST", "/admin/anchors"): ADMINS,
    ("POST", "/admin/scorer/activate"): ADMINS,
    ("POST", "/admin/scorer/retrain"): ADMINS,
    ("POST", "/admin/scorer/rollback"): ADMINS,
    ("GET", "/answers"): SIGNED_IN,
    ("GET", "/docs"): ALL,
    ("GET", "/answers/compare"): OWNER_ONLY,
    ("GET", "/answers/{answer_id:int}"): OWNER_ONLY,
    ("POST", "/answers/{answer_id:int}/review"): OWNER_ONLY,
    ("POST", "/answers/{answer_id:int}/seen"): OWNER_ONLY,
    ("GET", "/api/v1/answers"): SIGNED_IN,
    # A visitor has no session CSRF token to send, so the API refuses before asking for a login.
    ("POST", "/api/v1/answers"): "F O O O O",
    ("GET", "/api/v1/answers/{answer_id}"): OWNER_ONLY,
    ("GET", "/api/v1/guides"): ALL,
    ("GET", "/api/v1/guides/{slug}"): ALL,
    ("GET", "/api/v1/questions"): ALL,
    ("GET", "/api/v1/questions/{question_id}"): ALL,
    ("GET", "/guides"): ALL,
    ("GET", "/guides/{slug}"): ALL,
    ("GET", "/healthz"): ALL,
    ("GET", "/readyz"): ALL,
    ("GET", "/metrics"): ALL,
    ("GET", "/login"): ALL,
    ("POST", "/login"): ALL,
    ("POST", "/logout"): ALL,
    ("GET", "/forgot"): ALL,
    ("POST", "/forgot"): ALL,
    ("GET", "/reset/{token}"): ALL,
    ("POST", "/reset/{token}"): ALL,
    ("GET", "/confirm/{token}"): ALL,
    ("POST", "/confirm/{token}"): ALL,
    ("POST", "/questions/{question_id}/audio"): SIGNED_IN,
    # A recording is heard and followed by its owner only (and by reviewers once its answer is assigned to them).
    ("GET", "/recordings/{recording_id:int}"): OWNER_ONLY,
    ("GET", "/recordings/{recording_id:int}/audio"): OWNER_ONLY,
    ("GET", "/mock"): SIGNED_IN,
    ("POST", "/mock"): SIGNED_IN,
    ("GET", "/mock/{interview_id:int}"): OWNER_ONLY,
    ("POST", "/mock/{interview_id:int}/answer"): OWNER_ONLY,
    ("POST", "/mock/{interview_id:int}/end"): OWNER_ONLY,
    ("GET", "/mock/{interview_id:int}/report"): OWNER_ONLY,
    ("GET", "/notifications"): SIGNED_IN,
    ("GET", "/practice"): SIGNED_IN,
    ("GET", "/progress"): SIGNED_IN,
    ("GET", "/progress/charts/{name}.svg"): SIGNED_IN,
    ("GET", "/questions"): ALL,
    ("GET", "/questions/{question_id}"): ALL,
    ("POST", "/questions/{question_id}/answers"): SIGNED_IN,
    ("POST", "/questions/{question_id}/bookmark"): SIGNED_IN,
    ("POST", "/questions/{question_id}/note"): SIGNED_IN,
    ("GET", "/review"): REVIEWERS,
    ("GET", "/review/agreement"): REVIEWERS,
    ("GET", "/review/calibration"): REVIEWERS,
    ("GET", "/review/calibration/{anchor_id:int}"): REVIEWERS,
    ("POST", "/review/calibration/{anchor_id:int}"): REVIEWERS,
    # Reviewing needs a claim; nobody holds one on this request, so even reviewers are refused.
    ("GET", "/review/{request_id:int}"): "L F F F F",
    ("POST", "/review/{request_id:int}"): "L F F F F",
    ("POST", "/review/{request_id:int}/claim"): REVIEWERS,
    # The review was written by the reviewer: only they (and admins, read-only) may open it.
    ("GET", "/reviews/{review_id:int}"): REVIEWERS,
    ("GET", "/reviews/{review_id:int}/edit"): "L F F O F",
    ("POST", "/reviews/{review_id:int}/edit"): "L F F O F",
    ("GET", "/saved"): SIGNED_IN,
    ("GET", "/search"): ALL,
    ("GET", "/signup"): ALL,
    ("POST", "/signup"): ALL,
}


def app_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, walking included routers."""

    def walk(routes, prefix=""):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                for method in route.methods:
                    yield method, prefix + route.path

    return {r for r in walk(app.routes) if r[0] not in ("HEAD", "OPTIONS")}


def test_every_route_has_an_entry_in_the_matrix(app):
    routes = app_routes(app)
    assert routes - set(MATRIX) == set(), "add the new route to MATRIX with its expected outcomes"
    assert set(MATRIX) - routes == set(), "MATRIX lists routes that no longer exist"


@pytest.fixture
def world(app, catalog):
    """One of everything, owned by `owner`: answers, a review request, a review, a mock, an anchor."""
    from web.services import calibration as calibration_service
    from web.services import mock as mock_service
    from web.services import recordings as recording_service
    from web.services import reviews as review_service
    from web.services.users import get_by_id
    from web.services.submission import submit_and_score

    ids = {role: make_user(app, f"{role}@example.com", role={"reviewer": "reviewer", "admin": "admin"}.get(role, "candidate")) for role in ROLES[1:]}
    question = catalog.question(first_question_id(catalog))
    with app.state.write_db() as db:
        owner, reviewer, admin = (get_by_id(db=db, user_id=ids[r]) for r in ("owner", "reviewer", "admin"))
        answers = [submit_and_score(db=db, write_db=app.state.write_db, catalog=app.state.catalog, settings=app.state.settings, user=owner, question=question, text=f"My answer number {i} with a risk register.", started_at=None) for i in range(3)]
        request = review_service.request_review(db=db, answer=answers[0], reviews_needed=1)
        reviewed = review_service.request_review(db=db, answer=answers[2], reviews_needed=1)
        review_service.claim(db=db, reviewer=reviewer, request_id=reviewed.id, claim_minutes=30)
        review = review_service.submit_review(db=db, reviewer=reviewer, request=reviewed, scores=dict.fromkeys(("strategy", "risk", "communication", "leadership"), 3), comments={}, overall_comment="", passages=[])
        interview = mock_service.start(db=db, user=owner, track=next(iter(catalog.tracks.values())))
        token_id = _token_id(db, owner)
        recording = recording_service.store(db=db, user=owner, question_id=question.id, data=_silence_wav(), content_type="audio/wav",
                                            settings=app.state.settings, time_box_seconds=None)
        anchor = calibration_service.add_anchor(db=db, admin=admin, question_id=question.id, text="Anchor text.", scores=dict.fromkeys(("strategy", "risk", "communication", "leadership"), 4))
        values = {
            "answer_id": answers[0].id, "other_answer": answers[1].id, "request_id": request.id, "review_id": review.id,
            "interview_id": interview.id, "anchor_id": anchor.id, "token_id": token_id, "question_id": question.id,
            "slug": catalog.guides[0].slug, "name": "scores", "track": interview.track_id, "token": "no-such-link",
            "recording_id": recording.id,
        }
        db.commit()
    return values


def _silence_wav(seconds: float = 1.5) -> bytes:
    """A quiet WAV recording made in memory (a recording to own, not to transcribe)."""
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x00" * int(16000 * seconds))
    return out.getvalue()


def _token_id(db, owner) -> int:
    from web.services import tokens as token_service

    token_service.create_token(db=db, user=owner, name="owner's script")
    return token_service.list_tokens(db=db, user_id=owner.id)[0].id


def _url(path: str, values: dict) -> str:
    url = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(values[m.group(1)]), path)
    if path == "/answers/compare":
        url += f"?a={values['answer_id']}&b={values['other_answer']}"
    return url


def _body(method: str, path: str, values: dict, role: str) -> dict:
    """Form fields that pass validation where possible, so only authorization decides the outcome."""
    scores = {"strategy": "3", "risk": "3", "communication": "3", "leadership": "3"}
    return {
        "/account/delete": {"password": "wrong password"},
        "/account/password": {"current_password": "wrong", "new_password": "x" * 10, "confirm_password": "x" * 10},
        "/account/tokens": {"name": f"{role}'s script"},
        "/admin/adjudication/{request_id:int}": scores,
        "/admin/anchors": {"request_id": str(values["request_id"])},
        "/admin/scorer/activate": {"version": "bundled"},
        "/login": {"email": "owner@example.com", "password": "correct horse battery"},
        "/mock": {"track": values["track"]},
        "/mock/{interview_id:int}/answer": {"text": "An answer.", "item_id": "0"},
        "/questions/{question_id}/answers": {"text": "An answer about risk."},
        "/questions/{question_id}/note": {"text": "A note."},
        "/review/calibration/{anchor_id:int}": scores,
        "/review/{request_id:int}": scores,
        "/reviews/{review_id:int}/edit": scores,
        "/signup": {"email": f"new-{role}@example.com", "password": "a long password"},
        "/forgot": {"email": "owner@example.com"},
        "/reset/{token}": {"new_password": "a long passphrase here", "confirm_password": "a long passphrase here"},
    }.get(path, {})


def _outcome(response) -> str:
    if response.status_code == 401 or (response.status_code in (302, 303) and response.headers.get("location", "").startswith("/login")):
        return "L"
    return {403: "F", 404: "H"}.get(response.status_code, "O")


@pytest.mark.parametrize("method,path", sorted(MATRIX, key=lambda r: (r[1], r[0])))
def test_authorization_matrix(app, world, method, path):
    expected = dict(zip(ROLES, MATRIX[(method, path)].split()))
    actual = {}
    for role in ROLES:
        with TestClient(app) as client:
            if role != "anonymous":
                login(client, f"{role}@example.com")
            url = _url(path, world)
            if method == "GET":
                response = client.get(url, follow_redirects=False)
            elif path.startswith("/api/"):
                page = soup(client.get("/account")) if role != "anonymous" else None
                meta = page.find("meta", attrs={"name": "csrf-token"}) if page else None
                headers = {CSRF_HEADER: meta["content"]} if meta else {}
                response = client.post(url, json={"question_id": world["question_id"], "text": "An answer."}, headers=headers, follow_redirects=False)
            else:
                token = csrf_of(client, "/login")
                response = client.post(url, data={"csrf_token": token} | _body(method, path, world, role), follow_redirects=False)
            assert response.status_code < 500, (role, method, url, response.status_code)
            actual[role] = _outcome(response)
    assert actual == expected


XSS_PAYLOADS = [
    "<script>alert('x1')</script>",
    '<img src=x onerror="alert(\'x2\')">',
    '"><svg onload=alert(3)>',
    "javascript:alert(4)",
    "<a href=\"javascript:alert(5)\">click</a>",
    "[click](javascript:alert(6))",
    "<iframe src=//evil.example></iframe>",
]


def _assert_inert(html: str):
    page = soup(type("R", (), {"text": html})())
    scripts = [s for s in page.find_all("script") if s.get("src") not in ("/static/app.js", "/static/recorder.js")]
    assert scripts == []
    for tag in page.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), (tag.name, attr)
            if attr in ("href", "src"):
                assert not str(value).strip().lower().startswith("javascript:"), (tag.name, value)
    assert page.find("iframe") is None
    assert [svg for svg in page.find_all("svg") if "bell" not in svg.get("class", [])] == []  # only our own icon


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payloads_render_inert_everywhere(app, world, payload):
    from web.services import reviews as review_service

    qid = world["question_id"]
    with TestClient(app) as owner, TestClient(app) as reviewer:
        login(owner, "owner@example.com")
        login(reviewer, "reviewer@example.com")
        response = owner.post(f"/questions/{qid}/answers", data={"text": f"My answer {payload}", "csrf_token": csrf_of(owner, f"/questions/{qid}")}, follow_redirects=False)
        answer_id = int(response.headers["location"].rsplit("/", 1)[1])
        owner.post(f"/questions/{qid}/note", data={"text": payload, "csrf_token": csrf_of(owner, f"/questions/{qid}")})
        owner.post(f"/answers/{answer_id}/review", data={"csrf_token": csrf_of(owner, "/answers")})
        with app.state.read_db() as db:
            request_id = review_service.request_for_answer(db=db, answer_id=answer_id).id
        reviewer.post(f"/review/{request_id}/claim", data={"csrf_token": csrf_of(reviewer, "/review")})
        reviewer.post(
            f"/review/{request_id}",
            data={"csrf_token": csrf_of(reviewer, "/review"), "strategy": "3", "risk": "3", "communication": "3", "leadership": "3", "overall_comment": payload, "comment_risk": payload, "sentence_0": "1"},
        )
        for client, path in (
            (owner, f"/answers/{answer_id}"),
            (owner, "/answers"),
            (owner, "/saved"),
            (owner, f"/questions/{qid}"),
            (owner, f"/search?q={payload}"),
            (owner, "/account/export.md"),
            (reviewer, "/review/agreement"),
        ):
            page = client.get(path)
            if path.endswith(".md"):
                assert page.headers["content-type"].startswith("text/markdown")
                continue
            _assert_inert(page.text)
        answer_page = owner.get(f"/answers/{answer_id}").text
        assert "&lt;" in answer_page or "javascript:alert" in answer_page  # shown as text, not dropped silently


def test_a_missing_or_wrong_csrf_token_is_refused_on_every_form(app, world):
    posts = sorted(p for m, p in MATRIX if m == "POST" and not p.startswith("/api/"))
    with TestClient(app) as client:
        login(client, "admin@example.com")
        for path in posts:
            url = _url(path, world)
            data = _body("POST", path, world, "admin")
            assert client.post(url, data=data, follow_redirects=False).status_code == 403, path
            assert client.post(url, data=data | {"csrf_token": "forged"}, follow_redirects=False).status_code == 403, path
        page = soup(client.get("/account"))
        assert client.post("/api/v1/answers", json={"question_id": world["question_id"], "text": "x"}).status_code == 403
        assert page.find("meta", attrs={"name": "csrf-token"}) is not None
