"""Evidence into a review (issue 13): read the files, see what is new, add it.

The one path the command (`pmtui evidence`) and the app's "add evidence" dialog share:
:func:`preview` reads every file (all or nothing, :mod:`pmtui.evidence`) and splits what
the review already holds from what is new, without writing; :func:`add` then writes the
new events and the component windows in one transaction. No Textual, no SQLAlchemy at
import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from os import PathLike
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pmtui import document, evidence
from pmtui.errors import BadInput

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store


@dataclass
class Plan:
    review_id: int
    batch: evidence.EvidenceBatch
    new: list[evidence.EvidenceEvent]
    duplicates: int
    zone: str | None
    zone_from_review: bool
    window: tuple[datetime, datetime] | None = None  # the incident's known times (started, marks)
    far: list[evidence.EvidenceEvent] = field(default_factory=list)  # new events far from them

    def summary(self) -> dict[str, Any]:
        """The ``--format json`` object: added, duplicates, first, last, sources, ..."""
        out = evidence.summary(self.batch, self.new, self.duplicates)
        if out["zone_note"] and self.zone_from_review:
            out["zone_note"] += " (the review's zone; --zone chooses another)"
        out["far_from_incident"] = len(self.far)
        return out

    def far_warning(self, zone_name: str) -> str | None:
        """One sentence on the new events far from the incident (None when there are none)."""
        from pmtui.anchor import outside, say_distance

        if not self.far or self.window is None:
            return None
        zone = ZoneInfo(zone_name)
        first, last = min(e.at for e in self.far), max(e.at for e in self.far)
        gaps = [g for g in (outside(first, self.window), outside(last, self.window)) if g is not None]
        gap = min(gaps, key=abs) if gaps else timedelta(0)
        n = len(self.far)
        return (f"{n:,} of the {len(self.new):,} new event{'s' if len(self.new) != 1 else ''} "
                f"{'are' if n != 1 else 'is'} far from the incident: {first.astimezone(zone):%Y-%m-%d} … "
                f"{last.astimezone(zone):%Y-%m-%d}, {say_distance(gap)} it "
                f"({self.window[0].astimezone(zone):%Y-%m-%d %H:%M}); a file of another day or year?")


def zone_for(review_zone: str, zone: str | None) -> tuple[str | None, bool]:
    """The zone that reads times written without an offset: ``--zone``, else the review's
    zone unless it is plain UTC (the default every review has: never silently UTC)."""
    if zone:
        return zone, False
    if review_zone and review_zone != "UTC":
        return review_zone, True
    return None, False


def preview(store: Store, review_id: int, paths: Sequence[str | PathLike[str]], *, kind: str | None = None,
            zone: str | None = None, since: datetime | str | None = None, until: datetime | str | None = None,
            channel: str | None = None, min_level: str | None = None, incident: str | None = None) -> Plan:
    """What adding these files would do; writes nothing (BadInput on any bad file)."""
    review = store.get_review(review_id)
    used, from_review = zone_for(review["timezone"], zone)
    batch = evidence.load(list(paths), kind=kind, zone=used, since=since, until=until, channel=channel,
                          min_level=min_level, incident=incident)
    if not batch.events and not batch.components:
        raise BadInput(f"{', '.join(f for f, _ in batch.files)}: no events found"
                       + (f" (skipped: {_counts(batch.skipped)})" if batch.skipped else ""))
    held = store.evidence_keys(review_id)
    new, duplicates = evidence.split_new(batch, held)
    if len(held) + len(new) > document.EVIDENCE_MAX:  # the store refuses it too; say so before anything is written
        raise BadInput(f"this review holds {len(held):,} imported evidence events; adding {len(new):,} more would "
                       f"pass {document.EVIDENCE_MAX:,}, the most a review can hold (see the format's limits); nothing was added")
    window = incident_window_of(store, review_id, review)
    from pmtui.anchor import outside

    far = [e for e in new if outside(e.at, window) is not None]
    return Plan(review_id, batch, new, duplicates, used, from_review, window, far)


def incident_window_of(store: Store, review_id: int, review: dict[str, Any]) -> tuple[datetime, datetime] | None:
    """When the incident is known to have happened: when it started and its marks."""
    from pmtui.anchor import incident_window

    started = review.get("started")
    if isinstance(started, str) and started:
        started = datetime.fromisoformat(started)
    marks = [e.at for e in store.events_with_marks(review_id)]
    return incident_window(started if isinstance(started, datetime) else None, marks)


def add(store: Store, plan: Plan) -> dict[str, Any]:
    """Write the plan (one transaction; pairs added meanwhile by someone else are skipped)."""
    new, duplicates = store.add_evidence(plan.review_id, list(plan.batch.events), plan.batch.components)
    plan.new, plan.duplicates = new, duplicates
    return plan.summary()


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.items())


def describe(plan: Plan, zone_name: str, dry_run: bool = False) -> list[str]:
    """The summary as text lines, times in UTC and in the review's zone."""
    s = plan.summary()
    zone = ZoneInfo(zone_name)

    def both(at: datetime | None) -> str:
        if at is None:
            return "-"
        utc = evidence._utc(at)
        return f"{utc}  ({at.astimezone(zone):%Y-%m-%d %H:%M:%S} {zone_name})"

    verb = "would add" if dry_run else "added"
    lines = [f"{verb} {s['added']:,} event{'s' if s['added'] != 1 else ''}; "
             f"{s['duplicates']:,} already in the review (skipped)"]
    if plan.new:
        lines.append(f"first: {both(min(e.at for e in plan.new))}")
        lines.append(f"last:  {both(max(e.at for e in plan.new))}")
    if s["sources"]:
        lines.append(f"sources: {_counts(s['sources'])}")
    for c in s["components"]:
        lines.append(f"component: {c['name']}: {c['status'].replace('_', ' ')} from {c['start']} "
                     f"until {c['end'] or 'not restored in the file'}")
    if s["skipped"]:
        lines.append(f"left out: {_counts(s['skipped'])}")
    if s["zone_note"]:
        lines.append(f"note: {s['zone_note']}")
    far = plan.far_warning(zone_name)
    if far:
        lines.append(f"warning: {far}")
    if dry_run:
        lines.append("dry run: nothing was changed")
    return lines
