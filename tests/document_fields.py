"""The document's fields, read from its models (pmtui.domain.document), for the tests
that must reach every field: the blame scan, the report, the forms, the round trip and
the fuzzer. A field added to a model is met here without an edit; a type none of these
knows is a TypeError naming the field (teach ``value_for`` / ``strategy_for``).

No test lists the document's fields by hand."""

from __future__ import annotations

import types
from collections.abc import Iterator
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Union, get_args, get_origin

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import BaseModel

from pmtui.domain import document as d
from pmtui.domain.jsonschema import document_models

MODELS = document_models()


def plain(annotation: Any) -> tuple[Any, bool]:
    """(a type without None nor its constraints, whether it may be None)."""
    optional = False
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        optional = len(args) < len(get_args(annotation))
        annotation = args[0]
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation, optional


def fields(model: type[BaseModel] = d.ReviewDoc, where: str = "") -> Iterator[tuple[type[BaseModel], str, str]]:
    """(model, field, JSON path) of every field that holds a value (not an object nor a
    list of objects: their fields instead, in the first item of a list), in the document's
    order. A list of strings (learnings) is a field: its path names its first item."""
    for name, info in model.model_fields.items():
        here = f"{where}.{name}" if where else name
        inner = d.item_model(info.annotation)
        if inner is not None:
            yield from fields(inner, f"{here}[0]" if get_origin(info.annotation) is list else here)
        elif get_origin(info.annotation) is list and d.text_kind(get_args(info.annotation)[0]) is not None:
            yield model, name, f"{here}[0]"
        else:
            yield model, name, here


def is_text(model: type[BaseModel], field: str) -> bool:
    """A field that holds text, a list of texts, or text or null."""
    annotation = model.model_fields[field].annotation
    if d.text_type(model, field) is not None:
        return True
    if get_origin(annotation) is list:
        return d.text_kind(get_args(annotation)[0]) is not None
    return plain(annotation)[0] is str


def text_fields() -> list[tuple[type[BaseModel], str, str]]:
    """Every field of the document that holds text (or a list of texts), with its path."""
    return [(model, field, path) for model, field, path in fields() if is_text(model, field)]


def name(model: type[BaseModel], field: str) -> str:
    return f"{model.__name__}.{field}"


def stale_generated() -> str:
    """Words to add to a failure when src/pmtui/domain/plain_fields.py (what the blame scan
    and the report read of the models, generated) is not what its generator writes now:
    a field added to a model reaches them only once it is regenerated."""
    from pathlib import Path

    import pmtui.domain.plain_fields as kept
    from pmtui.store.plain_plan import generate

    if Path(kept.__file__).read_text() == generate():
        return ""
    return (" (src/pmtui/domain/plain_fields.py is out of date with the models: "
            "python -m pmtui.store.plain_plan > src/pmtui/domain/plain_fields.py)")


def set_path(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a JSON path of a raw document; an empty list on the way gets the
    item (a list holds at least the item the path names)."""
    parts = path.replace("]", "").replace("[", ".").split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        if part.isdigit():
            if len(node) <= int(part):
                node.append({})
            node = node[int(part)]
        else:
            node = node.setdefault(part, [] if parts[i + 1].isdigit() else {})
    last = parts[-1]
    if last.isdigit() and len(node) <= int(last):
        node.append(value)
    else:
        node[int(last) if last.isdigit() else last] = value


# ------------------------------------------------------------ strategies from the model
chars = st.characters(codec="utf-8", exclude_characters="\x00")  # any character but U+0000 (test_document)
text = st.text(chars, max_size=40)
nonblank = st.text(chars, min_size=1, max_size=40).filter(lambda s: s.strip())
# dates the format accepts: from the year 1000 on (docs/review-format.md, "Limits")
days = st.dates(min_value=date(1000, 1, 1)).map(lambda v: v.isoformat())


@st.composite
def timestamps(draw: Any) -> str:
    dt = draw(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=st.timezones()))
    off = dt.utcoffset()
    assume(off is not None and off.seconds % 60 == 0 and off.microseconds == 0)
    return str(dt.isoformat())


def value_strategy(model: type[BaseModel], field: str, annotation: Any,
                   overrides: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Any value the format accepts for a value of this type (JSON, as a file holds it)."""
    kind = d.text_kind(annotation)
    if kind is not None or (annotation is str and d.text_type(model, field) is not None):
        kind = kind or d.text_type(model, field)
        return nonblank if kind is not None and kind.startswith("NonEmpty") else text
    inner = d.item_model(annotation)
    if inner is not None:
        return strategy_for(inner, overrides)
    base, _ = plain(annotation)
    if isinstance(base, type) and issubclass(base, StrEnum):
        return st.sampled_from([m.value for m in base])
    if base is bool:
        return st.booleans()
    if base is datetime:
        return timestamps()
    if base is date:
        return days
    if base is int:  # within the bounds it is declared with (a Count: up to 2**63 - 1)
        metadata = list(model.model_fields[field].metadata) + [
            m for a in get_args(annotation)[1:] for m in getattr(a, "metadata", [a])]
        low = max([getattr(m, "ge", None) or 0 for m in metadata] + [0])
        high = min([getattr(m, "le", None) for m in metadata if getattr(m, "le", None) is not None] + [2**62])
        return st.integers(low, high)
    if base is float:
        return st.floats(0, 1e12, allow_nan=False)
    raise TypeError(f"{name(model, field)}: no strategy for {annotation!r} (teach tests/document_fields.py)")


def field_strategy(model: type[BaseModel], field: str,
                   overrides: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    if name(model, field) in overrides:
        return overrides[name(model, field)]
    annotation = model.model_fields[field].annotation
    if get_origin(annotation) is list:
        return st.lists(value_strategy(model, field, get_args(annotation)[0], overrides), max_size=3)
    if d.text_type(model, field) is not None:
        return value_strategy(model, field, annotation, overrides)
    options = get_args(annotation) if get_origin(annotation) in (Union, types.UnionType) else ()
    if type(None) in options:  # the value or null
        (held,) = [o for o in options if o is not type(None)]
        return st.none() | value_strategy(model, field, held, overrides)
    return value_strategy(model, field, annotation, overrides)


def strategy_for(model: type[BaseModel], overrides: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Raw documents (or items) of a model: its required fields always, the others
    sometimes, each drawn from its type (``overrides``: {"Model.field": strategy} where the
    format has a rule that is no type, e.g. the zone names)."""
    required = {n: field_strategy(model, n, overrides) for n, f in model.model_fields.items() if f.is_required()}
    optional = {n: field_strategy(model, n, overrides) for n, f in model.model_fields.items() if not f.is_required()}
    return st.fixed_dictionaries(required, optional=optional)
