"""Rubric-independent evidence in an answer: specifics, ownership, structure, risk and communication cues."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, NamedTuple, Sequence

from scoring.text import CURRENCY, STOPWORDS, Document, Match, PhraseMatcher, Token


def _phrases(spec: str) -> tuple[str, ...]:
    """A '|'-separated phrase list (keeps the lexicon table readable)."""
    return tuple(p.strip() for p in spec.split("|") if p.strip())


# Cue families read from every answer, whatever the rubric. General English and general
# program-management vocabulary, written from the rubric anchors, not from graded answers.
CUES: dict[str, tuple[str, ...]] = {
    # Vagueness and hedging: an answer built on these says little a listener can check.
    "hedge": _phrases(
        "I guess | I think | kind of | sort of | maybe | probably | basically | and stuff | or something | "
        "things like that | et cetera | etc | pretty much | I suppose | somehow | I don't know | not sure | "
        "a bunch | or whatever | you name it | some stuff"
    ),
    # Vacuous business-speak: sounds like substance, names nothing checkable.
    "buzz": _phrases(
        "synergy | leverage | holistic | data-driven | customer-obsessed | best practices | culture of | "
        "bias for action | north star | future-proof | world-class | cutting-edge | paradigm | "
        "operational excellence | continuous improvement | socialize | unlock | empower | seamless | "
        "end-to-end | at scale | high velocity | going forward | deliver value | value and impact | "
        "move the needle | low-hanging fruit | win-win | thought leadership | cross-functional alignment | "
        "stakeholder alignment | strong alignment | matrixed | mindset | journey | game changer | "
        "drive alignment | fostered | innovation | transformation | proactive | alignment across | "
        "key stakeholders | significant value | robust framework | excellence"
    ),
    # Generalities: advice about how things should be done instead of what this person did or would do.
    "generality": _phrases(
        "you should | you can | you need | you have to | you want | it is important | it's important | "
        "is important | is key | is really the key | always | in general | usually | typically | generally | "
        "at the end of the day | all about | any organization | every company | you shouldn't"
    ),
    # Pushing the outcome onto others ("the vendor was the main issue").
    "blame": _phrases(
        "blame | their fault | not my fault | outside our control | out of our control | the main issue | "
        "dropped the ball | pretty slow | were slow | didn't prioritize | kept changing | nothing I could do | "
        "wasn't my | not our fault | because of them"
    ),
    # STAR parts, as written labels or as spoken discourse.
    "situation": _phrases(
        "situation | context | background | at my last company | at my previous | when I was | last year | "
        "last summer | last semester | at the time | I was working | in my role | there was a | the program was | "
        "the project was | we were building | I was the"
    ),
    "task": _phrases(
        "task | my job | my role | goal | I was responsible | needed to | had to | was asked to | objective | "
        "the challenge was | the problem was | was supposed to | in charge of | responsible for"
    ),
    "result": _phrases(
        "result | outcome | in the end | eventually | ended up | as a result | by the end | launched | shipped | "
        "delivered | went live | it worked | successful | successfully | worked out | on time | finished"
    ),
    "lesson": _phrases(
        "learned | lesson | takeaway | next time | in hindsight | would do differently | taught me | "
        "looking back | realized | with hindsight | the lesson"
    ),
    # Signposts: telling the listener how the answer is organised, or giving the headline first.
    "signpost": _phrases(
        "in short | to summarize | in summary | to recap | in a nutshell | bottom line | the headline | "
        "the short answer | the key is | two things | three things | a few steps | step by step | first of all | "
        "to start with | let me walk you through | here's how | here's my plan | my plan is | overall"
    ),
    # Sequencing words: spoken answers show their structure through these.
    "sequence": _phrases(
        "first | second | third | then | next | after that | finally | afterwards | once | later | "
        "so then | at the end | to start | step | by the time | meanwhile | before that"
    ),
    # Reasons and consequences: the thinking behind a choice.
    "reasoning": _phrases(
        "because | so that | in order to | which meant | since | therefore | that's why | the reason | "
        "which is why | given that | that way | instead of | rather than | trade-off | tradeoff"
    ),
    "conditional": _phrases("if | otherwise | unless | in case | whether | worst case | what if"),
    # What would happen if something went wrong: impact thinking in plain words.
    "consequence": _phrases(
        "otherwise | would have | would mean | which meant | that meant | would have to | we'd have to | "
        "at risk | could have | the danger | impact | consequence | would lose | would miss | at stake"
    ),
    # Constraints a plan has to respect: time, money, capacity, rules.
    "constraint": _phrases(
        "deadline | due | time constraint | budget | capacity | rules | limited | tight | schedule | on time | "
        "in time | late | lead time | bandwidth | headcount | freeze | cutoff | regulation | compliance"
    ),
    "risk_term": _phrases(
        "risk | issue | problem | concern | blocker | dependency | depend on | delay | slip | fail | failure | "
        "bottleneck | constraint | late | miss | threat | break | went wrong | behind | overrun | outage | bug | "
        "hidden | unknown | surprise | gap | drift | single point of failure | key person | attrition | "
        "regression | incident | degradation | data loss | breach | vulnerability | underestimate | unplanned | "
        "scope creep | uncertain | worry | danger | fragile"
    ),
    "mitigation": _phrases(
        "mitigate | mitigation | buffer | backup | fallback | contingency | rollback | roll back | revert | "
        "plan b | dry run | rehearse | pilot | monitor | trigger | threshold | escalate | feature flag | "
        "kill switch | standby | redundant | prevent | avoid | reduce | test | in case | workaround | "
        "redo | re-plan | cut scope | reduced scope | defer | guard | alarm | ramp | safeguard | reconciliation | "
        "parallel run | canary | brownout | shadow | dark launch | staged rollout | phased rollout | gradual | "
        "game day | runbook | checklist | sign-off | guardrail | ahead of time | "
        "failover | circuit breaker | rate limit | load shedding | backstop | double-check | make sure"
    ),
    "contingency": _phrases(
        "contingency | fallback | fall back | rollback | roll back | revert | plan b | backup plan | "
        "feature flag | kill switch | switch off | standby | fail back | worst case | go/no-go | "
        "reversible | switch back | failover | hot standby | abort | roll forward | "
        "last resort | exit criteria | pull the plug"
    ),
    "risk_process": _phrases(
        "risk register | risk log | raid | likelihood | probability | impact | severity | owner | trigger | "
        "reviewed weekly | risk review | escalate | escalation | steering | red | amber | burn down | "
        "watch list | escalation path | threshold | tracked"
    ),
    "audience": _phrases(
        "stakeholder | sponsor | executive | exec | leadership | vp | director | manager | em | tech lead | "
        "customer | partner | finance | legal | ceo | cto | coo | team leads | leads | everyone | professor | "
        "client | users"
    ),
    "cadence": _phrases(
        "weekly | daily | biweekly | monthly | every week | every day | every friday | every monday | "
        "twice a week | standup | stand-up | sync | check-in | checked in | regular | regularly | cadence | "
        "recurring | office hours | one-on-one | 1:1 | quarterly | every other day | each week"
    ),
    "channel": _phrases(
        "email | slack | channel | dashboard | status report | status update | update | one-pager | doc | "
        "memo | meeting | all-hands | town hall | newsletter | tracker | faq | wiki | presentation | slide | "
        "review | write-up | note | call"
    ),
    "informing": _phrases(
        "told | informed | let them know | heads-up | shared | presented | explained | updated | reported | "
        "walked them through | communicated | announced | briefed | kept them | sent"
    ),
    "influence": _phrases(
        "convince | convinced | persuade | influence | pitch | pitched | buy-in | won over | got them to | "
        "negotiate | common ground | middle ground | credit | their priorities | their goals | made it easy | "
        "agreed to | proposed | offered"
    ),
    "conflict": _phrases(
        "conflict | disagree | disagreement | tension | push back | pushback | mediate | mediator | both sides | "
        "compromise | resolve | resolved | consensus | hard conversation | difficult conversation | sat down | "
        "talk it through | heated | argued | calm"
    ),
    "decision": _phrases(
        "decided | decision | chose | made the call | recommend | recommended | went with | settled on | "
        "picked | opted | concluded | my call"
    ),
    # Holding a role: captain, chair, "I was the TPM", "in charge of".
    "role": _phrases(
        "in charge | captain | president | chair | leader | founder | head of | responsible for | "
        "accountable | tpm | program manager | my role | I became | I was the lead | I owned | I led | organizer | "
        "coordinator | director of | co-president"
    ),
    "coordination": _phrases(
        "organized | coordinated | delegated | delegate | assigned | set up | brought together | ran | led | "
        "recruited | motivated | mentored | coached | scheduled | divided | split up | planned"
    ),
    "goal": _phrases(
        "goal | objective | purpose | aim | target | so that | in order to | mission | outcome | success | "
        "what done means | the point | why | driver"
    ),
    # The business the work serves: money, customers, market.
    "business": _phrases(
        "business | revenue | cost | customers | margin | arr | gmv | conversion | churn | retention | market | "
        "profit | savings | contracts | deal | sales | growth | users | spend | roi"
    ),
    "metric": _phrases(
        "metric | measure | measured | kpi | okr | target | baseline | percent | conversion | adoption | slo | "
        "sla | p99 | p95 | latency | cost | budget | revenue | headroom"
    ),
    "plan": _phrases(
        "phase | wave | stage | milestone | pilot | roadmap | timeline | schedule | sequence | "
        "rollout | mvp | iteration | week one | first step | priority | prioritize | focus on | scope"
    ),
    # Families the generic rubric's key points need beyond the ones above (scoring/generic.py).
    "priority": _phrases(
        "prioritize | priority | most important | critical path | scope | cut scope | defer | must-have | "
        "focus on | descope | sequence | de-prioritize | start with | later"
    ),
    "dependency": _phrases(
        "dependency | depend on | blocked | waiting on | lead time | vendor | upstream | downstream | "
        "other team | third party | critical path | external | prerequisite | handoff"
    ),
    "risk_size": _phrases(
        "likelihood | probability | impact | severity | likely | unlikely | blast radius | consequence | "
        "high risk | low risk | critical"
    ),
    "escalation": _phrases(
        "escalate | escalation | decision | decide | ask | sign off | approval | steering | adr | "
        "decision log | go/no-go"
    ),
    "ownership": _phrases(
        "I owned | I own | I was responsible | my responsibility | I led | I took | I stepped up | "
        "took the initiative | in charge | accountable | I drove | on me | my call | I decided | I made sure"
    ),
    "options": _phrases(
        "option | options | alternative | trade-off | tradeoff | instead of | rather than | versus | pros and cons | "
        "advantages | disadvantages | whether | compromise | either | weigh | cost of"
    ),
}
# The rubric dimension each cue family speaks to. It is how the site reads what an interviewer's
# follow-up probes ("When would you roll back?" probes risk), with the same phrases and the same
# token matching as the scorer: one lexicon, never a substring.
DIMENSION_FAMILIES: dict[str, tuple[str, ...]] = {
    "strategy": ("goal", "business", "metric", "plan", "options", "reasoning"),
    "risk": ("risk_term", "mitigation", "contingency", "risk_process", "consequence", "constraint"),
    "communication": ("audience", "cadence", "channel", "informing"),
    "leadership": ("influence", "conflict", "decision", "role", "coordination", "lesson"),
}
CUE_PHRASES: tuple[str, ...] = tuple(p for phrases in CUES.values() for p in phrases)
CUE_OF_PHRASE: tuple[str, ...] = tuple(name for name, phrases in CUES.items() for _ in phrases)
CUE_MATCHER = PhraseMatcher(CUE_PHRASES)

# Subjects whose actions are the speaker's own.
FIRST_PERSON = frozenset({"i", "i'd", "i'll", "i've"})
# Subjects that hand the action to someone else ("we", "the team", "they").
OTHER_SUBJECTS = frozenset({"we", "we'd", "we'll", "we've", "they", "they'd", "they'll", "everyone", "everybody"})
# Words that can sit between "I" and the verb ("I then quickly wrote", "I had to call").
BETWEEN_SUBJECT_AND_VERB = frozenset(
    {"also", "then", "personally", "actually", "just", "really", "quickly", "immediately", "eventually",
     "finally", "first", "still", "always", "would", "will", "had", "to", "have", "could", "should", "can",
     "went", "ahead", "later", "basically", "definitely", "kind", "sort", "of", "ended", "up", "even",
     "decided", "tried", "started", "began", "helped", "managed", "never",
     "'d", "myself", "originally", "usually", "initially", "directly", "soon"}
)
# Verbs after "I" that state a feeling, a state or a hedge rather than an action taken.
NOT_ACTIONS = frozenset(
    {"guess", "think", "thought", "mean", "feel", "felt", "believe", "suppose", "know", "knew", "remember",
     "like", "liked", "love", "loved", "hope", "hoped", "wish", "want", "wanted", "need", "needed", "was",
     "am", "were", "wasn't", "say", "see", "saw", "used", "play", "played", "enjoy", "enjoyed", "agree",
     "realized", "learned", "noticed", "found", "heard", "assume", "imagine", "doubt", "get",
     "don't", "didn't", "can't", "couldn't", "wouldn't", "haven't", "hadn't", "do", "have", "had"}
)
# Words that, after "I" and before any verb, show a decision or ownership even so ("I decided to ...").
OWNERSHIP_VERBS = frozenset({"decided", "started", "managed", "tried", "helped", "began"})

# A condition followed by what would be done about it: a contingency in plain words.
CONDITION_WORDS = frozenset({"if", "unless"})
RESPONSE_WORDS = frozenset(
    {"would", "will", "we'd", "i'd", "we'll", "i'll", "they'd", "it'd", "then", "should", "'d", "could"}
)
CONDITION_REACH = 20  # tokens after "if" in which the planned response has to appear

NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty "
    "hundred thousand million billion dozen half twice double triple".split()
)
DATE_WORDS = frozenset(
    "january february march april june july august september october november december jan feb apr jun "
    "jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday".split()
)
# Words after a number that make it money or a percentage ("40 million", "12 percent").
MONEY_WORDS = frozenset({"dollars", "usd", "eur", "euros", "pounds", "gbp", "million", "billion", "k", "m", "arr"})
PERCENT_WORDS = frozenset({"percent", "pct"})
# Framework acronyms that name a habit, not a fact about this answer's situation.
GENERIC_ACRONYMS = frozenset(
    "raci okr okrs kpi kpis roi slo slos sli slis sla slas tpm pm mvp star qa faq asap ai ml it hr".split()
)


class Cue(NamedTuple):
    """One cue found in the answer: its family and token range."""

    family: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class AnswerCues:
    """Everything rubric-independent the scorer reads from one answer."""

    cues: tuple[Cue, ...]
    by_family: Mapping[str, tuple[Cue, ...]]  # the same cues, grouped, earliest first
    specifics: tuple[Cue, ...]  # family: number, percent, money, date, code or name
    own_actions: tuple[Cue, ...]  # "I" + an action verb
    contingent_plans: tuple[Cue, ...]  # "if X, we would Y"
    other_subjects: int  # "we", "they", "everyone" as subjects
    words: int

    def count(self, family: str) -> int:
        """How many cues of a family were found."""
        return len(self.by_family.get(family, ()))

    def of(self, family: str) -> tuple[Cue, ...]:
        """The cues of one family, earliest first."""
        return self.by_family.get(family, ())


def find_cues(doc: Document, matches: Sequence[Match] | None = None) -> tuple[Cue, ...]:
    """Every cue phrase in the answer, fillers and repeated sentences ignored.

    `matches` are CUE_PHRASES matches found already (by a matcher that holds them first), so a
    caller that matches other phrases too can do it in one pass.
    """
    if matches is None:
        matches = CUE_MATCHER.find(doc.tokens, doc.skip)
    return tuple(Cue(CUE_OF_PHRASE[m.phrase], m.first_token, m.last_token) for m in matches)


def _is_name(doc: Document, i: int) -> bool:
    """A capitalised word mid-sentence or an acronym: a named team, system, place or person."""
    tok = doc.tokens[i]
    text = tok.text
    if tok.is_number or tok.lower in FIRST_PERSON or tok.lower in STOPWORDS or tok.lower in GENERIC_ACRONYMS:
        return False
    if len(text) >= 2 and text.isupper():
        return True
    return text[0].isupper() and not doc.opens_clause[i]


def nxt_is_number(doc: Document, i: int) -> bool:
    """Whether the token after i is a number ("May 3" is a date, "may" alone is not)."""
    return i + 1 < len(doc.tokens) and doc.tokens[i + 1].is_number


def find_specifics(doc: Document, known: frozenset[str] = frozenset()) -> tuple[Cue, ...]:
    """Numbers, dates, codes (Q3, p99) and names that the question did not already give."""
    out = []
    for i, tok in enumerate(doc.tokens):
        if doc.skip[i] or tok.lower in known:
            continue
        if tok.is_number:
            nxt = doc.tokens[i + 1].lower if i + 1 < len(doc.tokens) else ""
            if tok.text[0] in CURRENCY or nxt in MONEY_WORDS:
                kind = "money"
            elif tok.text.endswith("%") or nxt in PERCENT_WORDS:
                kind = "percent"
            else:
                kind = "number"
        elif tok.lower in NUMBER_WORDS:
            kind = "number"
        elif tok.lower in DATE_WORDS or (tok.lower == "may" and nxt_is_number(doc, i)):
            kind = "date"
        elif not tok.text.isalpha() and any(c.isdigit() for c in tok.text):
            kind = "code"
        elif tok.text[0].isupper() and _is_name(doc, i):
            kind = "name"
        else:
            continue
        out.append(Cue(kind, i, i + 1))
    return tuple(out)


def find_contingent_plans(doc: Document) -> tuple[Cue, ...]:
    """'If X, we would Y' and 'unless X, Y will': a condition with a planned response."""
    tokens, skip = doc.tokens, doc.skip
    out = []
    for i, tok in enumerate(tokens):
        if skip[i] or tok.lower not in CONDITION_WORDS:
            continue
        for j in range(i + 1, min(len(tokens), i + CONDITION_REACH)):
            if doc.sentence_of[j] != doc.sentence_of[i]:
                break
            if not skip[j] and (tokens[j].lower in RESPONSE_WORDS or tokens[j].lower.endswith("'ll")):
                out.append(Cue("contingent-plan", i, j + 1))
                break
    return tuple(out)


def _next_word(tokens: Sequence[Token], skip: Sequence[bool], i: int) -> int:
    """Index of the next counted token after i, or len(tokens)."""
    i += 1
    while i < len(tokens) and skip[i]:
        i += 1
    return i


def find_own_actions(doc: Document) -> tuple[tuple[Cue, ...], int]:
    """'I' followed by an action verb, and how often 'we', 'they' or 'everyone' is the subject."""
    tokens, skip = doc.tokens, doc.skip
    actions = []
    others = 0
    for i, tok in enumerate(tokens):
        if skip[i]:
            continue
        word = tok.lower
        if word in OTHER_SUBJECTS:
            others += 1
        elif word in FIRST_PERSON:
            j = _next_word(tokens, skip, i)
            owned = False
            while j < len(tokens) and tokens[j].lower in BETWEEN_SUBJECT_AND_VERB:
                owned = owned or tokens[j].lower in OWNERSHIP_VERBS
                j = _next_word(tokens, skip, j)
            if j >= len(tokens) or doc.sentence_of[j] != doc.sentence_of[i]:
                continue
            verb = tokens[j].lower
            if owned or (verb not in NOT_ACTIONS and verb not in STOPWORDS and not tokens[j].is_number):
                actions.append(Cue("own-action", i, j + 1))
    return tuple(actions), others


def gather(doc: Document, known: frozenset[str] = frozenset(), matches: Sequence[Match] | None = None) -> AnswerCues:
    """All rubric-independent evidence of one answer (`matches`: see find_cues)."""
    actions, others = find_own_actions(doc)
    cues = find_cues(doc, matches)
    grouped: dict[str, list[Cue]] = {}
    for cue in cues:
        grouped.setdefault(cue.family, []).append(cue)
    return AnswerCues(
        cues=cues,
        by_family={family: tuple(found) for family, found in grouped.items()},
        specifics=find_specifics(doc, known),
        own_actions=actions,
        contingent_plans=find_contingent_plans(doc),
        other_subjects=others,
        words=doc.words,
    )


def saturate(count: float, half: float) -> float:
    """0 for nothing, 0.5 at `half`, approaching 1: more evidence helps less and less."""
    if count <= 0:
        return 0.0
    return 1.0 - math.pow(0.5, count / half)


def pairs_within(first: Sequence[Cue], second: Sequence[Cue], reach: int) -> int:
    """How many cues of `first` have a cue of `second` within `reach` tokens (either side)."""
    n = 0
    for a in first:
        if any(abs(b.first - a.first) <= reach for b in second):
            n += 1
    return n


def dimension_cue_counts(doc: Document) -> dict[str, int]:
    """How many places in a text use a cue of each dimension's families (a phrase in two families
    of one dimension counts once)."""
    spans: dict[str, set[tuple[int, int]]] = {d: set() for d in DIMENSION_FAMILIES}
    for cue in find_cues(doc):
        for dimension, families in DIMENSION_FAMILIES.items():
            if cue.family in families:
                spans[dimension].add((cue.first, cue.last))
    return {d: len(s) for d, s in spans.items()}
