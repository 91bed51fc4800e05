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
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

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
    TIMEBOX_MAX,
    TITLE_MAX,
    TOOK_MAX,
    URL_MAX,
    V2_FIELDS,
    ActionItem,
    Day,
    Event,
    Note,
    ReviewDoc,
    Timestamp,
    _check_zone,
    text_type,
)
from pmtui.domain.vocab import (
    BecameKind,
    ComponentStatus,
    EventKind,
    FactorCategory,
    Mark,
    MeetingStage,
    NoteKind,
    ObservationKind,
    Stage,
    Status,
)

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


def _from_model(model: type[BaseModel]) -> dict[str, Any]:
    """The object schema of a document model, read from its fields: a text field is its
    text type (inline with the field's ``description=``), an enum its values and default,
    an optional date a date or null. A field of another type is a TypeError here, so a
    new kind of field is taught to the schema before it ships."""
    properties: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        kind = text_type(model, name)
        if kind is not None:
            properties[name] = (_text(field.description, **_TEXT_SHAPES[kind]) if field.description
                                else {"$ref": f"#/$defs/{_TEXT_REFS[kind]}"})
        elif isinstance(field.annotation, type) and issubclass(field.annotation, StrEnum):
            properties[name] = _enum(field.annotation, None if field.is_required() else model, name)
        elif field.annotation is bool:
            properties[name] = {"type": "boolean", **({} if field.is_required() else {"default": field.default})}
        elif field.annotation == (Day | None):
            properties[name] = {"anyOf": [{"$ref": "#/$defs/date"}, {"type": "null"}]}
        elif field.annotation == (Timestamp | None):
            properties[name] = {"anyOf": [{"$ref": "#/$defs/timestamp"}, {"type": "null"}],
                                **({"description": field.description} if field.description else {})}
        else:
            raise TypeError(f"{model.__name__}.{name}: no JSON Schema for {field.annotation!r} (teach pmtui.domain.jsonschema)")
    return _object(properties, [n for n, f in model.model_fields.items() if f.is_required()])


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
    """A ``pmtui-review/1`` document has none of the fields ``/2`` added (V2_FIELDS)."""
    no = False
    where: dict[str, Any] = {name: no for name in V2_FIELDS[""]}
    for path, names in V2_FIELDS.items():
        if not path:
            continue
        node: dict[str, Any] = {"items": {"properties": {name: no for name in names}}}
        parts = path.split(".")
        for part in reversed(parts[1:]):
            node = {"properties": {part: node}}
        where[parts[0]] = node
    return {
        "if": {"properties": {"format": {"const": FORMAT_1}}, "required": ["format"]},
        "then": {"properties": where,
                 "description": f"a {FORMAT_1} document has none of the fields {FORMAT} added"},
    }


def schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict."""
    count = {"type": "integer", "minimum": 0, "maximum": COUNT_MAX}

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{name}"}

    short = _text(max_length=SHORT_TEXT_MAX)
    url = _text(max_length=URL_MAX)
    defs = {
        "timestamp": {"type": "string", "pattern": rf"^{_DAY}[Tt ]{_TIME}{_OFFSET}$", "allOf": _time_range(),
                      "description": "RFC 3339 with a UTC offset, e.g. 2026-03-10T14:03:00+01:00; "
                                     "between 1000-01-02T00:00:00Z and 9999-12-30T23:59:59.999999Z in UTC"},
        "date": {"type": "string", "pattern": rf"^{_DAY}$", "description": "YYYY-MM-DD, years 1000-9999"},
        "text": _text(),
        "nonBlankText": _text(non_blank=True),
        "shortText": short,
        "nonBlankShortText": _text(non_blank=True, max_length=SHORT_TEXT_MAX),
        "url": url,
        "count": count,
        "participant": _object({"name": ref("nonBlankShortText"), "role": ref("shortText"),
                                "attended": {"type": "boolean", "default": True}}, ["name"]),
        "link": _object({"title": ref("shortText"), "url": ref("url")}, ["title", "url"]),
        "event": _object({
            "at": ref("timestamp"),
            "text": _text("what happened, in neutral words", non_blank=True),
            "kind": _enum(EventKind, Event, "kind"),
            "marks": {"type": "array", "items": _enum(Mark), "uniqueItems": True, "maxItems": len(Mark),
                      "description": "key moments this event stands for; each mark on at most one event"},
            "source": ref("shortText"),
            "source_id": {**short, "description": f"({FORMAT}) the source's stable id; not empty means "
                                                   "imported evidence; (source, source_id) once per review"},
            "original": _text(f"({FORMAT}) the text as the source wrote it"),
            "approximate": {"type": "boolean", "default": False},
            "highlight": {"type": "boolean", "default": False},
            "confirmed": {"type": "boolean", "default": False,
                          "description": f"({FORMAT}) the room confirmed it in a walk-through"},
        }, ["at", "text"]),
        "component": _object({
            "name": ref("nonBlankShortText"),
            "status": _enum(ComponentStatus),
            "start": {"anyOf": [ref("timestamp"), {"type": "null"}],
                      "description": f"({FORMAT}) when it became impaired"},
            "end": {"anyOf": [ref("timestamp"), {"type": "null"}],
                    "description": f"({FORMAT}) when it was restored; not before start"},
        }, ["name", "status"]),
        "impact": _object({
            "description": _text("Markdown"),
            "users_affected": {"anyOf": [ref("count"), {"type": "null"}]},
            "components": _list(ref("component")),
            "data_loss": _text("empty means none"),
            "support_tickets": {"anyOf": [ref("count"), {"type": "null"}]},
            "slo_budget_spent_pct": {"anyOf": [{"type": "number", "minimum": 0, "maximum": _FLOAT_MAX},
                                               {"type": "null"}]},
            "customer_communication": _text("Markdown"),
        }),
        "factor": _object({"text": ref("nonBlankText"), "category": _enum(FactorCategory)}, ["text", "category"]),
        "observation": _object({"kind": _enum(ObservationKind), "text": ref("nonBlankText")}, ["kind", "text"]),
        "actionItem": _from_model(ActionItem),
        "became": _object({"kind": _enum(BecameKind), "index": ref("count")}, ["kind", "index"],
                          description="an item by its position (from 0) in timeline, factors, observations "
                                      "or action_items; the position must exist"),
        "note": _object({
            "at": ref("timestamp"),
            "stage": _enum(Stage, Note, "stage"),
            "kind": _enum(NoteKind, Note, "kind"),
            "text": ref("nonBlankText"),
            "author": ref("shortText"),
            "became": {**_list(ref("became"), f"({FORMAT}) what the note was turned into"), "uniqueItems": True},
        }, ["at", "text"]),
        "stageTime": _object({
            "stage": _enum(MeetingStage),
            "timebox_minutes": {"type": "integer", "minimum": 0, "maximum": TIMEBOX_MAX,
                                "description": "the stage's timebox in the meeting's agenda, in minutes"},
            "took_seconds": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": TOOK_MAX}, {"type": "null"}],
                             "default": None,
                             "description": "how long the stage took, pauses left out; null while not finished"},
        }, ["stage", "timebox_minutes"]),
        "meeting": _object({
            "started": ref("timestamp"),
            "ended": {"anyOf": [ref("timestamp"), {"type": "null"}], "default": None,
                      "description": "null while the meeting runs; not before started"},
            "stages": {"type": "array", "minItems": len(MeetingStage), "maxItems": len(MeetingStage),
                       "prefixItems": [{"allOf": [ref("stageTime")], "properties": {"stage": {"const": s.value}}}
                                       for s in MeetingStage],
                       "description": "the four stages once each, in the meeting's order"},
        }, ["started", "stages"], description=f"({FORMAT}) the review meeting as held: each stage's actual "
                                              "time against its timebox"),
    }
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
    top = _object({
        "$schema": {"type": "string", "description": "where editors find this schema; ignored by pmtui"},
        "format": {"enum": list(READABLE_FORMATS),
                   "description": f"{FORMAT}; {FORMAT_1} is read too (without the fields {FORMAT} added)"},
        "title": _text("e.g. Checkout latency after cache deploy", non_blank=True, max_length=TITLE_MAX),
        "status": _enum(Status, ReviewDoc, "status"),
        "severity": {"anyOf": [_text(max_length=SEVERITY_MAX), {"type": "null"}], "description": "e.g. SEV2"},
        "incident_ref": {"anyOf": [ref("url"), {"type": "null"}]},
        "timezone": {"enum": _zones(), "default": "UTC", "description": "IANA time zone name"},
        "started": {"anyOf": [ref("timestamp"), {"type": "null"}],
                    "description": f"({FORMAT}) when the incident started"},
        "review_date": {"anyOf": [ref("date"), {"type": "null"}]},
        "summary": _text("Markdown"),
        "trigger": _text("Markdown"),
        "detection": _text("Markdown"),
        "resolution": _text("Markdown"),
        "authors": _list(ref("text")),
        "participants": _list(ref("participant")),
        "tags": _list(ref("nonBlankShortText")),
        "links": _list(ref("link")),
        "timeline": {**_list(ref("event"), f"at most {EVENTS_MAX:,} typed events (no source_id) and "
                                           f"{EVIDENCE_MAX:,} imported evidence events (a source_id)",
                             max_items=EVENTS_MAX + EVIDENCE_MAX), "allOf": one_of_each + typed_and_evidence},
        "impact": ref("impact"),
        "factors": _list(ref("factor")),
        "observations": _list(ref("observation")),
        "learnings": _list(ref("text")),
        "action_items": _list(ref("actionItem")),
        "notes": _list(ref("note"), max_items=NOTES_MAX),
        "related": _list(ref("text")),
        "meeting": {"anyOf": [ref("meeting"), {"type": "null"}], "default": None},
    }, ["format", "title"], description="One postmortem review (docs/review-format.md).")
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
