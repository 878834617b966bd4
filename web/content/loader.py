"""Read the content folder into a Catalog, reporting every problem with its file and line."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from scoring.rubric import DIMENSIONS, KeyPoint, Rubric
from scoring.text import word_count

from . import rules
from .frontmatter import SourceFile, read
from .markdown import Rendered, plain, render, render_tokens
from .schemas import GuideMeta, QuestionMeta, Schema, TrackMeta, validate
from .types import QUESTION_SECTIONS, Catalog, ContentProblem, Guide, Heading, Question, Source, Track, TrackItem



def _fields(src: SourceFile, model: type[Schema], kind: str) -> dict[str, Any]:
    """The front matter's valid fields; every invalid one is recorded as a problem at its line."""
    good, errors = validate(model, src.meta, kind)
    for key, reason in errors:
        src.problem(key if key in src.meta or "." in key or "[" in key else 1, reason)
    return good


def _complete(values: dict[str, Any], model: type[Schema]) -> bool:
    """Whether every field of the model validated, so an object can be built."""
    return all(name in values for name in model.model_fields)


# ---------------------------------------------------------------- guides


def _sources_html(sources: tuple[Source, ...]) -> str:
    """The Sources section a sourced guide ends with, rendered from its front matter."""
    items = "".join(
        f'<li id="{s.anchor}"><a href="{html.escape(s.url)}" rel="noopener">{html.escape(s.title)}</a>, '
        f'{html.escape(s.publisher)} <span class="source-kind">({s.kind})</span></li>'
        for s in sources
    )
    return f'<h2 id="sources">Sources</h2>\n<ol class="sources">{items}</ol>\n'


def load_guide(src: SourceFile) -> tuple[Guide | None, Rendered]:
    """A guide file to a Guide (None when its front matter is incomplete)."""
    values = _fields(src, GuideMeta, "guide")
    rules.name_matches_file(src, "slug", values.get("slug"))
    rendered = render(src.body, first_line=src.body_line)
    if not rendered.text.strip():
        src.problem(src.body_line, "the guide has no body")
    sources = tuple(Source(s.id, s.title, s.publisher, s.url, s.kind) for s in values.get("sources", ()))
    if "companies" in values:
        rules.company_claims_cite_sources(src, values["companies"], {s.id for s in sources}, rendered.tokens)
    if not _complete(values, GuideMeta):
        return None, rendered
    page_html, toc = rendered.html, rendered.toc
    if sources:
        page_html += _sources_html(sources)
        toc += (Heading(2, "Sources", "sources"),)
    guide = Guide(
        slug=values["slug"],
        title=values["title"],
        summary=values["summary"],
        order=values["order"],
        tags=tuple(values["tags"]),
        question_ids=tuple(values["questions"]),
        html=page_html,
        toc=toc,
        word_count=word_count(rendered.text),
        path=src.path,
        text=rendered.text,
        sources=sources,
    )
    return guide, rendered


# ---------------------------------------------------------------- questions


def _rubric(values: dict[str, Any], question_text: str, category: str) -> Rubric:
    rubric = values["rubric"]
    points = tuple(
        KeyPoint(id=p.id, dimension=dim, description=p.earns, phrases=tuple(p.phrases))
        for dim in DIMENSIONS
        for p in getattr(rubric, dim)
    )
    return Rubric(
        question_text=question_text,
        key_points=points,
        weights=values["weights"].model_dump(),
        question_id=values["id"],
        category=category,
        topic_terms=(values["title"], *values["tags"]),
    )


def split_sections(src: SourceFile, rendered: Rendered) -> dict[str, tuple[str, str, int, int, int]]:
    """Cut a question body into its required `##` sections: key -> (html, markdown source, first token, last token, line)."""
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
    if order != [k for k in QUESTION_SECTIONS if k in order]:
        src.problem(src.body_line, "sections are out of order (Prompt, What interviewers look for, Tips, Example strong answer)")
    out: dict[str, tuple[str, str, int, int, int]] = {}
    tokens = rendered.tokens
    for idx, (key, start, tok_start) in enumerate(found):
        last = idx + 1 == len(found)
        end = len(body_lines) if last else found[idx + 1][1]
        tok_end = len(tokens) if last else found[idx + 1][2]
        source = "\n".join(body_lines[start + 1:end]).strip()
        if not source:
            src.problem(src.body_line + start, f"section '## {QUESTION_SECTIONS[key]}' is empty")
        # The section's own tokens come after its heading's three: rendered without a second parse.
        out[key] = (render_tokens(tokens[tok_start + 3:tok_end]), source, tok_start + 3, tok_end, src.body_line + start)
    return out


def load_question(src: SourceFile, folder: str, *, strict: bool = True) -> tuple[Question | None, Rendered]:
    """A question file to a Question (None when its front matter is incomplete).

    `strict` (the default) applies the second edition's rules: a probe on every key point, `ships`, and
    worked answers' labelled paragraphs. `strict=False` is for drafts (`tpmprep content check --lenient`).
    """
    values = _fields(src, QuestionMeta, "question")
    rules.name_matches_file(src, "id", values.get("id"))
    rules.category_matches_folder(src, folder, values.get("category"))
    if "weights" in values and "rubric" in values:
        by_dim = {d: getattr(values["rubric"], d) for d in DIMENSIONS}
        rules.weights_have_key_points(src, values["weights"].model_dump(), by_dim)
        rules.key_point_ids_unique(src, by_dim)
        if strict:
            rules.every_key_point_has_a_probe(src, by_dim)
    if "ships" in values and (strict or values["ships"] is not None):
        rules.ships_where_it_applies(src, folder, values["ships"])
    rendered = render(src.body, first_line=src.body_line, html=False)  # rendered per section below
    sections = split_sections(src, rendered)
    if strict and "example" in sections and "ships" in values:
        _html, _source, first, last, line = sections["example"]
        rules.example_shows_reasoning(src, folder, values["ships"], rendered.tokens[first:last], line)
    if not _complete(values, QuestionMeta):
        return None, rendered
    prompt_text = plain(sections["prompt"][1]) if "prompt" in sections else ""
    question = Question(
        id=values["id"],
        title=values["title"],
        category=folder,
        difficulty=values["difficulty"],
        tags=tuple(values["tags"]),
        weights=values["weights"].model_dump(),
        guide_slugs=tuple(values["guides"]),
        rubric=_rubric(values, prompt_text or values["title"], folder),
        follow_ups=tuple(values["follow_ups"]),
        sections={k: v[0] for k, v in sections.items()},
        prompt_text=prompt_text,
        example_text=plain(sections["example"][1]) if "example" in sections else "",
        version=src.digest,
        path=src.path,
        probes={p.id: p.probe for d in DIMENSIONS for p in getattr(values["rubric"], d) if p.probe},
        ships=values["ships"],
    )
    return question, rendered


# ---------------------------------------------------------------- tracks


def load_track(src: SourceFile) -> tuple[Track | None, Rendered]:
    """A track file to a Track (None when its front matter is incomplete)."""
    values = _fields(src, TrackMeta, "track")
    rules.name_matches_file(src, "id", values.get("id"))
    rendered = render(src.body, first_line=src.body_line)
    if not _complete(values, TrackMeta):
        return None, rendered
    items = tuple(TrackItem(item.id, item.minutes) for item in values["questions"])
    return Track(values["id"], values["title"], values["summary"], items, rendered.html, src.path), rendered


# ---------------------------------------------------------------- the whole catalog


def content_files(root: Path, sub: str) -> list[Path]:
    """The markdown files of one kind, in a stable order."""
    folder = root / sub
    return sorted(folder.rglob("*.md")) if folder.is_dir() else []


def _raw_ids(src: SourceFile, key: str) -> list[tuple[str, str]]:
    """(key path, id) of each string in a front-matter list, valid or not, so links are checked in any case."""
    value = src.meta.get(key)
    if not isinstance(value, list):
        return []
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            item, path = item.get("id"), f"{key}[{i}].id"
        else:
            path = f"{key}[{i}]"
        if isinstance(item, str):
            out.append((path, item))
    return out


def scan(root: Path, *, strict: bool = True) -> tuple[Catalog, list[ContentProblem]]:
    """Load every content file under `root`, returning the catalog and every problem found (`strict`: see load_question)."""
    root = Path(root)
    problems: list[ContentProblem] = []
    if not root.is_dir():
        return Catalog(), [ContentProblem(root, 0, "content folder does not exist")]
    guides: list[Guide] = []
    questions: dict[str, Question] = {}
    tracks: dict[str, Track] = {}
    links: list[tuple[Path, int, str, str]] = []
    refs: list[tuple[SourceFile, str, str, str]] = []  # (file, key path, kind of target, target)
    first_seen: dict[tuple[str, str], Path] = {}
    linked_questions: set[str] = set()
    question_sources: dict[str, SourceFile] = {}

    def claim(kind: str, src: SourceFile, key: str) -> bool:
        """Whether this file is the first with its id (checked on the raw value: a broken file still owns its id)."""
        ident = src.meta.get(key)
        if not isinstance(ident, str):
            return True
        other = first_seen.get((kind, ident))
        if other is not None:
            src.problem(key, f"duplicate {kind} id '{ident}' (also in {other})")
            return False
        first_seen[(kind, ident)] = src.path
        return True

    def note(src: SourceFile, rendered: Rendered) -> None:
        links.extend((src.path, line, kind, target) for line, kind, target in rendered.links)

    for path in content_files(root, "guides"):
        if (src := read(path, problems)) is not None:
            guide, rendered = load_guide(src)
            note(src, rendered)
            refs.extend((src, key, "question", qid) for key, qid in _raw_ids(src, "questions"))
            linked_questions.update(qid for _key, qid in _raw_ids(src, "questions"))
            if claim("guide", src, "slug") and guide:
                guides.append(guide)
    for path in content_files(root, "questions"):
        folder = path.parent.name if path.parent.parent == root / "questions" else "(none)"
        if (src := read(path, problems)) is not None:
            question, rendered = load_question(src, folder, strict=strict)
            note(src, rendered)
            refs.extend((src, key, "guide", slug) for key, slug in _raw_ids(src, "guides"))
            if claim("question", src, "id") and question:
                questions[question.id] = question
                question_sources[question.id] = src
                if question.guide_slugs:
                    linked_questions.add(question.id)
    for path in content_files(root, "tracks"):
        if (src := read(path, problems)) is not None:
            track, rendered = load_track(src)
            note(src, rendered)
            refs.extend((src, key, "question", qid) for key, qid in _raw_ids(src, "questions"))
            if claim("track", src, "id") and track:
                tracks[track.id] = track

    # Cross-references, reported where they are written.
    guide_slugs = {g.slug for g in guides}
    for src, key, kind, target in refs:
        if target not in (questions if kind == "question" else guide_slugs):
            src.problem(key, f"broken link: {kind} '{target}' does not exist")
    for path, line, kind, target in links:
        if target not in (guide_slugs if kind == "guides" else questions):
            problems.append(ContentProblem(path, line, f"broken link: /{kind}/{target} does not exist"))
    for qid, src in question_sources.items():
        if qid not in linked_questions:
            src.problem("guides", "no guide links to this question (name one in 'guides', or list it in a guide's 'questions')")
    problems.sort(key=lambda p: (str(p.path), p.line, p.reason))
    return Catalog(guides=guides, questions=questions, tracks=tracks), problems
