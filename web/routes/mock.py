"""Timed mock interviews: choose a track, answer against the clock, answer the probe, read the report."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request

from web.routes.deps import MAX_ID, CatalogDep, CsrfDep, CurrentUser, SessionDep, SettingsDep, WriteSessions, current_viewer
from web.routes.loaders import OwnInterview
from web.models import InterviewStatus, StepState
from web.routes.urls import see_other
from web.infra.security import new_token
from web.ui.rendering import render
from web.services import answers as answer_service
from web.services import catalog as catalog_service
from web.services import mock as mock_service

router = APIRouter(prefix="/mock", dependencies=[Depends(current_viewer)])


@router.get("", name="mock_tracks")
def tracks(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep):
    """Choose a track; unfinished interviews can be resumed."""
    active = mock_service.active_for(db=db, user=user)
    tracks = list(catalog.tracks.values())
    shown = [i.question_id for t in tracks for i in t.items]
    return render(request, "mock/tracks.html", {
        "tracks": tracks, "tracks_by_id": catalog.tracks, "active": active,
        "minutes": {t.id: mock_service.track_minutes(t) for t in tracks},
        "questions": catalog_service.questions_by_id(catalog=catalog, ids=shown),
    })


@router.post("", name="mock_start", dependencies=[CsrfDep])
def start(request: Request, catalog: CatalogDep, user: CurrentUser, db: SessionDep, track: str = Form(""), voice: str = Form("")):
    """Start a mock interview on a track, typed or out loud; the first question's clock starts now."""
    chosen = catalog.tracks.get(track)
    if chosen is None:
        raise HTTPException(404, "No such track.")
    interview = mock_service.start(db=db, user=user, track=chosen, voice=bool(voice))
    return see_other(request, "mock", interview_id=interview.id)


def _step_page(request: Request, catalog, interview, item, *, error: str | None = None, text: str = "", submission_key: str = "",
               status_code: int = 200):
    seconds_left = mock_service.seconds_left(item)
    ctx = {
        "interview": interview,
        "track": catalog.tracks.get(interview.track_id),
        "item": item,
        "question": catalog.question(item.question_id),
        "seconds_left": seconds_left,
        "total_left": mock_service.total_seconds_left(interview),
        "time_up": mock_service.late(item),
        "error": error,
        "text": text,
        "submission_key": submission_key or new_token(),
        # The recorder's time box: the step's own (a follow-up gets a short one).
        "time_box_seconds": mock_service.FOLLOW_UP_SECONDS if item.state == StepState.FOLLOW_UP else item.seconds,
    }
    return render(request, "mock/question.html", ctx, status_code=status_code)


@router.get("/{interview_id:int}", name="mock")
def current(request: Request, catalog: CatalogDep, interview: OwnInterview):
    """The current question (or follow-up) with its countdown; the report when the interview is over.

    A step whose time ran out while the tab was closed is shown at zero: the page submits it as it
    stands, and the POST moves on (a page view never changes the interview).
    """
    item = mock_service.current_item(interview)
    if item is None:
        return see_other(request, "mock_report", interview_id=interview.id)
    return _step_page(request, catalog, interview, item)


@router.post("/{interview_id:int}/answer", name="mock_answer", dependencies=[CsrfDep])
def answer(
    request: Request, catalog: CatalogDep, settings: SettingsDep, write_db: WriteSessions, user: CurrentUser,
    db: SessionDep, interview: OwnInterview,
    text: str = Form(""), item_id: int = Form(0, ge=0, le=MAX_ID), timed_out: str = Form(""),
    submission_key: str = Form("", max_length=80), recording_id: str = Form("", max_length=12),
):
    """Submit the current answer (the browser submits it as it stands when time runs out)."""
    try:
        mock_service.submit_step(
            db=db, write_db=write_db, catalog=catalog, settings=settings, user=user, interview=interview,
            item_id=item_id, text=text, timed_out=bool(timed_out), submission_key=submission_key,
            recording_id=int(recording_id) if recording_id.isdigit() else None,
        )
    except answer_service.AnswerError as exc:
        item = mock_service.current_item(interview)
        return _step_page(request, catalog, interview, item, error=str(exc), text=text, submission_key=submission_key, status_code=422)
    return see_other(request, "mock", interview_id=interview.id)


@router.post("/{interview_id:int}/end", name="mock_end", dependencies=[CsrfDep])
def end(request: Request, db: SessionDep, interview: OwnInterview):
    """End the interview early and go to the report."""
    mock_service.end_early(db=db, interview=interview)
    return see_other(request, "mock_report", interview_id=interview.id)


@router.get("/{interview_id:int}/report", name="mock_report")
def report(request: Request, catalog: CatalogDep, settings: SettingsDep, db: SessionDep, interview: OwnInterview):
    """Every question with its answer and scores, averages, and what to study next."""
    if interview.status == InterviewStatus.ACTIVE:
        return see_other(request, "mock", interview_id=interview.id)
    data = mock_service.report(db=db, interview=interview, catalog=catalog, settings=settings)
    return render(request, "mock/report.html", {"interview": interview, "track": catalog.tracks.get(interview.track_id)} | data)
