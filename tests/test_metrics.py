"""Metrics from marks: values, absence, and negative intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from pmtui.domain.document import loads
from pmtui.domain.metrics import compute, format_duration

T0 = datetime(2026, 3, 10, 9, 42, tzinfo=UTC)


def by_key(marks):
    return {m.key: m for m in compute(marks)}


def test_example_review_metrics(example_bytes):
    m = by_key(loads(example_bytes).marks())
    assert m["time_to_detect"].value == timedelta(minutes=9)
    assert m["time_to_respond"].value == timedelta(minutes=4)
    assert m["time_to_mitigate"].value == timedelta(minutes=44)
    assert m["impact_duration"].value == timedelta(minutes=47)
    assert m["time_to_resolve"].value == timedelta(minutes=63)
    assert m["time_to_resolve"].minutes() == 63


def test_missing_mark_makes_the_metric_absent_and_names_it():
    m = by_key({"impact_start": T0, "detected": T0 + timedelta(minutes=5)})
    assert m["time_to_detect"].value == timedelta(minutes=5)
    assert m["impact_duration"].value is None
    assert m["impact_duration"].missing == ("impact_end",)
    assert m["impact_duration"].problem() == "missing mark: impact_end"
    assert by_key({})["time_to_respond"].problem() == "missing marks: detected, response_start"


def test_negative_interval_is_not_computable_and_names_both_marks():
    m = by_key({"impact_start": T0, "detected": T0 - timedelta(minutes=30)})["time_to_detect"]
    assert m.value is None and m.negative and not m.computable
    assert m.problem() == "not computable: detected comes before impact_start"


def test_marks_in_different_offsets_compare_as_instants():
    berlin = timezone(timedelta(hours=1))
    m = by_key({"impact_start": T0, "impact_end": datetime(2026, 3, 10, 11, 29, tzinfo=berlin)})
    assert m["impact_duration"].value == timedelta(minutes=47)


def test_durations_read_like_a_report():
    assert format_duration(timedelta(minutes=66)) == "1h 06m"
    assert format_duration(timedelta(minutes=9)) == "9m"
    assert format_duration(timedelta(days=2, hours=3, minutes=10)) == "2d 03h 10m"
    assert format_duration(timedelta(seconds=40)) == "40s"
    assert format_duration(timedelta(0)) == "0m"
    assert format_duration(None) == "—"
