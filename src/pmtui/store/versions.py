"""Row versions: the generic reads and compare-and-set writes every kind of row shares
(the review, an event, an item of a list), used by the edits of each concern."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import ItemKind
from pmtui.errors import Conflict

from .fields import (
    _KIND_LABEL,
    LIST_KINDS,
    _read_times,
    _store_times,
    _table,
)
from .values import from_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection



class _Rows:
    """Reads for the UI and one-edit-at-a-time writes (see Store): what every kind shares."""


    _write: Any
    _read: Any
    _changed: Any
    actor: str

    def _update_row(self, conn: Connection, kind: str, table: Any, row_id: int, values: dict[str, Any],
                    expected_version: int) -> int:
        """Update one row with compare-and-set (store/rows.py); returns its review's id."""
        from .rows import cas_update

        row = cas_update(conn, kind, table, row_id, expected_version, values, self.actor)
        review_id: int = row["review_id"] if "review_id" in row else row["id"]
        self._changed(kind, review_id, row_id)
        return review_id

    @staticmethod
    def _conflict(kind: str, row_id: int, row: Any, attempted: dict[str, Any], expected: int) -> Conflict:
        current = None if row is None else {k: row[k] for k in attempted if k in row}
        return Conflict(_KIND_LABEL.get(kind, kind), row_id, expected_version=expected,
                        current_version=None if row is None else row["version"], current=current,
                        attempted=dict(attempted), changed_by="" if row is None else row["updated_by"],
                        changed_at="" if row is None else row["updated_at"])

    def _kind_table(self, kind: str) -> Any:
        if kind == "review":
            return _table("Review")
        if kind == "event":
            return _table("Event")
        return _table(LIST_KINDS[ItemKind(kind)].table)

    @staticmethod
    def _as_read(conn: Connection, kind: str, table: Any, raw: Any) -> dict[str, Any]:
        """A stored row as the app reads it (list_items, events, get_review)."""
        from sqlalchemy import select

        row = dict(raw)
        if kind == "event":
            row["at"] = from_utc_text(row.pop("at_utc"), row.pop("offset_min"))
            return row
        if kind == "review":
            tags = _table("Tag")
            names = conn.execute(select(tags.c.name).where(tags.c.review_id == row["id"])).scalars()
            return {**_read_times(table, row, keep_columns=True), "tags": sorted(names)}
        return _read_times(table, row)

    def row(self, kind: str, row_id: int) -> dict[str, Any] | None:
        """One editable row as stored (with its ``version``), None when it is gone: the
        review (``"review"``), a timeline event (``"event"``) or an item of a list."""
        from sqlalchemy import select

        t = self._kind_table(kind)
        with self._read() as conn:
            raw = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
            return None if raw is None else self._as_read(conn, kind, t, raw)

    def _clean(self, kind: str, values: dict[str, Any]) -> dict[str, Any]:
        if kind == "review":
            return _store_times(_table("Review"), self._clean_review(values))
        if kind == "event":
            return self._clean_event(values)
        return self._clean_item(ItemKind(kind), values)

    def update_if_unchanged(self, kind: str, row_id: int, /, expect: Mapping[str, Any], **values: Any) -> None:
        """An undo or redo step (or a key that changes one field of what the seat sees):
        write ``values`` only while the row still holds ``expect`` (what this seat saw or
        left there), with the version read in the same transaction (compare-and-set).
        Another seat's change to those fields since, or the row's deletion, is a Conflict:
        nothing is overwritten. A change to other fields is kept as it is."""
        from sqlalchemy import select

        from pmtui.errors import unchanged_since

        tags = values.pop("tags", None) if kind == "review" else None
        cleaned = self._clean(kind, values) if values else {}
        t = self._kind_table(kind)
        with self._write() as conn:
            raw = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
            now = None if raw is None else self._as_read(conn, kind, t, raw)
            attempted = {**values, **({"tags": tags} if tags is not None else {})}
            unchanged_since(_KIND_LABEL.get(kind, kind), row_id, now, dict(expect), attempted,
                            None if now is None else now["version"])
            assert now is not None
            version = now["version"]
            if tags is not None:
                self._write_tags(conn, row_id, tags, version)
                version += 1
            if cleaned or tags is None:
                review_id = self._update_row(conn, kind, t, row_id, cleaned, version)
            else:
                review_id = row_id
            if kind != "review":
                self._touch(conn, review_id)

    def delete_if_unchanged(self, kind: str, row_id: int, expect: Mapping[str, Any]) -> dict[str, Any]:
        """Undo of an add: delete the row only while it still holds ``expect`` (what this
        seat added), with the version read in the same transaction; returns its snapshot
        (for the redo) as :meth:`delete_item` / :meth:`delete_event` do."""
        from sqlalchemy import select

        from pmtui.errors import unchanged_since

        t = self._kind_table(kind)
        with self._write() as conn:
            raw = conn.execute(select(t).where(t.c.id == row_id)).mappings().first()
            now = None if raw is None else self._as_read(conn, kind, t, raw)
            unchanged_since(_KIND_LABEL.get(kind, kind), row_id, now, dict(expect), {},
                            None if now is None else now["version"])
            assert now is not None
            if kind == "event":
                return self._delete_event(conn, row_id, now["version"])
            row = self._delete_row(conn, kind, t, row_id, now["version"])
        return {"kind": ItemKind(kind), "row": dict(row)}

    # each concern's part (review_edits, list_edits, timeline_edits) cleans and deletes its own rows
    @staticmethod
    def _clean_review(values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _clean_event(self, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _clean_item(self, kind: ItemKind, values: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _write_tags(self, conn: Connection, review_id: int, tags: list[str], expected_version: int) -> list[str]:
        raise NotImplementedError

    def _delete_event(self, conn: Connection, event_id: int, expected_version: int) -> dict[str, Any]:
        raise NotImplementedError

    def _delete_row(self, conn: Connection, kind: str, t: Any, row_id: int, expected_version: int) -> Any:
        raise NotImplementedError

    def _touch(self, conn: Connection, review_id: int) -> None:
        raise NotImplementedError
