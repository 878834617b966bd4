"""Content rules that no single field can state: names matching files, rubrics matching weights,
worked answers showing a TPM's reasoning, and company claims carrying their source."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from markdown_it.token import Token

from scoring.rubric import DIMENSIONS

from .frontmatter import SourceFile
from .markdown import claims, lead_paragraphs
from .types import CATEGORIES

# Categories whose example answers plan and ship work, and so must show the plan's reasoning.
PLANNING_CATEGORIES = ("program-sense", "program-execution", "technical")
CRITICAL_PATH, SLIP, TOP_RISK, ROLLOUT, REJECTED = (
    "Critical path", "If it slips a week", "Top risk", "Rollout gates", "Alternative I rejected",
)
TOP_RISK_LABELS = ("Likelihood", "Impact", "Owner", "Mitigation", "Trigger")
ROLLOUT_LABELS = ("Abort",)


def name_matches_file(src: SourceFile, key: str, value: str | None) -> None:
    """An id or slug is the file's name, so a URL always leads to its file."""
    if value and value != src.path.stem:
        src.problem(key, f"'{key}' is '{value}' but the file is named '{src.path.name}'; they must match")


def category_matches_folder(src: SourceFile, folder: str, category: str | None) -> None:
    """A question lives in the folder of its category."""
    if folder not in CATEGORIES:
        src.problem(1, f"bad category folder '{folder}' (allowed: {', '.join(CATEGORIES)})")
    elif category is not None and category != folder:
        src.problem("category", f"category '{category}' does not match its folder '{folder}'")


def weights_have_key_points(src: SourceFile, weights: Mapping[str, float], rubric: Mapping[str, Sequence]) -> None:
    """Something must count, and every dimension that counts needs key points to earn."""
    if not any(v > 0 for v in weights.values()):
        src.problem("weights", "at least one weight must be greater than 0")
    for dim in DIMENSIONS:
        if weights.get(dim, 0) > 0 and not rubric.get(dim):
            where = f"rubric.{dim}" if dim in src.meta.get("rubric", {}) else "rubric"
            src.problem(where, f"empty rubric for '{dim}' (it has weight {weights[dim]:g}; add at least one key point)")


def key_point_ids_unique(src: SourceFile, rubric: Mapping[str, Sequence]) -> None:
    """Key point ids name a point across the whole rubric (reviews and follow-ups refer to them)."""
    seen: set[str] = set()
    for dim in DIMENSIONS:
        for i, point in enumerate(rubric.get(dim, ())):
            if point.id in seen:
                src.problem(f"rubric.{dim}[{i}].id", f"duplicate key point id '{point.id}'")
            seen.add(point.id)


def every_key_point_has_a_probe(src: SourceFile, rubric: Mapping[str, Sequence]) -> None:
    """A mock interview's follow-up asks for the point the candidate missed, in the interviewer's words."""
    for dim in DIMENSIONS:
        for i, point in enumerate(rubric.get(dim, ())):
            if not point.probe:
                src.problem(f"rubric.{dim}[{i}]", f"key point '{point.id}' has no 'probe' (the question an interviewer asks to draw it out)")


def ships_where_it_applies(src: SourceFile, category: str, ships: bool | None) -> None:
    """Planning questions say whether their answer launches something (then rollout gates are required)."""
    if category in PLANNING_CATEGORIES and ships is None:
        src.problem(1, f"missing field 'ships' (true or false: required for {', '.join(PLANNING_CATEGORIES)} questions)")
    elif category not in PLANNING_CATEGORIES and ships is not None and category in CATEGORIES:
        src.problem("ships", f"'ships' applies only to {', '.join(PLANNING_CATEGORIES)} questions")


def _has_labels(text: str, labels: Iterable[str]) -> list[str]:
    """Labels missing from a paragraph, each written as a word followed by a colon ("Owner: ...")."""
    return [label for label in labels if not re.search(rf"\b{label}\s*:", text, re.IGNORECASE)]


def example_shows_reasoning(src: SourceFile, category: str, ships: bool | None, tokens: list[Token], line: int) -> None:
    """The worked answer has the labelled paragraphs a strong TPM answer is expected to contain."""
    leads: dict[str, tuple[str, int]] = {}
    for lead, text, at in lead_paragraphs(tokens, line):
        leads.setdefault(lead.lower(), (text, at))
    if category in PLANNING_CATEGORIES:
        wanted = [CRITICAL_PATH, SLIP, TOP_RISK] + ([ROLLOUT] if ships else [])
        labelled = {TOP_RISK: TOP_RISK_LABELS, ROLLOUT: ROLLOUT_LABELS}
    elif category == "behavioral":
        wanted, labelled = [REJECTED], {}
    else:
        return
    for lead in wanted:
        found = leads.get(lead.lower())
        if found is None:
            src.problem(line, f"the example answer has no '**{lead}.**' paragraph")
            continue
        missing = _has_labels(found[0], labelled.get(lead, ()))
        if missing:
            src.problem(found[1], f"the '**{lead}.**' paragraph does not give {', '.join(m + ':' for m in missing)}")


def company_claims_cite_sources(src: SourceFile, companies: Sequence[str], source_ids: set[str], tokens: list[Token]) -> None:
    """In a guide about companies, every sentence-bearing block naming one links a listed source."""
    if companies and not source_ids:
        src.problem("companies", "a guide that names companies in 'companies' needs 'sources' for its claims")
    pattern = re.compile(r"\b(" + "|".join(re.escape(c) for c in companies) + r")\b") if companies else None
    for unit, line in claims(tokens, src.body_line):
        cited = set()
        for child in (c for token in unit for c in token.children or ()):
            href = str(child.attrGet("href") or "") if child.type == "link_open" else ""
            if href.startswith("#source-"):
                ident = href.removeprefix("#source-")
                if ident not in source_ids:
                    src.problem(line, f"link to unknown source '{ident}' (sources: {', '.join(sorted(source_ids)) or 'none'})")
                cited.add(ident)
        if pattern is not None and not cited:
            match = pattern.search(" ".join(token.content for token in unit))
            if match:
                src.problem(line, f"a claim about {match.group(1)} cites no source (link one: [text](#source-<id>))")
