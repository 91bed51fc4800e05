"""A review document as plain Python objects: what the read path hands to the commands
that only read (export, check), without pydantic.

A stored review was checked by the document's models when it went into the store;
reading it back builds these objects from the rows instead of validating it again
(:mod:`pmtui.store.plain` checks each stored value cheaply and falls back to the
models when one is not as the store writes it). They have the attributes of
:class:`pmtui.domain.document.ReviewDoc` and its items (enums, dates and aware
datetimes, in the models' field order), so the report, the readiness check and the
canonical JSON read them as they read a validated document.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pmtui.domain.vocab import EventKind, Mark


class Item:
    """One item of a list (or the review itself, or its impact): its fields as attributes,
    in the model's order."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__ = fields

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__dict__!r})"


class PlainEvent(NamedTuple):
    """A timeline event: a tuple (a long timeline's 100,000 events are made without a
    Python call each), its fields in the model's order (``plain_fields.ORDER``; a test compares)."""

    at: datetime
    text: str
    kind: EventKind
    marks: list[Mark]
    source: str
    source_id: str
    original: str
    approximate: bool
    highlight: bool
    confirmed: bool

    @property
    def is_evidence(self) -> bool:
        return bool(self.source_id)


class PlainDoc(Item):
    def marks(self) -> dict[Mark, datetime]:
        return {m: e.at for e in self.__dict__["timeline"] if e.marks for m in e.marks}

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.__dict__["timezone"])


def format_timestamp(value: datetime) -> str:
    """The one canonical text of a timestamp (pmtui.domain.document.format_timestamp):
    seconds always, micro-seconds when present, ``Z`` for a zero offset, else ``+HH:MM``."""
    offset = value.utcoffset() or timedelta(0)
    text = value.replace(tzinfo=None).isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if not offset:
        return text + "Z"
    total = int(offset.total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _json(value: Any) -> Any:
    if isinstance(value, Item):
        return {k: _json(v) for k, v in value.__dict__.items()}
    if isinstance(value, PlainEvent):
        return {k: _json(v) for k, v in zip(PlainEvent._fields, value)}
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_dict(doc: PlainDoc) -> dict[str, Any]:
    """What ``ReviewDoc.model_dump(mode="json")`` gives for the same review."""
    out: dict[str, Any] = _json(doc)
    return out


def dumps(doc: PlainDoc) -> str:
    """The canonical JSON text (as pmtui.domain.document.dumps writes it)."""
    return json.dumps(to_dict(doc), ensure_ascii=False, indent=2) + "\n"


__all__ = ["Item", "PlainDoc", "PlainEvent", "dumps", "format_timestamp", "to_dict"]
