"""Help: every key of the screen underneath, grouped where it applies."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

GENERAL = [
    ("F1  ?", "this help (? when no text field has focus)"),
    ("F2 … F7", "Overview, Timeline, Impact, Analysis, Actions, Report"),
    ("ctrl+← ctrl+→", "previous / next section"),
    ("ctrl+p", "command palette: every action by name"),
    ("ctrl+z", "undo the last delete"),
    ("Esc", "back (to the list of reviews); in a form: save and close"),
    ("ctrl+q", "quit (everything is already saved)"),
]
TIMELINE_INPUT = [
    ("14:03 text", "an event at 14:03 on the selected event's day"),
    ("2026-03-10 14:03 text", "an event on that day"),
    ("+5m text", "5 minutes after the selected event (also +1h30m, +90s, -2m)"),
    ("~14:03 text", "an approximate time"),
]


class HelpScreen(ModalScreen[None]):
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
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        for node in self._nodes(under) if under is not None else []:
            for bindings in node._bindings.key_to_bindings.values():
                for binding in bindings:
                    if not binding.description or binding.key in seen:
                        continue
                    if binding.action.startswith("section") or binding.action in ("home", "help", "undo", "quit"):
                        continue
                    seen.add(binding.key)
                    rows.append((binding.key_display or self.app.get_key_display(binding), binding.description))
        if rows:
            table.add_row(Text("This screen", style="underline"), "")
            for key, desc in rows:
                table.add_row(key, desc)
            table.add_row("", "")
        if type(under).__name__ == "TimelineScreen":
            table.add_row(Text("Quick add (a)", style="underline"), "")
            for key, desc in TIMELINE_INPUT:
                table.add_row(key, desc)
            table.add_row("1 … 6", "set or clear a mark: impact starts, detected, response starts, mitigated, "
                                   "impact ends, resolved (a mark moves from any other event)")
            table.add_row("", "")
        table.add_row(Text("Everywhere", style="underline"), "")
        for key, desc in GENERAL:
            table.add_row(key, desc)
        return table

    @staticmethod
    def _nodes(screen):
        from pmtui.widgets.list_editor import ListEditor
        from pmtui.widgets.timeline_table import TimelineTable

        yield screen
        yield from screen.query(ListEditor).results()
        yield from screen.query(TimelineTable).results()

    def action_close(self) -> None:
        self.dismiss(None)
