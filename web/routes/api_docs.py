"""The API reference page, rendered on the server from the app's OpenAPI description."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request
from markupsafe import Markup, escape

from web.ui.api_reference import ApiReference, build_reference
from web.routes.deps import SettingsDep, current_viewer
from web.ui.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(current_viewer)])


def _reference(request: Request) -> ApiReference:
    app = request.app
    if getattr(app.state, "api_reference", None) is None:
        # The routes do not change while the process runs: build it once.
        app.state.api_reference = build_reference(app.openapi(), prefix="/api/v1")
    return app.state.api_reference


def _type_linker(schemas: set[str]):
    """Turn the type names in a phrase such as "list of ScoreCardOut" into links to their tables."""

    def link(phrase: str) -> Markup:
        def swap(match: re.Match) -> str:
            word = match.group(0)
            return f'<a href="#type-{word}"><code>{word}</code></a>' if word in schemas else word

        return Markup(re.sub(r"[A-Za-z_]+", swap, str(escape(phrase))))

    return link


@router.get("/docs", name="api_docs")
def api_docs(request: Request, settings: SettingsDep):
    """Endpoints, parameters, bodies, responses and types of the JSON API, readable offline (off in production,
    like /openapi.json)."""
    if settings.environment == "production":
        raise HTTPException(404, "There is no page at this address.")
    reference = _reference(request)
    base_url = str(request.base_url).rstrip("/")
    return render(
        request,
        "api/reference.html",
        {
            "api": reference,
            "base_url": base_url,
            "link_type": _type_linker({s.name for s in reference.schemas}),
            "openapi_url": request.app.openapi_url,  # None in production
        },
    )
