"""The front matter each kind of content file may have, as pydantic models: one place for every field rule."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError, field_validator

from .types import CATEGORIES, DIFFICULTIES, SOURCE_KINDS

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Weight = Annotated[float, Field(ge=0)]
PROBE_MAX_WORDS = 40


class Schema(BaseModel):
    """Strict: no unknown fields, no silent type coercion ("5" is not a number, yes is not a string)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class KeyPointMeta(Schema):
    """One rubric key point."""

    id: Slug
    earns: Text
    phrases: list[Text] = Field(min_length=1)
    probe: Text | None = None

    @field_validator("probe")
    @classmethod
    def _probe_is_a_question(cls, value: str | None) -> str | None:
        if value is not None:
            if not value.endswith("?"):
                raise ValueError("a probe is a question an interviewer asks, so it ends with '?'")
            if len(value.split()) > PROBE_MAX_WORDS:
                raise ValueError(f"a probe is said out loud: keep it to {PROBE_MAX_WORDS} words")
        return value


class RubricMeta(Schema):
    """Key points per dimension; a dimension left out has none."""

    strategy: list[KeyPointMeta] = []
    risk: list[KeyPointMeta] = []
    communication: list[KeyPointMeta] = []
    leadership: list[KeyPointMeta] = []


class WeightsMeta(Schema):
    """How much each dimension counts for a question."""

    strategy: Weight = 0.0
    risk: Weight = 0.0
    communication: Weight = 0.0
    leadership: Weight = 0.0


class QuestionMeta(Schema):
    """Front matter of content/questions/<category>/<id>.md."""

    id: Slug
    title: Text
    category: Literal[CATEGORIES] | None = None  # type: ignore[valid-type]
    difficulty: Literal[DIFFICULTIES]  # type: ignore[valid-type]
    tags: list[Text] = Field(min_length=1)
    weights: WeightsMeta
    guides: list[Slug] = []
    rubric: RubricMeta
    follow_ups: list[Text] = Field(min_length=1)
    ships: bool | None = None


class SourceMeta(Schema):
    """A source that a guide's company claims cite."""

    id: Slug
    title: Text
    publisher: Text
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    kind: Literal[SOURCE_KINDS]  # type: ignore[valid-type]


class GuideMeta(Schema):
    """Front matter of content/guides/<slug>.md."""

    title: Text
    slug: Slug
    summary: Text
    order: int
    tags: list[Text] = []
    questions: list[Slug] = []
    companies: list[Text] = []
    sources: list[SourceMeta] = []


class TrackItemMeta(Schema):
    """One question of a track and its time box."""

    id: Slug
    minutes: Annotated[float, Field(gt=0)]


class TrackMeta(Schema):
    """Front matter of content/tracks/<id>.md."""

    id: Slug
    title: Text
    summary: Text
    questions: list[TrackItemMeta] = Field(min_length=1)


# What a failed rule means, said the way a content writer thinks of it.
_HINTS = {
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "model_type": "a mapping of fields",
    "dict_type": "a mapping of fields",
    "too_short": "a non-empty list",
    "string_too_short": "non-empty text",
    "greater_than": "a number greater than {gt}",
    "greater_than_equal": "a number >= {ge}",
    "string_pattern_mismatch": "lower-case letters, digits and dashes",
    "literal_error": "one of {expected}",
}


def _key_path(loc: tuple[str | int, ...]) -> str:
    """('rubric', 'risk', 2, 'phrases') -> 'rubric.risk[2].phrases', the loader's line-lookup key."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(error: dict[str, Any], model: type[Schema], kind: str) -> str:
    """One pydantic error as a sentence naming the field (its line is found from the key path)."""
    loc = tuple(error["loc"])
    name = next((str(p) for p in reversed(loc) if isinstance(p, str)), kind)
    kind_of = error["type"]
    if kind_of == "missing":
        return f"missing field '{name}' (required for {_a(kind)} {kind})"
    if kind_of == "extra_forbidden":
        return f"unknown field '{name}' (allowed: {', '.join(_allowed(model, loc[:-1]))})"
    if kind_of == "value_error":
        return f"'{name}': {error['msg'].removeprefix('Value error, ')}"
    hint = _HINTS.get(kind_of)
    if hint is None:
        return f"'{name}': {error['msg']}"
    ctx = {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in (error.get("ctx") or {}).items()}
    hint = hint.format(**ctx)
    if kind_of == "string_pattern_mismatch" and name == "url":
        hint = "an http:// or https:// address"
    got = error.get("input")
    shown = ""
    if isinstance(got, str):
        shown = f" (got '{got}')"
    elif isinstance(got, (int, float)) and not isinstance(got, bool):
        shown = f" (got {got:g})"
    if kind_of == "literal_error":  # "difficulty must be one of easy, medium or hard"
        return f"{name} must be {hint.replace(chr(39), '')}{shown}"
    return f"'{name}' must be {hint}{shown}"


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _allowed(model: type[Schema], loc: tuple[str | int, ...]) -> list[str]:
    """Field names allowed at a location inside a model."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = current.model_fields[part].annotation
        current = next((a for a in getattr(annotation, "__args__", (annotation,)) if isinstance(a, type) and issubclass(a, Schema)), annotation)
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, Schema) else []


@cache
def _field_adapter(model: type[Schema], name: str) -> TypeAdapter:
    info = model.model_fields[name]
    return TypeAdapter(Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation)


def validate(model: type[Schema], meta: dict[str, Any], kind: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Validate front matter: (the fields that passed, [(key path, reason)] for the rest).

    The fields that passed are returned even when others fail, so the loader can still check
    links and sections and report every problem of a file in one run.
    """
    try:
        whole = model.model_validate(meta)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    else:
        return {name: getattr(whole, name) for name in model.model_fields}, []
    failed = {e["loc"][0] for e in errors if e["loc"]}
    good: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in failed:
            continue
        if name in meta:
            good[name] = _field_adapter(model, name).validate_python(meta[name], strict=True)
        elif not info.is_required():
            good[name] = info.get_default(call_default_factory=True)
    return good, [(_key_path(tuple(e["loc"])), describe(e, model, kind)) for e in errors]
