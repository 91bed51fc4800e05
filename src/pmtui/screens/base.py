"""What every section of a review shares: the header, the stage bar, keys to move
between sections, the footer, and refreshing from the store."""

from __future__ import annotations

from typing import Any, Iterable

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from pmtui.errors import BadInput, FieldErrors
from pmtui.widgets.field import Field
from pmtui.widgets.stage_bar import SECTION_LABELS, SECTIONS, StageBar


class SectionScreen(Screen[None]):
    SECTION = "overview"
    BINDINGS = [
        Binding("f2", "section('overview')", "Overview", show=False, id="go.overview"),
        Binding("f3", "section('timeline')", "Timeline", show=False, id="go.timeline"),
        Binding("f4", "section('impact')", "Impact", show=False, id="go.impact"),
        Binding("f5", "section('analysis')", "Analysis", show=False, id="go.analysis"),
        Binding("f6", "section('actions')", "Actions", show=False, id="go.actions"),
        Binding("f7", "section('report')", "Report", show=False, id="go.report"),
        Binding("ctrl+right", "step(1)", "Next section", show=False, id="go.next"),
        Binding("ctrl+left", "step(-1)", "Previous section", show=False, id="go.prev"),
        Binding("escape", "home", "Reviews", id="go.home"),
    ]

    def __init__(self, review_id: int) -> None:
        super().__init__()
        self.review_id = review_id
        self.review: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield StageBar()
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def on_mount(self) -> None:
        self.query_one(StageBar).section = self.SECTION
        self.load_review()

    def on_resize(self) -> None:
        self.set_class(self.size.width < 110, "-narrow")

    def load_review(self) -> None:
        self.review = self.app.store.get_review(self.review_id)
        self.title = self.review["title"].replace("\n", " ")
        self.sub_title = SECTION_LABELS[self.SECTION]

    def on_screen_resume(self) -> None:
        self.refresh_from_store()

    def refresh_from_store(self) -> None:
        """Show what the store holds now (after an undo, or another process's change)."""
        from pmtui.widgets.list_editor import ListEditor

        self.load_review()
        for field in self.query(Field):
            if field.field_name in self.review:
                field.set_value(self.review[field.field_name])
        for editor in self.query(ListEditor):
            editor.reload()

    # ------------------------------------------------------------ fields
    def flush(self) -> None:
        """Confirm every field the user changed (before leaving the screen)."""
        for field in self.query(Field):
            field.confirm()

    def on_field_confirmed(self, message: Field.Confirmed) -> None:
        name = message.field.field_name
        try:
            stored = self.save_field(name, message.value)
        except FieldErrors as exc:
            message.field.set_error(exc.fields.get(name, exc.message))
            return
        except BadInput as exc:
            message.field.set_error(exc.message)
            return
        message.field.saved = stored
        message.field.set_error(None)
        self.load_review()

    def save_field(self, name: str, value: Any) -> Any:
        return self.app.store.update_review(self.review_id, **{name: value})[name]

    # ------------------------------------------------------------ navigation
    def action_section(self, section: str) -> None:
        if section == self.SECTION:
            return
        self.flush()
        self.app.show_section(self.review_id, section)

    def action_step(self, offset: int) -> None:
        i = SECTIONS.index(self.SECTION)
        self.action_section(SECTIONS[(i + offset) % len(SECTIONS)])

    def action_home(self) -> None:
        self.flush()
        self.app.pop_screen()

    def palette_commands(self) -> Iterable[SystemCommand]:
        for section in SECTIONS:
            if section != self.SECTION:
                yield SystemCommand(f"Go to: {SECTION_LABELS[section]}", f"Show the review's {section} section",
                                    lambda s=section: self.action_section(s))
        seen = set()
        for key, active in self.app.active_bindings.items():
            b = active.binding
            if not b.description or b.action in seen or b.action.startswith(("section", "app.", "command_palette")):
                continue
            if b.action in ("quit", "help", "undo", "home", "step(1)", "step(-1)"):
                continue
            seen.add(b.action)
            node = active.node
            yield SystemCommand(f"{SECTION_LABELS[self.SECTION]}: {b.description}", f"key: {b.key_display or key}",
                                lambda b=b, node=node: self.app.run_action(b.action, node))
