"""Score every catalog example answer on its own rubric with the offline scorer: one line per question."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scoring.rubric import DIMENSIONS  # noqa: E402
from web.content import scan  # noqa: E402
from web.services.scorers import run_scorer  # noqa: E402
from web.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("ids", nargs="*", help="question ids (default: every question)")
    parser.add_argument("--content", default="content")
    parser.add_argument("--minimum", type=float, default=3.5, help="exit 1 if any example scores below this")
    args = parser.parse_args()
    settings = Settings(content_dir=Path(args.content))
    # scan, not load_catalog: score what loads even while other files still have problems.
    catalog, problems = scan(Path(args.content))
    if problems:
        print(f"({len(problems)} content problems elsewhere; run `tpmprep content check`)", file=sys.stderr)
    ids = args.ids or sorted(catalog.questions)
    low = 0
    for qid in ids:
        question = catalog.question(qid)
        if question is None:
            print(f"{qid}: no such question", file=sys.stderr)
            return 2
        card = run_scorer("offline", text=question.example_text, rubric=question.rubric, settings=settings)
        dims = " ".join(f"{d[:4]} {card.dimensions[d].score}" for d in DIMENSIONS)
        flag = "" if card.overall >= args.minimum else "   << below minimum"
        low += card.overall < args.minimum
        print(f"{qid:<48} {card.overall:.2f}  {dims}{flag}")
    print(f"{len(ids) - low} of {len(ids)} at or above {args.minimum}")
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main())
