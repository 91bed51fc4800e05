"""A JSON Schema (draft 2020-12) of the review document ``pmtui-review/1``.

Written from the same definitions as the pydantic models (the enums, the limits),
so that a schema-aware editor says what ``pmtui import`` says: tests run both on the
examples and on broken files and expect the same verdict. What JSON Schema cannot
say is listed in docs/review-format.md (a number like ``1.0`` where a whole number is
expected). No Textual, no database.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from pmtui.document import (
    FORMAT,
    SEVERITY_MAX,
    TITLE_MAX,
    ActionStatus,
    ActionType,
    ComponentStatus,
    EventKind,
    FactorCategory,
    Mark,
    NoteKind,
    ObservationKind,
    Priority,
    Stage,
    Status,
)

SCHEMA_ID = "urn:pmtui:schema:pmtui-review-1"

# No lone UTF-16 surrogate (they cannot be stored); non-blank: a character that is not whitespace.
_TEXT = r"^[^\ud800-\udfff]*$"
_NON_BLANK = r"^(?=[\s\S]*\S)[^\ud800-\udfff]*$"
_YEAR = r"(?!0000)\d{4}"
_MONTH_DAY = r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8]))"
_LEAP = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)-02-29"
_DAY = rf"(?:{_YEAR}-{_MONTH_DAY}|{_LEAP})"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
_OFFSET = r"(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"


def _enum(e: type[StrEnum]) -> dict[str, Any]:
    return {"enum": [m.value for m in e]}


def _text(description: str = "", *, non_blank: bool = False, max_length: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "string", "pattern": _NON_BLANK if non_blank else _TEXT}
    if non_blank:
        out["minLength"] = 1
    if max_length is not None:
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


def _list(items: dict[str, Any], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"type": "array", "items": items}
    if description:
        out["description"] = description
    return out


def _zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(available_timezones() | {"UTC"})


def schema() -> dict[str, Any]:
    """The schema as a JSON-ready dict."""
    count = {"type": "integer", "minimum": 0}
    ref = lambda name: {"$ref": f"#/$defs/{name}"}  # noqa: E731
    defs = {
        "timestamp": {"type": "string", "pattern": rf"^{_DAY}[Tt ]{_TIME}{_OFFSET}$",
                      "description": "RFC 3339 with a UTC offset, e.g. 2026-03-10T14:03:00+01:00"},
        "date": {"type": "string", "pattern": rf"^{_DAY}$", "description": "YYYY-MM-DD"},
        "text": _text(),
        "nonBlankText": _text(non_blank=True),
        "participant": _object({"name": ref("nonBlankText"), "role": ref("text"),
                                "attended": {"type": "boolean", "default": True}}, ["name"]),
        "link": _object({"title": ref("text"), "url": ref("text")}, ["title", "url"]),
        "event": _object({
            "at": ref("timestamp"),
            "text": _text("what happened, in neutral words", non_blank=True),
            "kind": {**_enum(EventKind), "default": "event"},
            "marks": {"type": "array", "items": _enum(Mark), "uniqueItems": True,
                      "description": "key moments this event stands for; each mark on at most one event"},
            "source": ref("text"),
            "approximate": {"type": "boolean", "default": False},
            "highlight": {"type": "boolean", "default": False},
        }, ["at", "text"]),
        "component": _object({"name": ref("nonBlankText"), "status": _enum(ComponentStatus)}, ["name", "status"]),
        "impact": _object({
            "description": _text("Markdown"),
            "users_affected": {"anyOf": [count, {"type": "null"}]},
            "components": _list(ref("component")),
            "data_loss": _text("empty means none"),
            "support_tickets": {"anyOf": [count, {"type": "null"}]},
            "slo_budget_spent_pct": {"anyOf": [{"type": "number", "minimum": 0}, {"type": "null"}]},
            "customer_communication": _text("Markdown"),
        }),
        "factor": _object({"text": ref("nonBlankText"), "category": _enum(FactorCategory)}, ["text", "category"]),
        "observation": _object({"kind": _enum(ObservationKind), "text": ref("nonBlankText")}, ["kind", "text"]),
        "actionItem": _object({
            "title": ref("nonBlankText"),
            "description": _text("Markdown"),
            "type": {**_enum(ActionType), "default": "other"},
            "owner": ref("text"),
            "priority": {**_enum(Priority), "default": "medium"},
            "due": {"anyOf": [ref("date"), {"type": "null"}]},
            "status": {**_enum(ActionStatus), "default": "open"},
            "status_note": ref("text"),
            "tracker": ref("text"),
        }, ["title"]),
        "note": _object({
            "at": ref("timestamp"),
            "stage": {**_enum(Stage), "default": "context"},
            "kind": {**_enum(NoteKind), "default": "note"},
            "text": ref("nonBlankText"),
            "author": ref("text"),
        }, ["at", "text"]),
    }
    # Each mark on at most one event of the timeline.
    one_of_each = [
        {"contains": {"type": "object", "required": ["marks"],
                      "properties": {"marks": {"type": "array", "contains": {"const": m.value}}}},
         "minContains": 0, "maxContains": 1}
        for m in Mark
    ]
    top = _object({
        "$schema": {"type": "string", "description": "where editors find this schema; ignored by pmtui"},
        "format": {"const": FORMAT},
        "title": _text("e.g. Checkout latency after cache deploy", non_blank=True, max_length=TITLE_MAX),
        "status": {**_enum(Status), "default": "draft"},
        "severity": {"anyOf": [_text(max_length=SEVERITY_MAX), {"type": "null"}], "description": "e.g. SEV2"},
        "incident_ref": {"anyOf": [ref("text"), {"type": "null"}]},
        "timezone": {"enum": _zones(), "default": "UTC", "description": "IANA time zone name"},
        "review_date": {"anyOf": [ref("date"), {"type": "null"}]},
        "summary": _text("Markdown"),
        "trigger": _text("Markdown"),
        "detection": _text("Markdown"),
        "resolution": _text("Markdown"),
        "authors": _list(ref("text")),
        "participants": _list(ref("participant")),
        "tags": _list(ref("nonBlankText")),
        "links": _list(ref("link")),
        "timeline": {"type": "array", "items": ref("event"), "allOf": one_of_each},
        "impact": ref("impact"),
        "factors": _list(ref("factor")),
        "observations": _list(ref("observation")),
        "learnings": _list(ref("text")),
        "action_items": _list(ref("actionItem")),
        "notes": _list(ref("note")),
        "related": _list(ref("text")),
    }, ["format", "title"], description="One postmortem review (docs/review-format.md).")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"pmtui review document ({FORMAT})",
        **top,
        "$defs": defs,
    }


def dumps() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2) + "\n"
