"""A small in-process cache of anonymous catalog pages (guides, questions, home).

Content is loaded once and never changes while the process runs, so what an anonymous
visitor sees at a URL is the same every time; logged-in pages are never cached.
"""

from __future__ import annotations

from collections import OrderedDict

from web.infra.paths import route_path

CACHEABLE_PREFIXES = ("/guides", "/questions")
CACHEABLE_EXACT = ("/",)
MAX_ENTRIES = 1_000  # filter combinations; a few hundred bytes of key plus ~30 KB of page each
MAX_BODY_BYTES = 512 * 1024
COOKIES_THAT_PERSONALISE = (b"tpmprep_session=", b"tpmprep_csrf=")  # any of ours: the page may print a token


class AnonymousPageCache:
    """Pure ASGI middleware serving repeated anonymous GETs of catalog pages from memory."""

    def __init__(self, app):
        self.app = app
        self.entries: OrderedDict[tuple[str, str, bytes], tuple[list, bytes]] = OrderedDict()

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
        # Only plain successes that set no cookie are the same for every anonymous visitor.
        if (
            scope["method"] == "GET"
            and start.get("status") == 200
            and not any(name.lower() == b"set-cookie" for name, _ in headers)
            and len(body) <= MAX_BODY_BYTES
        ):
            self.entries[key] = (headers, body)
            if len(self.entries) > MAX_ENTRIES:
                self.entries.popitem(last=False)
