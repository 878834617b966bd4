"""Text analysis for scoring: tokens with character offsets, stems, fillers, sentences, phrase matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, NamedTuple, Sequence

import threading

import snowballstemmer
from rapidfuzz.distance import OSA

# Words and numbers; apostrophes stay inside words ("didn't"), hyphens split words
# ("lift-and-shift" -> lift, and, shift) so phrases match however a writer hyphenates.
TOKEN_RE = re.compile(
    r"[$€£]?\d+(?:[.,:]\d+)*(?:\s?%|[kKmMbBxX]\b|ms\b|s\b)?"
    r"|[A-Za-z]+(?:['’][A-Za-z]+)*(?:\d+[A-Za-z]*)?"  # words, and codes such as Q3, p99, S3
)
CURRENCY = "$€£"

# A sentence ends at . ! ? (not inside numbers such as 2.3x) or at a line break.
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
LIST_LINE_RE = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)]|\(?[a-z]\)|step \d+)\s+", re.IGNORECASE | re.MULTILINE)
# A short line ending in a colon, or a short title-like line, reads as a heading.
HEADING_RE = re.compile(r"^\s*[A-Z][^\n.!?]{0,40}:\s*$|^\s*[A-Z][A-Za-z'’ ]{0,30}$", re.MULTILINE)
# "Situation: ..." style labels at the start of a line.
LABEL_RE = re.compile(r"^\s*([A-Z][A-Za-z'’ ]{1,30}):", re.MULTILINE)
PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n")
# After one of these (a label's colon, a bracket, a quote, a dash) a capital letter means nothing.
CLAUSE_OPENERS = frozenset(":;(\"“'‘—–-")
LIST_LETTERS = frozenset("abcd")  # "a) ..." list markers, read as tokens of one letter
ANALYSED_KEPT = 256  # analysed answers remembered; a Document is immutable, so sharing one is safe
NEAR_DUPLICATE = 0.8  # content overlap above which a sentence only repeats an earlier one
MIN_DEDUP_WORDS = 3  # content words a sentence needs before a near-repeat (not only an exact one) counts

# Pure disfluencies; always removed before any content signal is read.
FILLER_WORDS = frozenset(
    {"um", "umm", "ummm", "uh", "uhh", "uhhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm", "mm", "mmm", "mhm",
     "mmhmm"}
)
# Two-word fillers ("you know", "I mean") when they are not part of a clause.
FILLER_BIGRAMS = frozenset({("you", "know"), ("i", "mean")})
# Words around "you know" / "I mean" that make them real verbs ("do you know", "you know what").
FILLER_BIGRAM_GUARD_NEXT = frozenset({"what", "how", "that", "when", "where", "who", "why", "if", "whether"})
FILLER_BIGRAM_GUARD_PREV = frozenset({"do", "did", "if", "as", "don't", "didn't", "you", "would", "'d"})
# "like" is a verb or preposition after these words; elsewhere in speech it is a filler.
# Doubled words that are grammar, not a stutter ("that that", "had had").
REAL_DOUBLES = frozenset({"very", "that", "had"})
LIKE_REAL_PREV = frozenset(
    {
        "i", "you", "we", "they", "he", "she", "would", "i'd", "we'd", "you'd", "they'd", "do", "don't",
        "didn't", "not", "feel", "feels", "felt", "look", "looks", "looked", "seem", "seems", "sound",
        "sounds", "something", "things", "stuff", "anything", "nothing", "more", "less", "exactly",
        "much", "would've", "also", "really", "people", "who",
    }
)

# Function words that carry no topic; used for content counts and relevance.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
    here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself
    let's me more most mustn't my myself no nor not of off on once only or other ought our ours ourselves out
    over own same shan't she she'd she'll she's should shouldn't so some such than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've this those through
    to too under until up very was wasn't we we'd we'll we're we've were weren't what what's when when's
    where where's which while who who's whom why why's will with won't would wouldn't you you'd you'll
    you're you've your yours yourself yourselves just also really like get got go going went gonna yeah yes
    okay ok well sure oh thing things stuff lot lots kind sort bit pretty quite""".split()
)
# Dropped from phrases before matching, so "told the sponsor" also matches "told our sponsor".
PHRASE_GLUE = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "for", "with", "at", "by", "from", "into", "onto", "and", "or",
     "is", "are", "was", "were", "be", "been", "our", "their", "its"}
)
NEGATORS = frozenset(
    {"no", "not", "never", "without", "didn't", "don't", "doesn't", "wasn't", "weren't", "isn't", "aren't",
     "won't", "wouldn't", "couldn't", "can't", "cannot", "nobody", "none", "nothing", "neither", "nor",
     "hadn't", "haven't"}
)
NEGATION_REACH = 3  # tokens before a phrase that can negate it ("we had no rollback plan")
PHRASE_SLACK = 2  # extra tokens allowed inside a phrase window, so word order and small insertions still match
FUZZY_MIN_LEN = 8  # only long words are fuzzy-matched: shorter ones have real-word neighbours ("contact"/"contract")
# One slip (a missing, extra, wrong or swapped letter); two would merge real words ("conversation"/"conversion").
TYPO_LIMIT = 1
FUZZY_CACHE_MAX = 20_000  # per matcher; bounded for long-running servers

# Words whose stem would merge them with a word of another meaning ("weekly" is a cadence,
# "week" a duration; "accountable" is ownership, "accounts" are customers): kept as written.
KEEP_SURFACE = frozenset(
    {"weekly", "daily", "monthly", "quarterly", "biweekly", "yearly", "hourly", "nightly", "fortnightly",
     "regularly", "accountable", "accountability", "different", "differently", "critical", "criticism",
     "probably", "probability", "manager", "owner", "conversion", "conversation"}
)

# A snowball stemmer keeps state between calls, so concurrent threads (request threads and the
# scoring worker) sharing one corrupt each other's stems: each thread gets its own.
_STEMMERS = threading.local()
_STEM_CACHE: dict[str, str] = {}
_STEM_CACHE_MAX = 50_000  # bounded so a long-running server cannot grow it without limit

# British to American endings, applied before stemming so "prioritise" and "prioritize" meet.
_SPELLING_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<=\w{3})is(e|ed|es|ing|er|ers|ation|ations)$"), r"iz\1"),
    (re.compile(r"(?<=\w{2})ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"(?<=\w{3}[ivlbn])our(s|ed|ing|able)?$"), r"or\1"),
    (re.compile(r"^programme(s)?$"), r"program\1"),
)


def normalise_spelling(word: str) -> str:
    """Map common British spellings onto American ones so both stem alike."""
    for pattern, repl in _SPELLING_RULES:
        word = pattern.sub(repl, word)
    return word


def _thread_stemmer():
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer


def stem(word: str) -> str:
    """Snowball stem of a lower-case word, cached."""
    cached = _STEM_CACHE.get(word)
    if cached is None:
        base = word.replace("’", "'")
        if base in STOPWORDS or base in KEEP_SURFACE:
            cached = base  # function words, their contractions ("that's") and KEEP_SURFACE stay as written
        elif base.endswith("s") and base[:-1] in KEEP_SURFACE:
            cached = base[:-1]  # "managers" is still a manager, not "managed"
        else:
            if base.endswith("'s"):
                base = base[:-2]  # possessive: "vendor's" is about the vendor
            cached = _thread_stemmer().stemWord(normalise_spelling(base)) if base.isalpha() else base
        if len(_STEM_CACHE) >= _STEM_CACHE_MAX:
            _STEM_CACHE.clear()
        _STEM_CACHE[word] = cached
    return cached


class Token(NamedTuple):
    """One word or number with its place in the original text."""

    text: str
    lower: str
    stem: str
    start: int
    end: int
    is_number: bool


class Span(NamedTuple):
    """A character range of the original text and the token range inside it."""

    start: int
    end: int
    first_token: int
    last_token: int  # exclusive


_WORD_CACHE: dict[str, tuple[str, str, bool]] = {}  # token as typed -> (lower, stem, is_number)


def word_count(text: str) -> int:
    """Words and numbers in a text (the one word count: answers, guides, the length baseline)."""
    return sum(1 for _ in TOKEN_RE.finditer(text))


def _word_info(raw: str) -> tuple[str, str, bool]:
    """Lower-case form, stem and number flag of a token as typed, cached."""
    info = _WORD_CACHE.get(raw)
    if info is None:
        lower = raw.lower().replace("’", "'")
        is_number = raw[0].isdigit() or raw[0] in CURRENCY
        info = (lower, lower if is_number else stem(lower), is_number)
        if len(_WORD_CACHE) >= _STEM_CACHE_MAX:
            _WORD_CACHE.clear()
        _WORD_CACHE[raw] = info
    return info


def tokenize(text: str) -> tuple[Token, ...]:
    """Words and numbers of the text with character offsets and stems."""
    out = []
    known = _WORD_CACHE.get
    make = tuple.__new__  # builds the named tuple without its Python-level __new__: tokenising is hot
    for m in TOKEN_RE.finditer(text):
        raw = m.group(0)
        lower, stemmed, is_number = known(raw) or _word_info(raw)
        start, end = m.span()
        out.append(make(Token, (raw, lower, stemmed, start, end, is_number)))
    return tuple(out)


def filler_flags(tokens: Sequence[Token]) -> tuple[bool, ...]:
    """Which tokens are spoken fillers or stutters (um, uh, filler 'like', 'you know', 'we we')."""
    flags = [False] * len(tokens)
    lowers = [t.lower for t in tokens]
    for i, word in enumerate(lowers):
        prev = lowers[i - 1] if i else ""
        nxt = lowers[i + 1] if i + 1 < len(lowers) else ""
        if word in FILLER_WORDS:
            flags[i] = True
        elif word == "like" and prev not in LIKE_REAL_PREV:
            flags[i] = True
        elif (word, nxt) in FILLER_BIGRAMS and nxt and prev not in FILLER_BIGRAM_GUARD_PREV:
            after = lowers[i + 2] if i + 2 < len(lowers) else ""
            if after not in FILLER_BIGRAM_GUARD_NEXT:
                flags[i] = flags[i + 1] = True
        elif word == nxt and not tokens[i].is_number and word not in REAL_DOUBLES:
            # A stutter ("we we we"): keep the last copy, drop the repeats.
            flags[i] = True
    return tuple(flags)


def split_sentences(text: str, tokens: Sequence[Token]) -> tuple[Span, ...]:
    """Sentence spans (at . ! ? or line breaks), each with its token range."""
    bounds = []
    pos = 0
    for m in SENTENCE_END_RE.finditer(text):
        if m.start() > pos:
            bounds.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        bounds.append((pos, len(text)))
    spans = []
    ti = 0
    for start, end in bounds:
        while ti < len(tokens) and tokens[ti].end <= start:
            ti += 1
        first = ti
        while ti < len(tokens) and tokens[ti].start < end:
            ti += 1
        if ti > first:
            # A span starts at its first word (after any list marker) and ends before trailing space.
            s = tokens[first].start
            e = end
            while e > s and text[e - 1].isspace():
                e -= 1
            spans.append(Span(s, e, first, ti))
    return tuple(spans)


def content_stems(tokens: Iterable[Token]) -> list[str]:
    """Stems of the topic-bearing words (no stopwords, no numbers)."""
    return [t.stem for t in tokens if not t.is_number and t.lower not in STOPWORDS and len(t.lower) > 1]


class Match(NamedTuple):
    """A phrase found in the text: which phrase and which tokens."""

    phrase: int
    first_token: int
    last_token: int  # exclusive
    negated: bool = False  # a negator comes just before it ("no rollback plan")


class Pattern(NamedTuple):
    """How one phrase is matched: its stems, and whether their order is free."""

    stems: tuple[str, ...]
    loose: bool  # any order inside a short window; otherwise the words must follow each other
    length: int  # words in the phrase as written


def compile_phrase(phrase: str) -> Pattern:
    """The stems a phrase must show and how strictly.

    Glue words ("the", "of") are dropped when two or more words are left, and those words may
    come in any order ("rollback plan" / "plan to roll back"). A phrase that would shrink to
    one word ("in charge", "on time", "so that") is matched word for word instead, because
    its glue is its meaning.
    """
    words = [t.lower for t in tokenize(phrase)]
    kept = [w for w in words if w not in PHRASE_GLUE]
    loose = len(kept) >= 2
    chosen = kept if loose else words
    return Pattern(tuple(stem(w) if not w[:1].isdigit() else w for w in chosen), loose, len(words))


class PhraseMatcher:
    """Finds phrases by stem, tolerating word order, small insertions and typos in long words."""

    def __init__(self, phrases: Sequence[str]):
        self.phrases = tuple(phrases)
        self._patterns = tuple(compile_phrase(p) for p in self.phrases)
        by_stem: dict[str, list[int]] = {}
        for idx, pattern in enumerate(self._patterns):
            if pattern.stems:
                by_stem.setdefault(pattern.stems[0], []).append(idx)
        vocab = {s for pattern in self._patterns for s in pattern.stems}
        self._by_stem = {s: tuple(v) for s, v in by_stem.items()}
        self._vocab = frozenset(vocab)
        # Long surface words of the phrases and their stems: typos are judged on what was typed.
        long_words: dict[str, str] = {}
        for p in self.phrases:
            for tok in tokenize(p):
                if len(tok.lower) >= FUZZY_MIN_LEN and tok.lower.isalpha():
                    long_words.setdefault(tok.lower, tok.stem)
        self._long_vocab = tuple(sorted(long_words.items()))
        self._fuzzy_cache: dict[str, str | None] = {}

    def _resolve(self, token_stem: str, lower: str) -> str | None:
        """The vocabulary stem a token stands for: exact, or a close spelling of a long word."""
        if token_stem in self._vocab:
            return token_stem
        if len(lower) < FUZZY_MIN_LEN or not lower.isalpha():
            return None
        if lower in self._fuzzy_cache:
            return self._fuzzy_cache[lower]
        best = None
        for word, word_stem in self._long_vocab:
            # Same first letter and similar length first: cheap filters before the edit distance.
            if word[0] != lower[0] or abs(len(word) - len(lower)) > TYPO_LIMIT:
                continue
            if OSA.distance(word, lower, score_cutoff=TYPO_LIMIT) <= TYPO_LIMIT:
                best = word_stem
                break
        if len(self._fuzzy_cache) >= FUZZY_CACHE_MAX:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[lower] = best
        return best

    def find(self, tokens: Sequence[Token], skip: Sequence[bool] | None = None, negation: bool = True) -> list[Match]:
        """Every occurrence of every phrase, earliest first; skipped tokens are ignored.

        With `negation`, an occurrence just after a negator ("no rollback plan") is dropped;
        without it, such occurrences are kept and marked `negated`.
        """
        # Work on the counted tokens only, so fillers ("risk, um, register") do not split phrases.
        keep = list(range(len(tokens))) if skip is None else [i for i, s in enumerate(skip) if not s]
        vocab, resolve = self._vocab, self._resolve
        resolved = []
        for i in keep:
            tok = tokens[i]
            resolved.append(tok.stem if tok.stem in vocab else resolve(tok.stem, tok.lower))
        where: dict[str, list[int]] = {}
        for k, s in enumerate(resolved):
            if s is not None:
                where.setdefault(s, []).append(k)
        negated_at = _negation_marks(tokens)
        matches: list[Match] = []
        by_stem, patterns = self._by_stem, self._patterns
        for k, s in enumerate(resolved):
            if s is None or s not in by_stem:
                continue
            for idx in by_stem[s]:
                pattern = patterns[idx]
                need = pattern.stems
                if len(need) == 1:
                    first, last = keep[k], keep[k] + 1
                elif not pattern.loose:
                    end = k + len(need)
                    if end > len(resolved) or tuple(resolved[k:end]) != need:
                        continue
                    first, last = keep[k], keep[end - 1] + 1
                else:
                    found = _locate(pattern, resolved, where, k)
                    if found is None:
                        continue
                    first, last = keep[found[0]], keep[found[1] - 1] + 1
                negated = negated_at[first]
                if negation and negated:
                    continue
                matches.append(Match(idx, first, last, negated))
        matches.sort(key=lambda m: (m.first_token, m.phrase, m.last_token))
        return matches


def _locate(pattern: Pattern, resolved: Sequence[str | None], where: dict[str, list[int]],
            anchor: int) -> tuple[int, int] | None:
    """Range (in counted-token positions) of a loose phrase anchored on its first stem, or None."""
    need = pattern.stems
    window = pattern.length + PHRASE_SLACK
    positions = [anchor]
    for s in need[1:]:
        best = None
        for j in where.get(s, ()):
            # The nearest unused occurrence inside the window, earlier position first on ties.
            distance = abs(j - anchor)
            if distance < window and j not in positions and (best is None or distance < abs(best - anchor)):
                best = j
        if best is None:
            return None
        positions.append(best)
    first, last = min(positions), max(positions) + 1
    if last - first > len(need) + PHRASE_SLACK:
        return None
    return first, last


def _negation_marks(tokens: Sequence[Token]) -> list[bool]:
    """For each token, whether a negator sits within NEGATION_REACH tokens before it."""
    marks = [False] * len(tokens)
    for j, tok in enumerate(tokens):
        if tok.lower in NEGATORS:
            for i in range(j + 1, min(len(tokens), j + 1 + NEGATION_REACH)):
                marks[i] = True
    return marks



@dataclass(frozen=True, slots=True)
class Document:
    """An answer analysed once: tokens, fillers, repeated sentences, sentences and layout."""

    text: str
    tokens: tuple[Token, ...]
    fillers: tuple[bool, ...]
    skip: tuple[bool, ...]  # fillers and tokens of sentences that only repeat earlier ones
    sentences: tuple[Span, ...]
    sentence_of: tuple[int, ...]  # token index -> sentence index
    opens_clause: tuple[bool, ...]  # a capital here starts a sentence, line or label, so it names nothing
    paragraphs: int
    list_items: int
    labels: int  # "Situation:"-style labels and short heading lines
    words: int  # tokens that count: not fillers, not repeats
    repeated_sentences: int
    disfluencies: int  # "um", "uh" and filler "like": the fillers a listener notices

    def span_text(self, first: int, last: int) -> tuple[int, int, str]:
        """Character span and text covering tokens first..last-1."""
        start, end = self.tokens[first].start, self.tokens[last - 1].end
        return start, end, self.text[start:end]


def _dedup_flags(tokens: Sequence[Token], sentences: Sequence[Span], fillers: Sequence[bool]) -> tuple[list[bool], int]:
    """Mark tokens of sentences that repeat an earlier sentence, word for word or nearly."""
    skip = list(fillers)
    kept: list[frozenset[str]] = []
    seen: set[tuple[str, ...]] = set()
    repeated = 0
    for sent in sentences:
        span = range(sent.first_token, sent.last_token)
        words = [tokens[i] for i in span if not fillers[i]]
        exact = tuple(t.stem for t in words)
        stems = frozenset(t.stem for t in words if t.lower not in STOPWORDS)
        if exact in seen or len(stems) >= MIN_DEDUP_WORDS and any(
            len(stems & prev) >= NEAR_DUPLICATE * max(len(stems), len(prev)) for prev in kept
        ):
            repeated += 1
            for i in range(sent.first_token, sent.last_token):
                skip[i] = True
            continue
        seen.add(exact)
        kept.append(stems)
    return skip, repeated


@lru_cache(maxsize=ANALYSED_KEPT)
def analyse(text: str) -> Document:
    """Tokenise and segment an answer once, for every signal to read (remembered: the same answer is
    read against several rubrics when training, and re-scored by more than one scorer)."""
    tokens = tokenize(text)
    fillers = filler_flags(tokens)
    sentences = split_sentences(text, tokens)
    sentence_of = [0] * len(tokens)
    opens = [False] * len(tokens)
    for idx, sent in enumerate(sentences):
        for i in range(sent.first_token, sent.last_token):
            sentence_of[i] = idx
        # The first real word of a sentence (after any list marker or filler) opens it.
        i = sent.first_token
        while i < sent.last_token and (fillers[i] or tokens[i].is_number or tokens[i].text in LIST_LETTERS):
            opens[i] = True
            i += 1
        if i < sent.last_token:
            opens[i] = True
    for i, tok in enumerate(tokens):
        # After a colon, bracket, quote or dash, or at the start of a line, a capital means nothing.
        # Only capitals matter, so only they are checked.
        if not tok.text[0].isupper() or opens[i]:
            continue
        before = text[max(0, tok.start - 3) : tok.start]
        if not CLAUSE_OPENERS.isdisjoint(before) or (tok.start and text[tok.start - 1] == "\n"):
            opens[i] = True
    skip, repeated = _dedup_flags(tokens, sentences, fillers)
    # Layout is counted once per distinct paragraph: pasting a paragraph again adds no structure.
    blocks = list(dict.fromkeys(" ".join(b.split()) for b in PARAGRAPH_BREAK_RE.split(text) if b.strip()))
    distinct = "\n\n".join(b for b in dict.fromkeys(b.strip() for b in PARAGRAPH_BREAK_RE.split(text) if b.strip()))
    return Document(
        text=text,
        tokens=tokens,
        fillers=fillers,
        skip=tuple(skip),
        sentences=sentences,
        sentence_of=tuple(sentence_of),
        opens_clause=tuple(opens),
        paragraphs=len(blocks),
        list_items=len(LIST_LINE_RE.findall(distinct)),
        labels=len(LABEL_RE.findall(distinct)) + len(HEADING_RE.findall(distinct)),
        words=sum(1 for s in skip if not s),
        repeated_sentences=repeated,
        disfluencies=sum(1 for t, f in zip(tokens, fillers) if f and (t.lower in FILLER_WORDS or t.lower == "like")),
    )
