"""Search across guides and questions."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, Request

from web.routes.deps import CatalogDep, optional_user
from web.ui.rendering import render
from web.services.search import SearchIndex, build_index

router = APIRouter(dependencies=[Depends(optional_user)])
_BUILD_LOCK = threading.Lock()
MAX_QUERY_CHARS = 200


def search_index(request: Request, catalog) -> SearchIndex:
    """The app's index, built on first use (content never changes while the process runs)."""
    state = request.app.state
    if getattr(state, "search_index", None) is None:
        with _BUILD_LOCK:
            if getattr(state, "search_index", None) is None:
                state.search_index = build_index(catalog)
    return state.search_index


@router.get("/search", name="search")
def search(request: Request, catalog: CatalogDep, q: str = ""):
    """Ranked results with the matching words highlighted."""
    query = q.strip()[:MAX_QUERY_CHARS]
    hits = search_index(request, catalog).search(query) if query else []
    return render(request, "search.html", {"q": query, "hits": hits})
