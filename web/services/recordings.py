"""Spoken answers: store the audio first, transcribe it in a worker, let the candidate check the transcript.

A recording is committed before any transcription starts, so a failed or killed transcription never
loses it; workers claim recordings under a lease, as they claim scoring jobs, and a lease that runs
out (a killed worker) lets another worker pick the recording up again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scoring.delivery import TimedWord, measure
from web.infra.transcribe import AUDIO_TYPES, AudioError, audio_duration, transcribe
from web.models import Answer, Recording, RecordingStatus, Review, ReviewRequest, Role, User
from web.services import leases
from web.settings import Settings

log = logging.getLogger("tpmprep")

LEASE = timedelta(minutes=5)  # a 10-minute recording takes about a minute on two cores
MAX_ATTEMPTS = 3
MIN_SECONDS = 1.0  # shorter than this is a mis-click, not an answer


def base_mime(content_type: str) -> str:
    """"audio/webm;codecs=opus" -> "audio/webm"."""
    return content_type.split(";", 1)[0].strip().lower()


def store(*, db: Session, user: User, question_id: str, data: bytes, content_type: str, settings: Settings,
          time_box_seconds: int | None) -> Recording:
    """Check and keep a recording, waiting for a worker; raises AudioError with a message for the candidate."""
    mime = base_mime(content_type)
    if mime not in AUDIO_TYPES:
        raise AudioError("Upload a recording in webm, ogg, wav, mp3 or m4a.")
    if len(data) > settings.audio_max_bytes:
        raise AudioError(f"That recording is larger than {settings.audio_max_bytes // (1024 * 1024)} MB.")
    seconds = audio_duration(data)
    if seconds > settings.audio_max_seconds:
        raise AudioError(f"That recording is {_length(seconds)} long; the limit is {_length(settings.audio_max_seconds)}. "
                         "Record a shorter answer.")
    if seconds < MIN_SECONDS:
        raise AudioError("That recording is too short to hold an answer. Record again.")
    recording = Recording(user_id=user.id, question_id=question_id, mime=mime, audio=data, size_bytes=len(data),
                          duration_seconds=seconds, time_box_seconds=time_box_seconds, status=RecordingStatus.WAITING)
    db.add(recording)
    db.flush()
    return recording


def _length(seconds: float) -> str:
    """12.5 -> "13 seconds"; 600 -> "10 minutes"; 150 -> "2.5 minutes"."""
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    return f"{seconds / 60:.1f}".removesuffix(".0") + " minutes"


def claim(*, db: Session, worker_id: str, lease: timedelta = LEASE, recording_id: int | None = None) -> Recording | None:
    """Take the oldest recording waiting for a transcript (or one whose worker's lease ran out)."""
    where = (Recording.id == recording_id,) if recording_id is not None else ()
    return leases.take(db, Recording, waiting=RecordingStatus.WAITING, running=RecordingStatus.TRANSCRIBING,
                       worker_id=worker_id, lease=lease, where=where)


def process_one(*, write_db: sessionmaker, settings: Settings, worker_id: str, lease: timedelta = LEASE,
                recording_id: int | None = None) -> bool:
    """Claim one recording, transcribe it outside any transaction, store the transcript; False if none waited."""
    with write_db.begin() as db:
        recording = claim(db=db, worker_id=worker_id, lease=lease, recording_id=recording_id)
        if recording is None:
            return False
        rid, data, mime = recording.id, recording.audio, recording.mime
        seconds, time_box = recording.duration_seconds, recording.time_box_seconds
    transcript, error = None, None
    try:
        transcript = transcribe(data or b"", f"recording.{AUDIO_TYPES.get(mime, 'webm')}", settings)
    except Exception as exc:  # noqa: BLE001 - recorded on the recording; the audio is untouched
        log.warning("transcription of recording %s failed: %s", rid, type(exc).__name__)
        error = "The recording could not be transcribed."
    with write_db.begin() as db:
        recording = db.get(Recording, rid, with_for_update=True)
        if recording is None or recording.lease_owner != worker_id or recording.status != RecordingStatus.TRANSCRIBING:
            return True  # deleted meanwhile, or the lease ran out and another worker's result wins
        recording.lease_owner, recording.lease_expires_at = None, None
        if transcript is not None and not transcript.text.strip():
            # Not a fault to retry: the audio has no speech in it.
            recording.last_error = "No speech was heard in the recording. Check the microphone and record again."
            recording.status = RecordingStatus.FAILED
            return True
        if transcript is None:
            recording.last_error = error
            recording.status = RecordingStatus.FAILED if recording.attempts >= MAX_ATTEMPTS else RecordingStatus.WAITING
            return True
        delivery = measure(transcript.text, transcript.words, duration_seconds=seconds, time_box_seconds=time_box)
        recording.transcript = transcript.text
        recording.words = transcript.to_dict()["words"]
        recording.delivery = delivery.to_dict()
        recording.engine = transcript.engine
        recording.last_error = None
        recording.status = RecordingStatus.TRANSCRIBED
    return True


def timed_words(recording: Recording) -> list[TimedWord]:
    """The stored word timings as TimedWords."""
    return [TimedWord(w["word"], w["start"], w["end"]) for w in recording.words or []]


def get_own(*, db: Session, user: User, recording_id: int) -> Recording | None:
    """A user's own recording, or None (a 404 for anyone else's)."""
    recording = db.get(Recording, recording_id)
    return recording if recording is not None and recording.user_id == user.id else None


def for_answer(*, db: Session, answer_id: int) -> Recording | None:
    """The recording an answer was transcribed from, if it was spoken."""
    return db.scalar(select(Recording).where(Recording.answer_id == answer_id))


def usable_for_answer(*, db: Session, user: User, recording_id: int, question_id: str) -> Recording:
    """The recording an answer form names: the user's own, for this question, transcribed and not yet used."""
    recording = get_own(db=db, user=user, recording_id=recording_id)
    if recording is None or recording.question_id != question_id or recording.status != RecordingStatus.TRANSCRIBED:
        raise AudioError("That recording cannot be used for this answer. Record again, or type your answer.")
    return recording


def accept(*, db: Session, recording: Recording, answer: Answer, settings: Settings) -> None:
    """The transcript (as the candidate left it) became this answer: note any correction, drop the audio."""
    recording.answer_id = answer.id
    recording.edited = " ".join(answer.text.split()) != " ".join((recording.transcript or "").split())
    recording.status = RecordingStatus.ACCEPTED
    # The delivery figures stay those of the audio: they are about how it was said, not the corrections.
    if not settings.keep_audio:
        recording.audio = None


def may_listen(*, db: Session, user: User, recording: Recording) -> bool:
    """The owner, and reviewers assigned to review the answer it became, may hear a recording; nobody else."""
    if recording.user_id == user.id:
        return True
    if recording.answer_id is None or user.role not in (Role.REVIEWER, Role.ADMIN):
        return False
    request = db.scalar(select(ReviewRequest).where(ReviewRequest.answer_id == recording.answer_id))
    if request is None:
        return False
    if request.claimed_by_id == user.id:
        return True
    return db.scalar(select(Review.id).where(Review.request_id == request.id, Review.reviewer_id == user.id)) is not None


def audible(*, db: Session, user: User, recording_id: int) -> Recording | None:
    """A recording whose audio this user may hear and that still has its audio, else None."""
    recording = db.get(Recording, recording_id)
    if recording is None or recording.audio is None or not may_listen(db=db, user=user, recording=recording):
        return None
    return recording
