"""The timeline: its events read a page at a time, edits, marks, and imported evidence."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pmtui.errors import BadInput, Conflict

from .fields import (
    _check,
    _evidence_room,
    _make_room,
    _table,
)
from .values import EventRow, from_utc_text, now_utc_text, to_utc_text
from .versions import _Rows

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection



class _TimelineEdits(_Rows):
    """Events, marks and evidence."""

    def events(self, review_id: int) -> list[EventRow]:
        """The timeline in order (time, then insertion), with each event's marks."""
        return self._event_rows(review_id)

    def events_with_marks(self, review_id: int) -> list[EventRow]:
        """Only the marked events (what metrics need), cheap on long timelines."""
        return self._event_rows(review_id, marked_only=True)

    def events_by_id(self, review_id: int, ids: list[int]) -> list[EventRow]:
        """Only these events (those still there), with their marks: what a screen needs to
        show one changed row of a long timeline without reading all of it."""
        return self._event_rows(review_id, only=ids)

    # A long timeline (100,000 imported log lines) is read a page at a time: how many
    # events (of one source), one page in timeline order, and where an event sits.
    def event_count(self, review_id: int, source: str | None = None) -> int:
        from sqlalchemy import func, select

        t = _table("Event")
        q = select(func.count()).select_from(t).where(t.c.review_id == review_id)
        if source is not None:
            q = q.where(t.c.source == source)
        with self._read() as conn:
            return int(conn.execute(q).scalar() or 0)

    def event_page(self, review_id: int, offset: int, limit: int, source: str | None = None, *,
                   total: int | None = None, after: EventRow | None = None,
                   before: EventRow | None = None) -> list[EventRow]:
        """Events ``offset`` to ``offset + limit`` of the timeline (of one source).

        An OFFSET costs a walk over every row it skips (17 ms at 100,000 events on SQLite,
        against 3 ms for the first page), so a caller that knows more reads cheaper:
        ``after``/``before`` is the event just before/after the page (a neighbouring page
        already read: the page starts right there in the index), and ``total`` (how many
        events there are) lets a page past the middle be read from the end backwards, so
        the last page (the End key) costs what the first does."""
        if after is not None:
            return self._event_rows(review_id, source=source, window=(0, limit), key=(after, False))
        if before is not None:
            rows = self._event_rows(review_id, source=source, window=(0, limit), key=(before, True))
            return rows[::-1]
        if total is not None and offset > total // 2:
            end = min(total, offset + limit)
            rows = self._event_rows(review_id, source=source, window=(total - end, end - offset), descending=True)
            return rows[::-1]
        return self._event_rows(review_id, source=source, window=(offset, limit))

    def event_index(self, review_id: int, event_id: int, source: str | None = None) -> int | None:
        """An event's position in the timeline (of one source); None when it is not there."""
        from sqlalchemy import and_, func, or_, select

        t = _table("Event")
        with self._read() as conn:
            row = conn.execute(select(t.c.at_utc, t.c.seq, t.c.source).where(
                t.c.id == event_id, t.c.review_id == review_id)).first()
            if row is None or (source is not None and row.source != source):
                return None
            before = or_(t.c.at_utc < row.at_utc, and_(t.c.at_utc == row.at_utc, or_(
                t.c.seq < row.seq, and_(t.c.seq == row.seq, t.c.id < event_id))))
            q = select(func.count()).select_from(t).where(t.c.review_id == review_id, before)
            if source is not None:
                q = q.where(t.c.source == source)
            return int(conn.execute(q).scalar() or 0)

    def _event_rows(self, review_id: int, marked_only: bool = False, source: str | None = None,
                    window: tuple[int, int] | None = None, only: list[int] | None = None,
                    descending: bool = False, key: tuple[EventRow, bool] | None = None) -> list[EventRow]:
        from sqlalchemy import select, tuple_

        t, mt = _table("Event"), _table("EventMark")
        q = select(t.c.id, t.c.at_utc, t.c.offset_min, t.c.text, t.c.kind, t.c.source, t.c.approximate,
                   t.c.highlight, t.c.seq, t.c.version, t.c.source_id, t.c.confirmed, t.c.review_id)
        if source is not None:
            q = q.where(t.c.source == source)
        if key is not None:  # the rows after (or, descending, before) this event in timeline order
            edge, descending = key
            at_utc = to_utc_text(edge.at)[0]
            mark = tuple_(t.c.at_utc, t.c.seq, t.c.id)
            q = q.where(mark < (at_utc, edge.seq, edge.id) if descending else mark > (at_utc, edge.seq, edge.id))
        with self._read() as conn:
            marks: dict[int, list[str]] = {}
            for event_id, mark_name in conn.execute(
                select(mt.c.event_id, mt.c.mark).where(mt.c.review_id == review_id).order_by(mt.c.position, mt.c.id)
            ):
                marks.setdefault(event_id, []).append(mark_name)
            if marked_only:
                only = list(marks)
            if only is not None:
                # by primary key (the review checked here): a condition on the review would
                # lead the database to walk the review's whole timeline in its index
                found = conn.execute(q.where(t.c.id.in_(list(only)))).all() if only else []
                rows = sorted((r for r in found if r[12] == review_id), key=lambda r: (r[1], r[8], r[0]))
            else:
                q = q.where(t.c.review_id == review_id)
                if descending:
                    q = q.order_by(t.c.at_utc.desc(), t.c.seq.desc(), t.c.id.desc())
                else:
                    q = q.order_by(t.c.at_utc, t.c.seq, t.c.id)
                if window is not None:
                    q = q.offset(window[0]).limit(window[1])
                rows = conn.execute(q).all()
        return [
            EventRow(r[0], from_utc_text(r[1], r[2]), r[3], r[4], r[5], bool(r[6]), bool(r[7]),
                     tuple(marks.get(r[0], ())), r[8], r[9], r[10] or "", bool(r[11]))
            for r in rows
        ]

    _EVENT_FIELDS = ("at", "text", "kind", "source", "approximate", "highlight", "confirmed")

    def event_original(self, event_id: int) -> tuple[str, str, str]:
        """An event's (source, source_id, original): what the event form shows read-only."""
        from sqlalchemy import select

        t = _table("Event")
        with self._read() as conn:
            row = conn.execute(select(t.c.source, t.c.source_id, t.c.original).where(t.c.id == event_id)).first()
        if row is None:
            raise BadInput("that event no longer exists")
        return row[0], row[1] or "", row[2]

    def confirm_event(self, event_id: int, confirmed: bool = True, *, expected_version: int) -> None:
        """The room confirmed (or un-confirmed) the event in a walk-through."""
        self.update_event(event_id, expected_version=expected_version, confirmed=confirmed)

    def _clean_event(self, values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(self._EVENT_FIELDS)
        if unknown:
            raise ValueError(f"not an event field: {', '.join(sorted(unknown))}")
        cleaned = _check("Event", values)
        if "at" in cleaned:
            from pmtui.domain.document import normalise_offset

            cleaned["at_utc"], cleaned["offset_min"] = to_utc_text(normalise_offset(cleaned.pop("at")))
        return cleaned

    def add_event(self, review_id: int, /, **values: Any) -> int:
        from sqlalchemy import func, insert, select

        missing = {k: "required field is missing" for k in ("at", "text") if k not in values}
        if missing:
            from pmtui.errors import FieldErrors

            raise FieldErrors(missing)
        cleaned = self._clean_event(values)
        t = _table("Event")
        with self._write() as conn:
            _make_room(conn, "event", t, review_id)
            # after the events of the same moment (seq only orders ties in time): one look
            # in the (review, time, seq) index, not a walk through a long timeline
            seq = conn.execute(select(func.coalesce(func.max(t.c.seq) + 1, 0)).where(
                t.c.review_id == review_id, t.c.at_utc == cleaned["at_utc"])).scalar()
            event_id: int = conn.execute(insert(t).returning(t.c.id), {
                "review_id": review_id, "seq": seq, **cleaned, "updated_by": self.actor, "updated_at": now_utc_text(),
            }).scalar_one()
            self._touch(conn, review_id)
            self._changed("event", review_id, event_id)
        return event_id

    def update_event(self, event_id: int, /, expected_version: int, **values: Any) -> None:
        cleaned = self._clean_event(values)
        with self._write() as conn:
            review_id = self._update_row(conn, "event", _table("Event"), event_id, cleaned, expected_version)
            self._touch(conn, review_id)

    def delete_event(self, event_id: int, expected_version: int) -> dict[str, Any]:
        with self._write() as conn:
            return self._delete_event(conn, event_id, expected_version)

    def _delete_event(self, conn: Connection, event_id: int, expected_version: int) -> dict[str, Any]:
        from sqlalchemy import select

        t, mt = _table("Event"), _table("EventMark")
        marks = [dict(m) for m in conn.execute(select(mt).where(mt.c.event_id == event_id)).mappings()]
        row = self._delete_row(conn, "event", t, event_id, expected_version)
        return {"row": dict(row), "marks": marks}

    def restore_event(self, snapshot: dict[str, Any]) -> int:
        """Undo a delete: the event comes back with the marks no other event has taken since."""
        from sqlalchemy import insert, select

        t, mt = _table("Event"), _table("EventMark")
        row = dict(snapshot["row"])
        with self._write() as conn:
            _make_room(conn, "event", t, row["review_id"], evidence=bool(row.get("source_id")))
            if conn.execute(select(t.c.id).where(t.c.id == row["id"])).first() is not None:
                row.pop("id")
            event_id: int = conn.execute(insert(t).returning(t.c.id), row).scalar_one()
            taken = set(conn.execute(select(mt.c.mark).where(mt.c.review_id == row["review_id"])).scalars())
            for m in snapshot["marks"]:
                if m["mark"] not in taken:
                    conn.execute(insert(mt), {"review_id": m["review_id"], "event_id": event_id, "mark": m["mark"],
                                              "position": m["position"]})
            self._touch(conn, row["review_id"])
            self._changed("event", row["review_id"], event_id)
        return event_id

    def set_mark(self, review_id: int, mark: str, event_id: int | None, *, expected_holder: int | None) -> None:
        """Put a mark on an event (moving it from any other), or clear it (None), only while
        the mark is where this seat saw it (``expected_holder``: the event that held it, None
        for no event). Compare-and-set on the mark's row: another seat's move since is a
        Conflict, nothing is changed."""
        from sqlalchemy import delete, insert, select
        from sqlalchemy.exc import IntegrityError

        from pmtui.domain.vocab import Mark

        if mark not in Mark.__members__:
            raise BadInput(f"unknown mark {mark!r}")
        t, mt = _table("Event"), _table("EventMark")

        def moved() -> Conflict:
            with self._read() as conn:
                holder = conn.execute(select(mt.c.event_id).where(mt.c.review_id == review_id,
                                                                  mt.c.mark == mark)).scalar()
            return Conflict("mark", review_id, expected_version=-1, current_version=None,
                            current={"event": holder}, attempted={"event": event_id})

        try:
            with self._write() as conn:
                if expected_holder is not None:
                    gone = conn.execute(delete(mt).where(mt.c.review_id == review_id, mt.c.mark == mark,
                                                         mt.c.event_id == expected_holder))
                    if gone.rowcount != 1:
                        raise moved()
                if event_id is not None:
                    owner = conn.execute(select(t.c.review_id).where(t.c.id == event_id)).scalar()
                    if owner != review_id:
                        raise BadInput("that event no longer exists")
                    # a mark another seat set meanwhile (expected none) breaks the unique constraint
                    conn.execute(insert(mt), {"review_id": review_id, "event_id": event_id, "mark": mark,
                                              "position": list(Mark.__members__).index(mark)})
                self._touch(conn, review_id)
                self._changed("mark", review_id, event_id)
        except IntegrityError:
            raise moved() from None

    # ------------------------------------------------------------ evidence
    def evidence_keys(self, review_id: int) -> set[tuple[str, str]]:
        """The (source, source_id) pairs of the evidence a review holds."""
        from sqlalchemy import select

        t = _table("Event")
        with self._read() as conn:
            q = select(t.c.source, t.c.source_id).where(t.c.review_id == review_id, t.c.source_id.is_not(None))
            return {(a, b) for a, b in conn.execute(q)}

    def event_sources(self, review_id: int) -> dict[str, int]:
        """Each source on a review's timeline and how many events it has ("" for none)."""
        from sqlalchemy import func, select

        t = _table("Event")
        with self._read() as conn:
            q = select(t.c.source, func.count()).where(t.c.review_id == review_id).group_by(t.c.source)
            return {src: int(n) for src, n in conn.execute(q)}

    def add_evidence(self, review_id: int, events: Any, components: Any = ()) -> tuple[list[Any], int]:
        """Add imported evidence (``pmtui.evidence`` events) to a review's timeline in one
        transaction, skipping each event whose (source, source_id) the review already
        holds; merge status-page component windows into Impact components (same name:
        the worse status and the wider window). Returns (the events added, duplicates).
        Every event is checked against the document's limits first: a problem is a
        BadInput naming the event's file and place, and nothing is written."""
        from sqlalchemy import func, select

        from pmtui.domain import document as d
        from pmtui.evidence._check import check_all

        check_all(list(events), list(components))  # the document's own rules, as the import ran them
        t, rt = _table("Event"), _table("Review")
        with self._write() as conn:
            # one import per review at a time (PostgreSQL; SQLite's write lock already is)
            if conn.execute(select(rt.c.id).where(rt.c.id == review_id).with_for_update()).first() is None:
                raise BadInput(f"no review with id {review_id}")
            q = select(t.c.source, t.c.source_id).where(t.c.review_id == review_id, t.c.source_id.is_not(None))
            have = {(a, b) for a, b in conn.execute(q)}
            new = [e for e in events if e.key not in have]
            if new:
                _evidence_room(len(have), len(new))
            seq = conn.execute(select(func.coalesce(func.max(t.c.seq) + 1, 0)).where(t.c.review_id == review_id)).scalar()
            now = now_utc_text()
            rows = []
            for i, e in enumerate(new):
                at_utc, off = to_utc_text(d.normalise_offset(e.at))
                rows.append({"review_id": review_id, "at_utc": at_utc, "offset_min": off, "seq": seq + i,
                             "text": e.text, "kind": e.kind.value, "source": e.source, "source_id": e.source_id,
                             "original": e.original, "approximate": False, "highlight": False, "confirmed": False,
                             "version": 1, "updated_at": now, "updated_by": self.actor})
            if rows:
                self.backend.insert_rows(conn, t, rows)  # type: ignore[attr-defined]
            if components:
                self._merge_components(conn, review_id, components, self.actor)
            if rows or components:
                self._touch(conn, review_id)
                self._changed("event", review_id, None)
        return new, len(events) - len(new)

    @staticmethod
    def _merge_components(conn: Connection, review_id: int, windows: Any, actor: str = "") -> None:
        from sqlalchemy import func, insert, select

        from pmtui.domain.document import normalise_offset
        from pmtui.domain.vocab import ComponentStatus

        from .rows import cas_update

        order = list(ComponentStatus)
        ct = _table("Component")
        rows = {r["name"]: dict(r) for r in conn.execute(
            select(ct).where(ct.c.review_id == review_id).order_by(ct.c.position, ct.c.id)).mappings()}
        position: int = conn.execute(select(func.coalesce(func.max(ct.c.position) + 1, 0))
                                     .where(ct.c.review_id == review_id)).scalar_one()

        def at(utc: str | None, off: int | None) -> datetime | None:
            return from_utc_text(utc, off or 0) if utc else None

        for w in windows:
            row = rows.get(w.name)
            if row is None:
                row = {"review_id": review_id, "position": position, "name": w.name, "status": w.worst_status.value,
                       "start_utc": None, "start_offset": None, "end_utc": None, "end_offset": None}
                position += 1
                rows[w.name] = row
            elif order.index(ComponentStatus(row["status"])) < order.index(w.worst_status):
                row["status"] = w.worst_status.value
            start, end = at(row["start_utc"], row["start_offset"]), at(row["end_utc"], row["end_offset"])
            start = w.start if start is None or w.start < start else start
            end = w.end if end is None or (w.end is not None and w.end > end) else end
            row["start_utc"], row["start_offset"] = to_utc_text(normalise_offset(start))
            if end is not None:
                row["end_utc"], row["end_offset"] = to_utc_text(normalise_offset(end))
            row["_touched"] = True
        for row in rows.values():
            if not row.pop("_touched", False):
                continue
            values = {k: row[k] for k in ("status", "start_utc", "start_offset", "end_utc", "end_offset")}
            if "id" in row:  # compare-and-set with the version read above: an edit since is a Conflict
                cas_update(conn, "component", ct, row["id"], row["version"], values, actor)
            else:
                conn.execute(insert(ct), {**row, "updated_by": actor, "updated_at": now_utc_text()})
