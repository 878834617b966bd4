"""Browsing the content catalog: question filters, text search and pagination."""

from __future__ import annotations

from dataclasses import dataclass

from web.content import CATEGORIES, Catalog, Question
from web.services.answers import Page
from web.services.search import index_for, terms

DIFFICULTY_ORDER = {"easy": 0, "medium": 1, "hard": 2}


@dataclass(frozen=True)
class QuestionFilter:
    """What the question bank is narrowed to."""

    category: str = ""
    difficulty: str = ""
    dimension: str = ""
    tag: str = ""
    q: str = ""

    @property
    def active(self) -> bool:
        """Whether any filter is set."""
        return any((self.category, self.difficulty, self.dimension, self.tag, self.q.strip()))


def filter_questions(*, catalog: Catalog, flt: QuestionFilter) -> list[Question]:
    """Questions matching the filter; a text search ranks them as site search does (BM25, every
    word must appear), otherwise they come by category and difficulty."""
    questions = [
        q for q in catalog.questions.values()
        if (not flt.category or q.category == flt.category)
        and (not flt.difficulty or q.difficulty == flt.difficulty)
        and (not flt.dimension or flt.dimension in q.weighted_dimensions[:2])
        and (not flt.tag or flt.tag in q.tags)
    ]
    if terms(flt.q):
        wanted = {q.id for q in questions}
        hits = index_for(catalog).search(flt.q, limit=len(catalog.questions) + len(catalog.guides))
        return [catalog.questions[h.document.ref] for h in hits if h.document.kind == "question" and h.document.ref in wanted]
    questions.sort(key=lambda q: (q.category, DIFFICULTY_ORDER.get(q.difficulty, 9), q.title))
    return questions


def paginate(items: list, *, page: int, per_page: int) -> Page:
    """Cut a list into one page (page numbers outside the range are clamped)."""
    total = len(items)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Page(items=items[start:start + per_page], page=page, pages=pages, total=total)


def counts_by_category(*, catalog: Catalog) -> dict[str, int]:
    """How many questions each category has, in the catalog's category order."""
    counts = dict.fromkeys(CATEGORIES, 0)
    for question in catalog.questions.values():
        counts[question.category] += 1
    return counts


def questions_by_id(*, catalog: Catalog, ids) -> dict[str, Question]:
    """The catalog's questions for these ids (ids no longer in the catalog are left out), so a page
    gets the questions it shows rather than the whole catalog."""
    return {i: q for i in dict.fromkeys(ids) if (q := catalog.question(i)) is not None}


def time_box_seconds(*, catalog: Catalog, question: Question) -> int | None:
    """The time a mock interview gives this question (its first track's), to measure a spoken answer against."""
    for track in catalog.tracks.values():
        for item in track.items:
            if item.question_id == question.id:
                return int(round(item.minutes * 60))
    return None
