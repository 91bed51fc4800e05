"""Home: the reviews in the store, newest first; type to filter."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import ReviewSummary

EMPTY_TEXT = """\
No reviews yet.

  Press [b]n[/b] to start a new review, or run [b]pmtui demo[/b] to explore an example one.
  Reviews can also be imported: [b]pmtui import review.json[/b]
"""


class HomeScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="home.filter"),
    ]

    class ReviewsLoaded(Message):
        def __init__(self, reviews: list[ReviewSummary]) -> None:
            super().__init__()
            self.reviews = reviews

    def __init__(self) -> None:
        super().__init__()
        self.reviews: list[ReviewSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Type to filter reviews by title, slug, severity or status", id="home-filter")
        yield Static("Loading reviews…", id="home-empty")
        table = DataTable(id="home-table", cursor_type="row", zebra_stripes=True)
        table.display = False
        yield table
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", key="date")
        table.add_column("Title", key="title")
        table.add_column("Severity", key="severity")
        table.add_column("Status", key="status")
        table.add_column("Open actions", key="actions")
        self.reload()

    @work(thread=True, exclusive=True, group="home-load")
    def reload(self) -> None:
        reviews = self.app.store.list_reviews()
        self.post_message(self.ReviewsLoaded(reviews))

    def on_home_screen_reviews_loaded(self, message: ReviewsLoaded) -> None:
        self.reviews = message.reviews
        self.refill()

    def _matches(self, review: ReviewSummary, needle: str) -> bool:
        hay = " ".join([review.title, review.slug, review.severity or "", review.status]).lower()
        return all(word in hay for word in needle.lower().split())

    def refill(self) -> None:
        table = self.query_one(DataTable)
        needle = self.query_one("#home-filter", Input).value
        shown = [r for r in self.reviews if self._matches(r, needle)]
        table.clear()
        today = date.today()
        for r in shown:
            day = r.first_event_date
            actions = str(r.open_actions)
            if r.overdue_actions:
                actions += f" ({r.overdue_actions} overdue)"
            table.add_row(
                day.isoformat() if day else "no events",
                r.title.replace("\n", " "),
                r.severity or "—",
                r.status.replace("_", " "),
                actions,
                key=str(r.id),
            )
        del today
        empty = self.query_one("#home-empty", Static)
        if not self.reviews:
            empty.update(EMPTY_TEXT)
        elif not shown:
            empty.update(f"No review matches “{needle}”. Press Escape to clear the filter.")
        empty.display = not shown
        table.display = bool(shown)

    @on(Input.Changed, "#home-filter")
    def _filter_changed(self) -> None:
        self.refill()

    def action_focus_filter(self) -> None:
        self.query_one("#home-filter", Input).focus()
