"""Strengths and improvements for a score card, tied to the question's own key points."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

from scoring.card import DimensionScore
from scoring.rubric import ANCHORS, DIMENSIONS, KeyPoint

if TYPE_CHECKING:  # only for type hints: offline imports this module
    from scoring.offline import Reading

MAX_ITEMS = 3  # strengths, and improvements: more than three is a lecture
MIN_ITEMS = 2  # improvements always offered, even to a strong answer
QUOTE_CHARS = 60  # about this much of the sentence around a hit is quoted, cut at word boundaries
STRONG = 3  # a dimension at or above this can supply a strength
WEAK_GATE = 0.75  # a gate below this is worth telling the candidate about

# Signal-based notes: (signal, threshold, text when the answer is at or above / below it).
SIGNAL_STRENGTHS: tuple[tuple[str, float, str], ...] = (
    ("specificity", 0.6, "Concrete details (numbers, dates, names) make the story checkable."),
    ("ownership", 0.5, "Clear personal ownership: you say what you did yourself."),
    ("structure", 0.5, "Easy to follow: the answer is organised and signposted."),
    ("foresight", 0.5, "You think ahead: conditions and what you would do if they happen."),
)
SIGNAL_IMPROVEMENTS: tuple[tuple[str, float, str], ...] = (
    ("specificity", 0.3, "Add specifics: numbers, dates, team and system names, the size of the problem."),
    ("ownership", 0.3, "Say what you did yourself ('I proposed...', 'I decided...'), not only what the team did."),
    ("clarity", 0.5, "Cut hedges and fillers ('I guess', 'kind of', 'um'): state what happened plainly."),
    ("structure", 0.25, "Give the answer a shape: situation, what you did, the result, what you learned."),
)
GATE_ADVICE: dict[str, str] = {
    "relevance": "Answer the question asked: the answer says little about {topic}.",
    "echo": "Do not restate the question: spend the words on what you did or would do.",
    "fluency": "Write full sentences: a list of keywords does not show how you work.",
    "substance": "Replace buzzwords and general advice with what actually happened or what you would do.",
}


def _quote(reading: "Reading", first: int, last: int) -> str:
    """The words around a hit, from its sentence, cut to a short quotation."""
    doc = reading.doc
    sentence = doc.sentences[doc.sentence_of[first]]
    start, end = doc.tokens[first].start, doc.tokens[last - 1].end
    left = max(sentence.start, start - QUOTE_CHARS // 2)
    right = min(sentence.end, max(end, left + QUOTE_CHARS))
    if left > sentence.start:  # do not start or end inside a word
        left = min(start, doc.text.find(" ", left) + 1 or start)
    if right < sentence.end:
        cut = doc.text.rfind(" ", end, right)
        right = cut if cut > 0 else right
    text = " ".join(doc.text[left:right].split())
    prefix = "…" if left > sentence.start else ""
    suffix = "…" if right < sentence.end else ""
    return prefix + text + suffix


def _ranked_dimensions(dims: Mapping[str, DimensionScore], weights: Mapping[str, float], best: bool) -> list[str]:
    """Dimensions from strongest (or weakest) first; heavier-weighted first on ties, then rubric order."""
    sign = -1 if best else 1
    return sorted(DIMENSIONS, key=lambda d: (sign * dims[d].value, -weights.get(d, 0.0), DIMENSIONS.index(d)))


def _add(items: list[str], text: str) -> None:
    """Append unless already present or full."""
    if text not in items and len(items) < MAX_ITEMS:
        items.append(text)


def strengths_for(dims, key_points: Sequence[KeyPoint], reading: "Reading", weights) -> tuple[str, ...]:
    """Up to three strengths: covered key points of the strongest dimensions, then strong signals."""
    out: list[str] = []
    for d in _ranked_dimensions(dims, weights, best=True):
        if dims[d].score < STRONG:
            break
        for idx, point in enumerate(key_points):
            hits = reading.key_hits[idx]
            if point.dimension == d and hits:
                _add(out, f"{point.description.rstrip('.')}: \u201c{_quote(reading, *hits[0])}\u201d")
                break
    gates_open = all(g >= WEAK_GATE for g in reading.gates.values())
    for name, threshold, text in SIGNAL_STRENGTHS:
        if gates_open and reading.signals[name] >= threshold:
            _add(out, text)
    return tuple(out)


def improvements_for(dims, key_points: Sequence[KeyPoint], reading: "Reading", weights, topic: str) -> tuple[str, ...]:
    """Up to three improvements: closed gates first, then missing key points of the weakest dimensions."""
    out: list[str] = []
    for name in ("relevance", "echo", "fluency", "substance"):
        if reading.gates[name] < WEAK_GATE:
            _add(out, GATE_ADVICE[name].format(topic=topic))
    # One missing key point per dimension, weakest dimension first; full marks only at the end.
    ranked = _ranked_dimensions(dims, weights, best=False)
    for d in [d for d in ranked if dims[d].score < 5] + [d for d in ranked if dims[d].score == 5]:
        if weights.get(d, 0.0) <= 0:
            continue
        for point in key_points:
            if point.dimension == d and point.id in dims[d].missing:
                _add(out, f"Missing: {point.description}")
                break
    for name, threshold, text in SIGNAL_IMPROVEMENTS:
        if len(out) >= MIN_ITEMS:
            break
        if reading.signals[name] < threshold:
            _add(out, text)
    # Nothing specific left to fix: point at what a 5 looks like on the weakest dimensions.
    for d in ranked:
        if len(out) >= MIN_ITEMS:
            break
        if weights.get(d, 0.0) > 0:
            _add(out, f"To go further on {d}: {ANCHORS[d][5]}")
    return tuple(out)


def feedback(dims: Mapping[str, DimensionScore], key_points: Sequence[KeyPoint], reading: "Reading",
             weights: Mapping[str, float], topic_terms: Sequence[str] = ()) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Strengths and improvements for one scored answer."""
    topic = ", ".join(f"'{t}'" for t in topic_terms[:3]) or "the question's topic"
    strengths = strengths_for(dims, key_points, reading, weights)
    return strengths, improvements_for(dims, key_points, reading, weights, topic)
