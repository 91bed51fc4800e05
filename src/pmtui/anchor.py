"""Which day a bare time (``14:03``) means (pure, no Textual).

A time typed in the meeting is a time in the incident, in the review's zone: on the
selected event's day when there is one, else on the incident's day. Never on the day
the review was created, and never today: those put events a day or more away from
the incident without anyone noticing."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from pmtui.vocab import Mark

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

NO_DAY = ("the review does not know the incident's day yet: type the date too (e.g. 2026-03-10 14:03), "
          "or say when the incident started (Overview)")


def incident_day(zone: tzinfo, *, started: datetime | None = None, impact_start: datetime | None = None,
                 first_event: datetime | None = None) -> date | None:
    """The incident's day in ``zone``: when it started, else the impact start mark,
    else the first event; None when the review knows none of them."""
    for when in (started, impact_start, first_event):
        if when is not None:
            return when.astimezone(zone).date()
    return None


def review_incident_day(store: Store, review_id: int, zone: tzinfo) -> date | None:
    """``incident_day`` from what the store holds for a review."""
    review = store.get_review(review_id)
    started = review.get("started")
    if isinstance(started, str) and started:
        started = datetime.fromisoformat(started)
    marked = store.events_with_marks(review_id)
    impact = next((e.at for e in marked if Mark.impact_start in e.marks), None)
    # the first event only (a review of 100,000 imported log lines is not read whole)
    events = store.event_page(review_id, 0, 1) if impact is None and not started else []
    return incident_day(zone, started=started or None, impact_start=impact,
                        first_event=events[0].at if events else None)
