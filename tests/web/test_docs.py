"""Docs stay honest: every setting is in the README, and the README's commands exist."""

import re

from web.cli import build_parser
from web.settings import REPO_ROOT, Settings


def test_every_setting_is_documented_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(TPMPREP_[A-Z_]+)`", readme))
    expected = {f"TPMPREP_{name.upper()}" for name in Settings.model_fields}
    assert expected - documented == set(), "undocumented settings"
    assert documented - expected - {"TPMPREP_TEST_DATABASE_URL"} == set(), "README documents settings that do not exist"


def test_readme_commands_exist():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for command in ("serve", "worker", "db", "content", "users", "tokens", "score", "eval"):
        assert command in sub.choices


def test_ci_runs_the_readme_test_command_on_both_databases():
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "./scripts/test.sh" in readme
    assert ci.count("./scripts/test.sh") == 2 and "TPMPREP_TEST_DATABASE_URL=" in ci
