"""Follow-ups: every action item of every review, overdue first; filter as you type,
change status, owner and due date in place (saved at once, ctrl+z undoes), Enter
opens the item inside its review.

Typing never changes an item by surprise: the filter has the focus when the screen opens
(typing filters, as the README says); ↓ or Enter goes to the list, where the one-key
commands are (each says what it changed, with ctrl+z at hand), and any other character
typed on the list goes back to the filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from pmtui.domain.tracker import ACTION_WORDS
from pmtui.domain.vocab import ActionStatus, ItemKind, Section
from pmtui.errors import BadInput, FieldErrors
from pmtui.safetext import one_line, visible
from pmtui.screens import SCREENS_CSS
from pmtui.screens._tracker_actions import ISSUE_HELP, PUSH_HELP, beside
from pmtui.ui_types import Latest, NotSaved, TypedApp

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.tracker import ActionRow

MAX_SHOWN = 500  # rows in the table at once; the filter narrows the rest
FIRST_ROWS = 60  # rows in the first frame; the others follow right after it
FILTER_HINT = "/ filter: words owner:NAME status:done prio:high tag:TAG due:overdue"


class FollowupsScreen(TypedApp, Screen[None]):
    """The action tracker across reviews."""
    CSS_PATH = SCREENS_CSS

    DEFAULT_CSS = """
    FollowupsScreen #followups-filter { margin: 0 1; }
    FollowupsScreen #followups-summary { padding: 0 1; height: auto; color: $text-muted; }
    FollowupsScreen #followups-table { height: 1fr; }
    FollowupsScreen #followups-detail { height: auto; max-height: 5; padding: 0 1; background: $boost; }
    """

    BINDINGS = [
        Binding("enter", "open", "Open in review", id="followups.open"),
        Binding("x", f"status('{ActionStatus.done.value}')", "Done", id="followups.done"),
        Binding("p", f"status('{ActionStatus.in_progress.value}')", "In progress", id="followups.progress"),
        Binding("r", f"status('{ActionStatus.open.value}')", "Reopen", show=False, id="followups.reopen"),
        Binding("w", "wont_do", "Won't do", id="followups.wont"),
        Binding("o", "owner", "Owner", id="followups.owner"),
        Binding("d", "due", "Due date", id="followups.due"),
        Binding("ctrl+r", "push_tracker", "Push to tracker", show=False, id="followups.push", tooltip=PUSH_HELP),
        Binding("i", "open_issue", "Open issue", show=False, id="followups.issue", tooltip=ISSUE_HELP),
        Binding("slash", "focus_filter", "Filter", id="followups.filter"),
        Binding("down", "to_list", "To the list", key_display="↓/⏎", priority=True, id="followups.to_list"),
        Binding("escape", "back", "Reviews", id="followups.back"),
    ]

    class RowsLoaded(Latest):
        def __init__(self, rows: list[ActionRow], counts: tuple[int, int, int] | None = None) -> None:
            super().__init__()
            self.rows = rows
            self.counts = counts  # (all, open, overdue) when ``rows`` is only the first screen

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.rows: list[ActionRow] = []
        self.hay: dict[int, str] = {}
        self.shown: list[ActionRow] = []
        self.query_text = query
        self._width = 0
        self._shown_once = False
        self.counts: tuple[int, int, int] | None = None
        self._fill_count = 0

    def compose(self) -> ComposeResult:
        yield Header()
        # back in the filter from the list, typing goes on after what is there (never replaces it)
        yield Input(self.query_text, placeholder=FILTER_HINT, id="followups-filter", select_on_focus=False)
        yield Static("Loading action items…", id="followups-summary")
        table: DataTable[Text] = DataTable(id="followups-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="followups-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Follow-ups"
        self.sub_title = "action items of every review"
        self.query_one("#followups-filter", Input).focus()  # typing filters; ↓ goes to the list
        self.reload(first_screen=True)

    # ------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="followups-load")
    def reload(self, first_screen: bool = False) -> None:
        """Read the items in a thread. The first time, the first screen's rows and the
        counts come first (a LIMIT query); all rows follow once that screen is drawn."""
        from pmtui.store.followup import action_counts, action_rows
        from pmtui.store.followup import first_screen as read_first_screen

        store, today = self.app.store, self.app.today()
        if first_screen:  # on SQLite without waiting for SQLAlchemy; else the usual way
            first = read_first_screen(store, today, FIRST_ROWS)
            rows, counts = first if first is not None else (action_rows(store, today, FIRST_ROWS),
                                                            action_counts(store, today))
            self.post_message(self.RowsLoaded(rows, counts))
        else:
            self.post_message(self.RowsLoaded(action_rows(store, today)))  # overdue first

    def on_followups_screen_rows_loaded(self, message: RowsLoaded) -> None:
        self.rows = message.rows
        self.counts = message.counts
        self.hay = {}  # filled the first time words are typed
        self.refill()
        if message.counts is not None:
            self.call_after_refresh(self.reload)

    def refresh_from_store(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        if self._shown_once:  # back from a review: show what changed there
            self.reload()
        self._shown_once = True

    # ------------------------------------------------------------ showing
    def _columns(self) -> list[tuple[str, str, int]]:
        """Column widths that fit the table (each cell has one space of padding each side;
        two columns are kept for the vertical scrollbar). Narrow: no type or review."""
        table_width = self.query_one(DataTable).size.width or self.size.width - 2
        width = max(table_width, 58)
        from pmtui.screens._tracker_actions import differs

        # room for "in progress ≠ won't do" while a shown item's tracker says otherwise
        wide = any(differs(r.status, dict(r.more).get("tracker_state")) for r in self.shown[:MAX_SHOWN])
        status = (22 if width >= 108 else 18) if wide else 11  # 18: the action keeps its 16 columns at 80
        columns = [("due", "Due", 12), ("status", "Status", status), ("priority", "Prio", 6)]
        if width >= 108:
            columns.append(("type", "Type", 8))
        columns.append(("owner", "Owner", 14 if width < 120 else 20))
        review = min(40, (width - 108) // 2 + 20) if width >= 108 else 0
        fixed = sum(w for _k, _l, w in columns) + review + 2 * (len(columns) + 1 + bool(review)) + 2
        columns.append(("title", "Action", max(16, width - fixed)))
        if review:
            columns.append(("review", "Review", review))
        return columns

    def _cells(self, r: ActionRow, today: Any) -> list[Text]:
        if r.overdue(today):
            due = Text(f"⚠ {one_line(r.due)}", style="bold red")
        else:
            due = Text(one_line(r.due or ("no due date" if r.is_open else "")), style="" if r.due else "dim")
        cells = {
            "due": due,
            "status": Text(one_line(ACTION_WORDS.get(r.status, r.status)), style="green" if r.status == ActionStatus.done else
                           "dim" if r.status == ActionStatus.wont_do else "")
            + beside(r.status, (more := dict(r.more)).get("tracker_state"), more.get("tracker_label"), compact=True),
            "priority": Text(one_line(r.priority)),
            "type": Text(one_line(r.type)),
            "owner": Text(one_line(r.owner)) if r.owner.strip() else Text("no owner", style="dim"),
            "title": Text(one_line(r.title)),
            "review": Text(one_line(r.review_title), style="dim"),
        }
        for cell in cells.values():  # a cell too long for its column ends in "…", never cut mid-word unseen
            cell.no_wrap, cell.overflow = True, "ellipsis"
        return [cells[key] for key, _label, _width in self._layout]

    def refill(self, keep_id: int | None = None) -> None:
        from pmtui.domain.tracker import counts, parse_query

        today = self.app.today()
        table = self.query_one(DataTable)
        current = keep_id if keep_id is not None else self.selected_id()
        query = self.query_one("#followups-filter", Input).value
        flt = parse_query(query)
        if not query.strip():
            self.shown = self.rows
        else:
            if flt.words and not self.hay:
                self.hay = {r.id: r.haystack() for r in self.rows}
            self.shown = [r for r in self.rows if flt.keeps(r, today, self.hay.get(r.id))]
        self._layout = self._columns()
        self._width = self.size.width
        table.clear(columns=True)
        for key, label, width in self._layout:
            table.add_column(label, key=key, width=width)
        first = FIRST_ROWS
        if current is not None:  # the row to keep the cursor on is in the first batch
            first = max(first, next((i + 1 for i, r in enumerate(self.shown[:MAX_SHOWN]) if r.id == current), 0))
        self._add_rows(self.shown[:first], today)
        self._fill_count += 1
        if len(self.shown) > first:
            self.call_after_refresh(self._add_rest, self.shown[first:MAX_SHOWN], today, self._fill_count)
        if self.counts is not None:  # only the first screen's rows are here yet
            total, open_all, late_all = self.counts
        else:
            total, (open_all, late_all) = len(self.rows), counts(self.rows, today)
        parts = [f"{total} action items in all", f"{open_all} open", f"{late_all} overdue"]
        if self.counts is None and len(self.shown) != len(self.rows):
            parts.append(f"{len(self.shown)} match the filter")
        if len(self.shown) > MAX_SHOWN or (self.counts is not None and total > MAX_SHOWN):
            parts.append(f"first {MAX_SHOWN} shown: type to narrow")
        summary = " · ".join(parts)
        if not total:
            summary = "No action items in any review yet. They are added in a review's Actions section (F6)."
        elif not self.shown:
            summary += "\nNothing matches the filter (unknown owners or tags match nothing). Esc in the filter clears it."
        self.query_one("#followups-summary", Static).update(Text(summary))
        if self.shown and current is not None:
            index = next((i for i, r in enumerate(self.shown[:MAX_SHOWN]) if r.id == current), None)
            if index is not None:
                table.move_cursor(row=index)
        self.show_detail()

    def _add_rows(self, rows: list[ActionRow], today: Any) -> None:
        table = self.query_one(DataTable)
        for r in rows:
            table.add_row(*self._cells(r, today), key=str(r.id))

    def _add_rest(self, rows: list[ActionRow], today: Any, fill: int) -> None:
        if fill == self._fill_count:  # not refilled since (typing, an edit, a resize)
            self._add_rows(rows, today)

    def on_resize(self) -> None:
        if self.rows and self.size.width != self._width:
            self.refill()

    def show_detail(self) -> None:
        r = self.selected()
        detail = self.query_one("#followups-detail", Static)
        if r is None:
            detail.update("")
            return
        text = Text()
        text.append(one_line(r.title), style="bold")  # stored text: shown escaped (pmtui.safetext)
        text.append(f"  ({one_line(r.type)}, {one_line(r.priority)})", style="dim")
        if r.description.strip():
            text.append("\n" + one_line(" ".join(r.description.split())))
        text.append("\nReview: ", style="dim")
        text.append(one_line(r.review_title))
        text.append(f" ({one_line(r.review_slug)})", style="dim")
        if r.status_note.strip():
            text.append("\nStatus note: ", style="dim")
            text.append(visible(r.status_note))
        if r.tracker.strip():
            more = dict(r.more)
            text.append("\nTracker: ", style="dim")
            text.append(one_line(r.tracker))
            if more.get("tracker_label"):
                text.append(f" (the tracker says {one_line(str(more['tracker_label']))})", style="dim")
        detail.update(text)

    def on_data_table_row_highlighted(self) -> None:
        self.show_detail()

    def selected(self) -> ActionRow | None:
        table = self.query_one(DataTable)
        shown = self.shown[:MAX_SHOWN]
        if not shown or not (0 <= table.cursor_row < len(shown)) or not table.row_count:
            return None
        return shown[table.cursor_row]

    def selected_id(self) -> int | None:
        r = self.selected()
        return r.id if r else None

    # ------------------------------------------------------------ filter
    @on(Input.Changed, "#followups-filter")
    def _filter_changed(self) -> None:
        if self.rows:
            self.refill()

    @on(Input.Submitted, "#followups-filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#followups-filter", Input).focus()

    def action_to_list(self) -> None:
        self.query_one(DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In the filter: only the keys that leave it; on the list: its commands."""
        in_filter = self.query_one("#followups-filter", Input).has_focus
        if action == "to_list":
            return in_filter
        if action in ("status", "wont_do", "owner", "due", "open", "focus_filter"):
            return not in_filter
        return True

    def on_key(self, event: Any) -> None:
        """A character typed on the list that is none of its keys goes on in the filter:
        typing a filter (``prio:high``) on the list reaches the filter, not the commands."""
        table = self.query_one(DataTable)
        char = event.character
        if not table.has_focus or not char or not char.isprintable() or char == " ":
            return
        if event.key in self.active_bindings:  # a key of the list, the screen or the app (? help)
            return
        event.stop()
        event.prevent_default()
        box = self.query_one("#followups-filter", Input)
        box.focus()
        box.cursor_position = len(box.value)
        box.insert_text_at_cursor(char)

    def action_back(self) -> None:
        box = self.query_one("#followups-filter", Input)
        if box.has_focus and box.value:  # a filter: cleared first; an empty one leaves
            box.value = ""
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

    # ------------------------------------------------------------ editing
    def _save(self, row: ActionRow, what: str, **values: Any) -> None:
        """Save at once; ctrl+z puts the old values back."""
        from pmtui.domain.tracker import sort_key
        from pmtui.errors import Conflict

        store = self.app.store
        old = {k: getattr(row, k) for k in values}
        try:  # only while the item holds what this list showed (compare-and-set); its undo and redo likewise
            if isinstance(self.app.write(lambda: store.update_if_unchanged(ItemKind.action, row.id, old, **values)),
                          NotSaved):
                return
        except Conflict as c:
            self.notify(f"Not changed: {c.message}", severity="warning", timeout=5)
            self.refresh_from_store()
            return
        today = self.app.today()
        self.rows = sorted((r._replace(**values) if r.id == row.id else r for r in self.rows),
                           key=lambda r: sort_key(r, today))  # the cursor follows the item
        self.hay[row.id] = row._replace(**values).haystack()
        # says what changed, on which item, and how to take it back (notifications show text literally);
        # the undo and redo write only while the item is as this seat left it
        title = " ".join(row.title.split())
        self.app.push_undo(f"{what}: “{title[:60]}{'…' if len(title) > 60 else ''}”",
                           lambda: store.update_if_unchanged(ItemKind.action, row.id, values, **old),
                           lambda: store.update_if_unchanged(ItemKind.action, row.id, old, **values))
        self.refill(keep_id=row.id)

    def action_status(self, status: str) -> None:
        row = self.selected()
        if row is not None and row.status != status:
            self._save(row, f"status {ACTION_WORDS.get(row.status, row.status)} → {ACTION_WORDS[status]}", status=status)

    def action_wont_do(self) -> None:
        from pmtui.screens.dialogs import wont_do_prompt

        row = self.selected()
        if row is None:
            return

        def done(reason: str | None) -> None:
            if reason:
                self._save(row, f"set to {ACTION_WORDS[ActionStatus.wont_do]}", status=ActionStatus.wont_do.value,
                           status_note=reason)

        self.app.push_screen(wont_do_prompt("Why won't the selected action item be done?", row.status_note), done)

    def action_owner(self) -> None:
        from pmtui.screens.dialogs import PromptScreen

        row = self.selected()
        if row is None:
            return

        def done(owner: str | None) -> None:
            if owner is not None and owner.strip() != row.owner:
                self._save(row, "owner changed", owner=owner.strip())

        self.app.push_screen(PromptScreen("Owner of the selected action item (a team or person: ownership, not blame)",
                                          row.owner, placeholder="Payments team"), done)

    def action_due(self) -> None:
        from pmtui.screens._fields import optional_day
        from pmtui.screens.dialogs import PromptScreen

        row = self.selected()
        if row is None:
            return

        def check(text: str) -> None:
            optional_day(text)  # BadInput keeps the text and says why

        def done(text: str | None) -> None:
            if text is None:
                return
            due = optional_day(text)
            if due != row.due:
                try:
                    self._save(row, "due date changed", due=due)
                except (BadInput, FieldErrors) as exc:
                    self.notify(exc.message, severity="error", timeout=4, markup=False)

        self.app.push_screen(PromptScreen("Due date of the selected action item (YYYY-MM-DD; empty for none)",
                                          row.due or "", placeholder="2026-04-30", check=check), done)

    # ------------------------------------------------------------ the team's tracker
    def action_push_tracker(self) -> None:
        from pmtui.screens._tracker_actions import push_item

        row = self.selected()
        if row is not None:
            item = {"id": row.id, "title": row.title, "status": row.status, "tracker": row.tracker}
            push_item(self, row.review_id, item, lambda: self.reload())

    def action_open_issue(self) -> None:
        from pmtui.screens._tracker_actions import open_issue

        row = self.selected()
        if row is not None:
            open_issue(self.app, row.tracker)

    # ------------------------------------------------------------ opening
    async def action_open(self) -> None:
        """The item inside its review, on the Actions section, with the cursor on it."""
        row = self.selected()
        if row is None:
            return
        from pmtui.screens.actions import ActionsScreen

        screen = self.app.section_screen(row.review_id, Section.actions)
        await self.app.push_screen(screen)
        if isinstance(screen, ActionsScreen):
            screen.editor.reload(keep_id=row.id)
            screen.editor.focus_list()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.run_worker(self.action_open(), exclusive=False)

    def palette_commands(self) -> Iterable[SystemCommand]:
        for b in self.BINDINGS:
            assert isinstance(b, Binding)  # declared as Binding, never as a tuple
            yield SystemCommand(f"Follow-ups: {b.description}", f"key: {b.key}",
                                lambda b=b: self.run_action(b.action))
