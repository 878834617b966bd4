"""The generic rubric for questions outside the catalog."""

from scoring import DIMENSIONS, generic_rubric
from scoring.generic import question_topic_terms


def test_every_dimension_has_several_key_points_with_phrases():
    rubric = generic_rubric("How would you run a data center exit?")
    for d in DIMENSIONS:
        points = rubric.points_for(d)
        assert len(points) >= 3
        assert all(len(p.phrases) >= 5 and p.description for p in points)
    assert len({p.id for p in rubric.key_points}) == len(rubric.key_points)


def test_risk_key_points_use_the_words_of_risk_management():
    phrases = {ph for p in generic_rubric("Any question").points_for("risk") for ph in p.phrases}
    assert {"risk", "mitigate", "contingency", "rollback", "fallback", "escalate"} <= phrases


def test_topic_terms_are_the_questions_subject_not_its_framing():
    terms = question_topic_terms("Tell me about a time you had to influence a team you had no authority over.")
    assert terms == ("influence", "team", "authority")


def test_category_adds_its_own_points_and_is_kept():
    plain = generic_rubric("Tell me about a failure.")
    behavioral = generic_rubric("Tell me about a failure.", "behavioral")
    assert behavioral.category == "behavioral" and plain.category is None
    assert len(behavioral.key_points) > len(plain.key_points)


def test_same_question_same_fingerprint_and_whitespace_does_not_matter():
    a = generic_rubric("How would you  plan\na launch?", "program-sense")
    b = generic_rubric("How would you plan a launch?", "program-sense")
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != generic_rubric("How would you plan a migration?", "program-sense").fingerprint()
