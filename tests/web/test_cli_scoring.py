"""`tpmprep score` and `tpmprep eval` from the command line."""

import json

from tests.conftest import first_question_id
from web.cli import main

GOOD = (
    "Situation: our checkout migration was slipping. I owned the recovery plan. I set a goal with the VP to cut "
    "failed payments by 20% by June, mapped dependencies across four teams, and kept a risk register with owners "
    "and a rollback plan behind a feature flag. I sent a weekly status update to leadership and escalated a vendor "
    "delay early. Result: we shipped on 3 June and failed payments fell 23%. I learned to involve finance sooner."
)
WEAK = "I don't know. We did some stuff and it was fine."


def test_score_a_catalog_question_as_json(tmp_path, capsys, catalog):
    answer = tmp_path / "answer.txt"
    answer.write_text(GOOD)
    assert main(["score", "--question", first_question_id(catalog), str(answer), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    assert set(card["scores"]) == {"strategy", "risk", "communication", "leadership"}
    assert all(1 <= v <= 5 for v in card["scores"].values())
    assert card["scorer"] == "offline" and card["rubric_hash"]


def test_score_free_question_text_from_stdin_prints_a_card(monkeypatch, capsys):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(GOOD))
    assert main(["score", "--question-text", "Tell me about a program you rescued.", "-"]) == 0
    out = capsys.readouterr().out
    assert "Overall" in out and "Strategy" in out and "Leadership" in out


def test_score_unknown_question_is_a_clear_error(tmp_path, capsys):
    answer = tmp_path / "a.txt"
    answer.write_text(GOOD)
    assert main(["score", "--question", "no-such-question", str(answer)]) == 1
    assert "no question with id 'no-such-question'" in capsys.readouterr().err


def _graded_file(tmp_path):
    rows = []
    for i, (text, level) in enumerate([(GOOD, 4), (WEAK, 1), (GOOD + " We also ran a retro.", 4), (WEAK + " Maybe.", 1)] * 2):
        rows.append({
            "id": f"a{i}", "question_id": "q1", "category": "behavioral",
            "question": "Tell me about a program you rescued.", "answer": text,
            "ratings": [{d: level for d in ("strategy", "risk", "communication", "leadership")}] * 2,
            "scores": {d: level for d in ("strategy", "risk", "communication", "leadership")},
        })
    path = tmp_path / "graded.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path, rows


def test_eval_prints_figures_json_and_predictions(tmp_path, capsys):
    path, rows = _graded_file(tmp_path)
    predictions = tmp_path / "pred.jsonl"
    assert main(["eval", str(path), "--json", "--predictions", str(predictions)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "predictions" not in report
    lines = [json.loads(line) for line in predictions.read_text().splitlines()]
    assert [line["id"] for line in lines] == [r["id"] for r in rows]
    assert all(set(line) == {"id", "strategy", "risk", "communication", "leadership"} for line in lines)
    # Strong answers are predicted above weak ones on every dimension.
    for d in ("strategy", "risk", "communication", "leadership"):
        assert lines[0][d] > lines[1][d]
    assert main(["eval", str(path)]) == 0
    text = capsys.readouterr().out
    assert "strategy" in text and "baseline" in text.lower()
