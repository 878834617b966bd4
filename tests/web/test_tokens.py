"""Personal API tokens from the account page: shown once, used, revoked, and kept to their owner."""

from fastapi.testclient import TestClient

from tests.conftest import csrf_of, login, make_user, soup, text_of
from web.infra.security import API_TOKEN_PREFIX


def _create(client, name):
    return client.post("/account/tokens", data={"name": name, "csrf_token": csrf_of(client, "/account/tokens")}, follow_redirects=False)


def _new_token(client, name):
    """Create a token as a person would: submit, follow the redirect, read the token off the page."""
    created = _create(client, name)
    assert created.status_code == 303
    return soup(client.get(created.headers["location"])).find(id="new-token").text


def _token_rows(client):
    return [[text_of(td) for td in tr.find_all("td")] for tr in soup(client.get("/account/tokens")).select("tbody tr")]


def _api(app, token):
    with TestClient(app) as script:  # no cookies: the token alone
        return script.get("/api/v1/answers", headers={"Authorization": f"Bearer {token}"})


def test_a_token_is_shown_once_works_and_records_its_use(app, client, candidate):
    assert "No tokens yet" in text_of(soup(client.get("/account/tokens")))
    token = _new_token(client, "laptop script")
    assert token.startswith(API_TOKEN_PREFIX) and len(token) > 30
    assert [row[0] for row in _token_rows(client)] == ["laptop script"]
    assert _token_rows(client)[0][3] == "never"  # last used
    assert _token_rows(client)[0][2] != "never"  # expires: in 90 days unless the owner chose otherwise
    assert token not in client.get("/account/tokens").text  # only this once: the page after a reload

    assert _api(app, token).status_code == 200
    assert _token_rows(client)[0][3] != "never"  # last used: now


def test_token_names_are_checked_and_kept_on_error(client, candidate):
    empty = _create(client, "   ")
    assert empty.status_code == 422 and "Give the token a name" in text_of(soup(empty).find(role="alert"))
    long_name = "n" * 101
    too_long = _create(client, long_name)
    assert too_long.status_code == 422 and soup(too_long).find(id="token-name")["value"] == long_name
    assert _token_rows(client) == []


def test_revoking_stops_the_token_and_only_the_owner_can(app, client, candidate):
    token = _new_token(client, "ci job")
    revoke = soup(client.get("/account/tokens")).find("form", action=lambda a: a and a.endswith("/revoke"))["action"]

    make_user(app, "other@example.com")
    with TestClient(app) as other:
        login(other, "other@example.com")
        refused = other.post(revoke, data={"csrf_token": csrf_of(other, "/account/tokens")}, follow_redirects=False)
        assert refused.status_code == 404
    assert _api(app, token).status_code == 200

    assert client.post(revoke, data={}, follow_redirects=False).status_code == 403  # no CSRF token
    done = client.post(revoke, data={"csrf_token": csrf_of(client, "/account/tokens")}, follow_redirects=True)
    assert "Token revoked" in text_of(soup(done).find(role="status")) and _token_rows(client) == []
    assert _api(app, token).status_code == 401


def test_a_token_cannot_manage_tokens(app, client, candidate):
    token = _new_token(client, "script")
    with TestClient(app) as script:
        headers = {"Authorization": f"Bearer {token}"}
        # A token opens the API only: the site's pages answer 401.
        assert script.get("/account/tokens", headers=headers).status_code == 401
        assert script.post("/account/tokens", data={"name": "more"}, headers=headers).status_code in (401, 403)
    assert len(_token_rows(client)) == 1


def test_at_most_twenty_tokens(client, candidate):
    for i in range(20):
        assert _create(client, f"t{i}").status_code == 303
    refused = _create(client, "one more")
    assert refused.status_code == 422 and "Revoke one" in text_of(soup(refused).find(role="alert"))


def test_the_one_time_cookie_shows_only_the_users_own_token(app, client, candidate):
    """The page shows a token from its cookie only if it is one of the viewer's tokens."""
    from web.routes.account import NEW_TOKEN_COOKIE

    make_user(app, "someone@example.com")
    with TestClient(app) as other:
        login(other, "someone@example.com")
        theirs = _new_token(other, "theirs")
    client.cookies.set(NEW_TOKEN_COOKIE, theirs, path="/account/tokens")
    page = client.get("/account/tokens")
    assert soup(page).find(id="new-token") is None and theirs not in page.text
    client.cookies.set(NEW_TOKEN_COOKIE, "<script>alert(1)</script>", path="/account/tokens")
    assert "alert(1)" not in client.get("/account/tokens").text
