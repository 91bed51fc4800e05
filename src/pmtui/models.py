"""SQLModel tables: what the store keeps. One row per review and one table per list
in the ``pmtui-review/2`` format. Lists keep their order with a ``position``
column; timeline events are ordered by time, ties by ``seq`` (insertion order).

Timestamps are kept as the UTC instant (sortable ISO text, micro-seconds) plus the
UTC offset in minutes that the evidence was written with, so that an exported
document writes them back exactly as they came in.
"""

from __future__ import annotations

import types
from typing import Any, Optional, cast

from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from pmtui import document
from pmtui.vocab import ActionStatus, EventKind, NoteKind, Stage, Status

# The schema's version is the number of its newest migration (store/migrations/versions;
# pmtui.store.schema.SCHEMA_VERSION): 2: meeting state and note links; 3: row versions,
# review uid; 4: pmtui-review/2 fields (evidence ids, original text, confirmed, review
# start, component windows); 5: seats (presence, and SQLite's change log).
APPLICATION_ID = 0x706D7475  # "pmtu": marks an SQLite file as a pmtui store


def table_of(model: type[SQLModel]) -> Table:
    """A table class's SQLAlchemy Table (SQLModel sets ``__table__``; its stubs do not say so)."""
    t = model.__dict__["__table__"]
    assert isinstance(t, Table)
    return t


def _version() -> Any:
    """Every editable row: ``version`` starts at 1 and each update adds 1. (A pydantic
    FieldInfo that stands for an int, as ``Field`` returns.)"""
    return Field(default=1, sa_column_kwargs={"server_default": "1"})


def _text_default() -> Any:
    return Field(default="", sa_column_kwargs={"server_default": ""})


def _review_fk() -> Column[int]:
    return Column(Integer, ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True)


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class Review(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    uid: str | None = Field(default=None, unique=True, index=True)  # kept by `pmtui db copy`
    title: str
    status: str = Status.draft.value
    severity: str | None = None
    incident_ref: str | None = None
    timezone: str = "UTC"
    started_utc: str | None = None  # when the incident started (UTC text) ...
    started_offset: int | None = None  # ... and the offset it was given with
    review_date: str | None = None
    summary: str = ""
    trigger: str = ""
    detection: str = ""
    resolution: str = ""
    impact_description: str = ""
    users_affected: int | None = Field(default=None, sa_type=BigInteger)
    data_loss: str = ""
    support_tickets: int | None = Field(default=None, sa_type=BigInteger)
    slo_budget_spent_pct: float | None = None
    customer_communication: str = ""
    created_at: str = ""
    updated_at: str = ""
    version: int = _version()
    updated_by: str = _text_default()



class Author(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    name: str


class Participant(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    name: str
    role: str = ""
    attended: bool = True
    version: int = _version()
    updated_at: str = _text_default()
    updated_by: str = _text_default()



class Link(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    title: str
    url: str


class Tag(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    name: str


SOURCE_ID_INDEX = "ux_event_source_id"


class Event(SQLModel, table=True):
    __table_args__ = (
        Index("ix_event_review_time", "review_id", "at_utc", "seq"),
        # one piece of evidence once per review (the dedupe of `pmtui evidence`)
        Index(SOURCE_ID_INDEX, "review_id", "source", "source_id", unique=True,
              sqlite_where=text("source_id IS NOT NULL"), postgresql_where=text("source_id IS NOT NULL")),
    )
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    at_utc: str = Field(index=True)
    offset_min: int = 0
    seq: int = 0
    text: str
    kind: str = EventKind.event.value
    source: str = ""
    source_id: str | None = None  # imported evidence: the source's stable id (NULL: typed)
    original: str = _text_default()
    approximate: bool = False
    highlight: bool = False
    confirmed: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    version: int = _version()
    updated_at: str = _text_default()
    updated_by: str = _text_default()



class EventMark(SQLModel, table=True):
    """A key moment; the unique constraint keeps each mark on one event per review."""

    __tablename__ = "event_mark"
    __table_args__ = (UniqueConstraint("review_id", "mark"),)
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    mark: str
    position: int = 0


class Component(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    name: str
    status: str
    start_utc: str | None = None
    start_offset: int | None = None
    end_utc: str | None = None
    end_offset: int | None = None


class Factor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    text: str
    category: str
    version: int = _version()
    updated_at: str = _text_default()
    updated_by: str = _text_default()



class Observation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    kind: str
    text: str
    version: int = _version()
    updated_at: str = _text_default()
    updated_by: str = _text_default()



class Learning(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    text: str
    version: int = _version()
    updated_at: str = _text_default()
    updated_by: str = _text_default()



def _document_columns(doc_model: type[BaseModel], **overrides: Any) -> dict[str, Any]:
    """The columns that keep a document model's fields, one per field, of the same name
    (class-body entries: annotations and defaults), so that a field declared in
    ``pmtui.document`` has its column without being declared again. Text and enums are
    text (NOT NULL, the field's default also as the server default, which a migration
    adding the column needs); an optional date is nullable text (YYYY-MM-DD); a flag is
    a boolean. ``overrides`` replace a column's default (``Field(...)``, e.g. an index).
    A field of another type is a TypeError: teach this function its column first."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    for name, field in doc_model.model_fields.items():
        kind = field.annotation
        if field.is_required() and isinstance(kind, type) and issubclass(kind, str):  # text, an enum
            annotations[name], default = str, Field()
        elif isinstance(field.default, str):  # text, and enums (a StrEnum is a str)
            value = str(getattr(field.default, "value", field.default))
            annotations[name] = str
            default = Field(default=value, sa_column_kwargs={"server_default": value})
        elif isinstance(field.default, bool):
            annotations[name] = bool
            default = Field(default=field.default, sa_column_kwargs={"server_default": "1" if field.default else "0"})
        elif field.default is None and kind == (document.Day | None):
            annotations[name], default = Optional[str], Field(default=None)  # noqa: UP045 - read by SQLModel at run time
        else:
            raise TypeError(f"{doc_model.__name__}.{name}: no store column for {kind!r} (teach pmtui.models)")
        namespace[name] = overrides.pop(name, default)
    if overrides:
        raise TypeError(f"{doc_model.__name__} has no field {', '.join(overrides)}")
    return {"__annotations__": annotations, **namespace}


def _list_table(class_name: str, table_name: str, doc_model: type[BaseModel], **overrides: Any) -> type[SQLModel]:
    """A table that keeps one of a review's lists: ``id``, ``review_id`` and ``position``,
    a column per field of the document model (see _document_columns), then the row
    version and who changed it when."""
    columns = _document_columns(doc_model, **overrides)
    namespace = {
        "__module__": __name__, "__tablename__": table_name, "__qualname__": class_name,
        "__annotations__": {"id": Optional[int], "review_id": int, "position": int, **columns.pop("__annotations__"),  # noqa: UP045
                            "version": int, "updated_at": str, "updated_by": str},
        "id": Field(default=None, primary_key=True), "review_id": Field(sa_column=_review_fk()), "position": 0,
        **columns, "version": _version(), "updated_at": _text_default(), "updated_by": _text_default(),
    }
    table = types.new_class(class_name, (SQLModel,), {"table": True}, lambda ns: ns.update(namespace))
    return cast("type[SQLModel]", table)


# An action item: a column for every field of pmtui.document.ActionItem, by its name.
ActionItem = _list_table("ActionItem", "action_item", document.ActionItem,
                         status=Field(default=ActionStatus.open.value, index=True,
                                      sa_column_kwargs={"server_default": ActionStatus.open.value}))


class Note(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    at_utc: str
    offset_min: int = 0
    stage: str = Stage.context.value
    kind: str = NoteKind.note.value
    text: str
    author: str = ""
    version: int = _version()
    updated_at: str = _text_default()
    updated_by: str = _text_default()



class Related(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    ref: str


class NoteLink(SQLModel, table=True):
    """What a note became (a timeline event, a factor, an observation, an action item)."""

    __tablename__ = "note_link"
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    note_id: int = Field(
        sa_column=Column(Integer, ForeignKey("note.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    target_kind: str
    target_id: int


class MeetingState(SQLModel, table=True):
    """The running meeting of a review: agenda, current stage, its clock (JSON)."""

    __tablename__ = "meeting"
    review_id: int = Field(
        sa_column=Column(Integer, ForeignKey("review.id", ondelete="CASCADE"), primary_key=True)
    )
    state: str


class Presence(SQLModel, table=True):
    """Who is in a review now: one row per running seat, renewed by its heartbeat; a row
    whose ``expires_at`` (seconds since the epoch) has passed is a seat that is gone."""

    __tablename__ = "presence"
    seat: str = Field(primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    name: str
    role: str
    expires_at: float


class ChangeLog(SQLModel, table=True):
    """SQLite's change signal: what each write transaction changed (PostgreSQL sends the
    same as NOTIFY). Rows older than a few minutes are pruned."""

    __tablename__ = "change_log"
    id: int | None = Field(default=None, primary_key=True)
    origin: str
    kind: str | None = None
    review_id: int | None = None
    row_id: int | None = None
    at: float
