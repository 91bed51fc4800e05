"""Which day a bare time (``14:03``) means (pure, no Textual).

A time typed in the meeting is a time in the incident, in the review's zone: on the
selected event's day when there is one, else on the incident's day. Never on the day
the review was created, and never today: those put events a day or more away from
the incident without anyone noticing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from pmtui.domain.vocab import Mark

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

# An event further than this outside the incident's known times (when it started, its marks)
# asks before it is saved: a bare time on the wrong day, or a file of another year's evidence.
FAR_FROM_INCIDENT = timedelta(hours=6)

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


def incident_window(started: datetime | None, marks: Iterable[datetime]) -> tuple[datetime, datetime] | None:
    """The incident's known span: from the earliest to the latest of when it started and
    its marks (impact start … resolved); None when the review knows none of them."""
    times = [t for t in (started, *marks) if t is not None]
    return (min(times), max(times)) if times else None


def outside(at: datetime, window: tuple[datetime, datetime] | None,
            far: timedelta = FAR_FROM_INCIDENT) -> timedelta | None:
    """How far ``at`` lies before (negative) or after (positive) the window, when that is
    more than ``far``; None when it is near the incident, or the incident is unknown."""
    if window is None:
        return None
    start, end = window
    if at < start - far:
        return at - start
    if at > end + far:
        return at - end
    return None


def say_distance(gap: timedelta) -> str:
    """'23 hours before' / '8 years after' (the incident's known times)."""
    size = abs(gap)
    hours = size.total_seconds() / 3600
    if hours < 48:
        amount = f"{hours:.0f} hours"
    elif size.days < 60:
        amount = f"{size.days} days"
    elif size.days < 730:
        amount = f"{size.days // 30} months"
    else:
        amount = f"{size.days // 365} years"
    return f"{amount} {'before' if gap < timedelta(0) else 'after'}"
