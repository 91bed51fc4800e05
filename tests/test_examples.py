"""The example review and the public postmortems in examples/ round-trip byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmtui.document import dumps, loads

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.json"))


def test_there_are_several_real_postmortems():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_public_postmortem_round_trips(store, path):
    raw = json.loads(path.read_text())
    first = dumps(store.export_document(store.import_documents([loads(path.read_bytes(), path.name)])[0][0]))
    second = dumps(store.export_document(store.import_documents([loads(first)])[0][0]))
    assert first == second
    out = json.loads(first)
    for key, value in raw.items():  # every value written is kept (defaults are added)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            assert [{k: item[k] for k in v} for item, v in zip(out[key], value)] == value, key
        elif isinstance(value, dict):
            assert {k: out[key][k] for k in value} == value, key
        else:
            assert out[key] == value, key


def test_demo_review_round_trips(store, example_bytes, example_raw):
    first = dumps(store.export_document(store.import_documents([loads(example_bytes)])[0][0]))
    assert dumps(loads(first)) == first
    assert json.loads(first)["impact"] == example_raw["impact"]
