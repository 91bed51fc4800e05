"""docs/review-format.md is the contract: every field of the document's models is in it,
in its model's section; every field pmtui-review/2 added is in "What changed from
pmtui-review/1"; every short text and URL field is in "Limits". The fields are read from
the models (pmtui.domain.document), so a field added there without its words in the
contract fails here, naming the place to write."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from document_fields import fields
from pmtui.domain import document as d
from pmtui.domain.jsonschema import document_models

DOC = (Path(__file__).resolve().parent.parent / "docs" / "review-format.md").read_text()

# a model -> the heading of its section in the contract
HEADINGS = {"ReviewDoc": "## Top level", "Event": "## Event (timeline)", "Note": "## Note (live capture)",
            "Component": "### Component", "Became": "## Note (live capture)", "MeetingTimes": "## Meeting (*/2*)",
            "StageTime": "## Meeting (*/2*)"}


def section(heading: str) -> str:
    level = heading.split(" ")[0]
    start = DOC.index(f"\n{heading}\n")
    end = re.search(rf"\n#{{1,{len(level)}}} ", DOC[start + 1:])
    return DOC[start: start + 1 + end.start()] if end else DOC[start:]


def _model_fields():
    return [(m, n) for m in document_models() if m is not d.TextItem for n in m.model_fields]


@pytest.mark.parametrize("model,name", _model_fields(), ids=[f"{m.__name__}.{n}" for m, n in _model_fields()])
def test_every_field_is_in_its_model_s_section_of_the_contract(model, name):
    heading = HEADINGS.get(model.__name__, f"## {model.__name__}")
    assert f"\n{heading}\n" in DOC, f"docs/review-format.md has no section {heading!r} for {model.__name__}"
    text = section(heading)
    assert f"`{name}`" in text or f'"{name}"' in text, (
        f"{model.__name__}.{name} is not in docs/review-format.md, section {heading!r}: add its row "
        "(type, default, meaning): the format is a public contract")


def test_every_field_v2_added_is_in_what_changed():
    changed = section("## What changed from `pmtui-review/1`")
    rows = {}
    for line in changed.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 2:
            rows[cells[0]] = rows.get(cells[0], "") + " " + cells[1]  # a place may have several rows
    for model, name, path in fields():
        if not d.added_in_2(model, name):
            continue
        where = re.sub(r"\[0\]", "[]", path.rsplit(".", 1)[0]) if "." in path else "top level"
        key = "top level" if where == "top level" else f"`{where}`"
        assert key in rows and f"`{name}`" in rows[key], (
            f"{path.replace('[0]', '[]')} (pmtui-review/2) is not in docs/review-format.md, \"What changed from "
            f"pmtui-review/1\": add `{name}` to the row of {key}")


def test_every_short_text_and_url_is_in_the_limits():
    limits = section("## Limits")
    rows = {line.split("|")[1].strip(): line for line in limits.splitlines() if line.startswith("| ")}
    short = next(line for key, line in rows.items() if key.startswith("short text"))
    urls = next(line for key, line in rows.items() if "`links[].url`" in key)
    for model, name, path in fields():
        kind = d.text_type(model, name)
        annotation = model.model_fields[name].annotation
        if kind is None and d.text_kind(annotation) is None:
            from typing import get_args

            kinds = [d.text_kind(a) for a in get_args(annotation)]
            kind = next((k for k in kinds if k), None)
        where = f"`{path.replace('[0]', '[]')}`"
        if kind in ("Short", "NonEmptyShort") and name not in ("severity", "timezone"):  # rows of their own
            assert where in short, f"{where} is a short text: name it in docs/review-format.md, \"Limits\", short text"
        elif kind == "Url":
            assert where in urls, f"{where} is a URL: name it in docs/review-format.md, \"Limits\", with the URLs"


# The fields of pmtui-review/1, as it was published (frozen: /1 never changes). Every other
# field of the document was added by /2 or later and must say so on its declaration (SINCE_2),
# or a /1 file holding it would be read as if /1 had it. (Became: the items of a /2 list.)
V1 = {
    "ReviewDoc": "format title status severity incident_ref timezone review_date summary trigger detection resolution "
                 "authors participants tags links timeline impact factors observations learnings action_items notes "
                 "related",
    "Participant": "name role attended", "Link": "title url",
    "Event": "at text kind marks source approximate highlight", "Component": "name status",
    "Impact": "description users_affected components data_loss support_tickets slo_budget_spent_pct "
              "customer_communication",
    "Factor": "text category", "Observation": "kind text",
    "ActionItem": "title description type owner priority due status status_note tracker",
    "Note": "at stage kind text author",
}
INSIDE_A_2_FIELD = {"Became", "MeetingTimes", "StageTime"}  # the items or object of a field /2 added


def test_a_field_pmtui_review_1_did_not_have_says_it_was_added_by_2():
    for model in document_models():
        if model is d.TextItem or model.__name__ in INSIDE_A_2_FIELD:
            continue
        v1 = set(V1[model.__name__].split())
        for name in model.model_fields:
            if model.__name__ in INSIDE_A_2_FIELD:
                continue
            assert (name in v1) != d.added_in_2(model, name), (
                f"{model.__name__}.{name}: not a field of pmtui-review/1, so it must say json_schema_extra=SINCE_2 on "
                "its declaration (pmtui/domain/document.py)" if name not in v1 else
                f"{model.__name__}.{name} is a pmtui-review/1 field but says SINCE_2")
