"""Offline transcription of 60 seconds of speech: wall time, CPU time and peak memory.

Usage: python benchmarks/transcribe_speed.py [--seconds 60] [--runs 3]
Makes a clip with espeak-ng (Debian package) of about the asked length from a TPM answer written
for this benchmark, then transcribes it with the bundled Whisper model in a fresh process per run
(so peak memory includes loading the model), as the worker does.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "The launch date was set by one chain of work: the partner's API certification, then our integration, "
    "then two weeks of load testing. That chain had no float, so every Friday I told the sponsor where it stood. "
    "The top risk was the certification slipping; the vendor had missed two dates last year. We tested against "
    "their beta builds each week, and agreed that if the third beta was late we would ship behind the old API. "
    "Rollout went to one percent, then ten, then half, with an abort if errors rose above half a percent. "
)

CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
started = time.perf_counter(); cpu = time.process_time()
from web.infra.transcribe import transcribe_offline
data = open(sys.argv[1], "rb").read()
loaded = time.perf_counter()
transcript = transcribe_offline(data)
done = time.perf_counter()
print(json.dumps({"wall": done - started, "transcribe": done - loaded, "cpu": time.process_time() - cpu,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "words": len(transcript.words)}))
"""


def make_clip(seconds: float, folder: Path) -> tuple[Path, float]:
    """A WAV of about `seconds` of speech, and its exact length."""
    path = folder / "speech.wav"
    text = PARAGRAPH
    while True:
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
        with wave.open(str(path)) as w:
            params, frames = w.getparams(), w.readframes(w.getnframes())
        if params.nframes / params.framerate >= seconds:
            keep = int(seconds * params.framerate) * params.sampwidth * params.nchannels
            with wave.open(str(path), "wb") as w:  # cut to exactly the asked length
                w.setparams(params)
                w.writeframes(frames[:keep])
            return path, seconds
        text += " " + PARAGRAPH


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        clip, length = make_clip(args.seconds, Path(folder))
        print(f"clip: {length:.1f} s of espeak-ng speech")
        for run in range(1, args.runs + 1):
            out = subprocess.run([sys.executable, "-c", CHILD, str(clip), str(ROOT)], check=True, capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"run {run}: {r['wall']:.1f} s wall (imports {r['wall'] - r['transcribe']:.1f} s, model load and transcription {r['transcribe']:.1f} s), "
                  f"{r['cpu']:.1f} s CPU, peak memory {r['peak_mb']:.0f} MB, {r['words']} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
