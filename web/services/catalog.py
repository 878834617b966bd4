"""Browsing the content catalog: question filters, text search and pagination."""

from __future__ import annotations

import re
from dataclasses import dataclass

from web.content import Catalog, Question
from web.services.answers import Page

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


def _terms(text: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if len(t) > 1]


def _search_score(question: Question, terms: list[str]) -> int:
    """How well a question matches search terms: title counts most, then tags, then the prompt."""
    if not terms:
        return 1
    title, tags, prompt = question.title.lower(), " ".join(question.tags).lower(), question.prompt_text.lower()
    score = 0
    for term in terms:
        hit = 0
        if term in title:
            hit = 5
        elif term in tags:
            hit = 3
        elif term in prompt:
            hit = 1
        if not hit:
            return 0  # every term must appear somewhere
        score += hit
    return score


def filter_questions(*, catalog: Catalog, flt: QuestionFilter) -> list[Question]:
    """Questions matching the filter; search results ranked, otherwise by category and difficulty."""
    terms = _terms(flt.q)
    matches: list[tuple[int, Question]] = []
    for question in catalog.questions.values():
        if flt.category and question.category != flt.category:
            continue
        if flt.difficulty and question.difficulty != flt.difficulty:
            continue
        if flt.dimension and flt.dimension not in question.weighted_dimensions[:2]:
            continue
        if flt.tag and flt.tag not in question.tags:
            continue
        score = _search_score(question, terms)
        if score:
            matches.append((score, question))
    matches.sort(key=lambda m: (-m[0], m[1].category, DIFFICULTY_ORDER.get(m[1].difficulty, 9), m[1].title))
    return [q for _, q in matches]


def paginate(items: list, *, page: int, per_page: int) -> Page:
    """Cut a list into one page (page numbers outside the range are clamped)."""
    total = len(items)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Page(items=items[start:start + per_page], page=page, pages=pages, total=total)
