"""Small modals: a yes/no confirmation and a one-line prompt."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from pmtui.errors import BadInput, PmtuiError
from pmtui.safetext import literal, visible
from pmtui.screens import SCREENS_CSS
from pmtui.widgets.nudge import NudgeLine


class ConfirmScreen(ModalScreen[bool]):
    """Asks one question; y/Enter confirms, n/Escape cancels."""
    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Delete", no: str = "Keep") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(literal(self.question), id="dialog-text")
            with Horizontal(id="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes")
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class PromptScreen(ModalScreen[str | None]):
    """One line of text. ``check`` may raise BadInput (or the store a StoreError): the text stays, the reason shows."""
    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, value: str = "", *, placeholder: str = "",
                 check: Callable[[str], object] | None = None) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(literal(self.question), id="dialog-text")
            yield Input(visible(self.value), placeholder=self.placeholder, id="prompt-input")
            yield NudgeLine(id="prompt-nudge")
            yield Static("", id="prompt-error", classes="form-error")
            yield Static("Enter confirms · Esc cancels", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt-error").display = False
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one(NudgeLine).check(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if self.check is not None:
            try:
                self.check(self.value if event.value == visible(self.value) else event.value)
            except PmtuiError as exc:  # bad input, or a store that cannot be written
                err = self.query_one("#prompt-error", Static)
                err.update(literal(f"⚠ {exc.message}"))
                err.display = True
                return
        # a stored value shown with its control characters escaped is kept as it was unless edited
        self.dismiss(self.value if event.value == visible(self.value) else event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _reason_given(text: str) -> None:
    if not text.strip():
        raise BadInput("say why: a decision not to act is recorded with its reason")


def wont_do_prompt(question: str, reason: str | None) -> PromptScreen:
    """Ask why an action item won't be done (a reason is required), for the Actions
    section and the Follow-ups view alike."""
    return PromptScreen(question, reason or "", placeholder="Would not have changed this incident", check=_reason_given)
