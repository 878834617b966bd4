"""The generic rubric: key points any TPM answer can earn, plus topic terms taken from the question."""

from __future__ import annotations

import re

from scoring.rubric import KeyPoint, Rubric
from scoring.signals import CUES
from scoring.text import STOPWORDS, stem, tokenize

# Words that frame a question rather than name its topic ("Tell me about a time you...").
QUESTION_FRAMING = frozenset(
    """tell describe walk explain share give example time times approach handle would could
    did do does run plan planning deal situation experience happened happen learn learned
    something someone specific recent recently past previous current currently think
    demonstrate demonstrated show showed shown face faced working work worked take took
    ever one two three four five six seven eight nine ten next last year years month months week weeks
    day days me us lot way ways make made need needed want wanted wants going know thing within meet
    expect expects expected use used using handled handle get got keep kept""".split()
)
_FRAMING_STEMS = frozenset(stem(w) for w in QUESTION_FRAMING)
MAX_TOPIC_TERMS = 8  # a question names a handful of things; more would dilute relevance

# Concepts a TPM question can be about, each with the close variants an on-topic answer uses.
# Kept tight on purpose: loose synonyms would make an answer to another question look relevant.
TOPIC_VARIANTS: dict[str, tuple[str, ...]] = {
    "leadership": ("leadership", "leader", "lead", "led", "captain", "president", "chair", "in charge",
                   "head of", "took the initiative", "stepped up", "director", "coordinator", "organizer"),
    "lead": ("lead", "led", "leader", "leadership", "in charge", "captain"),
    "team": ("team", "teammate", "group", "colleague", "members", "squad", "club", "crew"),
    "challenge": ("challenge", "problem", "difficult", "difficulty", "hard", "issue", "struggle", "obstacle",
                  "conflict", "tricky", "setback"),
    "problem": ("problem", "issue", "challenge", "difficult", "struggle", "obstacle", "went wrong", "bug"),
    "solve": ("solve", "solution", "resolve", "fix", "fixed", "figure out", "worked out", "address", "overcome"),
    "conflict": ("conflict", "disagree", "disagreement", "dispute", "argument", "clash", "tension", "friction"),
    "disagree": ("disagree", "disagreement", "conflict", "dispute", "argument", "objection", "objected"),
    "fail": ("fail", "failure", "failed", "slip", "slipped", "missed", "late", "delay", "delayed", "went wrong",
             "mistake", "behind schedule", "overran"),
    "slip": ("slip", "slipped", "delay", "delayed", "late", "missed", "behind schedule", "pushed out"),
    "mistake": ("mistake", "error", "wrong", "failure", "my fault", "on me", "messed up"),
    "deadline": ("deadline", "due date", "due", "launch date", "target date", "on time", "date", "timeline",
                 "schedule", "freeze", "cutoff", "late"),
    "influence": ("influence", "convince", "persuade", "buy-in", "won over", "get them to", "agreed", "pitch",
                  "negotiate"),
    "authority": ("authority", "report to me", "reporting line", "without authority", "didn't report",
                  "other org", "different org", "another org", "our org", "not my team", "outside my team",
                  "direct reports", "no say"),
    "manager": ("manager", "boss", "supervisor", "line manager", "skip level"),
    "stakeholder": ("stakeholder", "sponsor", "executive", "leadership", "customer", "partner"),
    "priority": ("priority", "prioritize", "prioritization", "trade-off", "roadmap", "backlog", "scope"),
    "migration": ("migration", "migrate", "move", "moving", "cutover", "cut over", "lift and shift", "transition"),
    "launch": ("launch", "release", "ship", "go live", "rollout", "roll out", "went live"),
    "decommission": ("decommission", "retire", "sunset", "shut down", "turn off", "deprecate", "switch off",
                     "migrate off"),
    "capacity": ("capacity", "scale", "scaling", "headroom", "load", "throughput", "traffic", "peak"),
    "traffic": ("traffic", "load", "requests", "rps", "qps", "peak", "volume"),
    "growth": ("growth", "grow", "increase", "forecast", "scale"),
    "api": ("api", "endpoint", "contract", "interface", "schema", "spec"),
    "contract": ("contract", "api", "interface", "schema", "spec", "agreement"),
    "incident": ("incident", "outage", "downtime", "sev", "postmortem", "on-call", "page"),
    "outage": ("outage", "incident", "downtime", "sev", "postmortem", "degradation"),
    "security": ("security", "vulnerability", "breach", "compliance", "audit", "privacy"),
    "vendor": ("vendor", "supplier", "third party", "contractor", "partner", "sow"),
    "budget": ("budget", "cost", "spend", "funding", "money", "headcount"),
    "cost": ("cost", "spend", "budget", "savings", "expensive", "money"),
    "estimate": ("estimate", "estimation", "sizing", "forecast", "timeline", "schedule"),
    "dependency": ("dependency", "depend", "blocked", "blocking", "waiting on", "upstream", "downstream"),
    "blocking": ("blocking", "blocked", "blocker", "dependency", "waiting on", "stuck"),
    "data": ("data", "dataset", "database", "records", "pipeline"),
    "quality": ("quality", "defect", "bug", "testing", "regression", "reliability"),
    "feedback": ("feedback", "criticism", "review", "told me", "input"),
    "change": ("change", "changed", "shift", "reorg", "pivot", "transition"),
    "ambiguity": ("ambiguity", "ambiguous", "unclear", "uncertain", "unknown", "vague"),
    "customer": ("customer", "client", "user", "merchant", "partner", "account"),
    "hire": ("hire", "hiring", "recruit", "headcount", "onboard"),
    "scope": ("scope", "requirement", "feature", "mvp", "descope", "cut"),
}
_CONCEPT_BY_STEM = {stem(concept): concept for concept in TOPIC_VARIANTS}
# Topic words so common in TPM talk that they say little about which question was answered.
GENERIC_TOPIC = frozenset(stem(w) for w in ("team", "program", "project", "company", "work", "people",
                                             "organization", "group", "product", "engineering", "process"))


def _kp(dimension: str, id_: str, description: str, *families: str) -> KeyPoint:
    """A key point shown by any phrase of the named cue families: the phrases live in one lexicon."""
    phrases = tuple(dict.fromkeys(p for family in families for p in CUES[family]))
    return KeyPoint(id=id_, dimension=dimension, description=description, phrases=phrases)


# What a strong answer to any TPM question does, each shown by the cue families of scoring/signals.py.
# Written from the rubric anchors (scoring/rubric.py ANCHORS), not from any graded answer.
GENERIC_KEY_POINTS: tuple[KeyPoint, ...] = (
    _kp("strategy", "goal", "States the goal and why it matters to the business.", "goal", "business"),
    _kp("strategy", "success-measure", "Defines how success is measured (a metric or target).", "metric"),
    _kp("strategy", "phased-plan", "Breaks the work into phases, milestones or steps with a sequence.", "plan"),
    _kp("strategy", "trade-offs", "Weighs options, alternatives or trade-offs before choosing.", "options"),
    _kp("strategy", "prioritisation", "Prioritises explicitly: scope, focus, order of work.", "priority"),
    _kp("risk", "names-risks", "Names specific risks, problems or threats to the outcome.", "risk_term"),
    _kp("risk", "dependencies", "Identifies dependencies on other teams, vendors or lead times.", "dependency"),
    _kp("risk", "mitigation", "Gives concrete mitigations for the risks named.", "mitigation"),
    _kp("risk", "contingency", "Has a contingency, fallback or rollback if mitigation fails.", "contingency"),
    _kp("risk", "likelihood-impact", "Judges likelihood and impact to decide what matters most.", "risk_size"),
    _kp("risk", "track-escalate", "Tracks risks over time and escalates at the right moment.", "risk_process"),
    _kp("communication", "audience", "Names who was kept informed (sponsor, leads, teams, customers).", "audience"),
    _kp("communication", "cadence", "Gives a communication cadence (daily, weekly, per milestone).", "cadence"),
    _kp("communication", "channel", "Names the channel or artefact (status report, dashboard, review).", "channel"),
    _kp("communication", "tailored-message", "Tailors the message to the audience and says what was told.", "informing"),
    _kp("communication", "escalation-path", "Describes escalation and decision paths.", "escalation"),
    _kp("leadership", "ownership", "Takes clear personal ownership of the outcome.", "ownership"),
    _kp("leadership", "influence", "Influences people without authority and wins their agreement.", "influence"),
    _kp("leadership", "conflict", "Works through conflict or disagreement to a resolution.", "conflict"),
    _kp("leadership", "decision", "Makes and explains hard decisions.", "decision"),
    _kp("leadership", "alignment", "Aligns and organises people: delegates, coordinates, motivates.", "coordination"),
    _kp("leadership", "outcome-lessons", "Reports the outcome and the lessons learned.", "result", "lesson"),
)
# Extra key points by question category: what that kind of question adds to the generic list.
CATEGORY_KEY_POINTS: dict[str, tuple[KeyPoint, ...]] = {
    "behavioral": (
        _kp("leadership", "reflection", "Reflects on what they would repeat or change.", "lesson"),
    ),
}


def question_topic_terms(question_text: str) -> tuple[str, ...]:
    """The content words of a question that name its topic, in order, without framing words."""
    seen: dict[str, str] = {}
    for tok in tokenize(question_text):
        word = tok.lower
        framing = word in QUESTION_FRAMING or tok.stem in _FRAMING_STEMS
        if tok.is_number or word in STOPWORDS or framing or len(word) < 3:
            continue
        if word.endswith("ly") and word not in TOPIC_VARIANTS:
            continue  # adverbs ("significantly") qualify the topic, they do not name it
        seen.setdefault(tok.stem, word)
    return tuple(seen.values())[:MAX_TOPIC_TERMS]


def topic_groups(topic_terms: tuple[str, ...], question_text: str) -> tuple[str, ...]:
    """The words an on-topic answer should use: the topic terms' and the question's content words."""
    groups: dict[str, str] = {}
    for term in topic_terms:
        for word in question_topic_terms(term.replace("-", " ")):
            groups.setdefault(stem(word), word)
    for word in question_topic_terms(question_text):
        groups.setdefault(stem(word), word)
    return tuple(groups.values())


def expand_topic_term(term: str) -> tuple[str, ...]:
    """A topic term and the close variants an on-topic answer would use."""
    toks = tokenize(term)
    concept = _CONCEPT_BY_STEM.get(toks[0].stem) if len(toks) == 1 else None
    if concept is None:
        return (term,)
    return (term,) + tuple(v for v in TOPIC_VARIANTS[concept] if v != term)


def generic_rubric(question_text: str, category: str | None = None) -> Rubric:
    """A rubric for a question outside the catalog: generic key points plus the question's topic terms."""
    text = re.sub(r"\s+", " ", question_text).strip()
    points = GENERIC_KEY_POINTS + CATEGORY_KEY_POINTS.get((category or "").strip().lower(), ())
    return Rubric(
        question_text=text,
        key_points=points,
        question_id=None,
        category=category,
        topic_terms=question_topic_terms(text),
    )
