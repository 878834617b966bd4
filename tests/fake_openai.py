"""A scriptable fake OpenAI-compatible server on 127.0.0.1, for testing the LLM scorer over real HTTP."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")
TRANSCRIPTION_PATHS = ("/v1/audio/transcriptions", "/audio/transcriptions")
UNSCRIPTED_STATUS = 599  # what an unexpected extra request gets: loud in a test failure, never a 2xx
POLL_SECONDS = 0.05  # how often serve_forever checks for shutdown; the default 0.5 s slows every test's teardown


@dataclass
class FakeResponse:
    """One scripted reply: status, headers, a JSON body or raw text, and a delay before answering."""

    status: int = 200
    body: Any = None
    raw: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def payload(self) -> bytes:
        """The response body as bytes."""
        if self.raw is not None:
            return self.raw.encode("utf-8")
        return json.dumps(self.body if self.body is not None else {}).encode("utf-8")


@dataclass
class RecordedRequest:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    json: Any
    at: float


def chat_completion(content: str | None, *, refusal: str | None = None, finish_reason: str = "stop",
                    model: str = "fake-model", prompt_tokens: int = 321, completion_tokens: int = 123) -> dict:
    """An OpenAI chat.completion body carrying `content`."""
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": refusal},
            "finish_reason": finish_reason,
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def ok(content: str | dict, **kwargs: Any) -> FakeResponse:
    """A 200 whose message content is `content` (a dict is sent as its JSON text)."""
    text = content if isinstance(content, str) else json.dumps(content)
    return FakeResponse(body=chat_completion(text, **kwargs))


def error(status: int, message: str = "error", *, headers: dict[str, str] | None = None,
          delay: float = 0.0) -> FakeResponse:
    """An OpenAI-style error reply."""
    body = {"error": {"message": message, "type": "fake_error", "param": None, "code": None}}
    return FakeResponse(status=status, body=body, headers=dict(headers or {}), delay=delay)


class FakeOpenAI:
    """The server, its script (a queue, then an optional default) and the requests it received."""

    def __init__(self) -> None:
        self._script: deque[FakeResponse] = deque()
        self.default: FakeResponse | None = None  # answers every request once the queue is empty
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True  # a delayed reply must not hold up shutdown
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL, with /v1."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def enqueue(self, *responses: FakeResponse) -> None:
        """Add replies to the script, answered in order."""
        with self._lock:
            self._script.extend(responses)

    def next_response(self) -> FakeResponse:
        """The next scripted reply, the default, or a loud 599."""
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self.default or error(UNSCRIPTED_STATUS, "no scripted response left")

    def record(self, request: RecordedRequest) -> None:
        """Keep a received request for the test to inspect."""
        with self._lock:
            self.requests.append(request)

    @property
    def response_formats(self) -> list[Any]:
        """The response_format of each request, in order."""
        return [(r.json or {}).get("response_format") for r in self.requests]

    def start(self) -> "FakeOpenAI":
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _handler_for(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one FakeOpenAI."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            return

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                parsed = json.loads(raw) if raw else None
            except (json.JSONDecodeError, UnicodeDecodeError):
                parsed = raw.decode("utf-8", "replace")  # a multipart upload (transcriptions) is kept as text
            path = self.path.split("?", 1)[0]
            headers = {name.lower(): value for name, value in self.headers.items()}
            server.record(RecordedRequest(path=path, headers=headers, json=parsed, at=time.monotonic()))
            if path not in CHAT_PATHS + TRANSCRIPTION_PATHS:
                self._send(error(404, f"no route {path}"))
                return
            self._send(server.next_response())

        def _send(self, response: FakeResponse) -> None:
            if response.delay:
                time.sleep(response.delay)
            payload = response.payload()
            try:
                self.send_response(response.status)
                headers = {"Content-Type": "application/json", **response.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

    return Handler
