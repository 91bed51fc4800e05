"""Evidence into a review (issue 13): read the files, see what is new, add it.

The one path the command (`pmtui evidence`) and the app's "add evidence" dialog share:
:func:`preview` reads every file (all or nothing, :mod:`pmtui.evidence`) and splits what
the review already holds from what is new, without writing; :func:`add` then writes the
new events and the component windows in one transaction. No Textual, no SQLAlchemy at
import time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from os import PathLike
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pmtui import evidence
from pmtui.domain import document
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
        from pmtui.domain.anchor import outside, say_distance

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


WINDOW_MARGIN = timedelta(minutes=30)


def incident_window(store: Store, review_id: int) -> tuple[datetime, datetime | None] | None:
    """The incident's window: from the earliest of the review's start and its marked
    events to the latest marked event, 30 minutes more on each side (open-ended when
    nothing after the start is marked); None when the review has neither."""
    started = store.review_started(review_id)
    times = [e.at for e in store.events_with_marks(review_id)]
    points = times + ([started] if started is not None else [])
    if not points:
        return None
    first, last = min(points), max(points)
    return first - WINDOW_MARGIN, (last + WINDOW_MARGIN if times and last > first else None)


def preview(store: Store, review_id: int, paths: Sequence[str | PathLike[str]], *, kind: str | None = None,
            zone: str | None = None, since: datetime | str | None = None, until: datetime | str | None = None,
            channel: str | None = None, min_level: str | None = None, keys: evidence.LogKeys | None = None,
            year: int | None = None, window: str | None = None,
            progress: Callable[[int, int], None] | None = None, incident: str | None = None) -> Plan:
    """What adding these files would do; writes nothing (BadInput on any bad file).

    Runs every check the real run does: each event and component window with the
    document's own models as it is read, the review's limits (evidence events, Impact
    components, the size an export may have), so a dry run refuses what the run would.
    ``window="incident"`` keeps only the events inside the incident's window; ``incident``
    is a PagerDuty incident (--from pagerduty-api)."""
    review = store.get_review(review_id)
    used, from_review = zone_for(review["timezone"], zone)
    span = incident_window(store, review_id)
    if window is not None:
        if window != "incident":
            raise BadInput(f"--window {window!r}: the only window is 'incident' (the review's start and marks)")
        if span is None:
            raise BadInput("--window incident: this review has no start and no marked events yet; set its start "
                           "(Overview) or mark an event, or choose with --since/--until")
        if since is not None or until is not None:
            raise BadInput("--window incident and --since/--until choose the same thing; give one of them")
        since, until = span
    if year is None and review.get("started") is not None:
        year = review["started"].year
    batch = evidence.load(list(paths), kind=kind, zone=used, since=since, until=until, channel=channel,
                          min_level=min_level, keys=keys, year=year, window=span, progress=progress,
                          incident=incident)
    if not batch.events and not batch.components:
        raise BadInput(f"{', '.join(f for f, _ in batch.files)}: no events found"
                       + (f" (skipped: {_counts(batch.skipped)})" if batch.skipped else ""))
    held = store.evidence_keys(review_id)
    new, duplicates = evidence.split_new(batch, held)
    if len(held) + len(new) > document.EVIDENCE_MAX:  # the store refuses it too; say so before anything is written
        raise BadInput(f"this review holds {len(held):,} imported evidence events; adding {len(new):,} more would "
                       f"pass {document.EVIDENCE_MAX:,}, the most a review can hold (see the format's limits); nothing was added")
    _check_components(store, review_id, batch)
    _check_export_size(store, review_id, len(held), new)
    known = incident_window_of(store, review_id, review)
    from pmtui.domain.anchor import outside

    far = [e for e in new if outside(e.at, known) is not None]
    return Plan(review_id, batch, new, duplicates, used, from_review, known, far)


def incident_window_of(store: Store, review_id: int, review: dict[str, Any]) -> tuple[datetime, datetime] | None:
    """When the incident is known to have happened: when it started and its marks."""
    from pmtui.domain.anchor import incident_window

    started = review.get("started")
    if isinstance(started, str) and started:
        started = datetime.fromisoformat(started)
    marks = [e.at for e in store.events_with_marks(review_id)]
    return incident_window(started if isinstance(started, datetime) else None, marks)


def _check_components(store: Store, review_id: int, batch: evidence.EvidenceBatch) -> None:
    from pmtui.domain.vocab import ItemKind

    if not batch.components:
        return
    have = {str(c["name"]) for c in store.list_items(ItemKind.component, review_id)}
    names = have | {w.name for w in batch.components}
    if len(names) > document.ITEMS_MAX:
        raise BadInput(f"these files name {len(names - have):,} new components; the review's Impact would list "
                       f"{len(names):,}, past {document.ITEMS_MAX:,}, the most a list can hold; nothing was added")


def _event_bytes(e: evidence.EvidenceEvent) -> int:
    """About what the event takes in an exported document (its strings as JSON, the rest)."""
    return 260 + sum(len(json.dumps(v, ensure_ascii=False).encode("utf-8")) for v in (e.text, e.source,
                                                                                        e.source_id, e.original))


def _check_export_size(store: Store, review_id: int, held: int, new: list[evidence.EvidenceEvent]) -> None:
    """An export file has 4 MiB plus 2 KiB for each evidence event (the format's limits):
    events with long texts can use more than their 2 KiB, so count when they might."""
    extra = sum(_event_bytes(e) for e in new)
    if extra <= len(new) * document.EVIDENCE_BYTES:
        return
    current = len(document.dumps(store.export_document(review_id)).encode("utf-8"))
    limit = document.file_limit(held + len(new))
    if current + extra > limit:
        raise BadInput(f"the review's export would be about {(current + extra) / 2**20:,.1f} MiB, past the "
                       f"{limit / 2**20:,.1f} MiB a document with {held + len(new):,} evidence events may be "
                       "(the format's limits: 2 KiB for each beyond 4 MiB); these events hold long texts: import "
                       "fewer (--since/--until, --min-level); nothing was added")


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
