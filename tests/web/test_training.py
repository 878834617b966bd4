"""`tpmprep train` and `tpmprep eval --cv` on a small graded file made from the catalog."""

from __future__ import annotations

import json
import re

import numpy as np

from scoring.rubric import DIMENSIONS
from web.cli import main
from web.infra.scorer_model import load_model, scorer_for

QUESTIONS = ("pe-six-week-slip-recovery", "ps-cloud-cost-reduction", "beh-missed-deadline", "tech-zero-downtime-db-migration")
CUTS = (1, 2, 3, 5, 8, 40)


def _graded_file(catalog, path):
    """Answers of rising quality (more of a strong answer), with two raters who agree within a point."""
    lines = []
    for qid in QUESTIONS:
        question = catalog.question(qid)
        sentences = re.split(r"(?<=[.!?])\s+", question.example_text.strip())
        for level, cut in enumerate(CUTS):
            score = min(5, 1 + level)
            ratings = [dict.fromkeys(DIMENSIONS, score), dict.fromkeys(DIMENSIONS, max(1, score - (level % 2)))]
            lines.append(json.dumps({
                "id": f"{qid}-{cut}", "question_id": qid, "category": question.category,
                "question": question.prompt_text, "answer": " ".join(sentences[:cut]),
                "ratings": ratings, "scores": dict.fromkeys(DIMENSIONS, score),
            }))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_train_is_deterministic_prints_grouped_figures_and_writes_a_usable_model(catalog, tmp_path, capsys):
    graded = _graded_file(catalog, tmp_path / "graded.jsonl")
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    assert main(["train", str(graded), "--out", str(first)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"strategy\s+grouped CV \(leave one question out\): QWK [-0-9.]+, Spearman [-0-9.]+", out)
    assert main(["train", str(graded), "--out", str(second)]) == 0
    capsys.readouterr()
    a, b = load_model(first), load_model(second)
    assert a.version == b.version and a.version.startswith("learned-")
    assert all(np.array_equal(a.dimensions[d].weights, b.dimensions[d].weights) for d in DIMENSIONS)
    question = catalog.question(QUESTIONS[0])
    card = scorer_for(a).score(question.example_text, question.rubric)
    assert card.scorer_version == a.version
    # Fit to answers whose scores rise with their length, the full answer beats its first sentence.
    short = scorer_for(a).score(question.example_text.split(". ")[0] + ".", question.rubric)
    assert card.overall > short.overall


def test_eval_cv_reports_only_held_out_figures(catalog, tmp_path, capsys):
    graded = _graded_file(catalog, tmp_path / "graded.jsonl")
    assert main(["eval", "--cv", "--json", str(graded)]) == 0
    report = json.loads(capsys.readouterr().out)
    figures = report["by_question"]["graded"]
    assert figures["n"] == len(QUESTIONS) * len(CUTS)
    assert set(figures["dimensions"]) == set(DIMENSIONS)
    assert {"qwk", "spearman", "length_qwk", "raters_qwk"} <= set(figures["dimensions"]["risk"])
    assert report["across_files"] == {}  # one file: nothing to hold out across files


def test_bad_graded_files_give_a_clear_message(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "answer": "a"}\nnot json\n', encoding="utf-8")
    assert main(["train", str(bad), "--out", str(tmp_path / "m.npz")]) == 1
    assert "bad.jsonl:1: missing scores" in capsys.readouterr().err
