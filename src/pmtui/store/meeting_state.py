"""The meeting's shared state (stage, clock, who facilitates) as every seat reads it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .fields import (
    _table,
)
from .versions import _Rows

if TYPE_CHECKING:  # pragma: no cover

    from pmtui.domain.meeting import Meeting


class _MeetingState(_Rows):
    """One row per review while its meeting runs."""

    def get_meeting(self, review_id: int) -> Meeting | None:
        from sqlalchemy import select

        from pmtui.domain.meeting import Meeting

        t = _table("MeetingState")
        with self._read() as conn:
            state = conn.execute(select(t.c.state).where(t.c.review_id == review_id)).scalar()
        return Meeting.from_json(state) if state else None

    def save_meeting(self, review_id: int, meeting: Meeting) -> None:
        t = _table("MeetingState")
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as upsert
            else:
                from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
            stmt = upsert(t).values(review_id=review_id, state=meeting.to_json())
            conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.review_id], set_={"state": stmt.excluded.state}))
            self._changed("meeting", review_id, review_id)

    def end_meeting(self, review_id: int) -> None:
        from sqlalchemy import delete

        t = _table("MeetingState")
        with self._write() as conn:
            conn.execute(delete(t).where(t.c.review_id == review_id))
            self._changed("meeting", review_id, review_id)
