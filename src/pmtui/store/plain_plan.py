"""Writes ``domain/plain_fields.py``: what the read path (:mod:`pmtui.store.plain`)
needs to know of the document's models, as plain data, so that reading a review
imports neither pydantic nor SQLAlchemy.

Generated from ``pmtui.domain.document`` and ``pmtui.store.models.KEPT`` (never
edited by hand): ``python -m pmtui.store.plain_plan > src/pmtui/domain/plain_fields.py``.
``tests/test_plain_read.py`` fails when the file differs from what this writes.
"""

from __future__ import annotations

import pprint
import types
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Union, get_args, get_origin


def _rule(model: Any, name: str) -> tuple[Any, ...]:
    """How a stored value of this field is checked on the way out (the model's own rule,
    as the read path applies it): ("text", max, non_empty, nullable), ("enum", class name,
    values, nullable), ("flag",), ("count", nullable), ("percent", nullable), ("day",
    nullable), ("time", nullable), ("zone", max)."""
    from pydantic.fields import FieldInfo

    from pmtui.domain import document as d

    field = model.model_fields[name]
    annotation, metadata = field.annotation, field.metadata
    nullable = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        assert len(args) == 1, (model, name)
        nullable = True
        info = FieldInfo.from_annotation(args[0])
        annotation, metadata = info.annotation, info.metadata
    limits = {"Text": (d.LONG_TEXT_MAX, False), "NonEmptyText": (d.LONG_TEXT_MAX, True),
              "Short": (d.SHORT_TEXT_MAX, False), "NonEmptyShort": (d.SHORT_TEXT_MAX, True), "Url": (d.URL_MAX, False)}
    if annotation is str:
        kind = next((k for k, alias in d._TEXT_TYPES.items() if FieldInfo.from_annotation(alias).metadata == metadata),
                    None)
        if kind is None:
            raise TypeError(f"{model.__name__}.{name}: a text type the read path does not know")
        most, non_empty = limits[kind]
        if model is d.ReviewDoc and name == "title":
            most = d.TITLE_MAX
        if model is d.ReviewDoc and name == "severity":
            most = d.SEVERITY_MAX
        if model is d.ReviewDoc and name == "timezone":
            return ("zone", d.ZONE_MAX)
        return ("text", most, non_empty, nullable)
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return ("enum", annotation.__name__, tuple(m.value for m in annotation), nullable)
    simple = {bool: ("flag",), int: ("count", nullable), float: ("percent", nullable), date: ("day", nullable),
              datetime: ("time", nullable)}
    if annotation in simple:
        return simple[annotation]
    raise TypeError(f"{model.__name__}.{name}: a type the read path does not know ({annotation!r})")


# the field validators the rules above know (a new one must be taught to the read path first)
KNOWN_VALIDATORS = {"ReviewDoc": {"_format", "_started", "_title", "_severity", "_zone", "_tags"},
                    "MeetingTimes": {"_minutes", "_four"},
                    "Component": {"_minutes"}, "Event": {"_minutes"}, "Note": {"_minutes"}}


def _words(model: Any, found: dict[str, tuple[Any, ...]]) -> bool:
    """Fill ``found`` with what the blame scan reads of ``model`` and the objects it holds
    (REVIEW_WORDS, QUOTED_WORDS on the field): for each model, in its order, (field, its
    label in lower case, how, what): ("text", "review" | "quoted"), ("texts", ...) for a
    list of texts, ("object", model) and ("items", model) for an object or a list of
    objects that hold words. Whether the model holds any."""
    from pmtui.domain import document as d

    if model.__name__ in found:
        return bool(found[model.__name__])
    found[model.__name__] = ()
    entries: list[tuple[str, str, str, str]] = []
    for name, info in model.model_fields.items():
        label = d.field_label(model, name).lower()
        many = get_origin(info.annotation) is list
        inner = d.item_model(info.annotation)
        if inner is not None:
            if _words(inner, found):
                entries.append((name, label, "items" if many else "object", inner.__name__))
        elif (kind := d.words_of(model, name)) is not None:
            entries.append((name, label, "texts" if many else "text", kind))
    found[model.__name__] = tuple(entries)
    return bool(entries)


def _shown_fields(model: Any) -> tuple[tuple[str, str, bool], ...]:
    """(field, label, whether it is Markdown) of each field of a model that holds a value
    (not an object nor a list of objects), in its order: what the report lays out."""
    from pmtui.domain import document as d

    return tuple((name, d.field_label(model, name), d.text_type(model, name) in ("Text", "NonEmptyText"))
                 for name, info in model.model_fields.items() if d.item_model(info.annotation) is None)


def _form_fields(model: Any) -> tuple[tuple[Any, ...], ...]:
    """(field, review column, label, how, choices) of each of a model's fields the app edits
    by a review column (store.fields.REVIEW_FIELDS), in its order, lists left out: how the
    screens lay the field out (screens/_fields.review_field) without importing the model
    before the first frame. ``how``: "area" (Markdown), "text" (a short text), "str" / "str?"
    (a plain string, "?" when it may be empty), "select" (``choices``: an enum's values),
    "int", "float", "date", or "other" (the screen must lay it out itself)."""
    from enum import Enum
    from typing import Annotated

    from pmtui.domain import document as d
    from pmtui.store.fields import REVIEW_FIELDS

    columns = {field: column for column, (m, field) in REVIEW_FIELDS.items() if m == model.__name__}
    out: list[tuple[Any, ...]] = []
    for name, info in model.model_fields.items():
        if name not in columns or get_origin(info.annotation) is list:
            continue
        kind = d.text_type(model, name)
        annotation, optional = info.annotation, False
        if get_origin(annotation) is Union or isinstance(annotation, types.UnionType):
            annotation, optional = next(a for a in get_args(annotation) if a is not type(None)), True
        while get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        choices: tuple[str, ...] = ()
        if kind is not None:
            how = "area" if kind.endswith("Text") else "text"
        elif annotation is str:
            how = "str?" if optional else "str"
        elif isinstance(annotation, type) and issubclass(annotation, Enum):
            how, choices = "select", tuple(m.value for m in annotation)
        elif annotation is int:
            how = "int"
        elif annotation is float:
            how = "float"
        elif annotation is date:
            how = "date"
        else:
            how = "other"
        out.append((name, columns[name], d.field_label(model, name), how, choices))
    return tuple(out)


def generate() -> str:
    from pmtui.domain import document as d
    from pmtui.store.models import KEPT

    models: tuple[type[Any], ...] = (d.ReviewDoc, d.Impact, d.Participant, d.Link, d.Event, d.Component, d.Factor, d.Observation,
                  d.ActionItem, d.Became, d.Note, d.TextItem, d.MeetingTimes, d.StageTime)
    for model in models:
        found = set(model.__pydantic_decorators__.field_validators)
        if found != KNOWN_VALIDATORS.get(model.__name__, set()):
            raise TypeError(f"{model.__name__} has validators the read path does not know: {sorted(found)}")
    tables: dict[str, Any] = {}
    for table, (model, kept) in KEPT.items():
        tables[table] = (model.__name__, tuple(
            (k.field, k.how, k.columns, _rule(model, k.field) if k.how != "elsewhere" else ())
            for k in kept))
    # the order of each model's fields (what the canonical JSON writes), and ActionItem's labels
    order = {m.__name__: tuple(m.model_fields)
             for m in (d.ReviewDoc, d.Impact, d.Event, d.Note, d.Became, d.MeetingTimes, d.StageTime)}
    labels = {n: d.field_label(d.ActionItem, n) for n in d.ActionItem.model_fields}
    words: dict[str, tuple[Any, ...]] = {}
    _words(d.ReviewDoc, words)
    words = {k: v for k, v in words.items() if v}
    shown = {m.__name__: _shown_fields(m) for m in (d.Impact,)}
    forms = {m.__name__: _form_fields(m) for m in (d.ReviewDoc, d.Impact)}
    limits = {"EARLIEST": d.EARLIEST.isoformat(), "LATEST": d.LATEST.isoformat(), "FIRST_DAY": d.FIRST_DAY.isoformat(),
              "FORMAT": d.FORMAT, "FORMAT_1": d.FORMAT_1, "TIMEBOX_MAX": d.TIMEBOX_MAX, "TOOK_MAX": d.TOOK_MAX}
    width = 118
    return (
        '"""Generated by pmtui.store.plain_plan from the document models (do not edit):\n'
        "what the read path checks of each stored field, and the canonical field order.\"\"\"\n\n"
        "# table -> (document model, ((field, how it is kept, columns, rule), ...))\n"
        f"TABLES = {pprint.pformat(tables, width=width, sort_dicts=False)}\n\n"
        f"ORDER = {pprint.pformat(order, width=width, sort_dicts=False)}\n\n"
        f"ACTION_LABELS = {pprint.pformat(labels, width=width, sort_dicts=False)}\n\n"
        "# model -> ((field, label, how, what), ...): the people's words the blame scan reads\n"
        "# (pmtui.domain.checks), from REVIEW_WORDS / QUOTED_WORDS on the fields\n"
        f"WORDS = {pprint.pformat(words, width=width, sort_dicts=False)}\n\n"
        "# model -> ((field, label, Markdown?), ...): the fields of a value the report may show\n"
        f"SHOWN = {pprint.pformat(shown, width=width, sort_dicts=False)}\n\n"
        "# model -> ((field, review column, label, how, choices), ...): how the screens lay out\n"
        "# the review's and the impact's fields (pmtui.screens._fields.review_field)\n"
        f"FORMS = {pprint.pformat(forms, width=width, sort_dicts=False)}\n\n"
        f"LIMITS = {pprint.pformat(limits, width=width, sort_dicts=False)}\n"
    )


if __name__ == "__main__":  # pragma: no cover
    import sys

    sys.stdout.write(generate())
