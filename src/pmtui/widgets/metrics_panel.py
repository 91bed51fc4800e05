"""The metrics panel: time to detect, respond, mitigate, resolve and impact duration,
recomputed from the marks whenever they change."""

from __future__ import annotations

from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pmtui.metrics import compute, format_duration


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

    def on_mount(self) -> None:
        self.border_title = "Metrics"

    def render(self) -> Table:
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, justify="right")
        for m in compute(self.marks):
            if m.value is not None:
                value = Text(format_duration(m.value), style="bold")
            elif m.negative:
                value = Text("not computable", style="bold red")
            else:
                value = Text("— no " + " / ".join(x.replace("_", " ") for x in m.missing), style="dim")
            table.add_row(m.label, value)
        return table
