"""The list of reviews on the home screen: a virtual table that draws only the rows on
screen (Textual's Line API). Setting its rows is one step, however many there are, so
100,000 reviews show as fast as ten and keys stay responsive; and two refills can never
interleave (the cause of the DuplicateKey crashes of a table filled in parts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from pmtui.safetext import one_line
from pmtui.widgets.virtual_list import VirtualList, cursor_keys, cut

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import ReviewSummary

COLUMNS = [("Date", 10), ("Title", 0), ("Severity", 8), ("Status", 9), ("Open", 4), ("Overdue", 7)]


def fit(text: str, width: int) -> str:
    """``text`` on one line (control characters shown escaped), cut to ``width`` cells
    with an ellipsis, and padded."""
    return cut(one_line(text), width)


def cells(review: ReviewSummary) -> list[str]:
    """What a row shows: date, title, severity, status, open and overdue action items."""
    day = review.first_event_date
    overdue = f"⚠ {review.overdue_actions}" if review.overdue_actions else "0"
    return [day.isoformat() if day else "no events", review.title, review.severity or "—",
            review.status.replace("_", " "), str(review.open_actions), overdue]


class ReviewList(VirtualList["ReviewSummary"]):
    DEFAULT_CSS = """
    ReviewList {
        height: 1fr;
        background: $surface;
    }
    ReviewList > .reviews--header {
        text-style: bold;
        background: $panel;
        color: $text;
    }
    ReviewList > .reviews--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    ReviewList:focus > .reviews--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {"reviews--header", "reviews--cursor"}
    BINDINGS = [
        *cursor_keys("reviews", "Up", "Down", "First review", "Last review"),
        Binding("enter", "select", "Open", show=False, id="reviews.open"),
    ]

    class Selected(Message):
        """Enter, or a click on the row under the cursor."""

        def __init__(self, reviews: ReviewList, review: ReviewSummary) -> None:
            super().__init__()
            self.reviews = reviews
            self.review = review

        @property
        def control(self) -> ReviewList:
            return self.reviews

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[ReviewSummary] = []
        self._end_asked = False  # End put the cursor on the last row, and it has not moved since

    # ------------------------------------------------------------ data
    def set_rows(self, rows: list[ReviewSummary], keep_id: int | None = None, follow_end: bool = False) -> None:
        """Show these reviews (all at once); the cursor stays on ``keep_id`` when shown.
        ``follow_end``: these rows complete the ones shown (the first page read before the
        whole list), and a cursor that End put on the last row goes to the new last row."""
        at_end = self._end_asked and bool(self.rows) and self.cursor == len(self.rows) - 1
        self.rows = rows
        self.virtual_size = Size(0, len(rows) + 1)  # never scrolls sideways
        target = 0
        if follow_end and at_end:
            target = len(rows) - 1
        elif keep_id is not None:
            target = next((i for i, r in enumerate(rows) if r.id == keep_id), 0)
        self.cursor = target
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def _body(self) -> int:
        """Rows of reviews on screen: the height under the header, less a scrollbar."""
        return max(1, self.scrollable_content_region.height - 1)

    def watch_cursor(self) -> None:
        if self.cursor != len(self.rows) - 1:
            self._end_asked = False
        body = self._body()
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + body:
            self.scroll_to(y=self.cursor - body + 1, animate=False)
        self.refresh()

    # ------------------------------------------------------------ keys
    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self._body() - 1)

    def action_jump(self, where: int) -> None:
        super().action_jump(where)
        self._end_asked = where != 0

    def action_select(self) -> None:
        if self.selected is not None:
            self.post_message(self.Selected(self, self.selected))

    def on_click(self, event: events.Click) -> None:
        index = event.y - 1 + int(self.scroll_y)
        if event.y >= 1 and 0 <= index < len(self.rows):
            if index == self.cursor:
                self.action_select()
            self.cursor = index
        self.focus()

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self.rows) + 1)

    # ------------------------------------------------------------ drawing
    def widths(self, width: int) -> list[int]:
        fixed = sum(w for _, w in COLUMNS if w) + len(COLUMNS) - 1
        return [w or max(10, width - fixed) for _, w in COLUMNS]

    def line_text(self, index: int) -> str:
        """The row as it is drawn (for tests and for reading the screen)."""
        return " ".join(fit(c, w) for c, w in zip(cells(self.rows[index]), self.widths(self._width() or 100)))

    def _width(self) -> int:
        """Cells a row has: the width less the vertical scrollbar (a row drawn under it
        would lose its last column)."""
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        width = self._width()
        widths = self.widths(width)
        base = self.rich_style
        if y == 0:
            style = self.get_component_rich_style("reviews--header")
            segments = []
            for (name, _), w in zip(COLUMNS, widths):
                segments += [Segment(fit(name, w), style), Segment(" ", style)]
            return Strip(segments).crop(0, width).extend_cell_length(width, style)
        index = y - 1 + int(self.scroll_y)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        style = base
        if index == self.cursor:
            cursor = self.get_component_rich_style("reviews--cursor")
            style = base + Style(bgcolor=cursor.bgcolor, color=cursor.color, bold=cursor.bold)
        segments = []
        for cell, w in zip(cells(self.rows[index]), widths):
            segments += [Segment(fit(cell, w), style), Segment(" ", style)]
        return Strip(segments).crop(0, width).extend_cell_length(width, style)
