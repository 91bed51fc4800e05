"""A JSON Schema (draft 2020-12) of the review document ``pmtui-review/2`` (``/1`` read too).

Written from the same definitions as the pydantic models (the enums, the limits),
so that a schema-aware editor says what ``pmtui import`` says: tests run both on the
examples and on broken files and expect the same verdict. A ``pmtui-review/1``
document is accepted without the fields ``/2`` added (``if``/``then`` on ``format``),
as import reads it. What JSON Schema cannot say is listed in docs/review-format.md
(a number like ``1.0`` where a whole number is expected, (source, source_id) once per
review, ``became`` indexes in range, a component's end not before its start). No
Textual, no database.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from enum import StrEnum
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from pmtui.domain.document import (
    COUNT_MAX,
    EVENTS_MAX,
    EVIDENCE_MAX,
    FORMAT,
    FORMAT_1,
    ITEMS_MAX,
    LONG_TEXT_MAX,
    NOTES_MAX,
    READABLE_FORMATS,
    SEVERITY_MAX,
    SHORT_TEXT_MAX,
    TITLE_MAX,
    URL_MAX,
    V2_FIELDS,
    Became,
    Count,
    Event,
    MeetingTimes,
    Note,
    ReviewDoc,
    _check_zone,
    added_in_2,
    item_model,
    text_kind,
    text_type,
)
from pmtui.domain.vocab import Mark, MeetingStage

SCHEMA_ID = "urn:pmtui:schema:pmtui-review-2"
SCHEMA_FILE = "pmtui-review.schema.json"  # docs/, and what README tells users to save it as

# No lone UTF-16 surrogate (they cannot be stored); non-blank: a character that is not whitespace.
_TEXT = r"^[^\ud800-\udfff]*$"
_NON_BLANK = r"^(?=[\s\S]*\S)[^\ud800-\udfff]*$"
# Years 1000-9999 (import's range; _time_range adds the UTC edges of the timestamp range).
_YEAR = r"[1-9]\d{3}"
_MONTH_DAY = r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
_LEAP = r"(?:[1-9]\d(?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)-02-29"
_DAY = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP})"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
_OFFSET = r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
_FLOAT_MAX = sys.float_info.max  # a number above it (1e400) is read as infinity, which import refuses


def _two_digits(lo: int, hi: int) -> str | None:
    """A regex of the two-digit numbers lo..hi (None when there are none)."""
    if lo > hi:
        return None
    (lt, lu), (ht, hu) = divmod(lo, 10), divmod(hi, 10)
    if lt == ht:
        return f"{lt}[{lu}-{hu}]"
    parts = [f"{lt}[{lu}-9]"]
    if ht - lt > 1:
        parts.append(f"[{lt + 1}-{ht - 1}]\\d")
    parts.append(f"{ht}[0-{hu}]")
    return "(?:" + "|".join(parts) + ")"


def _pair(first: int, count: int, sign: str, offset_at: str, ranges: dict[int, str | None]) -> dict[str, Any]:
    """A pattern: the two digits at ``first`` (the hour, or the minute: 11 or 14) are a value v
    and the offset (``sign`` HH:MM) has its hour (``offset_at`` "h") or minute ("m") in ranges[v]."""
    branches = []
    for v in range(count):
        r = ranges.get(v)
        if r is None:
            continue
        off = rf"{r}:\d\d" if offset_at == "h" else rf"\d\d:{r}"
        branches.append(rf"{v:02d}.*{'[+]' if sign == '+' else sign}{off}")
    return {"pattern": rf"^.{{{first}}}(?:{'|'.join(branches)})$"}


def _time_range() -> list[dict[str, Any]]:
    """The UTC edges of the time range (1000-01-02T00:00:00Z .. 9999-12-30T23:59:59.999999Z)
    on the four days where the offset decides. With n the local time and O the offset in
    minutes (seconds do not change the verdict), the instant is in range when: on 1000-01-01
    n - O >= 1440; on 1000-01-02 n - O >= 0; on 9999-12-30 n - O <= 1439; on 9999-12-31 n - O < 0."""
    # behind UTC (O = -(HH:MM)): n + HH:MM >= 1440, i.e. HH > 23-hh, or HH = 23-hh and MM > 59-mm
    behind_a_day = {"anyOf": [
        _pair(11, 24, "-", "h", {h: _two_digits(24 - h, 23) for h in range(24)}),
        {"allOf": [_pair(11, 24, "-", "h", {h: f"{23 - h:02d}" for h in range(24)}),
                   _pair(14, 60, "-", "m", {m: _two_digits(60 - m, 59) for m in range(60)})]},
    ]}
    # ahead of UTC (O = +HH:MM): n >= HH:MM, i.e. hh > HH, or hh = HH and mm >= MM
    not_before_offset = {"anyOf": [
        _pair(11, 24, "+", "h", {h: _two_digits(0, h - 1) for h in range(24)}),
        {"allOf": [_pair(11, 24, "+", "h", {h: f"{h:02d}" for h in range(24)}),
                   _pair(14, 60, "+", "m", {m: _two_digits(0, m) for m in range(60)})]},
    ]}
    ahead = {"pattern": r"\+\d\d:\d\d$"}
    return [
        {"if": {"pattern": "^1000-01-01"}, "then": behind_a_day},
        {"if": {"pattern": "^1000-01-02"}, "then": {"anyOf": [{"not": ahead}, not_before_offset]}},
        {"if": {"pattern": "^9999-12-30"}, "then": {"not": behind_a_day}},
        {"if": {"pattern": "^9999-12-31"}, "then": {"allOf": [ahead, {"not": not_before_offset}]}},
    ]


def _enum(e: type[StrEnum], model: type[BaseModel] | None = None, field: str = "") -> dict[str, Any]:
    """The enum's values, and the default the document model gives the field (if named)."""
    out: dict[str, Any] = {"enum": [m.value for m in e]}
    if model is not None:
        out["default"] = e(model.model_fields[field].default).value
    return out


def _text(description: str = "", *, non_blank: bool = False, max_length: int = LONG_TEXT_MAX) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "pattern": _NON_BLANK if non_blank else _TEXT}
    if non_blank:
        out["minLength"] = 1
    out["maxLength"] = max_length
    if description:
        out["description"] = description
    return out


def _object(properties: dict[str, Any], required: list[str] | None = None, description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        out["required"] = required
    if description:
        out["description"] = description
    return out


def _list(items: dict[str, Any], description: str = "", *, max_items: int = ITEMS_MAX) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "array", "items": items, "maxItems": max_items}
    if description:
        out["description"] = description
    return out


_TEXT_REFS = {"Text": "text", "NonEmptyText": "nonBlankText", "Short": "shortText",
              "NonEmptyShort": "nonBlankShortText", "Url": "url"}
_TEXT_SHAPES: dict[str, dict[str, Any]] = {"Text": {}, "NonEmptyText": {"non_blank": True}, "Short": {"max_length": SHORT_TEXT_MAX},
                "NonEmptyShort": {"non_blank": True, "max_length": SHORT_TEXT_MAX}, "Url": {"max_length": URL_MAX}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def def_name(model: type[BaseModel]) -> str:
    """The name of a document model's object in ``$defs``: ``ActionItem`` -> ``actionItem``."""
    return model.__name__[:1].lower() + model.__name__[1:]


def _integer(model: type[BaseModel], name: str, annotation: Any) -> dict[str, Any]:
    """A whole number: a ``Count`` by its name, else with the bounds it is declared with."""
    if annotation == Count or (annotation is int and model.model_fields[name].metadata
                               == FieldInfo.from_annotation(Count).metadata):
        return _ref("count")
    metadata = (model.model_fields[name].metadata if annotation is int else
                [m for a in get_args(annotation)[1:] for m in (a.metadata if isinstance(a, FieldInfo) else [a])])
    out: dict[str, Any] = {"type": "integer"}
    for m in metadata:
        if getattr(m, "ge", None) is not None:
            out["minimum"] = m.ge
        if getattr(m, "le", None) is not None:
            out["maximum"] = m.le
    return out


def _value(model: type[BaseModel], name: str, annotation: Any) -> dict[str, Any]:
    """The schema of one value of a type: a list's item, or what an optional field holds."""
    held = annotation
    kind = text_kind(annotation)
    if kind is not None:
        return _ref(_TEXT_REFS[kind])
    inner = item_model(annotation)
    if inner is not None:
        return _ref(def_name(inner))
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return _enum(annotation)
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is datetime:
        return _ref("timestamp")
    if annotation is date:
        return _ref("date")
    if annotation is int:
        return _integer(model, name, held)
    if annotation is float:
        return {"type": "number", "minimum": 0, "maximum": _FLOAT_MAX}
    raise TypeError(f"{model.__name__}.{name}: no JSON Schema for {annotation!r} (teach pmtui.domain.jsonschema)")


def _property(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The schema of one field of a document model, read from its declaration: its type
    (a text type with its limits, an enum with its values, a flag, a count, a number, a
    date, a time, an object, a list of them; ``| None``: or null), its default (an enum's,
    a flag's) and its ``description=``, after ``(pmtui-review/2)`` for a field /2 added."""
    field = model.model_fields[name]
    description = field.description or ""
    if added_in_2(model, name):
        description = f"({FORMAT}) {description}".rstrip()
    annotation = field.annotation
    kind = text_type(model, name)
    if kind is not None:  # a text: its type by name, or inline with what it is
        return _text(description, **_TEXT_SHAPES[kind]) if description else _ref(_TEXT_REFS[kind])
    if get_origin(annotation) is list:
        return _list(_value(model, name, get_args(annotation)[0]), description)
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    if type(None) in options:  # the value or null
        (held,) = [o for o in options if o is not type(None)]
        out: dict[str, Any] = {"anyOf": [_value(model, name, held), {"type": "null"}]}
    else:
        out = _value(model, name, annotation)
        default = None if field.is_required() else field.default
        if isinstance(default, StrEnum | bool) and "$ref" not in out:
            out["default"] = default.value if isinstance(default, StrEnum) else default
    if description:
        out["description"] = description
    return out


class _Shape(dict[str, Any]):
    """An override that is a field's whole shape (its type is not one _property knows)."""


# What the JSON Schema says beyond a field's declaration (the format's rules that are
# not a type: the time zones this machine knows, the title's and severity's lengths,
# marks once per review, the timeline's two limits). Each names a field that exists
# (checked when the schema is made): a field of the document needs no entry here.
def _overrides() -> dict[tuple[type[BaseModel], str], dict[str, Any]]:
    """{(model, field): what to add to the field's derived schema, or its _Shape}."""
    # Each mark on at most one event of the timeline.
    one_of_each = [
        {"contains": {"type": "object", "required": ["marks"],
                      "properties": {"marks": {"type": "array", "contains": {"const": m.value}}}},
         "minContains": 0, "maxContains": 1}
        for m in Mark
    ]
    # Typed events and imported evidence (a non-empty source_id) have a limit each.
    evidence = {"type": "object", "required": ["source_id"], "properties": {"source_id": {"minLength": 1}}}
    typed_and_evidence = [
        {"contains": {"not": evidence}, "minContains": 0, "maxContains": EVENTS_MAX},
        {"contains": evidence, "minContains": 0, "maxContains": EVIDENCE_MAX},
    ]
    return {
        (ReviewDoc, "format"): _Shape(enum=list(READABLE_FORMATS), description=f"{FORMAT}; {FORMAT_1} is read "
                                      f"too (without the fields {FORMAT} added)"),
        (ReviewDoc, "title"): {"maxLength": TITLE_MAX},
        (ReviewDoc, "severity"): _Shape(anyOf=[_text(max_length=SEVERITY_MAX), {"type": "null"}]),
        (ReviewDoc, "timezone"): _Shape(enum=_zones(), default="UTC"),
        (ReviewDoc, "timeline"): {
            "description": f"at most {EVENTS_MAX:,} typed events (no source_id) and "
                           f"{EVIDENCE_MAX:,} imported evidence events (a source_id)",
            "maxItems": EVENTS_MAX + EVIDENCE_MAX, "allOf": one_of_each + typed_and_evidence},
        (ReviewDoc, "notes"): {"maxItems": NOTES_MAX},
        (Event, "marks"): {"uniqueItems": True, "maxItems": len(Mark)},
        (Note, "became"): {"uniqueItems": True},
        (MeetingTimes, "stages"): _Shape(
            type="array", minItems=len(MeetingStage), maxItems=len(MeetingStage),
            prefixItems=[{"allOf": [_ref("stageTime")], "properties": {"stage": {"const": s.value}}} for s in MeetingStage]),
    }


# a model's object: what it says of itself, beyond its fields
_OBJECT_DESCRIPTIONS: dict[type[BaseModel], str] = {
    Became: "an item by its position (from 0) in timeline, factors, observations or action_items; the "
            "position must exist",
    ReviewDoc: "One postmortem review (docs/review-format.md).",
    MeetingTimes: f"({FORMAT}) the review meeting as held: each stage's actual time against its timebox",
}


def _from_model(model: type[BaseModel], overrides: dict[tuple[type[BaseModel], str], dict[str, Any]] | None = None,
                ) -> dict[str, Any]:
    """The object schema of a document model, read from its fields (_property), with the
    overrides for its fields (a key set to None is left out). A field of a type this
    module does not know is a TypeError here, so a new kind of field is taught to the
    schema before it ships."""
    overrides = overrides or {}
    properties: dict[str, Any] = {}
    for name in model.model_fields:
        extra = overrides.get((model, name), {})
        if isinstance(extra, _Shape):  # the field's whole shape, beside its description
            description = model.model_fields[name].description
            properties[name] = {**extra, **({"description": description} if description else {})}
        else:
            properties[name] = {**_property(model, name), **extra}
    return _object(properties, [n for n, f in model.model_fields.items() if f.is_required()],
                   _OBJECT_DESCRIPTIONS.get(model, ""))


def document_models(model: type[BaseModel] = ReviewDoc) -> list[type[BaseModel]]:
    """Every document model a review holds (its objects and the items of its lists), the
    review last, in the order they are first met."""
    found: list[type[BaseModel]] = []

    def walk(m: type[BaseModel]) -> None:
        for field in m.model_fields.values():
            inner = item_model(field.annotation)
            if inner is not None and inner not in found:
                walk(inner)
        if m not in found:
            found.append(m)

    walk(model)
    return found


def _zones() -> list[str]:
    """The zone names import accepts on this machine (not ``localtime``, which the tz
    database lists but names no zone)."""
    from zoneinfo import available_timezones

    usable = []
    for name in available_timezones() | {"UTC"}:
        try:
            _check_zone(name)
        except ValueError:
            continue
        usable.append(name)
    return sorted(usable)


def _v1_rule() -> dict[str, Any]:
    """A ``pmtui-review/1`` document has none of the fields ``/2`` added (V2_FIELDS, read
    from SINCE_2 on the document's fields): each is ``false`` where it may be, in an
    object or in each item of a list."""

    def forbid(model: type[BaseModel], tree: dict[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        for name, below in tree.items():
            if below is True:
                properties[name] = False
                continue
            annotation = model.model_fields[name].annotation
            inner = item_model(annotation)
            assert inner is not None
            node = forbid(inner, below)
            properties[name] = {"items": node} if get_origin(annotation) is list else node
        return {"properties": properties}

    return {
        "if": {"properties": {"format": {"const": FORMAT_1}}, "required": ["format"]},
        "then": {**forbid(ReviewDoc, V2_FIELDS),
                 "description": f"a {FORMAT_1} document has none of the fields {FORMAT} added"},
    }


def schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict: an object in ``$defs`` for every document model
    (pmtui.domain.document), each read from its fields (_from_model), the review at the top."""
    overrides = _overrides()
    fields = {(m, n) for m in document_models() for n in m.model_fields}
    unknown = [f"{m.__name__}.{n}" for m, n in overrides if (m, n) not in fields]
    if unknown:
        raise TypeError(f"the JSON Schema's overrides name no field of the document: {', '.join(unknown)}")
    defs: dict[str, Any] = {
        "timestamp": {"type": "string", "pattern": rf"^{_DAY}[Tt ]{_TIME}{_OFFSET}$", "allOf": _time_range(),
                      "description": "RFC 3339 with a UTC offset, e.g. 2026-03-10T14:03:00+01:00; "
                                     "between 1000-01-02T00:00:00Z and 9999-12-30T23:59:59.999999Z in UTC"},
        "date": {"type": "string", "pattern": rf"^{_DAY}$", "description": "YYYY-MM-DD, years 1000-9999"},
        "text": _text(),
        "nonBlankText": _text(non_blank=True),
        "shortText": _text(max_length=SHORT_TEXT_MAX),
        "nonBlankShortText": _text(non_blank=True, max_length=SHORT_TEXT_MAX),
        "url": _text(max_length=URL_MAX),
        "count": {"type": "integer", "minimum": 0, "maximum": COUNT_MAX},
    }
    for model in document_models():
        if model is not ReviewDoc:
            defs[def_name(model)] = _from_model(model, overrides)
    top = _from_model(ReviewDoc, overrides)
    top["properties"] = {"$schema": {"type": "string", "description": "where editors find this schema; ignored by pmtui"},
                         **top["properties"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"pmtui review document ({FORMAT}; {FORMAT_1} is read too)",
        **top,
        **_v1_rule(),
        "$defs": defs,
    }


def dumps() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
