"""Small in-process caches of catalog pages: one for anonymous visitors, one per login session.

Content is loaded once and never changes while the process runs, so what an anonymous visitor
sees at a URL is the same every time. A signed-in reader's catalog pages differ only in the
navigation (email, role, unread count, the session's CSRF token) and, on the question bank, in
marks from their own answers: all of it comes back from the one login read every request makes,
so a kept rendering is reused exactly while that read says nothing on it has changed. The login
is still read from the database on every request: logging out anywhere ends it at once.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from starlette.requests import cookie_parser

from web.infra.paths import route_path
from web.services.sessions import Login, needs_touch

CACHEABLE_PREFIXES = ("/guides", "/questions")
CACHEABLE_EXACT = ("/",)
MAX_ENTRIES = 1_000  # filter combinations; a few hundred bytes of key plus ~30 KB of page each
MAX_BODY_BYTES = 512 * 1024
COOKIES_THAT_PERSONALISE = (b"tpmprep_session=", b"tpmprep_csrf=")  # any of ours: the page may print a token

# Signed-in pages kept per session: the question bank (any filters) and the guides. Not a
# question's own page: it carries a one-time submission key and the reader's notes and attempts.
SIGNED_IN_PAGES = re.compile(r"/questions|/guides(/[^/]+)?")
SIGNED_IN_MAX_ENTRIES = 500


class _KeptPages:
    """Pure ASGI middleware base: serve a kept 200 for a key, or run the app and keep its answer."""

    def __init__(self, app, max_entries: int):
        self.app = app
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple, tuple[list, bytes]] = OrderedDict()

    async def serve(self, key: tuple, scope, receive, send) -> None:
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            headers, body = hit
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        headers = start.get("headers", [])
        body = b"".join(chunks)
        # Only plain successes that set no cookie are the same the next time.
        if (
            scope["method"] == "GET"
            and start.get("status") == 200
            and not any(name.lower() == b"set-cookie" for name, _ in headers)
            and len(body) <= MAX_BODY_BYTES
        ):
            self.entries[key] = (headers, body)
            if len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)


class AnonymousPageCache(_KeptPages):
    """Repeated anonymous GETs of catalog pages, from memory."""

    def __init__(self, app):
        super().__init__(app, MAX_ENTRIES)

    @staticmethod
    def _cacheable(scope) -> bool:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return False
        path = route_path(scope)
        if not (path in CACHEABLE_EXACT or path.startswith(CACHEABLE_PREFIXES)):
            return False
        for name, value in scope["headers"]:
            if name == b"authorization":
                return False
            if name == b"cookie" and any(marker in value for marker in COOKIES_THAT_PERSONALISE):
                return False
        return True

    async def __call__(self, scope, receive, send):
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        key = (scope.get("root_path", ""), scope["path"], scope.get("query_string", b""))
        await self.serve(key, scope, receive, send)


class SignedInPageCache(_KeptPages):
    """Catalog pages of a signed-in reader, kept per login session while nothing they show changes.

    `read_login(app, cookie)` is the request's login read; its result is left in the request state
    ("login_read") so the route's own dependency does not read it again.
    """

    def __init__(self, app, *, read_login: Callable[[object, str], Awaitable[Login | None]], session_cookie: str):
        super().__init__(app, SIGNED_IN_MAX_ENTRIES)
        self.read_login = read_login
        self.session_cookie = session_cookie

    def _session_cookie(self, scope) -> str | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        if not SIGNED_IN_PAGES.fullmatch(route_path(scope)):
            return None
        cookie = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                return None  # refused on pages anyway; the route says so
            if name == b"cookie":
                cookie = cookie_parser(value.decode("latin-1")).get(self.session_cookie)
        return cookie

    async def __call__(self, scope, receive, send):
        cookie = self._session_cookie(scope)
        if not cookie:
            await self.app(scope, receive, send)
            return
        login = await self.read_login(scope["app"], cookie)
        scope.setdefault("state", {})["login_read"] = login
        if login is None or needs_touch(login):
            # Signed out (the route redirects to the login page), or due for the write that keeps
            # the session alive: the route does that, so this request is not served from memory.
            await self.app(scope, receive, send)
            return
        # Everything personal on these pages is in the key; the session id stands for its CSRF token.
        key = (login.session_id, login.email, login.role, login.unread, login.answers_version,
               scope.get("root_path", ""), scope["path"], scope.get("query_string", b""))
        await self.serve(key, scope, receive, send)
