"""Presence: who is in which review now (one row per running seat).

A seat (one pmtui process in one review) writes its row when it enters, renews its
``expires_at`` by a heartbeat every few seconds, and deletes it when it leaves; a seat
that was killed stops renewing and drops out when its row expires. Entering and leaving
are announced by the change signal (kind ``presence``); a heartbeat is not.
"""

from __future__ import annotations

import time
from typing import Any


def _table() -> Any:
    from pmtui.store import models

    return models.table_of(models.Presence)


class _Presence:
    _write: Any
    _read: Any
    _changed: Any

    def heartbeat(self, seat: str, review_id: int, name: str, role: str, ttl: float = 10.0) -> None:
        """Say this seat is in the review (with its name and role) for ``ttl`` seconds more."""
        from sqlalchemy import delete, insert, select

        t = _table()
        now = time.time()
        with self._write() as conn:
            row = conn.execute(select(t.c.review_id, t.c.name, t.c.role).where(t.c.seat == seat)).first()
            if row is not None and tuple(row) == (review_id, name, role):
                conn.execute(t.update().where(t.c.seat == seat).values(expires_at=now + ttl))
            else:
                conn.execute(delete(t).where(t.c.seat == seat))
                conn.execute(insert(t), {"seat": seat, "review_id": review_id, "name": name, "role": role,
                                         "expires_at": now + ttl})
                self._changed("presence", review_id, None)
            # seats that stopped beating long ago (killed) are cleared by whoever is still here
            conn.execute(delete(t).where(t.c.expires_at < now - 60))

    def leave(self, seat: str) -> None:
        """This seat left its review (quit, or went to another)."""
        from sqlalchemy import delete, select

        t = _table()
        with self._write() as conn:
            review_id = conn.execute(select(t.c.review_id).where(t.c.seat == seat)).scalar()
            if review_id is not None:
                conn.execute(delete(t).where(t.c.seat == seat))
                self._changed("presence", review_id, None)

    def present(self, review_id: int) -> list[dict[str, Any]]:
        """The seats in the review now (rows not expired), oldest entry first."""
        from sqlalchemy import select

        t = _table()
        with self._read() as conn:
            rows = conn.execute(select(t.c.seat, t.c.name, t.c.role).where(
                t.c.review_id == review_id, t.c.expires_at >= time.time())).mappings()
            return [dict(r) for r in rows]
