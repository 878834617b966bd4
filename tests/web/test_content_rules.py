"""Content rules beyond single fields: strict YAML, nested schemas, worked-answer markers, sourced company claims."""

import shutil
from pathlib import Path

import pytest

from web.content import scan

GOOD = Path(__file__).resolve().parents[1] / "fixtures" / "good"


@pytest.fixture()
def tree(tmp_path):
    """A copy of the good fixture to break one file at a time."""
    root = tmp_path / "content"
    shutil.copytree(GOOD, root)
    return root


def problems_in(root: Path) -> list[tuple[str, int, str]]:
    _catalog, problems = scan(root, strict=True)
    return [(str(p.path.relative_to(root)), p.line, p.reason) for p in problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_untouched_copy_is_clean(tree):
    assert problems_in(tree) == []


def test_a_key_written_twice_is_an_error_at_the_second(tree):
    edit(tree / "guides/second.md", "summary: Another guide.\n", "summary: Another guide.\ntitle: Again\n")
    assert ("guides/second.md", 5, "invalid YAML: duplicate key 'title' (first written on line 2)") in problems_in(tree)


def test_unknown_fields_are_refused_at_any_depth_with_their_line(tree):
    edit(tree / "questions/behavioral/beh-sample.md", "      earns: Names the shared goal.\n",
         "      earns: Names the shared goal.\n      weight: 3\n")
    found = problems_in(tree)
    assert any(f[:2] == ("questions/behavioral/beh-sample.md", 12) and "unknown field 'weight' (allowed: id, earns, phrases, probe)" in f[2]
               for f in found), found


def test_types_are_not_coerced(tree):
    edit(tree / "guides/second.md", "order: 2", "order: '2'")
    assert ("guides/second.md", 5, "'order' must be an integer (got '2')") in problems_in(tree)


def test_a_probe_is_a_question(tree):
    edit(tree / "questions/behavioral/beh-sample.md", "probe: What were both teams actually trying to achieve?",
         "probe: Names the shared goal.")
    found = problems_in(tree)
    assert any("a probe is a question an interviewer asks" in f[2] and f[1] == 13 for f in found), found


def test_every_key_point_needs_a_probe(tree):
    edit(tree / "questions/behavioral/beh-sample.md", "      probe: What were both teams actually trying to achieve?\n", "")
    found = problems_in(tree)
    assert ("questions/behavioral/beh-sample.md", 10, "key point 'goal' has no 'probe' (the question an interviewer asks to draw it out)") in found


def test_a_question_no_guide_links_to_is_reported(tree):
    edit(tree / "questions/technical/tech-sample.md", "guides: [second]\n", "")
    found = problems_in(tree)
    assert any(f[0] == "questions/technical/tech-sample.md" and "no guide links to this question" in f[2] for f in found), found


def test_planning_answers_must_show_the_critical_path_slip_risk_and_gates(tree):
    path = tree / "questions/technical/tech-sample.md"
    edit(path, "**If it slips a week.**", "**A slip.**")
    edit(path, "Owner: the cache lead. ", "")
    edit(path, "Abort: p99", "Stop if p99")
    reasons = [f[2] for f in problems_in(tree) if f[0] == "questions/technical/tech-sample.md"]
    assert "the example answer has no '**If it slips a week.**' paragraph" in reasons
    assert "the '**Top risk.**' paragraph does not give Owner:" in reasons
    assert "the '**Rollout gates.**' paragraph does not give Abort:" in reasons


def test_gates_are_required_only_when_the_answer_ships_something(tree):
    path = tree / "questions/technical/tech-sample.md"
    edit(path, "ships: true", "ships: false")
    edit(path, "**Rollout gates.**", "Rollout:")
    assert problems_in(tree) == []
    edit(path, "ships: false", "")
    assert any("missing field 'ships'" in f[2] for f in problems_in(tree))


def test_behavioral_answers_name_the_rejected_alternative_and_have_no_ships(tree):
    path = tree / "questions/behavioral/beh-sample.md"
    edit(path, "**Alternative I rejected.**", "Instead,")
    edit(path, "guides: [basics]\n", "guides: [basics]\nships: true\n")
    reasons = [f[2] for f in problems_in(tree) if f[0] == "questions/behavioral/beh-sample.md"]
    assert "the example answer has no '**Alternative I rejected.**' paragraph" in reasons
    assert any(r.startswith("'ships' applies only to") for r in reasons), reasons


SOURCED = """---
title: Company loops
slug: loops
summary: How loops differ.
order: 3
companies: [Amazon, Google]
sources:
  - id: amazon-hiring
    title: How we hire
    publisher: Amazon
    url: https://www.amazon.jobs/
    kind: first-party
---
## Amazon

Amazon asks about its leadership principles ([Amazon](#source-amazon-hiring)).

- Google interviews are structured.

| Company | Round |
|---|---|
| Google | [Cross-functional](#source-nowhere) |
"""


def test_a_company_claim_without_a_source_fails_and_sources_are_rendered(tree):
    (tree / "guides/loops.md").write_text(SOURCED, encoding="utf-8")
    found = [f for f in problems_in(tree) if f[0] == "guides/loops.md"]
    assert ("guides/loops.md", 18, "a claim about Google cites no source (link one: [text](#source-<id>))") in found
    assert any(f[1] == 22 and "link to unknown source 'nowhere'" in f[2] for f in found), found
    assert len(found) == 2, found  # the heading "Amazon" is not a claim; the cited paragraph passes

    text = SOURCED.replace("- Google interviews are structured.", "- Google interviews are structured ([Amazon](#source-amazon-hiring)).")
    (tree / "guides/loops.md").write_text(text.replace("#source-nowhere", "#source-amazon-hiring"), encoding="utf-8")
    catalog, problems = scan(tree, strict=True)
    assert problems == []
    guide = catalog.guide("loops")
    assert '<li id="source-amazon-hiring"><a href="https://www.amazon.jobs/"' in guide.html
    assert "(first-party)" in guide.html
    assert guide.toc[-1].anchor == "sources"


def test_claims_need_sources_listed(tree):
    text = SOURCED.replace("sources:\n  - id: amazon-hiring\n    title: How we hire\n    publisher: Amazon\n    url: https://www.amazon.jobs/\n    kind: first-party\n", "")
    (tree / "guides/loops.md").write_text(text, encoding="utf-8")
    found = [f for f in problems_in(tree) if f[0] == "guides/loops.md"]
    assert ("guides/loops.md", 6, "a guide that names companies in 'companies' needs 'sources' for its claims") in found


def test_the_second_edition_rules_apply_unless_lenient(tree, capsys):
    from web.cli import main

    edit(tree / "questions/technical/tech-sample.md", "      probe: What are you giving up to get that speed?\n", "")
    edit(tree / "questions/technical/tech-sample.md", "ships: true\n", "")
    reasons = [p.reason for p in scan(tree)[1]]  # the site loads content strictly: it would refuse this file
    assert any("has no 'probe'" in r for r in reasons) and any("missing field 'ships'" in r for r in reasons)
    assert scan(tree, strict=False)[1] == []
    assert main(["content", "check", "--lenient", str(tree)]) == 0
    assert main(["content", "check", str(tree)]) == 1
    out = capsys.readouterr().out
    assert "key point 'tradeoff' has no 'probe'" in out and "missing field 'ships'" in out
    edit(tree / "questions/technical/tech-sample.md", "guides: [second]\n", "guides: [second]\nships: maybe\n")
    assert any("'ships' must be true or false" in p.reason for p in scan(tree)[1])  # a value given is always checked
