"""A form in a modal: fields, each with its error shown next to it.

The form saves when it is confirmed (Enter in a one-line field, ctrl+s anywhere,
or Escape after a change). The ``save`` callback writes to the store and raises
FieldErrors/BadInput when something is wrong: the form then stays open with the
typed text kept and what is wrong under the field. Nothing is written until valid.
A second Escape discards changes that cannot be saved.

Given the row's ``version``, the save states it (``save(values, version)``); when
another seat changed or deleted the row meanwhile, the form shows in place what they
wrote (who, when) beside the typed text, which stays, and offers: keep mine, take
theirs, or keep both (a deleted row: add mine back, or let it go).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from pmtui.errors import Conflict, FieldErrors, PmtuiError
from pmtui.safetext import literal, visible
from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import FormField, TypedApp, review_zone
from pmtui.widgets.nudge import NudgeLine

__all__ = ["FormField", "FormScreen"]  # FormField lives in pmtui.ui_types (widgets build forms too)


class FormScreen(TypedApp, ModalScreen[dict[str, Any] | None]):
    CSS_PATH = SCREENS_CSS
    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="form.save"),
        Binding("escape", "close", "Close (saves)", id="form.close"),
    ]

    def __init__(self, title: str, fields: list[FormField], save: Callable[..., Any],
                 *, focus: str | None = None, version: int | None = None,
                 readd: Callable[[dict[str, Any]], Any] | None = None, conflict: Conflict | None = None,
                 save_label: str = "Save", discard_label: str = "Discard", escape_saves: bool = True) -> None:
        super().__init__()
        self.save_label, self.discard_label = save_label, discard_label
        self.escape_saves = escape_saves  # False for a form that starts something (Esc: not now)
        self.version = version
        self._conflict_at_start = conflict  # a quick edit that met another seat's change: shown at once
        self.readd = readd
        self.conflict: Conflict | None = None
        self.form_title = title
        self.fields = fields
        self.save = save
        self.focus_name = focus
        self._initial: dict[str, Any] = {}
        self._discard_armed = False
        self._message = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(literal(self.form_title), id="form-title")
            with Vertical(id="form-conflict"):
                yield Static("", id="form-conflict-text")
                with Horizontal(id="form-conflict-buttons"):
                    yield Button("Keep mine", variant="primary", id="conflict-mine")
                    yield Button("Take theirs", id="conflict-theirs")
                    yield Button("Keep both", id="conflict-both")
            with VerticalScroll(id="form-body"):
                for f in self.fields:
                    yield Label(literal(f.label), classes="form-label")
                    if f.kind == "area":
                        yield TextArea(visible(f.value or ""), id=f"f-{f.name}", classes="form-area", soft_wrap=True)
                    elif f.kind == "select":
                        yield Select(f.options, value=f.value, allow_blank=False, id=f"f-{f.name}")
                    elif f.kind == "bool":
                        yield Checkbox(literal(f.hint or f.label), value=bool(f.value), id=f"f-{f.name}")
                    elif f.kind == "static":  # read-only, shown literally (text from files)
                        yield Static(literal(f.value if f.value is not None else ""), id=f"f-{f.name}",
                                     classes="form-static")
                    else:
                        yield Input(visible(f.value if f.value is not None else ""), placeholder=f.placeholder,
                                    id=f"f-{f.name}", select_on_focus=False)  # a stray key never replaces it
                    if f.hint and f.kind != "bool":
                        yield Static(literal(f.hint), classes="form-hint")
                    yield Static("", id=f"e-{f.name}", classes="form-error")
                    if f.kind in ("text", "area"):
                        yield NudgeLine(id=f"n-{f.name}")
            yield Static("", id="form-message")
            with Horizontal(id="form-buttons"):
                yield Button(self.save_label, variant="primary", id="form-save")
                yield Button(self.discard_label, id="form-discard")
            keys = ("Enter or ctrl+s saves · Esc saves and closes" if self.escape_saves else
                    f"Enter or ctrl+s: {self.save_label.lower()} · Esc closes without it")
            yield Static(keys, id="form-keys")

    def on_mount(self) -> None:
        for line in self.query(NudgeLine):
            name = (line.id or "n-")[2:]
            value = self.values().get(name)
            if isinstance(value, str):
                self.call_after_refresh(line.check, value)
        self._initial = self.values()
        self._chosen = set()
        self.query_one("#form-conflict").display = False
        for f in self.fields:
            self.query_one(f"#e-{f.name}").display = False
        target = self.focus_name or self.fields[0].name
        self.query_one(f"#f-{target}").focus()
        if self._conflict_at_start is not None:
            self.show_conflict(self._conflict_at_start)

    _suggesting = False
    _chosen: set[str] = set()

    def _suggest(self) -> None:
        """Fill in each suggested select from the words typed, until a person chooses."""
        if not self.is_mounted:
            return
        for f in self.fields:
            if f.suggest is None or f.name in self._chosen:
                continue
            wanted = f.suggest(self.values())
            select = self.query_one(f"#f-{f.name}", Select)
            value = wanted if wanted is not None else f.value
            if select.value != value:
                self._suggesting = True
                try:
                    select.value = value
                finally:
                    self.call_after_refresh(self._done_suggesting)

    def _done_suggesting(self) -> None:
        self._suggesting = False

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            w = self.query_one(f"#f-{f.name}")
            if isinstance(w, TextArea):
                out[f.name] = w.text
            elif isinstance(w, (Select, Checkbox, Input)):
                out[f.name] = w.value
            # a text shown with its control characters escaped is kept as it was unless edited
            if isinstance(f.value, str) and isinstance(w, (TextArea, Input)) and out[f.name] == visible(f.value):
                out[f.name] = f.value
        return out

    def changed_texts(self) -> list[tuple[str, str]]:
        """(label, text) of each text this form's seat changed and has not saved."""
        if not self.is_mounted or not self._initial:
            return []
        now = self.values()
        return [(f.label, str(now[f.name])) for f in self.fields
                if f.kind in ("text", "area") and isinstance(now.get(f.name), str)
                and now[f.name] != self._initial.get(f.name) and now[f.name].strip()]

    def show_errors(self, errors: dict[str, str], message: str = "") -> None:
        for f in self.fields:
            box = self.query_one(f"#e-{f.name}", Static)
            msg = errors.get(f.name, "")
            box.update(literal(f"⚠ {msg}" if msg else ""))
            box.display = bool(msg)
        note = self.query_one("#form-message", Static)
        self._message = message
        note.update(literal(message))
        note.display = bool(message)
        first = next((f.name for f in self.fields if f.name in errors), None)
        if first:
            self.query_one(f"#f-{first}").focus()

    def action_submit(self) -> None:
        values = self.values()
        try:
            result = self.save(values) if self.version is None else self.save(values, self.version)
        except Conflict as exc:
            self.show_conflict(exc)
            return
        except FieldErrors as exc:
            known = {k: v for k, v in exc.fields.items() if any(f.name == k for f in self.fields)}
            other = [f"{k}: {v}" for k, v in exc.fields.items() if k not in known]
            self.show_errors(known, "; ".join(other))
            return
        except PmtuiError as exc:  # bad input, or a store that is locked, full or gone: keep the text
            self.show_errors({}, f"⚠ {exc.message}")
            return
        self.dismiss(values if result is None else result)

    # ------------------------------------------------------------ conflicts
    def show_conflict(self, c: Conflict) -> None:
        """What the other seat wrote, beside ours (which stays in the fields)."""
        from rich.text import Text

        from pmtui.domain.seats import changed_by

        self.conflict = c
        text = Text()
        if c.current is None:
            text.append("⚠ Another seat deleted this while you were editing it. ", style="bold")
            text.append("Your text is still here: add it back, or let it go.")
            self.query_one("#conflict-mine", Button).label = "Add mine back"
            self.query_one("#conflict-theirs", Button).label = "Let it go"
            self.query_one("#conflict-both").display = False
        else:
            said = changed_by(c.changed_by, c.changed_at, review_zone(self.app))  # the review's clock
            text.append(f"⚠ {said[0].upper()}{said[1:]} while you were editing. ", style="bold")
            text.append("Theirs:")
            labels = {f.name: f.label for f in self.fields}
            mine = self.values()
            for name, theirs in c.current.items():
                if name in labels and _shown(theirs) != _shown(mine.get(name)):
                    text.append(f"\n  {labels[name]}: ", style="dim")
                    text.append_text(literal(_shown(theirs)))
            text.append("\nYours stays in the fields until you choose.")
            self.query_one("#conflict-mine", Button).label = "Keep mine"
            self.query_one("#conflict-theirs", Button).label = "Take theirs"
            self.query_one("#conflict-both").display = True
        self.query_one("#form-conflict-text", Static).update(text)
        self.query_one("#form-conflict").display = True
        self.query_one("#form").add_class("-conflict")
        self.query_one("#conflict-mine").focus()

    def _resolved(self) -> Conflict | None:
        c, self.conflict = self.conflict, None
        self.query_one("#form-conflict").display = False
        self.query_one("#form").remove_class("-conflict")
        return c

    @on(Button.Pressed, "#conflict-mine")
    def keep_mine(self) -> None:
        c = self._resolved()
        if c is None:
            return
        if c.current is None:
            if self.readd is None:
                self.dismiss(None)
                return
            try:
                result = self.readd(self.values())
            except PmtuiError as exc:
                self.show_errors({}, f"⚠ {exc.message}")
                return
            self.dismiss(result)
            return
        self.version = c.current_version
        self.action_submit()

    @on(Button.Pressed, "#conflict-theirs")
    def take_theirs(self) -> None:
        c = self._resolved()
        if c is None:
            return
        from pmtui.screens import _kept

        kept = _kept.form_replaced(self, self.changed_texts(), deleted=c.current is None)  # never dropped
        if c.current is None:
            self.dismiss(None)
            return
        self.version = c.current_version
        for name, value in c.current.items():
            self._set(name, value)
        self._initial = self.values()
        self.notify("Took the other seat's version; nothing of yours was saved"
                    + ("; yours is put aside (ctrl+n brings it back)." if kept else "."), timeout=4)

    @on(Button.Pressed, "#conflict-both")
    def keep_both(self) -> None:
        from pmtui.domain.seats import keep_both

        c = self._resolved()
        if c is None or c.current is None:
            return
        mine = self.values()
        kinds = {f.name: f.kind for f in self.fields}
        for name, theirs in c.current.items():
            if isinstance(theirs, str) and isinstance(mine.get(name), str) and kinds.get(name) in ("text", "area"):
                self._set(name, keep_both(mine[name], theirs, "\n" if kinds[name] == "area" else " / "))
        self.version = c.current_version
        self.action_submit()

    def _set(self, name: str, value: Any) -> None:
        found = self.query(f"#f-{name}")
        if not found:
            return
        w = found.first()
        if isinstance(w, TextArea):
            w.load_text(visible(_shown(value)))
        elif isinstance(w, Input):
            w.value = visible(_shown(value))
        elif isinstance(w, (Select, Checkbox)):
            w.value = value

    def action_close(self) -> None:
        if self.values() == self._initial or self._discard_armed or not self.escape_saves:
            self.dismiss(None)
            return
        self.action_submit()
        if self.is_attached and self.app.screen is self:
            self._discard_armed = True
            note = self.query_one("#form-message", Static)
            note.update(literal(f"{self._message}\nFix what is marked, or press Esc again to discard your changes.".strip()))
            note.display = True

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-save")
    def _save_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#form-discard")
    def _discard_pressed(self) -> None:
        self.dismiss(None)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: Input.Changed | TextArea.Changed | Select.Changed | Checkbox.Changed) -> None:
        self._discard_armed = False
        widget = event.control if hasattr(event, "control") else None
        if isinstance(widget, Select) and widget.id and not self._suggesting and widget.has_focus_within:
            self._chosen.add(widget.id[2:])  # chosen by a person: never replaced by a suggestion
        if isinstance(widget, (Input, TextArea)):
            self._suggest()
        if isinstance(widget, (Input, TextArea)) and widget.id and widget.id.startswith("f-"):
            nudge = self.query(f"#n-{widget.id[2:]}")
            if nudge:
                nudge.first(NudgeLine).check(widget.text if isinstance(widget, TextArea) else widget.value)


def _shown(value: Any) -> str:
    return "" if value is None else str(value)
