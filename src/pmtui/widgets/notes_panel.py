"""The meeting panel beside every section: the facilitator's prompt card for the
current stage, and the notes captured in the meeting, newest first. A focused note
turns into a timeline event (t), a contributing factor (f), an observation (o) or an
action item (a) with one key; the new item keeps a link back to the note. The panel
writes nothing itself: it posts typed messages (:class:`NotesPanel.EditRequested`, …) and
the section screen writes."""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pmtui.domain.vocab import NOTE_KIND_MARKS, ItemKind, MeetingStage, NoteKind
from pmtui.safetext import literal, visible
from pmtui.ui_types import HasPromptContext, TypedApp

KIND_MARK: dict[str, str] = {k.value: f"{mark} " if mark else "" for k, mark in NOTE_KIND_MARKS.items()}
NoteTarget = Literal["event", "factor", "observation", "action"]
CONVERT_TARGETS: tuple[NoteTarget, ...] = ("event", "factor", "observation", "action")
TARGET_WORDS = {"event": "timeline", "factor": "factor", "observation": "observation", "action": "action"}


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

    class NoteRequest(Message):
        """The panel asks its screen to act on one note (the screen writes; the panel never does)."""

        def __init__(self, panel: NotesPanel, note: dict[str, Any]) -> None:
            super().__init__()
            self.panel = panel
            self.note = note  # as the panel showed it, with its version

        @property
        def control(self) -> NotesPanel:
            return self.panel

    class AnswerRequested(NoteRequest):
        """x: the open question was answered in the room (it stays, as a note)."""

    class DeleteRequested(NoteRequest):
        """d: delete the note, with the version the panel showed (ctrl+z brings it back)."""

    class EditRequested(NoteRequest):
        """e: the note's form (its words and its kind)."""

    class ConvertRequested(NoteRequest):
        """t, f, o, a: the note becomes an event, a factor, an observation or an action item,
        linked back to the note."""

        def __init__(self, panel: NotesPanel, note: dict[str, Any], target: NoteTarget) -> None:
            super().__init__(panel, note)
            self.target: NoteTarget = target

    def __init__(self, review_id: int, stage: str) -> None:
        super().__init__(id="notes-panel")
        self.review_id = review_id
        self.stage = stage
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
            (f"Notes ({len(self.notes)})" if self.notes else "Notes: none yet (ctrl+n)") + self.zone_words())
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

    def zone_words(self) -> str:
        """' · times Europe/Berlin' when the review's clock is not this machine's."""
        from datetime import datetime

        now = datetime.now().astimezone()
        return "" if now.astimezone(self.zone).utcoffset() == now.utcoffset() else f" · times {self.zone.key}"

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

    def focus_notes(self) -> None:
        self.query_one(DataTable).focus()

    # ------------------------------------------------------------ actions
    # The panel writes nothing itself: each key posts a request about the selected note (as
    # the panel showed it, with its version); the section screen opens the form, writes,
    # records the undo and refreshes (screens/_note_actions.py).
    def action_answered(self) -> None:
        """An open question was answered in the room: it stays as a note."""
        note = self.selected()
        if note is None or note["kind"] != NoteKind.question:
            self.app.notify("Select an open question (marked ?) to mark it answered.", timeout=3)
            return
        self.post_message(self.AnswerRequested(self, note))

    def action_delete(self) -> None:
        note = self.selected()
        if note is not None:
            self.post_message(self.DeleteRequested(self, note))

    def action_edit(self) -> None:
        """e in the panel edits the selected note (its words and its kind), never the section."""
        note = self.selected()
        if note is None:
            self.app.notify("Select a note first (ctrl+n captures one).", timeout=3)
            return
        self.post_message(self.EditRequested(self, note))

    def action_convert(self, target: str) -> None:
        note = self.selected()
        if note is None:
            self.app.notify("Select a note first (ctrl+n captures one).", timeout=3)
            return
        for known in CONVERT_TARGETS:
            if known == target:
                self.post_message(self.ConvertRequested(self, note, known))
