"""Tokens, stems, fillers, sentences and phrase matching."""

from scoring.text import PhraseMatcher, analyse, compile_phrase, filler_flags, stem, tokenize


def _found(phrases, text, **kw):
    doc = analyse(text)
    matcher = PhraseMatcher(phrases)
    return [(matcher.phrases[m.phrase], doc.span_text(m.first_token, m.last_token)[2])
            for m in matcher.find(doc.tokens, doc.skip, **kw)]


def test_tokens_keep_offsets_into_the_original_text():
    text = "We cut p99 latency from 240ms to 90ms — a $14M deal in Q3, didn't we?"
    for tok in tokenize(text):
        assert text[tok.start:tok.end] == tok.text
    words = [t.text for t in tokenize(text)]
    assert {"p99", "240ms", "$14M", "Q3", "didn't"} <= set(words)


def test_british_and_american_spellings_share_a_stem():
    assert stem("prioritise") == stem("prioritize")
    assert stem("organised") == stem("organized")
    assert stem("behaviour") == stem("behavior")


def test_words_whose_stems_collide_are_kept_apart():
    assert stem("weekly") != stem("weeks")
    assert stem("manager") != stem("managed")
    assert stem("managers") == stem("manager")


def test_fillers_and_stutters_are_flagged_but_real_words_are_not():
    toks = tokenize("Um so we we shipped it, like, on time and I like the result, you know.")
    flagged = [t.text for t, f in zip(toks, filler_flags(toks)) if f]
    assert flagged == ["Um", "we", "like", "you", "know"]


def test_sentences_split_on_punctuation_and_lines_not_on_decimals():
    doc = analyse("Latency fell 2.5x. Then we shipped\n- first wave\n- second wave")
    texts = [doc.text[s.start:s.end] for s in doc.sentences]
    assert texts == ["Latency fell 2.5x.", "Then we shipped", "first wave", "second wave"]


def test_repeated_sentences_do_not_count_twice():
    once = analyse("I moved the launch to March 3 after the load test failed.")
    thrice = analyse(" ".join(["I moved the launch to March 3 after the load test failed."] * 3))
    assert thrice.words == once.words and thrice.repeated_sentences == 2


def test_phrases_match_by_stem_in_any_order_within_a_window():
    assert _found(["rollback plan"], "We planned a rollback.") == [("rollback plan", "planned a rollback")]
    assert _found(["rollback plan"], "The plan for the launch, the budget and later a rollback.") == []


def test_short_glue_phrases_match_word_for_word():
    assert compile_phrase("in charge").loose is False
    assert _found(["in charge"], "I was in charge of it.") == [("in charge", "in charge")]
    assert _found(["in charge"], "They charge in advance.") == []
    assert _found(["so that"], "so that's fine") == []


def test_negated_phrases_do_not_count_unless_asked():
    assert _found(["rollback plan"], "We had no rollback plan.") == []
    assert _found(["rollback plan"], "We had no rollback plan.", negation=False) == [("rollback plan", "rollback plan")]


def test_one_typo_in_a_long_word_is_forgiven_but_real_words_are_not_merged():
    assert _found(["mitigation"], "Our mitgation was a buffer.") == [("mitigation", "mitgation")]
    assert _found(["stakeholders"], "I told the stakholders.") == [("stakeholders", "stakholders")]
    assert _found(["contract"], "I contacted them.") == []
    assert _found(["conversion"], "We had a conversation.") == []


def test_fillers_inside_a_phrase_do_not_break_it():
    assert _found(["risk register"], "We kept a risk, um, register.") == [("risk register", "risk, um, register")]
