"""The pmtui-review/1 format: defaults, validation with JSON paths, canonical output."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pmtui.domain.document import FORMAT, ReviewDoc, dumps, loads
from pmtui.errors import BadInput


def doc(**fields) -> bytes:
    return json.dumps({"format": FORMAT, "title": "Queue backlog", **fields}).encode()


def problems(data: bytes) -> list[str]:
    with pytest.raises(BadInput) as info:
        loads(data, "r.json")
    return info.value.problems or [info.value.message]


def test_only_format_and_title_are_required_and_defaults_are_filled():
    d = loads(doc())
    out = json.loads(dumps(d))
    assert out["status"] == "draft"
    assert out["timezone"] == "UTC"
    assert out["severity"] is None and out["review_date"] is None
    assert out["timeline"] == [] and out["tags"] == []
    assert out["impact"] == {
        "description": "", "users_affected": None, "components": [], "data_loss": "",
        "support_tickets": None, "slo_budget_spent_pct": None, "customer_communication": "",
    }
    assert list(out)[:2] == ["format", "title"]


def test_example_keeps_every_value(example_raw):
    out = json.loads(dumps(loads(json.dumps(example_raw))))
    assert out["format"] == FORMAT == "pmtui-review/2"
    # what /2 added, at its defaults
    assert all(n.pop("became") == [] for n in out["notes"])
    assert all((c.pop("start"), c.pop("end")) == (None, None) for c in out["impact"]["components"])
    assert out.pop("started") is None
    assert all((e["source_id"], e["original"], e["confirmed"]) == ("", "", False) for e in out["timeline"])
    for key, value in example_raw.items():
        if key not in ("timeline", "action_items", "format"):
            assert out[key] == value, key
    assert [e["text"] for e in out["timeline"]] == [e["text"] for e in example_raw["timeline"]]
    assert out["timeline"][1]["marks"] == ["impact_start"]
    assert out["action_items"][4]["status_note"].startswith("Would not have changed")


def test_timeline_is_ordered_by_time_and_ties_keep_input_order():
    events = [
        {"at": "2026-03-10T12:00:00+01:00", "text": "c"},
        {"at": "2026-03-10T10:00:00Z", "text": "b1"},
        {"at": "2026-03-10T09:00:00Z", "text": "a"},
        {"at": "2026-03-10T11:00:00+01:00", "text": "b2"},  # same instant as b1
    ]
    out = json.loads(dumps(loads(doc(timeline=events))))
    assert [e["text"] for e in out["timeline"]] == ["a", "b1", "b2", "c"]
    # offsets are kept as written
    assert out["timeline"][2]["at"] == "2026-03-10T11:00:00+01:00"


def test_tags_are_lower_case_unique_and_sorted():
    out = json.loads(dumps(loads(doc(tags=["Deploy", "cache", "deploy", "API"]))))
    assert out["tags"] == ["api", "cache", "deploy"]


def test_strings_are_kept_exactly_as_given():
    text = "  leading and trailing spaces \n\tand a tab  "
    out = json.loads(dumps(loads(doc(summary=text))))
    assert out["summary"] == text


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"timeline": [{"at": "2026-03-10T14:03:00", "text": "x"}]}, "timeline[0].at: timestamp needs a UTC offset"),
        ({"timeline": [{"at": "yesterday", "text": "x"}]}, "timeline[0].at: not an RFC 3339 timestamp"),
        ({"timeline": [{"at": "2026-02-30T10:00:00Z", "text": "x"}]}, "timeline[0].at: not a real date and time"),
        ({"timeline": [{"at": "2026-03-10T14:03:00Z", "text": ""}]}, "timeline[0].text: must not be empty"),
        ({"timeline": [{"at": "2026-03-10T14:03:00Z", "text": "x", "kind": "outage"}]}, "timeline[0].kind: must be one of"),
        ({"status": "done"}, "status: must be one of 'draft', 'in_review' or 'published' (got 'done')"),
        ({"impact": {"users_affected": -5}}, "impact.users_affected: must not be negative"),
        ({"impact": {"support_tickets": 2.5}}, "impact.support_tickets: must be a whole number"),
        ({"impact": {"slo_budget_spent_pct": -1}}, "impact.slo_budget_spent_pct: must not be negative"),
        ({"impact": {"components": [{"name": "api", "status": "down"}]}}, "impact.components[0].status: must be one of"),
        ({"action_items": [{"title": "x", "due": "2026-02-30"}]}, "action_items[0].due: 2026-02-30 is not a real date"),
        ({"action_items": [{"title": "x", "due": "next week"}]}, "action_items[0].due: must be a date written YYYY-MM-DD"),
        ({"severity": "S" * 21}, "severity: must be at most 20 characters (got 21)"),
        ({"timezone": "Mars/Olympus"}, "timezone: unknown time zone Mars/Olympus"),
        ({"participants": [{"name": "Ana", "mood": "ok"}]}, "participants[0].mood: unknown field"),
        ({"colour": "red"}, "colour: unknown field"),
        ({"tags": "cache"}, "tags: must be a list"),
        ({"notes": [{"at": "2026-03-12T14:07:00Z", "text": "x", "stage": "retro"}]}, "notes[0].stage: must be one of"),
        ({"participants": [{"name": "Ana", "attended": "yes"}]}, "participants[0].attended: must be true or false"),
    ],
)
def test_each_invalid_value_is_reported_at_its_json_path(fields, expected):
    found = problems(doc(**fields))
    assert any(p.startswith(f"r.json: {expected}") for p in found), found


def test_a_mark_used_twice_names_both_events():
    events = [
        {"at": "2026-03-10T10:00:00Z", "text": "a", "marks": ["detected"]},
        {"at": "2026-03-10T10:05:00Z", "text": "b", "marks": ["impact_start", "detected"]},
    ]
    assert problems(doc(timeline=events)) == ["r.json: timeline[1].marks[1]: mark 'detected' is already on timeline[0]"]


def test_every_problem_is_listed_at_once():
    found = problems(doc(status="x", timeline=[{"at": "2026-03-10T10:00:00", "text": ""}], extra=1))
    assert len(found) == 4
    assert {p.split(":")[1].strip() for p in found} == {"status", "timeline[0].at", "timeline[0].text", "extra"}


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "r.json: the file is empty"),
        (b"  \n", "r.json: the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "r.json: not a text file"),
        (b'{"format": "pmtui-review/1", "title": "x", "timeline": [', "r.json, line 1, column 57: the JSON ends too early"),
        (b'{"format": "pmtui-review/1",\n "title": "x",,}', "r.json, line 2, column 15:"),
        (b"[]", "r.json: a review document must be a JSON object, found an array"),
        (b'"title"', "r.json: a review document must be a JSON object, found a string"),
        (b'{"format": "pmtui-review/1"}', "r.json: title: required field is missing"),
        (b'{"title": "x"}', "r.json: format: required field is missing"),
        (b'{"format": "pmtui-review/3", "title": "x"}', 'r.json: format: unsupported format "pmtui-review/3"; this pmtui reads "pmtui-review/1" or "pmtui-review/2"'),
        (b'{"format": "pmtui-review/1", "title": "x", "title": "y"}', "r.json: duplicate key 'title'"),
        (b'{"format": "pmtui-review/1", "title": "x", "impact": {"slo_budget_spent_pct": NaN}}', "r.json: NaN is not valid JSON"),
        (json.dumps({"format": FORMAT, "title": "t" * 10_000}).encode(), "r.json: title: must be at most 200 characters (got 10000)"),
        (json.dumps({"format": FORMAT, "title": "   "}).encode(), "r.json: title: must not be empty"),
    ],
)
def test_malformed_files_get_one_plain_sentence(data, expected):
    found = problems(data)
    assert len(found) == 1 and found[0].startswith(expected), found
    assert "Traceback" not in found[0] and "pydantic" not in found[0].lower()


def test_lone_surrogates_are_rejected_not_crashing():
    assert problems(b'{"format": "pmtui-review/1", "title": "bad \\ud800 text"}')[0].startswith(
        "r.json: title: contains an invalid character"
    )


def test_timestamp_forms():
    events = [
        {"at": "2026-03-10T10:00:00.250Z", "text": "fraction"},
        {"at": "2026-03-10T10:00:00+00:00", "text": "zero offset"},
        {"at": "2026-03-10T05:30:00-04:30", "text": "odd offset"},
    ]
    out = json.loads(dumps(loads(doc(timeline=events))))
    assert [e["at"] for e in out["timeline"]] == [
        # 05:30-04:30 is the same instant as 10:00Z, so it keeps its place after it
        "2026-03-10T10:00:00Z", "2026-03-10T05:30:00-04:30", "2026-03-10T10:00:00.250000Z",
    ]


def test_marks_give_times():
    d = loads(doc(timeline=[{"at": "2026-03-10T10:00:00Z", "text": "x", "marks": ["impact_start", "detected"]}]))
    m = d.marks()
    assert set(m) == {"impact_start", "detected"}
    assert m["detected"].utcoffset() == timedelta(0)
    assert isinstance(d, ReviewDoc)


# ------------------------------------------------------------ pmtui-review/2
EVIDENCE = {"at": "2026-03-10T13:58:02Z", "text": "payments-api: upstream timeout", "source": "log:app.jsonl",
            "source_id": "9f3a1c20d4e5b6a7", "original": '{"level":"error","msg":"upstream timeout"}'}


def test_version_2_fields_are_kept_and_written_in_spec_order():
    out = json.loads(dumps(loads(doc(
        started="2026-03-10T14:50:00+01:00",
        timeline=[{**EVIDENCE, "confirmed": True}],
        impact={"components": [{"name": "Checkout", "status": "partial_outage", "start": "2026-03-10T13:58:02Z",
                                "end": None}]},
    ))))
    assert out["started"] == "2026-03-10T14:50:00+01:00"
    assert list(out["timeline"][0]) == ["at", "text", "kind", "marks", "source", "source_id", "original",
                                        "approximate", "highlight", "confirmed"]
    assert out["timeline"][0]["original"] == EVIDENCE["original"] and out["timeline"][0]["confirmed"] is True
    assert out["impact"]["components"] == [{"name": "Checkout", "status": "partial_outage",
                                            "start": "2026-03-10T13:58:02Z", "end": None}]


def test_a_version_1_file_with_version_2_fields_names_each_one():
    data = json.dumps({"format": "pmtui-review/1", "title": "x", "started": "2026-03-10T14:50:00Z",
                       "timeline": [EVIDENCE], "notes": [{"at": "2026-03-10T15:00:00Z", "text": "n", "became": []}],
                       "impact": {"components": [{"name": "A", "status": "major_outage", "end": None}]}}).encode()
    found = problems(data)
    hint = 'unknown field in pmtui-review/1 (added in pmtui-review/2; say "format": "pmtui-review/2")'
    assert found == [f"r.json: {p}: {hint}" for p in (
        "started", "timeline[0].source_id", "timeline[0].original", "notes[0].became", "impact.components[0].end")]


def test_the_same_evidence_twice_in_one_review_is_refused_at_its_path():
    found = problems(doc(timeline=[EVIDENCE, {**EVIDENCE, "text": "again"}, {**EVIDENCE, "source": "other"}]))
    assert found == ["r.json: timeline[1].source_id: source 'log:app.jsonl' with id '9f3a1c20d4e5b6a7' is already "
                     "on timeline[0]"]


def test_a_component_window_that_ends_before_it_starts_is_refused():
    found = problems(doc(impact={"components": [{"name": "A", "status": "major_outage",
                                                 "start": "2026-03-10T14:00:00Z", "end": "2026-03-10T14:30:00+01:00"}]}))
    assert found == ["r.json: impact.components[0].end: must not be before start (2026-03-10T14:00:00Z)"]


def test_what_a_note_became_points_into_the_lists_and_follows_the_timeline_order():
    events = [{"at": "2026-03-10T12:00:00Z", "text": "late"}, {"at": "2026-03-10T10:00:00Z", "text": "early"}]
    note = {"at": "2026-03-10T15:00:00Z", "text": "n",
            "became": [{"kind": "event", "index": 0}, {"kind": "factor", "index": 0}]}
    d = loads(doc(timeline=events, factors=[{"text": "f", "category": "process"}], notes=[note]))
    assert [e.text for e in d.timeline] == ["early", "late"]
    assert [(b.kind.value, b.index) for b in d.notes[0].became] == [("event", 1), ("factor", 0)]
    assert d.timeline[d.notes[0].became[0].index].text == "late"
    bad = {**note, "became": [{"kind": "event", "index": 2}, {"kind": "action_item", "index": 0},
                              {"kind": "factor", "index": 0}, {"kind": "factor", "index": 0},
                              {"kind": "timeline", "index": 0}]}
    found = problems(doc(timeline=events, factors=[{"text": "f", "category": "process"}], notes=[bad]))
    assert "r.json: notes[0].became[0].index: there is no timeline[2] (the document has 2 items in timeline)" in found
    assert "r.json: notes[0].became[1].index: there is no action_items[0] (the document has 0 items in action_items)" in found
    assert "r.json: notes[0].became[3]: factors[0] is already listed at became[2]" in found
    assert any(p.startswith("r.json: notes[0].became[4].kind: must be one of") for p in found)


# ------------------------------------------------------------------ the review meeting (/2)
STAGES4 = ("opening", "context", "analysis", "followups")


def meeting(**over) -> dict:
    return {"started": "2026-03-10T15:00:00+01:00", "ended": "2026-03-10T16:02:00+01:00",
            "stages": [{"stage": s, "timebox_minutes": b, "took_seconds": t}
                       for s, b, t in zip(STAGES4, (5, 35, 10, 10), (280, 2400, 900, None))], **over}


def test_the_meeting_is_kept_as_written_and_is_null_by_default():
    assert json.loads(dumps(loads(doc())))["meeting"] is None
    out = json.loads(dumps(loads(doc(meeting=meeting()))))["meeting"]
    assert out == meeting()  # offsets as written, every stage, null for the stage not reached


@pytest.mark.parametrize(("value", "message"), [
    (meeting(ended="2026-03-10T13:59:00Z"), "meeting.ended: must not be before started (2026-03-10T15:00:00+01:00)"),
    (meeting(stages=meeting()["stages"][::-1]),
     "meeting.stages: list the four stages once each, in the meeting's order: opening, context, analysis, "
     "followups (got followups, analysis, context, opening)"),
    (meeting(stages=meeting()["stages"][:2]), "meeting.stages: list the four stages once each"),
    ({**meeting(), "stages": [{**meeting()["stages"][0], "took_seconds": -1}, *meeting()["stages"][1:]]},
     "meeting.stages[0].took_seconds"),
    ({**meeting(), "stages": [{**meeting()["stages"][0], "timebox_minutes": 1441}, *meeting()["stages"][1:]]},
     "meeting.stages[0].timebox_minutes"),
    ({**meeting(), "stages": [{**meeting()["stages"][0], "took_seconds": 1.5}, *meeting()["stages"][1:]]},
     "meeting.stages[0].took_seconds"),
    (meeting(started=None), "meeting.started"),
    (meeting(pace="fast"), "meeting.pace"),
])
def test_a_wrong_meeting_is_refused_at_its_path(value, message):
    found = problems(doc(meeting=value))
    assert len(found) == 1 and found[0].startswith(f"r.json: {message}"), found


def test_a_version_1_file_with_a_meeting_is_mislabelled():
    found = problems(json.dumps({"format": "pmtui-review/1", "title": "x", "meeting": meeting()}).encode())
    assert found == ['r.json: meeting: unknown field in pmtui-review/1 (added in pmtui-review/2; say "format": '
                     '"pmtui-review/2")']
