"""Evidence into a review (issue 13): read the files, see what is new, add it.

The one path the command (`pmtui evidence`) and the app's "add evidence" dialog share:
:func:`preview` reads every file (all or nothing, :mod:`pmtui.evidence`) and splits what
the review already holds from what is new, without writing; :func:`add` then writes the
new events and the component windows in one transaction. No Textual, no SQLAlchemy at
import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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

    def summary(self) -> dict[str, Any]:
        """The ``--format json`` object: added, duplicates, first, last, sources, ..."""
        out = evidence.summary(self.batch, self.new, self.duplicates)
        if out["zone_note"] and self.zone_from_review:
            out["zone_note"] += " (the review's zone; --zone chooses another)"
        return out


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
    return Plan(review_id, batch, new, duplicates, used, from_review)


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
    if dry_run:
        lines.append("dry run: nothing was changed")
    return lines
