"""Guide pages: the index and one guide."""

from fastapi import APIRouter, Depends, HTTPException, Request

from web.content import Guide
from web.routes.deps import CatalogDep, current_viewer
from web.ui.rendering import render, shared_fragment

router = APIRouter(prefix="/guides", dependencies=[Depends(current_viewer)])


def get_guide(catalog: CatalogDep, slug: str) -> Guide:
    """The guide for a slug, or 404."""
    guide = catalog.guide(slug)
    if guide is None:
        raise HTTPException(404, "No guide here.")
    return guide


@router.get("", name="guides")
def guide_index(request: Request, catalog: CatalogDep):
    """Every guide in reading order."""
    return render(request, "guides/index.html", {"guides": catalog.guides})


@router.get("/{slug}", name="guide")
def guide_page(request: Request, catalog: CatalogDep, slug: str):
    """One guide with its table of contents, related questions and neighbours."""
    guide = get_guide(catalog, slug)
    prev, nxt = catalog.neighbours(slug)
    body = shared_fragment(
        request, "guides/_body.html", (id(catalog), slug),
        {"guide": guide, "prev": prev, "next": nxt, "related": catalog.questions_for_guide(slug)},
    )
    return render(request, "guides/detail.html", {"guide": guide, "body": body})
