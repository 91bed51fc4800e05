"""Help: every key of the screen underneath, grouped where it applies."""

from __future__ import annotations

from collections.abc import Iterator

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from pmtui.keys import help_rows, is_everywhere, with_keymap
from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import TypedApp

TIMELINE_INPUT = [
    ("14:03 text", "an event at 14:03 on the selected event's day, or across midnight beside it (00:05 after 23:50)"),
    ("2026-03-10 14:03 text", "an event on that day"),
    ("+5m text", "5 minutes after the selected event (also +1h30m, +90s, -2m)"),
    ("~14:03 text", "an approximate time"),
]


class HelpScreen(TypedApp, ModalScreen[None]):
    CSS_PATH = SCREENS_CSS
    BINDINGS = [Binding("escape,f1,question_mark,q", "close", "Close", id="help.close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            yield Static("Keys", id="help-title")
            with VerticalScroll():
                yield Static(self.keys_table(), id="help-keys")
            yield Static("Esc closes", classes="form-hint")

    def keys_table(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        stack = [s for s in self.app.screen_stack if s is not self]
        under = stack[-1] if stack else None
        keymap = self.app._keymap
        bindings = with_keymap([b for node in (self._binding_nodes(under) if under is not None else [])
                                for b in self._bindings_of(node)], keymap)
        rows = help_rows(b for b in bindings if not is_everywhere(b))
        if rows:
            table.add_row(Text("This screen", style="underline"), "")
            for key, desc in rows:
                table.add_row(key, desc)
            table.add_row("", "")
        if type(under).__name__ == "TimelineScreen":
            table.add_row(Text("Quick add (a)", style="underline"), "")
            for key, desc in TIMELINE_INPUT:
                table.add_row(key, desc)
            table.add_row("", "")
        table.add_row(Text("Everywhere", style="underline"), "")
        everywhere = with_keymap([b for b in type(self.app).BINDINGS if isinstance(b, Binding) and is_everywhere(b)],
                                 keymap)
        for key, desc in help_rows(everywhere + [b for b in bindings if is_everywhere(b)]):
            table.add_row(key, desc)
        return table

    @staticmethod
    def _bindings_of(node: DOMNode) -> list[Binding]:
        """The node's bindings in the order declared (a subclass's after its base's)."""
        return [b for bindings in node._bindings.key_to_bindings.values() for b in bindings]

    @staticmethod
    def _binding_nodes(screen: Screen[object]) -> Iterator[DOMNode]:
        from pmtui.widgets.list_editor import ListEditor
        from pmtui.widgets.timeline_table import TimelineTable

        yield screen
        yield from screen.query(ListEditor).results()
        yield from screen.query(TimelineTable).results()

    def action_close(self) -> None:
        self.dismiss(None)
