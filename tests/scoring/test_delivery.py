"""Delivery figures of a spoken answer: pace, fillers by kind, long pauses, time box, and the guidance they give."""

from scoring.delivery import TimedWord, filler_counts, measure


def _evenly(text: str, seconds_per_word: float, gaps: dict[int, float] | None = None) -> list[TimedWord]:
    out, t = [], 0.0
    for i, word in enumerate(text.split()):
        t += (gaps or {}).get(i, 0.0)
        out.append(TimedWord(word, t, t + seconds_per_word * 0.8))
        t += seconds_per_word
    return out


def test_fillers_are_counted_by_kind_and_real_verbs_are_not():
    kinds = filler_counts("Um, so the plan, uh, was, like, two phases. You know, the vendor slipped. Umm. "
                          "I like the second phase. Do you know how long it took?")
    assert kinds == {"um": 2, "uh": 1, "like": 1, "you know": 1}


def test_a_calm_answer_inside_its_time_box_gets_no_guidance():
    text = " ".join(["The critical path is the vendor integration and it sets the date."] * 12)
    words = _evenly(text, 60 / 140)  # 140 words a minute
    d = measure(text, words, duration_seconds=words[-1].end + 1, time_box_seconds=90)
    assert 135 <= d.words_per_minute <= 145 and d.fillers == 0 and d.long_pauses == 0
    assert d.guidance == ()


def test_fast_filler_heavy_paused_and_overlong_answers_each_get_advice():
    text = " ".join(["Um, the plan, uh, was like two phases."] * 40)
    words = _evenly(text, 60 / 200, gaps={10: 3.0, 50: 2.5, 90: 4.2})
    d = measure(text, words, duration_seconds=words[-1].end, time_box_seconds=60)
    assert d.words_per_minute > 170 and d.fillers_per_100_words > 5
    assert d.long_pauses == 3 and abs(d.longest_pause_seconds - 4.2) < 0.3
    said = " ".join(d.guidance)
    assert "words a minute" in said and "fillers per 100 words" in said and "pauses over 2 seconds" in said
    assert "over the 1-minute time box" in said
    assert d.to_dict()["filler_kinds"] == {"um": 40, "uh": 40, "like": 40}


def test_a_short_answer_is_told_it_used_little_of_its_time():
    text = "I would cut scope and tell the sponsor the new date with the reason and the plan to get back."
    d = measure(text, _evenly(text, 0.4), duration_seconds=8.0, time_box_seconds=180)
    assert any("of 180 seconds" in g for g in d.guidance)
