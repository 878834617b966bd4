"""Graded answers (JSON lines, as in shared/eval and `tpmprep export-labels`) as training examples."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from scoring.generic import generic_rubric
from scoring.rubric import DIMENSIONS, Rubric
from scoring.training import Example, Reference, target_of
from web.content import Catalog


def read_records(path: Path) -> list[dict]:
    """The records of one JSON-lines file, with the file's name as their source."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
        missing = [k for k in ("question", "answer", "scores") if k not in record]
        if missing:
            raise ValueError(f"{path}:{number}: missing {', '.join(missing)}")
        record.setdefault("source", path.stem)
        records.append(record)
    return records


def rubric_for(record: dict, catalog: Catalog) -> Rubric:
    """The catalog question's own rubric when the record names one, else the generic rubric."""
    question = catalog.question(str(record.get("question_id") or ""))
    if question is not None:
        return question.rubric
    return generic_rubric(record["question"], record.get("category"))


def examples_from(records: Iterable[dict], catalog: Catalog) -> list[Example]:
    """Training examples: answer, rubric, question group, source file and the raters' scores."""
    out = []
    for r in records:
        ratings = tuple({d: int(x[d]) for d in DIMENSIONS} for x in (r.get("ratings") or ()))
        out.append(
            Example(
                answer=r["answer"],
                rubric=rubric_for(r, catalog),
                group=str(r.get("question_id") or r["question"]),
                source=str(r.get("source", "")),
                target=target_of(r),
                gold={d: int(r["scores"][d]) for d in DIMENSIONS},
                ratings=ratings,
            )
        )
    return out


def references_from(catalog: Catalog) -> list[Reference]:
    """Every catalog question with its example answer, in id order (calibration data)."""
    return [Reference(q.rubric, q.example_text) for q in sorted(catalog.questions.values(), key=lambda q: q.id)]
