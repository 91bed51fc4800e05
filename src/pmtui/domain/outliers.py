"""Events far from the rest of the timeline (pure, no Textual).

A time typed on the wrong day (the day the review was created, or today) lands an
event a day or more away from everything else. Such an event is accepted, and shown
with a warning on its row and in the readiness check, so the slip is caught before
the report."""

from __future__ import annotations

from datetime import datetime, timedelta

FAR = timedelta(days=1)


def far_from_rest(times: list[datetime], far: timedelta = FAR) -> set[int]:
    """Indexes of the times more than ``far`` away from every other time.

    ``times`` need not be sorted. A single event, or events all close together, give none."""
    if len(times) < 2:
        return set()
    order = sorted(range(len(times)), key=lambda i: times[i])
    out: set[int] = set()
    for pos, i in enumerate(order):
        gaps = []
        if pos:
            gaps.append(times[i] - times[order[pos - 1]])
        if pos + 1 < len(order):
            gaps.append(times[order[pos + 1]] - times[i])
        if min(gaps) > far:
            out.add(i)
    return out


def describe_gap(times: list[datetime], index: int) -> timedelta:
    """How far ``times[index]`` is from the nearest other time."""
    return min(abs(t - times[index]) for j, t in enumerate(times) if j != index)
