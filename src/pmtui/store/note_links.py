"""What a note became: the links from notes to the events, factors and items made of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmtui.errors import BadInput

from .fields import (
    _table,
)
from .versions import _Rows

if TYPE_CHECKING:  # pragma: no cover

    pass


class _NoteLinks(_Rows):
    """A note's links."""

    def link_note(self, note_id: int, target_kind: str, target_id: int) -> None:
        from sqlalchemy import insert, select

        notes, links = _table("Note"), _table("NoteLink")
        with self._write() as conn:
            review_id = conn.execute(select(notes.c.review_id).where(notes.c.id == note_id)).scalar()
            if review_id is None:
                raise BadInput("that note no longer exists")
            conn.execute(insert(links), {"review_id": review_id, "note_id": note_id, "target_kind": target_kind,
                                         "target_id": target_id})
            self._changed("note_link", review_id, note_id)

    def unlink_note(self, note_id: int, target_kind: str, target_id: int) -> None:
        """Forget that a note became this item (undoing the conversion)."""
        from sqlalchemy import delete, select

        notes, links = _table("Note"), _table("NoteLink")
        with self._write() as conn:
            review_id = conn.execute(select(notes.c.review_id).where(notes.c.id == note_id)).scalar()
            conn.execute(delete(links).where(links.c.note_id == note_id, links.c.target_kind == target_kind,
                                             links.c.target_id == target_id))
            if review_id is not None:
                self._changed("note_link", review_id, note_id)

    def note_links(self, review_id: int) -> dict[int, list[tuple[str, int]]]:
        """For each note, what it was turned into."""
        from sqlalchemy import select

        t = _table("NoteLink")
        out: dict[int, list[tuple[str, int]]] = {}
        with self._read() as conn:
            q = select(t.c.note_id, t.c.target_kind, t.c.target_id).where(t.c.review_id == review_id).order_by(t.c.id)
            for note_id, kind, target in conn.execute(q):
                out.setdefault(note_id, []).append((kind, target))
        return out
