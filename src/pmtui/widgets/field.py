"""A labelled field that saves itself: Enter or leaving it confirms (a text area
also saves a moment after typing stops). What is wrong shows under it, and the
typed text stays until it is valid.

Another seat's change to a field you are in shows at once under it ("changed by
Jonas Weber 14:32"); your text stays. Saving over it is a conflict the field shows in
place, theirs beside yours: keep mine, take theirs or keep both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from pmtui.errors import BadInput
from pmtui.safetext import literal, visible
from pmtui.widgets.nudge import NudgeLine


class Field(Vertical):
    DEFAULT_CSS = """
    Field {
        height: auto;
        margin: 0 1 0 0;
    }
    Field > Label {
        color: $text-muted;
        text-style: bold;
    }
    Field > TextArea {
        height: 6;
    }
    Field > .field-error {
        color: $error;
        text-style: bold;
    }
    Field > .field-hint {
        color: $text-muted;
    }
    Field.-invalid > Input, Field.-invalid > TextArea {
        border: tall $error;
    }
    """

    class Confirmed(Message):
        """The user confirmed a new value; the screen saves it and reports back."""

        def __init__(self, field: Field, value: Any) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> Field:
            return self.field

    def __init__(
        self,
        name: str,
        label: str,
        value: Any = "",
        *,
        kind: str = "text",
        options: list[tuple[str, str]] | None = None,
        placeholder: str = "",
        hint: str = "",
        parse: Callable[[str], Any] | None = None,
        show: Callable[[Any], str] | None = None,
    ) -> None:
        super().__init__(id=f"field-{name}")
        self.field_name = name
        self.label = label
        self.kind = kind
        self.options = options or []
        self.placeholder = placeholder
        self.hint = hint
        self.parse = parse or (lambda text: text)
        shown = show or (lambda v: "" if v is None else str(v))
        self.show: Callable[[Any], str] = lambda v: visible(shown(v))  # control characters never reach the terminal raw
        self.saved = value
        self.version: int | None = None  # the stored row's version ``saved`` was read at
        self.theirs: Any = None  # a value another seat stored while this one was being edited
        self.conflict: Any = None  # the Conflict being shown
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Label(literal(self.label))
        if self.kind == "area":
            yield TextArea(self.show(self.saved), soft_wrap=True)
        elif self.kind == "select":
            yield Select(self.options, value=self.saved, allow_blank=False)
        else:
            yield Input(self.show(self.saved), placeholder=self.placeholder, select_on_focus=False)  # a stray key never replaces it
        if self.hint:
            yield Static(literal(self.hint), classes="field-hint")
        yield Static("", classes="field-error")
        yield Static("", classes="field-changed")
        with Vertical(classes="field-conflict"):
            yield Static("", classes="field-conflict-text")
            with Horizontal(classes="field-conflict-buttons"):
                yield Button("Keep mine", variant="primary", classes="conflict-mine")
                yield Button("Take theirs", classes="conflict-theirs")
                yield Button("Keep both", classes="conflict-both")
        yield NudgeLine()

    def on_mount(self) -> None:
        self.query_one(".field-error").display = False
        self.query_one(".field-changed").display = False
        self.query_one(".field-conflict").display = False
        self.call_after_refresh(self._nudge)

    def _nudge(self) -> None:
        if self.kind != "select":
            self.query_one(NudgeLine).check(str(self.text))

    @on(Input.Changed)
    def _input_changed(self) -> None:
        self._nudge()

    @property
    def control(self) -> Input | TextArea | Select[Any]:
        return self.query_one("Input, TextArea, Select")  # type: ignore[return-value]

    @property
    def text(self) -> Any:
        c = self.control
        return c.text if isinstance(c, TextArea) else c.value

    @property
    def dirty(self) -> bool:
        c = self.control
        if isinstance(c, Select):
            return bool(c.value != self.saved)
        return bool(self.text != self.show(self.saved))

    def set_value(self, value: Any, version: int | None = None, who: str = "", when: str = "") -> None:
        """Show a value from the store, unless the user is editing this field: then say at
        once that another seat changed it (who, when) and keep the typed text."""
        if self.conflict is not None:
            return
        if self.dirty and self.has_focus_within:
            if value != self.saved and value != self.theirs:
                from pmtui.seats import changed_by

                self.theirs = value
                box = self.query_one(".field-changed", Static)
                box.update(literal(f"⚑ {changed_by(who, when)}: your text is kept; saving it asks what to keep"))
                box.display = True
            return
        self.saved = value
        if version is not None:
            self.version = version
        self.theirs = None
        self.query_one(".field-changed").display = False
        self._show_now(value)
        self.set_error(None)

    # ------------------------------------------------------------ conflicts
    def show_conflict(self, conflict: Any, mine: Any) -> None:
        """Theirs beside ours; ours stays in the field until the seat chooses."""
        from rich.text import Text

        from pmtui.seats import changed_by

        self.conflict = (conflict, mine)
        theirs = (conflict.current or {}).get(self.field_name)
        said = changed_by(conflict.changed_by, conflict.changed_at)
        text = Text()
        text.append(f"⚠ {said[:1].upper()}{said[1:]} while you were editing. Theirs:\n", style="bold")
        text.append_text(literal(self.show(theirs) or "(empty)"))
        text.append("\nYours stays above until you choose.", style="dim")
        self.query_one(".field-conflict-text", Static).update(text)
        self.query_one(".conflict-both").display = isinstance(mine, str) and isinstance(theirs, str)
        self.query_one(".field-changed").display = False
        self.query_one(".field-conflict").display = True

    def _resolve(self, event: Button.Pressed | None) -> tuple[Any, Any] | None:
        """Close the conflict: the field now stands on the other seat's row (its value and
        version, so that a save states what it read). (mine, theirs), or None when none."""
        if event is not None:
            event.stop()
        found: tuple[Any, Any] | None = self.conflict
        self.conflict = None
        self.query_one(".field-conflict").display = False
        self.theirs = None
        if found is None:
            return None
        c, mine = found
        theirs = (c.current or {}).get(self.field_name)
        self.saved, self.version = theirs, c.current_version
        return mine, theirs

    @on(Button.Pressed, ".conflict-mine")
    def keep_mine(self, event: Button.Pressed | None = None) -> None:
        found = self._resolve(event)
        if found is not None:
            self.post_message(self.Confirmed(self, found[0]))

    @on(Button.Pressed, ".conflict-theirs")
    def take_theirs(self, event: Button.Pressed | None = None) -> None:
        found = self._resolve(event)
        if found is not None:
            self._show_now(found[1])
            self.set_error(None)

    @on(Button.Pressed, ".conflict-both")
    def keep_both(self, event: Button.Pressed | None = None) -> None:
        from pmtui.seats import keep_both

        found = self._resolve(event)
        if found is not None:
            mine, theirs = found
            both = keep_both(mine, theirs or "", "\n" if self.kind == "area" else " / ")
            self._show_now(both)
            self.post_message(self.Confirmed(self, both))

    def _show_now(self, value: Any) -> None:
        c = self.control
        if isinstance(c, TextArea):
            if c.text != self.show(value):
                c.load_text(self.show(value))
        elif isinstance(c, Select):
            c.value = value
        else:
            c.value = self.show(value)

    def set_error(self, message: str | None) -> None:
        box = self.query_one(".field-error", Static)
        box.update(literal(f"⚠ {message}" if message else ""))
        box.display = bool(message)
        self.set_class(bool(message), "-invalid")

    def confirm(self) -> None:
        """Parse and post the value if it changed; a parse error shows here."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.conflict is not None:  # the seat chooses first
            return
        if not self.dirty:
            self.set_error(None)
            return
        try:
            value = self.text if isinstance(self.control, Select) else self.parse(self.text)
        except BadInput as exc:
            self.set_error(exc.message)
            return
        self.post_message(self.Confirmed(self, value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.confirm()

    def on_descendant_blur(self, event: Any = None) -> None:
        if self.conflict is not None:
            return
        if isinstance(getattr(event, "widget", None), Button) or isinstance(self.control, Select):
            return
        self.confirm()

    @on(Select.Changed)
    def _selected(self, event: Select.Changed) -> None:
        event.stop()
        self.confirm()

    @on(TextArea.Changed)
    def _typing(self) -> None:
        self._nudge()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(1.5, self.confirm)
