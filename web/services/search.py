"""Site search: one BM25 index over guides and questions, built once from the loaded catalog."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

from markupsafe import Markup, escape

from scoring.text import STOPWORDS, TOKEN_RE, stem, tokenize
from web.content import Catalog

# BM25 constants at their usual values; titles count three times so a title match ranks first.
K1, B = 1.2, 0.75
FIELD_WEIGHTS = {"title": 3, "tags": 2, "body": 1}
SNIPPET_CHARS = 220
MAX_QUERY_TERMS = 12
INDEXES_KEPT = 4  # one per loaded catalog; tests load a few


def terms(text: str) -> list[str]:
    """Stems of the words in a text, stop words removed: the scorer's own tokens and stems, so the
    site has one notion of a word."""
    return [t.stem for t in tokenize(text) if t.lower not in STOPWORDS]


@dataclass(frozen=True)
class Document:
    """One searchable page: a guide (ref is its slug) or a question (ref is its id)."""

    kind: str  # "guide" or "question"
    ref: str
    title: str
    url: str
    body: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"


@dataclass(frozen=True)
class Hit:
    """A ranked result with a highlighted snippet."""

    document: Document
    score: float
    title_html: Markup
    snippet_html: Markup


class SearchIndex:
    """An inverted index with BM25 ranking over title, tags and body."""

    def __init__(self, documents: list[Document], tags: dict[str, str]):
        self.documents = documents
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.lengths: list[float] = []
        for index, doc in enumerate(documents):
            counts: Counter[str] = Counter()
            for field, text in (("title", doc.title), ("tags", tags.get(doc.key, "")), ("body", doc.body)):
                for term in terms(text):
                    counts[term] += FIELD_WEIGHTS[field]
            self.lengths.append(sum(counts.values()))
            for term, weight in counts.items():
                self.postings[term][index] = weight
        self.average_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0

    def search(self, query: str, limit: int = 30) -> list[Hit]:
        """Documents matching the query, best first (a document must contain every query term)."""
        query_terms = list(dict.fromkeys(terms(query)))[:MAX_QUERY_TERMS]
        if not query_terms:
            return []
        candidates: set[int] | None = None
        for term in query_terms:
            docs = set(self.postings.get(term, {}))
            candidates = docs if candidates is None else candidates & docs
        scores: dict[int, float] = {}
        n = len(self.documents)
        for term in query_terms:
            posting = self.postings.get(term, {})
            idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
            for index in candidates or ():
                tf = posting[index]
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.lengths[index] / self.average_length))
                scores[index] = scores.get(index, 0.0) + idf * norm
        ranked = sorted(scores, key=lambda i: (-scores[i], self.documents[i].title))[:limit]
        return [self._hit(self.documents[i], scores[i], query_terms) for i in ranked]

    def _hit(self, doc: Document, score: float, query_terms: list[str]) -> Hit:
        return Hit(doc, score, highlight(doc.title, query_terms), highlight(snippet(doc.body, query_terms), query_terms))


def _matches(word: str, query_terms: list[str]) -> bool:
    return stem(word.lower()) in query_terms


def snippet(text: str, query_terms: list[str]) -> str:
    """A window of the text around the first matching word."""
    flat = re.sub(r"\s+", " ", text).strip()
    for match in TOKEN_RE.finditer(flat):
        if _matches(match.group(), query_terms):
            start = max(0, match.start() - SNIPPET_CHARS // 3)
            start = flat.rfind(" ", 0, start) + 1 if start else 0
            piece = flat[start:start + SNIPPET_CHARS]
            return ("… " if start else "") + piece + (" …" if start + SNIPPET_CHARS < len(flat) else "")
    return flat[:SNIPPET_CHARS] + (" …" if len(flat) > SNIPPET_CHARS else "")


def highlight(text: str, query_terms: list[str]) -> Markup:
    """Escape text and wrap words matching the query in <mark>."""
    out: list[str] = []
    last = 0
    for match in TOKEN_RE.finditer(text):
        if _matches(match.group(), query_terms):
            out.append(str(escape(text[last:match.start()])))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def build_index(catalog: Catalog) -> SearchIndex:
    """Index every guide and question of a catalog."""
    documents = [Document("guide", g.slug, g.title, f"/guides/{g.slug}", f"{g.summary}\n{g.text}", "Guide") for g in catalog.guides]
    documents += [
        Document("question", q.id, q.title, f"/questions/{q.id}", q.prompt_text, f"{q.category_label} question")
        for q in catalog.questions.values()
    ]
    tags = {f"guide:{g.slug}": " ".join(g.tags) for g in catalog.guides}
    tags |= {f"question:{q.id}": " ".join(q.tags) for q in catalog.questions.values()}
    return SearchIndex(documents, tags)


_INDEX_LOCK = threading.Lock()
_INDEXES: dict[int, tuple[Catalog, SearchIndex]] = {}


def index_for(catalog: Catalog) -> SearchIndex:
    """The catalog's index, built on first use (content never changes while the process runs)."""
    with _INDEX_LOCK:
        kept = _INDEXES.get(id(catalog))
        if kept is None or kept[0] is not catalog:  # the catalog is held, so its id is never reused
            if len(_INDEXES) >= INDEXES_KEPT:
                _INDEXES.clear()
            kept = _INDEXES[id(catalog)] = (catalog, build_index(catalog))
        return kept[1]
