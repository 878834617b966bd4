"""Search across guides and questions."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from web.routes.deps import CatalogDep, current_viewer
from web.ui.rendering import render
from web.services.search import index_for

router = APIRouter(dependencies=[Depends(current_viewer)])
MAX_QUERY_CHARS = 200


@router.get("/search", name="search")
def search(request: Request, catalog: CatalogDep, q: str = ""):
    """Ranked results with the matching words highlighted."""
    query = q.strip()[:MAX_QUERY_CHARS]
    hits = index_for(catalog).search(query) if query else []
    return render(request, "search.html", {"q": query, "hits": hits})
