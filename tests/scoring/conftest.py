"""Fixtures for the scoring tests."""

from __future__ import annotations

import pytest

from tests.fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai():
    """A scriptable fake OpenAI-compatible server on 127.0.0.1, and a clean format-negotiation cache."""
    from scoring.llm import clear_format_cache

    clear_format_cache()
    server = FakeOpenAI().start()
    yield server
    server.stop()
    clear_format_cache()
