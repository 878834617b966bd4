"""The README's agreement table is what `tpmprep eval --cv` prints on the graded files, to the digit."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval"
FILES = ("dev.jsonl", "catalog_dev.jsonl", "dev_transcripts.jsonl")


def _readme_table() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- cv-table[^>]*-->\n(.*?)\n<!-- /cv-table -->", text, re.DOTALL)
    assert found, "the README has no cv-table block"
    return found.group(1).strip()


@pytest.mark.skipif(bool(os.environ.get("TPMPREP_TEST_DATABASE_URL")), reason="no database involved: run once, on SQLite")
def test_readme_agreement_table_matches_eval_cv(capsys):
    missing = [f for f in FILES if not (EVAL_DIR / f).exists()]
    if missing:
        pytest.skip(f"graded files not found in {EVAL_DIR} (they live outside the repository)")
    from web.cli import main

    assert main(["eval", "--cv", *(str(EVAL_DIR / f) for f in FILES)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == _readme_table()
