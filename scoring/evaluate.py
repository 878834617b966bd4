"""Agreement of a scorer with graded answers, next to the two raters and a length-only baseline."""

from __future__ import annotations

import math
from typing import Callable, Mapping, Sequence

from scoring.agreement import (
    adjacent_agreement,
    exact_agreement,
    length_baseline,
    mean_absolute_error,
    profile_accuracy,
    quadratic_weighted_kappa,
    spearman,
)
from scoring.generic import generic_rubric
from scoring.offline import score
from scoring.rubric import DIMENSIONS

METRICS = ("qwk", "spearman", "mae", "exact", "adjacent")
COMPARISONS = ("scorer", "raters", "baseline")  # scorer vs consensus, rater 1 vs 2, length vs consensus


def offline_predict(record: Mapping) -> dict[str, int]:
    """Score a graded record's answer with the offline scorer and the generic rubric for its question."""
    rubric = generic_rubric(record["question"], record.get("category"))
    return score(record["answer"], rubric).scores


def _metrics(pred: Sequence[int], gold: Sequence[int]) -> dict[str, float]:
    """Every agreement figure for one dimension."""
    return {
        "qwk": quadratic_weighted_kappa(pred, gold),
        "spearman": spearman(pred, gold),
        "mae": mean_absolute_error(pred, gold),
        "exact": exact_agreement(pred, gold),
        "adjacent": adjacent_agreement(pred, gold),
    }


def evaluate(
    records: list[dict],
    predict: Callable[[dict], dict[str, int]],
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Score every record and compare with the consensus, the second rater and the length baseline.

    The report also breaks the scorer's agreement down by question ("by_question"), so a scorer
    that only works on some questions shows it.
    """
    if not records:
        raise ValueError("no records to evaluate")
    predictions = []
    for i, record in enumerate(records):
        predictions.append({d: int(v) for d, v in predict(record).items()})
        if progress is not None:
            progress(i + 1, len(records))
    gold = [{d: int(r["scores"][d]) for d in DIMENSIONS} for r in records]
    # The ceiling needs two raters; answers reviewed by one person (exported labels) are left out of it.
    paired = [r for r in records if len(r.get("ratings") or ()) >= 2]
    texts = [r["answer"] for r in records]
    baseline_rows = [dict() for _ in records]
    dimensions = {}
    for d in DIMENSIONS:
        g = [row[d] for row in gold]
        base = length_baseline(texts, g)
        for row, b in zip(baseline_rows, base):
            row[d] = b
        raters = [(r["ratings"][0][d], r["ratings"][1][d]) for r in paired]
        dimensions[d] = {
            "scorer": _metrics([p[d] for p in predictions], g),
            "raters": _metrics([a for a, _ in raters], [b for _, b in raters]) if raters else dict.fromkeys(METRICS, math.nan),
            "baseline": _metrics(base, g),
        }
    by_question = {}
    for qid in sorted({str(r.get("question_id")) for r in records}):
        rows = [i for i, r in enumerate(records) if str(r.get("question_id")) == qid]
        by_question[qid] = {
            "n": len(rows),
            **{d: _metrics([predictions[i][d] for i in rows], [gold[i][d] for i in rows]) for d in DIMENSIONS},
        }
    rater1 = [{d: r["ratings"][0][d] for d in DIMENSIONS} for r in paired]
    rater2 = [{d: r["ratings"][1][d] for d in DIMENSIONS} for r in paired]
    return {
        "n": len(records),
        "n_double_rated": len(paired),
        "dimensions": dimensions,
        "profile_accuracy": {
            "scorer": profile_accuracy(predictions, gold),
            "raters": profile_accuracy(rater1, rater2) if paired else math.nan,
            "baseline": profile_accuracy(baseline_rows, gold),
        },
        "by_question": by_question,
        "predictions": [
            {"id": r.get("id"), "predicted": p, "gold": g} for r, p, g in zip(records, predictions, gold)
        ],
    }


def _fmt(x: float) -> str:
    """A metric as text; NaN shows as n/a."""
    return "n/a" if isinstance(x, float) and math.isnan(x) else f"{x:.3f}"


def format_report(report: Mapping) -> str:
    """A plain-text table of an `evaluate` report."""
    lines = [f"answers: {report['n']}", ""]
    header = f"{'dimension':<14} {'compared':<9}" + "".join(f"{m:>10}" for m in METRICS)
    lines += [header, "-" * len(header)]
    for d in DIMENSIONS:
        for who in COMPARISONS:
            row = report["dimensions"][d][who]
            label = d if who == "scorer" else ""
            lines.append(f"{label:<14} {who:<9}" + "".join(f"{_fmt(row[m]):>10}" for m in METRICS))
    lines.append("")
    lines.append("by question (scorer vs consensus, spearman / exact):")
    for qid, row in report.get("by_question", {}).items():
        cells = "".join(f"{d[:4]} {_fmt(row[d]['spearman'])}/{row[d]['exact']:.2f}  " for d in DIMENSIONS)
        lines.append(f"  {qid:<12} n={row['n']:<3} {cells.rstrip()}")
    lines.append("")
    pa = report["profile_accuracy"]
    lines.append("profile accuracy: " + ", ".join(f"{who} {_fmt(pa[who])}" for who in COMPARISONS))
    lines.append("scorer = offline scorer vs consensus; raters = rater 1 vs rater 2 (the ceiling); "
                 "baseline = word count mapped onto the consensus distribution")
    return "\n".join(lines)
