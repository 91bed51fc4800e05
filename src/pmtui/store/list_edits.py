"""A review's lists (authors, participants, links, components, factors, observations, learnings,
related reviews, action items, notes): one record per list in :data:`pmtui.store.fields.LIST_KINDS`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import ItemKind

from .fields import (
    LIST_KINDS,
    _check,
    _doc_model,
    _make_room,
    _read_times,
    _store_times,
    _table,
)
from .values import now_utc_text
from .versions import _Rows

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection



class _ListEdits(_Rows):
    """Add, change, delete, restore and reorder the items of a review's lists."""

    def list_items(self, kind: ItemKind, review_id: int) -> list[dict[str, Any]]:
        from sqlalchemy import select

        t = _table(LIST_KINDS[kind].table)
        with self._read() as conn:
            rows = conn.execute(select(t).where(t.c.review_id == review_id).order_by(t.c.position, t.c.id)).mappings()
            return [_read_times(t, dict(r)) for r in rows]

    def _clean_item(self, kind: ItemKind, values: dict[str, Any]) -> dict[str, Any]:
        model, names = LIST_KINDS[kind].model, LIST_KINDS[kind].columns
        unknown = set(values) - set(names)
        if unknown:
            raise ValueError(f"not a {kind} field: {', '.join(sorted(unknown))}")
        return _store_times(_table(LIST_KINDS[kind].table), _check(model, values, names))

    def add_item(self, kind: ItemKind, review_id: int, /, **values: Any) -> int:
        """Append an item to one of a review's lists; returns its id."""
        from sqlalchemy import func, insert, select

        model, names = LIST_KINDS[kind].model, LIST_KINDS[kind].columns
        required = {c for c, f in names.items() if _doc_model(model).model_fields[f].is_required()}
        missing = {c: "required field is missing" for c in required if c not in values}
        if missing:
            from pmtui.errors import FieldErrors

            raise FieldErrors(missing)
        cleaned = self._clean_item(kind, values)
        t = _table(LIST_KINDS[kind].table)
        if "updated_by" in t.c:
            cleaned = {**cleaned, "updated_by": self.actor, "updated_at": now_utc_text()}
        with self._write() as conn:
            _make_room(conn, kind, t, review_id)
            position = conn.execute(select(func.coalesce(func.max(t.c.position) + 1, 0)).where(t.c.review_id == review_id)).scalar()
            item_id: int = conn.execute(insert(t).returning(t.c.id), {"review_id": review_id, "position": position, **cleaned}).scalar_one()
            self._touch(conn, review_id)
            self._changed(kind, review_id, item_id)
        return item_id

    def update_item(self, kind: ItemKind, item_id: int, /, expected_version: int, **values: Any) -> dict[str, Any]:
        cleaned = self._clean_item(kind, values)
        t = _table(LIST_KINDS[kind].table)
        with self._write() as conn:
            review_id = self._update_row(conn, kind, t, item_id, cleaned, expected_version)
            self._touch(conn, review_id)
        return cleaned

    def _delete_row(self, conn: Connection, kind: str, t: Any, row_id: int, expected_version: int) -> Any:
        """Delete one row with compare-and-set (store/rows.py); returns it."""
        from .rows import cas_delete

        row = cas_delete(conn, kind, t, row_id, expected_version)
        self._touch(conn, row["review_id"])
        self._changed(kind, row["review_id"], row_id)
        return row

    def delete_item(self, kind: ItemKind, item_id: int, expected_version: int) -> dict[str, Any]:
        """Delete an item; returns what is needed to restore it (undo)."""
        t = _table(LIST_KINDS[kind].table)
        with self._write() as conn:
            row = self._delete_row(conn, kind, t, item_id, expected_version)
        return {"kind": kind, "row": dict(row)}

    def restore_item(self, snapshot: dict[str, Any]) -> int:
        from sqlalchemy import insert, select

        t = _table(LIST_KINDS[snapshot["kind"]].table)
        row = dict(snapshot["row"])
        with self._write() as conn:
            _make_room(conn, snapshot["kind"], t, row["review_id"])
            if conn.execute(select(t.c.id).where(t.c.id == row["id"])).first() is not None:
                row.pop("id")
            item_id: int = conn.execute(insert(t).returning(t.c.id), row).scalar_one()
            self._touch(conn, row["review_id"])
            self._changed(snapshot["kind"], row["review_id"], item_id)
        return item_id

    def move_item(self, kind: ItemKind, item_id: int, offset: int) -> None:
        """Move an item up (-1) or down (+1) in its list."""
        from sqlalchemy import select

        t = _table(LIST_KINDS[kind].table)
        with self._write() as conn:
            review_id = conn.execute(select(t.c.review_id).where(t.c.id == item_id)).scalar()
            if review_id is None:
                return
            ids = list(conn.execute(select(t.c.id).where(t.c.review_id == review_id).order_by(t.c.position, t.c.id)).scalars())
            i = ids.index(item_id)
            j = max(0, min(len(ids) - 1, i + offset))
            ids.insert(j, ids.pop(i))
            for pos, iid in enumerate(ids):
                conn.execute(t.update().where(t.c.id == iid).values(position=pos))
            self._touch(conn, review_id)
            self._changed(kind, review_id, item_id)
