"""A review's own fields and its tags, one confirmed edit at a time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pmtui.errors import BadInput, Conflict

from .fields import (
    REVIEW_FIELDS,
    _check,
    _limit,
    _read_times,
    _store_times,
    _table,
)
from .values import now_utc_text
from .versions import _Rows

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection



class _ReviewEdits(_Rows):
    """The review row: its fields (checked with the document's rules) and its tags."""

    def _touch(self, conn: Connection, review_id: int) -> None:
        t = _table("Review")
        conn.execute(t.update().where(t.c.id == review_id).values(updated_at=now_utc_text()))

    def get_review(self, review_id: int) -> dict[str, Any]:
        """The review's own fields (and its tags) as stored, with its version."""
        from sqlalchemy import select

        t, tags = _table("Review"), _table("Tag")
        with self._read() as conn:
            row = conn.execute(select(t).where(t.c.id == review_id)).mappings().first()
            if row is None:
                raise BadInput(f"no review with id {review_id}")
            names = conn.execute(select(tags.c.name).where(tags.c.review_id == review_id)).scalars()
            return {**_read_times(t, dict(row), keep_columns=True), "tags": sorted(names)}

    def update_review(self, review_id: int, /, expected_version: int, **values: Any) -> dict[str, Any]:
        """Change some of a review's fields; returns them as stored."""
        cleaned = self._clean_review(values)
        stored = _store_times(_table("Review"), dict(cleaned))  # a time: its UTC instant and offset (normalised)
        with self._write() as conn:
            self._update_row(conn, "review", _table("Review"), review_id, stored, expected_version)
        return cleaned

    @staticmethod
    def _clean_review(values: dict[str, Any]) -> dict[str, Any]:
        from pmtui.errors import FieldErrors

        by_model: dict[str, dict[str, Any]] = {}
        for column, value in values.items():
            if column not in REVIEW_FIELDS:
                raise ValueError(f"not a review field: {column}")
            model, _field = REVIEW_FIELDS[column]
            by_model.setdefault(model, {})[column] = value
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for model, vals in by_model.items():
            try:
                cleaned.update(_check(model, vals, {c: REVIEW_FIELDS[c][1] for c in vals}))
            except FieldErrors as exc:
                errors.update(exc.fields)
        if errors:
            raise FieldErrors(errors)
        return cleaned

    def set_started(self, review_id: int, started: Any, expected_version: int) -> Any:
        """When the incident started (an aware time, or None to clear it); returns it as kept."""
        return self.update_review(review_id, expected_version=expected_version, started=started)["started"]

    def review_started(self, review_id: int) -> datetime | None:
        started: datetime | None = self.get_review(review_id)["started"]
        return started

    def set_tags(self, review_id: int, tags: list[str], expected_version: int) -> list[str]:
        """Replace the review's tags. Tags are a field of the review: the review's version
        read (``expected_version``) is checked and bumped in the same transaction, so a
        seat never replaces tags another seat changed since it read them (Conflict, with
        the tags as they are now)."""
        with self._write() as conn:
            return self._write_tags(conn, review_id, tags, expected_version)

    def _write_tags(self, conn: Connection, review_id: int, tags: list[str], expected_version: int) -> list[str]:
        from sqlalchemy import delete, insert, select

        from .rows import cas_update, conflict

        if len(tags) > _limit("tag"):
            raise BadInput(f"at most {_limit('tag'):,} tags (got {len(tags):,}); nothing was changed")
        cleaned: list[str] = _check("ReviewDoc", {"tags": tags})["tags"]
        t, rt = _table("Tag"), _table("Review")
        try:
            cas_update(conn, "review", rt, review_id, expected_version, {}, self.actor)
        except Conflict:
            names = sorted(conn.execute(select(t.c.name).where(t.c.review_id == review_id)).scalars())
            raise conflict(conn, "review", rt, review_id, expected_version, {"tags": tags},
                           current={"tags": names}) from None
        conn.execute(delete(t).where(t.c.review_id == review_id))
        if cleaned:
            conn.execute(insert(t), [{"review_id": review_id, "name": n} for n in cleaned])
        self._changed("tags", review_id, None)
        self._changed("review", review_id, review_id)
        return sorted(cleaned)  # as get_review gives them
