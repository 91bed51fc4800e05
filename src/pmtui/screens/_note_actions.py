"""What a section screen does when the notes panel (:class:`NotesPanel`) asks for a change to
a note: mark a question answered, delete, edit, or turn it into an event, a contributing
factor, an observation or an action item that keeps a link back to the note; each with its
undo. Writes go through :meth:`PostmortemApp.write` or the form (which keeps the typed text
and explains a refusal), with the version the panel showed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from pmtui.domain.entry import format_when, parse_when
from pmtui.domain.vocab import (
    NOTE_KIND_WORDS,
    OBSERVATION_WORDS,
    EventKind,
    FactorCategory,
    ItemKind,
    NoteKind,
    ObservationKind,
)
from pmtui.errors import BadInput, Conflict, FieldErrors
from pmtui.ui_types import FormField, FormRequested, KnowsIncidentDay, NotSaved
from pmtui.widgets.notes_panel import TARGET_WORDS, NotesPanel, NoteTarget

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.screens.base import SectionScreen

OBSERVATIONS = [(words, k.value) for k, words in OBSERVATION_WORDS.items()]


def answered(screen: SectionScreen, note: dict[str, Any]) -> None:
    """An open question was answered in the room: it stays as a note."""
    app = screen.app
    before = dict(note)
    try:
        if isinstance(app.write(lambda: app.store.update_item(ItemKind.note, note["id"], expected_version=note["version"],
                                                              kind=NoteKind.note.value)), NotSaved):
            return
    except Conflict as c:  # another seat changed or deleted the note since this seat saw it
        app.notify(f"Not changed: {c.message}", severity="warning", timeout=5)
        app.refresh_screen()
        return
    app.push_item_edit(f"marked “{note['text'][:40]}” answered", ItemKind.note, note["review_id"], note["id"], before)
    app.refresh_screen()


def delete(screen: SectionScreen, panel: NotesPanel, note: dict[str, Any]) -> None:
    app = screen.app
    # a note another seat changed since this panel showed it is not deleted unseen
    snapshot = app.delete_seen(lambda: app.store.delete_item(ItemKind.note, note["id"], expected_version=note["version"]),
                               "the note", panel.reload)
    if snapshot is None:
        return
    app.push_deleted(f"deleted note “{note['text'][:40]}”", ItemKind.note, note["review_id"], snapshot)
    app.refresh_screen()


def edit(screen: SectionScreen, panel: NotesPanel, note: dict[str, Any]) -> None:
    """The note's form: its words and its kind, saved with the version the panel showed."""
    app = screen.app
    store = app.store
    fields = [FormField("text", "What was said", note["text"], hint="Kept as said; the report quotes notes verbatim"),
              FormField("kind", "Kind", note["kind"], kind="select",
                        options=[(words, k.value) for k, words in NOTE_KIND_WORDS.items()])]

    def save(v: dict[str, Any], version: int | None = None) -> int:
        if not v["text"].strip():
            raise FieldErrors({"text": "a note needs words; to remove it, close this and press d"})
        assert version is not None  # every note has a version
        store.update_item(ItemKind.note, note["id"], expected_version=version, text=v["text"], kind=v["kind"])
        app.push_item_edit("edited a note", ItemKind.note, note["review_id"], note["id"], note)
        return int(note["id"])

    def readd(v: dict[str, Any]) -> int:  # "add mine back": another seat deleted it meanwhile
        # the note as it was said (when, in which stage, by whom) with this seat's words
        return store.add_item(ItemKind.note, note["review_id"], at=note["at"], stage=note["stage"],
                              text=v["text"], kind=v["kind"], author=note.get("author") or app.author)

    def done(result: Any) -> None:
        if result is not None:
            app.refresh_screen()
        panel.focus_notes()

    screen.open_form(FormRequested("Edit note", fields, save, done, version=note.get("version"), readd=readd))


def incident_day(screen: SectionScreen, panel: NotesPanel) -> date | None:
    """The day a bare time means in the note → event form: the incident's."""
    if isinstance(screen, KnowsIncidentDay):
        return screen.incident_day()
    from pmtui.domain.anchor import review_incident_day

    return review_incident_day(screen.app.store, panel.review_id, panel.zone)


def convert(screen: SectionScreen, panel: NotesPanel, note: dict[str, Any], target: NoteTarget) -> None:
    """The note becomes ``target`` through its form; the new item is linked to the note (an
    open question turned into an action item is answered). One undo takes back all of it."""
    app = screen.app
    store = app.store
    rid = panel.review_id
    zone = panel.zone
    text = note["text"]

    if target == "event":
        # the time is left empty: the note's own time is when it was said, not when it happened
        said = format_when(note["at"], zone)
        day = incident_day(screen, panel)
        example = f"{day.isoformat()} 14:03" if day is not None else "14:03"
        fields = [
            FormField("when", f"Time ({zone.key})", "", placeholder=f"when it happened, e.g. {example}",
                      hint=f"When it happened in the incident. The note was said at {said}; "
                           f"a bare 14:03 is on the day of the incident."),
            FormField("text", "What happened (in neutral words)", text),
            FormField("kind", "Kind", EventKind.event.value, kind="select",
                      options=[(k.value, k.value) for k in EventKind]),
            FormField("source", "Source", "review meeting"),
        ]

        def save(v: dict[str, Any]) -> int:
            try:
                at, approx = parse_when(v["when"], zone, anchor_day=incident_day(screen, panel))
            except BadInput as exc:
                raise FieldErrors({"when": exc.message}) from None
            return store.add_event(rid, at=at, text=v["text"], kind=v["kind"], source=v["source"], approximate=approx)
    elif target == "factor":
        fields = [FormField("text", "Contributing factor", text,
                            hint="A condition in the system or organisation, not a person's fault."),
                  FormField("category", "Category", FactorCategory.process.value, kind="select",
                            options=[(c.value, c.value) for c in FactorCategory])]

        def save(v: dict[str, Any]) -> int:
            return store.add_item(ItemKind.factor, rid, text=v["text"], category=v["category"])
    elif target == "observation":
        fields = [FormField("kind", "Observation", ObservationKind.went_wrong.value, kind="select",
                            options=OBSERVATIONS),
                  FormField("text", "Text", text)]

        def save(v: dict[str, Any]) -> int:
            return store.add_item(ItemKind.observation, rid, kind=v["kind"], text=v["text"])
    else:  # the Actions section's own form
        from pmtui.screens.actions import action_fields, action_values

        fields = action_fields({"title": text, "description": f"From a note: {text}"})

        def save(v: dict[str, Any]) -> int:
            return store.add_item(ItemKind.action, rid, **action_values(v))

    def save_and_link(values: dict[str, Any]) -> int:
        from pmtui.store.rows import contents

        new_id = save(values)
        store.link_note(note["id"], target, new_id)
        answered = target == "action" and note["kind"] == NoteKind.question
        question, plain = {"kind": NoteKind.question.value}, {"kind": NoteKind.note.value}
        if answered:  # carried over on purpose: no longer open (unless another seat changed its kind since)
            try:
                store.update_if_unchanged(ItemKind.note, note["id"], question, **plain)
            except Conflict:
                answered = False  # the note stays as that seat left it; the new item is saved and linked
        kind = "event" if target == "event" else ItemKind(target)
        # each step writes only while what it takes back is as this seat left it (compare-and-set)
        held: dict[str, Any] = {"id": new_id, "snapshot": None, "expect": contents(store.row(kind, new_id))}

        def undo() -> None:
            held["snapshot"] = store.delete_if_unchanged(kind, held["id"], held["expect"])
            store.unlink_note(note["id"], target, held["id"])
            if answered:
                store.update_if_unchanged(ItemKind.note, note["id"], plain, **question)

        def redo() -> None:
            snap = held["snapshot"]
            held["id"] = store.restore_event(snap) if kind == "event" else store.restore_item(snap)
            held["expect"] = contents(store.row(kind, held["id"]))
            store.link_note(note["id"], target, held["id"])
            if answered:
                store.update_if_unchanged(ItemKind.note, note["id"], question, **plain)

        app.push_undo(f"note turned into {'an' if target in ('event', 'observation', 'action') else 'a'} "
                      f"{'event' if target == 'event' else target}", undo, redo, quiet=True)
        return new_id

    def done(result: Any) -> None:
        if result is not None:
            became = {"event": "an event on the timeline", "factor": "a contributing factor",
                      "observation": "an observation", "action": "an action item"}.get(target, target)
            app.notify(f"The note is now {became} (the note stays). ctrl+z undoes it.", timeout=3)
            app.refresh_screen()
        panel.focus_notes()

    screen.open_form(FormRequested(f"Note → {TARGET_WORDS[target]}", fields, save_and_link, done))
