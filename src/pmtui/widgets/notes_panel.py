"""The meeting panel beside every section: the facilitator's prompt card for the
current stage, and the notes captured in the meeting, newest first. A focused note
turns into a timeline event (t), a contributing factor (f), an observation (o) or an
action item (a) with one key; the new item keeps a link back to the note."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from pmtui.document import EventKind, FactorCategory
from pmtui.entry import format_when, parse_when
from pmtui.errors import BadInput, FieldErrors
from pmtui.safetext import literal, visible
from pmtui.ui_types import FormField, FormRequested, HasPromptContext, KnowsIncidentDay, NotSaved, TypedApp
from pmtui.vocab import (
    NOTE_KIND_MARKS,
    NOTE_KIND_WORDS,
    OBSERVATION_WORDS,
    ItemKind,
    MeetingStage,
    NoteKind,
    ObservationKind,
)

KIND_MARK: dict[str, str] = {k.value: f"{mark} " if mark else "" for k, mark in NOTE_KIND_MARKS.items()}
TARGET_WORDS = {"event": "timeline", "factor": "factor", "observation": "observation", "action": "action"}
OBSERVATIONS = [(words, k.value) for k, words in OBSERVATION_WORDS.items()]


class NotesPanel(TypedApp, Vertical):
    DEFAULT_CSS = """
    NotesPanel {
        width: 44;
        height: 1fr;
        border-left: vkey $primary 50%;
        padding: 0 0 0 1;
    }
    NotesPanel > #prompt-card {
        height: auto;
        border: round $secondary;
        padding: 0 1;
        margin-bottom: 1;
    }
    NotesPanel > #notes-title {
        text-style: bold;
    }
    NotesPanel > DataTable {
        height: 1fr;
    }
    NotesPanel > #notes-hint {
        color: $text-muted;
        height: auto;
    }
    """
    BINDINGS = [
        Binding("t", "convert('event')", "To timeline", id="notes.event"),
        Binding("f", "convert('factor')", "To factor", id="notes.factor"),
        Binding("o", "convert('observation')", "To observation", id="notes.observation"),
        Binding("a", "convert('action')", "To action", id="notes.action"),
        Binding("x", "answered", "Question answered", id="notes.answered"),
        Binding("e,enter", "edit", "Edit note", id="notes.edit"),
        Binding("d,delete", "delete", "Delete note", id="notes.delete"),
    ]

    def __init__(self, review_id: int, stage: str, *,
                 action_form: Callable[[dict[str, Any]], tuple[list[FormField], Callable[[dict[str, Any]], dict[str, Any]]]]
                 | None = None) -> None:
        """``action_form(seed)`` gives the action item form's fields and the function that turns
        its values into what the store takes (the screen's, so the panel imports no screen)."""
        super().__init__(id="notes-panel")
        self.review_id = review_id
        self.stage = stage
        self.action_form = action_form
        self.notes: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="prompt-card")
        yield Static("Notes", id="notes-title")
        yield DataTable(cursor_type="row", show_header=False, id="notes-table")
        yield Static("ctrl+n captures · on a note: e edit, d delete, t timeline, f factor, o observation, "
                     "a action · x answered (a question) · Esc closes", id="notes-hint")

    def on_mount(self) -> None:
        self.reload()

    # ------------------------------------------------------------ content
    def current_stage(self) -> str:
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is not None and meeting.stage != MeetingStage.opening:
            return meeting.stage
        return self.stage

    def show_prompt(self) -> None:
        stage = self.current_stage()
        questions = self.app.prompts.get(stage, [])
        card = self.query_one("#prompt-card", Static)
        screen = self.screen  # e.g. "db appeared in 3 earlier reviews"
        context = screen.prompt_context if isinstance(screen, HasPromptContext) else ""
        if not questions and not context:
            card.display = False
            return
        text = Text()
        if questions:
            index = self.app.prompt_index.get(stage, 0) % len(questions)
            card.border_title = f"Ask ({index + 1}/{len(questions)}, F9 next)"
            text.append_text(literal(questions[index], "italic"))
        if context:
            text.append_text(literal(("\n" if questions else "") + context + ". Has this happened before?"))
        card.update(text)
        card.display = True

    def reload(self) -> None:
        """Read the notes again; the table is rebuilt only when what it shows changed."""
        self.show_prompt()
        self.notes = sorted(self.app.store.list_items(ItemKind.note, self.review_id), key=lambda n: n["at"], reverse=True)
        self.links = self.app.store.note_links(self.review_id)
        review = self.app.store.get_review(self.review_id)
        self.zone = ZoneInfo(review["timezone"])
        self.fill()

    # Rows are added CHUNK at a time, newest first, and more as the cursor nears the last
    # one shown: the table measures each row's wrapped height when it is added, which
    # for 1,000 long notes took seconds on every reload and resize (issue 9).
    CHUNK = 40

    def fill(self) -> None:
        """Show ``self.notes`` at the panel's width (nothing to do when neither changed)."""
        table = self.query_one(DataTable)
        width = max(20, self.size.width - 4)
        shown = (width, str(self.zone), [(n["id"], n.get("version"), n["kind"], n["at"], n["text"], n["author"])
                                         for n in self.notes], self.links)
        self.query_one("#notes-title", Static).update(
            f"Notes ({len(self.notes)})" if self.notes else "Notes: none yet (ctrl+n)")
        if shown == getattr(self, "_filled", None):
            return
        self._filled = shown
        current = table.cursor_row
        table.clear(columns=True)
        table.add_column("note", width=width)
        self._rows = 0
        self.more(current)
        if self.notes:
            table.move_cursor(row=min(max(current, 0), len(self.notes) - 1))

    def more(self, upto: int = 0) -> None:
        """Add the next rows: a chunk, and at least up to row ``upto``."""
        table = self.query_one(DataTable)
        width = max(20, self.size.width - 4)
        lines = 0  # about three screens of wrapped lines per chunk, however long the notes are
        while self._rows < len(self.notes) and (self._rows <= upto or (
                lines < 3 * max(self.size.height, 20) and self._rows - upto <= self.CHUNK)):
            n = self.notes[self._rows]
            table.add_row(self.row_text(n), key=str(n["id"]), height=None)
            lines += 1 + len(n["text"]) // width
            self._rows += 1

    def row_text(self, n: dict[str, Any]) -> Text:
        text = Text()
        text.append(n["at"].astimezone(self.zone).strftime("%H:%M "), style="dim")
        text.append(KIND_MARK[n["kind"]], style="bold")
        text.append(visible(n["text"]))
        if n["author"]:
            text.append(visible(f" — {n['author']}"), style="dim")
        done = self.links.get(n["id"], [])
        if done:
            text.append(" → " + ", ".join(TARGET_WORDS[k] for k, _ in done), style="green")
        return text

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= getattr(self, "_rows", 0) - 10 and self._rows < len(self.notes):
            self.more(event.cursor_row)

    def on_resize(self) -> None:
        if hasattr(self, "zone"):
            self.fill()  # a new width: the rows are measured again, the store is not read again

    def selected(self) -> dict[str, Any] | None:
        table = self.query_one(DataTable)
        if not self.notes or not (0 <= table.cursor_row < len(self.notes)):
            return None
        return self.notes[table.cursor_row]

    # ------------------------------------------------------------ actions
    def action_answered(self) -> None:
        """An open question was answered in the room: it stays as a note."""
        note = self.selected()
        if note is None or note["kind"] != NoteKind.question:
            self.app.notify("Select an open question (marked ?) to mark it answered.", timeout=3)
            return
        before = dict(note)
        if isinstance(self.app.write(lambda: self.app.store.update_item(ItemKind.note, note["id"], kind=NoteKind.note.value)), NotSaved):
            return
        self.app.push_item_edit(f"marked “{note['text'][:40]}” answered", ItemKind.note, note["review_id"], note["id"], before)
        self.app.refresh_screen()

    def action_delete(self) -> None:
        note = self.selected()
        if note is None:
            return
        from pmtui.errors import Conflict
        from pmtui.seats import changed_by

        try:  # a note another seat changed since this panel showed it is not deleted unseen
            snapshot = self.app.write(lambda: self.app.store.delete_item(ItemKind.note, note["id"],
                                                                         expected_version=note.get("version")))
        except Conflict as c:
            self.reload()
            self.app.notify("Another seat already deleted that note." if c.current is None else
                            f"Not deleted: the note was {changed_by(c.changed_by, c.changed_at)} since you saw it.",
                            severity="warning", timeout=6)
            return
        if isinstance(snapshot, NotSaved):
            return
        self.app.push_deleted(f"deleted note “{note['text'][:40]}”", ItemKind.note, note["review_id"], snapshot)
        self.app.refresh_screen()

    def action_edit(self) -> None:
        """e in the panel edits the selected note (its words and its kind), never the section."""
        note = self.selected()
        if note is None:
            self.app.notify("Select a note first (ctrl+n captures one).", timeout=3)
            return
        store = self.app.store
        fields = [FormField("text", "What was said", note["text"], hint="Kept as said; the report quotes notes verbatim"),
                  FormField("kind", "Kind", note["kind"], kind="select",
                            options=[(words, k.value) for k, words in NOTE_KIND_WORDS.items()])]

        def save(v: dict[str, Any], version: int | None = None) -> int:
            if not v["text"].strip():
                raise FieldErrors({"text": "a note needs words; to remove it, close this and press d"})
            store.update_item(ItemKind.note, note["id"], expected_version=version, text=v["text"], kind=v["kind"])
            self.app.push_item_edit("edited a note", ItemKind.note, note["review_id"], note["id"], note)
            return int(note["id"])

        def readd(v: dict[str, Any]) -> int:  # "add mine back": another seat deleted it meanwhile
            # the note as it was said (when, in which stage, by whom) with this seat's words
            return store.add_item(ItemKind.note, note["review_id"], at=note["at"], stage=note["stage"],
                                  text=v["text"], kind=v["kind"], author=note.get("author") or self.app.author)

        def done(result: Any) -> None:
            if result is not None:
                self.app.refresh_screen()
            self.query_one(DataTable).focus()

        self.post_message(FormRequested("Edit note", fields, save, done, version=note.get("version"), readd=readd))

    def action_convert(self, target: str) -> None:
        note = self.selected()
        if note is None:
            self.app.notify("Select a note first (ctrl+n captures one).", timeout=3)
            return
        store = self.app.store
        rid = self.review_id
        zone = self.zone
        text = note["text"]

        if target == "event":
            # the time is left empty: the note's own time is when it was said, not when it happened
            said = format_when(note["at"], zone)
            day = self.incident_day()
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
                    at, approx = parse_when(v["when"], zone, anchor_day=self.incident_day())
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
        else:
            if self.action_form is None:  # pragma: no cover - every section passes its form
                return
            fields, action_values = self.action_form({"title": text, "description": f"From a note: {text}"})

            def save(v: dict[str, Any]) -> int:
                return store.add_item(ItemKind.action, rid, **action_values(v))

        def save_and_link(values: dict[str, Any]) -> int:
            new_id = save(values)
            store.link_note(note["id"], target, new_id)
            answered = target == "action" and note["kind"] == NoteKind.question
            if answered:
                store.update_item(ItemKind.note, note["id"], kind=NoteKind.note.value)  # carried over on purpose: no longer open
            item_kind = "event" if target == "event" else target
            list_kind = ItemKind(target) if target != "event" else None
            held: dict[str, Any] = {"id": new_id, "snapshot": None}

            def undo() -> None:
                store.unlink_note(note["id"], target, held["id"])
                held["snapshot"] = (store.delete_event(held["id"]) if item_kind == "event"
                                    else store.delete_item(list_kind or ItemKind.note, held["id"]))
                if answered:
                    store.update_item(ItemKind.note, note["id"], kind=NoteKind.question.value)

            def redo() -> None:
                snap = held["snapshot"]
                held["id"] = store.restore_event(snap) if item_kind == "event" else store.restore_item(snap)
                store.link_note(note["id"], target, held["id"])
                if answered:
                    store.update_item(ItemKind.note, note["id"], kind=NoteKind.note.value)

            self.app.push_undo(f"note turned into {'an' if target in ('event', 'observation', 'action') else 'a'} "
                               f"{'event' if target == 'event' else target}", undo, redo, quiet=True)
            return new_id

        def done(result: Any) -> None:
            if result is not None:
                became = {"event": "an event on the timeline", "factor": "a contributing factor",
                          "observation": "an observation", "action": "an action item"}.get(target, target)
                self.app.notify(f"The note is now {became} (the note stays). ctrl+z undoes it.", timeout=3)
                self.app.refresh_screen()
            self.query_one(DataTable).focus()

        self.post_message(FormRequested(f"Note → {TARGET_WORDS[target]}", fields, save_and_link, done))

    def incident_day(self) -> date | None:
        """The day a bare time means in the note → event form: the incident's."""
        screen = self.screen
        if isinstance(screen, KnowsIncidentDay):
            return screen.incident_day()
        from pmtui.anchor import review_incident_day

        return review_incident_day(self.app.store, self.review_id, self.zone)
