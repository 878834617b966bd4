"""Request bodies bounded before they are read: a 413 for anything larger than its kind of route takes."""

from __future__ import annotations

import json

from web.infra.paths import route_path

KB = 1024
# Forms and API calls carry an answer of at most 20,000 characters (up to 80 KB of UTF-8, more when
# form-encoded); recorded answers, when they come, carry audio. Anything larger is refused unread.
FORM_LIMIT = 256 * KB
JSON_LIMIT = 256 * KB
AUDIO_LIMIT = 25 * KB * KB
AUDIO_PATHS = ("/audio",)  # path segments of routes that take recordings


def limit_for(path: str) -> int:
    """The largest body a route of this kind accepts."""
    if any(segment in path for segment in AUDIO_PATHS):
        return AUDIO_LIMIT
    return JSON_LIMIT if path.startswith("/api/") else FORM_LIMIT


class BodyTooLarge(Exception):
    """The body grew past its limit while it was being read."""


class BodyLimit:
    """Pure ASGI middleware: refuses an oversized body from its Content-Length before reading a byte,
    and stops a body sent without one (chunked) as soon as it passes the limit."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        path = route_path(scope)
        limit = limit_for(path)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, path, limit)
            return
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, path, limit)


async def _too_large(send, path: str, limit: int) -> None:
    """413 with a message a person (or a script) can act on."""
    size = f"{limit // (KB * KB)} MB" if limit >= KB * KB else f"{limit // KB} KB"
    message = f"What was sent is larger than this page accepts ({size}). Shorten it and try again."
    if path.startswith("/api/"):
        body, kind = json.dumps({"detail": message}).encode(), b"application/json"
    else:
        body = (f"<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Too large</title>"
                f"<h1>Too large</h1><p>{message}</p></html>").encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
