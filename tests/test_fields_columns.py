"""Document fields and store columns agree: every field of a document model that the
store keeps has its column, of a compatible type, and every column of the table is a
field or one of the documented internal columns (ARCHITECTURE.md, "Add a field").

A field added to the document without its column (or a column without its field)
fails here before an export loses it or an import writes into nothing."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, Union, get_args, get_origin

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, create_model

from pmtui import document as d
from pmtui import models
from pmtui.store.editing import LIST_KINDS, REVIEW_FIELDS

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


def test_a_field_added_to_one_side_only_is_caught():
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
