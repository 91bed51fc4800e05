"""Document fields and store columns agree: every list of the document has its table;
every field of a document model that the store keeps has its column, of a compatible
type, and every column of the table is a field or one of the documented internal columns
(ARCHITECTURE.md, "Add a field"); a field added to a document model is all its table,
import and export need; and the columns derived from the document are the ones the
migrations lay out.

A field added to the document without its column (or a column without its field)
fails here before an export loses it or an import writes into nothing. This module
reads the models with its own rules (types, time columns, what is kept elsewhere), not
with pmtui.store.models' derivation, so that a mistake there is caught here too."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, create_model
from sqlalchemy.orm import registry
from sqlmodel import SQLModel

from pmtui.domain import document as d
from pmtui.store import Store, models
from pmtui.store.documents import _fields_of, _row_of
from pmtui.store.fields import LIST_KINDS, REVIEW_FIELDS

# Columns that are no field of the document: the row's identity and order, its version
# and who changed it when (ARCHITECTURE.md lists them).
INTERNAL = {"id", "review_id", "position", "version", "updated_by", "updated_at"}
REVIEW_INTERNAL = INTERNAL | {"uid", "slug", "created_at"}
EVENT_INTERNAL = INTERNAL | {"seq"}
# Fields kept elsewhere than in a column of their table: a list in its own table
# (an event's marks, a note's links, the review's lists), or the impact's own fields
# (columns of ``review``, checked below).
ELSEWHERE = {("Event", "marks"), ("Note", "became"), ("ReviewDoc", "impact"), ("ReviewDoc", "format")}
# Text kept as NULL when empty (an event's source_id: NULL for a typed event, so that
# the unique index on evidence leaves typed events out); export writes it back as "".
NULL_WHEN_EMPTY = {("Event", "source_id")}
# A time is kept as its UTC instant and the offset it was written with: two columns.
TIME_COLUMNS = {("Event", "at"): ("at_utc", "offset_min"), ("Note", "at"): ("at_utc", "offset_min")}


def _base(annotation: Any) -> tuple[Any, bool]:
    """(the type without None, whether None is allowed)."""
    if get_origin(annotation) is Union or type(annotation).__name__ == "UnionType":
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), True
    return annotation, False


def _held(column: sa.Column) -> type:
    """What a column gives back: str, int, float or bool (SQLModel's AutoString is text)."""
    sql = column.type
    if isinstance(sql, sa.types.TypeDecorator):
        sql = sql.impl_instance
    return sql.python_type


def _compatible(annotation: Any, column: sa.Column) -> str | None:
    """What is wrong with keeping a field of this type in this column (None: nothing)."""
    kind, optional = _base(annotation)
    while get_origin(kind) is not None and get_args(kind) and hasattr(kind, "__metadata__"):
        kind = get_args(kind)[0]
    held = _held(column)
    if isinstance(kind, type) and issubclass(kind, bool):
        ok = held is bool
    elif isinstance(kind, type) and issubclass(kind, (str, Enum, date)) and not issubclass(kind, datetime):
        ok = held is str  # text, an enum's value, a date as YYYY-MM-DD
    elif isinstance(kind, type) and issubclass(kind, (int, float)):
        ok = held is kind
    else:
        return f"no store type known for {annotation!r}"
    if not ok:
        return f"a {kind.__name__} field in a {held.__name__} column"
    if optional and not column.nullable:
        return "the field may be null but the column is NOT NULL"
    if not optional and column.nullable and column.default is None:
        return "the column may be null but the field may not"
    return None


def mismatches(doc_model: type[BaseModel], table: sa.Table, columns: dict[str, str], internal: set[str]) -> list[str]:
    """Problems between a document model and its table; ``columns``: {column: field}."""
    name = doc_model.__name__
    field_to_column = {f: c for c, f in columns.items()}
    used: set[str] = set()
    problems = []
    for field_name, info in doc_model.model_fields.items():
        if (name, field_name) in ELSEWHERE:
            continue
        annotation = info.annotation
        if (name, field_name) in TIME_COLUMNS or _base(annotation)[0] is datetime or (
                get_args(_base(annotation)[0]) and get_args(_base(annotation)[0])[0] is datetime):
            utc, offset = TIME_COLUMNS.get((name, field_name), (f"{field_name}_utc", f"{field_name}_offset"))
            for col, kind in ((utc, str), (offset, int)):
                if col not in table.c:
                    problems.append(f"{name}.{field_name}: no column {table.name}.{col}")
                elif _held(table.c[col]) is not kind:
                    problems.append(f"{name}.{field_name}: {table.name}.{col} is {table.c[col].type!r}")
                used.add(col)
            continue
        col = field_to_column.get(field_name, field_name)
        if col not in table.c:
            problems.append(f"{name}.{field_name}: no column {table.name}.{col}")
            continue
        used.add(col)
        wrong = _compatible(annotation | None if (name, field_name) in NULL_WHEN_EMPTY else annotation, table.c[col])
        if wrong:
            problems.append(f"{name}.{field_name} -> {table.name}.{col}: {wrong}")
    for col in table.c.keys():  # noqa: SIM118 - the names (iterating table.c gives the columns)
        if col not in used and col not in internal:
            problems.append(f"{table.name}.{col}: no field of {name} (nor a documented internal column)")
    return problems


def _list_kind(kind: str) -> tuple[type[BaseModel], sa.Table, dict[str, str]]:
    table_name, model_name, names = LIST_KINDS[kind]
    return getattr(d, model_name), getattr(models, table_name).__table__, dict(names)


@pytest.mark.parametrize("kind", sorted(LIST_KINDS))
def test_each_list_kind_keeps_every_field_of_its_document_model_in_a_column(kind):
    doc_model, table, names = _list_kind(kind)
    assert mismatches(doc_model, table, names, INTERNAL) == []


def test_timeline_events_keep_every_field_in_a_column():
    assert mismatches(d.Event, models.Event.__table__, {}, EVENT_INTERNAL) == []


def test_the_review_row_keeps_every_field_of_the_review_and_its_impact():
    table = models.Review.__table__
    # the review's lists live in their own tables (checked above); its own fields and the
    # impact's scalar fields are columns of ``review`` (REVIEW_FIELDS maps them)
    lists = {n for n, f in d.ReviewDoc.model_fields.items() if get_origin(f.annotation) is list}
    lists.add("meeting")  # the meeting's times: the meeting table's state (store.documents._meeting_record)
    own = create_model("ReviewDoc", __base__=BaseModel, **{
        n: (f.annotation, f) for n, f in d.ReviewDoc.model_fields.items() if n not in lists})
    impact = {n: f for n, f in d.Impact.model_fields.items() if get_origin(f.annotation) is not list}
    impact_columns = {c: f for c, (m, f) in REVIEW_FIELDS.items() if m == "Impact"}
    internal = REVIEW_INTERNAL | set(impact_columns)
    assert mismatches(own, table, {}, internal) == []
    impact_model = create_model("Impact", __base__=BaseModel, **{n: (f.annotation, f) for n, f in impact.items()})
    assert mismatches(impact_model, table, impact_columns, set(table.c.keys()) - set(impact_columns)) == []
    # and the columns the app edits are exactly these fields
    assert {c for c, (m, _) in REVIEW_FIELDS.items() if m == "ReviewDoc"} == set(own.model_fields) - {"format", "impact"}


def _with_field(model: type[BaseModel], **fields: Any) -> type[BaseModel]:
    return create_model(model.__name__, __base__=model, **fields)


def _with_column(table: sa.Table, column: sa.Column) -> sa.Table:
    meta = sa.MetaData()
    return sa.Table(table.name, meta, *(c._copy() for c in table.c), column)


def test_a_field_added_to_one_side_only_is_caught_for_action_items():
    doc_model, table, names = _list_kind("action")
    assert mismatches(doc_model, table, names, INTERNAL) == []
    # a new document field without its column
    wider = _with_field(doc_model, size=(d.Short, ""))
    assert mismatches(wider, table, names, INTERNAL) == [
        "ActionItem.size: no column action_item.size"]
    # a new column without its field
    assert mismatches(doc_model, _with_column(table, sa.Column("size", sa.String)), names, INTERNAL) == [
        "action_item.size: no field of ActionItem (nor a documented internal column)"]
    # both, but of types that do not agree
    assert mismatches(_with_field(doc_model, size=(d.Flag, False)),
                      _with_column(table, sa.Column("size", sa.String, nullable=False)), names, INTERNAL) == [
        "ActionItem.size -> action_item.size: a bool field in a str column"]
    factor, factor_table, factor_names = _list_kind("factor")
    assert mismatches(_with_field(factor, weight=(d.Count | None, None)), factor_table, factor_names, INTERNAL) == [
        "Factor.weight: no column factor.weight"]


# ------------------------------------------------------------------ every list
# every list of the document -> the table that keeps its items
DOCUMENT_LISTS = {
    "authors": "author", "participants": "participant", "tags": "tag", "links": "link", "timeline": "event",
    "impact.components": "component", "factors": "factor", "observations": "observation", "learnings": "learning",
    "action_items": "action_item", "notes": "note", "related": "related",
}
# the tables of those lists that keep a document model (tags are names: a unique word per review)
KEEPING = sorted(set(DOCUMENT_LISTS.values()) - {"tag"})


def _lists(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    return {prefix + n: get_args(f.annotation)[0] for n, f in model.model_fields.items() if get_origin(f.annotation) is list}


def test_every_list_of_the_document_has_a_table_keeping_its_model():
    items = {**_lists(d.ReviewDoc), **_lists(d.Impact, "impact.")}
    assert set(items) == set(DOCUMENT_LISTS), "a list of the document without its table (or a table of no list)"
    for name, table in DOCUMENT_LISTS.items():
        assert table in SQLModel.metadata.tables
        if table == "tag":
            continue
        item = items[name]
        model = item if isinstance(item, type) and issubclass(item, BaseModel) else d.TextItem  # a list of strings
        assert models.KEPT[table][0] is model, name
    # the app edits every one of them but the timeline (its own methods) and the tags (set_tags)
    edited = {models.table_of(getattr(models, t)).name for t, _, _ in LIST_KINDS.values()}
    assert edited == set(KEEPING) - {"event"}


def _kind_of(table: str) -> tuple[type[BaseModel], sa.Table, dict[str, str], set[str]]:
    """(document model, table, {column: field}, internal columns) of a list's table."""
    if table == "event":
        return d.Event, models.Event.__table__, {}, EVENT_INTERNAL
    kind = next(k for k, (t, _, _) in LIST_KINDS.items() if models.table_of(getattr(models, t)).name == table)
    return (*_list_kind(kind), INTERNAL)


@pytest.mark.parametrize("table", KEEPING)
def test_a_field_or_column_added_to_one_side_only_is_caught_for_every_list(table):
    model, t, names, internal = _kind_of(table)
    assert mismatches(model, t, names, internal) == []
    name = model.__name__
    assert mismatches(_with_field(model, size=(d.Short, "")), t, names, internal) == [
        f"{name}.size: no column {table}.size"]
    assert mismatches(model, _with_column(t, sa.Column("size", sa.String)), names, internal) == [
        f"{table}.size: no field of {name} (nor a documented internal column)"]
    assert mismatches(_with_field(model, size=(d.Count | None, None)),
                      _with_column(t, sa.Column("size", sa.String, nullable=True)), names, internal) == [
        f"{name}.size -> {table}.size: a int field in a str column"]


def _describe(table: sa.Table) -> list[tuple[Any, ...]]:
    """What the database is told of each column: name, SQL type, NULL or not, server default."""
    return [(c.name, str(c.type.compile(dialect=sa.dialects.sqlite.dialect())), c.nullable,
             None if c.server_default is None else str(c.server_default.arg)) for c in table.c]


def _sample(model: type[BaseModel]) -> dict[str, Any]:
    """Values for the required fields of a document model (JSON, as a file holds them)."""
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if not field.is_required():
            continue
        kind = field.annotation
        out[name] = (next(iter(kind)).value if isinstance(kind, type) and issubclass(kind, Enum)
                     else "2026-03-10T14:03:00+01:00" if kind is datetime else "https://example.org/x")
    return out


@pytest.mark.parametrize("table", KEEPING)
def test_a_field_added_to_a_document_model_is_all_its_table_import_and_export_need(table, monkeypatch):
    """Made again from the document model with three more fields (text, a flag, a date),
    a list's table has their columns and nothing else changes; import writes them and
    export reads them back."""
    class_name, model, options = models.LIST_TABLES[table]
    wider = _with_field(model, size=(d.Short, ""), signed_off=(d.Flag, False), review_by=(d.Day | None, None))

    class Apart(SQLModel, registry=registry()):  # its own metadata: not a table of the store
        pass

    kept: dict[str, Any] = {}
    rebuilt = models._list_table(class_name, table, wider, base=Apart, record=kept, **options).__table__
    real = models.table_of(getattr(models, class_name))
    added = {"size": ("size", "VARCHAR", False, ""), "signed_off": ("signed_off", "BOOLEAN", False, "0"),
             "review_by": ("review_by", "VARCHAR", True, None)}
    assert [c for c in _describe(rebuilt) if c[0] not in added] == _describe(real)
    assert [c for c in _describe(rebuilt) if c[0] in added] == list(added.values())
    _, _, names, internal = _kind_of(table)
    assert mismatches(wider, rebuilt, names, internal) == []
    # import and export carry the new fields through the columns (pmtui.store.models.KEPT)
    monkeypatch.setitem(models.KEPT, table, kept[table])
    item = wider.model_validate({**_sample(wider), "size": "M", "signed_off": True, "review_by": "2026-04-01"})
    row = _row_of(table, item)
    assert {k: row[k] for k in added} == {"size": "M", "signed_off": True, "review_by": "2026-04-01"}
    assert set(row) == {c.name for c in rebuilt.c} - internal  # every column of a field, and only those
    assert wider.model_validate(_fields_of(table, row)) == item


# ------------------------------------------------------------ the migrations agree
OLD_STORE = Path(__file__).resolve().parent / "fixtures" / "release-0-schema2.db"
# Differences between a store the migrations upgraded and a new one that were there
# before the columns were derived (a new store's action_item columns of the first schema
# got a server default; SQLite names a 64-bit count BIGINT in a new store): harmless, the
# store always writes these values. Nothing else may differ.
KNOWN = {
    ("action_item", "server default", col) for col in
    ("description", "owner", "priority", "status", "status_note", "tracker", "type")
} | {("review", "type", "users_affected"), ("review", "type", "support_tickets")}


def _sqlite_shape(path: Path) -> dict[str, Any]:
    con = sqlite3.connect(path)
    try:
        out: dict[str, Any] = {}
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        for t in tables:
            out[t] = {
                "columns": {r[1]: {"type": r[2], "not null": r[3], "server default": r[4], "key": r[5]}
                            for r in con.execute(f"PRAGMA table_info('{t}')")},
                "indexes": sorted((r[1], r[2], r[4], tuple(c[2] for c in con.execute(f"PRAGMA index_info('{r[1]}')")))
                                  for r in con.execute(f"PRAGMA index_list('{t}')")),
                "foreign keys": sorted(tuple(r[2:]) for r in con.execute(f"PRAGMA foreign_key_list('{t}')")),
            }
        return out
    finally:
        con.close()


def test_the_columns_derived_from_the_document_are_the_ones_the_migrations_lay_out(tmp_path):
    """A new store is laid out from the models, an old one upgraded by the migrations: each
    column has the same type, NULL or not and server default in both (a migration adding a
    field's column must give it the default the document gives it)."""
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    shutil.copyfile(OLD_STORE, old)
    Store.open(old).close()
    Store.open(new).create_review("Queue backlog")
    migrated, fresh = _sqlite_shape(old), _sqlite_shape(new)
    assert set(migrated) == set(fresh)
    differences = set()
    for t in fresh:
        assert set(migrated[t]["columns"]) == set(fresh[t]["columns"]), t
        assert migrated[t]["indexes"] == fresh[t]["indexes"], t
        assert migrated[t]["foreign keys"] == fresh[t]["foreign keys"], t
        for col, there in fresh[t]["columns"].items():
            differences |= {(t, what, col) for what, value in there.items() if migrated[t]["columns"][col][what] != value}
    assert differences == KNOWN
