"""Redirects to internal URLs by route name, so no route spells a path by hand (the path itself is
built by web.ui.rendering.site_path, which templates use too)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from web.ui.rendering import site_path as path_for

__all__ = ["path_for", "see_other"]


def see_other(request: Request, name: str, /, *, query: dict | None = None, fragment: str = "", **params) -> RedirectResponse:
    """A 303 redirect to a named route: after a form post the browser GETs the result."""
    return RedirectResponse(path_for(request, name, query=query, fragment=fragment, **params), status_code=303)
