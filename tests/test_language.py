"""Blame-language nudges: whole words, any case, the team's additions and removals."""

from __future__ import annotations

import pytest

from pmtui.language import make_checker


@pytest.mark.parametrize("text, found", [
    ("The operator should have checked the config.", ["should have"]),
    ("It was HUMAN ERROR, plain as day", ["HUMAN ERROR"]),
    ("Root cause: the deploy", ["Root cause"]),
    ("Why did you restart the primary?", ["Why did you restart the primary"]),
    ("They failed to notice; obviously a careless change", ["failed to", "obviously", "careless"]),
    ("We shouldn't have rushed", ["shouldn't have"]),
    ("It should\nhave paged", ["should\nhave"]),
    ("who broke the build", ["who broke"]),
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
