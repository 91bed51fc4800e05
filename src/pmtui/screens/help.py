"""Help: every key of the screen underneath, grouped where it applies."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from pmtui.vocab import MARK_KEYS, MARK_WORDS, Mark

GENERAL = [
    ("F1  ?", "this help (? when no text field has focus)"),
    ("ctrl+o", "Opening: ground rules, agenda, who is in the room; s starts the meeting"),
    ("F2 … F7", "Overview, Timeline, Impact, Analysis, Actions, Report"),
    ("ctrl+n", "capture a note, even while typing (? question, ! parked idea)"),
    ("ctrl+t  ctrl+g", "meeting: next stage (after the last: end) / pause and resume the clock"),
    ("F9", "next prompt card"),
    ("F10", "go to the notes panel (t, f, o, a turn a note into an event, factor, observation, action); again hides it"),
    ("F12", "presentation mode: high contrast, larger spacing, fewer panels"),
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
        keys_by_action: dict[str, list[str]] = {}
        descriptions: dict[str, str] = {}
        for node in self._binding_nodes(under) if under is not None else []:
            for bindings in node._bindings.key_to_bindings.values():
                for binding in bindings:
                    # only pmtui's own keys (they have ids); marks are listed with the timeline below
                    if not binding.id or not binding.description or binding.action.startswith(("section", "mark")):
                        continue
                    if binding.action in ("home", "help", "undo", "quit", "step(1)", "step(-1)", "next_prompt",
                                          "toggle_panel", "next_stage", "pause", "capture", "presentation"):
                        continue
                    key = binding.key_display or self.app.get_key_display(binding)
                    keys = keys_by_action.setdefault(binding.action, [])
                    if key not in keys:
                        keys.append(key)
                    descriptions.setdefault(binding.action, binding.description)
        rows = [("  ".join(keys), descriptions[action]) for action, keys in keys_by_action.items()]
        if rows:
            table.add_row(Text("This screen", style="underline"), "")
            for key, desc in rows:
                table.add_row(key, desc)
            table.add_row("", "")
        if type(under).__name__ == "TimelineScreen":
            table.add_row(Text("Quick add (a)", style="underline"), "")
            for key, desc in TIMELINE_INPUT:
                table.add_row(key, desc)
            table.add_row(f"{MARK_KEYS[Mark.impact_start]} … {MARK_KEYS[Mark.resolved]}",
                          f"set or clear a mark: {', '.join(MARK_WORDS.values())} (a mark moves from any other event)")
            table.add_row("", "")
        table.add_row(Text("Everywhere", style="underline"), "")
        for key, desc in GENERAL:
            table.add_row(key, desc)
        return table

    @staticmethod
    def _binding_nodes(screen):
        from pmtui.widgets.list_editor import ListEditor
        from pmtui.widgets.timeline_table import TimelineTable

        yield screen
        yield from screen.query(ListEditor).results()
        yield from screen.query(TimelineTable).results()

    def action_close(self) -> None:
        self.dismiss(None)
