"""The content loader and `tpmprep content check`, on good and broken fixtures and on the real catalog."""

from pathlib import Path

import pytest

from scoring.rubric import DIMENSIONS
from web.cli import main
from web.content import ContentError, load_catalog, scan

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_good_fixture_loads_into_typed_objects():
    catalog = load_catalog(FIXTURES / "good")
    assert [g.slug for g in catalog.guides] == ["basics", "second"]
    question = catalog.question("beh-sample")
    assert question.category == "behavioral" and question.difficulty == "easy"
    assert [p.id for p in question.rubric.points_for("leadership")] == ["owned"]
    assert question.rubric.question_id == "beh-sample"
    assert question.weights == {"strategy": 1.0, "risk": 1.0, "communication": 2.0, "leadership": 2.0}
    assert question.follow_ups == ("What would you do differently?",)
    assert catalog.tracks["short"].total_minutes == 15


def test_raw_html_is_not_rendered():
    question = load_catalog(FIXTURES / "good").question("beh-sample")
    assert "<script>" not in question.sections["prompt"]
    assert "&lt;script&gt;" in question.sections["prompt"]


def test_guide_toc_anchors_and_cross_links_both_ways():
    catalog = load_catalog(FIXTURES / "good")
    guide = catalog.guide("basics")
    assert [(h.level, h.anchor) for h in guide.toc] == [(2, "what-the-loop-looks-like"), (3, "behavioral-round"), (2, "common-mistakes")]
    assert 'id="what-the-loop-looks-like"' in guide.html
    assert [q.id for q in catalog.questions_for_guide("basics")] == ["beh-sample"]
    assert [g.slug for g in catalog.guides_for_question("beh-sample")] == ["basics"]
    assert catalog.neighbours("basics") == (None, catalog.guide("second"))


def test_question_weights_of_zero_need_no_key_points():
    question = load_catalog(FIXTURES / "good").question("tech-sample")
    assert question.weighted_dimensions == ("strategy", "risk", "communication")
    assert question.rubric.points_for("leadership") == ()


EXPECTED_PROBLEMS = [
    ("guides/bad-guide.md", 3, "must match"),
    ("guides/bad-guide.md", 5, "'order' must be an integer"),
    ("guides/bad-guide.md", 6, "unknown field 'colour'"),
    ("guides/bad-guide.md", 7, "question 'does-not-exist' does not exist"),
    ("guides/bad-guide.md", 11, "/guides/nowhere does not exist"),
    ("guides/bad-guide.md", 11, "/questions/missing-question does not exist"),
    ("guides/no-front.md", 1, "missing front matter"),
    ("questions/behavioral/beh-badyaml.md", 4, "invalid YAML"),
    ("questions/behavioral/beh-dup.md", 4, "difficulty must be one of"),
    ("questions/behavioral/beh-dup.md", 8, "empty rubric for 'strategy'"),
    ("questions/behavioral/beh-dup.md", 23, "missing section '## Example strong answer'"),
    ("questions/bogus/bogus-one.md", 1, "bad category folder 'bogus'"),
    ("questions/program-sense/beh-dup.md", 2, "duplicate question id 'beh-dup'"),
    ("tracks/bad-track.md", 6, "question 'ghost-question' does not exist"),
    ("tracks/bad-track.md", 7, "'minutes' must be a number greater than 0"),
]


@pytest.mark.parametrize("relpath,line,reason", EXPECTED_PROBLEMS)
def test_broken_fixture_reports_file_line_and_reason(relpath, line, reason):
    _catalog, problems = scan(FIXTURES / "broken")
    root = FIXTURES / "broken"
    found = [(str(p.path.relative_to(root)), p.line, p.reason) for p in problems]
    assert any(f[0] == relpath and f[1] == line and reason in f[2] for f in found), found


def test_load_catalog_raises_with_every_problem():
    with pytest.raises(ContentError) as info:
        load_catalog(FIXTURES / "broken")
    assert len(info.value.problems) >= len(EXPECTED_PROBLEMS)


def test_content_check_command_exit_codes(capsys):
    assert main(["content", "check", str(FIXTURES / "good")]) == 0
    assert "ok: 2 guides, 2 questions, 1 tracks" in capsys.readouterr().out
    assert main(["content", "check", str(FIXTURES / "broken")]) == 1
    out = capsys.readouterr().out
    assert "bad-guide.md:6: unknown field 'colour'" in out


def test_content_check_on_a_missing_folder(tmp_path, capsys):
    assert main(["content", "check", str(tmp_path / "nope")]) == 1
    assert "does not exist" in capsys.readouterr().out


def test_the_real_catalog_is_clean(catalog):
    _catalog, problems = scan(Path(__file__).resolve().parents[2] / "content")
    assert problems == []
    assert len(catalog.guides) >= 4
    assert {q.category for q in catalog.questions.values()} == {"behavioral", "program-sense", "program-execution", "technical", "strategy"}


def test_every_real_question_has_a_rubric_for_each_weighted_dimension(catalog):
    for question in catalog.questions.values():
        for dim in DIMENSIONS:
            if question.weights[dim] > 0:
                assert question.rubric.points_for(dim), (question.id, dim)


def test_the_catalog_cache_is_reused_and_invalidated_by_any_change(tmp_path):
    import shutil

    from web.content import load_catalog

    root = tmp_path / "content"
    shutil.copytree(FIXTURES / "good", root)
    cache = tmp_path / "cache"
    first = load_catalog(root, cache_dir=cache)
    entries = list(cache.glob("catalog-*.pickle"))
    assert len(entries) == 1
    again = load_catalog(root, cache_dir=cache)
    assert again.question("beh-sample").sections == first.question("beh-sample").sections
    guide = root / "guides" / "second.md"
    guide.write_text(guide.read_text().replace("Another guide.", "A changed summary."))
    changed = load_catalog(root, cache_dir=cache)
    assert changed.guide("second").summary == "A changed summary."
    assert [p.name for p in cache.glob("catalog-*.pickle")] != [p.name for p in entries]  # old entry replaced
    assert len(list(cache.glob("catalog-*.pickle"))) == 1
