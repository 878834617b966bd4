"""The content catalog: markdown files with YAML front matter, parsed once into typed objects."""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from scoring.rubric import DIMENSIONS, KeyPoint, Rubric

CATEGORIES = ("behavioral", "program-sense", "program-execution", "technical", "strategy")
CATEGORY_LABELS = {
    "behavioral": "Behavioral",
    "program-sense": "Program sense",
    "program-execution": "Program execution",
    "technical": "Technical",
    "strategy": "Strategy",
}
DIFFICULTIES = ("easy", "medium", "hard")
QUESTION_SECTIONS = {
    "prompt": "Prompt",
    "look_for": "What interviewers look for",
    "tips": "Tips",
    "example": "Example strong answer",
}
WORDS_PER_MINUTE = 230  # typical adult reading speed for non-fiction
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK_RE = re.compile(r"^/(guides|questions)/([^/#?]+)")

GUIDE_FIELDS = {"title": True, "slug": True, "summary": True, "order": True, "tags": False, "questions": False}
QUESTION_FIELDS = {
    "id": True,
    "title": True,
    "category": False,
    "difficulty": True,
    "tags": True,
    "weights": True,
    "guides": False,
    "rubric": True,
    "follow_ups": True,
}
TRACK_FIELDS = {"id": True, "title": True, "summary": True, "questions": True}
KEY_POINT_FIELDS = {"id", "earns", "phrases"}


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


def slugify(text: str) -> str:
    """Heading text to a stable URL anchor."""
    text = re.sub(r"[^\w\s-]", "", text.lower()).strip()
    return re.sub(r"[\s_-]+", "-", text)


def make_markdown() -> MarkdownIt:
    """The one markdown renderer: CommonMark, tables, front matter, heading anchors, raw HTML off."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(front_matter_plugin)
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=slugify, permalink=False)
    return md


_MD = make_markdown()


def render_user_markdown(text: str) -> str:
    """Render text a user typed: same renderer, raw HTML shown as text."""
    return _MD.render(text)


# ---------------------------------------------------------------- YAML with line numbers


# libyaml's C parser when available: the pure-Python one dominates catalog load time.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _to_python(node: yaml.Node, path: str, lines: dict[str, int], loader: Any) -> Any:
    """Convert a composed YAML node to Python, recording the line of every key path."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            lines[child] = key_node.start_mark.line + 1
            out[key] = _to_python(value_node, child, lines, loader)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, f"{path}[{i}]", lines, loader) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


@dataclass
class _Source:
    """One content file split into front matter and body, with line bookkeeping."""

    path: Path
    meta: dict[str, Any]
    front: str  # the YAML text, re-read for line numbers only when a problem is reported
    body: str
    body_line: int  # line of the file where the body starts
    digest: str
    problems: list[ContentProblem]

    @cached_property
    def lines(self) -> dict[str, int]:
        """Key path -> line in the file (computed lazily: most files have no problem)."""
        found: dict[str, int] = {}
        loader = YAML_LOADER("")
        try:
            _to_python(yaml.compose(self.front, Loader=YAML_LOADER), "", found, loader)
        finally:
            loader.dispose()
        return {k: v + 1 for k, v in found.items()}  # the opening '---' is line 1

    def line(self, key: str) -> int:
        """Line of a front-matter key (or its nearest parent), else 1."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rsplit(".", 1)[0] if "." in key else (key.rsplit("[", 1)[0] if "[" in key else "")
        return 1

    def problem(self, key: str | int, reason: str) -> None:
        """Record a problem at a front-matter key or an absolute line."""
        line = key if isinstance(key, int) else self.line(key)
        self.problems.append(ContentProblem(self.path, line, reason))


def _read(path: Path, problems: list[ContentProblem]) -> _Source | None:
    """Split a file into front matter and body; None when the front matter is unusable."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(path, 1, f"not UTF-8 text ({exc.reason})"))
        return None
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        problems.append(ContentProblem(path, 1, "missing front matter (the file must start with a '---' line)"))
        return None
    end = text.find("\n---", 3)
    if end == -1:
        problems.append(ContentProblem(path, 1, "front matter is not closed by a '---' line"))
        return None
    front = text[4:end + 1]
    body_start = text.find("\n", end + 1)
    body = text[body_start + 1:] if body_start != -1 else ""
    body_line = front.count("\n") + 3
    try:
        meta = yaml.load(front, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problems.append(ContentProblem(path, line, f"invalid YAML: {getattr(exc, 'problem', exc)}"))
        return None
    if not isinstance(meta, dict):
        problems.append(ContentProblem(path, 2, "front matter must be a mapping of fields"))
        return None
    digest = hashlib.sha256(raw).hexdigest()[:16]
    return _Source(path, meta, front, body, body_line, digest, problems)


def _check_fields(src: _Source, spec: dict[str, bool], kind: str) -> bool:
    """Report missing and unknown fields; False if a required one is missing."""
    ok = True
    for name, required in spec.items():
        if required and name not in src.meta:
            src.problem(1, f"missing field '{name}' (required for a {kind})")
            ok = False
    for name in src.meta:
        if name not in spec:
            src.problem(name, f"unknown field '{name}' (allowed: {', '.join(spec)})")
    return ok


def _str_list(src: _Source, key: str, *, required: bool = False) -> tuple[str, ...]:
    value = src.meta.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        src.problem(key, f"'{key}' must be a list of non-empty strings")
        return ()
    if required and not value:
        src.problem(key, f"'{key}' must have at least one entry")
    return tuple(v.strip() for v in value)


def _text(src: _Source, key: str) -> str:
    value = src.meta.get(key)
    if not isinstance(value, str) or not value.strip():
        src.problem(key, f"'{key}' must be a non-empty string")
        return ""
    return value.strip()


def _id(src: _Source, key: str) -> str:
    value = _text(src, key)
    if value and not SLUG_RE.match(value):
        src.problem(key, f"'{key}' must be lower-case letters, digits and dashes (got '{value}')")
    elif value and value != src.path.stem:
        src.problem(key, f"'{key}' is '{value}' but the file is named '{src.path.name}'; they must match")
    return value


# ---------------------------------------------------------------- bodies


@dataclass
class _Rendered:
    tokens: list
    html: str
    toc: tuple[Heading, ...]
    text: str
    links: list[tuple[int, str, str]]  # (line in file, kind, target)
    sections: list[tuple[str, int, int]]  # (## heading text, token start, file line)


def _render(src: _Source, *, html: bool = True) -> _Rendered:
    """Parse a markdown body once, collecting headings, links and plain text (and the HTML if asked)."""
    offset = src.body_line
    tokens = _MD.parse(src.body)
    toc: list[Heading] = []
    links: list[tuple[int, str, str]] = []
    words: list[str] = []
    sections: list[tuple[str, int, int]] = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.tag in ("h2", "h3"):
            inline = tokens[i + 1]
            toc.append(Heading(int(tok.tag[1]), inline.content, str(tok.attrGet("id") or slugify(inline.content))))
            if tok.tag == "h2":
                sections.append((inline.content.strip(), i, offset + (tok.map[0] if tok.map else 0)))
        if tok.type == "inline":
            words.append(tok.content)
            line = offset + (tok.map[0] if tok.map else 0)
            for child in tok.children or ():
                if child.type == "link_open":
                    href = str(child.attrGet("href") or "")
                    match = LINK_RE.match(href)
                    if match:
                        links.append((line, match.group(1), match.group(2)))
        elif tok.type in ("fence", "code_block"):
            words.append(tok.content)
    rendered_html = _MD.renderer.render(tokens, _MD.options, {}) if html else ""
    return _Rendered(tokens, rendered_html, tuple(toc), "\n".join(words), links, sections)


def _word_count(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", text))


# ---------------------------------------------------------------- loaders per kind


def _load_guide(src: _Source) -> tuple[Guide | None, _Rendered | None]:
    if not _check_fields(src, GUIDE_FIELDS, "guide"):
        return None, None
    slug = _id(src, "slug")
    title, summary = _text(src, "title"), _text(src, "summary")
    order = src.meta.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        src.problem("order", "'order' must be an integer")
        order = 0
    tags = _str_list(src, "tags")
    question_ids = _str_list(src, "questions")
    rendered = _render(src)
    if not rendered.text.strip():
        src.problem(src.body_line, "the guide has no body")
    guide = Guide(
        slug=slug,
        title=title,
        summary=summary,
        order=order,
        tags=tags,
        question_ids=question_ids,
        html=rendered.html,
        toc=rendered.toc,
        word_count=_word_count(rendered.text),
        path=src.path,
        text=rendered.text,
    )
    return guide, rendered


def _load_rubric(src: _Source, weights: dict[str, float], question_text: str, qid: str, category: str, topic: tuple[str, ...]) -> Rubric:
    rubric = src.meta.get("rubric")
    points: list[KeyPoint] = []
    if not isinstance(rubric, dict):
        src.problem("rubric", "'rubric' must map dimensions to lists of key points")
        rubric = {}
    for name in rubric:
        if name not in DIMENSIONS:
            src.problem(f"rubric.{name}", f"unknown dimension '{name}' in rubric (allowed: {', '.join(DIMENSIONS)})")
    seen: set[str] = set()
    for dim in DIMENSIONS:
        items = rubric.get(dim) or []
        key = f"rubric.{dim}"
        if not isinstance(items, list):
            src.problem(key, f"rubric '{dim}' must be a list of key points")
            continue
        if weights.get(dim, 0) > 0 and not items:
            src.problem(key if dim in rubric else "rubric", f"empty rubric for '{dim}' (it has weight {weights[dim]:g}; add at least one key point)")
        for i, item in enumerate(items):
            ik = f"{key}[{i}]"
            if not isinstance(item, dict):
                src.problem(ik, "a key point must be a mapping with id, earns and phrases")
                continue
            for missing in sorted(KEY_POINT_FIELDS - set(item)):
                src.problem(ik, f"key point is missing '{missing}'")
            for unknown in sorted(set(item) - KEY_POINT_FIELDS):
                src.problem(f"{ik}.{unknown}", f"unknown key point field '{unknown}'")
            pid, earns, phrases = item.get("id"), item.get("earns"), item.get("phrases")
            if not isinstance(pid, str) or not SLUG_RE.match(pid or ""):
                src.problem(f"{ik}.id", "key point id must be lower-case letters, digits and dashes")
                continue
            if pid in seen:
                src.problem(f"{ik}.id", f"duplicate key point id '{pid}'")
            seen.add(pid)
            if not isinstance(earns, str) or not earns.strip():
                src.problem(f"{ik}.earns", "'earns' must be a sentence saying what earns the point")
                earns = ""
            if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
                src.problem(f"{ik}.phrases", "'phrases' must be a non-empty list of strings")
                phrases = []
            points.append(KeyPoint(id=pid, dimension=dim, description=earns.strip(), phrases=tuple(p.strip() for p in phrases)))
    return Rubric(
        question_text=question_text,
        key_points=tuple(points),
        weights=dict(weights),
        question_id=qid,
        category=category,
        topic_terms=topic,
    )


def _load_question(src: _Source, folder: str) -> tuple[Question | None, _Rendered | None]:
    if not _check_fields(src, QUESTION_FIELDS, "question"):
        return None, None
    qid = _id(src, "id")
    title = _text(src, "title")
    if folder not in CATEGORIES:
        src.problem(1, f"bad category folder '{folder}' (allowed: {', '.join(CATEGORIES)})")
    category = src.meta.get("category", folder)
    if category != folder:
        src.problem("category", f"category '{category}' does not match its folder '{folder}'")
    difficulty = src.meta.get("difficulty")
    if difficulty not in DIFFICULTIES:
        src.problem("difficulty", f"difficulty must be one of {', '.join(DIFFICULTIES)} (got '{difficulty}')")
    tags = _str_list(src, "tags", required=True)
    guides = _str_list(src, "guides")
    follow_ups = _str_list(src, "follow_ups", required=True)
    raw_weights = src.meta.get("weights")
    weights: dict[str, float] = {}
    if not isinstance(raw_weights, dict):
        src.problem("weights", "'weights' must map strategy, risk, communication and leadership to numbers")
    else:
        for name, value in raw_weights.items():
            if name not in DIMENSIONS:
                src.problem(f"weights.{name}", f"unknown dimension '{name}' in weights")
            elif not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                src.problem(f"weights.{name}", f"weight of '{name}' must be a number >= 0")
            else:
                weights[name] = float(value)
        if weights and not any(v > 0 for v in weights.values()):
            src.problem("weights", "at least one weight must be greater than 0")
    rendered = _render(src, html=False)  # questions are rendered per section below
    sections = _split_sections(src, rendered)
    prompt_text = _plain(sections.get("prompt", ("", ""))[1])
    example_text = sections.get("example", ("", ""))[1].strip()
    rubric = _load_rubric(src, weights, prompt_text or title, qid, folder, (title, *tags))
    question = Question(
        id=qid,
        title=title,
        category=folder,
        difficulty=str(difficulty),
        tags=tags,
        weights={d: weights.get(d, 0.0) for d in DIMENSIONS},
        guide_slugs=guides,
        rubric=rubric,
        follow_ups=follow_ups,
        sections={k: v[0] for k, v in sections.items()},
        prompt_text=prompt_text,
        example_text=_plain(example_text),
        version=src.digest,
        path=src.path,
    )
    return question, rendered


def _plain(markdown_text: str) -> str:
    """Markdown source to plain text (drop emphasis and list markers) for scoring."""
    text = re.sub(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+", "", markdown_text, flags=re.M)
    text = re.sub(r"[*_`]+", "", text)
    return text.strip()


def _split_sections(src: _Source, rendered: _Rendered) -> dict[str, tuple[str, str]]:
    """Cut a question body into its required `##` sections: key -> (html, markdown source)."""
    wanted = {title.lower(): key for key, title in QUESTION_SECTIONS.items()}
    body_lines = src.body.split("\n")
    found: list[tuple[str, int, int]] = []  # (key, line index in body of the heading, token index)
    for title, tok_index, file_line in rendered.sections:
        key = wanted.get(title.lower())
        if key is None:
            src.problem(file_line, f"unknown section '## {title}' (allowed: {', '.join(QUESTION_SECTIONS.values())})")
            continue
        if any(k == key for k, _, _ in found):
            src.problem(file_line, f"section '## {title}' appears twice")
            continue
        found.append((key, file_line - src.body_line, tok_index))
    for key, title in QUESTION_SECTIONS.items():
        if key not in {k for k, _, _ in found}:
            src.problem(src.body_line, f"missing section '## {title}'")
    order = [k for k, _, _ in found]
    expected = [k for k in QUESTION_SECTIONS if k in order]
    if order != expected:
        src.problem(src.body_line, "sections are out of order (Prompt, What interviewers look for, Tips, Example strong answer)")
    out: dict[str, tuple[str, str]] = {}
    tokens = rendered.tokens
    for idx, (key, start, tok_start) in enumerate(found):
        last = idx + 1 == len(found)
        end = len(body_lines) if last else found[idx + 1][1]
        tok_end = len(tokens) if last else found[idx + 1][2]
        source = "\n".join(body_lines[start + 1:end]).strip()
        if not source:
            src.problem(src.body_line + start, f"section '## {QUESTION_SECTIONS[key]}' is empty")
        # Render the section's own tokens (after its heading's 3 tokens): no second parse.
        html = _MD.renderer.render(tokens[tok_start + 3:tok_end], _MD.options, {})
        out[key] = (html, source)
    return out


def _load_track(src: _Source) -> tuple[Track | None, _Rendered | None]:
    if not _check_fields(src, TRACK_FIELDS, "track"):
        return None, None
    tid = _id(src, "id")
    title, summary = _text(src, "title"), _text(src, "summary")
    raw = src.meta.get("questions")
    items: list[TrackItem] = []
    if not isinstance(raw, list) or not raw:
        src.problem("questions", "'questions' must be a non-empty list of {id, minutes}")
        raw = []
    for i, item in enumerate(raw):
        key = f"questions[{i}]"
        if not isinstance(item, dict) or set(item) != {"id", "minutes"}:
            src.problem(key, "each track entry must have exactly 'id' and 'minutes'")
            continue
        minutes = item["minutes"]
        if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or minutes <= 0:
            src.problem(f"{key}.minutes", "'minutes' must be a number greater than 0")
            continue
        items.append(TrackItem(str(item["id"]), float(minutes)))
    rendered = _render(src)
    return Track(tid, title, summary, tuple(items), rendered.html, src.path), rendered


# ---------------------------------------------------------------- the whole catalog


def _files(root: Path, sub: str) -> list[Path]:
    folder = root / sub
    return sorted(folder.rglob("*.md")) if folder.is_dir() else []


def scan(root: Path) -> tuple[Catalog, list[ContentProblem]]:
    """Load every content file under `root`, returning the catalog and every problem found."""
    root = Path(root)
    problems: list[ContentProblem] = []
    if not root.is_dir():
        return Catalog(), [ContentProblem(root, 0, "content folder does not exist")]
    guides: list[Guide] = []
    questions: dict[str, Question] = {}
    tracks: dict[str, Track] = {}
    links: list[tuple[Path, int, str, str]] = []
    first_seen: dict[tuple[str, str], Path] = {}

    def note_links(src: _Source, rendered: _Rendered | None) -> None:
        if rendered:
            links.extend((src.path, line, kind, target) for line, kind, target in rendered.links)

    def claim(kind: str, ident: str, src: _Source, key: str) -> bool:
        if not ident:
            return False
        other = first_seen.get((kind, ident))
        if other is not None:
            src.problem(key, f"duplicate {kind} id '{ident}' (also in {other})")
            return False
        first_seen[(kind, ident)] = src.path
        return True

    for path in _files(root, "guides"):
        if (src := _read(path, problems)) is not None:
            guide, rendered = _load_guide(src)
            note_links(src, rendered)
            if guide and claim("guide", guide.slug, src, "slug"):
                guides.append(guide)
    for path in _files(root, "questions"):
        folder = path.parent.name if path.parent.parent == root / "questions" else ""
        if (src := _read(path, problems)) is not None:
            question, rendered = _load_question(src, folder or "(none)")
            note_links(src, rendered)
            if question and claim("question", question.id, src, "id"):
                questions[question.id] = question
    track_sources: list[tuple[_Source, Track]] = []
    for path in _files(root, "tracks"):
        if (src := _read(path, problems)) is not None:
            track, rendered = _load_track(src)
            note_links(src, rendered)
            if track and claim("track", track.id, src, "id"):
                tracks[track.id] = track
                track_sources.append((src, track))

    guide_slugs = {g.slug for g in guides}
    # Cross-references, reported where they are written.
    for guide in guides:
        for qid in guide.question_ids:
            if qid not in questions:
                problems.append(ContentProblem(guide.path, _line_of(guide.path, qid), f"broken link: question '{qid}' does not exist"))
    for question in questions.values():
        for slug in question.guide_slugs:
            if slug not in guide_slugs:
                problems.append(ContentProblem(question.path, _line_of(question.path, slug), f"broken link: guide '{slug}' does not exist"))
    for src, track in track_sources:
        for i, item in enumerate(track.items):
            if item.question_id not in questions:
                src.problem(f"questions[{i}].id", f"broken link: question '{item.question_id}' does not exist")
    for path, line, kind, target in links:
        exists = target in guide_slugs if kind == "guides" else target in questions
        if not exists:
            problems.append(ContentProblem(path, line, f"broken link: /{kind}/{target} does not exist"))
    problems.sort(key=lambda p: (str(p.path), p.line, p.reason))
    return Catalog(guides=guides, questions=questions, tracks=tracks), problems


def _line_of(path: Path, needle: str) -> int:
    """First line of a file mentioning a value, to point a cross-reference problem at it."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    return 1


# Bump when parsing or rendering changes, so cached catalogs from older code are not reused.
LOADER_VERSION = "1"


def content_fingerprint(root: Path) -> str:
    """A hash of every content file's path and bytes (and the loader version)."""
    digest = hashlib.sha256(LOADER_VERSION.encode())
    for sub in ("guides", "questions", "tracks"):
        for path in _files(root, sub):
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def load_catalog(root: Path, cache_dir: Path | None = None) -> Catalog:
    """Load the catalog, raising ContentError listing every problem if there is any.

    With `cache_dir`, the parsed and rendered catalog is kept on disk keyed by a hash of every
    content file, so later starts skip parsing; any change to any file makes a new entry.
    """
    root = Path(root)
    cache_file = None
    if cache_dir is not None and root.is_dir():
        cache_file = Path(cache_dir) / f"catalog-{content_fingerprint(root)}.pickle"
        try:
            with cache_file.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # missing or unreadable: parse and write a fresh one
    catalog, problems = scan(root)
    if problems:
        raise ContentError(problems)
    if cache_file is not None:
        _write_cache(cache_file, catalog)
    return catalog


def _write_cache(cache_file: Path, catalog: Catalog) -> None:
    """Write the cache atomically and drop older entries; a read-only disk just means no cache."""
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(catalog, handle, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache_file)
        for old in cache_file.parent.glob("catalog-*.pickle"):
            if old != cache_file:
                old.unlink(missing_ok=True)
    except OSError:
        pass
