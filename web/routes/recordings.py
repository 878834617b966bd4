"""Spoken answers: upload a recording, follow its transcription, listen back (owner and assigned reviewers)."""

from __future__ import annotations

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from web.infra.transcribe import AudioError
from web.routes.deps import MAX_ID, CsrfDep, CurrentUser, SessionDep, SettingsDep
from web.routes.loaders import QuestionDep
from web.routes.urls import path_for
from web.services import recordings as recording_service

router = APIRouter()


# "/audio" in the path: the body limit lets these routes take a recording, and nothing else does.
@router.post("/questions/{question_id}/audio", name="upload_recording", dependencies=[CsrfDep])
def upload(request: Request, user: CurrentUser, db: SessionDep, settings: SettingsDep, question: QuestionDep,
           audio: UploadFile = File(...), time_box: int | None = Form(None, ge=10, le=3600)):
    """Keep the recording (committed before any transcription) and say where to follow its transcript."""
    data = audio.file.read(settings.audio_max_bytes + 1)
    try:
        recording = recording_service.store(db=db, user=user, question_id=question.id, data=data,
                                            content_type=audio.content_type or "", settings=settings, time_box_seconds=time_box)
    except AudioError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"id": recording.id, "status": recording.status,
                         "status_url": path_for(request, "recording", recording_id=recording.id)}, status_code=201)


@router.get("/recordings/{recording_id:int}", name="recording")
def status(user: CurrentUser, db: SessionDep, recording_id: int):
    """The transcription's progress and, once done, the transcript and delivery figures (the owner's only)."""
    recording = recording_service.get_own(db=db, user=user, recording_id=min(recording_id, MAX_ID))
    if recording is None:
        raise HTTPException(404, "No such recording.")
    return {"id": recording.id, "status": recording.status, "transcript": recording.transcript,
            "delivery": recording.delivery, "error": recording.last_error if recording.status == "failed" else None}


@router.get("/recordings/{recording_id:int}/audio", name="recording_audio")
def listen(user: CurrentUser, db: SessionDep, recording_id: int):
    """The audio, to its owner and the reviewers assigned to its answer; 404 for anyone else or once deleted."""
    recording = recording_service.audible(db=db, user=user, recording_id=min(recording_id, MAX_ID))
    if recording is None:
        raise HTTPException(404, "No such recording.")
    return Response(recording.audio, media_type=recording.mime, headers={"Cache-Control": "private, no-store"})
