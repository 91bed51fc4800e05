"""The meeting's agenda and timeboxes (pure: times in, remaining time out).

A meeting has a length and a split over its stages (default 60 minutes: 5 opening,
35 gathering context, 10 systemic analysis, 10 follow-ups). The current stage's clock
runs from when the facilitator moved to it, minus pauses. Moving on is the
facilitator's call: over time is reported, never enforced.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pmtui.domain import vocab
from pmtui.domain.localzone import clock_in
from pmtui.domain.vocab import MeetingStage

# the vocabulary's stages as the plain strings the stored meeting state holds
STAGES: tuple[str, ...] = tuple(s.value for s in MeetingStage)
STAGE_NAMES: dict[str, str] = {s.value: name for s, name in vocab.STAGE_NAMES.items()}
DEFAULT_SPLIT: dict[str, int] = dict(zip(STAGES, (5, 35, 10, 10)))
# The sections each stage of the meeting works in, in order (vocab.SECTION_TABLE): moving the
# meeting on takes the facilitator (and every seat that follows it) to the first; the report
# comes after the last stage.
STAGE_SECTIONS: dict[str, tuple[str, ...]] = {
    stage.value: tuple(s.value for s in sections) for stage, sections in vocab.STAGE_SECTIONS.items()
}
AFTER_THE_MEETING: str = vocab.AFTER_THE_MEETING.value
TOOK_MAX = 366 * 86_400  # the longest a stage is recorded to have taken (pmtui.domain.document.TOOK_MAX)


def section_for(meeting: Meeting, section: str) -> str | None:
    """Where a seat on ``section`` goes to be where the meeting is: None when it is there
    already (a section of the meeting's stage; the report once the meeting ended)."""
    if meeting.ended:
        return None if section == AFTER_THE_MEETING else AFTER_THE_MEETING
    sections = STAGE_SECTIONS[meeting.stage]
    return None if section in sections else sections[0]


def scale_split(length: int, split: dict[str, int] | None = None) -> dict[str, int]:
    """The default split scaled to another length (whole minutes, summing to it)."""
    base = split or DEFAULT_SPLIT
    total = sum(base.values())
    out = {s: max(1, round(base[s] * length / total)) for s in STAGES}
    out[MeetingStage.context.value] += length - sum(out.values())
    return out


def parse_split(text: str, length: int) -> dict[str, int]:
    """``5 35 10 10`` or ``5/35/10/10`` -> minutes per stage; must add up to the length."""
    from pmtui.errors import BadInput

    parts = text.replace("/", " ").replace(",", " ").split()
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        raise BadInput("give four whole numbers of minutes: opening, context, analysis, follow-ups (e.g. 5 35 10 10)")
    split = dict(zip(STAGES, map(int, parts)))
    if sum(split.values()) != length:
        raise BadInput(f"the stages add up to {sum(split.values())} minutes, not the meeting's {length}")
    return split


ENDED = "ended the meeting"  # the last move of an ended meeting (Meeting.moved)


@dataclass
class Meeting:
    length: int = 60
    split: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_SPLIT))
    stage: str = MeetingStage.opening.value
    started_at: str = ""          # ISO, aware
    stage_started_at: str = ""    # ISO, aware
    paused_at: str | None = None  # ISO when paused
    paused_seconds: float = 0.0   # pauses within the current stage
    moved_by: str = ""            # the seat that last started, paused, resumed or advanced it
    moved_at: str = ""            # ISO, aware: when
    last_move: str = ""           # what it did, in words ("paused the meeting")
    ended_at: str = ""            # ISO, aware, once the facilitator ended the meeting
    stage_took: dict[str, float] = field(default_factory=dict)  # seconds each finished stage took, pauses left out
    walk_event: int | None = None  # the event the facilitator's walk-through shows (every following seat shows it)

    # ------------------------------------------------------------ serialisation
    def to_json(self) -> str:
        data = asdict(self)
        if not self.last_move:  # a meeting nobody has moved yet reads as it did before seats
            for key in ("moved_by", "moved_at", "last_move"):
                data.pop(key)
        for key in ("ended_at", "stage_took", "walk_event"):  # stored only when set (older pmtui reads the rest)
            if not data[key] and data[key] != 0:
                del data[key]
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Meeting:
        data = json.loads(text)
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def record(self) -> dict[str, Any] | None:
        """The meeting as the review document keeps it (``meeting`` of pmtui-review/2): when
        it started and ended, each stage's timebox and the whole seconds it took (None while
        not finished). None for a meeting that never started."""
        if not self.started_at:
            return None
        return {
            "started": self.started_at,
            "ended": self.ended_at or None,
            "stages": [{"stage": s, "timebox_minutes": int(self.split.get(s, 0)),
                        "took_seconds": min(TOOK_MAX, max(0, round(self.stage_took[s]))) if s in self.stage_took else None}
                       for s in STAGES],
        }

    @classmethod
    def from_record(cls, record: Any) -> Meeting:
        """The stored meeting of an imported document's ``meeting`` (a MeetingTimes): an
        ended meeting stays ended on its last stage; one still running comes in paused at the
        start of its first unfinished stage (its clock does not run on from the import), which
        is taken to have begun when the finished ones add up to."""
        split = {s.stage.value: s.timebox_minutes for s in record.stages}
        took = {s.stage.value: float(s.took_seconds) for s in record.stages if s.took_seconds is not None}
        started: datetime = record.started
        meeting = cls(length=sum(split.values()), split=split, started_at=started.isoformat(), stage_took=took)
        if record.ended is not None:
            meeting.ended_at = record.ended.isoformat()
            done = [s for s in STAGES if s in took]
            meeting.stage = done[-1] if done else STAGES[0]
            meeting.stage_started_at = (record.ended - timedelta(seconds=took.get(meeting.stage, 0))).isoformat()
            return meeting
        meeting.stage = next((s for s in STAGES if s not in took), STAGES[-1])
        begun = started + timedelta(seconds=sum(took.get(s, 0) for s in STAGES[:STAGES.index(meeting.stage)]))
        meeting.stage_started_at = meeting.paused_at = begun.isoformat()
        return meeting

    def moved(self, by: str, now: datetime, what: str) -> None:
        """Record who made a stage change and when (every seat shows it)."""
        self.moved_by, self.moved_at, self.last_move = by, now.isoformat(), what

    def move_line(self, zone: Any = None) -> str:
        """'Amara Okafor paused the meeting at 14:32' ('' when nobody is recorded), the time in
        ``zone`` (the review's; named when it is not the machine's)."""
        if not self.last_move:
            return ""
        at = f" at {clock_in(datetime.fromisoformat(self.moved_at), zone)}" if self.moved_at else ""
        return f"{self.moved_by or 'A seat'} {self.last_move}{at}"

    # ------------------------------------------------------------ state
    @classmethod
    def start(cls, now: datetime, length: int = 60, split: dict[str, int] | None = None) -> Meeting:
        return cls(length=length, split=split or scale_split(length), started_at=now.isoformat(),
                   stage_started_at=now.isoformat())

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def elapsed(self, now: datetime) -> timedelta:
        """Time spent in the current stage, pauses left out."""
        end = datetime.fromisoformat(self.paused_at) if self.paused_at else now
        return end - datetime.fromisoformat(self.stage_started_at) - timedelta(seconds=self.paused_seconds)

    def remaining(self, now: datetime) -> timedelta:
        """Time left in the current stage (negative when over)."""
        return timedelta(minutes=self.split[self.stage]) - self.elapsed(now)

    def over(self, now: datetime) -> bool:
        return not self.ended and self.remaining(now) < timedelta(0)

    def pause(self, now: datetime) -> None:
        if not self.paused:
            self.paused_at = now.isoformat()

    def resume(self, now: datetime) -> None:
        if self.paused_at:
            self.paused_seconds += (now - datetime.fromisoformat(self.paused_at)).total_seconds()
            self.paused_at = None

    def next_stage(self, now: datetime) -> bool:
        """Move to the next stage; False when this was the last one."""
        i = STAGES.index(self.stage)
        if i == len(STAGES) - 1:
            return False
        self.resume(now)
        self.stage_took[self.stage] = self.elapsed(now).total_seconds()
        self.stage = STAGES[i + 1]
        self.stage_started_at = now.isoformat()
        self.paused_seconds = 0.0
        return True

    def end(self, now: datetime) -> None:
        self.resume(now)
        self.stage_took[self.stage] = self.elapsed(now).total_seconds()
        self.ended_at = now.isoformat()
        self.walk_event = None

    def times(self, now: datetime) -> list[tuple[str, timedelta | None, int]]:
        """Each stage: how long it took (the current one so far; None when not reached)
        and its timebox in minutes."""
        out: list[tuple[str, timedelta | None, int]] = []
        for stage in STAGES:
            if stage in self.stage_took:
                took: timedelta | None = timedelta(seconds=self.stage_took[stage])
            elif stage == self.stage and not self.ended:
                took = self.elapsed(now)
            else:
                took = None
            out.append((stage, took, self.split[stage]))
        return out

    def overran(self) -> list[str]:
        """The finished stages that took longer than their timebox (by a minute or more), in meeting order."""
        return [s for s in STAGES if s in self.stage_took and s in self.split and ran_over(self.stage_took[s], self.split[s])]

    @property
    def ended(self) -> bool:
        return bool(self.ended_at)

    def took(self) -> timedelta:
        """How long the meeting took, from its start to its end (pauses included)."""
        return datetime.fromisoformat(self.ended_at) - datetime.fromisoformat(self.started_at)

    def status(self, now: datetime, zone: Any = None) -> str:
        """``Gather context: 12:04 left`` / ``… over by 3 min`` / ``… paused``, in words;
        once ended, when it ended (in ``zone``, the review's, named when it is not the
        machine's), how long it took and who ended it."""
        if self.ended:
            ended = datetime.fromisoformat(self.ended_at)
            if zone is not None:
                end = clock_in(ended, zone)
            else:
                end = f"{ended.astimezone(now.tzinfo) if now.tzinfo else ended:%H:%M}"
            by = f" · ended by {self.moved_by}" if self.moved_by and self.last_move == ENDED else ""
            return f"Meeting ended {end}, took {duration(self.took())}{by}"
        name = STAGE_NAMES[self.stage]
        left = self.remaining(now)
        if self.paused:
            return f"{name}: paused, {clock(left)} left" if left >= timedelta(0) else f"{name}: paused, over by {minutes(-left)}"
        if left >= timedelta(0):
            return f"{name}: {clock(left)} left"
        return f"{name}: over time by {minutes(-left)}"


def clock(value: timedelta) -> str:
    seconds = max(0, int(value.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def duration(value: timedelta) -> str:
    """``58 min`` or ``1 h 05 min``."""
    m = max(0, int(value.total_seconds() // 60))
    return f"{m} min" if m < 60 else f"{m // 60} h {m % 60:02d} min"


def minutes(value: timedelta) -> str:
    m = int(value.total_seconds() // 60)
    return "less than a minute" if m < 1 else f"{m} min"


# ---------------------------------------------------------------- actual time per stage
OVER_BY = 60  # a stage ran over when it took this many seconds or more past its timebox


def ran_over(took_seconds: float, timebox_minutes: int) -> bool:
    """A finished stage ran over its timebox: by a minute or more (less is the clock's noise)."""
    return took_seconds - timebox_minutes * 60 >= OVER_BY


def took_words(seconds: float) -> str:
    """How long a stage took, to the nearest minute: ``under a minute``, ``12 min``, ``1 h 05 min``."""
    if seconds < 30:
        return "under a minute"
    return duration(timedelta(seconds=round(seconds / 60) * 60))


def against_timebox(took_seconds: float | None, timebox_minutes: int, *, current: bool = False) -> str:
    """A stage's actual time against its timebox, in words: ``within``, ``over by 6 min``,
    ``not finished`` (``current``: the stage the meeting is in), ``not reached``."""
    if took_seconds is None:
        return "not finished" if current else "not reached"
    if ran_over(took_seconds, timebox_minutes):
        return f"over by {minutes(timedelta(seconds=took_seconds - timebox_minutes * 60))}"
    return "within"
