"""Spoken answers: upload, offline transcription in a worker, checking the transcript, delivery, and who may listen."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest

from tests.conftest import csrf_of, login, make_user, soup, text_of
from tests.fake_openai import FakeResponse, error

SAID = "I would start with the critical path. The vendor integration takes six weeks, and if it slips a week we lose the launch window."


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> bytes:
    """A WAV of SAID, spoken by espeak-ng (a known text, so the transcript can be checked)."""
    path = tmp_path_factory.mktemp("audio") / "answer.wav"
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), SAID], check=True)
    return path.read_bytes()


def _upload(client, qid: str, data: bytes, *, content_type: str = "audio/wav", name: str = "answer.wav", time_box: str = "120"):
    return client.post(f"/questions/{qid}/audio", files={"audio": (name, data, content_type)}, data={"time_box": time_box},
                       headers={"X-CSRF-Token": csrf_of(client, f"/questions/{qid}")})


def _transcribe_all(app) -> None:
    from web.services import recordings

    while recordings.process_one(write_db=app.state.write_db, settings=app.state.settings, worker_id="test-worker"):
        pass


def _recording(app, rid: int):
    from web.models import Recording

    with app.state.read_db() as db:
        return db.get(Recording, rid)


def test_a_spoken_answer_is_stored_transcribed_checked_and_scored(app, client, candidate, catalog, speech):
    qid = next(iter(sorted(catalog.questions)))
    page = soup(client.get(f"/questions/{qid}"))
    assert page.select_one("[data-recorder]") is not None and page.select_one("script[src$='recorder.js']") is not None
    uploaded = _upload(client, qid, speech)
    assert uploaded.status_code == 201
    rid = uploaded.json()["id"]
    stored = _recording(app, rid)
    assert stored.status == "waiting" and stored.audio == speech  # committed before any transcription
    assert client.get(uploaded.json()["status_url"]).json()["status"] == "waiting"

    _transcribe_all(app)
    status = client.get(f"/recordings/{rid}").json()
    assert status["status"] == "transcribed"
    heard = status["transcript"].lower()
    assert "critical path" in heard and "launch window" in heard
    assert 100 <= status["delivery"]["words_per_minute"] <= 220 and status["delivery"]["time_box_seconds"] == 120

    corrected = status["transcript"].replace("six weeks", "six weeks (the SDK and the contract review)")
    done = client.post(f"/questions/{qid}/answers", data={"text": corrected, "recording_id": str(rid),
                                                          "csrf_token": csrf_of(client, f"/questions/{qid}")}, follow_redirects=False)
    assert done.status_code == 303
    answer_page = soup(client.get(done.headers["location"]))
    delivery = answer_page.select_one("section.delivery")
    assert delivery is not None and "words a minute" in text_of(delivery)
    assert "You corrected the transcript before it was scored." in text_of(delivery)
    from web.models import Answer

    with app.state.read_db() as db:
        scored = db.get(Answer, int(done.headers["location"].rsplit("/", 1)[1]))
        assert scored.text == corrected and scored.score_cards  # the corrected transcript is what was scored
    accepted = _recording(app, rid)
    assert accepted.status == "accepted" and accepted.edited and accepted.audio is None  # deleted once accepted (the default)
    assert client.get(f"/recordings/{rid}/audio").status_code == 404


def test_bad_recordings_get_clear_messages_and_nothing_is_stored(app, client, candidate, catalog, speech):
    from web.models import Recording

    qid = next(iter(sorted(catalog.questions)))
    not_audio = _upload(client, qid, b"this is not a recording at all" * 100)
    assert not_audio.status_code == 400 and "could not be read as audio" in not_audio.json()["error"]
    wrong_type = _upload(client, qid, speech, content_type="image/png", name="x.png")
    assert wrong_type.status_code == 400 and "webm, ogg, wav, mp3 or m4a" in wrong_type.json()["error"]
    too_big = client.post(f"/questions/{qid}/audio", content=b"x" * (26 * 1024 * 1024),
                          headers={"X-CSRF-Token": csrf_of(client, f"/questions/{qid}"), "Content-Type": "multipart/form-data; boundary=x"})
    assert too_big.status_code == 413
    with app.state.read_db() as db:
        assert db.query(Recording).count() == 0


def test_a_recording_longer_than_the_limit_is_refused(app, client, candidate, catalog, speech):
    qid = next(iter(sorted(catalog.questions)))
    app.state.settings = app.state.settings.model_copy(update={"audio_max_seconds": 10})
    subprocess_text = SAID + " " + SAID
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.wav"
        subprocess.run(["espeak-ng", "-s", "120", "-w", str(path), subprocess_text], check=True)
        response = _upload(client, qid, path.read_bytes())
    assert response.status_code == 400
    assert response.json()["error"].startswith("That recording is ") and "long; the limit is 10 seconds" in response.json()["error"]


def test_a_failed_or_killed_transcription_loses_nothing_and_is_picked_up_again(app, client, candidate, catalog, speech, monkeypatch):
    from web.db import utcnow
    from web.models import Recording
    from web.services import recordings

    qid = next(iter(sorted(catalog.questions)))
    rid = _upload(client, qid, speech).json()["id"]
    # A worker claims it and dies: its lease runs out, and another worker transcribes it.
    with app.state.write_db.begin() as db:
        assert recordings.claim(db=db, worker_id="dead-worker").id == rid
    assert not recordings.process_one(write_db=app.state.write_db, settings=app.state.settings, worker_id="w2")  # leased
    with app.state.write_db.begin() as db:
        db.get(Recording, rid).lease_expires_at = utcnow() - timedelta(seconds=1)

    def broken(*_args, **_kwargs):
        raise RuntimeError("decoder crashed")

    monkeypatch.setattr(recordings, "transcribe", broken)
    assert recordings.process_one(write_db=app.state.write_db, settings=app.state.settings, worker_id="w2")
    failed_once = _recording(app, rid)
    assert failed_once.status == "waiting" and failed_once.audio == speech and failed_once.attempts == 2
    monkeypatch.undo()
    _transcribe_all(app)
    assert client.get(f"/recordings/{rid}").json()["status"] == "transcribed"


def test_the_endpoint_transcribes_and_the_offline_model_takes_over_when_it_fails(app, client, candidate, catalog, speech, fake_openai):
    from web.services import recordings

    app.state.settings = app.state.settings.model_copy(update={"transcription_base_url": fake_openai.base_url,
                                                               "transcription_timeout_seconds": 5})
    qid = next(iter(sorted(catalog.questions)))
    words = [{"word": w, "start": i * 0.4, "end": i * 0.4 + 0.3} for i, w in enumerate("The endpoint heard this answer".split())]
    fake_openai.enqueue(FakeResponse(body={"text": "The endpoint heard this answer.", "duration": 2.4, "words": words}))
    first = _upload(client, qid, speech).json()["id"]
    _transcribe_all(app)
    assert client.get(f"/recordings/{first}").json()["transcript"] == "The endpoint heard this answer."
    assert fake_openai.requests[-1].path == "/v1/audio/transcriptions"

    fake_openai.default = error(500, "the GPU caught fire")
    second = _upload(client, qid, speech).json()["id"]
    _transcribe_all(app)
    fell_back = client.get(f"/recordings/{second}").json()
    assert fell_back["status"] == "transcribed" and "critical path" in fell_back["transcript"].lower()
    assert recordings is not None


def test_only_the_owner_and_an_assigned_reviewer_may_hear_a_recording(app, client, catalog, speech):
    from web.services import recordings

    app.state.settings = app.state.settings.model_copy(update={"keep_audio": True})
    make_user(app, "speaker@example.com")
    make_user(app, "nosy@example.com")
    make_user(app, "ears@example.com", role="reviewer")
    make_user(app, "other-reviewer@example.com", role="reviewer")
    login(client, "speaker@example.com")
    qid = next(iter(sorted(catalog.questions)))
    rid = _upload(client, qid, speech).json()["id"]
    _transcribe_all(app)
    text = client.get(f"/recordings/{rid}").json()["transcript"]
    done = client.post(f"/questions/{qid}/answers", data={"text": text, "recording_id": str(rid),
                                                          "csrf_token": csrf_of(client, f"/questions/{qid}")}, follow_redirects=False)
    answer_id = int(done.headers["location"].rsplit("/", 1)[1])
    assert not _recording(app, rid).edited
    assert client.get(f"/recordings/{rid}/audio").content == speech  # kept: TPMPREP_KEEP_AUDIO
    client.post(f"/answers/{answer_id}/review", data={"csrf_token": csrf_of(client, f"/answers/{answer_id}")})
    with app.state.read_db() as db:
        from web.models import ReviewRequest, User

        request_id = db.query(ReviewRequest).filter_by(answer_id=answer_id).one().id
        ears = db.query(User).filter_by(email="ears@example.com").one()
        other = db.query(User).filter_by(email="other-reviewer@example.com").one()
        nosy = db.query(User).filter_by(email="nosy@example.com").one()
        rec = db.get(recordings.Recording, rid)
        assert not recordings.may_listen(db=db, user=nosy, recording=rec)
        assert not recordings.may_listen(db=db, user=ears, recording=rec)  # not assigned yet
    login(client, "ears@example.com")
    client.post(f"/review/{request_id}/claim", data={"csrf_token": csrf_of(client, "/review")})
    form = soup(client.get(f"/review/{request_id}"))
    assert form.select_one(f"audio[src='/recordings/{rid}/audio']") is not None  # heard beside the transcript
    assert client.get(f"/recordings/{rid}/audio").content == speech
    with app.state.read_db() as db:
        assert not recordings.may_listen(db=db, user=other, recording=db.get(recordings.Recording, rid))
    login(client, "nosy@example.com")
    assert client.get(f"/recordings/{rid}/audio").status_code == 404
    assert client.get(f"/recordings/{rid}").status_code == 404


def test_a_recording_goes_with_its_account(app, client, candidate, catalog, speech):
    from web.models import Recording

    qid = next(iter(sorted(catalog.questions)))
    _upload(client, qid, speech)
    response = client.post("/account/delete", data={"password": "correct horse battery", "confirm": "delete",
                                                    "csrf_token": csrf_of(client, "/account/delete")})
    assert response.status_code in (200, 303)
    with app.state.read_db() as db:
        assert db.query(Recording).count() == 0


def test_transcribe_command_prints_text_timings_and_delivery(tmp_path, speech, capsys):
    from web.cli import main

    path = tmp_path / "answer.wav"
    path.write_bytes(speech)
    assert main(["transcribe", str(path), "--json", "--time-box", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"text", "words", "duration_seconds", "delivery"}
    assert "critical path" in out["text"].lower() and out["words"][0]["start"] >= 0
    assert out["delivery"]["time_box_seconds"] == 120 and out["delivery"]["words_per_minute"] > 0
    assert main(["transcribe", str(path)]) == 0
    assert "words per minute" in capsys.readouterr().out
    (tmp_path / "notes.txt").write_text("not audio")
    assert main(["transcribe", str(tmp_path / "notes.txt")]) == 1


def test_a_voice_mock_interview_takes_spoken_answers_and_reports_delivery(app, client, candidate, catalog, speech):
    from web.models import MockInterview

    track = next(iter(catalog.tracks.values()))
    client.post("/mock", data={"track": track.id, "voice": "1", "csrf_token": csrf_of(client, "/mock")})
    with app.state.read_db() as db:
        interview = db.query(MockInterview).order_by(MockInterview.id.desc()).first()
        mock_id, voice = interview.id, interview.voice
    assert voice
    page = soup(client.get(f"/mock/{mock_id}"))
    recorder = page.select_one("[data-recorder]")
    assert recorder is not None and recorder["data-time-box"] == str(int(round(track.items[0].minutes * 60)))
    qid = track.items[0].question_id

    def speak_and_submit():
        step = soup(client.get(f"/mock/{mock_id}"))
        rid = _upload(client, qid, speech, time_box=step.select_one("[data-recorder]")["data-time-box"]).json()["id"]
        _transcribe_all(app)
        heard = client.get(f"/recordings/{rid}").json()["transcript"]
        item_id = step.select_one("input[name=item_id]")["value"]
        response = client.post(f"/mock/{mock_id}/answer", data={"text": heard, "recording_id": str(rid), "item_id": item_id,
                                                               "csrf_token": csrf_of(client, f"/mock/{mock_id}")}, follow_redirects=False)
        assert response.status_code == 303

    speak_and_submit()  # the question
    assert "The interviewer follows up" in text_of(soup(client.get(f"/mock/{mock_id}")))
    speak_and_submit()  # its follow-up, also out loud
    client.post(f"/mock/{mock_id}/end", data={"csrf_token": csrf_of(client, f"/mock/{mock_id}")})
    report = soup(client.get(f"/mock/{mock_id}/report"))
    overall = report.select_one("section.delivery")
    assert overall is not None and "Across your 2 spoken answers" in text_of(overall)
    lines = report.select(".report-item .delivery-line")
    assert len(lines) == 2 and all("words a minute" in text_of(line) for line in lines)


KNOWN_TEXT = ("Our program had one critical path: the payment vendor's certification, six weeks long. "
              "I told the sponsor every Friday what had changed, and when the vendor slipped a week, "
              "we moved the launch to the second cohort instead of cutting the security review.")


def test_an_espeak_clip_is_transcribed_with_a_word_error_rate_under_35_percent(tmp_path):
    import re

    import jiwer

    from web.infra.transcribe import transcribe_offline

    path = tmp_path / "known.wav"
    subprocess.run(["espeak-ng", "-s", "145", "-w", str(path), KNOWN_TEXT], check=True)
    heard = transcribe_offline(path.read_bytes()).text

    def words(text: str) -> str:
        return " ".join(re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split())

    rate = jiwer.wer(words(KNOWN_TEXT), words(heard))
    assert rate < 0.35, (rate, heard)


def _wav(frames: bytes, rate: int = 16000) -> bytes:
    import io
    import wave

    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return out.getvalue()


def test_silence_and_corrupt_files_get_clear_messages_and_keep_what_was_stored(app, client, candidate, catalog, speech):
    qid = next(iter(sorted(catalog.questions)))
    silent = _upload(client, qid, _wav(b"\x00\x00" * 16000 * 4))
    assert silent.status_code == 201  # stored first: whether it holds speech is the transcriber's to say
    _transcribe_all(app)
    status = client.get(f"/recordings/{silent.json()['id']}").json()
    assert status["status"] == "failed" and "No speech was heard" in status["error"]
    assert _recording(app, silent.json()["id"]).audio is not None  # nothing stored is lost
    garbage = _upload(client, qid, b"RIFF\x00\x00\x00\x00WAVEfmt " + b"\xff" * 4000)
    assert garbage.status_code == 400 and "could not be read as audio" in garbage.json()["error"]
    empty = _upload(client, qid, b"")
    assert empty.status_code == 400
