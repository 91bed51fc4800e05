"""Capture a note from anywhere (ctrl+n): one line, saved at once with its time, the
meeting stage and its author. ``?`` in front makes it an open question, ``!`` a parked
idea; ctrl+t cycles the kind."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from pmtui.domain.vocab import (
    NOTE_KIND_MARKS,
    NOTE_KIND_WORDS,
    SECTION_STAGE,
    STAGE_SHORT_NAMES,
    ItemKind,
    MeetingStage,
    NoteKind,
    Section,
    Stage,
)
from pmtui.safetext import literal
from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import TypedApp
from pmtui.widgets.nudge import NudgeLine

KINDS: tuple[str, ...] = tuple(k.value for k in NoteKind)
KIND_WORDS: dict[str, str] = {k.value: words for k, words in NOTE_KIND_WORDS.items()}
PREFIX: dict[str, str] = {mark: k.value for k, mark in NOTE_KIND_MARKS.items() if mark}


def split_kind(text: str, kind: str = NoteKind.note) -> tuple[str, str]:
    """A leading ``?`` or ``!`` (or ``q:`` / ``idea:``) sets the kind."""
    t = text.strip()
    if t[:1] in PREFIX:
        return PREFIX[t[0]], t[1:].strip()
    low = t.lower()
    for prefix, k in (("q:", NoteKind.question), ("question:", NoteKind.question), ("idea:", NoteKind.idea),
                      ("i:", NoteKind.idea)):
        if low.startswith(prefix):
            return k.value, t[len(prefix):].strip()
    return kind, t


class CaptureScreen(TypedApp, ModalScreen[int | None]):
    CSS_PATH = SCREENS_CSS
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="capture.cancel"),
        Binding("ctrl+t", "cycle_kind", "Kind", id="capture.kind"),
    ]

    def __init__(self, review_id: int, section: str) -> None:
        super().__init__()
        self.review_id = review_id
        self.section = section
        self.kind: str = NoteKind.note.value
        self.done = False  # saved or closed: a late Enter (keys pressed together) saves nothing twice
        self.aside: Any = None  # the put-aside text this bar brought back (removed once saved or put aside again)

    def compose(self) -> ComposeResult:
        with Vertical(id="capture-bar"):  # a slim bar at the bottom: the room keeps its view
            yield Static("", id="capture-title")
            draft = self.app.capture_drafts.pop(self.review_id, "")  # put aside with Esc earlier
            if not draft:  # put aside earlier, in this run or an earlier one (a conflict, a lost connection)
                from pmtui.screens import _kept

                self.aside = _kept.newest(self.app, self.review_id)
                draft = self.aside.text if self.aside is not None else ""
            yield Input(draft, placeholder="What was said… (? question · ! parked idea)", id="capture-input",
                        select_on_focus=False)
            yield Static("", id="capture-aside", classes="form-hint")
            yield NudgeLine(id="capture-nudge")
            yield Static("", id="capture-error", classes="form-error")
            yield Static("Enter saves · ctrl+t changes the kind · Esc puts it aside (ctrl+n brings it back)",
                         classes="form-hint", id="capture-keys")

    def on_mount(self) -> None:
        self.query_one("#capture-error").display = False
        aside = self.query_one("#capture-aside", Static)
        aside.display = self.aside is not None
        if self.aside is not None:
            from pmtui.domain.localzone import clock_in

            zone = (self.app.store.get_review(self.review_id) or {}).get("timezone")
            aside.update(literal(f"Put aside at {clock_in(self.aside.when, zone)}, from {self.aside.what}: "
                                 f"{self.aside.why}. Enter saves it as a note; Esc keeps it aside."))
        self.query_one(Input).focus()
        self.show_title()

    def stage(self) -> str:
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is not None and meeting.stage != MeetingStage.opening:
            return meeting.stage
        try:
            return SECTION_STAGE[Section(self.section)].value
        except ValueError:  # not a section: the stage notes start in
            return Stage.context.value

    def show_title(self) -> None:
        kind, _ = split_kind(self.query_one(Input).value, self.kind)
        author = self.app.author or "no name (pmtui --as NAME)"
        self.query_one("#capture-title", Static).update(Text.assemble(
            "Capture a ", (KIND_WORDS[kind], "bold"), f" · stage: {STAGE_SHORT_NAMES.get(MeetingStage(self.stage()), self.stage())} · by ", literal(author)))

    def action_cycle_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]
        self.show_title()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.show_title()
        self.query_one(NudgeLine).check(event.value)
        self.query_one("#capture-error").display = False

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.save(event.value)

    def save(self, value: str) -> bool:
        """Save the note; False (and the screen stays, with the reason) when it cannot be."""
        if self.done:
            return True
        kind, text = split_kind(value, self.kind)
        error = self.query_one("#capture-error", Static)
        if not text:
            error.update("⚠ An empty note is not saved: type what was said, or press Esc.")
            error.display = True
            return False
        note_id = self.app.write(lambda: self.app.store.add_item(
            ItemKind.note, self.review_id, at=self.app.now(), text=text, kind=kind, stage=self.stage(), author=self.app.author),
            say=False)
        if not isinstance(note_id, int):  # the store refused (full review, locked, read-only): keep the text
            error.update(literal(f"⚠ {note_id.message}"))
            error.display = True
            return False
        self.done = True
        self._taken()
        self.app.notify(f"Saved {KIND_WORDS[kind]}: {text[:50]}", timeout=2)
        self.dismiss(note_id)
        return True

    def close_saving(self) -> bool:
        """Another key moves on (a section key): what was typed is saved first, as Enter
        would; an empty bar just closes. False when the store refused it (the bar stays)."""
        value = self.query_one(Input).value
        if self.done:
            return True
        if not value.strip():  # emptied by the seat: nothing to keep
            self.done = True
            self._taken()
            self.dismiss(None)
            return True
        return self.save(value)

    def typed(self) -> str:
        return self.query_one(Input).value if self.is_mounted else ""

    def _taken(self) -> None:
        if self.aside is not None:
            from pmtui.store import putaside

            putaside.take(self.aside)
            self.aside = None

    def set_aside_kept(self) -> None:
        """What the bar holds was put aside (the seat went away): the text it brought back is
        in the new entry."""
        self._taken()
        self.done = True

    def action_cancel(self) -> None:
        if self.done:
            return
        value = self.query_one(Input).value
        if value.strip():  # never dropped: put aside, back with the next ctrl+n in this review
            from pmtui.screens import _kept

            if self.aside is not None and value == self.aside.text:
                pass  # brought back and put aside again as it was: it stays where it was
            elif _kept.keep_aside(self.app, self.review_id, self.aside.what if self.aside else "a note", value,
                                  "put aside with Esc"):
                self._taken()
            else:  # the config folder cannot be written: kept for this run
                self.app.capture_drafts[self.review_id] = value
            self.aside = None
            self.app.notify("Not saved yet: put aside; ctrl+n brings it back.", timeout=3)
        self.done = True
        self.dismiss(None)
