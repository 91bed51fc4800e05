"""The example review and the public postmortems in examples/ round-trip byte for byte;
a pmtui-review/1 file still imports, as the same review in pmtui-review/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmtui.domain.document import dumps, loads

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.json"))
V1 = Path(__file__).resolve().parent / "fixtures" / "pmtui-review-1.json"  # examples/gitlab-database-2017.json in /1


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
        assert kept(value, out[key]), key


def kept(written, out) -> bool:
    """``out`` holds every value ``written`` holds (objects may have gained defaults)."""
    if isinstance(written, dict):
        return isinstance(out, dict) and all(k in out and kept(v, out[k]) for k, v in written.items())
    if isinstance(written, list):
        return isinstance(out, list) and len(out) == len(written) and all(map(kept, written, out))
    return written == out


def test_demo_review_round_trips(store, example_bytes, example_raw):
    first = dumps(store.export_document(store.import_documents([loads(example_bytes)])[0][0]))
    assert dumps(loads(first)) == first
    impact = json.loads(first)["impact"]
    assert all((c.pop("start"), c.pop("end")) == (None, None) for c in impact["components"])  # /2 defaults
    assert impact == example_raw["impact"]


def test_a_version_1_file_imports_unchanged_and_exports_as_version_2(store):
    """The same review written in /1 and in /2 (only its format line differs) gives the same export."""
    v1 = V1.read_bytes()
    assert json.loads(v1)["format"] == "pmtui-review/1"
    v2 = (Path(__file__).resolve().parent.parent / "examples" / "gitlab-database-2017.json").read_bytes()
    assert v1.replace(b'"pmtui-review/1"', b'"pmtui-review/2"') == v2
    from_v1 = dumps(store.export_document(store.import_documents([loads(v1, V1.name)])[0][0]))
    from_v2 = dumps(store.export_document(store.import_documents([loads(v2)])[0][0]))
    assert from_v1 == from_v2 and json.loads(from_v1)["format"] == "pmtui-review/2"
    out = json.loads(from_v1)
    assert out["started"] is None
    assert {(e["source_id"], e["original"], e["confirmed"]) for e in out["timeline"]} == {("", "", False)}
