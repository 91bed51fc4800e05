"""Search: every review's text, results as you type.

Opened with ctrl+f from the list of reviews and from inside a review. Each keystroke
starts a search in a worker thread and cancels the one before (a result that comes back
after a newer keystroke is dropped), so typing is never blocked. Enter opens the review
at the section and row of the hit (on top of this view: F8 in the review comes back to
the results); Escape returns where you were. The query language is
:mod:`pmtui.domain.search`'s (words, "phrases", prefix*, -word, owner:/status:/tag:)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import Latest, TypedApp

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.search import Hit

HINT = 'Search every review: words  "a phrase"  deploy*  -word  owner:NAME  status:open  tag:TAG'
# where a hit opens: the app's section, and the list whose row it is
OPENS: dict[str, tuple[str, str | None]] = {
    "title": ("overview", None), "summary": ("overview", None), "trigger": ("overview", None),
    "detection": ("overview", None), "resolution": ("overview", None), "impact": ("impact", None),
    "timeline": ("timeline", None), "factors": ("analysis", "factor"), "observations": ("analysis", "observation"),
    "learnings": ("analysis", "learning"), "actions": ("actions", "action_item"), "notes": ("overview", None),
}


def marked(hit: Hit, width: int | None = None) -> Text:
    """The hit's text on one line, each matched word in bold reverse (user text, literal).
    Given the ``width`` it is shown in, a hit further along than that is brought into view:
    the start is cut (shown as "…") so the first matched word sits a few words in."""
    from pmtui.domain.search import HIT_END, HIT_START

    line = " ".join(hit.text.split())
    if width is not None and width > 8:
        first, end = line.find(HIT_START), line.find(HIT_END)  # no mark before the first: places in the plain text
        if first >= 0 and end - 1 > width - 2:  # the first matched word ends past the column's last cell
            cut = max(0, first - width // 3)
            start = line.rfind(" ", 0, cut + 1) + 1  # at the start of a word
            if end - start > width - 3:  # that word is long: the first word after the cut
                space = line.find(" ", cut, first)
                start = space + 1 if space >= 0 else cut
            line = "…" + line[start:].lstrip()
    text = Text(no_wrap=True, overflow="ellipsis")
    bold = False
    chunk = ""
    for ch in line:
        if ch in (HIT_START, HIT_END):
            text.append(chunk, style="bold reverse" if bold else "")
            chunk, bold = "", ch == HIT_START
        else:
            chunk += ch
    text.append(chunk, style="bold reverse" if bold else "")
    return text


class SearchScreen(TypedApp, Screen[None]):
    CSS_PATH = SCREENS_CSS
    DEFAULT_CSS = """
    SearchScreen #search-query { margin: 0 1; }
    SearchScreen #search-status { padding: 0 2; height: 1; color: $text-muted; }
    SearchScreen #search-results { height: 1fr; margin: 0 1; }
    SearchScreen #search-detail { height: auto; max-height: 6; padding: 0 2; border-top: solid $primary 50%; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="search.back", tooltip="back where you were"),
        Binding("slash", "focus_query", "Query", id="search.query", show=False, tooltip="type the query"),
        Binding("down", "to_results", "Results", id="search.down", show=False,
                tooltip="from the query to the results"),
    ]

    class Found(Latest):
        def __init__(self, generation: int, hits: list[Hit], seconds: float, error: str = "") -> None:
            super().__init__()
            self.generation, self.hits, self.seconds, self.error = generation, hits, seconds, error

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial = query
        self.hits: list[Hit] = []
        self.generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(value=self.initial, placeholder=HINT, id="search-query")
        yield Static("Type to search titles, summaries, timelines, factors, learnings, action items and notes.",
                     id="search-status")
        table: DataTable[Text] = DataTable(id="search-results", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="search-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Search"
        self.sub_title = "every review"
        self.query_one("#search-query", Input).focus()
        if self.initial:
            self.run_search(self.initial)

    # ------------------------------------------------------------ searching
    @on(Input.Changed, "#search-query")
    def _typed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def run_search(self, text: str) -> None:
        self.generation += 1
        self.query_one("#search-status", Static).update("Searching…" if text.strip() else "")
        self.search(self.generation, text)

    @work(thread=True, exclusive=True, group="search")
    def search(self, generation: int, text: str) -> None:
        """In a thread: the store is not touched on the UI's thread, and a newer keystroke
        cancels this search (exclusive) or makes its result stale (the generation)."""
        from textual.worker import get_current_worker

        from pmtui.domain import search
        from pmtui.errors import PmtuiError
        from pmtui.store.search import search as run

        start = time.perf_counter()
        try:
            hits = run(self.app.store, search.parse(text)) if text.strip() else []
            error = ""
        except PmtuiError as exc:
            hits, error = [], exc.message
        if not get_current_worker().is_cancelled:
            self.post_message(self.Found(generation, hits, time.perf_counter() - start, error))

    def on_search_screen_found(self, message: Found) -> None:
        if message.generation != self.generation:
            return  # typed on since: a newer search is on its way
        self.hits = message.hits
        self.fill()
        status = self.query_one("#search-status", Static)
        text = self.query_one("#search-query", Input).value
        if message.error:
            status.update(Text(f"⚠ {message.error}", style="bold red"))
        elif not text.strip():
            status.update("")
        elif not self.hits:
            from pmtui.domain import search

            if search.parse(text).empty():
                status.update("Type a word to find (common words such as “the” are left out).")
            else:
                status.update(Text(f"No matches for {text.strip()}", no_wrap=True))
        else:
            more = "+" if len(self.hits) >= 50 else ""
            status.update(f"{len(self.hits)}{more} matches, most relevant first · Enter opens the review there")
        self.show_detail()

    def fill(self) -> None:
        """The results, in columns that fit the width: the review's title (its slug when
        wide), its date, where the hit is, and the matched text."""
        table = self.query_one("#search-results", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        width = max(40, (table.size.width or self.size.width) - 2)
        review_w = max(14, min(40, width // 4))
        where_w = 15
        match_w = max(10, width - review_w - 10 - where_w - 8)
        for key, label, w in (("review", "Review", review_w), ("date", "Date", 10), ("where", "Where", where_w),
                              ("match", "Match", match_w)):
            table.add_column(label, key=key, width=w)
        for i, h in enumerate(self.hits):
            table.add_row(Text(h.title, no_wrap=True, overflow="ellipsis"), Text(h.day.isoformat() if h.day else ""),
                          Text(h.where(), no_wrap=True, overflow="ellipsis"), marked(h, match_w), key=str(i))
        if self.hits:
            table.move_cursor(row=max(0, min(row, len(self.hits) - 1)))

    def on_resize(self) -> None:
        if self.hits:
            self.fill()

    # ------------------------------------------------------------ moving
    def selected(self) -> Hit | None:
        table = self.query_one("#search-results", DataTable)
        if not self.hits or not 0 <= table.cursor_row < len(self.hits):
            return None
        return self.hits[table.cursor_row]

    def on_data_table_row_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        hit = self.selected()
        detail = self.query_one("#search-detail", Static)
        if hit is None:
            detail.update("")
            return
        line = Text()
        line.append(hit.title, style="bold")
        line.append(f"  ·  {hit.where()}\n", style="dim")
        line.append_text(marked(hit))
        line.append(f"\n{hit.slug}", style="dim")
        line.no_wrap = False
        detail.update(line)

    def action_focus_query(self) -> None:
        self.query_one("#search-query", Input).focus()

    def action_to_results(self) -> None:
        if self.hits:
            self.query_one("#search-results", DataTable).focus()

    @on(Input.Submitted, "#search-query")
    def _submitted(self) -> None:
        if self.hits:
            table = self.query_one("#search-results", DataTable)
            table.focus()
            if table.cursor_row < 0:
                table.move_cursor(row=0)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open(self.selected())

    def action_back(self) -> None:
        self.app.pop_screen()

    # ------------------------------------------------------------ opening
    def open(self, hit: Hit | None) -> None:
        """The review at the hit's section; the hit's row chosen in its list (the timeline:
        the event, as when the review was left there)."""
        if hit is None:
            return
        section, kind = OPENS.get(hit.section, ("overview", None))
        if hit.section == "timeline":
            self.app.remember_place(hit.review_id, "timeline", hit.row_id)
        if hit.section == "notes":
            self.app.panel_wanted = True
        self.app.open_review(hit.review_id, section)
        if kind is not None:
            screen = self.app.screen
            screen.call_after_refresh(self._choose, screen, kind, hit.row_id)

    @staticmethod
    def _choose(screen: Any, kind: str, row_id: int) -> None:
        from pmtui.widgets.list_editor import ListEditor

        for editor in screen.query(ListEditor):
            if editor.kind == kind and any(item["id"] == row_id for item in editor.items):
                editor.reload(keep_id=row_id)
                editor.focus_list()
                editor.scroll_visible()
                return

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Search: back", "back where you were (Esc)", self.action_back)
        yield SystemCommand("Search: type the query", "key: /", self.action_focus_query)
