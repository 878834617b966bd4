"""The score card every scorer returns: scores, the evidence behind them, and feedback."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from scoring.rubric import DIMENSIONS

MIN_SCORE, MAX_SCORE = 1, 5


def round_half_up(value: float) -> int:
    """Round .5 up (for scores, which are positive), as the graded sets do for their consensus."""
    return int(float(value) + 0.5)


def clamp_score(value: float) -> int:
    """Round half up onto the 1-5 scale."""
    return int(min(MAX_SCORE, max(MIN_SCORE, round_half_up(value))))


@dataclass(frozen=True)
class Evidence:
    """A passage of the answer (character span) and what it supports."""

    start: int
    end: int
    dimension: str
    label: str  # what the passage shows, in plain words
    text: str
    effect: float = 0.0  # score points this passage moved its dimension (learned scorer); 0 when not measured


@dataclass(frozen=True)
class DimensionScore:
    """One dimension's score, the continuous value behind it, and why."""

    dimension: str
    score: int
    value: float
    covered: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    signals: Mapping[str, float] = field(default_factory=dict)
    rationale: str = ""


@dataclass(frozen=True)
class ScoreCard:
    """A complete, serialisable result of scoring one answer against one rubric."""

    dimensions: Mapping[str, DimensionScore]
    overall: float
    strengths: tuple[str, ...]
    improvements: tuple[str, ...]
    scorer: str
    scorer_version: str
    rubric_hash: str
    notes: tuple[str, ...] = ()
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def scores(self) -> dict[str, int]:
        """Dimension name to its 1-5 integer."""
        return {d: self.dimensions[d].score for d in DIMENSIONS}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (round-trips through `from_dict`)."""
        data = asdict(self)
        data["dimensions"] = {d: asdict(self.dimensions[d]) for d in DIMENSIONS}
        data["scores"] = self.scores
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ScoreCard":
        """Rebuild a card stored as JSON."""
        dims = {}
        for name in DIMENSIONS:
            raw = dict(data["dimensions"][name])
            raw["evidence"] = tuple(Evidence(**e) for e in raw.get("evidence") or ())
            raw["covered"] = tuple(raw.get("covered") or ())
            raw["missing"] = tuple(raw.get("missing") or ())
            raw["signals"] = dict(raw.get("signals") or {})
            dims[name] = DimensionScore(**raw)
        return cls(
            dimensions=dims,
            overall=float(data["overall"]),
            strengths=tuple(data.get("strengths") or ()),
            improvements=tuple(data.get("improvements") or ()),
            scorer=data["scorer"],
            scorer_version=data["scorer_version"],
            rubric_hash=data["rubric_hash"],
            notes=tuple(data.get("notes") or ()),
            meta=dict(data.get("meta") or {}),
        )
