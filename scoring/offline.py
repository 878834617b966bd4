"""The offline scorer: rubric key points plus general answer-quality signals, no model and no network.

How a score is formed (the numbers involved are named constants, each with its reason):
1. The answer is analysed once (scoring.text): tokens with offsets, fillers and repeated
   sentences set aside, sentences and layout.
2. One pass of phrase matching finds the rubric's key points, the question's topic words and
   the general cue families of scoring.signals (risks, mitigations, cadences, decisions...).
3. Signals in [0, 1] are read: coverage of each dimension's key points, each dimension's general
   evidence, and qualities of the whole answer (specificity, structure, clarity, ownership,
   deliberation, foresight, length). Each saturates: more of the same helps less and less.
4. A dimension's strength is a weighted sum of its signals (WEIGHTS), turned into a 1-5 value
   by a curve (CURVES), reduced when the answer is buzzwords and generalities, and capped at 2
   when it is off the question's topic, restates the question or is a bare keyword list.
5. The card quotes the passages behind each dimension, names the key points covered and
   missing, and turns the weakest dimensions' missing key points into improvements.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Mapping, Sequence

from scoring.card import MAX_SCORE, MIN_SCORE, DimensionScore, Evidence, ScoreCard, clamp_score
from scoring.feedback import feedback
from scoring.generic import CATEGORY_KEY_POINTS, GENERIC_KEY_POINTS, GENERIC_TOPIC, expand_topic_term, topic_groups
from scoring.rubric import DIMENSIONS, KeyPoint, Rubric
from scoring.signals import CUE_PHRASES, CUES, NUMBER_WORDS, AnswerCues, Cue, gather, pairs_within, saturate
from scoring.text import STOPWORDS, Document, Match, PhraseMatcher, analyse, content_stems, tokenize

SCORER_NAME = "offline"
SCORER_VERSION = "1.0.0"  # bump whenever any score, evidence or feedback text can change

RUBRIC_CACHE_SIZE = 256  # compiled rubrics kept; the catalog is a few hundred questions
MAX_EVIDENCE = 8  # spans kept per dimension: enough to explain, few enough to read
RISK_PAIR_REACH = 25  # tokens: a mitigation this close to a named risk answers that risk
UPDATE_PAIR_REACH = 12  # tokens: an audience this close to a cadence or channel is a described update
TARGET_REACH = 8  # tokens: a metric word this close to a number is a measurable target
GENERIC_TOPIC_WEIGHT = 0.25  # "team", "program": present in most answers, so weak proof of relevance
OWN_POINTS_FOR_FULL_RELEVANCE = 3  # covering a third of a question's own key points shows it is on topic
GENERIC_POINTS = frozenset(GENERIC_KEY_POINTS + tuple(p for ps in CATEGORY_KEY_POINTS.values() for p in ps))

# Saturation points: the count that earns half of a signal's credit. Set from the rubric's
# wording ("names some risks" is a 3, a full picture is a 5), so one or two pieces of evidence
# are half way and a handful is nearly all of it.
HALF_WORDS = 150  # length helps up to ~300 words and then barely at all: never dominant
HALF_SPECIFICS = 6  # numbers, dates, money, names
HALF_OWN_ACTIONS = 3
HALF_CUE = 2  # most cue families
HALF_RARE_CUE = 1  # cues that are strong on their own: a contingency, a consequence, a lesson
HALF_KEY_POINT_HITS = 1
HEDGES_PER_100_MAX = 6  # hedges per 100 words at which clarity is gone
DISFLUENCY_WEIGHT = 4  # clarity lost per unit share of "um"/"uh"/filler "like" among tokens
CLEAR_WORDS = 40  # words an answer needs before it can show full clarity (an empty answer is not clear)

# How each dimension's strength is built from the 0-1 signals. Coverage is the rubric's own key
# points; evidence is the dimension's general cue families; the rest are qualities any answer
# has. Chosen from the rubric anchors, then adjusted in 0.05 steps (with CURVES) against the two
# development sets and checked leave-one-question-out; a total above 1 lets a complete answer
# reach 5 without every signal being perfect.
WEIGHTS: dict[str, dict[str, float]] = {
    "strategy": {"coverage": 0.35, "evidence": 0.10, "deliberation": 0.40, "specificity": 0.30, "clarity": 0.10},
    "risk": {"coverage": 0.55, "evidence": 0.60, "foresight": 0.15, "clarity": 0.10},
    "communication": {"coverage": 0.10, "evidence": 0.05, "structure": 0.10, "specificity": 0.55, "clarity": 0.15,
                      "foresight": 0.20},
    "leadership": {"coverage": 0.10, "evidence": 0.65, "ownership": 0.20, "specificity": 0.40, "length": 0.15},
}
# Strength to 1-5: value = 1 + 4 * min(1, scale * strength) ** gamma. The curve is the same shape
# for every dimension (gamma > 1 keeps thin answers low, scale > 1 lets a complete answer reach 5);
# only its two numbers differ, because the dimensions' evidence saturates at different rates.
CURVES: dict[str, tuple[float, float]] = {
    "strategy": (1.15, 1.3),
    "risk": (1.05, 1.1),
    "communication": (1.1, 1.1),
    "leadership": (1.1, 1.1),
}

# Gates: limits on what an answer can earn whatever its vocabulary.
CAPPING_GATES = ("relevance", "fluency", "echo")
CAP_FLOOR = 2.0  # a fully closed gate caps every dimension at 2
RELEVANCE_FULL = 0.5  # share of the question's topic terms at which relevance stops limiting
FLUENCY_STOPWORDS = (0.12, 0.30)  # share of function words: a bare keyword list has ~0, prose ~0.4
ECHO_LIMITS = (0.35, 0.65)  # share of answer words taken from the question: above this it restates it
ECHO_MIN_WORDS = (20, 50)  # words before the echo limit applies fully
SUBSTANCE_FLOOR = 0.35  # an answer of pure buzzwords and generalities keeps this share of its strength
BUZZ_PENALTY_HALF = 4  # buzzwords per 100 words that halve the substance credit
GENERALITY_FREE = 1.0  # generalities per 100 words that cost nothing ("it's important to..." happens)
GENERALITY_HALF = 1.5  # each 1.5 per 100 words beyond that halves the substance credit
BLAME_CAP = 3.0  # blaming others caps leadership: the anchor for 1 names blame
NO_OWNERSHIP_CAP = 2.4  # not one action of the speaker's own: "the team did it", at most 2

# Cue families that make up each dimension's evidence signal, with their saturation points.
EVIDENCE_FAMILIES: dict[str, tuple[tuple[str, int], ...]] = {
    "strategy": (("goal", HALF_CUE), ("business", HALF_CUE), ("measurable", HALF_CUE), ("planned", HALF_CUE),
                 ("options", HALF_CUE)),
    "risk": (("risk_term", HALF_CUE), ("constraint", HALF_CUE), ("mitigated", HALF_CUE),
             ("contingency", HALF_RARE_CUE), ("consequence", HALF_RARE_CUE), ("risk_process", HALF_CUE)),
    "communication": (("audience", HALF_CUE), ("cadence", HALF_CUE), ("channel", HALF_CUE), ("informing", HALF_CUE),
                      ("update", HALF_CUE)),
    "leadership": (("influence", HALF_CUE), ("conflict", HALF_CUE), ("decision", HALF_CUE), ("coordination", HALF_CUE),
                   ("role", HALF_CUE)),
}
# How each gate reads in a rationale when it limits a score.
GATE_NAMES = {"relevance": "off the question's topic", "fluency": "a list of keywords, not sentences",
              "echo": "restates the question", "substance": "buzzwords and generalities"}
# Cue families quoted as evidence on each dimension's card.
SHOWN_FAMILIES: dict[str, frozenset[str]] = {
    "strategy": frozenset({"goal", "business", "metric", "plan", "options"}),
    "risk": frozenset({"risk_term", "constraint", "mitigation", "contingency", "risk_process", "consequence"}),
    "communication": frozenset({"cadence", "channel", "informing", "audience", "signpost"}),
    "leadership": frozenset({"influence", "conflict", "decision", "coordination", "role", "blame"}),
}


@dataclass(frozen=True)
class CompiledRubric:
    """Matchers for one rubric, built once and cached by fingerprint."""

    rubric: Rubric
    fingerprint: str
    key_points: tuple[KeyPoint, ...]
    # One matcher for the cue phrases, then the key point phrases, then the topic phrases, so an
    # answer is matched in a single pass; the offsets say where each part starts.
    matcher: PhraseMatcher
    key_offset: int
    topic_offset: int
    key_of_phrase: tuple[int, ...]
    topic_of_phrase: tuple[int, ...]
    topic_weights: tuple[float, ...]
    topic_words: tuple[str, ...]  # what the question is about, for feedback
    question_stems: frozenset[str]
    question_tokens: frozenset[str]  # numbers and names the question already gives


_CACHE: "OrderedDict[str, CompiledRubric]" = OrderedDict()
# Fingerprints of recently seen rubric objects. Hashing a rubric costs about a millisecond, a
# fifth of the time budget, so the same object is not hashed twice. Its only mutable part is
# the weights mapping, which is compared on every lookup.
_FINGERPRINTS: "OrderedDict[int, tuple[Rubric, tuple, str]]" = OrderedDict()


def _fingerprint(rubric: Rubric) -> str:
    """rubric.fingerprint(), remembered for the same unchanged rubric object."""
    weights = tuple(sorted((str(k), v) for k, v in rubric.weights.items()))
    known = _FINGERPRINTS.get(id(rubric))
    if known is not None and known[0] is rubric and known[1] == weights:
        return known[2]
    fp = rubric.fingerprint()
    _FINGERPRINTS[id(rubric)] = (rubric, weights, fp)  # holding the object keeps its id unique
    if len(_FINGERPRINTS) > RUBRIC_CACHE_SIZE:
        _FINGERPRINTS.popitem(last=False)
    return fp


def compile_rubric(rubric: Rubric) -> CompiledRubric:
    """Build (or fetch from the cache) the matchers for a rubric."""
    fp = _fingerprint(rubric)
    hit = _CACHE.get(fp)
    if hit is not None:
        _CACHE.move_to_end(fp)
        return hit
    key_phrases, key_of = [], []
    for idx, point in enumerate(rubric.key_points):
        for phrase in point.phrases:
            key_phrases.append(phrase)
            key_of.append(idx)
    topic_phrases, topic_of, weights = [], [], []
    groups = topic_groups(tuple(rubric.topic_terms), rubric.question_text)
    for idx, term in enumerate(groups):
        term_stems = tuple(t.stem for t in tokenize(term))
        generic = bool(term_stems) and all(s in GENERIC_TOPIC for s in term_stems)
        weights.append(GENERIC_TOPIC_WEIGHT if generic else 1.0)
        for variant in expand_topic_term(term):
            topic_phrases.append(variant)
            topic_of.append(idx)
    q_tokens = tokenize(rubric.question_text)
    compiled = CompiledRubric(
        rubric=rubric,
        fingerprint=fp,
        key_points=tuple(rubric.key_points),
        matcher=PhraseMatcher(CUE_PHRASES + tuple(key_phrases) + tuple(topic_phrases)),
        key_offset=len(CUE_PHRASES),
        topic_offset=len(CUE_PHRASES) + len(key_phrases),
        key_of_phrase=tuple(key_of),
        topic_of_phrase=tuple(topic_of),
        topic_weights=tuple(weights),
        topic_words=groups,
        question_stems=frozenset(content_stems(q_tokens)),
        question_tokens=frozenset(
            t.lower for t in q_tokens if t.is_number or t.text[:1].isupper() or t.lower in NUMBER_WORDS
        ),
    )
    _CACHE[fp] = compiled
    if len(_CACHE) > RUBRIC_CACHE_SIZE:
        _CACHE.popitem(last=False)
    return compiled


@dataclass(frozen=True)
class Reading:
    """Everything measured from one answer against one rubric, before scores are formed."""

    doc: Document
    ev: AnswerCues
    key_hits: tuple[tuple[tuple[int, int], ...], ...]  # per key point: token ranges found
    signals: Mapping[str, float]
    gates: Mapping[str, float]
    counts: Mapping[str, float]


def _ramp(x: float, lo: float, hi: float) -> float:
    """0 below lo, 1 above hi, linear between."""
    if x <= lo:
        return 0.0
    if x >= hi:
        return 1.0
    return (x - lo) / (hi - lo)


def _key_hits(comp: CompiledRubric, matches: Sequence[Match]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Token ranges where each key point's phrases occur (negated occurrences do not count)."""
    found: list[list[tuple[int, int]]] = [[] for _ in comp.key_points]
    for m in matches:
        if m.negated:
            continue
        rng = (m.first_token, m.last_token)
        kp = comp.key_of_phrase[m.phrase - comp.key_offset]
        if rng not in found[kp]:
            found[kp].append(rng)
    return tuple(tuple(sorted(h)) for h in found)


def _topic_share(comp: CompiledRubric, matches: Sequence[Match], hits) -> float:
    """How much the answer talks about this question: its topic words, or its own key points.

    Only key points written for this question count (the generic ones fit any question), and
    covering a third of them is as good as naming every topic word.
    """
    if not comp.topic_weights:
        return 1.0
    # Negated occurrences count: "there were not many conflicts" still talks about conflict.
    seen = {comp.topic_of_phrase[m.phrase - comp.topic_offset] for m in matches}
    share = sum(w for i, w in enumerate(comp.topic_weights) if i in seen) / sum(comp.topic_weights)
    own_points = [i for i, p in enumerate(comp.key_points) if p not in GENERIC_POINTS]
    if own_points:
        covered = sum(1 for i in own_points if hits[i]) / len(own_points)
        share = max(share, min(1.0, covered * OWN_POINTS_FOR_FULL_RELEVANCE))
    return share


def _coverage(comp: CompiledRubric, hits, dimension: str) -> float:
    """Mean credit over a dimension's key points; each saturates with repeated evidence."""
    idx = [i for i, p in enumerate(comp.key_points) if p.dimension == dimension]
    if not idx:
        return 0.0
    return sum(saturate(len(hits[i]), HALF_KEY_POINT_HITS) for i in idx) / len(idx)


def _counts(doc: Document, ev: AnswerCues) -> dict[str, float]:
    """Cue counts plus the derived pairings the signals read."""
    c: dict[str, float] = {name: ev.count(name) for name in CUES}
    amounts = [s for s in ev.specifics if s.family != "name"]
    c["money"] = sum(1 for s in ev.specifics if s.family == "money")
    c["business"] += c["money"]
    c["measurable"] = pairs_within(ev.of("metric") + ev.of("goal"), amounts, TARGET_REACH)
    c["mitigated"] = c["mitigation"] + pairs_within(ev.of("risk_term") + ev.of("constraint"), ev.of("mitigation"),
                                                    RISK_PAIR_REACH)
    c["contingency"] += len(ev.contingent_plans)
    c["planned"] = c["plan"] + c["sequence"] / 2  # an order of steps is a plan, if a thin one
    c["update"] = pairs_within(ev.of("audience"), ev.of("cadence") + ev.of("channel") + ev.of("informing"),
                               UPDATE_PAIR_REACH)
    c["specifics"] = sum(0.5 if s.family == "name" else 1.0 for s in ev.specifics)
    c["own"] = len(ev.own_actions)
    c["words"] = ev.words
    c["disfluency"] = doc.disfluencies / max(len(doc.tokens), 1)
    return c


def _signals(doc: Document, ev: AnswerCues, c: Mapping[str, float]) -> dict[str, float]:
    """The 0-1 signals: qualities of the whole answer, then each dimension's evidence."""
    words = max(c["words"], 1)
    own = c["own"]
    layout = saturate(doc.paragraphs - 1 + doc.list_items / 2 + doc.labels / 2, HALF_CUE)
    # A story's arc (context, task, own action, result, lesson): how speech shows its structure.
    arc = (sum(1 for name in ("situation", "task", "result", "lesson") if c[name]) + (1 if own else 0)) / 5
    s = {
        "length": saturate(words, HALF_WORDS),
        "specificity": saturate(c["specifics"], HALF_SPECIFICS),
        # Hedges and audible fillers per word: 6 hedges per 100 words, or one "um" in four words, leave
        # nothing. Clarity is shown by saying something: a few words earn only a share of it.
        "clarity": max(0.0, 1.0 - 100 * c["hedge"] / words / HEDGES_PER_100_MAX - c["disfluency"] * DISFLUENCY_WEIGHT)
        * _ramp(words, 0, CLEAR_WORDS),
        # Options weighed, reasons given, conditions foreseen, a goal named.
        "deliberation": (saturate(c["options"], HALF_CUE) + saturate(c["reasoning"], HALF_CUE)
                         + saturate(c["conditional"] + len(ev.contingent_plans), HALF_CUE)
                         + saturate(c["goal"], HALF_CUE)) / 4,
        # Thinking ahead: "if this happens, we would...".
        "foresight": saturate(c["conditional"] + len(ev.contingent_plans), HALF_CUE),
        # Layout (paragraphs, lists, labels) or a story arc, plus sequence words and signposts.
        "structure": 0.5 * max(layout, arc) + 0.25 * saturate(c["sequence"], 2 * HALF_CUE)
        + 0.25 * saturate(c["signpost"], HALF_RARE_CUE),
        # Actions of the speaker's own, discounted when "we" and "they" do most of the work.
        "ownership": saturate(own + 0.5 * c["role"], HALF_OWN_ACTIONS)
        * (0.5 + 0.5 * own / (own + 0.5 * ev.other_subjects + 1)),
    }
    for d, families in EVIDENCE_FAMILIES.items():
        s["evidence_" + d] = sum(saturate(c[name], half) for name, half in families) / len(families)
    return s


def _gates(doc: Document, comp: CompiledRubric, topic: float, c: Mapping[str, float]) -> dict[str, float]:
    """Limits in [0, 1] for off-topic, restated, list-like and buzzword answers (1 = no limit)."""
    counted = [t for t, skip in zip(doc.tokens, doc.skip) if not skip]
    words = max(len(counted), 1)
    stop_share = sum(1 for t in counted if t.lower in STOPWORDS) / words
    stems = content_stems(counted)
    echo = sum(1 for s in stems if s in comp.question_stems) / max(len(stems), 1)
    buzz = 100 * c["buzz"] / words
    general = max(0.0, 100 * c["generality"] / words - GENERALITY_FREE)
    return {
        "relevance": _ramp(topic, 0.0, RELEVANCE_FULL),
        "fluency": _ramp(stop_share, *FLUENCY_STOPWORDS),
        # Short answers borrow the question's words legitimately; restating needs some length.
        "echo": 1.0 - _ramp(echo, *ECHO_LIMITS) * _ramp(words, *ECHO_MIN_WORDS),
        "substance": 0.5 ** (buzz / BUZZ_PENALTY_HALF + general / GENERALITY_HALF),
    }


def measure(answer_text: str, rubric: Rubric) -> Reading:
    """Read every signal and gate from an answer; pure and deterministic."""
    return measure_compiled(answer_text, compile_rubric(rubric))


def measure_compiled(answer_text: str, comp: CompiledRubric) -> Reading:
    """measure() with the rubric already compiled."""
    doc = analyse(answer_text)
    matches = comp.matcher.find(doc.tokens, doc.skip, negation=False)
    cue_matches = [m for m in matches if m.phrase < comp.key_offset and not m.negated]
    key_matches = [m for m in matches if comp.key_offset <= m.phrase < comp.topic_offset]
    topic_matches = [m for m in matches if m.phrase >= comp.topic_offset]
    ev = gather(doc, comp.question_tokens, cue_matches)
    hits = _key_hits(comp, key_matches)
    counts = _counts(doc, ev)
    signals = _signals(doc, ev, counts)
    for d in DIMENSIONS:
        signals["coverage_" + d] = _coverage(comp, hits, d)
    topic = _topic_share(comp, topic_matches, hits)
    signals["relevance"] = topic
    gates = _gates(doc, comp, topic, counts)
    return Reading(
        doc=doc,
        ev=ev,
        key_hits=hits,
        signals={k: round(v, 4) for k, v in signals.items()},
        gates={k: round(v, 4) for k, v in gates.items()},
        counts=counts,
    )


def signal_value(reading: Reading, dimension: str, name: str) -> float:
    """A weighted signal's value for one dimension ('coverage' and 'evidence' are per dimension)."""
    if name in ("coverage", "evidence"):
        return reading.signals[name + "_" + dimension]
    return reading.signals[name]


def dimension_value(reading: Reading, dimension: str, weights: Mapping[str, float] | None = None) -> float:
    """The continuous 1-5 value of one dimension."""
    weights = WEIGHTS[dimension] if weights is None else weights
    strength = sum(w * signal_value(reading, dimension, name) for name, w in weights.items())
    gates = reading.gates
    strength *= SUBSTANCE_FLOOR + (1 - SUBSTANCE_FLOOR) * gates["substance"]
    scale, gamma = CURVES[dimension]
    value = MIN_SCORE + (MAX_SCORE - MIN_SCORE) * min(1.0, scale * strength) ** gamma
    # Off-topic, restated or list-like answers: at most 2 when a gate is fully closed.
    for name in CAPPING_GATES:
        value = min(value, CAP_FLOOR + (MAX_SCORE - CAP_FLOOR) * gates[name])
    if dimension == "leadership":
        if reading.counts["blame"]:
            value = min(value, BLAME_CAP)
        if not reading.counts["own"]:
            value = min(value, NO_OWNERSHIP_CAP)
    return round(value, 4)


def _evidence(reading: Reading, comp: CompiledRubric, dimension: str) -> tuple[Evidence, ...]:
    """Character spans that support a dimension: key points first, then signal cues, in text order."""
    doc = reading.doc
    ranked: list[tuple[int, int, int, str]] = []  # (priority, first, last, label)
    for idx, point in enumerate(comp.key_points):
        if point.dimension == dimension:
            for first, last in reading.key_hits[idx][:2]:
                ranked.append((0, first, last, point.id))
    cues: list[Cue] = [c for c in reading.ev.cues if c.family in SHOWN_FAMILIES[dimension]]
    if dimension == "leadership":
        cues += list(reading.ev.own_actions)
    if dimension == "risk":
        cues += list(reading.ev.contingent_plans)
    if dimension == "strategy":
        cues += [s for s in reading.ev.specifics if s.family in ("percent", "money")]
    ranked += [(1, c.first, c.last, c.family) for c in cues]
    chosen: dict[tuple[int, int], str] = {}
    for _, first, last, label in sorted(ranked):
        if (first, last) not in chosen and len(chosen) < MAX_EVIDENCE:
            chosen[(first, last)] = label
    out = []
    for (first, last), label in sorted(chosen.items()):
        start, end, text = doc.span_text(first, last)
        out.append(Evidence(start=start, end=end, dimension=dimension, label=label, text=text))
    return tuple(out)


def _rationale(dimension: str, score: int, covered: Sequence[str], missing: Sequence[str], reading: Reading) -> str:
    """One readable line on why a dimension got its score."""
    parts = [f"{score}/5"]
    if covered:
        parts.append("shows " + ", ".join(covered))
    if missing:
        parts.append("missing " + ", ".join(missing))
    limits = [GATE_NAMES[name] for name, g in sorted(reading.gates.items()) if g < 0.75]
    if dimension == "leadership" and reading.counts["blame"]:
        limits.append("blames others")
    if dimension == "leadership" and not reading.counts["own"]:
        limits.append("no action of your own")
    if limits:
        parts.append("limited by: " + ", ".join(limits))
    return "; ".join(parts)


def score(answer_text: str, rubric: Rubric) -> ScoreCard:
    """Score one answer against one rubric, offline and deterministically."""
    comp = compile_rubric(rubric)
    reading = measure_compiled(answer_text, comp)
    dims: dict[str, DimensionScore] = {}
    for d in DIMENSIONS:
        value = dimension_value(reading, d)
        s = clamp_score(value)
        covered = [p.id for i, p in enumerate(comp.key_points) if p.dimension == d and reading.key_hits[i]]
        missing = [p.id for i, p in enumerate(comp.key_points) if p.dimension == d and not reading.key_hits[i]]
        shown = {name: signal_value(reading, d, name) for name in WEIGHTS[d]}
        shown.update({"gate_" + k: v for k, v in reading.gates.items()})
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
    strengths, improvements = feedback(dims, comp.key_points, reading, weights, comp.topic_words)
    return ScoreCard(
        dimensions=dims,
        overall=overall,
        strengths=strengths,
        improvements=improvements,
        scorer=SCORER_NAME,
        scorer_version=SCORER_VERSION,
        rubric_hash=comp.fingerprint,
        notes=(),
        meta={"words": int(reading.counts["words"]), "relevance": reading.signals["relevance"]},
    )
