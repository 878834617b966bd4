"""evaluate() and format_report() on a tiny graded set written for this test."""

from __future__ import annotations

import pytest

from scoring.evaluate import evaluate, format_report, offline_predict

D = ("strategy", "risk", "communication", "leadership")


def _record(i: int, answer: str, r1: tuple[int, ...], r2: tuple[int, ...]) -> dict:
    ratings = [dict(zip(D, r1)), dict(zip(D, r2))]
    consensus = {d: int((a + b) / 2 + 0.5) for d, a, b in zip(D, r1, r2)}
    return {"id": f"t{i}", "question_id": "q", "category": "program-execution",
            "question": "How do you recover a launch that is slipping?", "answer": answer,
            "ratings": ratings, "scores": consensus}


RECORDS = [
    _record(0, "I'd push harder.", (1, 1, 1, 1), (1, 1, 2, 1)),
    # Communication well above the rest: a profile that profile accuracy can check.
    _record(1, "I would re-plan with the leads and tell the sponsor the new date every week.",
            (2, 2, 4, 2), (2, 2, 4, 2)),
    _record(2, "First I'd re-estimate with each lead, then cut scope to the must-haves, add a buffer for the "
               "integration risk and send a weekly status to the VP.", (3, 3, 3, 3), (4, 3, 3, 3)),
    _record(3, "The slip is two weeks on the payments API. I'd cut two reports from v1, move the load test "
               "earlier as mitigation, keep a feature flag to roll back, and brief the VP and finance every "
               "Friday with a red/amber/green view. I'd own the new date.", (5, 5, 4, 4), (5, 4, 4, 5)),
]


def _exact(record: dict) -> dict[str, int]:
    return dict(record["scores"])


def test_a_perfect_predictor_agrees_perfectly():
    report = evaluate(RECORDS, _exact)
    assert report["n"] == 4
    for d in D:
        scorer = report["dimensions"][d]["scorer"]
        assert scorer["qwk"] == pytest.approx(1.0) and scorer["mae"] == 0.0 and scorer["exact"] == 1.0
    assert report["profile_accuracy"]["scorer"] == 1.0


def test_report_has_raters_and_length_baseline_next_to_the_scorer():
    report = evaluate(RECORDS, _exact)
    raters = report["dimensions"]["strategy"]["raters"]
    # Rater 1 vs rater 2 on strategy: [1,2,3,5] vs [1,2,4,5] -> 3 of 4 equal, all adjacent.
    assert raters["exact"] == pytest.approx(0.75) and raters["adjacent"] == 1.0
    baseline = report["dimensions"]["strategy"]["baseline"]
    # Word counts rise with the consensus here, so the length baseline is perfect on this toy set.
    assert baseline["qwk"] == pytest.approx(1.0)
    assert set(report["profile_accuracy"]) == {"scorer", "raters", "baseline"}


def test_predictions_and_progress_are_reported():
    seen = []
    report = evaluate(RECORDS, lambda r: {d: 3 for d in D}, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert [p["id"] for p in report["predictions"]] == ["t0", "t1", "t2", "t3"]
    assert report["predictions"][0]["predicted"] == {d: 3 for d in D}
    assert report["dimensions"]["risk"]["scorer"]["spearman"] == 0.0  # constant prediction: no ordering


def test_offline_predict_orders_the_toy_answers():
    report = evaluate(RECORDS, offline_predict)
    preds = [p["predicted"] for p in report["predictions"]]
    assert all(set(p) == set(D) and all(1 <= v <= 5 for v in p.values()) for p in preds)
    assert sum(preds[3].values()) > sum(preds[0].values())


def test_agreement_is_broken_down_by_question():
    records = RECORDS + [dict(RECORDS[0], id="t9", question_id="other")]
    report = evaluate(records, _exact)
    assert list(report["by_question"]) == ["other", "q"]
    assert report["by_question"]["q"]["n"] == 4 and report["by_question"]["other"]["n"] == 1
    assert report["by_question"]["q"]["risk"]["exact"] == 1.0


def test_format_report_is_a_readable_table():
    text = format_report(evaluate(RECORDS, _exact))
    assert "answers: 4" in text and "profile accuracy" in text
    for d in D:
        assert d in text
    assert text.count("baseline") >= 4 and "qwk" in text and "spearman" in text


def test_empty_input_is_refused():
    with pytest.raises(ValueError):
        evaluate([], _exact)


def test_single_rater_records_leave_the_ceiling_out():
    from scoring.evaluate import evaluate, format_report

    records = [
        {"id": str(i), "question_id": "q", "question": "Tell me about a conflict.", "answer": "I resolved it by talking to both leads." * (i + 1),
         "ratings": [{"strategy": s, "risk": s, "communication": s, "leadership": s}], "scores": {"strategy": s, "risk": s, "communication": s, "leadership": s}}
        for i, s in enumerate((1, 2, 3, 4))
    ]
    report = evaluate(records, lambda r: {"strategy": 2, "risk": 2, "communication": 2, "leadership": 2})
    assert report["n_double_rated"] == 0
    assert "n/a" in format_report(report)
