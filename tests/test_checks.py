"""The readiness check, as a function and as `pmtui check`."""

from __future__ import annotations

import json

import pytest

from conftest import write
from pmtui.domain.checks import check
from pmtui.domain.document import FORMAT, loads


def complete(example_raw: dict) -> dict:
    """The example review with its one open question answered and its timeline confirmed
    by the room: ready to publish."""
    raw = json.loads(json.dumps(example_raw))
    raw["notes"] = [n for n in raw["notes"] if n["kind"] != "question"]
    for e in raw["timeline"]:
        e["confirmed"] = True
    return raw


def test_a_complete_blameless_review_is_ready(example_raw):
    assert check(loads(json.dumps(complete(example_raw)))) == []


def test_each_kind_of_finding(example_raw):
    raw = complete(example_raw)
    raw["summary"] = ""
    raw["impact"]["description"] = ""
    for e in raw["timeline"]:
        if "mitigated" in e.get("marks", []):
            e["marks"] = []
    # detected before impact_start
    raw["timeline"][1]["marks"], raw["timeline"][2]["marks"] = ["detected"], ["impact_start"]
    raw["factors"] = [{"text": "Cache limits are not validated", "category": "technical"}]
    raw["action_items"][1]["owner"] = ""
    raw["action_items"][2]["due"] = None
    raw["action_items"][4]["status_note"] = ""
    raw["notes"].append({"at": "2026-03-12T14:40:00+01:00", "kind": "question", "text": "Who reviews config changes?"})
    raw["timeline"][4]["text"] = "The on-call engineer should have checked the cache first"
    raw["links"] = []
    found = check(loads(json.dumps(raw)))
    lines = [f.line() for f in found]
    kinds = {f.kind for f in found}
    assert kinds == {"missing", "order", "factors", "action", "question", "language", "evidence"}
    assert "summary: the summary is empty. Write what happened in a few sentences (Overview)." in lines
    assert any(f.place == "impact.description" for f in found)
    assert any("no event is marked “mitigated”" in line for line in lines)
    assert any(f.kind == "order" and "“detected” (10:42) comes before “impact starts” (10:51)" in f.problem for f in found)
    assert any("every contributing factor is technical" in line for line in lines)
    assert any(f.place == "action_items[1].owner" and "has no owner" in f.problem for f in found)
    assert any(f.place == "action_items[2].due" for f in found)
    assert any(f.place == "action_items[4].status_note" and "without a reason" in f.problem for f in found)
    assert any(f.kind == "question" and "Who reviews config changes?" in f.where for f in found)
    [lang] = [f for f in found if f.kind == "language"]
    assert lang.place == "timeline[4].text" and "“should have”" in lang.problem and lang.fix.startswith("Reframe: ")
    assert any(f.place == "links" for f in found)


def test_empty_review_lists_the_basics():
    found = check(loads(json.dumps({"format": FORMAT, "title": "Queue backlog"})))
    places = [f.place for f in found]
    assert places[:3] == ["summary", "impact.description", "timeline"]
    assert "factors" in places and "participants" in places


def test_cli_check_exit_codes_and_formats(cli, tmp_path, example_raw):
    ready = write(tmp_path, "ready.json", json.dumps(complete(example_raw)))
    cli("import", str(ready))
    r = cli("check", "1")
    assert r.code == 0 and r.out.strip() == "Ready to publish: every item of the readiness checklist is met."
    raw = complete(example_raw)
    raw["title"] = "Not yet"
    raw["action_items"][0]["owner"] = ""
    raw["summary"] = "Obviously a human error."
    cli("import", str(write(tmp_path, "notyet.json", json.dumps(raw))))
    r = cli("check", "2")
    assert r.code == 1
    assert "- action item 1 “Validate cache memory limits against an…”: has no owner." in r.out
    assert "“human error” names a person as the cause" in r.out and "“Obviously”" in r.out
    assert r.out.strip().endswith("3 things to look at before publishing.")
    data = json.loads(cli("check", "2", "--format", "json").out)
    assert data["ready"] is False and {f["place"] for f in data["findings"]} >= {"action_items[0].owner", "summary"}
    r = cli("check", "nope")
    assert r.code == 2 and "no review with id or slug 'nope'" in r.err


def test_unconfirmed_events_and_an_event_far_from_the_rest_are_findings(example_raw):
    raw = complete(example_raw)
    raw["timeline"][2]["confirmed"] = False
    raw["timeline"].append({"at": "2026-03-12T09:00:00+01:00", "text": "Cache settings reviewed", "confirmed": True})
    findings = check(loads(json.dumps(raw)))
    kinds = {f.kind: f for f in findings}
    assert set(kinds) == {"unconfirmed", "far"}
    assert "1 of 11 events are not confirmed" in kinds["unconfirmed"].problem
    assert "waive" in kinds["unconfirmed"].fix
    assert kinds["far"].place == "timeline[10].at" and "2026-03-12 09:00" in kinds["far"].where


def test_blame_in_the_report_text_and_in_a_verbatim_note_are_told_apart(example_raw):
    raw = complete(example_raw)
    raw["summary"] = "The on-call engineer should have checked the cache."
    raw["notes"].append({"at": "2026-03-12T14:20:00+01:00", "text": "Honestly it was human error", "kind": "note"})
    findings = [f for f in check(loads(json.dumps(raw))) if f.kind in ("language", "verbatim")]
    summary = [f for f in findings if f.place == "summary"]
    note = [f for f in findings if f.place.startswith("notes[")]
    assert summary and all(f.kind == "language" and f.fix.startswith("Reframe") for f in summary)
    assert note and all(f.kind == "verbatim" and "verbatim" in f.where and "quoted as said" in f.fix for f in note)


def test_imported_evidence_counts_as_evidence(example_raw):
    """A review whose timeline holds imported evidence (a status page, a pager's
    incidents) is not told "no evidence is linked"; one with neither links nor
    imported events still is."""
    raw = json.loads(json.dumps(example_raw))
    raw["links"] = []
    for e in raw["timeline"]:
        e.pop("source_id", None)
    assert any(f.place == "links" for f in check(loads(json.dumps(raw))))
    raw["timeline"].append({"at": "2026-03-10T10:45:00+01:00", "text": "Incident opened on the status page",
                            "kind": "communication", "source": "statuspage:githubstatus", "source_id": "inc-1"})
    assert not any(f.place == "links" for f in check(loads(json.dumps(raw))))


# ------------------------------------------------ the blame scan reads what the fields say
# Text fields that are no one's account of what happened, so the blame scan leaves them
# alone. Every other text field of the document must say REVIEW_WORDS or QUOTED_WORDS
# on its declaration (pmtui/domain/document.py): then the scan reads it without an edit.
NOT_SCANNED = {
    "ReviewDoc.format": "the format's name", "ReviewDoc.severity": "the team's label",
    "ReviewDoc.incident_ref": "an id or URL", "ReviewDoc.timezone": "a zone name", "ReviewDoc.authors": "names",
    "ReviewDoc.tags": "labels", "ReviewDoc.related": "slugs of other reviews",
    "Participant.name": "a name", "Participant.role": "a role", "Link.title": "a link's title", "Link.url": "a URL",
    "Event.source": "where it was found", "Event.source_id": "the source's id",
    "Event.original": "the source's own text, as written (evidence, not the review's words)",
    "Component.name": "a component's name", "Impact.data_loss": "what data was lost",
    "ActionItem.owner": "who owns it", "ActionItem.tracker": "an id or URL", "ActionItem.effort": "a size",
    "ActionItem.tracker_label": "the tracker's words for a state", "Note.author": "who captured it",
}


def test_every_text_field_is_read_for_blame_or_named_as_not_people_s_words():
    from document_fields import name, text_fields
    from pmtui.domain.document import words_of

    unmarked = {name(m, f) for m, f, _ in text_fields() if words_of(m, f) is None}
    assert not unmarked - set(NOT_SCANNED), (
        f"{sorted(unmarked - set(NOT_SCANNED))}: a text field the blame scan does not read. Say on its declaration "
        "(pmtui/domain/document.py) json_schema_extra=REVIEW_WORDS (or QUOTED_WORDS for words kept verbatim), "
        "or name it in tests/test_checks.py NOT_SCANNED with why it is no one's account")
    assert not set(NOT_SCANNED) - unmarked, f"{sorted(set(NOT_SCANNED) - unmarked)}: no such unmarked field"


def _marked():
    from document_fields import text_fields
    from pmtui.domain.document import words_of

    return [(path, words_of(m, f)) for m, f, path in text_fields() if words_of(m, f) is not None]


@pytest.mark.parametrize("path,words", _marked(), ids=[p for p, _ in _marked()])
def test_blame_in_any_field_of_people_s_words_is_found_at_its_place(example_raw, path, words):
    from document_fields import set_path, stale_generated

    raw = complete(example_raw)
    set_path(raw, path, "The on-call engineer should have checked the cache")
    found = [f for f in check(loads(json.dumps(raw))) if f.place == path]
    assert found, f"{path}: blame in it is not found{stale_generated()}"
    assert all(f.kind == ("verbatim" if words == "quoted" else "language") and "“should have”" in f.problem
               for f in found)
    assert all(f.where and not f.where.endswith(" ") for f in found)


def test_the_fields_read_for_blame_are_those_read_before():
    """The scan reads at least the fields it read when they were listed by hand."""
    assert {p for p, _ in _marked()} >= {
        "title", "summary", "trigger", "detection", "resolution", "impact.description",
        "impact.customer_communication", "timeline[0].text", "factors[0].text", "observations[0].text",
        "learnings[0]", "action_items[0].title", "action_items[0].description", "action_items[0].status_note",
        "notes[0].text"}
