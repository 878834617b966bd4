"""The catalog's typed objects: guides, questions, tracks, and the problems a content file can have."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from scoring.rubric import DIMENSIONS, Rubric

# The one list of question categories, in the order the site shows them.
CATEGORY_LABELS = {
    "behavioral": "Behavioral",
    "program-sense": "Program sense",
    "program-execution": "Program execution",
    "technical": "Technical",
    "strategy": "Strategy",
}
CATEGORIES = tuple(CATEGORY_LABELS)
DIFFICULTIES = ("easy", "medium", "hard")
QUESTION_SECTIONS = {
    "prompt": "Prompt",
    "look_for": "What interviewers look for",
    "tips": "Tips",
    "example": "Example strong answer",
}
SOURCE_KINDS = ("first-party", "secondary", "unverified")
WORDS_PER_MINUTE = 230  # typical adult reading speed for non-fiction


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with a content file, located to a line."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class ContentError(Exception):
    """Raised when the catalog cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Heading:
    """A heading of a rendered document, for a table of contents."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Source:
    """Where a guide's claim about a company comes from, and how far to trust it."""

    id: str
    title: str
    publisher: str
    url: str
    kind: str  # one of SOURCE_KINDS

    @property
    def anchor(self) -> str:
        """The fragment a claim links to."""
        return f"source-{self.id}"


@dataclass(frozen=True)
class Guide:
    """A guide page."""

    slug: str
    title: str
    summary: str
    order: int
    tags: tuple[str, ...]
    question_ids: tuple[str, ...]
    html: str
    toc: tuple[Heading, ...]
    word_count: int
    path: Path
    text: str  # plain text of the body, for search
    sources: tuple[Source, ...] = ()

    @property
    def reading_minutes(self) -> int:
        """Estimated reading time, at least one minute."""
        return max(1, math.ceil(self.word_count / WORDS_PER_MINUTE))


@dataclass(frozen=True)
class Question:
    """A practice question with its rubric and rendered sections."""

    id: str
    title: str
    category: str
    difficulty: str
    tags: tuple[str, ...]
    weights: dict[str, float]
    guide_slugs: tuple[str, ...]
    rubric: Rubric
    follow_ups: tuple[str, ...]
    sections: dict[str, str]  # section key -> rendered HTML
    prompt_text: str
    example_text: str
    version: str  # hash of the file, stored with each answer
    path: Path
    probes: dict[str, str] = field(default_factory=dict)  # key point id -> the interviewer's question for it
    ships: bool | None = None  # whether the answer launches something (None where it does not apply)

    @property
    def category_label(self) -> str:
        """Human name of the category."""
        return CATEGORY_LABELS[self.category]

    @cached_property
    def focus_label(self) -> str:
        """The two heaviest dimensions, for lists."""
        return ", ".join(d.capitalize() for d in self.weighted_dimensions[:2])

    @cached_property
    def weighted_dimensions(self) -> tuple[str, ...]:
        """Dimensions this question counts, heaviest first."""
        dims = [d for d in DIMENSIONS if self.weights.get(d, 0) > 0]
        return tuple(sorted(dims, key=lambda d: (-self.weights[d], DIMENSIONS.index(d))))


@dataclass(frozen=True)
class TrackItem:
    """One question of a mock interview track and its time limit."""

    question_id: str
    minutes: float


@dataclass(frozen=True)
class Track:
    """A mock interview: an ordered list of questions with time limits."""

    id: str
    title: str
    summary: str
    items: tuple[TrackItem, ...]
    html: str
    path: Path

    @property
    def total_minutes(self) -> float:
        """Time of the whole track."""
        return sum(i.minutes for i in self.items)


@dataclass
class Catalog:
    """Everything loaded from the content folder, with cross-links resolved both ways."""

    guides: list[Guide] = field(default_factory=list)
    questions: dict[str, Question] = field(default_factory=dict)
    tracks: dict[str, Track] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.guides.sort(key=lambda g: (g.order, g.slug))
        self._guides_by_slug = {g.slug: g for g in self.guides}
        # A link counts from either side: a guide listing a question or a question naming a guide.
        self._questions_for_guide: dict[str, list[str]] = {g.slug: list(g.question_ids) for g in self.guides}
        self._guides_for_question: dict[str, list[str]] = {q.id: list(q.guide_slugs) for q in self.questions.values()}
        for question in self.questions.values():
            for slug in question.guide_slugs:
                ids = self._questions_for_guide.setdefault(slug, [])
                if question.id not in ids:
                    ids.append(question.id)
        for guide in self.guides:
            for qid in guide.question_ids:
                slugs = self._guides_for_question.setdefault(qid, [])
                if guide.slug not in slugs:
                    slugs.append(guide.slug)

    def guide(self, slug: str) -> Guide | None:
        """The guide with this slug, if any."""
        return self._guides_by_slug.get(slug)

    def question(self, question_id: str) -> Question | None:
        """The question with this id, if any."""
        return self.questions.get(question_id)

    def questions_for_guide(self, slug: str) -> list[Question]:
        """Questions related to a guide."""
        return [self.questions[q] for q in self._questions_for_guide.get(slug, []) if q in self.questions]

    def guides_for_question(self, question_id: str) -> list[Guide]:
        """Guides related to a question, in guide order."""
        slugs = set(self._guides_for_question.get(question_id, []))
        return [g for g in self.guides if g.slug in slugs]

    def neighbours(self, slug: str) -> tuple[Guide | None, Guide | None]:
        """The previous and next guide in reading order."""
        index = next(i for i, g in enumerate(self.guides) if g.slug == slug)
        prev = self.guides[index - 1] if index > 0 else None
        nxt = self.guides[index + 1] if index + 1 < len(self.guides) else None
        return prev, nxt

    def all_tags(self) -> list[str]:
        """Every question tag, sorted."""
        return sorted({t for q in self.questions.values() for t in q.tags})

    def has_tag(self, tag: str) -> bool:
        """Whether any question carries this tag."""
        return tag in self._tag_counts

    def common_tags(self, minimum: int = 2) -> list[str]:
        """Tags shared by at least `minimum` questions, for the filter menu (rare ones are linked from questions)."""
        return sorted(t for t, n in self._tag_counts.items() if n >= minimum)

    @cached_property
    def _tag_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for question in self.questions.values():
            for tag in question.tags:
                counts[tag] = counts.get(tag, 0) + 1
        return counts
