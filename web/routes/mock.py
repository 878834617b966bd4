"""Timed mock interviews: choose a track, answer against the clock, answer the probe, read the report."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse

from web.routes.deps import MAX_ID, CatalogDep, CsrfDep, CurrentUser, IdPath, SessionDep, optional_user
from web.models import MockInterview
from web.ui.rendering import render
from web.services import answers as answer_service
from web.services import mock as mock_service
from web.services import scoring_jobs
from web.services.submission import submit_and_score

router = APIRouter(prefix="/mock", dependencies=[Depends(optional_user)])


def _own(db, user, interview_id: IdPath) -> MockInterview:
    interview = mock_service.get_own(db=db, user=user, interview_id=interview_id)
    if interview is None:
        raise HTTPException(404, "No mock interview here.")
    return interview


@router.get("", name="mock_tracks")
def tracks(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep):
    """Choose a track; unfinished interviews can be resumed."""
    return render(request, "mock/tracks.html", {"tracks": list(catalog.tracks.values()), "catalog": catalog, "active": mock_service.active_for(db=db, user=user)})


@router.post("", dependencies=[CsrfDep])
def start(catalog: CatalogDep, user: CurrentUser, db: SessionDep, track: str = Form("")):
    """Start a mock interview on a track; the first question's clock starts now."""
    chosen = catalog.tracks.get(track)
    if chosen is None:
        raise HTTPException(404, "No such track.")
    interview = mock_service.start(db=db, user=user, track=chosen)
    return RedirectResponse(f"/mock/{interview.id}", status_code=303)


@router.get("/{interview_id:int}", name="mock")
def current(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep, interview_id: IdPath):
    """The current question (or follow-up) with its countdown; the report when the interview is over."""
    interview = _own(db, user, interview_id)
    item = mock_service.current_item(interview)
    if item is None:
        return RedirectResponse(f"/mock/{interview_id}/report", status_code=303)
    if mock_service.late(item):
        # The tab was closed while the clock ran out: nothing was submitted, so move on.
        if item.state == "answering":
            mock_service.record_answer(db=db, interview=interview, item=item, answer=None, timed_out=True)
        else:
            mock_service.record_follow_up(db=db, interview=interview, item=item, answer=None)
        db.commit()
        return RedirectResponse(f"/mock/{interview_id}", status_code=303)
    track = catalog.tracks.get(interview.track_id)
    return render(
        request,
        "mock/question.html",
        {
            "interview": interview,
            "track": track,
            "item": item,
            "question": catalog.question(item.question_id),
            "seconds_left": mock_service.seconds_left(item),
            "total_left": mock_service.total_seconds_left(interview),
            "error": None,
            "text": "",
        },
    )


@router.post("/{interview_id:int}/answer", dependencies=[CsrfDep])
def answer(
    request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep, interview_id: IdPath,
    text: str = Form(""), item_id: int = Form(0, ge=0, le=MAX_ID), timed_out: str = Form(""),
):
    """Submit the current answer (the browser submits it as it stands when time runs out)."""
    interview = _own(db, user, interview_id)
    item = mock_service.current_item(interview)
    if item is None or item.id != item_id:
        return RedirectResponse(f"/mock/{interview_id}", status_code=303)  # a double submit or a stale tab
    question = catalog.question(item.question_id)
    ran_out = bool(timed_out) or mock_service.late(item)
    is_follow_up = item.state == "follow_up"
    if not text.strip() and ran_out:
        if is_follow_up:
            mock_service.record_follow_up(db=db, interview=interview, item=item, answer=None)
        else:
            mock_service.record_answer(db=db, interview=interview, item=item, answer=None, timed_out=True)
        return RedirectResponse(f"/mock/{interview_id}", status_code=303)
    try:
        stored = submit_and_score(
            app_state=request.app.state, db=db, user=user, question=question, text=text, started_at=None,
            source="follow-up" if is_follow_up else "mock",
        )
    except answer_service.AnswerError as exc:
        ctx = {
            "interview": interview, "track": catalog.tracks.get(interview.track_id), "item": item, "question": question,
            "seconds_left": mock_service.seconds_left(item), "total_left": mock_service.total_seconds_left(interview),
            "error": str(exc), "text": text,
        }
        return render(request, "mock/question.html", ctx, status_code=422)
    # submit_and_score committed; reload the interview's state for the next step.
    interview = _own(db, user, interview_id)
    item = next(i for i in interview.items if i.id == item_id)
    if is_follow_up:
        mock_service.record_follow_up(db=db, interview=interview, item=item, answer=stored)
    else:
        mock_service.record_answer(db=db, interview=interview, item=item, answer=stored, timed_out=ran_out)
        card = scoring_jobs.latest_card(db=db, answer_id=stored.id)
        if card is not None:
            probe, dimension = mock_service.choose_follow_up(question, card)
        else:  # scoring failed; the worker will retry it, and the interview goes on
            probe, dimension = question.follow_ups[0], question.weighted_dimensions[0]
        mock_service.set_follow_up(item=item, text=probe, dimension=dimension)
    return RedirectResponse(f"/mock/{interview_id}", status_code=303)


@router.post("/{interview_id:int}/end", dependencies=[CsrfDep])
def end(user: CurrentUser, db: SessionDep, interview_id: IdPath):
    """End the interview early and go to the report."""
    interview = _own(db, user, interview_id)
    if interview.status == "active":
        mock_service.finish(db=db, interview=interview)
    return RedirectResponse(f"/mock/{interview_id}/report", status_code=303)


@router.get("/{interview_id:int}/report", name="mock_report")
def report(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep, interview_id: IdPath):
    """Every question with its answer and scores, averages, and what to study next."""
    interview = _own(db, user, interview_id)
    if interview.status == "active":
        return RedirectResponse(f"/mock/{interview_id}", status_code=303)
    data = mock_service.report(db=db, interview=interview, catalog=catalog)
    return render(request, "mock/report.html", {"interview": interview, "track": catalog.tracks.get(interview.track_id)} | data)
