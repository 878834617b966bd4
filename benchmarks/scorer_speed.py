"""Offline scorer latency for a ~300-word answer: median, p90 and p99 over many runs on one core.

Usage:
  python benchmarks/scorer_speed.py [--runs 500] [--warmup 20] [--cpu 0] [--no-pin] [--scorer learned|rules]

--scorer learned (the default) times what the site runs: the learned scorer, embedding included;
--scorer rules times the rule-based reading it is built on (scoring.offline.score).

Scores the answer below against the generic rubric of its question. Two series are timed:
  same     the identical answer every run (stem and rubric caches warm, as for a re-score);
  varied   a different answer every run: sentences rotated and numbers changed, so the
           analysis of the text is never repeated (the realistic case for new submissions).
The process is pinned to one CPU (Linux) so the figure is a one-core figure. Target: median <= 5 ms.
Wall-clock and CPU time are both printed: on a busy machine the wall clock also counts time spent
waiting for the CPU, the process CPU time does not.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring import generic_rubric  # noqa: E402  (after the path tweak above)
from scoring import score as rules_score  # noqa: E402
from scoring.text import analyse  # noqa: E402

QUESTION = "Walk me through how you would run the rollout of a new payments provider across 14 countries."
# Written for this benchmark: a realistic, specific program answer of about 300 words.
SENTENCES = (
    "I'd start with the why: the current provider's contract ends on June 30 and its fees are 0.4% higher, "
    "worth about $3M a year.",
    "Success means every country live by May 15, authorisation rates within 0.5 points of today, and no "
    "customer-facing outage longer than ten minutes.",
    "In the first three weeks I'd map every integration: checkout, refunds, payouts, fraud scoring and the "
    "finance reconciliation jobs.",
    "Then a pilot in two low-volume markets, Ireland and Portugal, behind a feature flag at 5% of traffic.",
    "The main risks are a drop in authorisation rates, missing local payment methods and the reconciliation "
    "files changing format.",
    "For each I'd set a trigger: if authorisation falls more than one point for two days we roll back to "
    "the old provider while the vendor tunes its routing.",
    "I'd keep both providers live for 30 days after each country moves, so we can fail back within an hour.",
    "Markets go in four waves ordered by volume, with Germany and France last because they carry 60% of "
    "revenue.",
    "Every Monday I'd run a 30-minute wave review with the payments, fraud and finance leads, and every "
    "other Friday the CFO and the VP of Engineering get a one-page status with red, amber and green per "
    "country.",
    "Anything blocked for more than three days comes to that review with options and a recommendation.",
    "I'd own the plan, the risk log and the go/no-go call for each wave, and I'd agree up front with the "
    "finance director who can stop a wave.",
    "When I ran a similar switch for 6 markets, the pilot caught a currency rounding bug that would have "
    "cost us 2% of refunds, which is why I'd never skip it.",
)


def answer(variant: int) -> str:
    """The benchmark answer; each variant rotates the sentences and changes one number."""
    k = variant % len(SENTENCES)
    rotated = SENTENCES[k:] + SENTENCES[:k]
    text = " ".join(rotated).replace("14 countries", f"{14 + variant} countries")
    return text + f" We aim for {variant} fewer incidents."


def timed(runs: int, make_text, score) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per score() call."""
    rubric = generic_rubric(QUESTION, "program-execution")
    wall, cpu = [], []
    for i in range(runs):
        text = make_text(i)
        start, start_cpu = time.perf_counter(), time.process_time()
        score(text, rubric)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return wall, cpu


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of a list of numbers."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> int:
    """Run the benchmark and print the figures with the command that produced them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--cpu", type=int, default=0, help="CPU to pin to (Linux)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin to one CPU")
    parser.add_argument("--scorer", choices=("learned", "rules"), default="learned")
    args = parser.parse_args()
    if args.scorer == "learned":
        from web.infra.scorer_model import bundled_scorer

        score = bundled_scorer().score
    else:
        score = rules_score
    pinned = "no"
    if not args.no_pin and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
        pinned = f"cpu {args.cpu}"
    words = analyse(answer(0)).words
    timed(args.warmup, answer, score)  # fills the rubric, stem and word caches, as a running server has them
    print(f"command: python {' '.join(sys.argv)}")
    print(f"python {platform.python_version()} on {platform.machine()}, pinned: {pinned}, answer: {words} words, "
          f"scorer: {args.scorer}")
    for name, make_text in (("same", lambda i: answer(0)), ("varied", lambda i: answer(i + args.warmup))):
        wall, cpu = timed(args.runs, make_text, score)
        for clock, ms in (("wall", wall), ("cpu", cpu)):
            print(f"{name:<7}{clock:<5} runs {args.runs}  median {statistics.median(ms):.2f} ms  "
                  f"p90 {percentile(ms, 0.9):.2f} ms  p99 {percentile(ms, 0.99):.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
