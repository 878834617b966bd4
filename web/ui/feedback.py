"""Turning a score card into what the feedback page shows: highlighted passages and labels."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.card import Evidence, ScoreCard
from scoring.rubric import DIMENSIONS


@dataclass(frozen=True)
class Segment:
    """A run of answer text and the dimensions whose evidence covers it."""

    text: str
    dimensions: tuple[str, ...]
    labels: tuple[str, ...]


def highlight(text: str, evidence: list[Evidence] | tuple[Evidence, ...]) -> list[Segment]:
    """Split text at evidence boundaries so each run knows which dimensions it supports."""
    valid = [e for e in evidence if 0 <= e.start < e.end <= len(text)]
    cuts = sorted({0, len(text), *[e.start for e in valid], *[e.end for e in valid]})
    segments: list[Segment] = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [e for e in valid if e.start <= start and e.end >= end]
        dims = tuple(d for d in DIMENSIONS if any(e.dimension == d for e in covering))
        labels = tuple(sorted({e.label for e in covering}))
        segments.append(Segment(text[start:end], dims, labels))
    return _merge(segments)


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join marked runs of the same dimensions separated only by spaces or light punctuation."""
    merged: list[Segment] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        if merged and seg.dimensions and merged[-1].dimensions == seg.dimensions:
            prev = merged.pop()
            merged.append(Segment(prev.text + seg.text, seg.dimensions, tuple(sorted(set(prev.labels) | set(seg.labels)))))
        elif (
            merged
            and not seg.dimensions
            and i + 1 < len(segments)
            and merged[-1].dimensions
            and segments[i + 1].dimensions == merged[-1].dimensions
            and len(seg.text) <= 3
            and not seg.text.strip(" ,;:-")
        ):
            prev = merged.pop()
            merged.append(Segment(prev.text + seg.text, prev.dimensions, prev.labels))
        else:
            merged.append(seg)
        i += 1
    return merged


def all_evidence(card: ScoreCard) -> list[Evidence]:
    """Every piece of evidence of a card, across dimensions."""
    return [e for d in DIMENSIONS for e in card.dimensions[d].evidence]
