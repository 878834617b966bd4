"""Scoring from several threads at once (request threads and the worker) gives the same cards as one thread."""

from concurrent.futures import ThreadPoolExecutor

from scoring import generic_rubric, score
from scoring.text import _STEM_CACHE

WORDS = (
    "prioritising stakeholders migrations dependencies escalations mitigations rollbacks contingencies "
    "negotiated aligned communicated quarterly measurable deliverables organisational reorganisation"
).split()


def _answers() -> list[str]:
    return [" ".join(WORDS[i:] + WORDS[:i]) + f" We shipped {i} weeks early and cut costs {i * 3}%." for i in range(len(WORDS))]


def test_concurrent_scoring_matches_single_threaded():
    rubric = generic_rubric("Tell me about a program you rescued.")
    texts = _answers() * 6
    _STEM_CACHE.clear()  # cold caches make threads stem at the same time
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda t: score(t, rubric).to_dict(), texts))
    _STEM_CACHE.clear()
    serial = [score(t, rubric).to_dict() for t in texts]
    assert parallel == serial
