"""Counted nouns agree with their numbers everywhere ("1 word", "0 words", "2 words")."""

import re

import pytest

from web.settings import REPO_ROOT
from web.ui.rendering import counted

NOUNS = ("word", "answer", "question", "review", "minute", "guide", "attempt", "day", "token")


@pytest.mark.parametrize("noun", NOUNS)
def test_zero_one_and_two_of_each_counted_noun(noun):
    assert counted(0, noun) == f"0 {noun}s"
    assert counted(1, noun) == f"1 {noun}"
    assert counted(2, noun) == f"2 {noun}s"
    assert counted(2400, noun) == f"2,400 {noun}s"


def test_no_template_prints_a_number_before_a_fixed_plural():
    pattern = re.compile(r"\{\{ [^{}]+? \}\} (%s)s\b" % "|".join(NOUNS))
    found = [f"{p.name}: {m.group(0)}" for p in (REPO_ROOT / "web" / "templates").rglob("*.html")
             for m in pattern.finditer(p.read_text()) if "format(" not in m.group(0)]
    assert not found, found


def test_an_answer_of_one_word_says_one_word(client, candidate, catalog):
    from tests.conftest import csrf_of, first_question_id, soup, text_of

    qid = first_question_id(catalog)
    response = client.post(f"/questions/{qid}/answers", data={"text": "Delegation.", "csrf_token": csrf_of(client, f"/questions/{qid}")})
    meta = text_of(soup(response).select_one("p.meta"))
    assert "1 word " in meta + " " and "1 words" not in meta
    history = soup(client.get("/answers"))
    assert "1 answer." in text_of(history.select_one(".result-count"))
    assert "Strategy" in history.select_one(".scores-compact")["aria-label"]


def test_saving_a_question_and_a_note_is_confirmed(client, candidate, catalog):
    from tests.conftest import csrf_of, first_question_id, soup, text_of

    qid = first_question_id(catalog)
    page = f"/questions/{qid}"
    saved = client.post(f"/questions/{qid}/bookmark", data={"csrf_token": csrf_of(client, page)})
    assert "Question saved" in text_of(soup(saved).find(id="saved"))
    noted = client.post(f"/questions/{qid}/note", data={"text": "Lead with the date.", "csrf_token": csrf_of(client, page)})
    assert "Note saved" in text_of(soup(noted).find(id="saved"))
