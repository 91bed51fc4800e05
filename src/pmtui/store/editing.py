"""Editing: what the app changes, one confirmed edit at a time.

Every value is checked with the document's own rules before anything is written.
Editable rows (review, event, factor, observation, learning, action item, note,
participant) carry a ``version`` that each update increments, with who made it and
when; an update or delete given ``expected_version`` (the version the caller read)
raises :class:`~pmtui.errors.Conflict` when the row has changed since. Callers that
pass no version keep today's last-write-wins behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import ItemKind
from pmtui.errors import BadInput, Conflict

from .values import EventRow, from_utc_text, now_utc_text, to_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

    from pmtui.domain.meeting import Meeting

class _Lazy(Mapping[str, Any]):
    """A mapping read from the document models when first used (their module imports
    pydantic, which the home screen's first frame does without)."""

    def __init__(self) -> None:
        self._names: dict[str, Any] | None = None

    def _read(self) -> dict[str, Any]:
        raise NotImplementedError

    def _all(self) -> dict[str, Any]:
        if self._names is None:
            self._names = self._read()
        return self._names

    def __getitem__(self, name: str) -> Any:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


class _ReviewFields(_Lazy):
    """{name the app edits: (document model name, field of that model)}: the review's own
    fields and its impact's, as pmtui.store.models keeps them in the ``review`` row (a column's
    name; a time by its field's name, kept as ``<name>_utc`` and ``<name>_offset``)."""

    def _read(self) -> dict[str, Any]:
        from pmtui.store.models import KEPT

        return {(k.field if k.how == "time" else k.columns[0]): (model.__name__, k.field)
                for model, kept in (KEPT["review"], KEPT["review.impact"]) for k in kept if k.how != "elsewhere"}


REVIEW_FIELDS: Mapping[str, tuple[str, str]] = _ReviewFields()


class SameNames(_Lazy):
    """{column: document field} for a table that keeps every field of a document model
    in a column of the same name (a list field, kept in a table of its own, left out)."""

    def __init__(self, model_name: str) -> None:
        super().__init__()
        self.model_name = model_name

    def _read(self) -> dict[str, Any]:
        from typing import get_origin

        fields = _doc_model(self.model_name).model_fields
        return {name: name for name, f in fields.items() if get_origin(f.annotation) is not list}

# list kind -> (table model name, document model name, {column: document field})
LIST_KINDS: dict[ItemKind, tuple[str, str, Mapping[str, str]]] = {
    ItemKind.author: ("Author", "TextItem", {"name": "text"}),
    ItemKind.participant: ("Participant", "Participant", SameNames("Participant")),
    ItemKind.link: ("Link", "Link", SameNames("Link")),
    ItemKind.component: ("Component", "Component", SameNames("Component")),  # start/end: *_utc and *_offset columns
    ItemKind.factor: ("Factor", "Factor", SameNames("Factor")),
    ItemKind.observation: ("Observation", "Observation", SameNames("Observation")),
    ItemKind.learning: ("Learning", "TextItem", {"text": "text"}),
    ItemKind.related: ("Related", "TextItem", {"ref": "text"}),
    ItemKind.action: ("ActionItem", "ActionItem", SameNames("ActionItem")),
    ItemKind.note: ("Note", "Note", SameNames("Note")),  # at: at_utc and offset_min columns
}


def _db_value(value: Any) -> Any:
    """A cleaned document value as the store keeps it: enums by value, dates as text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def _times(table: Table) -> list[Any]:
    """The time fields a table keeps as two columns, its UTC text and offset (pmtui.store.models.KEPT)."""
    from pmtui.store.models import KEPT

    return [k for key, (_, kept) in KEPT.items() if key.split(".")[0] == table.name for k in kept if k.how == "time"]


def _read_times(table: Table, row: dict[str, Any], keep_columns: bool = False) -> dict[str, Any]:
    """A stored row with each time field as an aware datetime (None when not set)."""
    for k in _times(table):
        utc, offset = (row[c] for c in k.columns) if keep_columns else (row.pop(c) for c in k.columns)
        row[k.field] = from_utc_text(utc, offset or 0) if utc else None
    return row


def _store_times(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Cleaned values with each time field as its two columns."""
    for k in _times(table):
        if k.field in values:
            at = values.pop(k.field)
            values[k.columns[0]], values[k.columns[1]] = to_utc_text(at) if at is not None else (None, None)
    return values


def _doc_model(name: str) -> Any:
    from pmtui.domain import document

    return getattr(document, name)


def _table(name: str) -> Table:
    from pmtui.store import models

    return models.table_of(getattr(models, name))


def _check(model_name: str, values: dict[str, Any], names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Validate ``values`` (keyed by column) with a document model; FieldErrors keyed by column."""
    from pmtui.domain.document import check_values
    from pmtui.errors import FieldErrors

    names = names or {k: k for k in values}
    nul = {k: "contains the character U+0000 (NUL), which the store cannot keep"
           for k, v in values.items() if isinstance(v, str) and "\x00" in v}
    if nul:
        raise FieldErrors(nul)
    back = {names[k]: k for k in values}
    try:
        cleaned = check_values(_doc_model(model_name), {names[k]: v for k, v in values.items()})
    except FieldErrors as exc:
        raise FieldErrors({back.get(k, k): msg for k, msg in exc.fields.items()}) from None
    return {back[k]: _db_value(v) for k, v in cleaned.items()}


# what one review may hold (docs/review-format.md, "Limits"): the app never grows a
# review past what import accepts, so every stored review exports and imports again
_LIMIT_WORDS = {"author": "authors", "participant": "participants", "link": "links", "component": "components",
                "factor": "contributing factors", "observation": "observations", "learning": "learnings",
                "related": "related reviews", "action": "action items", "note": "notes", "event": "events",
                "tag": "tags"}


def _limit(kind: str) -> int:
    from pmtui.domain import document

    return {"event": document.EVENTS_MAX, "note": document.NOTES_MAX}.get(kind, document.ITEMS_MAX)


def _full(kind: str, held: int) -> BadInput:
    limit = _limit(kind)
    return BadInput(f"this review already holds {held:,} {_LIMIT_WORDS.get(kind, kind)}, the most a review can "
                    f"hold is {limit:,} (see the format's limits); nothing was added")


def _make_room(conn: Connection, kind: str, table: Any, review_id: int, adding: int = 1,
               evidence: bool = False) -> None:
    """Refuse (BadInput) an insert that would take a review past its documented limit.
    Events count apart: typed ones (no source_id) and imported evidence (``evidence``)."""
    from sqlalchemy import func, select

    q = select(func.count()).select_from(table).where(table.c.review_id == review_id)
    if kind == "event" and "source_id" in table.c and not evidence:
        # typed events: every event of the review is counted in an index alone (the typed ones
        # need each row's source_id: 1.3 ms against 0.3 at 10,000 events on SQLite); only a
        # review that many events bring near the limit counts its evidence apart (an index too)
        held = conn.execute(q).scalar() or 0
        if held + adding > _limit(kind):
            held -= conn.execute(q.where(table.c.source_id.is_not(None))).scalar() or 0
    else:
        if kind == "event" and "source_id" in table.c:
            q = q.where(table.c.source_id.is_not(None))
        held = conn.execute(q).scalar() or 0
    if kind == "event" and evidence:
        _evidence_room(held, adding)
    elif held + adding > _limit(kind):
        raise _full(kind, held)


def _evidence_room(held: int, adding: int) -> None:
    from pmtui.domain import document

    if held + adding > document.EVIDENCE_MAX:
        raise BadInput(f"this review holds {held:,} imported evidence events; adding {adding:,} more would pass "
                       f"{document.EVIDENCE_MAX:,}, the most a review can hold (see the format's limits); nothing "
                       "was added")


# list kinds whose rows have no version (not edited in a meeting by two people at once)
_KIND_LABEL = {"action": "action item", "review": "review", "event": "event"}


class _Editing:
    """Reads for the UI and one-edit-at-a-time writes (see Store)."""

    _write: Any
    _read: Any
    _changed: Any
    actor: str

    # ------------------------------------------------------------ versions
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
        return _table(LIST_KINDS[ItemKind(kind)][0])

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

    # ------------------------------------------------------------ review
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

    # ------------------------------------------------------------ lists
    def list_items(self, kind: ItemKind, review_id: int) -> list[dict[str, Any]]:
        from sqlalchemy import select

        t = _table(LIST_KINDS[kind][0])
        with self._read() as conn:
            rows = conn.execute(select(t).where(t.c.review_id == review_id).order_by(t.c.position, t.c.id)).mappings()
            return [_read_times(t, dict(r)) for r in rows]

    def _clean_item(self, kind: ItemKind, values: dict[str, Any]) -> dict[str, Any]:
        _, model, names = LIST_KINDS[kind]
        unknown = set(values) - set(names)
        if unknown:
            raise ValueError(f"not a {kind} field: {', '.join(sorted(unknown))}")
        return _store_times(_table(LIST_KINDS[kind][0]), _check(model, values, names))

    def add_item(self, kind: ItemKind, review_id: int, /, **values: Any) -> int:
        """Append an item to one of a review's lists; returns its id."""
        from sqlalchemy import func, insert, select

        _, model, names = LIST_KINDS[kind]
        required = {c for c, f in names.items() if _doc_model(model).model_fields[f].is_required()}
        missing = {c: "required field is missing" for c in required if c not in values}
        if missing:
            from pmtui.errors import FieldErrors

            raise FieldErrors(missing)
        cleaned = self._clean_item(kind, values)
        t = _table(LIST_KINDS[kind][0])
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
        t = _table(LIST_KINDS[kind][0])
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
        t = _table(LIST_KINDS[kind][0])
        with self._write() as conn:
            row = self._delete_row(conn, kind, t, item_id, expected_version)
        return {"kind": kind, "row": dict(row)}

    def restore_item(self, snapshot: dict[str, Any]) -> int:
        from sqlalchemy import insert, select

        t = _table(LIST_KINDS[snapshot["kind"]][0])
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

        t = _table(LIST_KINDS[kind][0])
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

    # ------------------------------------------------------------ timeline
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

        from pmtui.domain.document import ComponentStatus, normalise_offset

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

    # ------------------------------------------------------------ meeting
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

    # ------------------------------------------------------------ notes
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
