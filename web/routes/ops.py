"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from web.infra.migrations import pending_revisions
from web.infra.security import tokens_match
from web.routes.deps import SettingsDep

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz():
    """The process is up (no database check: a load balancer should not kill workers for a DB blip)."""
    return {"status": "ok"}


def _write_probe(engine) -> str:
    """Whether the database takes writes: a no-op update, rolled back (a read-only file or replica
    answers SELECT but refuses every answer a candidate would submit)."""
    try:
        with engine.connect() as conn:
            with conn.begin() as transaction:
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
                transaction.rollback()
        return "ok"
    except Exception as exc:  # read-only, locked past busy_timeout, or gone
        return f"refuses writes: {type(exc).__name__}"


@router.get("/readyz")
def readyz(request: Request):
    """Ready for traffic: the database answers, its schema is current and the content is loaded."""
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current, head = pending_revisions(state.engine, state.settings.database_url)
        checks["database"] = "ok"
        checks["writable"] = _write_probe(state.engine)
        checks["schema"] = "ok" if current == head else f"at {current}, expected {head}"
    except Exception as exc:  # any failure to reach the database means not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["content"] = "ok" if state.catalog.questions else "empty"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(request: Request, settings: SettingsDep):
    """Prometheus metrics: request latency by route, scoring jobs by status.

    With TPMPREP_METRICS_TOKEN set, a scraper must send it as a bearer token; in production
    without one, /metrics is off (it names routes and queue sizes).
    """
    if settings.metrics_token:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not tokens_match(sent.strip(), settings.metrics_token):
            return JSONResponse({"detail": "Send the metrics token as a bearer token."}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
    elif settings.environment == "production":
        return JSONResponse({"detail": "Not found"}, status_code=404)
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
