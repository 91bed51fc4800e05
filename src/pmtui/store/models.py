"""SQLModel tables: what the store keeps. One row per review and one table per list
in the ``pmtui-review/2`` format. Lists keep their order with a ``position``
column; timeline events are ordered by time, ties by ``seq`` (insertion order). The
columns that keep the document's fields are not declared here one by one: each table
takes them from its model in pmtui.domain.document (_document_columns; ARCHITECTURE.md, "Add a
field").

Timestamps are kept as the UTC instant (sortable ISO text, micro-seconds) plus the
UTC offset in minutes that the evidence was written with, so that an exported
document writes them back exactly as they came in.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Optional, Union, cast, get_args, get_origin

from pydantic import BaseModel
from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, Table, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from pmtui.domain import document
from pmtui.domain.vocab import ActionStatus

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


# ------------------------------------------------------------ columns from the document
# Every table that keeps a document model (a review's own fields, each list, the timeline)
# has a column for each of its fields, derived here from pmtui.domain.document (the field's name,
# type and default), so that a field is declared once. KEPT says where each field went;
# store/documents.py reads and writes rows through it (import, export).


@dataclass(frozen=True)
class Kept:
    """Where one field of a document model is kept in its table. ``how``: ``value`` (one
    column), ``flag`` (one boolean column), ``time`` (two columns: the UTC instant as text
    and the offset in minutes it was written with), ``null_when_empty`` (text kept as NULL
    when empty) or ``elsewhere`` (no column here: a list in a table of its own, or what the
    store does not keep)."""

    field: str
    how: str
    columns: tuple[str, ...] = ()


# table name (``review.impact``: the impact's fields, kept in the review's row) ->
# (the document model, where each of its fields is kept, in the model's order)
KEPT: dict[str, tuple[type[BaseModel], tuple[Kept, ...]]] = {}
# table name -> how _list_table made it: (class name, document model, options), so that
# tests/test_fields_columns.py can make it again from a document model with one more field
LIST_TABLES: dict[str, tuple[str, type[BaseModel], dict[str, Any]]] = {}


def _plain(annotation: Any) -> tuple[Any, bool]:
    """(a field's type without ``None`` nor its constraints, whether it may be None)."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        annotation = args[0] if len(args) == 1 else annotation
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, optional


_Column = tuple[Any, Any]  # (annotation, default: a value or Field(...)) of a column


def _server_default(value: Any, first_schema: bool) -> dict[str, Any]:
    """A column added since the first schema (2) has its default in the database too,
    which the migration adding it needs; the first schema's columns have none."""
    return {} if first_schema else {"sa_column_kwargs": {"server_default": value}}


def _document_columns(doc_model: type[BaseModel], table: str, *, first_schema: tuple[str, ...] = (),
                      elsewhere: tuple[str, ...] = (), rename: dict[str, str] | None = None,
                      times: dict[str, tuple[str, str]] | None = None, null_when_empty: tuple[str, ...] = (),
                      after: dict[str, dict[str, _Column]] | None = None,
                      record: dict[str, tuple[type[BaseModel], tuple[Kept, ...]]] | None = None,
                      **overrides: Any) -> dict[str, _Column]:
    """The columns that keep a document model's fields, one per field, of the same name
    (``rename``: another name), in the model's order, and records them in KEPT[table].

    Text and enums are text (NOT NULL); optional text is nullable text; a date is nullable
    text (YYYY-MM-DD); a flag is a boolean; a count a 64-bit integer, a percentage a float;
    a time is two columns, ``<name>_utc`` and ``<name>_offset`` (``times``: other names),
    nullable when the field is optional. A field with a default has it as the column's
    default, and as its server default unless the column is of the first schema
    (``first_schema``: those laid out without one). ``null_when_empty``: text kept as
    NULL when empty. ``elsewhere``: fields without a column (lists kept in their own table,
    what the store does not keep). ``after``: internal columns placed after a field's.
    ``overrides`` replace a column's ``Field(...)`` (e.g. an index). ``record``: where to
    record the fields' places (KEPT). A field of another type is a TypeError: teach this
    function its column first."""
    rename, times, after = rename or {}, times or {}, dict(after or {})  # after: emptied as it goes
    columns: dict[str, _Column] = {}
    kept: list[Kept] = []
    for name, field in doc_model.model_fields.items():
        kind, optional = _plain(field.annotation)
        default = None if field.is_required() else field.default
        first = name in first_schema
        column = rename.get(name, name)
        how = "value"
        if name in elsewhere:
            kept.append(Kept(name, "elsewhere"))
            continue
        if kind is datetime:
            utc, offset = times.get(name, (f"{name}_utc", f"{name}_offset"))
            if optional:
                columns[utc], columns[offset] = (Optional[str], Field(default=None)), (Optional[int], Field(default=None))  # noqa: UP045 - read by SQLModel at run time
            else:
                columns[utc], columns[offset] = (str, overrides.pop(utc, Field())), (int, Field(default=0))
            kept.append(Kept(name, "time", (utc, offset)))
        else:
            col: _Column
            if name in null_when_empty and kind is str and default == "":
                col, how = (Optional[str], Field(default=None)), "null_when_empty"  # noqa: UP045
            elif optional and default is None and kind in (str, date, int, float):
                extra: dict[str, Any] = {"sa_type": BigInteger} if kind is int else {}  # a count: 64 bits everywhere
                col = (Optional[kind if kind in (int, float) else str], Field(default=None, **extra))  # noqa: UP045 - a date is text
            elif not optional and field.is_required() and isinstance(kind, type) and issubclass(kind, str):
                col = (str, Field())  # text, an enum
            elif not optional and isinstance(default, bool):
                col, how = (bool, Field(default=default, **_server_default("1" if default else "0", first))), "flag"
            elif not optional and isinstance(default, str):  # text, and enums (a StrEnum is a str)
                value = str(getattr(default, "value", default))
                col = (str, Field(default=value, **_server_default(value, first)))
            else:
                raise TypeError(f"{doc_model.__name__}.{name}: no store column for {field.annotation!r} "
                                "(teach pmtui.store.models)")
            columns[column] = (col[0], overrides.pop(column, col[1]))
            kept.append(Kept(name, how, (column,)))
        columns.update(after.pop(name, {}))
    if overrides or after:
        raise TypeError(f"{doc_model.__name__} has no field or column {', '.join([*overrides, *after])}")
    (KEPT if record is None else record)[table] = (doc_model, tuple(kept))
    return columns


def _table(class_name: str, table_name: str, columns: dict[str, _Column], table_args: Any = None,
           base: type[SQLModel] = SQLModel) -> type[SQLModel]:
    """A table class with these columns, in this order (as a class body would declare them)."""
    namespace: dict[str, Any] = {
        "__module__": __name__, "__tablename__": table_name, "__qualname__": class_name,
        "__annotations__": {name: kind for name, (kind, _) in columns.items()},
        **{name: default for name, (_, default) in columns.items()},
    }
    if table_args is not None:
        namespace["__table_args__"] = table_args
    table = types.new_class(class_name, (base,), {"table": True}, lambda ns: ns.update(namespace))
    return cast("type[SQLModel]", table)


def _list_table(class_name: str, table_name: str, doc_model: type[BaseModel], *, ordered: bool = True,
                versioned: bool = True, table_args: Any = None, base: type[SQLModel] = SQLModel,
                **derive: Any) -> type[SQLModel]:
    """A table that keeps one of a review's lists: ``id``, ``review_id`` and (``ordered``)
    ``position``, a column per field of the document model (see _document_columns), then
    (``versioned``) the row version and who changed it when. ``base``: another SQLModel
    base (its own metadata) for a table that is not the store's (tests)."""
    if base is SQLModel:
        LIST_TABLES[table_name] = (class_name, doc_model, {"ordered": ordered, "versioned": versioned, **derive})
    columns: dict[str, _Column] = {
        "id": (Optional[int], Field(default=None, primary_key=True)),  # noqa: UP045
        "review_id": (int, Field(sa_column=_review_fk())),
    }
    if ordered:
        columns["position"] = (int, 0)
    columns.update(_document_columns(doc_model, table_name, **derive))
    if versioned:
        columns.update(version=(int, _version()), updated_at=(str, _text_default()), updated_by=(str, _text_default()))
    return _table(class_name, table_name, columns, table_args, base)


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


# The review's own fields and its impact's: columns of ``review``, beside its identity
# (``slug``, ``uid``: kept by `pmtui db copy`), when it was created and its row version.
_REVIEW_LISTS = ("authors", "participants", "tags", "links", "timeline", "factors", "observations", "learnings",
                 "action_items", "notes", "related")
Review = _table("Review", "review", {
    "id": (Optional[int], Field(default=None, primary_key=True)),  # noqa: UP045
    "slug": (str, Field(unique=True, index=True)),
    "uid": (Optional[str], Field(default=None, unique=True, index=True)),  # noqa: UP045
    # started: when the incident started, as started_utc and started_offset
    # meeting: the review meeting's times, from the meeting table's state (MeetingState)
    **_document_columns(document.ReviewDoc, "review", elsewhere=("format", "impact", "meeting", *_REVIEW_LISTS),
                        first_schema=("status", "timezone", "summary", "trigger", "detection", "resolution")),
    **_document_columns(document.Impact, "review.impact", elsewhere=("components",),
                        rename={"description": "impact_description"},
                        first_schema=("description", "data_loss", "customer_communication")),
    "created_at": (str, ""), "updated_at": (str, ""), "version": (int, _version()), "updated_by": (str, _text_default()),
})

# The lists of a review: one table each, a column per field of the list's document model.
# A one-string list (authors, learnings, related reviews) keeps pmtui.domain.document.TextItem.
# ``first_schema`` names the columns of the first schema, laid out without a server default.
Author = _list_table("Author", "author", document.TextItem, rename={"text": "name"})
Participant = _list_table("Participant", "participant", document.Participant, first_schema=("role", "attended"))
Link = _list_table("Link", "link", document.Link)


class Tag(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    name: str


SOURCE_ID_INDEX = "ux_event_source_id"


# A timeline event: ``at`` as at_utc and offset_min; ``seq`` orders events of the same time
# (insertion order); ``marks`` are rows of event_mark; a typed event's source_id is NULL.
Event = _list_table(
    "Event", "event", document.Event, ordered=False, table_args=(
        Index("ix_event_review_time", "review_id", "at_utc", "seq"),
        # one piece of evidence once per review (the dedupe of `pmtui evidence`)
        Index(SOURCE_ID_INDEX, "review_id", "source", "source_id", unique=True,
              sqlite_where=text("source_id IS NOT NULL"), postgresql_where=text("source_id IS NOT NULL")),
    ),
    times={"at": ("at_utc", "offset_min")}, at_utc=Field(index=True), after={"at": {"seq": (int, 0)}},
    elsewhere=("marks",), null_when_empty=("source_id",), first_schema=("kind", "source", "approximate", "highlight"))


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


Component = _list_table("Component", "component", document.Component)  # start, end: *_utc, *_offset
Factor = _list_table("Factor", "factor", document.Factor)
Observation = _list_table("Observation", "observation", document.Observation)
Learning = _list_table("Learning", "learning", document.TextItem)


# An action item: a column for every field of pmtui.domain.document.ActionItem, by its name.
ActionItem = _list_table("ActionItem", "action_item", document.ActionItem,
                         status=Field(default=ActionStatus.open.value, index=True,
                                      sa_column_kwargs={"server_default": ActionStatus.open.value}))


Note = _list_table("Note", "note", document.Note, times={"at": ("at_utc", "offset_min")}, elsewhere=("became",),
                   first_schema=("stage", "kind", "author"))  # became: rows of note_link
Related = _list_table("Related", "related", document.TextItem, rename={"text": "ref"})


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


class PatternChoice(SQLModel, table=True):
    """A person's choice about the Patterns view's recurring factors (per store, not in the
    review document: a group spans reviews): the wording (normalised, pmtui.domain.grouping.key)
    belongs to the group named ``group_key`` (another wording's key; its own key: a wording
    split out to stand alone). Grouping by similarity never overrides a choice."""

    __tablename__ = "pattern_choice"
    id: int | None = Field(default=None, primary_key=True)
    wording: str = Field(unique=True)
    group_key: str
    version: int = _version()
    updated_at: str = _text_default()
    updated_by: str = _text_default()


# An id is never handed out twice (schema 7): SQLite's AUTOINCREMENT on every table with an
# integer id (without it SQLite gives a deleted top id to the next row, and an undo that
# deletes "the row this seat added" by its id could delete another seat's new row);
# PostgreSQL's sequences never go back.
def _ids_never_reused() -> None:
    for table in SQLModel.metadata.tables.values():
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id" and not pk[0].foreign_keys:
            table.dialect_options["sqlite"]["autoincrement"] = True


_ids_never_reused()
