"""A form in a modal: fields, each with its error shown next to it.

The form saves when it is confirmed (Enter in a one-line field, ctrl+s anywhere,
or Escape after a change). The ``save`` callback writes to the store and raises
FieldErrors/BadInput when something is wrong: the form then stays open with the
typed text kept and what is wrong under the field. Nothing is written until valid.
A second Escape discards changes that cannot be saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from pmtui.errors import BadInput, FieldErrors, PmtuiError
from pmtui.safetext import literal, visible
from pmtui.widgets.nudge import NudgeLine


@dataclass
class FormField:
    name: str
    label: str
    value: Any = ""
    kind: str = "text"  # text | area | select | bool | static (read-only)
    options: list[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""
    hint: str = ""


class FormScreen(ModalScreen[dict[str, Any] | None]):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Save", id="form.save"),
        Binding("escape", "close", "Close (saves)", id="form.close"),
    ]

    def __init__(self, title: str, fields: list[FormField], save: Callable[[dict[str, Any]], Any],
                 *, focus: str | None = None) -> None:
        super().__init__()
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
                        yield Static(literal(str(f.value)), id=f"f-{f.name}", classes="form-static")
                    else:
                        yield Input(visible(f.value if f.value is not None else ""), placeholder=f.placeholder,
                                    id=f"f-{f.name}")
                    if f.hint and f.kind != "bool":
                        yield Static(literal(f.hint), classes="form-hint")
                    yield Static("", id=f"e-{f.name}", classes="form-error")
                    if f.kind in ("text", "area"):
                        yield NudgeLine(id=f"n-{f.name}")
            yield Static("", id="form-message")
            with Horizontal(id="form-buttons"):
                yield Button("Save", variant="primary", id="form-save")
                yield Button("Discard", id="form-discard")
            yield Static("Enter or ctrl+s saves · Esc saves and closes", id="form-keys")

    def on_mount(self) -> None:
        for line in self.query(NudgeLine):
            name = (line.id or "n-")[2:]
            value = self.values().get(name)
            if isinstance(value, str):
                self.call_after_refresh(line.check, value)
        self._initial = self.values()
        for f in self.fields:
            self.query_one(f"#e-{f.name}").display = False
        target = self.focus_name or self.fields[0].name
        self.query_one(f"#f-{target}").focus()

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
            result = self.save(values)
        except FieldErrors as exc:
            known = {k: v for k, v in exc.fields.items() if any(f.name == k for f in self.fields)}
            other = [f"{k}: {v}" for k, v in exc.fields.items() if k not in known]
            self.show_errors(known, "; ".join(other))
            return
        except PmtuiError as exc:  # bad input, or a store that is locked, full or gone: keep the text
            self.show_errors({}, f"⚠ {exc.message}")
            return
        self.dismiss(values if result is None else result)

    def action_close(self) -> None:
        if self.values() == self._initial or self._discard_armed:
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
    def _changed(self, event) -> None:
        self._discard_armed = False
        widget = event.control if hasattr(event, "control") else None
        if isinstance(widget, (Input, TextArea)) and widget.id and widget.id.startswith("f-"):
            nudge = self.query(f"#n-{widget.id[2:]}")
            if nudge:
                nudge.first(NudgeLine).check(widget.text if isinstance(widget, TextArea) else widget.value)
