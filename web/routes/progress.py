"""The practice journey: progress dashboard with charts, what to practise next, attempts compared."""

from __future__ import annotations

import difflib
from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from scoring.rubric import DIMENSIONS
from web.ui.charts import CHARTS
from web.routes.deps import CatalogDep, CurrentUser, IdQuery, SessionDep, current_viewer
from web.ui.rendering import render
from web.services import answers as answer_service
from web.services import practice_queue
from web.services import progress as progress_service
from web.services import scoring_jobs
from web.services.mock import words

router = APIRouter(dependencies=[Depends(current_viewer)])
# Chart SVGs are shown as <img>: they cannot run script there, and pygal's inline styles need this policy.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@router.get("/progress", name="progress")
def progress(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep):
    """Scores over time, attempts per category, strongest and weakest dimension, streak and calendar."""
    board = progress_service.dashboard(db=db, user_id=user.id, catalog=catalog)
    return render(request, "progress/dashboard.html", {"board": board})


@router.get("/progress/charts/{name}.svg", name="progress_chart")
def chart(user: CurrentUser, db: SessionDep, catalog: CatalogDep, name: str, size: Literal["wide", "narrow"] = "wide"):
    """One dashboard chart as SVG, drawn wide for desktops or narrow for phones."""
    draw = CHARTS.get(name)
    if draw is None:
        raise HTTPException(404, "No such chart.")
    board = progress_service.dashboard(db=db, user_id=user.id, catalog=catalog)
    return Response(draw(board, size), media_type="image/svg+xml", headers={"Content-Security-Policy": CHART_CSP, "Cache-Control": "no-store"})


@router.get("/practice", name="practice_next")
def practice_next(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep):
    """Questions due today by spaced repetition, then new ones on the weakest dimension."""
    return render(request, "progress/next.html", {"items": practice_queue.due(db=db, user_id=user.id, catalog=catalog, limit=15)})


def diff_words(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as (kind, text) runs: kind is equal, removed or added."""
    a, b = words(old), words(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("equal", " ".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("removed", " ".join(a[i1:i2])))
            if j2 > j1:
                out.append(("added", " ".join(b[j1:j2])))
    return out


@router.get("/answers/compare", name="compare")
def compare(request: Request, user: CurrentUser, db: SessionDep, catalog: CatalogDep, a: IdQuery, b: IdQuery):
    """Two of your attempts side by side: score changes per dimension and a word-level diff."""
    first = answer_service.get_own_answer(db=db, user=user, answer_id=a)
    second = answer_service.get_own_answer(db=db, user=user, answer_id=b)
    if first is None or second is None:
        raise HTTPException(404, "No such answers.")
    if first.submitted_at > second.submitted_at:
        first, second = second, first
    card_a = scoring_jobs.latest_card(db=db, answer_id=first.id)
    card_b = scoring_jobs.latest_card(db=db, answer_id=second.id)
    changes = {d: (card_a.dimensions[d].score, card_b.dimensions[d].score) for d in DIMENSIONS} if card_a and card_b else {}
    return render(
        request,
        "progress/compare.html",
        {
            "first": first,
            "second": second,
            "question": catalog.question(second.question_id),
            "changes": changes,
            "overall": (card_a.overall, card_b.overall) if card_a and card_b else None,
            "diff": diff_words(first.text, second.text),
        },
    )
