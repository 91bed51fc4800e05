"""What the store keeps of each field and list, read from the document model and the
tables (pmtui.store.models), and the rules every edit checks (types, limits)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple

from pmtui.domain.vocab import ItemKind
from pmtui.errors import BadInput

from .values import from_utc_text, to_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection


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

class ListKind(NamedTuple):
    """One of a review's lists, as the store keeps it."""

    table: str  # the table's model (pmtui.store.models)
    model: str  # the document model of one item (pmtui.domain.document)
    columns: Mapping[str, str]  # {column: document field}


LIST_KINDS: dict[ItemKind, ListKind] = {
    ItemKind.author: ListKind("Author", "TextItem", {"name": "text"}),
    ItemKind.participant: ListKind("Participant", "Participant", SameNames("Participant")),
    ItemKind.link: ListKind("Link", "Link", SameNames("Link")),
    ItemKind.component: ListKind("Component", "Component", SameNames("Component")),  # start/end: *_utc, *_offset
    ItemKind.factor: ListKind("Factor", "Factor", SameNames("Factor")),
    ItemKind.observation: ListKind("Observation", "Observation", SameNames("Observation")),
    ItemKind.learning: ListKind("Learning", "TextItem", {"text": "text"}),
    ItemKind.related: ListKind("Related", "TextItem", {"ref": "text"}),
    ItemKind.action: ListKind("ActionItem", "ActionItem", SameNames("ActionItem")),
    ItemKind.note: ListKind("Note", "Note", SameNames("Note")),  # at: at_utc and offset_min columns
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
