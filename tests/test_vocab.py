"""One vocabulary (pmtui.domain.vocab): a value added to an enum has its words everywhere
they are shown, and the document format, the store and the command line agree."""

from __future__ import annotations

from pmtui.domain import document, vocab
from pmtui.domain.jsonschema import schema


def test_every_value_has_its_words():
    assert set(vocab.MARK_WORDS) == set(vocab.Mark) and set(vocab.MARK_KEYS) == set(vocab.Mark)
    assert set(vocab.ACTION_STATUS_WORDS) == set(vocab.ActionStatus)
    assert set(vocab.REVIEW_STATUS_WORDS) == set(vocab.Status)
    assert set(vocab.COMPONENT_STATUS_WORDS) == set(vocab.ComponentStatus) == set(vocab.COMPONENT_STATUS_RANK)
    assert set(vocab.OBSERVATION_HEADINGS) == set(vocab.OBSERVATION_WORDS) == set(vocab.ObservationKind)
    assert set(vocab.NOTE_KIND_WORDS) == set(vocab.NOTE_KIND_MARKS) == set(vocab.NoteKind)
    assert set(vocab.STAGE_NAMES) == set(vocab.STAGE_SHORT_NAMES) == set(vocab.MeetingStage)
    assert set(vocab.SECTION_STAGE) == set(vocab.Section)
    assert set(vocab.BECAME_LISTS) == set(vocab.NOTE_LINK_KINDS) == set(vocab.BecameKind)
    assert set(vocab.PRIORITY_ORDER) == set(vocab.Priority)


def test_note_stages_are_the_meeting_stages_after_the_opening():
    assert [s.value for s in vocab.MeetingStage] == ["opening", *(s.value for s in vocab.Stage)]


def test_the_document_and_its_schema_use_the_vocabulary():
    assert document.Mark is vocab.Mark and document.ActionStatus is vocab.ActionStatus
    defs = schema()["$defs"]
    assert defs["actionItem"]["properties"]["status"]["enum"] == [s.value for s in vocab.ActionStatus]
    assert defs["event"]["properties"]["marks"]["items"]["enum"] == [m.value for m in vocab.Mark]


def test_store_lists_are_the_item_kinds():
    from pmtui.store.fields import LIST_KINDS

    assert set(LIST_KINDS) == set(vocab.ItemKind)


def test_mark_list_reads_as_a_sentence():
    assert vocab.mark_list() == "impact starts, detected, mitigated, impact ends"
    assert vocab.mark_list(last=" and ") == "impact starts, detected, mitigated and impact ends"
