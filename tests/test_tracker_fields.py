"""What pmtui read from the team's tracker (pmtui-review/2's ``action_items[].tracker_state``,
``tracker_label``, ``tracker_pulled``): through import and export, the store (both
databases), the JSON Schema and the config file's owner map."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from pmtui.domain.document import FORMAT, FORMAT_1, dumps, loads
from pmtui.domain.jsonschema import schema
from pmtui.errors import BadInput, FieldErrors


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def _doc(fmt: str = FORMAT, **item: object) -> dict:
    return {"format": fmt, "title": "Checkout latency after cache deploy",
            "action_items": [{"title": "Alert when checkout 5xx > 1% for 5 min",
                              "tracker": "https://github.com/acme/payments/issues/7", **item},
                             {"title": "Cache warm-up runbook"}]}


SEEN = {"tracker_state": "wont_do", "tracker_label": "closed (not planned)",
        "tracker_pulled": "2026-03-25T10:00:00+01:00"}


def test_tracker_fields_go_through_import_and_export_unchanged(store):
    doc = loads(json.dumps(_doc(**SEEN)))
    [(review_id, _)] = store.import_documents([doc])
    exported = store.export_document(review_id)
    assert dumps(exported) == dumps(doc)
    item = json.loads(dumps(exported))["action_items"][0]
    assert {k: item[k] for k in SEEN} == SEEN
    other = json.loads(dumps(exported))["action_items"][1]
    assert (other["tracker_state"], other["tracker_label"], other["tracker_pulled"]) == ("", "", None)
    again = store.export_document(store.import_documents([loads(dumps(exported))])[0][0])
    assert dumps(again) == dumps(exported)


def test_tracker_fields_are_pmtui_review_2_fields_and_checked():
    with pytest.raises(BadInput) as err:
        loads(json.dumps(_doc(FORMAT_1, tracker_state="done")))
    assert "action_items[0].tracker_state: unknown field in pmtui-review/1" in err.value.message
    with pytest.raises(BadInput) as err:
        loads(json.dumps(_doc(tracker_state="closed")))
    assert "action_items[0].tracker_state" in err.value.message
    validator = jsonschema.Draft202012Validator(schema())
    assert validator.is_valid(_doc(**SEEN))
    assert not validator.is_valid(_doc(tracker_state="closed"))
    assert not validator.is_valid(_doc(FORMAT_1, tracker_label="x"))


def test_the_store_checks_what_push_and_pull_write(store):
    [(review_id, _)] = store.import_documents([loads(json.dumps(_doc()))])
    item = store.list_items("action", review_id)[0]
    with pytest.raises(FieldErrors) as err:
        store.update_item("action", item["id"], expected_version=item["version"], tracker_state="closed")
    assert list(err.value.fields) == ["tracker_state"]
    store.update_item("action", item["id"], expected_version=item["version"], tracker_state="done",
                      tracker_label="Done", tracker_pulled="2026-03-25T09:00:00Z")
    got = store.export_document(review_id).action_items[0]
    assert (got.tracker_state, got.tracker_label, got.tracker_pulled.isoformat()) == \
        ("done", "Done", "2026-03-25T09:00:00+00:00")


def test_the_owner_map_and_tracker_in_the_config(tmp_path):
    from pmtui import config

    path = tmp_path / "config.toml"
    path.write_text('[tracker]\nto = "github:acme/payments"\nurl = 3\n\n'
                    '[owners."Payments team"]\ngithub = "payments-oncall"\njira = "5b10ac8d82e05b22cc7d4ef5"\n'
                    'trello = "x"\nlinear = 7\n')
    cfg = config.load(Path(path))
    assert cfg.tracker_to == "github:acme/payments" and cfg.tracker_url == ""
    assert cfg.owners == {"Payments team": {"github": "payments-oncall", "jira": "5b10ac8d82e05b22cc7d4ef5"}}
    problems = "\n".join(cfg.problems)
    assert "line 3: tracker.url must be a string; ignored" in problems
    assert "owners.Payments team.trello is not a tracker pmtui pushes to" in problems
    assert "owners.Payments team.linear must be the account's name" in problems
