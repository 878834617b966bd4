"""Pydantic response and request models of the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    """Every error the API returns: a message, or FastAPI's list of validation problems."""

    detail: str | list[dict[str, Any]]


class QuestionSummary(BaseModel):
    id: str
    title: str
    category: str
    difficulty: str
    tags: list[str]
    weights: dict[str, float]
    url: str


class KeyPointOut(BaseModel):
    id: str
    dimension: str
    description: str


class QuestionDetail(QuestionSummary):
    prompt: str
    follow_ups: list[str]
    guides: list[str]
    key_points: list[KeyPointOut]
    version: str


class QuestionPage(BaseModel):
    items: list[QuestionSummary]
    page: int
    pages: int
    total: int


class GuideSummary(BaseModel):
    slug: str
    title: str
    summary: str
    order: int
    tags: list[str]
    reading_minutes: int
    url: str


class GuideDetail(GuideSummary):
    html: str
    questions: list[str]


class AnswerIn(BaseModel):
    question_id: str = Field(max_length=120)
    text: str
    started_at: datetime | None = None


class ScoreCardOut(BaseModel):
    scorer: str
    scorer_version: str
    overall: float
    scores: dict[str, int]
    card: dict[str, Any]


class JobOut(BaseModel):
    scorer: str
    status: str
    attempts: int
    last_error: str | None


class AnswerOut(BaseModel):
    id: int
    question_id: str
    text: str
    word_count: int
    status: str
    submitted_at: datetime
    time_taken_seconds: int | None
    url: str


class AnswerDetail(AnswerOut):
    score_cards: list[ScoreCardOut]
    jobs: list[JobOut]


class AnswerPage(BaseModel):
    items: list[AnswerOut]
    page: int
    pages: int
    total: int
