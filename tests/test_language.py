"""Blame-language nudges: whole words, any case, the team's additions and removals."""

from __future__ import annotations

import pytest
from hypothesis import given
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
