"""The offline scorer: rubric key points plus general answer-quality signals, no model and no network."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Mapping

from scoring.card import MAX_SCORE, MIN_SCORE, DimensionScore, Evidence, ScoreCard, clamp_score
from scoring.generic import GENERIC_TOPIC, expand_topic_term
from scoring.rubric import DIMENSIONS, KeyPoint, Rubric
from scoring.signals import CUES, Cue, Evidence as AnswerEvidence, gather, pairs_within, saturate
from scoring.text import STOPWORDS, Document, PhraseMatcher, analyse, content_stems, tokenize

SCORER_NAME = "offline"
SCORER_VERSION = "1.0.0"  # bump whenever any score can change

CUE_NAMES = tuple(CUES)
RUBRIC_CACHE_SIZE = 256  # compiled rubrics kept; the catalog is a few hundred questions
MAX_EVIDENCE = 8  # spans kept per dimension: enough to explain, few enough to read
RISK_PAIR_REACH = 25  # tokens: a mitigation this close to a named risk answers that risk
UPDATE_PAIR_REACH = 12  # tokens: an audience this close to a cadence or channel is a described update
GENERIC_TOPIC_WEIGHT = 0.25  # "team", "program": present in most answers, so weak proof of relevance

# Saturation points ("half" = the count that earns half the credit). Chosen from the rubric's
# wording of a 3 ("some", "names some") versus a 5, not fitted: one or two pieces of evidence
# are half way, a handful is nearly all of it.
HALF_LENGTH = 150  # words; length helps a little up to ~300 words and then barely at all
HALF_SPECIFICS = 6  # numbers, dates, names
HALF_OWN_ACTIONS = 3
HALF_CUES = 2
HALF_KEY_POINT_HITS = 1

# How each dimension's 0-1 strength is built from the signals (weights sum to 1 per dimension).
# Coverage is the rubric's own key points; the other signals are general evidence of the same
# quality, so that a question-specific rubric with unusual phrases is not the only judge.
WEIGHTS: dict[str, dict[str, float]] = {
    "strategy": {"coverage": 0.30, "planning": 0.25, "specificity": 0.20, "reasoning": 0.10, "length": 0.15},
    "risk": {"coverage": 0.30, "risk_handling": 0.35, "specificity": 0.15, "reasoning": 0.05, "length": 0.15},
    "communication": {"coverage": 0.25, "updates": 0.20, "structure": 0.20, "clarity": 0.10, "specificity": 0.10,
                      "length": 0.15},
    "leadership": {"coverage": 0.25, "ownership": 0.30, "influence": 0.15, "specificity": 0.15, "length": 0.15},
}

# Gates: multiply the strength above 1 (so 1 stays 1) when the answer cannot earn credit.
RELEVANCE_FLOOR = 0.25  # an off-topic answer keeps at most a quarter of its strength: <= 2
RELEVANCE_FULL = 0.5  # share of topic terms at which relevance stops limiting
FLUENCY_STOPWORDS = (0.12, 0.30)  # share of function words: a bare keyword list has ~0, prose ~0.4
ECHO_LIMITS = (0.35, 0.65)  # share of answer words taken from the question: above this it restates it
SUBSTANCE_FLOOR = 0.35  # an answer with no specifics and no actions of its own keeps this share
HALF_SUBSTANCE = 2.0  # specifics + own actions that earn half the substance credit
BUZZ_PENALTY_HALF = 4  # buzzwords per 100 words that halve the substance credit
BLAME_CAP = 3  # blaming others caps leadership: the anchor for 1 names blame
NO_OWNERSHIP_CAP = 2.4  # no action of the speaker's own: leadership is "the team did it"


@dataclass(frozen=True)
class CompiledRubric:
    """Matchers for one rubric, built once and cached by fingerprint."""

    rubric: Rubric
    fingerprint: str
    key_points: tuple[KeyPoint, ...]
    key_matcher: PhraseMatcher
    key_of_phrase: tuple[int, ...]
    topic_matcher: PhraseMatcher
    topic_of_phrase: tuple[int, ...]
    topic_weights: tuple[float, ...]
    question_stems: frozenset[str]
    question_tokens: frozenset[str]


_CACHE: "OrderedDict[str, CompiledRubric]" = OrderedDict()


def compile_rubric(rubric: Rubric) -> CompiledRubric:
    """Build (or fetch from the cache) the matchers for a rubric."""
    fp = rubric.fingerprint()
    hit = _CACHE.get(fp)
    if hit is not None:
        _CACHE.move_to_end(fp)
        return hit
    key_phrases, key_of = [], []
    for idx, point in enumerate(rubric.key_points):
        for phrase in point.phrases:
            key_phrases.append(phrase)
            key_of.append(idx)
    terms = rubric.topic_terms or ()
    topic_phrases, topic_of, weights = [], [], []
    for idx, term in enumerate(terms):
        term_stems = tuple(t.stem for t in tokenize(term))
        weights.append(GENERIC_TOPIC_WEIGHT if term_stems and all(s in GENERIC_TOPIC for s in term_stems) else 1.0)
        for variant in expand_topic_term(term):
            topic_phrases.append(variant)
            topic_of.append(idx)
    q_tokens = tokenize(rubric.question_text)
    compiled = CompiledRubric(
        rubric=rubric,
        fingerprint=fp,
        key_points=tuple(rubric.key_points),
        key_matcher=PhraseMatcher(key_phrases),
        key_of_phrase=tuple(key_of),
        topic_matcher=PhraseMatcher(topic_phrases),
        topic_of_phrase=tuple(topic_of),
        topic_weights=tuple(weights),
        question_stems=frozenset(content_stems(q_tokens)),
        question_tokens=frozenset(t.lower for t in q_tokens if t.is_number or t.text[:1].isupper()),
    )
    _CACHE[fp] = compiled
    if len(_CACHE) > RUBRIC_CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


def _ramp(x: float, lo: float, hi: float) -> float:
    """0 below lo, 1 above hi, linear between."""
    if x <= lo:
        return 0.0
    if x >= hi:
        return 1.0
    return (x - lo) / (hi - lo)


@dataclass(frozen=True)
class Reading:
    """Everything measured from one answer against one rubric, before scores are formed."""

    doc: Document
    ev: AnswerEvidence
    key_hits: tuple[tuple[tuple[int, int], ...], ...]  # per key point: token ranges found
    topic_share: float
    signals: Mapping[str, float]
    gates: Mapping[str, float]


def _key_hits(doc: Document, comp: CompiledRubric) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Token ranges where each key point's phrases occur."""
    found: list[list[tuple[int, int]]] = [[] for _ in comp.key_points]
    for m in comp.key_matcher.find(doc.tokens, doc.skip):
        kp = comp.key_of_phrase[m.phrase]
        rng = (m.first_token, m.last_token)
        if rng not in found[kp]:
            found[kp].append(rng)
    return tuple(tuple(sorted(h)) for h in found)


def _topic_share(doc: Document, comp: CompiledRubric) -> float:
    """Weighted share of the question's topic terms the answer talks about (1.0 if it names none)."""
    if not comp.topic_weights:
        return 1.0
    # Negation is kept: "there were not many conflicts" still talks about conflict.
    seen = {comp.topic_of_phrase[m.phrase] for m in comp.topic_matcher.find(doc.tokens, doc.skip, negation=False)}
    total = sum(comp.topic_weights)
    return sum(w for i, w in enumerate(comp.topic_weights) if i in seen) / total


def _coverage(comp: CompiledRubric, hits, dimension: str) -> float:
    """Mean credit over a dimension's key points; each saturates with repeated evidence."""
    idx = [i for i, p in enumerate(comp.key_points) if p.dimension == dimension]
    if not idx:
        return 0.0
    return sum(saturate(len(hits[i]), HALF_KEY_POINT_HITS) for i in idx) / len(idx)


def measure(answer_text: str, rubric: Rubric) -> Reading:
    """Read every signal and gate from an answer; pure and deterministic."""
    comp = compile_rubric(rubric)
    doc = analyse(answer_text)
    ev = gather(doc, comp.question_tokens)
    hits = _key_hits(doc, comp)
    words = max(ev.words, 1)
    c = {name: ev.count(name) for name in CUE_NAMES}
    specifics = sum(0.5 if s.family == "name" else 1.0 for s in ev.specifics)
    own = len(ev.own_actions)
    risk_pairs = pairs_within(ev.of("risk_term") + ev.of("constraint"), ev.of("mitigation"), RISK_PAIR_REACH)
    update_pairs = pairs_within(ev.of("audience"), ev.of("cadence") + ev.of("channel") + ev.of("informing"),
                                UPDATE_PAIR_REACH)
    star_parts = sum(1 for name in ("situation", "task", "result", "lesson") if c[name]) + (1 if own else 0)
    layout = saturate(doc.paragraphs - 1 + doc.list_items / 2 + doc.labels / 2, 2)
    hedges_per_100 = 100 * c["hedge"] / words
    fillers = sum(doc.fillers) / max(len(doc.tokens), 1)
    signals = {
        "length": saturate(words, HALF_LENGTH),
        "specificity": saturate(specifics, HALF_SPECIFICS),
        "reasoning": saturate(c["reasoning"] + c["conditional"] + c["consequence"], 2 * HALF_CUES),
        "structure": (star_parts / 5 + layout + saturate(c["sequence"], 2 * HALF_CUES)) / 3,
        "clarity": max(0.0, 1.0 - hedges_per_100 / 4 - fillers * 4),
        "ownership": saturate(own + 0.5 * c["role"], HALF_OWN_ACTIONS)
        * (0.5 + 0.5 * own / (own + 0.5 * ev.other_subjects + 1)),
        "planning": (saturate(c["goal"], HALF_CUES) + saturate(c["metric"], HALF_CUES)
                     + saturate(c["plan"] + c["sequence"] / 2, 2 * HALF_CUES) + saturate(c["options"], HALF_CUES)) / 4,
        "risk_handling": (saturate(c["risk_term"] + c["constraint"], 2 * HALF_CUES) + saturate(risk_pairs, HALF_CUES)
                          + saturate(c["contingency"] + (c["conditional"] + c["consequence"]) / 2, HALF_CUES)
                          + saturate(c["risk_process"], HALF_CUES)) / 4,
        "updates": (saturate(update_pairs, HALF_CUES) + saturate(c["cadence"], HALF_CUES)
                    + saturate(c["channel"] + c["informing"], 2 * HALF_CUES) + saturate(c["audience"], 2 * HALF_CUES)) / 4,
        "influence": (saturate(c["influence"], HALF_CUES) + saturate(c["conflict"], HALF_CUES)
                      + saturate(c["decision"], HALF_CUES) + saturate(c["coordination"], HALF_CUES)
                      + saturate(c["result"] + c["lesson"], HALF_CUES)) / 5,
    }
    for d in DIMENSIONS:
        signals["coverage_" + d] = _coverage(comp, hits, d)
    topic = _topic_share(doc, comp)
    signals["relevance"] = topic
    gates = _gates(doc, ev, comp, topic, specifics, own, c["buzz"])
    return Reading(doc, ev, hits, topic, {k: round(v, 4) for k, v in signals.items()}, gates)


def _gates(doc: Document, ev: AnswerEvidence, comp: CompiledRubric, topic: float, specifics: float,
           own: int, buzz: int) -> dict[str, float]:
    """Multipliers in [0, 1] for off-topic, restated, list-like, empty or buzzword answers."""
    counted = [t for t, s in zip(doc.tokens, doc.skip) if not s]
    words = max(len(counted), 1)
    stop_share = sum(1 for t in counted if t.lower in STOPWORDS) / words
    stems = content_stems(counted)
    echo = sum(1 for s in stems if s in comp.question_stems) / max(len(stems), 1)
    buzz_per_100 = 100 * buzz / words
    substance = saturate(specifics + own, HALF_SUBSTANCE) * (0.5 ** (buzz_per_100 / BUZZ_PENALTY_HALF))
    return {
        "relevance": RELEVANCE_FLOOR + (1 - RELEVANCE_FLOOR) * _ramp(topic, 0.0, RELEVANCE_FULL),
        "fluency": _ramp(stop_share, *FLUENCY_STOPWORDS),
        "echo": 1.0 - _ramp(echo, *ECHO_LIMITS),
        "substance": SUBSTANCE_FLOOR + (1 - SUBSTANCE_FLOOR) * substance,
    }


def dimension_value(reading: Reading, dimension: str) -> float:
    """The continuous 1-5 value of one dimension."""
    sig = reading.signals
    strength = 0.0
    for name, weight in WEIGHTS[dimension].items():
        key = "coverage_" + dimension if name == "coverage" else name
        strength += weight * sig[key]
    gate = 1.0
    for g in reading.gates.values():
        gate *= g
    value = MIN_SCORE + (MAX_SCORE - MIN_SCORE) * min(1.0, strength) * gate
    if dimension == "leadership":
        if reading.ev.count("blame"):
            value = min(value, BLAME_CAP)
        if not reading.ev.own_actions:
            value = min(value, NO_OWNERSHIP_CAP)
    return round(value, 4)


def _evidence(reading: Reading, comp: CompiledRubric, dimension: str) -> tuple[Evidence, ...]:
    """Character spans that support a dimension, key points first, earliest first."""
    doc = reading.doc
    spans: list[tuple[int, int, str]] = []
    for idx, point in enumerate(comp.key_points):
        if point.dimension == dimension:
            for first, last in reading.key_hits[idx][:2]:
                spans.append((first, last, point.id))
    families = SIGNAL_FAMILIES[dimension]
    extra: list[Cue] = [c for c in reading.ev.cues if c.family in families]
    if dimension == "leadership":
        extra += list(reading.ev.own_actions)
    if dimension in ("strategy", "communication"):
        extra += [s for s in reading.ev.specifics if s.family != "name"]
    for cue in sorted(extra, key=lambda c: (c.first, c.family)):
        spans.append((cue.first, cue.last, cue.family))
    out: list[Evidence] = []
    used: set[tuple[int, int]] = set()
    for first, last, label in sorted(spans, key=lambda s: (s[2] not in _KP_IDS(comp, dimension), s[0], s[2])):
        if (first, last) in used:
            continue
        used.add((first, last))
        start, end, text = doc.span_text(first, last)
        out.append(Evidence(start=start, end=end, dimension=dimension, label=label, text=text))
        if len(out) >= MAX_EVIDENCE:
            break
    return tuple(sorted(out, key=lambda e: (e.start, e.end, e.label)))


def _KP_IDS(comp: CompiledRubric, dimension: str) -> frozenset[str]:
    """Key point ids of one dimension."""
    return frozenset(p.id for p in comp.key_points if p.dimension == dimension)


# Signal cue families shown as evidence for each dimension.
SIGNAL_FAMILIES: dict[str, frozenset[str]] = {
    "strategy": frozenset({"goal", "metric", "plan", "options"}),
    "risk": frozenset({"risk_term", "mitigation", "contingency", "risk_process"}),
    "communication": frozenset({"cadence", "channel", "informing", "audience"}),
    "leadership": frozenset({"influence", "conflict", "decision", "coordination", "role", "blame"}),
}
# Signals whose values are reported on each dimension's card (besides coverage and gates).
REPORTED: dict[str, tuple[str, ...]] = {d: tuple(k for k in WEIGHTS[d] if k != "coverage") for d in DIMENSIONS}


def _rationale(dimension: str, score: int, covered: list[str], missing: list[str], reading: Reading) -> str:
    """One readable line on why a dimension got its score."""
    parts = [f"{score}/5"]
    if covered:
        parts.append("shows " + ", ".join(covered))
    if missing:
        parts.append("missing " + ", ".join(missing))
    limits = [name for name, g in sorted(reading.gates.items()) if g < 0.75]
    if limits:
        parts.append("limited by " + ", ".join(limits))
    return "; ".join(parts)


def score(answer_text: str, rubric: Rubric) -> ScoreCard:
    """Score one answer against one rubric, offline and deterministically."""
    comp = compile_rubric(rubric)
    reading = measure(answer_text, rubric)
    dims: dict[str, DimensionScore] = {}
    for d in DIMENSIONS:
        value = dimension_value(reading, d)
        s = clamp_score(value)
        covered = [p.id for i, p in enumerate(comp.key_points) if p.dimension == d and reading.key_hits[i]]
        missing = [p.id for i, p in enumerate(comp.key_points) if p.dimension == d and not reading.key_hits[i]]
        shown = {"coverage": reading.signals["coverage_" + d]}
        shown.update({k: reading.signals[k] for k in REPORTED[d]})
        shown.update({"gate_" + k: round(v, 4) for k, v in sorted(reading.gates.items())})
        dims[d] = DimensionScore(
            dimension=d,
            score=s,
            value=value,
            covered=tuple(covered),
            missing=tuple(missing),
            evidence=_evidence(reading, comp, d),
            signals=dict(sorted(shown.items())),
            rationale=_rationale(d, s, covered, missing, reading),
        )
    weights = rubric.normalised_weights()
    overall = round(sum(weights[d] * dims[d].score for d in DIMENSIONS), 2)
    strengths, improvements = (), ()
    return ScoreCard(
        dimensions=dims,
        overall=overall,
        strengths=strengths,
        improvements=improvements,
        scorer=SCORER_NAME,
        scorer_version=SCORER_VERSION,
        rubric_hash=comp.fingerprint,
        notes=(),
        meta={"words": reading.ev.words, "relevance": round(reading.topic_share, 4)},
    )
