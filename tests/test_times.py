"""Exact times: across a daylight-saving change the app and the report give the same
metrics, computed between instants (never a negative duration in the repeated hour);
editing only an event's text never moves its time; sub-second precision and the
offset each time was written with survive import, edit and export byte for byte."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from rich.console import Console
from textual.widgets import Input, Static

from conftest import settle
from pmtui.domain.document import FORMAT, dumps, loads
from pmtui.domain.entry import format_when, parse_edited_when, parse_quick_add
from pmtui.domain.metrics import compute
from pmtui.export.report import render
from pmtui.screens.form import FormScreen
from pmtui.widgets.metrics_panel import MetricsPanel
from pmtui.widgets.phase_bar import PhaseBar
from pmtui.widgets.timeline_table import TimelineTable

BERLIN = ZoneInfo("Europe/Berlin")
# 2026-10-25 in Berlin: at 03:00 CEST (+02:00) clocks go back to 02:00 CET (+01:00),
# so every wall-clock time from 02:00 to 02:59 happens twice.
FALL_BACK = [
    {"at": "2026-10-25T02:30:00+02:00", "text": "Checkout errors rise after the cache flush", "marks": ["impact_start"]},
    {"at": "2026-10-25T02:10:00.250+01:00", "text": "Error-rate alert fires", "marks": ["detected"]},
    {"at": "2026-10-25T02:20:00+01:00", "text": "On-call engineer acknowledges", "marks": ["response_start"]},
    {"at": "2026-10-25T02:50:00+01:00", "text": "Cache warmed from the replica", "marks": ["mitigated"]},
    {"at": "2026-10-25T03:05:00+01:00", "text": "Error rate back to normal", "marks": ["impact_end"]},
    {"at": "2026-10-25T04:00:00+01:00", "text": "Incident closed", "marks": ["resolved"]},
]
# real durations (the wall clock would say -20 minutes for time to detect)
EXPECTED = {
    "time_to_detect": timedelta(minutes=40, milliseconds=250),
    "time_to_respond": timedelta(minutes=9, seconds=59, milliseconds=750),
    "time_to_mitigate": timedelta(minutes=80),
    "impact_duration": timedelta(minutes=95),
    "time_to_resolve": timedelta(minutes=150),
}


def fall_back_doc(**fields) -> bytes:
    return json.dumps({"format": FORMAT, "title": "Checkout errors during the clock change",
                       "timezone": "Europe/Berlin", "timeline": FALL_BACK, **fields}).encode()


def values(metrics) -> dict[str, timedelta | None]:
    return {m.key: m.value for m in metrics}


def test_metrics_are_the_same_in_the_review_zone_as_in_utc():
    doc = loads(fall_back_doc())
    as_written = doc.marks()
    # what the app does: every mark shown in the review's zone (one ZoneInfo object)
    in_zone = {m: at.astimezone(BERLIN) for m, at in as_written.items()}
    assert in_zone["detected"].replace(tzinfo=None) < in_zone["impact_start"].replace(tzinfo=None)  # wall clocks
    assert values(compute(in_zone)) == values(compute(as_written)) == EXPECTED
    assert all(m.value >= timedelta(0) for m in compute(in_zone))


def test_report_shows_the_real_durations_across_the_change():
    text = render(loads(fall_back_doc()))
    assert "time_to_detect_min: 40\n" in text and "impact_duration_min: 95\n" in text
    assert "| Time to detect | 40m |" in text
    assert "| Impact duration | 1h 35m |" in text
    assert "Undetected (40m)" in text  # the phase chart
    assert "not computable" not in text and "-20" not in text


async def test_app_shows_the_same_metrics_as_the_report(store, make_app):
    review_id = store.import_documents([loads(fall_back_doc())])[0][0]
    app = make_app(review_id, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:  # narrow: the one-line metrics
        await settle(app, pilot)
        line = str(app.screen.query_one("#metrics-line", Static).render())
        assert "TTD 40m" in line and "TTR 9m" in line and "TTM 1h 20m" in line and "impact 1h 35m" in line
        assert "n/c" not in line
        legend = str(app.screen.query_one(PhaseBar).render())
        assert "undetected 40m" in legend and "responding 39m" in legend and "recovering 15m" in legend
    app = make_app(review_id, "impact")
    async with app.run_test(size=(130, 40)) as pilot:
        await settle(app, pilot)
        console = Console(width=60, record=True)
        console.print(app.screen.query_one(MetricsPanel).render())
        panel = console.export_text()
        assert "Time to detect" in panel and "40m" in panel and "1h 35m" in panel
        assert "not computable" not in panel


def test_relative_quick_add_counts_real_time_across_the_change():
    selected = datetime(2026, 10, 25, 2, 30, tzinfo=timezone(timedelta(hours=2)))  # 00:30 UTC
    added = parse_quick_add("+1h Second alert", BERLIN, anchor_day=date(2026, 10, 25), selected=selected)
    assert added.at - selected == timedelta(hours=1)
    assert added.at.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert format_when(added.at, BERLIN) == "2026-10-25 02:30"  # the second 02:30


def test_an_unchanged_time_field_gives_back_the_exact_instant():
    second = datetime(2026, 10, 25, 2, 10, 0, 250_000, tzinfo=timezone(timedelta(hours=1)))
    shown = format_when(second, BERLIN)
    assert shown == "2026-10-25 02:10"
    assert parse_edited_when(shown, second, BERLIN) == (second, False)
    assert parse_edited_when(f"~{shown}", second, BERLIN) == (second, True)
    # typed anew, the time is read as typed (whole minutes, the first of the two 02:10s)
    at, _ = parse_edited_when("2026-10-25 02:11", second, BERLIN)
    assert at.astimezone(UTC) == datetime(2026, 10, 25, 0, 11, tzinfo=UTC)


def test_editing_only_the_text_through_the_store_keeps_the_time(store):
    data = fall_back_doc()
    review_id = store.import_documents([loads(data)])[0][0]
    before = dumps(store.export_document(review_id))
    for e in store.events(review_id):
        store.update_event(e.id, expected_version=e.version, text=e.text + " (checked)")
    after = json.loads(dumps(store.export_document(review_id)))
    assert [e["at"] for e in after["timeline"]] == [e["at"] for e in json.loads(before)["timeline"]]
    assert after["timeline"][1]["at"] == "2026-10-25T02:10:00.250000+01:00"


async def test_editing_only_the_text_in_the_event_form_keeps_the_time(store, make_app):
    timeline = [
        {"at": "2026-10-25T02:20:00+02:00", "text": "Cache flush starts"},  # the first 02:20
        {"at": "2026-10-25T02:10:00.250+01:00", "text": "Error-rate alert fires"},  # the second 02:10
        {"at": "2026-10-25T06:12:59.999999+05:45", "text": "Kathmandu team joins"},
    ]
    review_id = store.import_documents([loads(fall_back_doc(timeline=timeline))])[0][0]
    before = json.loads(dumps(store.export_document(review_id)))["timeline"]
    app = make_app(review_id, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for i in range(3):
            table = app.screen.query_one(TimelineTable)
            table.cursor = i
            await settle(app, pilot)
            await pilot.press("enter")
            await settle(app, pilot)
            form = app.screen
            assert isinstance(form, FormScreen)
            text = form.query_one("#f-text", Input)
            text.value = text.value + " (confirmed in the log)"
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert not isinstance(app.screen, FormScreen)
    after = json.loads(dumps(store.export_document(review_id)))["timeline"]
    assert [e["at"] for e in after] == [e["at"] for e in before] == [
        "2026-10-25T02:20:00+02:00", "2026-10-25T06:12:59.999999+05:45", "2026-10-25T02:10:00.250000+01:00",
    ]
    assert all(e["text"].endswith("(confirmed in the log)") for e in after)


def test_sub_seconds_and_offsets_survive_import_edit_export(store):
    timeline = [
        {"at": "2026-10-25T02:10:00.000001+01:00", "text": "one micro-second"},
        {"at": "2026-10-25T00:40:00.5-00:30", "text": "half a second, odd negative offset"},
        {"at": "2026-10-25T06:55:00.123456+05:45", "text": "Kathmandu"},
        {"at": "2026-10-24T13:10:00-12:00", "text": "far west"},
        {"at": "2026-10-25T15:10:00+14:00", "text": "far east"},
    ]
    first = dumps(loads(fall_back_doc(timeline=timeline)))
    review_id = store.import_documents([loads(first)])[0][0]
    for e in store.events(review_id):
        store.update_event(e.id, expected_version=e.version, source="pager", highlight=True)
    exported = dumps(store.export_document(review_id))
    again = dumps(store.export_document(store.import_documents([loads(exported)])[0][0]))
    assert exported == again
    stamps = [e["at"] for e in json.loads(exported)["timeline"]]
    assert sorted(stamps) == sorted([
        "2026-10-25T02:10:00.000001+01:00", "2026-10-25T00:40:00.500000-00:30",
        "2026-10-25T06:55:00.123456+05:45", "2026-10-24T13:10:00-12:00", "2026-10-25T15:10:00+14:00",
    ])
    assert json.loads(exported)["timeline"] == [
        {**e, "source": "pager", "highlight": True} for e in json.loads(first)["timeline"]
    ]


async def test_a_note_turned_into_an_event_shows_its_time_as_a_hint_only(store, make_app):
    from textual.widgets import DataTable

    from pmtui.widgets.notes_panel import NotesPanel

    review_id = store.import_documents([loads(fall_back_doc(notes=[
        {"at": "2026-10-25T02:10:00.250+01:00", "text": "Alert fired in the repeated hour"}]))])[0][0]
    app = make_app(review_id, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        panel = app.screen.query_one(NotesPanel)
        assert panel.display
        panel.query_one(DataTable).focus()
        await pilot.pause()
        await pilot.press("t")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        # when it was said is a hint in the zone; when it happened is typed (issue 10)
        assert form.query_one("#f-when", Input).value == ""
        assert "2026-10-25 02:10" in " ".join(str(h.render()) for h in form.query(".form-hint"))
        await pilot.press(*"2026-10-25 01:58", "ctrl+s")
        await settle(app, pilot)
    timeline = json.loads(dumps(store.export_document(review_id)))["timeline"]
    [event] = [e for e in timeline if e["text"] == "Alert fired in the repeated hour"]
    assert event["at"] == "2026-10-25T01:58:00+02:00"


def test_a_bare_time_meets_its_neighbours_across_midnight():
    from datetime import date, datetime, time
    from zoneinfo import ZoneInfo

    from pmtui.domain.entry import nearest

    berlin = ZoneInfo("Europe/Berlin")
    alert = datetime(2024, 9, 16, 23, 50, tzinfo=berlin)
    started = datetime(2024, 9, 16, 23, 31, tzinfo=berlin)
    # five past midnight after 23:50 is the next day
    assert nearest(time(0, 5), date(2024, 9, 16), [alert, started], berlin) == datetime(2024, 9, 17, 0, 5, tzinfo=berlin)
    # 23:55 before an event at 00:10 is the day before
    after = datetime(2024, 9, 17, 0, 10, tzinfo=berlin)
    assert nearest(time(23, 55), date(2024, 9, 17), [after], berlin) == datetime(2024, 9, 16, 23, 55, tzinfo=berlin)
    # a time near nothing stays on the anchor day (the far-from-incident question catches it)
    morning = datetime(2024, 9, 16, 10, 0, tzinfo=berlin)
    assert nearest(time(23, 0), date(2024, 9, 16), [morning], berlin) == datetime(2024, 9, 16, 23, 0, tzinfo=berlin)
    assert nearest(time(9, 0), date(2024, 9, 16), [morning], berlin) == datetime(2024, 9, 16, 9, 0, tzinfo=berlin)
    assert nearest(time(9, 0), date(2024, 9, 16), [], berlin) == datetime(2024, 9, 16, 9, 0, tzinfo=berlin)


def test_far_from_the_incident_is_said_in_plain_words():
    from datetime import datetime, timedelta

    from pmtui.domain.anchor import incident_window, outside, say_distance

    start = datetime(2024, 9, 16, 21, 31, tzinfo=UTC)
    window = incident_window(start, [start + timedelta(hours=2)])
    assert outside(start - timedelta(hours=5), window) is None  # a few hours before: near
    assert say_distance(outside(start - timedelta(hours=23), window)) == "23 hours before"
    assert say_distance(outside(datetime(2016, 5, 1, tzinfo=UTC), window)) == "8 years before"
    assert say_distance(outside(start + timedelta(days=3), window)) == "2 days after"
    assert outside(start, incident_window(None, [])) is None  # nothing known: nothing to say
