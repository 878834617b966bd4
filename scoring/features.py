"""What the learned scorer reads from an answer, kept per sentence so every score can be explained.

Each answer-level feature is the sum of per-sentence parts (plus, for the few features that
belong to the whole answer, one "whole answer" part). A linear model over these features is
therefore exactly a sum of per-sentence contributions, which is what the score card shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np

from scoring.embedding import Embedder
from scoring.offline import Reading as SignalReading
from scoring.offline import compile_rubric, measure_compiled
from scoring.rubric import DIMENSIONS, KeyPoint, Rubric
from scoring.signals import OTHER_SUBJECTS
from scoring.text import Document, content_stems, tokenize

# Cue families grouped into what a reader would call them. Each group is one feature: the log of
# how many of its cues the answer has, so the fifth mention of a risk adds less than the first.
CUE_GROUPS: dict[str, tuple[str, ...]] = {
    "goals": ("goal", "business", "metric"),
    "planning": ("plan", "sequence", "options"),
    "reasoning": ("reasoning", "conditional", "consequence"),
    "risks": ("risk_term", "constraint", "risk_process"),
    "mitigations": ("mitigation", "contingency"),
    "stakeholders": ("audience", "informing"),
    "cadence": ("cadence", "channel"),
    "influence": ("influence", "conflict", "decision", "coordination", "role"),
    "story": ("situation", "task", "result", "lesson"),
    "vague": ("hedge", "buzz", "generality"),
    "blame": ("blame",),
}
SENTENCE_COUNTS = tuple(CUE_GROUPS) + ("specifics", "own_actions", "others")
WHOLE_ANSWER = ("log_words", "layout", "disfluency")
# The rule-based reading's whole-answer qualities (scoring.offline), each in [0, 1].
RULE_SIGNALS = ("specificity", "clarity", "deliberation", "foresight", "structure", "ownership") + tuple(
    "evidence_" + d for d in DIMENSIONS
)
KEY_POINT_FEATURES = tuple("key_points_" + d for d in DIMENSIONS)

# Key points by meaning: a sentence's match to a key point mixes the embedding cosine with the
# share of the point's content words the sentence uses (an exact paraphrase shares few words,
# a close rewording shares many); the model file holds the calibrated threshold.
OVERLAP_WEIGHT = 0.5
KEPT_TEXTS = 2048  # rubrics whose key-point vectors are remembered
SENTENCE_CLOSERS = frozenset(".!?…\"')]”’")  # kept with a sentence when it is quoted


@dataclass(frozen=True)
class Sentence:
    """One sentence the scorer counted: where it is and what it says."""

    start: int
    end: int
    text: str
    words: int
    stems: frozenset[str]  # content-word stems, for key points worded differently


@dataclass(frozen=True)
class KeyPointMatch:
    """Whether a key point is covered, and by which sentence (index into the sentences)."""

    point: KeyPoint
    covered: bool
    sentence: int | None
    similarity: float
    by_phrase: bool


@dataclass(frozen=True)
class Reading:
    """An answer's features: per-sentence parts, the whole-answer part, and the key points found."""

    doc: Document
    signals: SignalReading  # the rule-based reading: cues, phrase hits, topic share and gates
    sentences: tuple[Sentence, ...]
    names: tuple[str, ...]
    parts: np.ndarray  # (len(sentences) + 1, len(names)); the last row is the whole answer
    key_points: tuple[KeyPointMatch, ...]
    vectors: np.ndarray  # unit, centred sentence vectors, one row per sentence
    words: int
    signals_fingerprint: str  # the rubric's fingerprint, as compiled for the rule-based reading

    @property
    def values(self) -> np.ndarray:
        """The answer-level features: the parts summed."""
        return self.parts.sum(axis=0)


@dataclass(frozen=True)
class TextSpace:
    """The embedder plus what makes its vectors comparable: the corpus mean they are centred on."""

    embedder: Embedder
    centre: np.ndarray
    # Key points and questions recur on every answer to their question: their vectors are kept.
    _kept: dict = field(default_factory=dict, compare=False, repr=False)

    def fixed_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """vectors() for texts that recur (key points, questions), remembered."""
        key = tuple(texts)
        hit = self._kept.get(key)
        if hit is None:
            if len(self._kept) >= KEPT_TEXTS:
                self._kept.clear()
            hit = self._kept[key] = self.vectors(texts)
        return hit

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Centred, unit-length vectors (static embeddings share a large common direction)."""
        if not texts:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        v = self.embedder.embed(list(texts)) - self.centre
        norms = np.linalg.norm(v, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return (v / norms).astype(np.float32)


GROUP_OF = {fam: g for g, fams in CUE_GROUPS.items() for fam in fams}  # cue family -> its group
GROUP_COL = {g: i for i, g in enumerate(SENTENCE_COUNTS)}


@lru_cache(maxsize=8)
def feature_names(dim: int) -> tuple[str, ...]:
    """Every feature, in model order: meaning (the vector), cue counts, key points, whole answer."""
    return tuple(f"meaning_{i}" for i in range(dim)) + SENTENCE_COUNTS + KEY_POINT_FEATURES + WHOLE_ANSWER + RULE_SIGNALS


def _sentences(doc: Document) -> tuple[list[Sentence], list[int]]:
    """The sentences that count (not fillers-only, not repeats) and each token's sentence."""
    kept: list[Sentence] = []
    index_of: dict[int, int] = {}
    for idx, span in enumerate(doc.sentences):
        words = [doc.tokens[i] for i in range(span.first_token, span.last_token) if not doc.skip[i]]
        if not words:
            continue
        index_of[idx] = len(kept)
        start, end = doc.tokens[span.first_token].start, doc.tokens[span.last_token - 1].end
        while end < len(doc.text) and doc.text[end] in SENTENCE_CLOSERS:
            end += 1
        kept.append(Sentence(start=start, end=end, text=" ".join(t.text for t in words), words=len(words),
                             stems=frozenset(content_stems(words))))
    token_sentence = [index_of.get(doc.sentence_of[i], -1) for i in range(len(doc.tokens))]
    return kept, token_sentence


@lru_cache(maxsize=8)
def _columns(dim: int) -> dict[str, int]:
    """Each feature's column (read on every answer, so built once)."""
    return {name: i for i, name in enumerate(feature_names(dim))}


@lru_cache(maxsize=4096)
def _point_stems(description: str) -> frozenset[str]:
    """A key point's content-word stems (key points recur on every answer to their question)."""
    return frozenset(content_stems(tokenize(description)))


def _stem_overlap(point_stems: frozenset[str], sentence_stems: frozenset[str]) -> float:
    """Share of a key point's content words that a sentence uses."""
    if not point_stems:
        return 0.0
    return len(point_stems & sentence_stems) / len(point_stems)


def match_key_points(
    space: TextSpace,
    rubric: Rubric,
    sentences: Sequence[Sentence],
    vectors: np.ndarray,
    phrase_hits: Mapping[int, int],
    threshold: float,
) -> tuple[KeyPointMatch, ...]:
    """Each key point, covered when a sentence says it in any words or uses one of its phrases."""
    if not rubric.key_points:
        return ()
    point_vectors = space.fixed_vectors([p.description for p in rubric.key_points])
    out = []
    similarity = np.zeros((len(sentences), len(rubric.key_points)))
    if sentences:
        overlap = np.array([[_stem_overlap(_point_stems(p.description), s.stems) for p in rubric.key_points]
                            for s in sentences])
        similarity = (1 - OVERLAP_WEIGHT) * (vectors @ point_vectors.T) + OVERLAP_WEIGHT * overlap
    for k, point in enumerate(rubric.key_points):
        best_i = int(np.argmax(similarity[:, k])) if sentences else None
        best = float(similarity[best_i, k]) if sentences else -1.0
        hit = phrase_hits.get(k)
        if hit is not None:
            out.append(KeyPointMatch(point, True, hit, max(best, threshold), True))
        elif best_i is not None and best >= threshold:
            out.append(KeyPointMatch(point, True, best_i, best, False))
        else:
            out.append(KeyPointMatch(point, False, None, max(best, 0.0), False))
    return tuple(out)


def read(text: str, rubric: Rubric, space: TextSpace, *, key_point_threshold: float) -> Reading:
    """Every feature of one answer against one rubric, kept per sentence."""
    compiled = compile_rubric(rubric)
    signals = measure_compiled(text, compiled)
    doc = signals.doc
    sentences, token_sentence = _sentences(doc)
    names = feature_names(space.embedder.dim)
    col = _columns(space.embedder.dim)
    n = len(sentences)
    parts = np.zeros((n + 1, len(names)), dtype=np.float64)
    vectors = space.vectors([s.text for s in sentences])
    if n:
        parts[:n, : space.embedder.dim] = vectors / n  # the mean sentence meaning, one n-th each

    # Cue counts per sentence, then each group's log(1 + count) shared out by its sentences' counts.
    ev = signals.ev
    counts = np.zeros((max(n, 1), len(SENTENCE_COUNTS)))

    def add(group: str, first_token: int) -> None:
        s = token_sentence[first_token] if first_token < len(token_sentence) else -1
        if s >= 0:
            counts[s, GROUP_COL[group]] += 1

    for cue in ev.cues:
        if cue.family in GROUP_OF:
            add(GROUP_OF[cue.family], cue.first)
    for cue in ev.contingent_plans:
        add("mitigations", cue.first)
    for cue in ev.specifics:
        add("specifics", cue.first)
    for cue in ev.own_actions:
        add("own_actions", cue.first)
    for i, tok in enumerate(doc.tokens):
        if not doc.skip[i] and tok.lower in OTHER_SUBJECTS:
            add("others", i)
    if n:
        totals = counts.sum(axis=0)
        for g, j in GROUP_COL.items():
            if totals[j] > 0:
                parts[:n, col[g]] = counts[:n, j] / totals[j] * math.log1p(totals[j])

    # Key points: phrase matches from the caller, otherwise meaning.
    sentence_hits: dict[int, int] = {}
    for k, hits in enumerate(signals.key_hits):
        for first, _last in hits:
            s = token_sentence[first] if first < len(token_sentence) else -1
            if s >= 0:
                sentence_hits.setdefault(k, s)
    matches = match_key_points(space, rubric, sentences, vectors, sentence_hits, key_point_threshold)
    for d in DIMENSIONS:
        own = [m for m in matches if m.point.dimension == d]
        for m in own:
            if m.covered and m.sentence is not None:
                parts[m.sentence, col["key_points_" + d]] += 1.0 / len(own)

    # The whole answer: its length, its layout and how many audible fillers it has.
    words = doc.words
    parts[n, col["log_words"]] = math.log1p(words)
    parts[n, col["layout"]] = math.log1p(max(0, doc.paragraphs - 1) + doc.list_items + doc.labels)
    parts[n, col["disfluency"]] = 10.0 * doc.disfluencies / max(len(doc.tokens), 1)
    for name in RULE_SIGNALS:
        parts[n, col[name]] = signals.signals[name]
    return Reading(
        doc=doc,
        signals=signals,
        sentences=tuple(sentences),
        names=names,
        parts=parts,
        key_points=matches,
        vectors=vectors,
        words=words,
        signals_fingerprint=compiled.fingerprint,
    )
