"""An action item's effort (pmtui-review/2's ``action_items[].effort``): a rough size of
the work, kept through import and export, the store, the JSON Schema, the report and
``pmtui actions`` (the field added by following ARCHITECTURE.md's "Add a field")."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest

from pmtui.domain.document import FORMAT, FORMAT_1, SHORT_TEXT_MAX, dumps, loads
from pmtui.domain.jsonschema import schema
from pmtui.errors import BadInput, FieldErrors
from pmtui.export.report import render


def _doc(fmt: str = FORMAT, **item: object) -> dict:
    return {"format": fmt, "title": "Checkout latency after cache deploy",
            "action_items": [{"title": "Alert when checkout 5xx > 1% for 5 min", **item},
                             {"title": "Cache warm-up runbook"}]}


def test_effort_goes_through_import_and_export_unchanged(store):
    doc = loads(json.dumps(_doc(effort="2 days")))
    assert [a.effort for a in doc.action_items] == ["2 days", ""]  # absent: the default
    [(review_id, _)] = store.import_documents([doc])
    exported = store.export_document(review_id)
    assert dumps(exported) == dumps(doc)
    assert json.loads(dumps(exported))["action_items"][0]["effort"] == "2 days"
    again = store.export_document(store.import_documents([loads(dumps(exported))])[0][0])
    assert dumps(again) == dumps(exported)  # byte-identical round trip


def test_effort_is_a_pmtui_review_2_field():
    with pytest.raises(BadInput) as err:
        loads(json.dumps(_doc(FORMAT_1, effort="2 days")))
    assert "action_items[0].effort: unknown field in pmtui-review/1 (added in pmtui-review/2" in err.value.message
    validator = jsonschema.Draft202012Validator(schema())
    assert validator.is_valid(_doc(effort="S"))  # the schema says what import says
    assert not validator.is_valid(_doc(FORMAT_1, effort="S"))
    assert not validator.is_valid(_doc(effort="x" * (SHORT_TEXT_MAX + 1)))
    with pytest.raises(BadInput) as err:
        loads(json.dumps(_doc(effort="x" * (SHORT_TEXT_MAX + 1))))
    assert "action_items[0].effort: must be at most 1000 characters" in err.value.message


def test_the_store_keeps_an_effort_and_checks_it(store):
    [(review_id, _)] = store.import_documents([loads(json.dumps(_doc()))])
    item_id = store.add_item("action", review_id, title="Rehearse the failover", effort="M")
    [row] = [r for r in store.list_items("action", review_id) if r["id"] == item_id]
    assert row["effort"] == "M"
    store.update_item("action", item_id, expected_version=store.row("action", item_id)["version"], effort="half a day")
    assert store.export_document(review_id).action_items[-1].effort == "half a day"
    with pytest.raises(FieldErrors) as err:
        store.update_item("action", item_id, expected_version=store.row("action", item_id)["version"],
                          effort="x" * (SHORT_TEXT_MAX + 1))
    assert list(err.value.fields) == ["effort"]
    assert store.export_document(review_id).action_items[-1].effort == "half a day"  # nothing written


def test_the_report_shows_an_effort_under_its_item():
    with_effort = render(loads(json.dumps(_doc(effort="2 days"))))
    assert "**1\\. Alert when checkout 5xx &gt; 1&#37; for 5 min**\n\n- **Effort:** 2 days" in with_effort
    without = render(loads(json.dumps(_doc())))
    assert "Effort" not in without and "**1\\." not in without  # as before: nothing under an item without one


def test_pmtui_actions_csv_and_json_carry_the_effort(store, cli):
    store.import_documents([loads(json.dumps(_doc(effort="2 days")))])
    r = cli("actions", "--format", "csv")
    assert r.code == 0
    rows = {row["Summary"]: row for row in csv.DictReader(io.StringIO(r.out))}
    first = rows["Alert when checkout 5xx > 1% for 5 min"]["Description"]
    assert first.startswith("Effort: 2 days\n\nFrom the postmortem review")
    assert "Effort" not in rows["Cache warm-up runbook"]["Description"]  # empty: left out
    items = {i["title"]: i for i in json.loads(cli("actions", "--format", "json").out)}
    assert items["Alert when checkout 5xx > 1% for 5 min"]["effort"] == "2 days"
    assert items["Cache warm-up runbook"]["effort"] == ""
