"""tpmprep's scoring library: rubric types, scorers and agreement metrics (no web, no DB, no files)."""

from scoring.card import DimensionScore, Evidence, ScoreCard, clamp_score
from scoring.generic import generic_rubric
from scoring.offline import SCORER_NAME, SCORER_VERSION, score
from scoring.rubric import ANCHORS, DIMENSIONS, KeyPoint, Rubric, anchor_text

__all__ = [
    "ANCHORS",
    "DIMENSIONS",
    "DimensionScore",
    "Evidence",
    "KeyPoint",
    "Rubric",
    "SCORER_NAME",
    "SCORER_VERSION",
    "ScoreCard",
    "anchor_text",
    "clamp_score",
    "generic_rubric",
    "score",
]
