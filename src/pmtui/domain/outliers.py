"""Events far from the rest of the timeline (pure, no Textual).

A time typed on the wrong day (the day the review was created, or today) lands an
event a day or more away from everything else. Such an event is accepted, and shown
with a warning on its row and in the readiness check, so the slip is caught before
the report."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from datetime import datetime, timedelta

FAR = timedelta(days=1)


def far_from_rest(times: list[datetime], far: timedelta = FAR) -> set[int]:
    """Indexes of the times more than ``far`` away from every other time.

    ``times`` need not be sorted. A single event, or events all close together, give none."""
    if len(times) < 2:
        return set()
    if all(map(operator.le, times, times[1:])):  # a timeline is kept in time order: no sort
        order: Sequence[int] = range(len(times))
        ordered = times
    else:
        order = sorted(range(len(times)), key=lambda i: times[i])
        ordered = [times[i] for i in order]
    gaps = list(map(operator.sub, ordered[1:], ordered))  # gaps[k]: between positions k and k + 1
    last = len(ordered) - 1
    out: set[int] = set()
    for k in [k for k, gap in enumerate(gaps) if gap > far]:  # only an event beside a long gap can be far
        for pos in (k, k + 1):
            if (pos == 0 or gaps[pos - 1] > far) and (pos == last or gaps[pos] > far):
                out.add(order[pos])
    return out


def describe_gap(times: list[datetime], index: int) -> timedelta:
    """How far ``times[index]`` is from the nearest other time."""
    return min(abs(t - times[index]) for j, t in enumerate(times) if j != index)
