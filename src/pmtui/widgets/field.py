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
from textual.binding import Binding
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
    AUTOSAVE_AFTER = 1.5  # seconds of pause in typing after which a text is saved as typed

    class Confirmed(Message):
        """The user confirmed a new value; the screen saves it and reports back."""

        def __init__(self, field: Field, value: Any) -> None:
            super().__init__()
            self.field = field
            self.value = value

        @property
        def control(self) -> Field:
            return self.field

    class TookTheirs(Message):
        """The seat took the other seat's version over its own typing: the screen keeps
        ``mine`` (put aside, and ctrl+z puts it back); nothing was written."""

        def __init__(self, field: Field, mine: str, theirs: Any) -> None:
            super().__init__()
            self.field = field
            self.mine = mine
            self.theirs = theirs

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
        self.conflict_theirs: Any = None  # theirs as last seen while the box is open (refreshed)
        self.conflict_version: int | None = None  # its version: the seat's choice is made against it
        self.conflict_who, self.conflict_when = "", ""
        self._guard_until = 0.0
        self._chosen_at: float | None = None
        self._chosen_text = ""
        self._box_closing: Timer | None = None
        self._auto = False  # the current save was the pause-autosave (the seat may still be typing)
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
        with ConflictBox(classes="field-conflict"):
            yield Static("", classes="field-conflict-text")
            with Horizontal(classes="field-conflict-buttons"):
                yield Button("Keep mine (m)", variant="primary", classes="conflict-mine", compact=True)
                yield Button("Take theirs (t)", classes="conflict-theirs", compact=True)
                yield Button("Keep both (b)", classes="conflict-both", compact=True)
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
        once that another seat changed it (who, when) and keep the typed text. While a
        conflict box is open, a newer version from another seat refreshes its "Theirs"
        (and the version the seat's choice is made against); the field keeps the typing."""
        if self.conflict is not None:
            self._refresh_theirs(value, version, who, when)
            return
        if self.dirty and self.has_focus_within:
            if value != self.saved and value != self.theirs:
                from pmtui.domain.seats import changed_by

                self.theirs = value
                box = self.query_one(".field-changed", Static)
                box.update(literal(f"⚑ {changed_by(who, when, self.zone)}: your text is kept; saving it asks what to keep"))
                box.display = True
            return
        self.saved = value
        if version is not None:
            self.version = version
        self.theirs = None
        self.query_one(".field-changed").display = False
        self._show_keeping_cursor(value)
        self.set_error(None)

    def _show_keeping_cursor(self, value: Any) -> None:
        """Another seat's text shown in this field: a cursor that was at the end stays at the
        end, anywhere else it keeps its place counted from the start. (Without this, a seat that
        had pressed End in its Tags as another seat's longer tags arrived typed into the middle
        of a word: "config" became "conf" and "canaryig".) Only in the field with the focus."""
        c = self.control
        if not c.has_focus:  # no cursor to keep: shown from its start, as when first read
            self._show_now(value)
        elif isinstance(c, Input):
            at_end = c.cursor_position >= len(c.value)
            self._show_now(value)
            if at_end:
                c.cursor_position = len(c.value)
        elif isinstance(c, TextArea):
            where, at_end = c.cursor_location, c.cursor_location == c.document.end
            self._show_now(value)
            end = c.document.end
            c.move_cursor(end if at_end or where >= end else where)
        else:
            self._show_now(value)

    # ------------------------------------------------------------ conflicts
    zone: Any = None  # the review's zone: times in the box are the review's (set by the screen)
    GUARD = 0.6  # seconds a changed box ignores a choice: a key meant for the old box never picks in the new one
    CLOSE_AFTER = 2.0  # seconds a chosen box stays (a repeated key lands there), unless a letter is typed on

    def show_conflict(self, conflict: Any, mine: Any) -> None:
        """Theirs beside ours; ours stays in the field (and can still be typed in) until the
        seat chooses. The focus moves to the box, unless the seat is typing in the field
        (the box opened by itself after a pause in typing): Tab reaches it then."""
        import time

        current = conflict.current or {}
        # the box came back at once over the seat's own choice (its save met a newer version):
        # a second press meant for the old box must not pick in this one unread
        reopened = (self._chosen_at is not None and time.monotonic() - self._chosen_at < 2.0
                    and str(self.text) == self._chosen_text)
        self.conflict = conflict
        self.conflict_theirs = current.get(self.field_name)
        self.conflict_version = conflict.current_version
        self.conflict_who, self.conflict_when = conflict.changed_by, conflict.changed_at
        self._guard_until = time.monotonic() + self.GUARD if reopened else 0.0
        self.query_one(".field-changed").display = False
        if self._box_closing is not None:
            self._box_closing.stop()
            self._box_closing = None
        self.query_one(".field-conflict-buttons").display = True
        self._render_conflict()
        self.query_one(".field-conflict").display = True
        if not (self._auto and self.control.has_focus):
            box = self.query_one(ConflictBox)
            box.focus()
            self.call_after_refresh(box.scroll_visible, top=False)

    def _refresh_theirs(self, value: Any, version: int | None, who: str, when: str) -> None:
        import time

        if version is not None and self.conflict_version is not None and version <= self.conflict_version:
            return
        if version is None and value == self.conflict_theirs:
            return
        self.conflict_theirs = value
        if version is not None:
            self.conflict_version = version
        self.conflict_who, self.conflict_when = who or self.conflict_who, when or self.conflict_when
        self._guard_until = time.monotonic() + self.GUARD
        self._render_conflict()

    def _render_conflict(self) -> None:
        from rich.text import Text

        from pmtui.domain.seats import changed_by

        theirs = self.conflict_theirs
        said = changed_by(self.conflict_who, self.conflict_when, self.zone)
        text = Text()
        text.append(f"⚠ {said[:1].upper()}{said[1:]} while you were editing. Theirs:\n", style="bold")
        text.append_text(literal(self.show(theirs) or "(empty)"))
        keys = "m keep mine · t take theirs (yours is put aside: ctrl+n)" + (" · b keep both" if self._both_possible() else "")
        text.append(f"\nYours stays above; keep typing there. Keys: {keys}", style="dim")
        self.query_one(".field-conflict-text", Static).update(text)
        self.query_one(".conflict-both").display = self._both_possible()

    def _both_possible(self) -> bool:
        return self.kind != "select" and isinstance(self.conflict_theirs, str)

    def _may_choose(self) -> bool:
        """False (and the seat is told) while the box has just changed."""
        import time

        if self.conflict is None:
            return False
        if time.monotonic() < self._guard_until:
            self.app.bell()
            self.app.notify("The other seat's text just changed: read it, then choose.", timeout=3)
            return False
        return True

    def _resolve(self) -> Any:
        """Close the conflict: the field now stands on the other seat's row as last seen
        (its value and version, so that a save states what it read). Theirs."""
        import time

        theirs = self.conflict_theirs
        self.saved, self.version = theirs, self.conflict_version
        self.conflict = None
        self._chosen_at = time.monotonic()
        self._chosen_text = str(self.text)
        self.theirs = None
        return theirs

    def _chosen(self, words: str) -> None:
        """The choice is made: the box says so for a moment (a second press of the same key
        lands there, harmless, not in the field as a stray letter), then closes and gives
        the focus back to the field."""
        self._chosen_text = str(self.text)
        self.query_one(".field-conflict-text", Static).update(literal(f"✓ {words}"))
        self.query_one(".field-conflict-buttons").display = False
        if self._box_closing is not None:
            self._box_closing.stop()
        self._box_closing = self.set_timer(self.CLOSE_AFTER, self._close_box)

    def _close_box(self) -> None:
        if self._box_closing is not None:
            self._box_closing.stop()
        self._box_closing = None
        if self.conflict is not None:
            return
        box = self.query_one(ConflictBox)
        if box.has_focus_within and self.screen.is_active:
            self.screen.set_focus(self.control)
        box.display = False

    def _parsed_now(self) -> tuple[bool, Any]:
        if isinstance(self.control, Select):
            return True, self.text
        try:
            return True, self.parse(self.text)
        except BadInput as exc:
            self.set_error(exc.message)
            return False, None

    @on(Button.Pressed, ".conflict-mine")
    def keep_mine(self, event: Button.Pressed | None = None) -> None:
        """Save the text in the field now (typing continued while the box was open), over
        the latest version of theirs this seat was shown."""
        if event is not None:
            event.stop()
        if not self._may_choose():
            return
        ok, value = self._parsed_now()
        if not ok:
            return
        self._resolve()
        self._chosen("Saving yours.")
        self.post_message(self.Confirmed(self, value))

    @on(Button.Pressed, ".conflict-theirs")
    def take_theirs(self, event: Button.Pressed | None = None) -> None:
        """Show theirs; the text this seat had typed is not dropped: the screen puts it
        aside (ctrl+n brings it back) and ctrl+z puts it back."""
        if event is not None:
            event.stop()
        if not self._may_choose():
            return
        mine = str(self.text)
        theirs = self._resolve()
        c = self.control
        if isinstance(c, TextArea):  # an edit of the area, not a reload: ctrl+z in it brings yours back
            c.replace(self.show(theirs), c.document.start, c.document.end)
        else:
            self._show_now(theirs)
        self._chosen("Took theirs; yours is put aside.")
        self.set_error(None)
        if mine != self.show(theirs):
            self.post_message(self.TookTheirs(self, mine, theirs))

    @on(Button.Pressed, ".conflict-both")
    def keep_both(self, event: Button.Pressed | None = None) -> None:
        from pmtui.domain.seats import keep_both

        if event is not None:
            event.stop()
        if not self._may_choose() or not self._both_possible():
            return
        mine = str(self.text)
        both = keep_both(mine, str(self.conflict_theirs or ""), "\n" if self.kind == "area" else " / ")
        try:
            value = self.parse(both)
        except BadInput as exc:
            self.set_error(exc.message)
            return
        self._resolve()
        self._show_now(value)
        self._chosen("Saving both.")
        self.post_message(self.Confirmed(self, value))

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

    def _autosave(self) -> None:
        self._auto = True
        try:
            self.confirm()
        finally:
            self._auto = False

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
        if isinstance(getattr(event, "widget", None), (Button, ConflictBox)) or isinstance(self.control, Select):
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
        self._timer = self.set_timer(self.AUTOSAVE_AFTER, self._autosave)


class ConflictBox(Vertical, can_focus=True):
    """The conflict shown in place: theirs, and the seat's three choices, by key (shown on
    it) or button. A letter that is not a choice, typed while the box has the focus, goes
    on into the field: typing never lands nowhere."""

    BINDINGS = [
        Binding("m", "choose('mine')", "Keep mine", id="conflict.mine"),
        Binding("t", "choose('theirs')", "Take theirs", id="conflict.theirs"),
        Binding("b", "choose('both')", "Keep both", id="conflict.both"),
    ]
    DEFAULT_CSS = """
    ConflictBox:focus-within {
        border: round $accent;
    }
    """

    @property
    def field(self) -> Field:
        parent = self.parent
        assert isinstance(parent, Field)
        return parent

    def action_choose(self, which: str) -> None:
        field = self.field
        if field.conflict is None:  # chosen already: a second press is harmless
            return
        if which == "mine":
            field.keep_mine()
        elif which == "theirs":
            field.take_theirs()
        else:
            field.keep_both()

    typing = False  # a letter went on into the field: the next ones follow it, choices' letters too

    def on_focus(self) -> None:
        self.typing = False

    def on_key(self, event: Any) -> None:
        if not event.is_printable or event.character is None or (event.character in "mtb" and not self.typing):
            return
        self.typing = True
        event.stop()
        event.prevent_default()
        field = self.field
        control = field.control
        if isinstance(control, TextArea):
            control.insert(event.character)
        elif isinstance(control, Input):
            control.insert_text_at_cursor(event.character)
        if field.conflict is None:  # chosen already: the box closes, the typing goes on in the field
            field._close_box()
        control.focus()
