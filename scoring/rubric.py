"""Rubric types shared by the content loader, the scorers and the review forms."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Mapping

DIMENSIONS: tuple[str, ...] = ("strategy", "risk", "communication", "leadership")

# The level anchors every scorer and reviewer works from (1, 3 and 5; 2 and 4 sit between).
ANCHORS: dict[str, dict[int, str]] = {
    "strategy": {
        1: "No goal or plan; jumps straight into tasks or generalities.",
        3: "States a goal and a reasonable plan with some prioritisation, but little link to "
        "business outcomes, success metrics or trade-offs.",
        5: "Ties the work to business goals, defines measurable success criteria, phases the "
        "program, weighs alternatives and trade-offs, prioritises explicitly.",
    },
    "risk": {
        1: "Names no risks or dependencies.",
        3: "Names some risks or dependencies with generic mitigations.",
        5: "Identifies specific risks and cross-team dependencies, judges likelihood and impact, "
        "gives concrete mitigations plus contingency or rollback, tracks risks over time and "
        "escalates at the right moment.",
    },
    "communication": {
        1: "Disorganised or far too terse; hard to follow; the question is not really answered.",
        3: "Understandable with some structure, but uneven, verbose, or vague about who was told what.",
        5: "Clear structure (STAR or an explicit framework), concise, answers the question asked, "
        "tailored to audience, and describes how stakeholders were kept informed "
        "(cadence, channel, escalation).",
    },
    "leadership": {
        1: "Passive, no ownership, blames others, 'the team did it' with no personal role.",
        3: "Some ownership and coordination, limited evidence of influence, decisions or conflict handling.",
        5: "Clear personal ownership, influences without authority, resolves conflict, makes and "
        "explains hard decisions, aligns teams, reports outcomes with numbers and lessons learned.",
    },
}


def anchor_text(dimension: str, level: int) -> str:
    """What a level means on a dimension; 2 and 4 are described by their neighbours."""
    anchors = ANCHORS[dimension]
    if level in anchors:
        return anchors[level]
    if level == 2:
        return "Between 1 and 3: " + anchors[3]
    return "Between 3 and 5: " + anchors[5]


@dataclass(frozen=True)
class KeyPoint:
    """One thing a strong answer does, with the phrases that show it."""

    id: str
    dimension: str
    description: str
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Rubric:
    """What a question is scored against: weighted dimensions and their key points."""

    question_text: str
    key_points: tuple[KeyPoint, ...]
    weights: Mapping[str, float] = field(
        default_factory=lambda: {d: 1.0 for d in DIMENSIONS}
    )
    question_id: str | None = None
    category: str | None = None
    # Short phrases naming the topic of the question (title words, tags); relevance signal.
    topic_terms: tuple[str, ...] = ()

    def points_for(self, dimension: str) -> tuple[KeyPoint, ...]:
        """The key points of one dimension, in file order."""
        return tuple(p for p in self.key_points if p.dimension == dimension)

    def single_point(self, point_id: str, asked: str) -> Rubric:
        """The rubric of one key point, for a reply to a follow-up that asked for just that point."""
        point = next(p for p in self.key_points if p.id == point_id)
        return Rubric(
            question_text=asked,
            key_points=(point,),
            weights={d: (1.0 if d == point.dimension else 0.0) for d in DIMENSIONS},
            question_id=self.question_id,
            category=self.category,
            topic_terms=self.topic_terms,
        )

    def normalised_weights(self) -> dict[str, float]:
        """Weights scaled to sum to 1 (equal weights when all are zero)."""
        total = sum(max(0.0, float(self.weights.get(d, 0.0))) for d in DIMENSIONS)
        if total <= 0:
            return {d: 1.0 / len(DIMENSIONS) for d in DIMENSIONS}
        return {d: max(0.0, float(self.weights.get(d, 0.0))) / total for d in DIMENSIONS}

    def to_dict(self) -> dict:
        """A JSON-ready form, stable enough to hash."""
        return {
            "question_id": self.question_id,
            "question_text": self.question_text,
            "category": self.category,
            "weights": {d: float(self.weights.get(d, 0.0)) for d in DIMENSIONS},
            "topic_terms": list(self.topic_terms),
            "key_points": [
                {
                    "id": p.id,
                    "dimension": p.dimension,
                    "description": p.description,
                    "phrases": list(p.phrases),
                }
                for p in self.key_points
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> "Rubric":
        """Rebuild a rubric from `to_dict` output."""
        return cls(
            question_id=data.get("question_id"),
            question_text=data["question_text"],
            category=data.get("category"),
            weights=dict(data.get("weights") or {}),
            topic_terms=tuple(data.get("topic_terms") or ()),
            key_points=tuple(
                KeyPoint(
                    id=p["id"],
                    dimension=p["dimension"],
                    description=p["description"],
                    phrases=tuple(p["phrases"]),
                )
                for p in data.get("key_points") or ()
            ),
        )

    def fingerprint(self) -> str:
        """A short hash that changes whenever anything a scorer reads changes."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
