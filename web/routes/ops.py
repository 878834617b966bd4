"""Operations endpoints: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from web.infra.migrations import pending_revisions

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz():
    """The process is up (no database check: a load balancer should not kill workers for a DB blip)."""
    return {"status": "ok"}


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
        checks["schema"] = "ok" if current == head else f"at {current}, expected {head}"
    except Exception as exc:  # any failure to reach the database means not ready
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["content"] = "ok" if state.catalog.questions else "empty"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503)


@router.get("/metrics")
def metrics(request: Request):
    """Prometheus metrics: request latency by route, scoring jobs by status."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
