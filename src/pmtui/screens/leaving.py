"""Quitting over unsaved text asks first: save and quit, set aside and quit, or keep editing."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from pmtui.safetext import literal
from pmtui.screens import SCREENS_CSS

SAVE, ASIDE, STAY = "save", "aside", "stay"


class LeavingScreen(ModalScreen[str]):
    """What to do with the text not saved yet; Esc keeps editing."""

    CSS_PATH = SCREENS_CSS
    DEFAULT_CSS = """
    LeavingScreen {
        align: center middle;
        background: $background 35%;
    }
    LeavingScreen #dialog-buttons Button {
        margin: 0 1 0 0;
    }
    """
    BINDINGS = [
        Binding("s", "answer('save')", "Save and quit", id="leaving.save"),
        Binding("a", "answer('aside')", "Set aside and quit", id="leaving.aside"),
        Binding("k,escape", "answer('stay')", "Keep editing", id="leaving.stay"),
    ]

    def __init__(self, unsaved: list[str]) -> None:
        super().__init__()
        self.unsaved = unsaved

    def compose(self) -> ComposeResult:
        what = ", ".join(self.unsaved)
        with Vertical(id="dialog"):
            yield Static(literal(f"Not saved yet: {what}. Quit anyway?\nSet aside: kept for you, not in the review; "
                                 "ctrl+n brings it back next time."), id="dialog-text")
            with Horizontal(id="dialog-buttons"):
                yield Button("Save, quit (s)", variant="primary", id="leave-save", compact=True)
                yield Button("Set aside, quit (a)", id="leave-aside", compact=True)
                yield Button("Keep editing (k)", id="leave-stay", compact=True)

    def on_mount(self) -> None:
        self.query_one("#leave-stay", Button).focus()

    def action_answer(self, value: str) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss({"leave-save": SAVE, "leave-aside": ASIDE}.get(event.button.id or "", STAY))
