"""How a spoken answer was delivered: pace, fillers, long pauses and talk time, with what to change.

Measured from a transcript's word timings, shown beside the rubric scores and never mixed into them:
a clear answer said quickly is still a clear answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from scoring.text import FILLER_WORDS, filler_flags, tokenize, word_count

LONG_PAUSE_SECONDS = 2.0  # a silence a listener notices as a pause rather than a breath
# Conversational pace for explaining work: below it listeners drift, above it they miss the numbers.
PACE_SLOW, PACE_FAST = 110, 170  # words per minute
FILLERS_PER_100_HIGH = 5.0  # more than one filler every 20 words is what listeners remember
LONG_PAUSES_HIGH = 3
TIME_BOX_SHORT = 0.5  # under half the time box usually means the answer skipped its substance


@dataclass(frozen=True)
class TimedWord:
    """A word of a transcript with when it was said (seconds from the start of the recording)."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Delivery:
    """Delivery figures of one spoken answer and plain guidance for each that is off."""

    words: int
    talk_seconds: float
    words_per_minute: float
    fillers: int
    fillers_per_100_words: float
    filler_kinds: dict[str, int]  # "um", "uh", "like", "you know" ... -> how many
    long_pauses: int
    longest_pause_seconds: float
    time_box_seconds: int | None
    guidance: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        """A JSON-ready form."""
        return {
            "words": self.words,
            "talk_seconds": round(self.talk_seconds, 1),
            "words_per_minute": round(self.words_per_minute, 1),
            "fillers": self.fillers,
            "fillers_per_100_words": round(self.fillers_per_100_words, 1),
            "filler_kinds": dict(self.filler_kinds),
            "long_pauses": self.long_pauses,
            "longest_pause_seconds": round(self.longest_pause_seconds, 1),
            "time_box_seconds": self.time_box_seconds,
            "guidance": list(self.guidance),
        }


def _sound(word: str) -> str:
    """The filler sound a spelling stands for: "umm"/"erm" are "um", "uhh"/"er"/"ah" are "uh", the rest "hmm"."""
    if word[0] in "uea":
        return "um" if "m" in word else "uh"
    return "hmm"


def filler_counts(text: str) -> Counter[str]:
    """The spoken fillers of a transcript by kind: "um"/"uh" sounds, filler "like", "you know", "I mean"."""
    tokens = tokenize(text)
    flags = filler_flags(tokens)
    kinds: Counter[str] = Counter()
    i = 0
    while i < len(tokens):
        word = tokens[i].lower
        if flags[i]:
            nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
            if word in FILLER_WORDS:
                kinds[_sound(word)] += 1
            elif word == "like":
                kinds["like"] += 1
            elif (word, nxt) in (("you", "know"), ("i", "mean")) and i + 1 < len(flags) and flags[i + 1]:
                kinds[f"{word} {nxt}"] += 1
                i += 1
            # a stutter ("we we") is not a filler a listener counts
        i += 1
    return kinds


def measure(text: str, timings: Sequence[TimedWord], *, duration_seconds: float, time_box_seconds: int | None = None) -> Delivery:
    """Delivery figures from a transcript, its word timings and the recording's length."""
    words = word_count(text)
    if timings:
        talk = max(0.0, timings[-1].end - timings[0].start)
        gaps = [b.start - a.end for a, b in zip(timings, timings[1:])]
    else:
        talk, gaps = duration_seconds, []
    pauses = [g for g in gaps if g > LONG_PAUSE_SECONDS]
    kinds = filler_counts(text)
    fillers = sum(kinds.values())
    wpm = words / (talk / 60) if talk > 0 else 0.0
    per_100 = 100 * fillers / words if words else 0.0
    delivery = Delivery(
        words=words,
        talk_seconds=talk,
        words_per_minute=wpm,
        fillers=fillers,
        fillers_per_100_words=per_100,
        filler_kinds=dict(kinds.most_common()),
        long_pauses=len(pauses),
        longest_pause_seconds=max(pauses, default=max(gaps, default=0.0)),
        time_box_seconds=time_box_seconds,
    )
    return Delivery(**{**delivery.__dict__, "guidance": guidance(delivery)})


def guidance(d: Delivery) -> tuple[str, ...]:
    """What to change, in plain words, for each figure that is off (nothing when all are fine)."""
    out = []
    if d.words >= 20 and d.words_per_minute > PACE_FAST:
        out.append(f"You spoke at {d.words_per_minute:.0f} words a minute; slow to about 140 so the interviewer can "
                   "note your numbers and decisions. Pause after each key point.")
    elif d.words >= 20 and d.words_per_minute < PACE_SLOW:
        out.append(f"You spoke at {d.words_per_minute:.0f} words a minute; aim for 120 to 160. Decide your three "
                   "points before you start, so you are not composing while you talk.")
    if d.fillers_per_100_words > FILLERS_PER_100_HIGH:
        top = ", ".join(f'"{k}" ×{n}' for k, n in list(d.filler_kinds.items())[:3])
        out.append(f"{d.fillers_per_100_words:.1f} fillers per 100 words ({top}). Replace them with a silent "
                   "pause: a one-second silence sounds more confident than \"um\".")
    if d.long_pauses >= LONG_PAUSES_HIGH:
        out.append(f"{d.long_pauses} pauses over {LONG_PAUSE_SECONDS:g} seconds (the longest {d.longest_pause_seconds:.0f} s). "
                   "Signpost your structure (\"three things: first...\") so each next step is already decided.")
    if d.time_box_seconds:
        if d.talk_seconds > d.time_box_seconds:
            over = d.talk_seconds - d.time_box_seconds
            out.append(f"You ran {over:.0f} seconds over the {d.time_box_seconds // 60}-minute time box. Lead with the "
                       "answer, then the two details that matter most; the interviewer will ask for more.")
        elif d.talk_seconds < TIME_BOX_SHORT * d.time_box_seconds:
            out.append(f"You used {d.talk_seconds:.0f} of {d.time_box_seconds} seconds. Strong answers usually fill more "
                       "of the time with specifics: the plan, the top risk and who you told.")
    return tuple(out)
