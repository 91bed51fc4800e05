"""`pmtui schema`: a JSON Schema of the review document that agrees with `pmtui import`.

Every example and every broken file below goes through both the jsonschema
library's validator and `pmtui import`; both must give the same verdict."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from pmtui.domain.document import COUNT_MAX, FORMAT, FORMAT_1, ITEMS_MAX, LONG_TEXT_MAX, SHORT_TEXT_MAX, URL_MAX

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
DEMO = json.loads(files("pmtui").joinpath("data/demo-review.json").read_text())


def _set(path: str, value):
    """A copy of the demo document with the value at a JSON path set (or removed: ...)."""
    def change(doc):
        parts = path.replace("]", "").replace("[", ".").split(".")
        node = doc
        for p in parts[:-1]:
            node = node[int(p)] if p.isdigit() else node[p]
        last = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
        if value is ...:
            del node[last]
        else:
            node[last] = value
        return doc
    return change


def _all(*changes):
    """Several changes in order (e.g. a /1 format and a /2 field)."""
    def change(doc):
        for c in changes:
            doc = c(doc)
        return doc
    return change


def _v1(*changes):
    return _all(_set("format", FORMAT_1), *changes)


BROKEN = {
    "title missing": _set("title", ...),
    "title empty": _set("title", ""),
    "title blank": _set("title", "  \t "),
    "title too long": _set("title", "x" * 201),
    "title a number": _set("title", 5),
    "title a lone surrogate": _set("title", "a\ud800b"),
    "format other": _set("format", "pmtui-review/3"),
    "format a number": _set("format", 2),
    "format missing": _set("format", ...),
    "unknown field": _set("colour", "red"),
    "unknown nested field": _set("timeline[0].colour", "red"),
    "status unknown": _set("status", "done"),
    "severity too long": _set("severity", "S" * 21),
    "zone unknown": _set("timezone", "Mars/Olympus_Mons"),
    "zone a number": _set("timezone", 1),
    "review date not real": _set("review_date", "2026-02-30"),
    "review date month 13": _set("review_date", "2026-13-01"),
    "review date 29 Feb of 2100": _set("review_date", "2100-02-29"),
    "review date with time": _set("review_date", "2026-03-12T10:00:00Z"),
    "timestamp without offset": _set("timeline[0].at", "2026-03-10T10:40:00"),
    "timestamp offset 24h": _set("timeline[0].at", "2026-03-10T10:40:00+24:00"),
    "timestamp hour 24": _set("timeline[0].at", "2026-03-10T24:00:00Z"),
    "timestamp 7 fraction digits": _set("timeline[0].at", "2026-03-10T10:40:00.1234567Z"),
    "timestamp 31 April": _set("timeline[0].at", "2026-04-31T10:40:00Z"),
    "timestamp year 0": _set("timeline[0].at", "0000-03-10T10:40:00Z"),
    "event text blank": _set("timeline[0].text", " "),
    "event text missing": _set("timeline[0].text", ...),
    "event kind unknown": _set("timeline[0].kind", "incident"),
    "mark unknown": _set("timeline[0].marks", ["begin"]),
    "mark twice on one event": _set("timeline[0].marks", ["detected", "detected"]),
    "mark on two events": _set("timeline[0].marks", ["resolved"]),
    "approximate a string": _set("timeline[0].approximate", "yes"),
    "users affected negative": _set("impact.users_affected", -1),
    "users affected a string": _set("impact.users_affected", "5"),
    "users affected true": _set("impact.users_affected", True),
    "budget negative": _set("impact.slo_budget_spent_pct", -0.5),
    "budget a string": _set("impact.slo_budget_spent_pct", "38%"),
    "component status unknown": _set("impact.components[0].status", "down"),
    "component name blank": _set("impact.components[0].name", ""),
    "factor category unknown": _set("factors[0].category", "human"),
    "observation kind unknown": _set("observations[0].kind", "meh"),
    "action due not a date": _set("action_items[0].due", "next week"),
    "action title blank": _set("action_items[0].title", "\n"),
    "action priority unknown": _set("action_items[0].priority", "urgent"),
    "note without time": _set("notes[0].at", ...),
    "note stage unknown": _set("notes[0].stage", "retro"),
    "tag empty": _set("tags", ["ok", ""]),
    "author a number": _set("authors", ["Payments team", 3]),
    "participant attended a string": _set("participants[0].attended", "yes"),
    "link without url": _set("links[0].url", ...),
    "impact a list": _set("impact", []),
    "timeline an object": _set("timeline", {}),
    "$schema a number": _set("$schema", 5),
    "zone localtime": _set("timezone", "localtime"),
    "zone a folder": _set("timezone", "America"),
    # limits (docs/review-format.md, "Limits")
    "short text too long": _set("participants[0].name", "x" * (SHORT_TEXT_MAX + 1)),
    "tag too long": _set("tags", ["x" * (SHORT_TEXT_MAX + 1)]),
    "url too long": _set("links[0].url", "x" * (URL_MAX + 1)),
    "incident ref too long": _set("incident_ref", "x" * (URL_MAX + 1)),
    "summary too long": _set("summary", "x" * (LONG_TEXT_MAX + 1)),
    "event text too long": _set("timeline[0].text", "x" * (LONG_TEXT_MAX + 1)),
    "too many authors": _set("authors", ["a"] * (ITEMS_MAX + 1)),
    "too many components": _set("impact.components", [{"name": "c", "status": "major_outage"}] * (ITEMS_MAX + 1)),
    "users affected 2^63": _set("impact.users_affected", COUNT_MAX + 1),
    "tickets 2^64": _set("impact.support_tickets", 2**64),
    "timestamp year 999": _set("timeline[0].at", "0999-03-10T10:40:00Z"),
    "review date year 999": _set("review_date", "0999-12-31"),
    # the time range is 1000-01-02T00:00:00Z .. 9999-12-30T23:59:59.999999Z as an instant in UTC
    "timestamp before 1000-01-02 in UTC": _set("timeline[0].at", "1000-01-01T23:00:00Z"),
    "timestamp 1000-01-01 not far enough behind UTC": _set("timeline[0].at", "1000-01-01T23:00:00-00:59"),
    "timestamp 1000-01-02 before its offset": _set("timeline[0].at", "1000-01-02T01:00:00+01:01"),
    "timestamp after 9999-12-30 in UTC": _set("timeline[0].at", "9999-12-31T00:00:00Z"),
    "timestamp 9999-12-31 not far enough ahead": _set("timeline[0].at", "9999-12-31T01:01:00+01:00"),
    "started 9999-12-30 behind UTC": _set("started", "9999-12-30T23:00:00-05:00"),
    "component end 9999-12-30 a minute too far behind": _set("impact.components[0].end", "9999-12-30T12:00:00-12:00"),
    # pmtui-review/2 fields of the wrong kind
    "started not a timestamp": _set("started", "yesterday"),
    "started without offset": _set("started", "2026-03-10T10:00:00"),
    "source_id a number": _set("timeline[0].source_id", 7),
    "source_id too long": _set("timeline[0].source_id", "x" * (SHORT_TEXT_MAX + 1)),
    "original a list": _set("timeline[0].original", ["line"]),
    "original too long": _set("timeline[0].original", "x" * (LONG_TEXT_MAX + 1)),
    "confirmed a string": _set("timeline[0].confirmed", "yes"),
    "confirmed null": _set("timeline[0].confirmed", None),
    "component start not a timestamp": _set("impact.components[0].start", "10:40"),
    "component end a number": _set("impact.components[0].end", 1700000000),
    "became an object": _set("notes[0].became", {"kind": "event", "index": 0}),
    "became kind unknown": _set("notes[0].became", [{"kind": "learning", "index": 0}]),
    "became kind missing": _set("notes[0].became", [{"index": 0}]),
    "became index missing": _set("notes[0].became", [{"kind": "factor"}]),
    "became index negative": _set("notes[0].became", [{"kind": "factor", "index": -1}]),
    "became index a string": _set("notes[0].became", [{"kind": "factor", "index": "0"}]),
    "became index 2^63": _set("notes[0].became", [{"kind": "event", "index": COUNT_MAX + 1}]),
    "became unknown field": _set("notes[0].became", [{"kind": "factor", "index": 0, "why": "x"}]),
    "became same item twice": _set("notes[0].became", [{"kind": "factor", "index": 1}, {"kind": "factor", "index": 1}]),
    "became too many": _set("notes[0].became", [{"kind": "event", "index": i % 10} for i in range(ITEMS_MAX + 1)]),
    # a pmtui-review/1 file with a field pmtui-review/2 added
    "/1 with started": _v1(_set("started", "2026-03-10T10:00:00Z")),
    "/1 with source_id": _v1(_set("timeline[0].source_id", "abc")),
    "/1 with original": _v1(_set("timeline[0].original", "")),
    "/1 with confirmed": _v1(_set("timeline[3].confirmed", False)),
    "/1 with component start": _v1(_set("impact.components[1].start", "2026-03-10T10:00:00Z")),
    "/1 with component end": _v1(_set("impact.components[0].end", None)),
    "/1 with became": _v1(_set("notes[0].became", [])),
    "/1 with meeting": _v1(_set("meeting", None)),
    "meeting stages out of order": _set("meeting", {"started": "2026-03-10T10:00:00Z", "stages": [
        {"stage": s, "timebox_minutes": 10} for s in ("context", "opening", "analysis", "followups")]}),
    "meeting with three stages": _set("meeting", {"started": "2026-03-10T10:00:00Z", "stages": [
        {"stage": s, "timebox_minutes": 10} for s in ("opening", "context", "analysis")]}),
    "meeting stage took a fraction of a second": _set("meeting", {"started": "2026-03-10T10:00:00Z", "stages": [
        {"stage": s, "timebox_minutes": 10, "took_seconds": 1.5} for s in ("opening", "context", "analysis", "followups")]}),
    "meeting without started": _set("meeting", {"stages": [
        {"stage": s, "timebox_minutes": 10} for s in ("opening", "context", "analysis", "followups")]}),
}
VALID = {
    "with $schema": _set("$schema", "./pmtui-review.schema.json"),
    "a running meeting": _set("meeting", {"started": "2026-03-10T10:00:00+01:00", "ended": None, "stages": [
        {"stage": s, "timebox_minutes": b, "took_seconds": t}
        for s, b, t in (("opening", 5, 300), ("context", 35, 2400), ("analysis", 10, None), ("followups", 0, None))]}),
    "leap day 2024": _set("review_date", "2024-02-29"),
    "leap day 2000": _set("review_date", "2000-02-29"),
    "offset +05:45 and micro seconds": _set("timeline[0].at", "2026-03-10T10:40:00.123456+05:45"),
    "lower-case t and z": _set("timeline[0].at", "2026-03-10t10:40:00z"),
    "no impact figures": _set("impact.users_affected", None),
    "budget a whole number": _set("impact.slo_budget_spent_pct", 5),
    "title 200 characters": _set("title", "é" * 200),
    "zone with a folder": _set("timezone", "America/Argentina/Buenos_Aires"),
    "short text at its limit": _set("participants[0].name", "x" * SHORT_TEXT_MAX),
    "url at its limit": _set("links[0].url", "x" * URL_MAX),
    "summary at its limit": _set("summary", "x" * LONG_TEXT_MAX),
    "authors at the limit": _set("authors", ["a"] * ITEMS_MAX),
    "users affected 2^63-1": _set("impact.users_affected", COUNT_MAX),
    "timestamp year 1000, late in the day": _set("timeline[0].at", "1000-01-05T23:00:00Z"),
    "review date 1000-01-01": _set("review_date", "1000-01-01"),
    "timestamp 1000-01-01 far enough behind UTC": _set("timeline[0].at", "1000-01-01T23:00:00-01:00"),
    "timestamp 1000-01-02 at its offset": _set("timeline[0].at", "1000-01-02T01:00:00.5+01:00"),
    "timestamp the last instant": _set("timeline[0].at", "9999-12-30T23:59:59.999999Z"),
    "timestamp 9999-12-31 far enough ahead": _set("timeline[0].at", "9999-12-31T01:00:59+01:01"),
    "started 9999-12-30 ahead of UTC": _set("started", "9999-12-30T23:59:00+00:01"),
    "component end 9999-12-30 just behind enough": _set("impact.components[0].end", "9999-12-30T11:59:59-12:00"),
    "review date 9999-12-31": _set("review_date", "9999-12-31"),
    # pmtui-review/2: each new field
    "started": _set("started", "2026-03-10T10:35:00+01:00"),
    "started null": _set("started", None),
    "evidence source_id": _set("timeline[0].source_id", "deploy-2026.03.10-3"),
    "same source_id, other sources": _all(_set("timeline[0].source_id", "1"), _set("timeline[0].source", "a"),
                                          _set("timeline[1].source_id", "1"), _set("timeline[1].source", "b")),
    "empty source_id twice": _all(_set("timeline[0].source_id", ""), _set("timeline[1].source_id", "")),
    "original": _set("timeline[0].original", "<p>Deploy <b>2026.03.10-3</b></p>\n"),
    "confirmed": _set("timeline[0].confirmed", True),
    "component window": _all(_set("impact.components[0].start", "2026-03-10T10:40:00+01:00"),
                             _set("impact.components[0].end", "2026-03-10T11:00:00Z")),
    "component start only": _set("impact.components[0].start", "2026-03-10T10:40:00Z"),
    "component end null": _set("impact.components[0].end", None),
    "became": _set("notes[0].became", [{"kind": "event", "index": 9}, {"kind": "factor", "index": 0},
                                       {"kind": "observation", "index": 0}, {"kind": "action_item", "index": 4}]),
    "became empty": _set("notes[0].became", []),
    "became the same item from two notes": _all(_set("notes[0].became", [{"kind": "factor", "index": 1}]),
                                                _set("notes[1].became", [{"kind": "factor", "index": 1}])),
    "all /2 fields": _all(_set("started", "2026-03-10T10:35:00Z"), _set("timeline[2].source_id", "x"),
                          _set("timeline[2].original", "x"), _set("timeline[2].confirmed", True),
                          _set("impact.components[1].start", "2026-03-10T10:40:00Z"),
                          _set("notes[2].became", [{"kind": "event", "index": 2}])),
    # pmtui-review/1: read without the /2 fields
    "/1": _set("format", FORMAT_1),
    "/1 with $schema": _v1(_set("$schema", "./pmtui-review.schema.json")),
    "/1 with marks and components": _v1(_set("impact.components[0].status", "major_outage")),
}


@pytest.fixture(scope="module")
def validator():
    from pmtui.domain.jsonschema import schema

    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def _cases():
    for p in EXAMPLES:
        yield p.stem, json.loads(p.read_text()), True
    yield "demo", DEMO, True
    yield "minimal", {"format": FORMAT, "title": "x"}, True
    yield "minimal /1", {"format": FORMAT_1, "title": "x"}, True
    yield "/1 fixture", json.loads((ROOT / "tests" / "fixtures" / "pmtui-review-1.json").read_text()), True
    for name, change in VALID.items():
        yield name, change(copy.deepcopy(DEMO)), True
    for name, change in BROKEN.items():
        yield name, change(copy.deepcopy(DEMO)), False
    yield "an array", [DEMO], False
    yield "a string", "review", False


CASES = list(_cases())


@pytest.mark.parametrize("name,doc,valid", CASES, ids=[c[0] for c in CASES])
def test_schema_and_import_give_the_same_verdict(cli, tmp_path, validator, name, doc, valid):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc, ensure_ascii=True))
    by_schema = validator.is_valid(doc)
    r = cli("import", str(path))
    by_import = r.code == 0
    assert by_schema == by_import == valid, f"{name}: schema {by_schema}, import {by_import} ({r.err.strip()})"
    if not valid:
        assert r.code == 2 and "Traceback" not in r.err


def test_a_whole_number_written_as_1_0_is_the_one_documented_difference(cli, tmp_path, validator):
    """JSON Schema counts 1.0 as an integer; import wants 1 (docs/review-format.md says so)."""
    doc = _set("impact.users_affected", 1.0)(copy.deepcopy(DEMO))
    (tmp_path / "d.json").write_text(json.dumps(doc))
    assert validator.is_valid(doc) and cli("import", str(tmp_path / "d.json")).code == 2
    assert "1.0" in (ROOT / "docs" / "review-format.md").read_text()


# What JSON Schema cannot express: the schema accepts these, import refuses them, and
# docs/review-format.md lists each one (the words quoted here are from that list).
IMPORT_ONLY = {
    "component end before start": (_all(_set("impact.components[0].start", "2026-03-10T11:00:00Z"),
                                        _set("impact.components[0].end", "2026-03-10T10:59:59Z")),
                                   "`end` before its `start`"),
    "same source and source_id twice": (_all(_set("timeline[0].source", "log:app.jsonl"),
                                             _set("timeline[0].source_id", "9f3a"),
                                             _set("timeline[1].source", "log:app.jsonl"),
                                             _set("timeline[1].source_id", "9f3a")),
                                        "(`source`, `source_id`) twice"),
    "became index past the end": (_set("notes[0].became", [{"kind": "factor", "index": 4}]),
                                  "past the end of its list"),
    "became event index past the end": (_set("notes[0].became", [{"kind": "event", "index": 10}]),
                                        "past the end of its list"),
    "meeting ended before it started": (_set("meeting", {
        "started": "2026-03-10T10:00:00Z", "ended": "2026-03-10T09:00:00Z",
        "stages": [{"stage": s, "timebox_minutes": 10} for s in ("opening", "context", "analysis", "followups")]}),
        "`meeting.ended` before `meeting.started`"),
}


@pytest.mark.parametrize("name", list(IMPORT_ONLY))
def test_rules_json_schema_cannot_express_are_import_only_and_listed(cli, tmp_path, validator, name):
    change, words = IMPORT_ONLY[name]
    doc = change(copy.deepcopy(DEMO))
    (tmp_path / "d.json").write_text(json.dumps(doc))
    r = cli("import", str(tmp_path / "d.json"))
    assert validator.is_valid(doc), name
    assert r.code == 2 and "Traceback" not in r.err, r.err
    listed = (ROOT / "docs" / "review-format.md").read_text().split("## JSON Schema", 1)[1].split("\n## ", 1)[0]
    assert words in listed


def test_the_edges_of_the_time_range_agree_with_import():
    """On the four days where the offset decides whether a time is in range, the schema's
    patterns and import's timestamp reading agree on every hour, at the minutes and offsets
    that sit on either side of the edge."""
    from pmtui.domain.document import parse_timestamp
    from pmtui.domain.jsonschema import schema

    timestamp = jsonschema.Draft202012Validator({"$defs": schema()["$defs"], "$ref": "#/$defs/timestamp"})

    def by_import(text):
        try:
            parse_timestamp(text)
        except ValueError:
            return False
        return True

    offsets = ["Z"] + [f"{sign}{h:02d}:{m:02d}" for sign in "+-" for h in range(24) for m in (0, 1, 59)]
    differ, accepted = [], 0
    for day in ("1000-01-01", "1000-01-02", "9999-12-30", "9999-12-31"):
        for hh in range(24):
            for mm in (0, 59):
                for off in offsets:
                    text = f"{day}T{hh:02d}:{mm:02d}:{'59.9' if mm else '00'}{off}"
                    verdict = by_import(text)
                    accepted += verdict
                    if timestamp.is_valid(text) != verdict:
                        differ.append(text)
    assert differ == []
    assert 0 < accepted < 4 * 24 * 2 * len(offsets)  # both verdicts occur on the edge days


def test_a_number_too_large_for_a_float_is_refused_by_both(cli, tmp_path, validator):
    """1e400 is read as infinity: the schema's maximum refuses it, as import does."""
    text = json.dumps(DEMO).replace('"slo_budget_spent_pct": 38.5', '"slo_budget_spent_pct": 1e400')
    assert "1e400" in text
    (tmp_path / "d.json").write_text(text)
    assert not validator.is_valid(json.loads(text))
    assert cli("import", str(tmp_path / "d.json")).code == 2


def test_pmtui_schema_prints_the_schema(cli):
    r = cli("schema", db=False)
    assert r.code == 0
    printed = json.loads(r.out)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["properties"]["format"]["enum"] == [FORMAT_1, FORMAT] and printed["additionalProperties"] is False
    assert printed["$id"] == "urn:pmtui:schema:pmtui-review-2"


def test_the_schema_file_in_docs_is_what_pmtui_schema_prints(cli):
    """docs/pmtui-review.schema.json is kept in step (zone names come from the tz database
    of the machine, so they are compared apart: the committed list is a subset of the known zones)."""
    from pmtui.domain.jsonschema import SCHEMA_FILE

    assert SCHEMA_FILE in (ROOT / "README.md").read_text()
    assert f"[`{SCHEMA_FILE}`]({SCHEMA_FILE})" in (ROOT / "docs" / "review-format.md").read_text()
    committed = json.loads((ROOT / "docs" / SCHEMA_FILE).read_text())
    printed = json.loads(cli("schema", db=False).out)
    zones_committed = set(committed["properties"]["timezone"].pop("enum"))
    zones_printed = set(printed["properties"]["timezone"].pop("enum"))
    assert committed == printed
    assert {"UTC", "Europe/Berlin", "America/New_York"} <= zones_committed
    assert len(zones_committed & zones_printed) > 0.95 * len(zones_committed)


def test_exported_documents_validate(cli, tmp_path, validator, example_bytes):
    (tmp_path / "r.json").write_bytes(example_bytes)
    cli("import", str(tmp_path / "r.json"))
    exported = json.loads(cli("export", "1").out)
    assert validator.is_valid(exported)
