"""Blame-language nudges: whole words, any case, the team's additions and removals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmtui.domain.language import make_checker


@pytest.mark.parametrize("text, found", [
    ("The operator should have checked the config.", ["should have"]),
    ("It was HUMAN ERROR, plain as day", ["HUMAN ERROR"]),
    ("Root cause: the deploy", ["Root cause"]),
    ("Why did you restart the primary?", ["Why did you restart the primary"]),
    ("They failed to notice; obviously a careless change", ["failed to", "obviously", "careless"]),
    ("We shouldn't have rushed", ["shouldn't have"]),
    ("It should\nhave paged", ["should\nhave"]),
    ("who broke the build", ["who broke"]),
    ("The flag was flipped carelessly, out of negligence", ["carelessly", "negligence"]),
])
def test_phrases_are_found(text, found):
    assert [n.text for n in make_checker().find(text)] == found


@pytest.mark.parametrize("text", [
    "My shoulder hurts after the on-call week",
    "Justice and adjustments to the justification",
    "A blameless review, blame-free and blameworthy-free",
    "The reckoning came later",  # not "reckless"
    "Clearwater region was fine",  # not "clearly"
    "Shoulda, woulda",
    "",
])
def test_similar_words_do_not_match(text):
    assert make_checker().find(text) == []


def test_a_nudge_explains_and_reframes():
    [n] = make_checker().find("They should have known")
    assert n.phrase.why == "a counterfactual: judges with hindsight"
    assert n.phrase.reframe == "what did they know then? what options did they see?"
    assert "should have" in n.suggestion


def test_team_can_add_and_remove_phrases():
    checker = make_checker(add=[{"words": ["the usual suspect"], "why": "points at a person", "reframe": "which system?"}],
                           remove=["just", "Simply"])
    assert [n.text for n in checker.find("It was just the usual suspect, simply")] == ["the usual suspect"]
    assert make_checker().find("just")[0].phrase.words == "just"


# ---------------------------------------------------------------- one compiled matcher
def _reference(checker, text):
    """What a plain alternation of every phrase finds (the matcher before it was made fast)."""
    import re

    from pmtui.domain.language import _pattern

    rx = re.compile("|".join(f"(?P<p{i}>{_pattern(p.words)})" for i, p in enumerate(checker.phrases)), re.IGNORECASE)
    return [(m.start(), m.end(), checker.phrases[int(m.lastgroup[1:])].words) for m in rx.finditer(text)]


WORDS = ["should", "have", "Should've", "human", "error", "just", "justice", "blame", "blamed", "why", "did", "you",
         "restart", "root", "cause", "It", "was", "#tag", "c++", "–", "’", "'", ".", "?", "\n", "Ünïcode", "simply"]


@given(st.lists(st.sampled_from(WORDS), max_size=25), st.lists(st.sampled_from(["", " ", "  ", "\n", "-", "'"]),
                                                               min_size=25, max_size=25))
def test_the_compiled_matcher_finds_what_each_phrase_finds(words, seps):
    checker = make_checker(add=[{"words": ["#tag", "c++ error", "ünïcode blame"]}])
    text = "".join(w + s for w, s in zip(words, seps))
    assert [(n.start, n.end, n.phrase.words) for n in checker.find(text)] == _reference(checker, text)


def test_a_long_custom_phrase_list_finds_each_phrase():
    add = [{"words": [f"term{i} word{i % 7}"], "why": f"reason {i}"} for i in range(2000)]
    checker = make_checker(add=add)
    found = checker.find("Context: TERM1234 word2 and then term77  word0, not term5 word6x")
    assert [(n.text, n.phrase.why) for n in found] == [("TERM1234 word2", "reason 1234"), ("term77  word0", "reason 77")]


_MANY_WORDS = [*WORDS, "shouldn't", "Blame.", "JUST", "x9", "bl4me", "_why_", "co-worker's", "rootcause", "'s", "…", "Ɐ"]


@settings(max_examples=60)
@given(st.lists(st.tuples(st.lists(st.sampled_from(_MANY_WORDS), max_size=8),
                          st.lists(st.sampled_from(["", " ", "\n", "-", "'", "’", "_", "3", "ſ"]), min_size=8,
                                   max_size=8)),
                min_size=1, max_size=12),
       st.integers(0, 11))
def test_many_texts_at_once_find_what_each_text_finds(parts, shift):
    """find_some/find_many (a long timeline at once: only the texts holding a phrase's
    word are searched) find exactly what find() finds in each text, with a team's phrases
    too (a hyphen, digits, an apostrophe: searched for as they are)."""
    some = ["".join(w + s for w, s in zip(words, seps)) for words, seps in parts]
    texts = ([""] * shift + some * 120)[:120]  # more than 100: the quick way
    for checker in (make_checker(), make_checker(add=[{"words": ["co-worker's fault", "bl4me", "root cause…"]}])):
        each = [checker.find(t) for t in texts]
        assert checker.find_many(texts) == each
        assert checker.find_some(texts) == {i: found for i, found in enumerate(each) if found}
