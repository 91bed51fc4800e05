"""Capture a note from anywhere (ctrl+n): one line, saved at once with its time, the
meeting stage and its author. ``?`` in front makes it an open question, ``!`` a parked
idea; ctrl+t cycles the kind."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pmtui.safetext import literal
from pmtui.widgets.nudge import NudgeLine
from pmtui.widgets.stage_bar import SECTION_STAGE

KINDS = ("note", "question", "idea")
KIND_WORDS = {"note": "note", "question": "open question", "idea": "parked idea"}
PREFIX = {"?": "question", "!": "idea"}


def split_kind(text: str, kind: str = "note") -> tuple[str, str]:
    """A leading ``?`` or ``!`` (or ``q:`` / ``idea:``) sets the kind."""
    t = text.strip()
    if t[:1] in PREFIX:
        return PREFIX[t[0]], t[1:].strip()
    low = t.lower()
    for prefix, k in (("q:", "question"), ("question:", "question"), ("idea:", "idea"), ("i:", "idea")):
        if low.startswith(prefix):
            return k, t[len(prefix):].strip()
    return kind, t


class CaptureScreen(ModalScreen[int | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="capture.cancel"),
        Binding("ctrl+t", "cycle_kind", "Kind", id="capture.kind"),
    ]

    def __init__(self, review_id: int, section: str) -> None:
        super().__init__()
        self.review_id = review_id
        self.section = section
        self.kind = "note"

    def compose(self) -> ComposeResult:
        with Vertical(id="capture-bar"):  # a slim bar at the bottom: the room keeps its view
            yield Static("", id="capture-title")
            yield Input(placeholder="What was said… (? question · ! parked idea)", id="capture-input")
            yield NudgeLine(id="capture-nudge")
            yield Static("", id="capture-error", classes="form-error")
            yield Static("Enter saves · ctrl+t changes the kind · Esc cancels", classes="form-hint", id="capture-keys")

    def on_mount(self) -> None:
        self.query_one("#capture-error").display = False
        self.query_one(Input).focus()
        self.show_title()

    def stage(self) -> str:
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is not None and meeting.stage != "opening":
            return meeting.stage
        return SECTION_STAGE.get(self.section, "context")

    def show_title(self) -> None:
        kind, _ = split_kind(self.query_one(Input).value, self.kind)
        author = self.app.author or "no name (pmtui --as NAME)"
        self.query_one("#capture-title", Static).update(Text.assemble(
            "Capture a ", (KIND_WORDS[kind], "bold"), f" · stage: {self.stage()} · by ", literal(author)))

    def action_cycle_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self.show_title()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.show_title()
        self.query_one(NudgeLine).check(event.value)
        self.query_one("#capture-error").display = False

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        kind, text = split_kind(event.value, self.kind)
        error = self.query_one("#capture-error", Static)
        if not text:
            error.update("⚠ An empty note is not saved: type what was said, or press Esc.")
            error.display = True
            return
        note_id = self.app.write(lambda: self.app.store.add_item(
            "note", self.review_id, at=self.app.now(), text=text, kind=kind, stage=self.stage(), author=self.app.author),
            say=False)
        if not isinstance(note_id, int):  # the store refused (full review, locked, read-only): keep the text
            error.update(literal(f"⚠ {note_id.message}"))
            error.display = True
            return
        self.app.notify(f"Saved {KIND_WORDS[kind]}: {text[:50]}", timeout=2)
        self.dismiss(note_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
