"""The learned scorer: a linear model per dimension over per-sentence features, fit from graded answers.

A dimension's value is a baseline plus one contribution per sentence plus one for the whole
answer (its length and layout), so the card can show exactly which sentences moved the score.
Two limits apply on top, because no graded file teaches them: an answer that does not address
the question (a relevance model calibrated on right and wrong question pairs) and an answer
that restates the question or lists keywords (the rule-based gates) score at most 2.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from scoring.card import MAX_SCORE, MIN_SCORE, DimensionScore, Evidence, ScoreCard, clamp_score
from scoring.embedding import Embedder
from scoring.features import RULE_SIGNALS, WHOLE_ANSWER, Reading, TextSpace, read
from scoring.offline import GENERIC_POINTS
from scoring.rubric import DIMENSIONS, Rubric

SCORER_NAME = "offline"
CAP_FLOOR = 2.0  # what a fully closed limit leaves: the anchors' "the question is not really answered"
RULE_GATES = ("fluency", "echo")  # keyword lists and restated questions (scoring.offline's gates)
STRENGTH_FROM = 3  # a dimension at or above this can name a covered key point as a strength
MAX_SHOWN = 3  # sentences listed per direction on a card: enough to explain, few enough to read
MIN_EFFECT = 0.05  # contributions smaller than this (in score points) are not worth showing
QUOTE_CHARS = 110

WHOLE_ANSWER_FEATURES = frozenset(WHOLE_ANSWER + RULE_SIGNALS)
DIMENSION_WORDS = {"strategy": "strategy", "risk": "risk", "communication": "communication", "leadership": "leadership"}


@dataclass(frozen=True)
class DimensionModel:
    """value = intercept + features @ weights (weights already in raw feature units)."""

    intercept: float
    weights: np.ndarray


@dataclass(frozen=True)
class RelevanceModel:
    """Probability that an answer addresses the question, and where that probability limits scores."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    closed_at: float  # at or below this probability every dimension is capped at 2
    open_at: float  # at or above it nothing is capped; linear between

    def probability(self, raw: np.ndarray) -> float:
        z = (raw - self.mean) / self.scale
        return float(1.0 / (1.0 + np.exp(-(z @ self.coef + self.intercept))))

    def cap(self, probability: float) -> float:
        if probability >= self.open_at:
            return float(MAX_SCORE)
        if probability <= self.closed_at:
            return CAP_FLOOR
        share = (probability - self.closed_at) / (self.open_at - self.closed_at)
        return CAP_FLOOR + (MAX_SCORE - CAP_FLOOR) * share


RELEVANCE_FEATURES = ("cosine", "gap", "topic_words", "key_points", "catalog")
PATHS = ("catalog", "generic")  # a catalog question (its own key points) or a question typed by the user


@dataclass(frozen=True)
class RelevanceJudge:
    """Judges relevance on one path: the questions an answer is compared with, and the model."""

    background: np.ndarray  # question vectors (profiles on the catalog path, texts on the generic one)
    same_topic: float  # background questions at least this close to the asked one are on its topic
    model: RelevanceModel


def path_of(rubric: Rubric) -> str:
    """Which relevance path a rubric takes: one with its own key points is a catalog question."""
    return "catalog" if any(p not in GENERIC_POINTS for p in rubric.key_points) else "generic"


def question_profile(rubric: Rubric) -> str:
    """What a question is about: its text plus what its own key points ask for.

    The generic key points (shared by every question outside the catalog) say nothing about the
    topic, so they are left out; a question outside the catalog is its text alone.
    """
    own = [p.description for p in rubric.key_points if p not in GENERIC_POINTS]
    return " ".join([rubric.question_text, *own])


@dataclass(frozen=True)
class LearnedModel:
    """Everything the scorer needs besides the text model: one small, versioned file."""

    version: str
    embedder: str
    names: tuple[str, ...]
    centre: np.ndarray
    typical: np.ndarray  # the training answers' mean features: meaning and whole-answer parts are measured from it
    dimensions: Mapping[str, DimensionModel]
    key_point_threshold: float
    relevance: Mapping[str, RelevanceJudge]  # by path
    info: Mapping[str, Any] = field(default_factory=dict)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for numpy.savez (the caller writes the file)."""
        meta = {
            "version": self.version,
            "embedder": self.embedder,
            "names": list(self.names),
            "key_point_threshold": self.key_point_threshold,
            "intercepts": {d: self.dimensions[d].intercept for d in DIMENSIONS},
            "relevance": {
                path: {
                    "intercept": j.model.intercept,
                    "closed_at": j.model.closed_at,
                    "open_at": j.model.open_at,
                    "same_topic": j.same_topic,
                }
                for path, j in self.relevance.items()
            },
            "info": self.info,
        }
        arrays = {
            "meta": np.array(json.dumps(meta, sort_keys=True)),
            "centre": self.centre,
            "typical": self.typical,
            "weights": np.stack([self.dimensions[d].weights for d in DIMENSIONS]),
        }
        for path, j in self.relevance.items():
            arrays[f"relevance_{path}_mean"] = j.model.mean
            arrays[f"relevance_{path}_scale"] = j.model.scale
            arrays[f"relevance_{path}_coef"] = j.model.coef
            arrays[f"relevance_{path}_background"] = j.background
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> "LearnedModel":
        """Rebuild a model from `to_arrays` output (as numpy.load returns it)."""
        meta = json.loads(str(arrays["meta"]))
        weights = np.asarray(arrays["weights"], dtype=np.float64)
        judges = {}
        for path, rel in meta["relevance"].items():
            judges[path] = RelevanceJudge(
                background=np.asarray(arrays[f"relevance_{path}_background"], dtype=np.float32),
                same_topic=float(rel["same_topic"]),
                model=RelevanceModel(
                    mean=np.asarray(arrays[f"relevance_{path}_mean"], dtype=np.float64),
                    scale=np.asarray(arrays[f"relevance_{path}_scale"], dtype=np.float64),
                    coef=np.asarray(arrays[f"relevance_{path}_coef"], dtype=np.float64),
                    intercept=float(rel["intercept"]),
                    closed_at=float(rel["closed_at"]),
                    open_at=float(rel["open_at"]),
                ),
            )
        return cls(
            version=meta["version"],
            embedder=meta["embedder"],
            names=tuple(meta["names"]),
            centre=np.asarray(arrays["centre"], dtype=np.float32),
            typical=np.asarray(arrays["typical"], dtype=np.float64),
            dimensions={
                d: DimensionModel(float(meta["intercepts"][d]), weights[i]) for i, d in enumerate(DIMENSIONS)
            },
            key_point_threshold=float(meta["key_point_threshold"]),
            relevance=judges,
            info=meta.get("info") or {},
        )


def relevance_features(reading: Reading, question: np.ndarray, background: np.ndarray, same_topic: float,
                       path: str) -> np.ndarray:
    """How close the answer's meaning is to the question, against how close it is to other questions.

    cosine: the answer's mean sentence vector against the question's; gap: how much better the
    best-fitting question on another topic fits (questions on the same topic are left out: an
    answer may fit them as well as the one asked); topic_words: the share of the question's
    topic words used; key_points: the share of the rubric's key points the answer covers;
    catalog: 1 on the catalog path, whose questions are described more fully.
    """
    on_catalog = 1.0 if path == "catalog" else 0.0
    if not reading.sentences:
        return np.array([0.0, 1.0, 0.0, 0.0, on_catalog])
    answer = reading.vectors.mean(axis=0)
    norm = float(np.linalg.norm(answer))
    answer = answer / norm if norm > 0 else answer
    cosine = float(answer @ question)
    others = background[(background @ question) < same_topic] if len(background) else background
    best_other = float((others @ answer).max()) if len(others) else cosine
    covered = sum(1 for m in reading.key_points if m.covered) / max(len(reading.key_points), 1)
    return np.array([cosine, best_other - cosine, float(reading.signals.signals["relevance"]), covered, on_catalog])


def limit_of(reading: Reading, relevance_cap: float) -> tuple[float, list[str]]:
    """The highest value any dimension may have, and why (empty when nothing limits it)."""
    gates = reading.signals.gates
    limits = [
        (relevance_cap, "does not answer this question"),
        (CAP_FLOOR + (MAX_SCORE - CAP_FLOOR) * gates["fluency"], "is a list of keywords, not sentences"),
        (CAP_FLOOR + (MAX_SCORE - CAP_FLOOR) * gates["echo"], "restates the question"),
    ]
    if not reading.sentences:
        return float(MIN_SCORE), ["has nothing to score"]
    cap = min(limit for limit, _ in limits)
    return cap, [why for limit, why in sorted(limits) if limit < MAX_SCORE]


class LearnedScorer:
    """Scores answers with a LearnedModel and the text model it was fit with."""

    def __init__(self, model: LearnedModel, embedder: Embedder):
        if embedder.name != model.embedder:
            raise ValueError(f"model {model.version} was fit with {model.embedder}, not {embedder.name}")
        self.model = model
        self.space = TextSpace(embedder, model.centre)
        self.dim = embedder.dim
        self._whole_columns = np.array([i for i, n in enumerate(model.names) if n in WHOLE_ANSWER_FEATURES])

    @property
    def version(self) -> str:
        return self.model.version

    def read(self, text: str, rubric: Rubric) -> Reading:
        """The features of one answer against one rubric."""
        return read(text, rubric, self.space, key_point_threshold=self.model.key_point_threshold)

    def relevance(self, reading: Reading, rubric: Rubric) -> tuple[float, float]:
        """Probability that the answer addresses this question, and the limit that puts on scores."""
        path = path_of(rubric)
        judge = self.model.relevance[path]
        question = self.space.fixed_vectors([question_profile(rubric)])[0]
        raw = relevance_features(reading, question, judge.background, judge.same_topic, path)
        probability = judge.model.probability(raw)
        return probability, judge.model.cap(probability)

    def contributions(self, reading: Reading, dimension: str) -> tuple[float, np.ndarray, float]:
        """(baseline, one contribution per sentence, whole-answer contribution); they sum to the value."""
        m = self.model.dimensions[dimension]
        n = len(reading.sentences)
        w = m.weights
        d = self.dim
        typical = self.model.typical
        whole_cols = self._whole_columns
        # Meaning and the whole-answer qualities are measured from the typical training answer, so
        # a sentence moves the score up or down; cue and key-point counts are measured from none.
        baseline = m.intercept + float(typical[:d] @ w[:d]) + float(typical[whole_cols] @ w[whole_cols])
        per_sentence = np.zeros(n)
        if n:
            centred = reading.parts[:n].copy()
            centred[:, :d] -= typical[:d] / n
            per_sentence = centred @ w
        whole = float((reading.parts[n, whole_cols] - typical[whole_cols]) @ w[whole_cols])
        return baseline, per_sentence, whole

    def values(self, reading: Reading) -> dict[str, float]:
        """The uncapped value of each dimension (what the model predicts before any limit)."""
        x = reading.values
        return {d: float(self.model.dimensions[d].intercept + x @ self.model.dimensions[d].weights) for d in DIMENSIONS}

    def score(self, text: str, rubric: Rubric) -> ScoreCard:
        """Score one answer against one rubric, offline and deterministically."""
        reading = self.read(text, rubric)
        probability, relevance_cap = self.relevance(reading, rubric)
        cap, reasons = limit_of(reading, relevance_cap)
        # Only a limit that lowered some score is worth mentioning.
        if not any(v > cap for v in self.values(reading).values()):
            reasons = []
        dims = {d: self._dimension(reading, d, cap, reasons) for d in DIMENSIONS}
        weights = rubric.normalised_weights()
        # The continuous values, not the rounded scores, so a better-fitting answer is never a tie.
        overall = round(sum(weights[d] * dims[d].value for d in DIMENSIONS), 2)
        strengths, improvements = _feedback(dims, reading, reasons)
        return ScoreCard(
            dimensions=dims,
            overall=overall,
            strengths=strengths,
            improvements=improvements,
            scorer=SCORER_NAME,
            scorer_version=self.model.version,
            rubric_hash=reading.signals_fingerprint,
            notes=tuple(f"Scores are limited to {cap:.1f}: the answer {why}." for why in reasons[:1]),
            meta={"words": reading.words, "relevance": round(probability, 3)},
        )

    def _dimension(self, reading: Reading, d: str, cap: float, reasons: list[str]) -> DimensionScore:
        baseline, per_sentence, whole = self.contributions(reading, d)
        raw = baseline + float(per_sentence.sum()) + whole
        value = round(min(max(raw, float(MIN_SCORE)), float(MAX_SCORE), cap), 4)
        score = clamp_score(value)
        covered = tuple(m.point.id for m in reading.key_points if m.point.dimension == d and m.covered)
        missing = tuple(m.point.id for m in reading.key_points if m.point.dimension == d and not m.covered)
        evidence = _evidence(reading, d, per_sentence) if score > MIN_SCORE else ()
        return DimensionScore(
            dimension=d,
            score=score,
            value=value,
            covered=covered,
            missing=missing,
            evidence=evidence,
            signals={"baseline": round(baseline, 3), "sentences": round(float(per_sentence.sum()), 3),
                     "whole_answer": round(whole, 3), "limit": round(cap, 3)},
            rationale=_rationale(reading, d, score, raw, cap, reasons, per_sentence, whole),
        )


def _quote(text: str) -> str:
    """A sentence cut to a readable quotation at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= QUOTE_CHARS:
        return text
    cut = text.rfind(" ", 0, QUOTE_CHARS)
    return text[: cut if cut > 0 else QUOTE_CHARS] + "…"


def _evidence(reading: Reading, d: str, per_sentence: np.ndarray) -> tuple[Evidence, ...]:
    """The sentences that moved a dimension most, up first, each with its share of the movement."""
    total = float(np.abs(per_sentence).sum()) or 1.0
    order = sorted(range(len(per_sentence)), key=lambda i: (-abs(per_sentence[i]), i))
    ups = [i for i in order if per_sentence[i] >= MIN_EFFECT][:MAX_SHOWN]
    downs = [i for i in order if per_sentence[i] <= -MIN_EFFECT][: MAX_SHOWN - 1]
    out = []
    for i in sorted(ups) + sorted(downs):
        s = reading.sentences[i]
        effect = float(per_sentence[i])
        verb = "raised" if effect > 0 else "lowered"
        label = f"{verb} {DIMENSION_WORDS[d]} by {abs(effect):.2f} ({abs(effect) / total:.0%} of what the sentences moved)"
        out.append(Evidence(start=s.start, end=s.end, dimension=d, label=label, text=reading.doc.text[s.start:s.end],
                            effect=round(effect, 3)))
    return tuple(out)


def _rationale(reading: Reading, d: str, score: int, raw: float, cap: float, reasons: list[str],
               per_sentence: np.ndarray, whole: float) -> str:
    """One or two plain sentences on why a dimension got its score."""
    parts = [f"{score}/5."]
    points = [m for m in reading.key_points if m.point.dimension == d]
    if points:
        done = sum(1 for m in points if m.covered)
        things = "the one thing" if len(points) == 1 else f"the {len(points)} things"
        parts.append(f"Does {done} of {things} a strong answer does here.")
    if score > MIN_SCORE and len(per_sentence):  # a 1 is explained by what is missing, not by "credit"
        best = int(np.argmax(per_sentence))
        if per_sentence[best] >= MIN_EFFECT:
            sentence = reading.sentences[best]
            parts.append(f"Most credit came from: \u201c{_quote(reading.doc.text[sentence.start:sentence.end])}\u201d")
    if score == MIN_SCORE:
        missing = [m.point.description for m in points if not m.covered]
        if missing:
            parts.append(f"Missing most: {missing[0][0].lower() + missing[0][1:]}")
    if abs(whole) >= 0.25:
        parts.append(f"The answer as a whole (length, layout, clarity) {'added' if whole > 0 else 'took away'} "
                     f"{abs(whole):.1f} against a typical answer.")
    if raw > cap and reasons:
        parts.append(f"Limited to {cap:.1f} because the answer {reasons[0]}.")
    return " ".join(parts)


def _feedback(dims: Mapping[str, DimensionScore], reading: Reading, reasons: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Strengths from covered key points on strong dimensions; improvements from missing ones on weak ones."""
    strengths: list[str] = []
    improvements: list[str] = []
    if reasons:
        improvements.append(
            "Answer the question that was asked: this answer reads as if it answers a different one."
            if reasons[0].startswith("does not") else f"The answer {reasons[0]}: write what you did or would do, in sentences."
        )
    by_strength = sorted(DIMENSIONS, key=lambda d: (-dims[d].value, DIMENSIONS.index(d)))
    for d in by_strength:
        if dims[d].score >= STRENGTH_FROM:
            covered = [m for m in reading.key_points if m.point.dimension == d and m.covered]
            if covered:
                strengths.append(f"{DIMENSION_WORDS[d].capitalize()}: {covered[0].point.description}")
    for d in reversed(by_strength):
        for m in reading.key_points:
            if m.point.dimension == d and not m.covered and len(improvements) < 3:
                improvements.append(f"{DIMENSION_WORDS[d].capitalize()}: {m.point.description}")
    return tuple(strengths[:3]), tuple(improvements[:3])
