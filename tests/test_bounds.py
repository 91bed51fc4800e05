"""Import bounds: what the store, the report and the app cannot hold is rejected at
import with its JSON path, and a rejected file changes nothing. Values at the limits
are accepted and go through the store unchanged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from pmtui.domain import document as d
from pmtui.domain.document import FORMAT, dumps, loads
from pmtui.errors import BadInput, FieldErrors
from pmtui.export.report import render

AT = "2026-03-10T10:00:00Z"


def doc(**fields) -> dict:
    return {"format": FORMAT, "title": "Queue backlog", **fields}


def problems(raw: dict | bytes) -> list[str]:
    data = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
    with pytest.raises(BadInput) as info:
        loads(data, "r.json")
    return info.value.problems or [info.value.message]


def event(at: str = AT, **fields) -> dict:
    return {"at": at, "text": "Queue depth alert fires", **fields}


@pytest.mark.parametrize(
    "fields, expected",
    [
        # times: before the year 1000, or past what UTC (and every zone) can show
        ({"timeline": [event("0999-12-31T10:00:00Z")]}, "timeline[0].at: must lie between 1000-01-02 and 9999-12-30 in UTC"),
        ({"timeline": [event("0001-01-01T00:00:00+01:00")]}, "timeline[0].at: must lie between"),
        ({"timeline": [event("9999-12-31T23:00:00-05:00")]}, "timeline[0].at: must lie between"),
        ({"notes": [{"at": "9999-12-31T23:59:59Z", "text": "x"}]}, "notes[0].at: must lie between"),
        ({"timeline": [event("2026-03-10T10:00:00+01:60")]}, "timeline[0].at: the UTC offset +01:60 is not a real offset"),
        ({"timeline": [event("2026-03-10T10:00:00+24:00")]}, "timeline[0].at: the UTC offset +24:00 is not a real offset"),
        ({"timeline": [event("2026-03-10T10:00:00.1234567Z")]}, "timeline[0].at: not an RFC 3339 timestamp"),
        ({"review_date": "0999-01-01"}, "review_date: must be a date from the year 1000 on"),
        ({"action_items": [{"title": "x", "due": "0010-05-01"}]}, "action_items[0].due: must be a date from the year 1000 on"),
        # integers: SQLite keeps 64 bits; counts are never negative
        ({"impact": {"users_affected": 2**63}}, "impact.users_affected: must be at most 9223372036854775807 (a 64-bit integer)"),
        ({"impact": {"support_tickets": 10**30}}, "impact.support_tickets: must be at most 9223372036854775807"),
        ({"impact": {"support_tickets": -1}}, "impact.support_tickets: must not be negative"),
        ({"impact": {"slo_budget_spent_pct": 10**400}}, "impact.slo_budget_spent_pct: must be a number"),
        # zones: a folder, too long, a path, the machine's own zone file
        ({"timezone": "America"}, "timezone: unknown time zone America"),
        ({"timezone": "Europe/"}, "timezone: unknown time zone Europe/"),
        ({"timezone": "Z" * 300}, "timezone: a time zone name is at most 64 characters (got 300)"),
        ({"timezone": "../../etc/passwd"}, "timezone: unknown time zone ../../etc/passwd"),
        ({"timezone": "/etc/localtime"}, "timezone: unknown time zone /etc/localtime"),
        ({"timezone": "localtime"}, "timezone: unknown time zone localtime"),
        ({"timezone": "Europe/Berlin\n"}, "timezone: unknown time zone"),
        # text lengths
        ({"summary": "x" * (d.LONG_TEXT_MAX + 1)}, f"summary: must be at most {d.LONG_TEXT_MAX} characters"),
        ({"timeline": [event(text="x" * (d.LONG_TEXT_MAX + 1))]}, "timeline[0].text: must be at most"),
        ({"participants": [{"name": "n" * (d.SHORT_TEXT_MAX + 1)}]},
         f"participants[0].name: must be at most {d.SHORT_TEXT_MAX} characters"),
        ({"tags": ["t" * (d.SHORT_TEXT_MAX + 1)]}, "tags[0]: must be at most"),
        ({"links": [{"title": "Dashboard", "url": "https://x/" + "q" * d.URL_MAX}]}, "links[0].url: must be at most"),
        ({"action_items": [{"title": "x", "owner": "o" * (d.SHORT_TEXT_MAX + 1)}]}, "action_items[0].owner: must be at most"),
        # list lengths
        ({"timeline": [event()] * (d.EVENTS_MAX + 1)}, f"timeline: at most {d.EVENTS_MAX:,} items (got {d.EVENTS_MAX + 1:,})"),
        ({"notes": [{"at": AT, "text": "x"}] * (d.NOTES_MAX + 1)}, "notes: at most 1,000 items"),
        ({"tags": ["x"] * (d.ITEMS_MAX + 1)}, f"tags: at most {d.ITEMS_MAX:,} items"),
        ({"impact": {"components": [{"name": "api", "status": "major_outage"}] * (d.ITEMS_MAX + 1)}},
         "impact.components: at most 1,000 items"),
        ({"timeline": [event(marks=["detected"] * 7)]}, "timeline[0].marks: at most 6 marks (got 7)"),
    ],
)
def test_what_cannot_be_held_is_rejected_at_its_json_path(fields, expected):
    found = problems(doc(**fields))
    assert any(p.startswith(f"r.json: {expected}") for p in found), found
    assert all("Traceback" not in p and "pydantic" not in p.lower() for p in found)


def test_a_number_with_thousands_of_digits_gets_a_plain_sentence():
    data = b'{"format": "pmtui-review/1", "title": "x", "impact": {"users_affected": ' + b"9" * 5000 + b"}}"
    assert problems(data) == ["r.json: a number in the file has more than 4,300 digits; whole numbers must fit in 64 bits"]


def test_a_file_over_the_size_limit_is_rejected_before_it_is_parsed():
    data = json.dumps(doc(summary="x")).encode()
    data = data[:-1] + b" " * (d.FILE_MAX_BYTES - len(data) + 1) + b"}"
    assert problems(data) == ["r.json: the file is larger than 4 MiB, the limit for a review document (plus 2 KiB "
                              "for each imported evidence event it holds)"]


def evidence_event(i: int, **fields) -> dict:
    return event(f"2026-03-10T10:{i // 60 % 60:02d}:{i % 60:02d}Z", source="log:app.jsonl", source_id=f"{i:08x}",
                 **fields)


def test_typed_events_and_imported_evidence_have_a_limit_each(monkeypatch):
    monkeypatch.setattr(d, "EVIDENCE_MAX", 30)
    typed = [event(f"2026-03-10T09:{i // 60 % 60:02d}:{i % 60:02d}Z") for i in range(d.EVENTS_MAX)]
    full = doc(timeline=typed + [evidence_event(i) for i in range(30)])
    assert len(loads(json.dumps(full)).timeline) == d.EVENTS_MAX + 30  # both lists full: accepted
    found = problems(doc(timeline=typed + [evidence_event(i) for i in range(31)]))
    assert found == ["r.json: timeline: at most 30 imported evidence events (events with a source_id; got 31)"]
    found = problems(doc(timeline=[*typed, event(), evidence_event(0)]))
    assert found == [f"r.json: timeline: at most {d.EVENTS_MAX:,} typed events (events without a source_id; got "
                     f"{d.EVENTS_MAX + 1:,})"]
    # an empty source_id is a typed event
    found = problems(doc(timeline=[*typed, event(source="log:app.jsonl", source_id="")]))
    assert found == [f"r.json: timeline: at most {d.EVENTS_MAX:,} items (got {d.EVENTS_MAX + 1:,})"]


def test_each_evidence_event_brings_room_in_the_file():
    padded = "x" * 1_800  # an original line of 1.8 KiB: the event takes a little under its 2 KiB
    timeline = [evidence_event(i, original=padded) for i in range(3_000)]  # about 6 MB in all
    data = json.dumps(doc(timeline=timeline)).encode()
    assert d.FILE_MAX_BYTES < len(data) <= d.file_limit(3_000)
    assert len(loads(data, "r.json").timeline) == 3_000
    # the same bytes with too few events holding a source_id: the room is counted after parsing too
    for e in timeline[:2_500]:
        e["source_id"] = ""
    data = json.dumps(doc(timeline=timeline)).encode()
    assert problems(data) == [f"r.json: the file is {len(data):,} bytes, larger than the limit for a review document "
                              f"holding 500 imported evidence events (4 MiB plus 2 KiB for each: "
                              f"{d.file_limit(500):,} bytes)"]
    # past the room of every "source_id" in it: refused before it is parsed (it is not even JSON)
    junk = b'{"source_id": 1, "summary": "' + b"x" * d.file_limit(1) + b'"'
    assert problems(junk)[0].startswith(f"r.json: the file is {len(junk):,} bytes, larger than the limit")


def test_values_at_the_limits_are_accepted_and_kept_by_the_store(store):
    raw = doc(
        title="t" * d.TITLE_MAX,
        timezone="America/Argentina/ComodRivadavia",  # the longest IANA name
        summary="s" * d.LONG_TEXT_MAX,
        review_date="1000-01-01",
        participants=[{"name": "n" * d.SHORT_TEXT_MAX, "role": "r" * d.SHORT_TEXT_MAX}],
        links=[{"title": "Dashboard", "url": "u" * d.URL_MAX}],
        tags=[f"tag-{i}" for i in range(d.ITEMS_MAX)],
        impact={"users_affected": 2**63 - 1, "support_tickets": 0, "slo_budget_spent_pct": 1e300},
        timeline=[
            event("1000-01-02T00:00:00Z", marks=["impact_start"]),
            event("1000-01-02T23:59:00+23:59", text="the same instant, written at the farthest offset"),
            event("9999-12-30T23:59:59.999999Z", marks=["resolved"]),
            event("9999-12-30T00:00:59.999999-23:59", text="the same instant, written at the farthest offset"),
        ],
        action_items=[{"title": "a" * d.SHORT_TEXT_MAX, "due": "9999-12-31"}],
    )
    parsed = loads(json.dumps(raw))
    text = dumps(parsed)
    review_id = store.import_documents([parsed])[0][0]
    assert dumps(store.export_document(review_id)) == text
    out = json.loads(text)
    assert out["impact"]["users_affected"] == 2**63 - 1
    assert [e["at"] for e in out["timeline"]] == [
        "1000-01-02T00:00:00Z", "1000-01-02T23:59:00+23:59",
        "9999-12-30T23:59:59.999999Z", "9999-12-30T00:00:59.999999-23:59",
    ]
    # every accepted time can be shown in any zone: the report renders in the farthest ones
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12", "America/Argentina/ComodRivadavia"):
        assert "# " + "t" * 10 in render(parsed.model_copy(update={"timezone": zone}))


def test_a_full_timeline_is_accepted():
    raw = doc(timeline=[event(f"2026-03-10T10:{i // 60 % 60:02d}:{i % 60:02d}Z") for i in range(d.EVENTS_MAX)])
    assert len(loads(json.dumps(raw)).timeline) == d.EVENTS_MAX


def test_an_invalid_file_among_valid_ones_imports_nothing(cli, tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc()))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc(timezone="America", impact={"users_affected": 2**64},
                                  timeline=[event("9999-12-31T23:00:00-05:00")])))
    r = cli("import", str(good), str(bad))
    assert r.code == 2 and "Traceback" not in r.err
    assert f"{bad}: timezone: unknown time zone America" in r.err
    assert f"{bad}: impact.users_affected: must be at most" in r.err
    assert f"{bad}: timeline[0].at: must lie between" in r.err
    assert "nothing was imported" in r.err
    assert json.loads(cli("list", "--format", "json").out) == []


def test_an_oversized_file_on_standard_input_is_refused(cli, tmp_path):
    huge = json.dumps(doc(summary="x" * (d.FILE_MAX_BYTES + 10)))
    (tmp_path / "huge.json").write_text(huge)
    r = cli("import", str(tmp_path / "huge.json"))
    assert r.code == 2 and "larger than 4 MiB" in r.err
    r = cli("import", "-", stdin=huge)
    assert r.code == 2
    assert r.err.startswith("pmtui: error: <stdin>: the file is larger than 4 MiB, the limit for a review document")


def test_edits_in_the_app_keep_the_same_bounds(store):
    review_id = store.create_review("Queue backlog")[0]
    with pytest.raises(FieldErrors) as info:
        store.add_event(review_id, at=datetime(999, 12, 31, tzinfo=UTC), text="x")
    assert info.value.fields["at"].startswith("must lie between 1000-01-02 and 9999-12-30")
    with pytest.raises(FieldErrors) as info:
        store.add_event(review_id, at=datetime(9999, 12, 31, 23, tzinfo=ZoneInfo("America/New_York")), text="x")
    assert "at" in info.value.fields
    with pytest.raises(FieldErrors) as info:
        store.update_review(review_id, expected_version=store.get_review(review_id)["version"], timezone="America", users_affected=2**64, summary="x" * (d.LONG_TEXT_MAX + 1))
    assert set(info.value.fields) == {"timezone", "users_affected", "summary"}
    with pytest.raises(FieldErrors) as info:
        store.add_item("participant", review_id, name="n" * (d.SHORT_TEXT_MAX + 1))
    assert info.value.fields["name"] == f"must be at most {d.SHORT_TEXT_MAX} characters (got {d.SHORT_TEXT_MAX + 1})"
    assert store.events(review_id) == [] and store.list_items("participant", review_id) == []
    assert store.get_review(review_id)["timezone"] == "UTC"


def test_the_public_contract_states_the_limits_the_code_applies():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "review-format.md").read_text()
    limits = text[text.index("## Limits"):]
    for phrase in (
        f"{d.FILE_MAX_BYTES // 2**20} MiB ({d.FILE_MAX_BYTES:,} bytes)",
        f"| {d.TITLE_MAX} characters |", f"| {d.SEVERITY_MAX} characters |",
        f"| {d.SHORT_TEXT_MAX:,} characters each |", f"| {d.URL_MAX:,} characters each |",
        f"| {d.LONG_TEXT_MAX:,} characters each |", f"| {d.ZONE_MAX} characters |",
        f"| {d.EVENTS_MAX:,} events, typed", f"plus {d.EVIDENCE_MAX:,} imported evidence events",
        f"plus {d.EVIDENCE_BYTES // 1024} KiB ({d.EVIDENCE_BYTES:,} bytes) for each imported evidence event",
        f"{d.FILE_MAX_ALL / 2**20:.1f} MiB, {d.FILE_MAX_ALL:,} bytes, with {d.EVIDENCE_MAX:,} of them",
        f"| {d.NOTES_MAX:,} notes |", f"| {d.ITEMS_MAX:,} items each |",
        f"0 to {d.COUNT_MAX:,} (64 bits)", d.EARLIEST.strftime("`%Y-%m-%dT%H:%M:%SZ`"),
        d.LATEST.strftime("`%Y-%m-%dT%H:%M:%S.%fZ`"), f"`{d.FIRST_DAY.isoformat()}` to `9999-12-31`",
    ):
        assert phrase in limits, phrase
