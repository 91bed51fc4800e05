"""An import's events as one: remove every event of one evidence source from a review's
timeline in one step (and put them back, for undo), each row deleted only at the
version the caller read (compare-and-set, in the DELETE itself)."""

from __future__ import annotations

from typing import Any

from pmtui.errors import BadInput, Conflict


class _Sources:
    _write: Any
    _read: Any
    _changed: Any
    _touch: Any

    def source_versions(self, review_id: int, source: str) -> dict[int, int]:
        """{event id: version} of every event of one source on a review's timeline."""
        from sqlalchemy import select

        from .fields import _table

        t = _table("Event")
        with self._read() as conn:
            q = select(t.c.id, t.c.version).where(t.c.review_id == review_id, t.c.source == source)
            return {int(i): int(v) for i, v in conn.execute(q)}

    def delete_events_seen(self, review_id: int, seen: dict[int, int]) -> dict[str, Any]:
        """Delete these events (``{id: version read}``) in one transaction, each only while it
        still holds the version read: an event another seat changed or deleted since is a
        Conflict, and nothing is deleted. Returns the snapshot that puts them back."""
        from sqlalchemy import delete, select

        from .fields import _table

        if not seen:
            raise BadInput("no events to remove")
        t, mt = _table("Event"), _table("EventMark")
        with self._write() as conn:
            marks = [dict(m) for m in conn.execute(select(mt).where(mt.c.event_id.in_(list(seen)))).mappings()]
            rows = []
            for event_id, version in seen.items():
                row = conn.execute(delete(t).where(t.c.id == event_id, t.c.review_id == review_id,
                                                   t.c.version == version).returning(*t.c)).mappings().first()
                if row is None:  # changed or deleted since it was read: the whole removal is refused
                    now = conn.execute(select(t).where(t.c.id == event_id)).mappings().first()
                    raise Conflict("event", event_id, expected_version=version,
                                   current_version=None if now is None else now["version"], current=None,
                                   attempted={}, changed_by="" if now is None else now["updated_by"],
                                   changed_at="" if now is None else now["updated_at"])
                rows.append(dict(row))
            self._touch(conn, review_id)
            self._changed("event", review_id, None)
            self._changed("mark", review_id, None)
        return {"review_id": review_id, "rows": rows, "marks": marks}

    def restore_events_seen(self, snapshot: dict[str, Any]) -> dict[int, int]:
        """Put removed events back (undo), with their ids where free and the marks no other
        event has taken since; returns {id: version} of the events as put back (for redo)."""
        from sqlalchemy import insert, select

        from .fields import _evidence_room, _table

        t, mt = _table("Event"), _table("EventMark")
        review_id = snapshot["review_id"]
        back: dict[int, int] = {}
        with self._write() as conn:
            held = conn.execute(select(t.c.id).where(t.c.review_id == review_id,
                                                     t.c.source_id.is_not(None))).all()
            _evidence_room(len(held), sum(1 for r in snapshot["rows"] if r.get("source_id")))
            moved: dict[int, int] = {}
            for old in snapshot["rows"]:
                row = dict(old)
                if conn.execute(select(t.c.id).where(t.c.id == row["id"])).first() is not None:
                    row.pop("id")
                new_id: int = conn.execute(insert(t).returning(t.c.id), row).scalar_one()
                moved[old["id"]] = new_id
                back[new_id] = int(row["version"])
            taken = set(conn.execute(select(mt.c.mark).where(mt.c.review_id == review_id)).scalars())
            for m in snapshot["marks"]:
                if m["mark"] not in taken and m["event_id"] in moved:
                    conn.execute(insert(mt), {"review_id": review_id, "event_id": moved[m["event_id"]],
                                              "mark": m["mark"], "position": m["position"]})
            self._touch(conn, review_id)
            self._changed("event", review_id, None)
            self._changed("mark", review_id, None)
        return back
