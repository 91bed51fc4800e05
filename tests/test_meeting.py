"""Timeboxes: time left, over time in words, pauses, and moving on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pmtui.domain.meeting import DEFAULT_SPLIT, Meeting, parse_split, scale_split
from pmtui.errors import BadInput

T0 = datetime(2026, 3, 12, 14, 0, tzinfo=UTC)


def test_default_agenda_and_time_left():
    m = Meeting.start(T0)
    assert m.split == DEFAULT_SPLIT and m.stage == "opening"
    assert m.status(T0 + timedelta(minutes=1, seconds=30)) == "Opening: 3:30 left"
    assert not m.over(T0 + timedelta(minutes=5))


def test_over_time_is_said_in_words():
    m = Meeting.start(T0)
    later = T0 + timedelta(minutes=8, seconds=10)
    assert m.over(later) and m.status(later) == "Opening: over time by 3 min"


def test_pause_stops_the_clock_and_resume_restarts_it():
    m = Meeting.start(T0)
    m.pause(T0 + timedelta(minutes=2))
    assert m.status(T0 + timedelta(minutes=30)) == "Opening: paused, 3:00 left"
    m.resume(T0 + timedelta(minutes=30))
    assert m.remaining(T0 + timedelta(minutes=31)) == timedelta(minutes=2)


def test_next_stage_is_the_facilitators_call():
    m = Meeting.start(T0)
    assert m.next_stage(T0 + timedelta(minutes=7))
    assert m.stage == "context" and m.status(T0 + timedelta(minutes=7)) == "Gather context: 35:00 left"
    for _ in range(2):
        assert m.next_stage(T0 + timedelta(minutes=50))
    assert m.stage == "followups" and not m.next_stage(T0 + timedelta(minutes=60))
    assert Meeting.from_json(m.to_json()) == m


def test_split_scales_and_parses():
    assert scale_split(30) == {"opening": 2, "context": 18, "analysis": 5, "followups": 5}
    assert sum(scale_split(45).values()) == 45
    assert parse_split("5/40/10/5", 60) == {"opening": 5, "context": 40, "analysis": 10, "followups": 5}
    with pytest.raises(BadInput, match="add up to 55 minutes, not the meeting's 60"):
        parse_split("5 30 10 10", 60)
    with pytest.raises(BadInput, match="four whole numbers"):
        parse_split("five", 60)
