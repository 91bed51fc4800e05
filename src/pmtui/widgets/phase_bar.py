"""The phase bar: impact start → detected → mitigated → impact end, drawn to scale.

Each phase has its own fill character as well as its own colour, and its name,
so it reads the same on a monochrome screen share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pmtui.domain import vocab
from pmtui.domain.metrics import between, format_duration

# each phase's fill and colour (the phases themselves are the vocabulary's)
PHASES = [(p.name, p.start.value, p.end.value, fill, colour)
          for p, (fill, colour) in zip(vocab.PHASES, (("█", "red"), ("▓", "yellow"), ("▒", "green")))]


class PhaseBar(Widget):
    DEFAULT_CSS = """
    PhaseBar {
        height: 3;
        padding: 0 1;
    }
    """

    marks: reactive[dict[str, datetime]] = reactive(dict, always_update=True)

    def phases(self) -> list[tuple[str, datetime, datetime, str, str]]:
        out = []
        for name, start, end, char, colour in PHASES:
            a, b = self.marks.get(start), self.marks.get(end)
            if a is not None and b is not None and between(a, b) >= timedelta(0):
                out.append((name, a, b, char, colour))
        return out

    def render(self) -> Text:
        width = max(10, self.size.width - 2)
        phases = self.phases()
        if not phases:
            return Text(f"Phases appear here once the timeline has the marks {vocab.mark_list(last=' and ')}.",
                        style="dim")
        # compared and subtracted in UTC: wall clocks repeat an hour when daylight saving ends
        start = min((p[1] for p in phases), key=lambda t: t.astimezone(UTC))
        end = max((p[2] for p in phases), key=lambda t: t.astimezone(UTC))
        total = between(start, end).total_seconds() or 1.0
        bar = Text(no_wrap=True)
        used = 0
        for i, (_name, _a, b, char, colour) in enumerate(phases):
            cells = round(between(start, b).total_seconds() / total * width) - used
            if i == len(phases) - 1:
                cells = width - used
            cells = max(1, cells)
            used += cells
            bar.append(char * cells, style=colour)
        legend = Text(no_wrap=True, overflow="ellipsis")
        for name, a, b, char, colour in phases:
            legend.append(f"{char} ", style=colour)
            legend.append(f"{name} {format_duration(between(a, b))}   ")
        times = Text(no_wrap=True, overflow="ellipsis")
        left = start.strftime("%H:%M")
        right = end.strftime("%H:%M")
        times.append(left + " " * max(1, width - len(left) - len(right)) + right, style="dim")
        return Text("\n").join([bar, times, legend])
