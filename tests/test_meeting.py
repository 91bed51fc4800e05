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


# ------------------------------------------------------------ the document's meeting (pmtui-review/2)
def test_the_documents_meeting_keeps_each_stages_time_and_comes_back_the_same():
    from pmtui.domain.document import MeetingTimes

    t0 = datetime(2026, 3, 12, 13, 0, tzinfo=UTC)
    m = Meeting.start(t0)
    m.pause(t0 + timedelta(minutes=2))
    m.resume(t0 + timedelta(minutes=5))  # three minutes of pause are not the opening's time
    m.next_stage(t0 + timedelta(minutes=8))
    m.next_stage(t0 + timedelta(minutes=50, seconds=20))
    record = m.record()
    assert record["ended"] is None
    assert [(s["stage"], s["timebox_minutes"], s["took_seconds"]) for s in record["stages"]] == [
        ("opening", 5, 300), ("context", 35, 2540), ("analysis", 10, None), ("followups", 10, None)]
    back = Meeting.from_record(MeetingTimes.model_validate(record))
    # a running meeting comes back paused where it was: its clock does not run on from the import
    assert back.stage == "analysis" and back.paused and back.record() == record
    assert back.status(t0 + timedelta(days=3)) == "Systemic analysis: paused, 10:00 left"
    m.end(t0 + timedelta(minutes=65))
    ended = Meeting.from_record(MeetingTimes.model_validate(m.record()))
    assert ended.ended and ended.stage == "analysis" and ended.stage_took["analysis"] == 14 * 60 + 40
    assert ended.overran() == ["context", "analysis"]


def test_a_stage_ran_over_by_a_minute_or_more():
    from pmtui.domain.meeting import against_timebox, ran_over

    assert not ran_over(10 * 60 + 59, 10) and ran_over(11 * 60, 10)
    assert against_timebox(11 * 60 + 30, 10) == "over by 1 min"
    assert against_timebox(None, 10, current=True) == "not finished"
    assert against_timebox(None, 10) == "not reached"
    assert Meeting().record() is None  # never started: no meeting in the document
