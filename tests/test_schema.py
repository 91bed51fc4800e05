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

from pmtui.document import FORMAT

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


BROKEN = {
    "title missing": _set("title", ...),
    "title empty": _set("title", ""),
    "title blank": _set("title", "  \t "),
    "title too long": _set("title", "x" * 201),
    "title a number": _set("title", 5),
    "title a lone surrogate": _set("title", "a\ud800b"),
    "format other": _set("format", "pmtui-review/2"),
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
}
VALID = {
    "with $schema": _set("$schema", "./pmtui-review-1.schema.json"),
    "leap day 2024": _set("review_date", "2024-02-29"),
    "leap day 2000": _set("review_date", "2000-02-29"),
    "offset +05:45 and micro seconds": _set("timeline[0].at", "2026-03-10T10:40:00.123456+05:45"),
    "lower-case t and z": _set("timeline[0].at", "2026-03-10t10:40:00z"),
    "no impact figures": _set("impact.users_affected", None),
    "budget a whole number": _set("impact.slo_budget_spent_pct", 5),
    "title 200 characters": _set("title", "é" * 200),
    "zone with a folder": _set("timezone", "America/Argentina/Buenos_Aires"),
}


@pytest.fixture(scope="module")
def validator():
    from pmtui.schema import schema

    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    return jsonschema.Draft202012Validator(s)


def _cases():
    for p in EXAMPLES:
        yield p.stem, json.loads(p.read_text()), True
    yield "demo", DEMO, True
    yield "minimal", {"format": FORMAT, "title": "x"}, True
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


def test_pmtui_schema_prints_the_schema(cli):
    r = cli("schema", db=False)
    assert r.code == 0
    printed = json.loads(r.out)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["properties"]["format"] == {"const": FORMAT} and printed["additionalProperties"] is False


def test_the_schema_file_in_docs_is_what_pmtui_schema_prints(cli):
    """docs/pmtui-review-1.schema.json is kept in step (zone names come from the tz database
    of the machine, so they are compared apart: the committed list is a subset of the known zones)."""
    committed = json.loads((ROOT / "docs" / "pmtui-review-1.schema.json").read_text())
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
