"""The words of a review, defined once: marks, statuses, component severities, stages,
sections, phases and list kinds.

Each is an enum whose values are what the document format (docs/review-format.md)
and the store keep, with the words people read beside it. Everything else (the
document models, the command line, the report, the checks, the store, the app) reads
them from here, so a word is changed in one place. StrEnum members equal their
values (``Mark.detected == "detected"``), so a stored string finds its entry.

Plain Python: no pydantic, no Textual, no database (cheap to import anywhere).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


# --------------------------------------------------------------------- review
class Status(StrEnum):
    """A review's status."""

    draft = "draft"
    in_review = "in_review"
    published = "published"


REVIEW_STATUS_WORDS: dict[Status, str] = {
    Status.draft: "draft",
    Status.in_review: "in review",
    Status.published: "published",
}


# ------------------------------------------------------------------- timeline
class EventKind(StrEnum):
    event = "event"
    alert = "alert"
    action = "action"
    decision = "decision"
    communication = "communication"
    change = "change"


class Mark(StrEnum):
    """The key moments of an incident; each is on at most one timeline event. The
    order is the keys 1 … 6 that set them and the order they are listed in."""

    impact_start = "impact_start"
    detected = "detected"
    response_start = "response_start"
    mitigated = "mitigated"
    impact_end = "impact_end"
    resolved = "resolved"


MARK_WORDS: dict[Mark, str] = {
    Mark.impact_start: "impact starts",
    Mark.detected: "detected",
    Mark.response_start: "response starts",
    Mark.mitigated: "mitigated",
    Mark.impact_end: "impact ends",
    Mark.resolved: "resolved",
}
# the Timeline's keys that set (or clear) each mark
MARK_KEYS: dict[Mark, str] = {m: str(i + 1) for i, m in enumerate(Mark)}
# the marks the phases, the phase bar and the readiness check need
KEY_MARKS: tuple[Mark, ...] = (Mark.impact_start, Mark.detected, Mark.mitigated, Mark.impact_end)


def mark_list(marks: tuple[Mark, ...] = KEY_MARKS, last: str = ", ") -> str:
    """The marks' words in a sentence: ``impact starts, detected, mitigated, impact ends``
    (``last=" and "`` joins the last two with "and")."""
    words = [MARK_WORDS[m] for m in marks]
    return ", ".join(words[:-1]) + last + words[-1] if len(words) > 1 else "".join(words)


class Phase(NamedTuple):
    """A stretch of the incident between two marks (the phase bar draws them to scale)."""

    name: str
    start: Mark
    end: Mark


PHASES: tuple[Phase, ...] = (
    Phase("undetected", Mark.impact_start, Mark.detected),
    Phase("responding", Mark.detected, Mark.mitigated),
    Phase("recovering", Mark.mitigated, Mark.impact_end),
)
# after the impact ended, until resolved (the report's timeline chart draws it too)
UNRESOLVED_PHASE = Phase("mitigated, not yet resolved", Mark.impact_end, Mark.resolved)


# --------------------------------------------------------------------- impact
class ComponentStatus(StrEnum):
    """How badly a component was impaired (the severities, least to worst)."""

    degraded_performance = "degraded_performance"
    partial_outage = "partial_outage"
    major_outage = "major_outage"


COMPONENT_STATUS_WORDS: dict[ComponentStatus, str] = {
    ComponentStatus.degraded_performance: "degraded performance",
    ComponentStatus.partial_outage: "partial outage",
    ComponentStatus.major_outage: "major outage",
}
# worse is higher
COMPONENT_STATUS_RANK: dict[ComponentStatus, int] = {s: i + 1 for i, s in enumerate(ComponentStatus)}


# ------------------------------------------------------------------- analysis
class FactorCategory(StrEnum):
    technical = "technical"
    process = "process"
    communication = "communication"
    tooling = "tooling"
    organizational = "organizational"
    external = "external"


class ObservationKind(StrEnum):
    went_well = "went_well"
    went_wrong = "went_wrong"
    lucky = "lucky"


OBSERVATION_HEADINGS: dict[ObservationKind, str] = {
    ObservationKind.went_well: "What went well",
    ObservationKind.went_wrong: "What went wrong",
    ObservationKind.lucky: "Where we got lucky",
}
# in a sentence or a choice ("turn the note into an observation: went well")
OBSERVATION_WORDS: dict[ObservationKind, str] = {
    ObservationKind.went_well: "went well",
    ObservationKind.went_wrong: "went wrong",
    ObservationKind.lucky: "where we got lucky",
}


# ------------------------------------------------------------------ follow-ups
class ActionType(StrEnum):
    prevent = "prevent"
    detect = "detect"
    mitigate = "mitigate"
    process = "process"
    other = "other"


class Priority(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


PRIORITY_ORDER: dict[Priority, int] = {p: i for i, p in enumerate(Priority)}


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    wont_do = "wont_do"


ACTION_STATUS_WORDS: dict[ActionStatus, str] = {
    ActionStatus.open: "open",
    ActionStatus.in_progress: "in progress",
    ActionStatus.done: "done",
    ActionStatus.wont_do: "won't do",
}
# still to be done: what "open actions" counts
OPEN_STATUSES: tuple[ActionStatus, ...] = (ActionStatus.open, ActionStatus.in_progress)
# the words ``pmtui actions --status`` takes, and the statuses each keeps
ACTION_STATUS_FILTERS: dict[str, tuple[ActionStatus, ...]] = {
    "open": OPEN_STATUSES,
    "done": (ActionStatus.done,),
    "wont-do": (ActionStatus.wont_do,),
    "all": tuple(ActionStatus),
}

class TrackerState(StrEnum):
    """What an action item's issue in the team's tracker said when pmtui last read it
    (``pmtui actions push`` or ``pull``), in pmtui's terms: ``""`` never read."""

    unknown = ""
    open = "open"
    done = "done"
    wont_do = "wont_do"


# the same in SQL: ``status IN ('open', 'in_progress')``
OPEN_STATUSES_SQL = "(" + ", ".join(f"'{s.value}'" for s in OPEN_STATUSES) + ")"


# -------------------------------------------------------------------- meeting
class Stage(StrEnum):
    """A stage of the meeting that notes are taken in (a note's ``stage``)."""

    context = "context"
    analysis = "analysis"
    followups = "followups"


class MeetingStage(StrEnum):
    """The meeting's agenda: the opening, then the three stages notes belong to."""

    opening = "opening"
    context = "context"
    analysis = "analysis"
    followups = "followups"


STAGE_NAMES: dict[MeetingStage, str] = {
    MeetingStage.opening: "Opening",
    MeetingStage.context: "Gather context",
    MeetingStage.analysis: "Systemic analysis",
    MeetingStage.followups: "Follow-ups",
}
STAGE_SHORT_NAMES: dict[MeetingStage, str] = {
    MeetingStage.opening: "Opening",
    MeetingStage.context: "Context",
    MeetingStage.analysis: "Analysis",
    MeetingStage.followups: "Follow-ups",
}


class NoteKind(StrEnum):
    note = "note"
    question = "question"
    idea = "idea"


NOTE_KIND_WORDS: dict[NoteKind, str] = {
    NoteKind.note: "note",
    NoteKind.question: "open question",
    NoteKind.idea: "parked idea",
}
# what a captured note starts with to be that kind ("? is the cache warm"), and how the notes show it
NOTE_KIND_MARKS: dict[NoteKind, str] = {NoteKind.note: "", NoteKind.question: "?", NoteKind.idea: "!"}


class BecameKind(StrEnum):
    """What a note was turned into, and the list ``index`` points into."""

    event = "event"  # timeline
    factor = "factor"  # factors
    observation = "observation"  # observations
    action_item = "action_item"  # action_items


BECAME_LISTS: dict[BecameKind, str] = {
    BecameKind.event: "timeline", BecameKind.factor: "factors", BecameKind.observation: "observations",
    BecameKind.action_item: "action_items",
}


# ------------------------------------------------------------------- sections
class Section(StrEnum):
    """The app's sections of a review (``pmtui open --screen``, ``pmtui seat --screen``)."""

    opening = "opening"
    overview = "overview"
    timeline = "timeline"
    impact = "impact"
    analysis = "analysis"
    actions = "actions"
    report = "report"


@dataclass(frozen=True)
class SectionRow:
    """One section, declared once: the stage bar, the app's and the screens' keys, help, the
    palette, the meeting's moves and the notes' stage are all read from :data:`SECTION_TABLE`."""

    section: Section
    label: str
    key: str  # the key that goes there from anywhere in a review (Textual's spelling)
    stage: MeetingStage | None  # the meeting stage it belongs to; None: after the meeting
    notes_stage: Stage  # the stage a note taken there belongs to


# In order: the stage bar shows them so, and ctrl+←/→ step through them so.
SECTION_TABLE: tuple[SectionRow, ...] = (
    SectionRow(Section.opening, "Opening", "ctrl+o", MeetingStage.opening, Stage.context),
    SectionRow(Section.overview, "Overview", "f2", MeetingStage.context, Stage.context),
    SectionRow(Section.timeline, "Timeline", "f3", MeetingStage.context, Stage.context),
    SectionRow(Section.impact, "Impact", "f4", MeetingStage.context, Stage.context),
    SectionRow(Section.analysis, "Analysis", "f5", MeetingStage.analysis, Stage.analysis),
    SectionRow(Section.actions, "Actions", "f6", MeetingStage.followups, Stage.followups),
    SectionRow(Section.report, "Report", "f7", None, Stage.followups),  # written at the end
)
SECTION_LABELS: dict[Section, str] = {r.section: r.label for r in SECTION_TABLE}
# the note stage a section's notes are taken in
SECTION_STAGE: dict[Section, Stage] = {r.section: r.notes_stage for r in SECTION_TABLE}
# the sections each meeting stage works in, in order; the one section after the meeting
STAGE_SECTIONS: dict[MeetingStage, tuple[Section, ...]] = {
    stage: tuple(r.section for r in SECTION_TABLE if r.stage is stage) for stage in MeetingStage
}
AFTER_THE_MEETING: Section = next(r.section for r in SECTION_TABLE if r.stage is None)


# --------------------------------------------------------------- store lists
class ItemKind(StrEnum):
    """The store's lists of a review (``Store.list_items(kind, ...)`` and friends);
    the timeline's events and the tags have their own calls."""

    author = "author"
    participant = "participant"
    link = "link"
    component = "component"
    factor = "factor"
    observation = "observation"
    learning = "learning"
    related = "related"
    action = "action"
    note = "note"


# what a note was turned into, as the store's note links name it
NOTE_LINK_KINDS: dict[BecameKind, str] = {
    BecameKind.event: "event", BecameKind.factor: ItemKind.factor.value,
    BecameKind.observation: ItemKind.observation.value, BecameKind.action_item: ItemKind.action.value,
}
