"""Each signal moves the right way when the answer changes in one respect."""

from __future__ import annotations

import pytest

from scoring.generic import generic_rubric
from scoring.offline import dimension_value, measure
from tests.scoring.samples import MIGRATION_QUESTION, RESTATED

RUBRIC = generic_rubric(MIGRATION_QUESTION, "program-sense")
BASE = "We planned the migration in waves and moved the services over the year."


def sig(text: str, name: str) -> float:
    return measure(text, RUBRIC).signals[name]


def value(text: str, dimension: str) -> float:
    return dimension_value(measure(text, RUBRIC), dimension)


def test_specifics_raise_specificity():
    vague = "We moved the launch and cut some features to save money."
    concrete = "We moved the launch from March 3 to March 17 and cut 2 of 9 features, saving $40k a month."
    assert sig(concrete, "specificity") > sig(vague, "specificity") + 0.3


def test_numbers_already_in_the_question_are_not_specifics():
    assert sig("We will move 120 services in nine months.", "specificity") == 0.0


def test_first_person_actions_raise_ownership_over_the_team_did_it():
    team = "The team decided to cut scope, the team told the VP and they rebuilt the plan."
    mine = "I decided to cut scope, I told the VP and I rebuilt the plan with the two leads."
    assert sig(mine, "ownership") > sig(team, "ownership") + 0.3
    assert value(mine, "leadership") > value(team, "leadership")


def test_layout_and_discourse_markers_raise_structure():
    flat = "Discovery took a month. The pilot moved eight services. The waves moved the rest."
    laid_out = "Discovery:\n- took a month\n\nPilot:\n- moved eight services\n\nWaves:\n- moved the rest"
    spoken = ("So first we did discovery for a month, then we ran a pilot with eight services, and in the end "
              "the waves moved the rest. What I learned is to pilot early.")
    assert sig(laid_out, "structure") > sig(flat, "structure")
    assert sig(spoken, "structure") > sig(flat, "structure")


def test_a_risk_with_a_mitigation_and_a_contingency_raises_risk():
    named = BASE + " There was a risk the network vendor would slip."
    handled = named + (" I booked a backup vendor as mitigation, and if the first slipped past May 1 we would "
                       "switch and roll back the cutover.")
    assert value(handled, "risk") > value(named, "risk") > value(BASE, "risk")
    assert sig(handled, "foresight") > sig(named, "foresight")


def test_who_when_and_how_stakeholders_were_told_raises_communication_evidence():
    vague = BASE + " I kept people informed."
    specific = BASE + (" I sent a weekly status email to the VP and both team leads, held a Monday sync, and "
                       "escalated blockers to the steering group.")
    assert sig(specific, "evidence_communication") > sig(vague, "evidence_communication") + 0.2


def test_goals_measures_and_options_raise_strategy_evidence():
    plan = BASE
    strategic = BASE + (" The goal was to cut hosting cost by 20% before the contract ended; success meant zero "
                        "customer-facing incidents. We weighed a rewrite against rehosting and chose rehosting "
                        "because it was reversible.")
    assert sig(strategic, "evidence_strategy") > sig(plan, "evidence_strategy") + 0.2
    assert sig(strategic, "deliberation") > sig(plan, "deliberation")


def _distinct_sentences(n: int) -> str:
    """n sentences that share no content words, so none counts as a repeat."""
    syllables = ("ka", "lo", "mi", "su", "te", "vo", "ri", "na")
    words = [a + b + c for a in syllables for b in syllables for c in syllables]
    return " ".join(f"The {words[3 * i]} team moved {words[3 * i + 1]} after {words[3 * i + 2]}." for i in range(n))


def test_length_helps_then_saturates():
    lengths = {n: sig(_distinct_sentences(n), "length") for n in (5, 20, 60, 120)}
    assert lengths[5] < lengths[20] < lengths[60] <= lengths[120]
    # Saturating: the last 360 words add less than the 75 words from 5 to 20 sentences did.
    assert lengths[120] - lengths[60] < lengths[20] - lengths[5]


def test_hedges_and_spoken_fillers_lower_clarity():
    clean = ("I moved the launch by two weeks and told the VP the same day. The payments team needed the "
             "extra time to finish the refund flow, so I cut two reports from the first release and kept "
             "the date for the checkout change. We shipped on May 14.")
    hedged = ("Um I guess I kind of moved the launch, like, by maybe two weeks and uh sort of told the VP. "
              "The payments team, um, probably needed the extra time for the refund flow or something, so I "
              "basically cut, like, two reports and stuff and uh we shipped in May I think.")
    assert sig(clean, "clarity") == pytest.approx(1.0)
    assert sig(hedged, "clarity") < 0.5
    # Saying almost nothing is not clarity either.
    assert sig("I moved it.", "clarity") < 0.2


def test_talking_about_the_question_raises_relevance():
    on_topic = "I'd migrate the services in waves to the managed cloud platform."
    off_topic = "I'd bake the cake in a hot oven and serve it with cream."
    assert sig(on_topic, "relevance") > sig(off_topic, "relevance")
    assert measure(off_topic, RUBRIC).gates["relevance"] == 0.0


def test_buzzwords_and_generalities_close_the_substance_gate():
    plain = "I'd move stateless services first, then the databases, with a rollback for each cutover."
    buzz = ("I'd leverage synergy and a holistic, data-driven mindset to drive alignment and deliver value "
            "at scale. It's important to always follow best practices, and you should usually empower teams.")
    assert measure(plain, RUBRIC).gates["substance"] == pytest.approx(1.0)
    assert measure(buzz, RUBRIC).gates["substance"] < 0.3


def test_restating_the_question_closes_the_echo_gate():
    assert measure(RESTATED, RUBRIC).gates["echo"] < 0.5
    assert measure(BASE, RUBRIC).gates["echo"] == 1.0


def test_a_keyword_list_closes_the_fluency_gate():
    assert measure("risk, rollback, stakeholders, roadmap, OKRs, escalation", RUBRIC).gates["fluency"] == 0.0
    assert measure(BASE, RUBRIC).gates["fluency"] == 1.0


def test_blaming_others_caps_leadership():
    rubric = generic_rubric("Tell me about a time you had to delay a launch.", "behavioral")
    owned = ("I decided to delay the launch by two weeks, I told the VP and both directors why, and I rebuilt "
             "the plan with the four leads. I convinced the payments team to lend us two engineers, resolved "
             "the disagreement over the API by writing up both options, and we shipped on May 14 with 30% fewer "
             "incidents. I learned to reset dates early.")
    blamed = owned + " Honestly the slip was their fault: the vendor dropped the ball."
    assert dimension_value(measure(owned, rubric), "leadership") > 3.0
    assert dimension_value(measure(blamed, rubric), "leadership") <= 3.0


def test_each_dimension_responds_most_to_its_own_evidence():
    risk_text = BASE + (" The main risk was data loss during cutover; I mitigated it with replication and a "
                        "rehearsed cutover, with a rollback plan and a trigger to revert if errors passed 1%.")
    comm_text = BASE + (" I sent a weekly status email to the VP and the service owners, held a Monday sync, "
                        "and posted a dashboard in the program's Slack channel.")
    base = {d: value(BASE, d) for d in ("risk", "communication")}
    assert value(risk_text, "risk") - base["risk"] > value(risk_text, "communication") - base["communication"]
    assert value(comm_text, "communication") - base["communication"] > value(comm_text, "risk") - base["risk"]
