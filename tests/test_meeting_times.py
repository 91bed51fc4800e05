"""Actual time per stage of the review meeting (issue 28): kept by the store's meeting state,
carried by the document (``meeting`` of pmtui-review/2), shown in the report and answered
across reviews by ``pmtui patterns`` ("does the team run out of time in analysis?")."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from pmtui.domain.document import FORMAT, dumps, loads
from pmtui.domain.meeting import Meeting
from pmtui.store.followup import review_facts

T0 = datetime(2026, 3, 12, 13, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def held(minutes: list[float], *, ended: bool = True) -> Meeting:
    """A meeting whose stages took these minutes, in order (fewer: it stopped or ended earlier)."""
    m = Meeting.start(T0)
    at = T0
    for i, took in enumerate(minutes):
        at += timedelta(minutes=took)
        if i < len(minutes) - 1:
            m.next_stage(at)
    if ended:
        m.end(at)
    return m


def review(store, title: str, meeting: Meeting | None) -> int:
    rid, _slug = store.import_documents([loads(json.dumps({"format": FORMAT, "title": title}))])[0]
    if meeting is not None:
        store.save_meeting(rid, meeting)
    return rid


def test_the_stored_meeting_is_exported_and_imported_with_each_stages_time(store):
    rid = review(store, "Queue backlog", held([4, 41, 18, 9]))
    doc = store.export_document(rid)
    assert doc.meeting is not None and doc.meeting.started == T0 and doc.meeting.ended == T0 + timedelta(minutes=72)
    assert [(s.stage.value, s.timebox_minutes, s.took_seconds) for s in doc.meeting.stages] == [
        ("opening", 5, 240), ("context", 35, 2460), ("analysis", 10, 1080), ("followups", 10, 540)]
    # into another review of the same store: the meeting state comes with it, ended
    [(copy, _slug)] = store.import_documents([loads(dumps(doc))])
    again = store.get_meeting(copy)
    assert again is not None and again.ended and again.overran() == ["context", "analysis"]
    assert dumps(store.export_document(copy)) == dumps(doc)


def test_a_review_without_a_meeting_exports_none_and_a_running_one_imports_paused(store):
    assert store.export_document(review(store, "No meeting", None)).meeting is None
    running = store.export_document(review(store, "Running", held([5, 30], ended=False)))
    [(rid, _slug)] = store.import_documents([running])
    m = store.get_meeting(rid)
    assert m is not None and m.stage == "context" and m.paused and not m.ended
    assert m.status(datetime.now(UTC)) == "Gather context: paused, 35:00 left"


def test_patterns_say_which_stage_runs_over_how_often_and_by_how_much(store):
    review(store, "A", held([5, 40, 18, 10]))  # context over by 5, analysis by 8
    review(store, "B", held([6, 30, 24]))  # opening over by 1, analysis by 14; ended in analysis
    review(store, "C", held([5, 33, 10.5, 9]))  # analysis 30 s over: within (a minute or more is over)
    review(store, "D", held([4, 20], ended=False))  # still in context: only the opening is known
    review(store, "E", None)
    from pmtui.domain.patterns import compute_patterns

    p = compute_patterns(review_facts(store), T0.date())
    by = {t.stage: t for t in p.stage_timeboxes}
    assert [t.stage for t in p.stage_timeboxes] == ["opening", "context", "analysis", "followups"]
    assert (by["opening"].meetings, by["opening"].over) == (4, 1)
    assert (by["context"].meetings, by["context"].over, by["context"].worst_over) == (3, 1, timedelta(minutes=5))
    analysis = by["analysis"]
    assert (analysis.meetings, analysis.over) == (3, 2)
    assert analysis.median_over == timedelta(minutes=11) and analysis.worst_over == timedelta(minutes=14)
    assert analysis.median_took == timedelta(minutes=18) and analysis.median_timebox == 10
    assert (by["followups"].meetings, by["followups"].over, by["followups"].median_over) == (2, 0, None)


def test_the_patterns_command_answers_in_text_and_json(cli, store):
    review(store, "A", held([5, 40, 18, 10]))
    review(store, "B", held([6, 30, 24]))
    r = cli("patterns")
    assert r.code == 0
    section = r.out.split("Meeting stages against their timeboxes", 1)[1].split("\n\n", 1)[0]
    assert "Runs over most often in Systemic analysis: 2 of 2 meetings (100%)." in section
    assert ("Systemic analysis  over in 2 of 2 meetings (100%), median 11 min over, worst 14 min; "
            "median took 21 min (timebox 10 min)") in section
    assert "Follow-ups         within its timebox in 1 of 1 meeting" in section
    data = json.loads(cli("patterns", "--format", "json").out)["meeting_stages"]
    assert data[2] == {"stage": "analysis", "meetings": 2, "ran_over": 2, "share_over": 1.0,
                       "median_over_minutes": 11.0, "worst_over_minutes": 14.0, "median_took_minutes": 21.0,
                       "median_timebox_minutes": 10}


def test_no_meeting_yet_is_said_plainly(cli, store):
    review(store, "A", None)
    r = cli("patterns")
    assert "No review meeting was run in pmtui yet: no stage's actual time is known." in r.out


def test_the_wiki_patterns_page_has_the_stage_table(cli, store, tmp_path):
    review(store, "A", held([5, 40, 18, 10]))
    assert cli("export", "--all", "--to", str(tmp_path / "wiki")).code == 0
    page = (tmp_path / "wiki" / "patterns.md").read_text()
    section = page.split("## Meeting stages against their timeboxes", 1)[1]
    assert "Runs over most often in Gather context: 1 of 1 meeting (100%)." in section
    assert "| Systemic analysis | 1 | 1 (100%) | 8 min | 8 min | 18 min | 10 min |" in section


def test_the_report_of_a_stored_review_shows_the_meeting(cli, store):
    rid = review(store, "A", held([5, 40, 18, 10]))
    r = cli("export", str(rid), "--format", "md")
    assert r.code == 0 and "## Review meeting" in r.out
    assert "| Gather context | 35 min | 40 min | over by 5 min |" in r.out
