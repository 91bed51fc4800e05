"""A list of one kind of item of a review (factors, action items, participants, …):
a table, and keys to add, edit, delete (with undo) and reorder. The list writes nothing
itself: each key posts a typed message (:class:`ListEditor.AddRequested`, …) and the
section screen writes the change at once, then refills the table from the store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from pmtui.domain.vocab import ItemKind
from pmtui.safetext import literal, visible
from pmtui.ui_types import FormField, TypedApp


@dataclass
class Column:
    key: str
    label: str
    render: Callable[[dict[str, Any]], str | Text] | None = None
    width: int | None = None  # None: as wide as its content (at most 24); the first text column flexes
    flex: bool = False
    optional: bool = False  # left out when the editor is too narrow


class ListEditor(TypedApp, Widget, can_focus=False):
    DEFAULT_CSS = """
    ListEditor {
        height: auto;
        max-height: 100%;
        border: round $primary 50%;
        border-title-color: $text;
        padding: 0 0;
    }
    ListEditor:focus-within {
        border: round $accent;
    }
    ListEditor > DataTable {
        height: auto;
        max-height: 20;
    }
    ListEditor > .list-empty {
        color: $text-muted;
        padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("a", "add", "Add", id="list.add"),
        Binding("enter,e", "edit", "Edit", id="list.edit"),
        Binding("d,delete", "delete", "Delete", id="list.delete"),
        Binding("shift+up", "move(-1)", "Move up", show=False, id="list.up"),
        Binding("shift+down", "move(1)", "Move down", show=False, id="list.down"),
    ]

    class _FromEditor(Message):
        def __init__(self, editor: ListEditor) -> None:
            super().__init__()
            self.editor = editor

        @property
        def control(self) -> ListEditor:
            return self.editor

    class Changed(_FromEditor):
        """The list's items changed in the store."""

    class Request(_FromEditor):
        """The list asks its screen for a change (the screen writes it; the list never does)."""

    class AddRequested(Request):
        """a (or Enter on an empty list): the screen opens the add form and writes the item."""

    class ItemRequest(Request):
        """A request about one item of the list, as the list showed it (with its version)."""

        def __init__(self, editor: ListEditor, item: dict[str, Any]) -> None:
            super().__init__(editor)
            self.item = item

    class EditRequested(ItemRequest):
        """Enter or e: the screen opens the item's form and saves it with the row's version."""

    class DeleteRequested(ItemRequest):
        """d: the screen deletes the item with the row's version (ctrl+z brings it back)."""

    class MoveRequested(ItemRequest):
        """shift+up/down: the screen moves the item ``offset`` places."""

        def __init__(self, editor: ListEditor, item: dict[str, Any], offset: int) -> None:
            super().__init__(editor, item)
            self.offset = offset

    def __init__(
        self,
        kind: ItemKind,
        title: str,
        review_id: int,
        columns: list[Column],
        fields: Callable[[dict[str, Any] | None], list[FormField]],
        *,
        to_store: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        describe: Callable[[dict[str, Any]], str] | None = None,
        empty: str = "Nothing yet. Press a to add.",
        filter: Callable[[dict[str, Any]], bool] | None = None,
        defaults: dict[str, Any] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.kind = kind
        self.title = title
        self.review_id = review_id
        self.columns = columns
        self.fields = fields
        self.to_store = to_store or (lambda v: v)
        self.describe = describe or (lambda item: str(next(iter(v for k, v in item.items() if k in ("title", "text", "name", "ref")), "")))
        self.empty = empty
        self.filter = filter
        self.defaults = defaults or {}
        self.items: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Static(self.empty, classes="list-empty")

    def on_mount(self) -> None:
        self.border_title = self.title
        self.table.show_header = len(self.columns) > 1
        self._width = 0
        self.reload()

    def on_resize(self) -> None:
        if self.size.width != self._width:
            self.reload()

    def _cell(self, column: Column, item: dict[str, Any]) -> Text:
        """A cell shown literally: never markup, control characters escaped."""
        cell = column.render(item) if column.render else str(item.get(column.key) or "")
        if isinstance(cell, str):
            return literal(cell)
        if visible(cell.plain) != cell.plain:
            return literal(cell.plain, str(cell.style))
        return cell

    def _layout(self, items: list[dict[str, Any]]) -> list[tuple[Column, int]]:
        """Columns that fit the editor: optional ones go first when space is short, then
        content-sized ones shrink; the flexible column (wrapped text) takes the rest."""
        flex = next((i for i, c in enumerate(self.columns) if c.flex), 0)
        natural = []
        for c in self.columns:
            if c.width is not None:
                natural.append(c.width)
            else:
                cells = [self._cell(c, it) for it in items]
                natural.append(min(24, max([len(c.label)] + [x.cell_len for x in cells])))
        shown = list(range(len(self.columns)))
        total = max(20, self.size.width - 4)

        def room() -> int:
            return total - 2 * len(shown) - sum(natural[i] for i in shown if i != flex)

        for i in reversed(range(len(self.columns))):
            if room() >= 30:
                break
            if self.columns[i].optional and i != flex:
                shown.remove(i)
        for i in shown:
            if room() >= 30:
                break
            if i != flex and self.columns[i].width is None:
                natural[i] = max(len(self.columns[i].label), min(natural[i], 12))
        natural[flex] = max(12, room())
        return [(self.columns[i], natural[i]) for i in shown]

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def reload(self, keep_id: int | None = None) -> None:
        items = self.app.store.list_items(self.kind, self.review_id)
        if self.filter:
            items = [i for i in items if self.filter(i)]
        self.items = items
        table = self.table
        current = keep_id if keep_id is not None else self.selected_id()
        row = table.cursor_row
        table.clear(columns=True)
        self._width = self.size.width
        layout = self._layout(items)
        for c, width in layout:
            table.add_column(c.label, key=c.key, width=width)
        for item in items:
            table.add_row(*[self._cell(c, item) for c, _ in layout], key=str(item["id"]), height=None)
        if items:
            index = next((i for i, it in enumerate(items) if it["id"] == current), min(row, len(items) - 1))
            table.move_cursor(row=max(0, index))
        self.query_one(".list-empty").display = not items
        table.display = bool(items)
        # An empty list takes the focus itself, so that its keys (a: add) still work.
        refocus = not items and table.has_focus
        self.can_focus = not items
        if refocus:
            self.focus()
        self.border_subtitle = f"{len(items)}"

    def selected(self) -> dict[str, Any] | None:
        table = self.table
        if not self.items or table.cursor_row < 0 or table.cursor_row >= len(self.items):
            return None
        return self.items[table.cursor_row]

    def selected_id(self) -> int | None:
        item = self.selected()
        return item["id"] if item else None

    def focus_list(self) -> None:
        self.table.focus() if self.items else self.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter (or a click on the selected row) edits it."""
        event.stop()
        self.action_edit()

    # ------------------------------------------------------------ actions
    # The list writes nothing itself: each key posts a request; the section screen opens the
    # form, writes through App.write with the row's version, records the undo and reloads the
    # list (screens/_list_actions.py).
    def action_add(self) -> None:
        self.post_message(self.AddRequested(self))

    def action_edit(self) -> None:
        item = self.selected()
        if item is None:
            self.action_add()
            return
        self.post_message(self.EditRequested(self, item))

    def action_delete(self) -> None:
        item = self.selected()
        if item is not None:
            self.post_message(self.DeleteRequested(self, item))

    def action_move(self, offset: int) -> None:
        item = self.selected()
        if item is not None:
            self.post_message(self.MoveRequested(self, item, offset))
