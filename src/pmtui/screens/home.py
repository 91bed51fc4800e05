"""Home: the reviews in the store, newest first; type to filter."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

if TYPE_CHECKING:  # pragma: no cover
    from textual.widgets import DataTable

    from pmtui.store import ReviewSummary

FIRST_ROWS = 60  # rows shown in the first frame after loading; the rest follow at once

EMPTY_TEXT = """\
No reviews yet.

  Press [b]ctrl+n[/b] to start a new review, or run [b]pmtui demo[/b] to explore an example one.
  Reviews can also be imported: [b]pmtui import review.json[/b]
"""


class HomeScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+n", "new", "New review", id="home.new", priority=True),
        Binding("enter", "open", "Open", id="home.open"),
        Binding("ctrl+d", "delete", "Delete", id="home.delete", priority=True),
        Binding("down", "move(1)", "Down", show=False, id="home.down"),
        Binding("up", "move(-1)", "Up", show=False, id="home.up"),
        Binding("pagedown", "move(10)", "Page down", show=False, id="home.pgdn"),
        Binding("pageup", "move(-10)", "Page up", show=False, id="home.pgup"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="home.clear"),
        Binding("slash", "focus_filter", "Filter", show=False, id="home.filter"),
        Binding("f6", "followups", "Follow-ups", id="home.followups"),
        Binding("f5", "patterns", "Patterns", id="home.patterns"),
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
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def _table(self) -> DataTable:
        """The review table, made when the first reviews arrive (keeps the first frame cheap)."""
        from textual.widgets import DataTable

        found = self.query(DataTable)
        if found:
            return found.first()
        table = DataTable(id="home-table", cursor_type="row", zebra_stripes=True)
        self.mount(table, after=self.query_one("#home-empty"))
        return table

    def _columns(self, table: DataTable) -> None:
        """The title takes the room the other columns leave, so that the open and
        overdue counts stay on screen at any width."""
        widths = {"date": 10, "severity": 10, "status": 9, "actions": 4, "overdue": 7}
        title = max(16, self.size.width - sum(widths.values()) - 2 * (len(widths) + 1) - 3)
        table.clear(columns=True)
        table.add_column("Date", key="date", width=widths["date"])
        table.add_column("Title", key="title", width=title)
        table.add_column("Severity", key="severity", width=widths["severity"])
        table.add_column("Status", key="status", width=widths["status"])
        table.add_column("Open", key="actions", width=widths["actions"])
        table.add_column("Overdue", key="overdue", width=widths["overdue"])
        self._width = self.size.width

    @work(thread=True, exclusive=True, group="home-load")
    def reload(self) -> None:
        reviews = self.app.store.list_reviews(self.app.today())
        self.post_message(self.ReviewsLoaded(reviews))

    def on_home_screen_reviews_loaded(self, message: ReviewsLoaded) -> None:
        self.reviews = message.reviews
        self.refill()
        if not getattr(self.app, "_store_warm", False):  # once the list is on screen
            self.app._store_warm = True
            self.call_after_refresh(self._warm_up)

    @work(thread=True, group="home-warm")
    def _warm_up(self) -> None:
        """Load the database layer in the background after the first screen, so that
        Follow-ups, Patterns and opening a review do not wait for it."""
        import pmtui.store_followup  # noqa: F401

        self.app.store.engine

    def _matches(self, review: ReviewSummary, needle: str) -> bool:
        hay = " ".join([review.title, review.slug, review.severity or "", review.status]).lower()
        return all(word in hay for word in needle.lower().split())

    def refill(self) -> None:
        table = self._table()
        needle = self.query_one("#home-filter", Input).value
        shown = [r for r in self.reviews if self._matches(r, needle)]
        self._columns(table)
        self._add_rows(table, shown[:FIRST_ROWS])
        self._fill_count = getattr(self, "_fill_count", 0) + 1
        if len(shown) > FIRST_ROWS:
            self.call_after_refresh(self._add_rest, table, shown[FIRST_ROWS:], self._fill_count)
        empty = self.query_one("#home-empty", Static)
        if not self.reviews:
            empty.update(EMPTY_TEXT)
        elif not shown:
            empty.update(f"No review matches “{needle}”. Press Escape to clear the filter.")
        empty.display = not shown
        table.display = bool(shown)

    def _add_rest(self, table: DataTable, reviews: list[ReviewSummary], fill: int) -> None:
        """The rows after the first screen, a thousand per refresh (keys stay responsive)."""
        if not self.is_current:  # another screen is on top: coming back refills the list anyway
            return
        if fill == self._fill_count:  # not refilled since (a resize, the filter)
            self._add_rows(table, reviews[:1000])
            if len(reviews) > 1000:
                self.call_after_refresh(self._add_rest, table, reviews[1000:], fill)

    @staticmethod
    def _add_rows(table: DataTable, reviews: list[ReviewSummary]) -> None:
        for r in reviews:
            day = r.first_event_date
            overdue = Text(f"⚠ {r.overdue_actions}", style="bold red") if r.overdue_actions else Text("0", style="dim")
            table.add_row(
                day.isoformat() if day else "no events",
                r.title.replace("\n", " "),
                r.severity or "—",
                r.status.replace("_", " "),
                str(r.open_actions),
                overdue,
                key=str(r.id),
            )

    def on_resize(self) -> None:
        if self.reviews and self.size.width != getattr(self, "_width", 0):
            self.refill()

    @on(Input.Changed, "#home-filter")
    def _filter_changed(self) -> None:
        self.refill()

    def action_focus_filter(self) -> None:
        self.query_one("#home-filter", Input).focus()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Reviews: Follow-ups", "every action item of every review, overdue first (F6)",
                            self.action_followups)
        yield SystemCommand("Reviews: Patterns", "what recurs across reviews, and follow-through (F5)",
                            self.action_patterns)

    def action_followups(self) -> None:
        from pmtui.screens.followups import FollowupsScreen

        self.app.push_screen(FollowupsScreen())

    def action_patterns(self) -> None:
        from pmtui.screens.patterns import PatternsScreen

        self.app.push_screen(PatternsScreen())

    def on_screen_resume(self) -> None:
        self.reload()

    def refresh_from_store(self) -> None:
        self.reload()

    def selected(self) -> ReviewSummary | None:
        table = self._table()
        if not table.display or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((r for r in self.reviews if str(r.id) == key), None)

    def action_move(self, offset: int) -> None:
        table = self._table()
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + offset)))

    def action_clear_filter(self) -> None:
        self.query_one("#home-filter", Input).value = ""

    @on(Input.Submitted, "#home-filter")
    def _enter(self) -> None:
        self.action_open()

    def on_data_table_row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        review = self.selected()
        if review is not None:
            self.app.open_review(review.id, "overview")

    def action_new(self) -> None:
        from pmtui.screens.dialogs import PromptScreen

        def check(title: str) -> None:
            self._created = self.app.store.create_review(title)

        def done(title: str | None) -> None:
            if title is not None:
                review_id, _slug = self._created
                self.app.open_review(review_id, "overview")

        self.app.push_screen(PromptScreen("Title of the new review", placeholder="Checkout latency after cache deploy",
                                          check=check), done)

    def action_delete(self) -> None:
        from pmtui.screens.dialogs import ConfirmScreen

        review = self.selected()
        if review is None:
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.app.store.delete_review(review.id)
                self.app.notify(f"Deleted “{review.title}”", timeout=3)
                self.reload()

        self.app.push_screen(ConfirmScreen(
            f"Delete the review “{review.title}” ({review.slug}) with its timeline, action items and notes?\n"
            "This cannot be undone. Export it first if you may need it."), done)
