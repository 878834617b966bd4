"""Structured request logs, request ids and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import os
import time
import random

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from web.infra.paths import loggable, route_path
from web.models import JobStatus

REQUEST_LATENCY = "tpmprep_request_duration_seconds"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
access_log = logging.getLogger("tpmprep.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy for log shippers, grep-able by request id."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Send tpmprep's logs to stderr as JSON lines or plain text."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("tpmprep")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


class Metrics:
    """The app's Prometheus registry: request latency here, scoring-job gauges read from the database."""

    def __init__(self, job_counts) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(REQUEST_LATENCY, "Request latency by route", ("method", "route", "status"), buckets=LATENCY_BUCKETS, registry=self.registry)
        self.errors = Counter("tpmprep_request_errors_total", "Requests that ended in a 5xx", ("route",), registry=self.registry)
        self.registry.register(_JobCollector(job_counts))

    def render(self) -> bytes:
        """The exposition text; with PROMETHEUS_MULTIPROC_DIR set, every worker process is aggregated."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry) + generate_latest(self._jobs_only())
        return generate_latest(self.registry)

    def _jobs_only(self) -> CollectorRegistry:
        registry = CollectorRegistry()
        for collector in list(self.registry._collector_to_names):  # noqa: SLF001 - reuse our own job collector
            if isinstance(collector, _JobCollector):
                registry.register(collector)
        return registry


class _JobCollector:
    """Scoring jobs by status, read from the database at scrape time (the queue is shared by all workers)."""

    def __init__(self, job_counts) -> None:
        self.job_counts = job_counts

    def collect(self):
        gauge = GaugeMetricFamily("tpmprep_scoring_jobs", "Scoring jobs by status", labels=("status",))
        try:
            counts = self.job_counts()
        except Exception:  # a scrape must not fail because the database is briefly away
            counts = {}
        for status in JobStatus:
            gauge.add_metric((status,), float(counts.get(status, 0)))
        yield gauge


class RequestObserver:
    """Pure ASGI middleware: a request id, one access log line and a latency sample per request."""

    def __init__(self, app, metrics: Metrics):
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        # A request id is a label, not a secret: no system call for randomness on every request.
        request_id = incoming[:64] if incoming and incoming.isprintable() else f"{random.getrandbits(64):016x}"
        status = {"code": 500}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            template = getattr(route, "path", None) or ("static" if route_path(scope).startswith("/static/") else "unmatched")
            self.metrics.latency.labels(scope["method"], template, str(status["code"])).observe(elapsed)
            if status["code"] >= 500:
                self.metrics.errors.labels(template).inc()
            access_log.info(
                "%s %s %s",
                scope["method"],
                loggable(scope["path"]),
                status["code"],
                extra={"fields": {"request_id": request_id, "method": scope["method"], "path": loggable(scope["path"]), "route": template, "status": status["code"], "duration_ms": round(elapsed * 1000, 2)}},
            )
