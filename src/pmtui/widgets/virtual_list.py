"""What the long lists drawn a line at a time share (the home screen's review list and
the Timeline's table, both on Textual's Line API): a cursor kept on a row, the keys that
move it, and the row under it. Each list draws its own lines and says how far a page is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.cells import cell_len
from textual.binding import Binding
from textual.reactive import reactive
from textual.scroll_view import ScrollView

RowT = TypeVar("RowT")


def cut(text: str, width: int) -> str:
    """One line of text (already cleaned) in exactly ``width`` cells: cut with an ellipsis
    when longer, padded when shorter."""
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


def cursor_keys(prefix: str, up: str, down: str, first: str, last: str) -> list[Binding]:
    """Up, Down, PageUp, PageDown, Home and End (not in the footer), with the ids
    ``prefix.up``, ``prefix.down``, ``prefix.pageup``, ``prefix.pagedown``, ``prefix.first``
    and ``prefix.last``, and these words in help."""
    return [
        Binding("up", "cursor(-1)", up, show=False, id=f"{prefix}.up"),
        Binding("down", "cursor(1)", down, show=False, id=f"{prefix}.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id=f"{prefix}.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id=f"{prefix}.pagedown"),
        Binding("home", "jump(0)", first, show=False, id=f"{prefix}.first"),
        Binding("end", "jump(-1)", last, show=False, id=f"{prefix}.last"),
    ]


class VirtualList(ScrollView, Generic[RowT], can_focus=True):
    """A list of ``rows`` with a cursor that always stays on one of them (0 when empty)."""

    cursor = reactive(0, always_update=True)

    rows: Sequence[RowT]

    @property
    def selected(self) -> RowT | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_jump(self, where: int) -> None:
        self.cursor = 0 if where == 0 else len(self.rows) - 1
