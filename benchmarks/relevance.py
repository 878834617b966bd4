"""Relevance on the catalog itself: each example answer scored against questions it does not answer.

Usage:
  python benchmarks/relevance.py [--others 5] [--seed 0]

Prints two figures for the bundled learned scorer:
  held     of every (example answer, question of another category) pair, the share whose overall
           score is held to 2.0 or less (target: at least 90%), with the pairs that escape most;
  own      of the example answers, how many score higher on their own question than on each of
           --others randomly chosen other questions (target: every one).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from web.content import load_catalog  # noqa: E402  (after the path tweak above)
from web.infra.scorer_model import bundled_scorer  # noqa: E402


def main() -> int:
    """Score every cross-category pair and the own-versus-others sample; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--others", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=10, help="escaping pairs to list")
    args = parser.parse_args()
    scorer = bundled_scorer()
    questions = [q for q in sorted(load_catalog(ROOT / "content").questions.values(), key=lambda q: q.id)
                 if q.example_text]
    print(f"command: python {' '.join(sys.argv)}")
    print(f"scorer {scorer.version}, {len(questions)} example answers")

    escaped, pairs = [], 0
    for q in questions:
        for other in questions:
            if other.category == q.category:
                continue
            pairs += 1
            overall = scorer.score(q.example_text, other.rubric).overall
            if overall > 2.0:
                escaped.append((overall, q.id, other.id))
    held = pairs - len(escaped)
    print(f"held     {held} of {pairs} cross-category pairs at overall <= 2.0 ({held / pairs:.1%})")
    for overall, answer_of, scored_on in sorted(escaped, reverse=True)[: args.show]:
        print(f"         {overall:.2f}  answer to {answer_of} scored on {scored_on}")

    rng = random.Random(args.seed)
    wins, losses = 0, []
    for q in questions:
        own = scorer.score(q.example_text, q.rubric).overall
        others = rng.sample([o for o in questions if o.id != q.id], args.others)
        beaten = [o.id for o in others if scorer.score(q.example_text, o.rubric).overall >= own]
        wins += not beaten
        losses.extend((q.id, o) for o in beaten)
    print(f"own      {wins} of {len(questions)} example answers score highest on their own question "
          f"against {args.others} others")
    for answer_of, scored_on in losses:
        print(f"         answer to {answer_of} ties or loses on {scored_on}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
