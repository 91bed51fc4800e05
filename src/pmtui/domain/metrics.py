"""Timing metrics from the timeline's marks (pure functions, no I/O).

time to detect   = detected        - impact_start
time to respond  = response_start  - detected
time to mitigate = mitigated       - impact_start
time to resolve  = resolved        - impact_start
impact duration  = impact_end      - impact_start

A metric is absent when one of its marks is missing. A negative interval is never
reported as a number: the metric is "not computable" and names the two marks.

Every interval is taken between instants in UTC (:func:`between`), whatever zone the
times are shown in: Python subtracts two times of the same zone object by their wall
clocks, which across a daylight-saving change is an hour off (and can go negative
in the repeated hour of the fall-back night).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pmtui.domain.vocab import Mark

# (key, label, from mark, to mark); keys are also the report's front-matter names
DEFINITIONS: tuple[tuple[str, str, Mark, Mark], ...] = (
    ("time_to_detect", "Time to detect", Mark.impact_start, Mark.detected),
    ("time_to_respond", "Time to respond", Mark.detected, Mark.response_start),
    ("time_to_mitigate", "Time to mitigate", Mark.impact_start, Mark.mitigated),
    ("time_to_resolve", "Time to resolve", Mark.impact_start, Mark.resolved),
    ("impact_duration", "Impact duration", Mark.impact_start, Mark.impact_end),
)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    start_mark: str
    end_mark: str
    value: timedelta | None  # None when absent or not computable
    missing: tuple[str, ...] = ()  # marks that are not set

    @property
    def negative(self) -> bool:
        """Both marks are set, but the end comes before the start."""
        return not self.missing and self.value is None

    @property
    def computable(self) -> bool:
        return self.value is not None

    def minutes(self) -> int | None:
        return None if self.value is None else int(self.value.total_seconds() // 60)

    def problem(self) -> str | None:
        if self.missing:
            return f"missing mark{'s' if len(self.missing) > 1 else ''}: {', '.join(self.missing)}"
        if self.value is None:
            return f"not computable: {self.end_mark} comes before {self.start_mark}"
        return None


def between(start: datetime, end: datetime) -> timedelta:
    """The real time from ``start`` to ``end`` (both aware), computed in UTC."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def compute(marks: Mapping[Mark, datetime] | Mapping[str, datetime]) -> list[Metric]:
    """All five metrics from a mapping of mark (or mark name) to time."""
    by_name: dict[str, datetime] = {str(k): v for k, v in marks.items()}
    out = []
    for key, label, start, end in DEFINITIONS:
        missing = tuple(m for m in (start, end) if m not in by_name)
        value = None
        if not missing:
            delta = between(by_name[start], by_name[end])
            value = delta if delta >= timedelta(0) else None
        out.append(Metric(key, label, start, end, value, missing))
    return out


def format_duration(value: timedelta | None) -> str:
    """``1h 06m``, ``9m``, ``2d 03h 10m``; ``—`` when absent. Seconds round down."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h {mins:02d}m"
    if hours:
        return f"{hours}h {mins:02d}m"
    if minutes == 0 and value.total_seconds() > 0:
        return f"{int(value.total_seconds())}s"
    return f"{mins}m"
