"""A virtual timeline table: draws only the rows on screen (Textual's Line API), so
a timeline of 10,000 imported log lines opens as fast as one of ten, and moving
the cursor stays instant."""

from __future__ import annotations

from datetime import tzinfo
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pmtui.safetext import one_line
from pmtui.store import EventRow

MARK_WORDS = {
    "impact_start": "impact starts",
    "detected": "detected",
    "response_start": "response starts",
    "mitigated": "mitigated",
    "impact_end": "impact ends",
    "resolved": "resolved",
}
KIND_SHORT = {"communication": "comms"}


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` cells (with an ellipsis) and pad it."""
    text = one_line(" ".join(text.split()))
    if cell_len(text) > width:
        out, used = [], 0
        for ch in text:
            w = cell_len(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
    return text + " " * max(0, width - cell_len(text))


class TimelineTable(ScrollView, can_focus=True):
    """The review's events, one line each: time, kind, text, source, marks."""

    DEFAULT_CSS = """
    TimelineTable {
        height: 1fr;
        background: $surface;
    }
    TimelineTable > .timeline--header {
        text-style: bold;
        background: $panel;
        color: $text;
    }
    TimelineTable > .timeline--cursor {
        background: $accent 60%;
        color: $text;
        text-style: bold;
    }
    TimelineTable:blur > .timeline--cursor {
        background: $accent 30%;
    }
    TimelineTable > .timeline--highlight {
        text-style: bold;
        color: $warning;
    }
    TimelineTable > .timeline--mark {
        color: $success;
        text-style: bold;
    }
    TimelineTable > .timeline--muted {
        color: $text-muted;
    }
    """
    COMPONENT_CLASSES = {
        "timeline--header", "timeline--cursor", "timeline--highlight", "timeline--mark", "timeline--muted",
    }
    BINDINGS = [
        Binding("up", "cursor(-1)", "Previous event", show=False, id="timeline.up"),
        Binding("down", "cursor(1)", "Next event", show=False, id="timeline.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="timeline.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="timeline.pagedown"),
        Binding("home", "jump(0)", "First event", show=False, id="timeline.first"),
        Binding("end", "jump(-1)", "Last event", show=False, id="timeline.last"),
    ]

    cursor = reactive(0, always_update=True)

    class EventSelected(Message):
        """The cursor moved to another event (``event`` is None when empty)."""

        def __init__(self, table: TimelineTable, event: EventRow | None) -> None:
            super().__init__()
            self.table = table
            self.event = event

        @property
        def control(self) -> TimelineTable:
            return self.table

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows: list[EventRow] = []
        self.zone: tzinfo = ZoneInfo("UTC")

    # ------------------------------------------------------------ data
    def set_events(self, rows: list[EventRow], zone: tzinfo, keep_id: int | None = None) -> None:
        """Show these events; the cursor stays on ``keep_id`` (or its position)."""
        self.rows = rows
        self.zone = zone
        self.virtual_size = Size(self.size.width, len(rows) + 1)
        target = self.cursor
        if keep_id is not None:
            index_of = getattr(rows, "index_of", None)  # a long timeline read by pages (pmtui.timeline_rows)
            found = index_of(keep_id) if index_of else next((i for i, r in enumerate(rows) if r.id == keep_id), None)
            target = target if found is None else found
        self.cursor = max(0, min(target, len(rows) - 1))
        self.refresh()

    @property
    def selected(self) -> EventRow | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.EventSelected(self, self.selected))

    def _scroll_cursor_into_view(self) -> None:
        body = max(1, self.size.height - 1)
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False)

    # ------------------------------------------------------------ keys
    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.size.height - 2)

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else len(self.rows) - 1

    def on_click(self, event: events.Click) -> None:
        y = event.y - 1 + int(self.scroll_y)
        if event.y >= 1 and 0 <= y < len(self.rows):
            self.cursor = y
        self.focus()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    # ------------------------------------------------------------ drawing
    def _columns(self, width: int) -> list[tuple[str, int]]:
        time_w, kind_w, mark_w = 17 if width < 140 else 22, 8 if width < 110 else 13, 15 if width < 110 else 24
        source_w = 0 if width < 100 else min(22, width // 8)
        gutter = 2
        text_w = max(10, width - gutter - time_w - kind_w - mark_w - source_w - (5 if source_w else 4))
        cols = [("", gutter), ("Time", time_w), ("Kind", kind_w), ("Event", text_w)]
        if source_w:
            cols.append(("Source", source_w))
        cols.append(("Marks", mark_w))
        return cols

    def _cells(self, index: int, cols: list[tuple[str, int]]) -> list[str]:
        row = self.rows[index]
        local = row.at.astimezone(self.zone)
        first_of_day = index == 0 or self.rows[index - 1].at.astimezone(self.zone).date() != local.date()
        clock = "%H:%M:%S" if local.second else "%H:%M"
        when = local.strftime(("%Y-%m-%d " if first_of_day else "") + clock)
        if row.approximate:
            when = "~" + when
        kind = row.kind if len(row.kind) <= cols[2][1] else KIND_SHORT.get(row.kind, row.kind[: cols[2][1]])
        marks = ", ".join(MARK_WORDS.get(m, m) for m in row.marks)
        cells = ["★" if row.highlight else "", when, kind, row.text]
        if len(cols) == 6:
            cells.append(row.source)
        cells.append(marks)
        return cells

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        cols = self._columns(width)
        if y == 0:
            style = self.get_component_rich_style("timeline--header")
            zone = getattr(self.zone, "key", str(self.zone))
            names = [name if name != "Time" else f"Time ({zone})" for name, _ in cols]
            segments = []
            for n, (_, w) in zip(names, cols):
                segments += [Segment(_fit(n, w), style), Segment(" ", style)]
            return Strip(segments).crop(0, width).extend_cell_length(width, style)
        index = y - 1 + int(self.scroll_y)
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        row = self.rows[index]
        cells = self._cells(index, cols)
        segments: list[Segment] = []
        row_style = base
        if row.highlight:
            row_style = base + self.get_component_rich_style("timeline--highlight", partial=True)
        for i, ((_, w), cell) in enumerate(zip(cols, cells)):
            style = row_style
            if i == len(cols) - 1 and cell:
                style = base + self.get_component_rich_style("timeline--mark", partial=True)
            elif cols[i][0] in ("Source", "Kind"):
                style = base + self.get_component_rich_style("timeline--muted", partial=True)
            segments.append(Segment(_fit(cell, w), style))
            segments.append(Segment(" ", base))
        strip = Strip(segments).crop(0, width)
        if index == self.cursor:
            cursor = self.get_component_rich_style("timeline--cursor")
            strip = strip.apply_style(Style(bgcolor=cursor.bgcolor, bold=True))
        return strip.extend_cell_length(width, base)

    def row_region(self, index: int) -> Region:
        return Region(0, index + 1, self.size.width, 1)
