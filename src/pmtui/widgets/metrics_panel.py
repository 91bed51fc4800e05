"""The metrics panel: time to detect, respond, mitigate, resolve and impact duration,
recomputed from the marks whenever they change."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pmtui.domain.metrics import compute, format_duration
from pmtui.domain.vocab import MARK_WORDS, Mark

# the timeline's keys for the marks: 1-6 in the vocabulary's order
MARK_KEYS: dict[str, str] = {m.value: str(i + 1) for i, m in enumerate(Mark)}


def mark_hint(mark: str) -> str:
    """``2 detected``: the key that sets a mark on the timeline, and its words."""
    return f"{MARK_KEYS[mark]} {MARK_WORDS[Mark(mark)]}"


class MetricsPanel(Widget):
    DEFAULT_CSS = """
    MetricsPanel {
        height: auto;
        padding: 0 1;
        border: round $primary;
        border-title-color: $text;
    }
    """

    marks: reactive[dict[str, datetime]] = reactive(dict, always_update=True)
    on_timeline: reactive[bool] = reactive(True)
    """Beside the timeline, where 1-6 set the marks; elsewhere the hints say to go there (F3)."""

    def __init__(self, *, id: str | None = None, on_timeline: bool = True) -> None:
        super().__init__(id=id)
        self.set_reactive(MetricsPanel.on_timeline, on_timeline)

    def on_mount(self) -> None:
        self.border_title = "Metrics"

    def render(self) -> Table | Text:
        if not self.marks:  # nothing to compute yet: say in plain words what to do, with the keys
            where = "Select" if self.on_timeline else "On the Timeline (F3), select"
            return Text.assemble(
                ("No times yet: they come from marks on the timeline. ", "bold"),
                f"{where} the event where customers were first affected and press 1 (impact starts); "
                f"then 2 where it was detected, 3 response starts, 4 mitigated, 5 impact ends, 6 resolved.",
            )
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(justify="right", overflow="fold")
        for m in compute(self.marks):
            if m.value is not None:
                value = Text(format_duration(m.value), style="bold")
            elif m.negative:
                value = Text("not computable", style="bold red")
            else:
                keys = " and ".join(mark_hint(x) for x in m.missing)
                value = Text(("press " if self.on_timeline else "mark ") + keys, style="dim")
            table.add_row(m.label, value)
        return table
