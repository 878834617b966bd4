"""Fixtures for the scoring tests."""

from __future__ import annotations

import pytest

from scoring.generic import generic_rubric
from scoring.rubric import KeyPoint, Rubric
from tests.scoring.samples import CONFLICT_QUESTION, MIGRATION_QUESTION


@pytest.fixture
def migration_rubric() -> Rubric:
    """A catalog-style rubric with question-specific key points."""
    return Rubric(
        question_text=MIGRATION_QUESTION,
        question_id="test-migration",
        category="program-sense",
        weights={"strategy": 2, "risk": 2, "communication": 1, "leadership": 1},
        topic_terms=("Migrating services to a managed platform", "migration", "cloud"),
        key_points=(
            KeyPoint("names-goal", "strategy", "Ties the migration to a business goal and a deadline.",
                     ("support contract", "success means", "business goal", "deadline")),
            KeyPoint("phases", "strategy", "Phases the migration into discovery, pilot and waves.",
                     ("pilot", "waves", "phase", "discovery")),
            KeyPoint("rollback", "risk", "Keeps a way back for each cutover.",
                     ("roll back", "rollback", "kept warm", "fail back")),
            KeyPoint("hidden-deps", "risk", "Finds hidden dependencies before cutover.",
                     ("hidden dependencies", "flow logs", "dependency map")),
            KeyPoint("cadence", "communication", "Keeps owners and sponsors informed on a cadence.",
                     ("weekly wave review", "steering update", "dashboard")),
            KeyPoint("owns-sequencing", "leadership", "Owns the sequencing and the hard calls.",
                     ("I'd push back", "I moved", "top-two priority")),
        ),
    )


@pytest.fixture
def migration_generic() -> Rubric:
    """The generic rubric for the migration question."""
    return generic_rubric(MIGRATION_QUESTION, "program-sense")


@pytest.fixture
def conflict_generic() -> Rubric:
    """The generic rubric for a behavioural question about a disagreement with a manager."""
    return generic_rubric(CONFLICT_QUESTION, "behavioral")


@pytest.fixture(scope="session")
def learned():
    """The learned scorer as the site runs it: the bundled model and the bundled text model."""
    from web.infra.scorer_model import bundled_scorer

    return bundled_scorer()


@pytest.fixture(scope="session")
def catalog():
    """The real catalog (its questions, rubrics and example answers)."""
    from web.content import load_catalog
    from web.settings import REPO_ROOT

    return load_catalog(REPO_ROOT / "content")
