"""Reading what people type in the meeting: times in the review's zone and the
timeline's one-line quick add (pure, no Textual).

    14:03 Paged the on-call engineer          on the anchor day (event above the cursor)
    2026-03-10 14:03 Paged the on-call ...    an explicit day
    +5m Rollback started                      5 minutes after the selected event
    ~14:03 Someone noticed the graph          approximate time
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from pmtui.errors import BadInput

QUICK_ADD_HELP = "type a time and what happened, e.g. 14:03 Paged the on-call engineer (or +5m …, ~14:03 …)"

_CLOCK = r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?"
_ABSOLUTE = re.compile(rf"^(?P<day>\d{{4}}-\d{{2}}-\d{{2}})[ T]{_CLOCK}(?=\s|$)")
_TIME = re.compile(rf"^{_CLOCK}(?=\s|$)")
_RELATIVE = re.compile(r"^(?P<sign>[+-])(?P<parts>(?:\d+[dhms])+)(?=\s|$)")
_PART = re.compile(r"(\d+)([dhms])")
_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


@dataclass(frozen=True)
class QuickAdd:
    at: datetime
    approximate: bool
    text: str


def _clock(m: re.Match[str]) -> time:
    h, mi, s = int(m["h"]), int(m["m"]), int(m["s"] or 0)
    if h > 23 or mi > 59 or s > 59:
        raise BadInput(f"{m.group(0).strip()} is not a time of day (use 00:00 to 23:59)")
    return time(h, mi, s)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{text} is not a real date") from None


def local(day: date, clock: time, zone: tzinfo) -> datetime:
    """A wall-clock time in the zone as an aware datetime."""
    return datetime.combine(day, clock, tzinfo=zone)


NEAR = timedelta(hours=6)  # a bare time this close to a neighbour on the next (or previous) day goes there


def nearest(clock: time, anchor_day: date, neighbours: Sequence[datetime], zone: tzinfo) -> datetime:
    """A bare wall-clock time: on ``anchor_day``, unless it is far (more than six hours)
    from every neighbour (the selected event, the incident's known times) while the same
    time on the day after or before is near one: ``00:05`` typed after an event at 23:50
    is five past midnight the next day, not 23 hours earlier."""
    same = local(anchor_day, clock, zone)

    def gap(at: datetime) -> timedelta:
        return min((abs(at.astimezone(UTC) - n.astimezone(UTC)) for n in neighbours), default=timedelta.max)

    if not neighbours or gap(same) <= NEAR:
        return same
    others = [local(anchor_day + timedelta(days=d), clock, zone) for d in (1, -1)]
    best = min(others, key=gap)
    return best if gap(best) <= NEAR else same


def parse_time_prefix(
    text: str, zone: tzinfo, *, anchor_day: date | None, selected: datetime | None = None,
    neighbours: Sequence[datetime] = (),
) -> tuple[datetime, bool, str]:
    """The time at the start of ``text`` -> (when, approximate, the rest). A bare time
    (``14:03``) is on ``anchor_day``, or on the day next to it where it meets one of its
    ``neighbours`` (:func:`nearest`)."""
    rest = text.strip()
    approximate = rest.startswith("~")
    if approximate:
        rest = rest[1:].lstrip()
    m = _ABSOLUTE.match(rest)
    if m:
        at = local(_day(m["day"]), _clock(m), zone)
    elif (m := _TIME.match(rest)) is not None:
        if anchor_day is None:  # never today, never the day the review was created
            from pmtui.domain.anchor import NO_DAY

            _clock(m)
            raise BadInput(NO_DAY)
        at = nearest(_clock(m), anchor_day, neighbours, zone)
    elif (m := _RELATIVE.match(rest)) is not None:
        if selected is None:
            raise BadInput(f"{m.group(0)} counts from the selected event; select one first, or type a time like 14:03")
        seconds = sum(int(n) * _UNITS[u] for n, u in _PART.findall(m["parts"]))
        try:  # in UTC: "+1h" across a daylight-saving change is one real hour
            at = (selected.astimezone(UTC) + timedelta(seconds=seconds if m["sign"] == "+" else -seconds)).astimezone(zone)
        except OverflowError:
            raise BadInput(f"{m.group(0)} is too far from the selected event") from None
    else:
        raise BadInput("start with a time: 14:03, 2026-03-10 14:03, +5m or ~14:03")
    return at, approximate, rest[m.end():].strip()


def parse_quick_add(line: str, zone: tzinfo, *, anchor_day: date | None, selected: datetime | None = None,
                    neighbours: Sequence[datetime] = ()) -> QuickAdd:
    if not line.strip():
        raise BadInput(QUICK_ADD_HELP)
    at, approximate, text = parse_time_prefix(line, zone, anchor_day=anchor_day, selected=selected,
                                              neighbours=neighbours)
    if not text:
        raise BadInput("say what happened after the time, e.g. 14:03 Paged the on-call engineer")
    return QuickAdd(at, approximate, text)


def parse_when(text: str, zone: tzinfo, *, anchor_day: date | None) -> tuple[datetime, bool]:
    """An edited event time: ``2026-03-10 14:03[:SS]`` or ``14:03``, ``~`` for approximate."""
    if not text.strip():
        raise BadInput("give a time, e.g. 2026-03-10 14:03")
    at, approximate, rest = parse_time_prefix(text, zone, anchor_day=anchor_day)
    if rest:
        raise BadInput(f"not a time: {text.strip()!r} (use 2026-03-10 14:03, 14:03 or ~14:03)")
    return at, approximate


def parse_edited_when(text: str, original: datetime, zone: tzinfo) -> tuple[datetime, bool]:
    """The time of an edited event or note. Left as it was shown, it is the original
    instant exactly: its seconds, micro-seconds and offset, and which of the two
    wall-clock times it was in the hour that repeats when daylight saving ends. A
    form that saves every field must not move an event whose text alone was edited."""
    shown = text.strip()
    approximate = shown.startswith("~")
    if approximate:
        shown = shown[1:].strip()
    if shown == format_when(original, zone):
        return original, approximate
    return parse_when(text, zone, anchor_day=original.astimezone(zone).date())


def format_when(at: datetime, zone: tzinfo) -> str:
    local_at = at.astimezone(zone)
    return local_at.strftime("%Y-%m-%d %H:%M:%S" if local_at.second else "%Y-%m-%d %H:%M")


def parse_day(text: str) -> date | None:
    """A due date or review date, ``YYYY-MM-DD``; empty means none."""
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise BadInput(f"write dates as YYYY-MM-DD (got {text!r})")
    return _day(text)
