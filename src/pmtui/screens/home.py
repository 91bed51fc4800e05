"""Home: the reviews in the store, newest first; type to filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from pmtui.errors import PmtuiError
from pmtui.safetext import literal, one_line
from pmtui.ui_types import Latest, NotSaved, TypedApp
from pmtui.widgets.review_list import ReviewList

FIRST_PAGE = 100  # reviews read first, before the whole list (more than a screen holds)

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import ReviewSummary

EMPTY_TEXT = """\
No reviews yet.

  Press [b]ctrl+n[/b] to start a new review, or run [b]pmtui demo[/b] to explore an example one.
  Reviews can also be imported: [b]pmtui import review.json[/b]
"""


def _text(value: object) -> str:
    """A stored value as text, whatever type a hand edit left in its column."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


class HomeScreen(TypedApp, Screen[None]):
    BINDINGS = [
        Binding("ctrl+n,ctrl+l", "new", "New review", key_display="^n/^l", id="home.new", priority=True,
                tooltip="start a new review (ctrl+l in a browser, which keeps ctrl+n)"),
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
        Binding("ctrl+f", "search", "Search", id="home.search", priority=True,
                tooltip="search what every review says (timelines, factors, notes, action items…)"),
    ]

    class ReviewsLoaded(Latest):
        def __init__(self, reviews: list[ReviewSummary], generation: int, complete: bool = True) -> None:
            super().__init__()
            self.reviews = reviews
            self.generation = generation
            self.complete = complete  # False: only the first screen, the rest follows

    def __init__(self) -> None:
        super().__init__()
        self.reviews: list[ReviewSummary] = []
        self._haystacks: list[str] = []
        self._generation = 0  # loads asked for
        self._shown = (0, True)  # the load on screen (generation, complete): an older one is never shown
        self._resumed = False
        self._opening = 0  # Enter presses: only the newest one's review opens

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="Type to filter reviews by title, slug, severity or status", id="home-filter")
        yield Static("Loading reviews…", id="home-empty")
        yield ReviewList(id="home-table")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ReviewList).display = False
        # the list is read once the first frame is on the screen: the reading thread would
        # otherwise hold the interpreter while that frame is laid out and drawn
        self.call_after_refresh(self.reload)

    def _table(self) -> ReviewList:
        return self.query_one(ReviewList)

    def reload(self) -> None:
        """Read the list again (in a thread); only the newest read is shown."""
        self._generation += 1
        self._load(self._generation)

    @work(thread=True, group="home-load")
    def _load(self, generation: int) -> None:
        if self._shown[0] == 0:  # nothing on screen yet: the first screen first, when there is more
            from pmtui.store.home_list import first_page

            page = first_page(self.app.store.path, FIRST_PAGE) if self.app.store.kind == "sqlite" else None
            if page is not None and len(page) == FIRST_PAGE:
                self.post_message(self.ReviewsLoaded(page, generation, complete=False))
        try:
            reviews = self.app.store.list_reviews(self.app.today())
        except PmtuiError as exc:  # a damaged or locked store: say so, and keep the screen
            self.post_message(self.LoadFailed(exc.message, generation))
            return
        except (ValueError, TypeError, OverflowError) as exc:  # a row the store cannot turn into a summary
            self.post_message(self.LoadFailed(str(exc), generation))
            return
        self.post_message(self.ReviewsLoaded(reviews, generation))

    class LoadFailed(Message):
        def __init__(self, problem: str, generation: int) -> None:
            super().__init__()
            self.problem = problem
            self.generation = generation

    def on_home_screen_load_failed(self, message: LoadFailed) -> None:
        if message.generation < self._generation:
            return
        empty = self.query_one("#home-empty", Static)
        empty.update(literal(f"⚠ The list of reviews cannot be read: {message.problem}"))
        empty.display = True

    def on_home_screen_reviews_loaded(self, message: ReviewsLoaded) -> None:
        if (message.generation, message.complete) <= self._shown:
            return  # a newer load is already on screen
        completes = not self._shown[1]  # the whole list after its first page: End pressed meanwhile goes on to its end
        self._shown = (message.generation, message.complete)
        self.reviews = message.reviews
        self._haystacks = [" ".join(_text(v) for v in (r.title, r.slug, r.severity, r.status)).lower() for r in self.reviews]
        self.refill(follow_end=completes)
        if not self.app._store_warm:  # once the list is on screen
            self.app._store_warm = True
            self.call_after_refresh(self._warm_up)

    @work(thread=True, group="home-warm")
    def _warm_up(self) -> None:
        """Load the database layer in the background after the first screen, so that
        Follow-ups, Patterns and opening a review do not wait for it."""
        import gc

        import pmtui.store.followup
        import pmtui.store.models  # noqa: F401  (a section's first read of a list builds them: 0.3 s)

        _ = self.app.store.engine  # opened now, in the background
        # what is loaded by now (Textual, the database layer, this screen) lives as long as
        # the app: the garbage collector's full passes leave it out from here on. Each pass
        # over it held the interpreter, every thread's keys included, for ~0.1 s (one fell
        # in the middle of opening a review from this list)
        gc.freeze()

    def refill(self, follow_end: bool = False) -> None:
        """Show the reviews that match the filter, in one step (the list is virtual)."""
        table = self._table()
        needle = self.query_one("#home-filter", Input).value
        words = needle.lower().split()
        if words:
            shown = [r for r, hay in zip(self.reviews, self._haystacks) if all(w in hay for w in words)]
        else:
            shown = self.reviews
        current = table.selected
        table.set_rows(shown, keep_id=current.id if current else None, follow_end=follow_end)
        empty = self.query_one("#home-empty", Static)
        if not self.reviews:
            empty.update(EMPTY_TEXT)
        elif not shown and not self._shown[1]:
            empty.update("Searching every review…")
        elif not shown:
            empty.update(Text.assemble("No review matches “", literal(needle), "”. Press Escape to clear the filter."))
        empty.display = not shown
        table.display = bool(shown)

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
        yield SystemCommand("Reviews: Search", "what every review says: timelines, factors, notes… (ctrl+f)",
                            self.action_search)

    def action_search(self) -> None:
        from pmtui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_followups(self) -> None:
        from pmtui.screens.followups import FollowupsScreen

        self.app.push_screen(FollowupsScreen())

    def action_patterns(self) -> None:
        from pmtui.screens.patterns import PatternsScreen

        self.app.push_screen(PatternsScreen())

    def on_screen_resume(self) -> None:
        if not self._resumed:  # the first resume comes right after mounting, which asked for the list:
            self._resumed = True  # a second read of it would hold two lists at once (and double the work)
            return
        self.reload()

    def refresh_from_store(self) -> None:
        self.reload()

    def selected(self) -> ReviewSummary | None:
        table = self._table()
        if not table.display:
            return None
        return table.selected

    def action_move(self, offset: int) -> None:
        self._table().cursor += offset

    def action_clear_filter(self) -> None:
        self.query_one("#home-filter", Input).value = ""

    @on(Input.Submitted, "#home-filter")
    def _enter(self) -> None:
        self.action_open()

    def on_review_list_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        """Open the review under the cursor. Its stored data is checked first (one the app
        cannot show is said instead of opened), in a thread: a review of 100,000 events
        takes seconds to read, and the list keeps its keys meanwhile ("opening …" in the
        header). Enter on another review meanwhile opens that one instead."""
        review = self.selected()
        if review is None:
            return
        self._opening += 1
        self.sub_title = f"opening “{one_line(_text(review.title))}”…"
        self._check_then_open(review, self._opening)

    @work(thread=True, group="home-open")
    def _check_then_open(self, review: ReviewSummary, opening: int) -> None:
        import importlib

        from pmtui.app import SECTION_SCREENS
        from pmtui.store.plain import read_documents

        store = self.app.store
        try:
            # as `pmtui open` checks: plainly, each stored value by its field's rule (the
            # models' first validation holds the interpreter, keys included, for a tenth of
            # a second at a time); when a value is not as the store writes it, or evidence
            # holds what no import writes, the full way, which names the problem
            problem = None
            if store.evidence_suspect(review.id) or read_documents(store, [review.id], evidence=False) is None:
                from pmtui.domain.document import read_stored

                _docs, bad = read_stored(store, [review.id], evidence=False)
                problem = bad.get(review.id)
        except PmtuiError as exc:  # gone, locked, damaged: said as any store problem is
            problem = exc.message
        # the section's screen is loaded here too (its modules take longer to import than
        # a keystroke may wait), and the tables its lists are read with; the screen itself
        # is made on the UI thread
        importlib.import_module(SECTION_SCREENS[self.app.section_to_open(review.id)][0])
        importlib.import_module("pmtui.store.models")
        self.app.call_from_thread(self._checked, review, opening, problem)

    def _checked(self, review: ReviewSummary, opening: int, problem: str | None) -> None:
        if opening != self._opening or not self.is_current:
            return  # another review was asked for since, or the seat has moved on
        self.sub_title = None  # the app's own again
        if problem is not None:  # say what is wrong instead of letting a section screen fail on it
            self.app.notify(f"Review {review.id} ({_text(review.slug)}) cannot be opened: its stored data is not "
                            f"valid: {problem}", severity="error", timeout=15, markup=False)
            return
        # where it was left, else the overview: shown at once with a loading line, its content
        # mounted in pieces (screens/_staged.py), so no keystroke waits on the whole section
        screen = self.app.section_screen(review.id, self.app.section_to_open(review.id))
        screen.pending = f"Opening “{one_line(_text(review.title))}”…"  # type: ignore[attr-defined]
        self.app.push_screen(screen)

    def action_new(self) -> None:
        from pmtui.screens.dialogs import PromptScreen

        def check(title: str) -> None:
            from pmtui.domain.localzone import local_zone_name

            self._created = self.app.store.create_review(title, timezone=local_zone_name())

        def done(title: str | None) -> None:
            if title is not None:
                review_id, _slug = self._created
                self.app.open_review(review_id, "overview")

        self.app.push_screen(PromptScreen("Title of the new review", placeholder="Checkout latency after cache deploy",
                                          check=check), done)

    def action_delete(self) -> None:
        review = self.selected()
        if review is None:
            return
        self._ask_delete(review.id)

    def _ask_delete(self, review_id: int, changed: str = "") -> None:
        """Ask about the review as it is now, and delete it only while it stays so: another
        seat's edit between the question and the answer asks again (compare-and-set on the
        review's version and last change, ``Store.delete_review``)."""
        from pmtui.domain.seats import changed_by
        from pmtui.errors import BadInput, Conflict
        from pmtui.screens.dialogs import ConfirmScreen

        try:
            seen = self.app.store.get_review(review_id)
        except BadInput:
            self.app.notify("Another seat already deleted that review.", timeout=4)
            self.reload()
            return
        except PmtuiError as exc:
            self.app.notify(exc.message, title="Not deleted", severity="error", timeout=8)
            return
        title, slug = one_line(_text(seen.get("title"))), _text(seen.get("slug"))

        def done(yes: bool | None) -> None:
            if not yes:
                return
            try:
                result = self.app.write(lambda: self.app.store.delete_review(
                    review_id, expected_version=seen["version"], expected_updated_at=seen["updated_at"]))
            except Conflict as c:
                if c.current is None:
                    self.app.notify("Another seat already deleted that review.", timeout=4)
                    self.reload()
                    return
                self.reload()
                self._ask_delete(review_id, changed_by(c.changed_by, c.changed_at, seen.get("timezone") or None))
                return
            if isinstance(result, NotSaved):
                return
            self.app.notify(f"Deleted “{title}”", timeout=3)
            self.reload()

        again = (f"Not deleted yet: this review was {changed} since you asked (another seat is working in it).\n"
                 if changed else "")
        self.app.push_screen(ConfirmScreen(
            f"{again}Delete the review “{title}” ({slug}) with its timeline, action items and notes?\n"
            "This cannot be undone. Export it first if you may need it."), done)
