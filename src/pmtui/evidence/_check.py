"""One validation for evidence (issue 22): every event and component window an import
would add is checked with the review document's own models (:class:`pmtui.domain.document.Event`
and :class:`pmtui.domain.document.Component`: the same limits, the same time range, the same
text rules as ``pmtui import``), plus what the store cannot keep (the NUL character), as
it is read: so a dry run refuses exactly what the real run refuses, before anything is
written, and whatever is accepted still exports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError

from pmtui.domain import document as d
from pmtui.errors import BadInput

if TYPE_CHECKING:  # pragma: no cover
    from ._base import ComponentWindow, EvidenceEvent

_LABELS = {"at": "time", "text": "text", "source": "source", "source_id": "id", "original": "original text",
           "name": "name", "start": "start", "end": "end"}


def _problem(where: str, what: str, exc: ValidationError) -> BadInput:
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else ""
    label = _LABELS.get(field, field)
    return BadInput(f"{where}: the {what}'s {label} {d.explain(exc).split(': ', 1)[-1]}")


# The document's rules for these fields, as the model declares them (tests/test_evidence_hostile.py
# checks that the quick path below and the model agree, and that the model has no other field
# an import fills): the quick path runs for every event, the model only to word a refusal.
_LIMITS = (("text", d.LONG_TEXT_MAX), ("source", d.SHORT_TEXT_MAX), ("source_id", d.SHORT_TEXT_MAX),
           ("original", d.LONG_TEXT_MAX))


def _quick_ok(e: EvidenceEvent) -> bool:
    """True when the event meets every rule of document.Event (else the model says why)."""
    try:
        d.parse_timestamp(e.at)  # the model's own check of a time: an offset, under 24 hours, in range
    except (ValueError, TypeError, OverflowError):
        return False
    for field, limit in _LIMITS:
        value = getattr(e, field)
        if not isinstance(value, str) or len(value) > limit or d.has_surrogate(value):
            return False
    return e.kind in d.EventKind.__members__.values() and bool(e.text.strip())


def check_event(e: EvidenceEvent) -> None:
    """BadInput naming the event's file and place when a review could not hold it."""
    where = e.where or e.source
    for label, value in (("text", e.text), ("source", e.source), ("id", e.source_id), ("original text", e.original)):
        if "\x00" in value:
            raise BadInput(f"{where}: the event's {label} contains the character U+0000 (NUL), which the store "
                           "cannot keep")
    if not e.source_id:
        raise BadInput(f"{where}: the event has no id")
    if not e.text.strip():
        raise BadInput(f"{where}: the event has no text")
    if _quick_ok(e):
        return
    try:
        model_check(e)
    except ValidationError as exc:
        raise _problem(where, "event", exc) from None
    raise BadInput(f"{where}: the event cannot be kept in a review")  # the quick path is stricter: never here


def model_check(e: EvidenceEvent) -> None:
    """The document model itself on the event (ValidationError when it refuses)."""
    d.Event.model_validate({"at": e.at, "text": e.text, "kind": e.kind, "source": e.source,
                            "source_id": e.source_id, "original": e.original})


def check_window(w: ComponentWindow) -> None:
    where = w.where or w.source
    if "\x00" in w.name:
        raise BadInput(f"{where}: the component's name contains the character U+0000 (NUL), which the store "
                       "cannot keep")
    try:
        d.Component.model_validate({"name": w.name, "status": w.worst_status, "start": w.start, "end": w.end})
    except ValidationError as exc:
        raise _problem(where, "component", exc) from None


def check_all(events: list[EvidenceEvent] | tuple[EvidenceEvent, ...],
              windows: list[ComponentWindow] | tuple[ComponentWindow, ...] = ()) -> None:
    """Every event and window (what the store runs again before it writes)."""
    for e in events:
        check_event(e)
    for w in windows:
        check_window(w)
