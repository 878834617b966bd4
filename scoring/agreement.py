"""Agreement metrics between two sets of 1-5 scores, in pure Python.

Conventions for degenerate input (documented because they decide how a report reads):
- quadratic_weighted_kappa returns 1.0 when both sides are identical and constant (nothing
  to disagree about), and 0.0 when chance agreement is already perfect but the sides differ.
- spearman returns 0.0 when either side is constant: a constant list carries no ordering, so
  it shows no association, and 0.0 keeps reports and averages free of NaN.
- profile_accuracy returns NaN when no answer has two dimensions that differ by the gap:
  there is nothing to order, and a number would pretend otherwise.
- Every function raises ValueError on lists of different lengths or empty input.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

from scoring.card import round_half_up
from scoring.rubric import DIMENSIONS
from scoring.text import word_count

PROFILE_GAP = 2  # gold dimensions this far apart are a real profile (1 could be rater noise)


def _check(a: Sequence, b: Sequence) -> None:
    """Refuse inputs that cannot be compared."""
    if len(a) != len(b):
        raise ValueError(f"length mismatch: {len(a)} != {len(b)}")
    if not a:
        raise ValueError("no scores to compare")


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int], lo: int = 1, hi: int = 5) -> float:
    """Cohen's kappa with quadratic disagreement weights on the integer scale lo..hi."""
    _check(a, b)
    k = hi - lo + 1
    if k < 2:
        raise ValueError("scale needs at least two levels")
    observed = [[0.0] * k for _ in range(k)]
    for x, y in zip(a, b):
        if not (lo <= x <= hi and lo <= y <= hi):
            raise ValueError(f"score outside {lo}..{hi}: {x}, {y}")
        observed[int(x) - lo][int(y) - lo] += 1
    n = float(len(a))
    row = [sum(r) for r in observed]
    col = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    num = den = 0.0
    for i in range(k):
        for j in range(k):
            w = (i - j) ** 2 / (k - 1) ** 2
            num += w * observed[i][j]
            den += w * row[i] * col[j] / n
    if den == 0:
        return 1.0 if num == 0 else 0.0
    return 1.0 - num / den


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the mean of the ranks they span."""
    ranks = [0.0] * len(values)
    for first, last, members in tied_runs(values):
        for index in members:
            ranks[index] = (first + last) / 2 + 1
    return ranks


def tied_runs(values: Sequence[float]) -> list[tuple[int, int, list[int]]]:
    """Indexes sorted by value, cut into runs of equal values: (first rank, last rank, indexes), 0-based."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    runs = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        runs.append((i, j, order[i:j + 1]))
        i = j + 1
    return runs


def pearson(a: Sequence[float], b: Sequence[float]) -> float:
    """Pearson correlation; 0.0 when either side is constant."""
    _check(a, b)
    n = len(a)
    ma, mb = sum(a) / n, sum(b) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    va = sum((x - ma) ** 2 for x in a)
    vb = sum((y - mb) ** 2 for y in b)
    if va == 0 or vb == 0:
        return 0.0
    return cov / math.sqrt(va * vb)


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho: Pearson on average ranks; 0.0 when either side is constant."""
    _check(a, b)
    return pearson(average_ranks(a), average_ranks(b))


def mean_absolute_error(a: Sequence[float], b: Sequence[float]) -> float:
    """Mean of |a - b|."""
    _check(a, b)
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


def exact_agreement(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of items where the two scores are equal."""
    _check(a, b)
    return sum(1 for x, y in zip(a, b) if x == y) / len(a)


def adjacent_agreement(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of items where the two scores differ by at most one."""
    _check(a, b)
    return sum(1 for x, y in zip(a, b) if abs(x - y) <= 1) / len(a)


def profile_accuracy(
    pred_rows: Sequence[Mapping[str, float]],
    gold_rows: Sequence[Mapping[str, float]],
    gap: int = PROFILE_GAP,
) -> float:
    """How often the prediction orders two dimensions of one answer as the gold does.

    Counts every answer and every pair of dimensions whose gold scores differ by `gap` or
    more; a prediction in the same direction scores 1, a tie 0.5, the wrong way 0.
    """
    _check(pred_rows, gold_rows)
    credit = 0.0
    pairs = 0
    for pred, gold in zip(pred_rows, gold_rows):
        for i, d1 in enumerate(DIMENSIONS):
            for d2 in DIMENSIONS[i + 1 :]:
                gold_diff = gold[d1] - gold[d2]
                if abs(gold_diff) < gap:
                    continue
                pairs += 1
                pred_diff = pred[d1] - pred[d2]
                if pred_diff == 0:
                    credit += 0.5
                elif (pred_diff > 0) == (gold_diff > 0):
                    credit += 1.0
    return credit / pairs if pairs else math.nan


def length_baseline(texts: Sequence[str], reference_scores: Sequence[int]) -> list[int]:
    """Scores from length alone: answers ranked by word count receive the reference scores in rank order.

    Mapping: sort the reference scores, sort the answers by word count, and give the k-th
    shortest answer the k-th lowest reference score. The baseline thus reproduces the
    reference distribution exactly, which is the fairest shot a length-only scorer can get
    (it never loses agreement by being mis-calibrated). Answers with equal word counts share
    the mean of the scores their ranks would receive, rounded half up, so input order never
    decides a score.
    """
    _check(texts, reference_scores)
    counts = [word_count(t) for t in texts]
    ordered_scores = sorted(reference_scores)
    out = [0] * len(texts)
    for first, last, members in tied_runs(counts):
        share = ordered_scores[first:last + 1]
        tied_score = round_half_up(sum(share) / len(share))
        for index in members:
            out[index] = tied_score
    return out
