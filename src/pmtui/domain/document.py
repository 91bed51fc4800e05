"""The review document format ``pmtui-review/2`` (docs/review-format.md); ``/1`` files
are read too (they are ``/2`` documents without the fields ``/2`` added).

Pydantic models that follow the format exactly, plus reading a document from JSON
text (with every problem reported at its JSON path) and writing it back in one
canonical form, so that export -> import -> export gives identical bytes.

No Textual, no database: plain Python.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from pmtui.domain.plain import format_timestamp as format_timestamp  # one canonical text, without pydantic

# The enums are the vocabulary's (pmtui.domain.vocab), named here too: the models below use them.
from pmtui.domain.vocab import (
    BECAME_LISTS as BECAME_LISTS,
)
from pmtui.domain.vocab import (
    MARK_WORDS as MARK_WORDS,
)
from pmtui.domain.vocab import (
    ActionStatus as ActionStatus,
)
from pmtui.domain.vocab import (
    ActionType as ActionType,
)
from pmtui.domain.vocab import (
    BecameKind as BecameKind,
)
from pmtui.domain.vocab import (
    ComponentStatus as ComponentStatus,
)
from pmtui.domain.vocab import (
    EventKind as EventKind,
)
from pmtui.domain.vocab import (
    FactorCategory as FactorCategory,
)
from pmtui.domain.vocab import (
    Mark as Mark,
)
from pmtui.domain.vocab import (
    MeetingStage as MeetingStage,
)
from pmtui.domain.vocab import (
    NoteKind as NoteKind,
)
from pmtui.domain.vocab import (
    ObservationKind as ObservationKind,
)
from pmtui.domain.vocab import (
    Priority as Priority,
)
from pmtui.domain.vocab import (
    Stage as Stage,
)
from pmtui.domain.vocab import (
    Status as Status,
)
from pmtui.domain.vocab import (
    TrackerState as TrackerState,
)
from pmtui.errors import BadInput

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

FORMAT = "pmtui-review/2"
FORMAT_1 = "pmtui-review/1"
READABLE_FORMATS = (FORMAT_1, FORMAT)

# ------------------------------------------------------------------------ limits
# What a document may hold (docs/review-format.md, "Limits"). They are chosen so that
# what import accepts is what the store, `check`, `export` and the app handle quickly
# (numbers measured at these limits are in the commit that set them).
TITLE_MAX = 200
SEVERITY_MAX = 20
SHORT_TEXT_MAX = 1_000  # names, roles, titles, tags, owners, sources, refs
URL_MAX = 4_000  # link urls and action trackers
LONG_TEXT_MAX = 50_000  # Markdown fields and every other free text
ZONE_MAX = 64  # the longest IANA name is 32 characters
EVENTS_MAX = 10_000  # typed timeline events per review (no source_id)
EVIDENCE_MAX = 200_000  # imported evidence events per review (a source_id), beside the typed ones
NOTES_MAX = 1_000  # live notes per review
ITEMS_MAX = 1_000  # every other list (participants, tags, action items, ...)
FILE_MAX_BYTES = 4 * 1024 * 1024  # one document file, plus EVIDENCE_BYTES for each evidence event in it
EVIDENCE_BYTES = 2 * 1024  # an exported log line with its original text is well under 2 KiB
FILE_MAX_ALL = FILE_MAX_BYTES + EVIDENCE_MAX * EVIDENCE_BYTES  # the most any document file may be
COUNT_MAX = 2**63 - 1  # what SQLite stores as an integer
TIMEBOX_MAX = 1_440  # minutes in one stage's timebox (a day)
TOOK_MAX = 366 * 86_400  # seconds one stage of a review meeting can have taken (a year)
# Every timestamp lies between these instants, so that it can be shown in any zone
# (offsets are under 24 hours) and kept as four-digit sortable UTC text.
EARLIEST = datetime(1000, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
FIRST_DAY = date(1000, 1, 1)


# ------------------------------------------------------------------ scalar types
_TS_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?"
    r"(?P<off>[Zz]|[+-](?P<oh>\d{2}):(?P<om>\d{2}))?$"
)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _in_range(value: datetime, written: str | None = None) -> datetime:
    try:
        inside = EARLIEST <= value <= LATEST
    except OverflowError:  # the instant in UTC is before year 1 or after 9999
        inside = False
    if not inside:
        raise PydanticCustomError(
            "ts_range",
            "must lie between 1000-01-02 and 9999-12-30 in UTC, so that it can be shown in any "
            "time zone (got {value})",
            {"value": _short(written if written is not None else value.isoformat())},
        )
    return value


def parse_timestamp(value: Any) -> datetime:
    """An RFC 3339 timestamp with an offset; a naive one is an error."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise PydanticCustomError("naive", "timestamp needs a UTC offset")
        if abs(value.utcoffset()) >= timedelta(hours=24):  # type: ignore[arg-type]
            raise PydanticCustomError("ts_value", "UTC offset must be less than 24 hours")
        return _in_range(value)
    if not isinstance(value, str):
        raise PydanticCustomError("ts_type", "must be a timestamp string like 2026-03-10T14:03:00Z")
    m = _TS_RE.match(value)
    if not m:
        raise PydanticCustomError(
            "ts_format",
            "not an RFC 3339 timestamp like 2026-03-10T14:03:00+01:00 (got {value})",
            {"value": _short(value)},
        )
    if m.group("off") is None:
        raise PydanticCustomError("naive", "timestamp needs a UTC offset")
    if m.group("oh") is not None and (int(m.group("oh")) > 23 or int(m.group("om")) > 59):
        raise PydanticCustomError(
            "ts_value", "the UTC offset {value} is not a real offset (hours 00-23, minutes 00-59)",
            {"value": value[m.start("off"):]},
        )
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        raise PydanticCustomError(
            "ts_value", "not a real date and time (got {value})", {"value": _short(value)}
        ) from None
    return _in_range(parsed, value)


def normalise_offset(value: datetime) -> datetime:
    """Keep the instant and its offset in whole minutes, drop the zone name."""
    offset = value.utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    return value.replace(tzinfo=timezone(timedelta(minutes=minutes))) if minutes else value.replace(
        tzinfo=UTC
    )


def _day_in_range(value: date) -> date:
    if value < FIRST_DAY:
        raise PydanticCustomError(
            "date_range", "must be a date from the year 1000 on (got {value})", {"value": value.isoformat()}
        )
    return value


def parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return _day_in_range(value)
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise PydanticCustomError(
            "date_format", "must be a date written YYYY-MM-DD (got {value})", {"value": _short(value)}
        )
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_value", "{value} is not a real date", {"value": value}) from None
    return _day_in_range(parsed)


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    # a lone surrogate (JSON allows "\ud800") cannot be written out: show it escaped
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= 40 else text[:37] + "..."


_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(value: str) -> bool:
    """A lone UTF-16 surrogate, which UTF-8 (and so no store, no file) can hold."""
    return _SURROGATE.search(value) is not None


_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
_NOT_ZONES = {"localtime", "posixrules"}  # files in the zone folder that name no zone


def _check_zone(value: str) -> str:
    """An IANA zone name that this machine can use: not a folder (``America``), not a
    path, not too long, not the machine's own ``localtime``."""
    if not isinstance(value, str):
        return value
    if len(value) > ZONE_MAX:
        raise PydanticCustomError(
            "zone", "a time zone name is at most {max} characters (got {n})", {"max": ZONE_MAX, "n": len(value)}
        )
    usable = bool(_ZONE_NAME.fullmatch(value)) and value not in _NOT_ZONES
    if usable:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, an unreadable file
            usable = False
    if not usable:
        raise PydanticCustomError(
            "zone", "unknown time zone {value} (use an IANA name like Europe/Berlin or UTC)", {"value": _short(value)}
        )
    return value


def _text_rules(limit: int, non_blank: bool) -> Any:
    """Every rule of a text type in one check, called once per string (a document holds
    many: one call instead of three keeps import fast, issue 23): not blank when it must
    not be, no lone surrogate (only a non-ASCII string can hold one), at most ``limit``
    characters; in that order, each with its own words."""

    def check(value: str) -> str:
        if non_blank and not value.strip():
            raise PydanticCustomError("blank", "must not be empty")
        if not value.isascii() and _SURROGATE.search(value):
            raise PydanticCustomError("surrogate", "contains an invalid character (a lone UTF-16 surrogate)")
        if len(value) > limit:
            raise PydanticCustomError(
                "too_long", "must be at most {max} characters (got {n})", {"max": limit, "n": len(value)}
            )
        return value

    return AfterValidator(check)


Timestamp = Annotated[datetime, BeforeValidator(parse_timestamp), PlainSerializer(format_timestamp, return_type=str)]
Day = Annotated[date, BeforeValidator(parse_date), PlainSerializer(lambda d: d.isoformat(), return_type=str)]
_Str = Annotated[str, Field(strict=True)]
Text = Annotated[_Str, _text_rules(LONG_TEXT_MAX, False)]  # free text, Markdown
NonEmptyText = Annotated[_Str, _text_rules(LONG_TEXT_MAX, True)]
Short = Annotated[_Str, _text_rules(SHORT_TEXT_MAX, False)]  # a name, a label, a reference
NonEmptyShort = Annotated[_Str, _text_rules(SHORT_TEXT_MAX, True)]
Url = Annotated[_Str, _text_rules(URL_MAX, False)]
Count = Annotated[int, Field(ge=0, le=COUNT_MAX, strict=True)]
Percent = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]
Flag = Annotated[bool, Field(strict=True)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False, use_enum_values=False)


# ------------------------------------------------------------------------ models
class Participant(_Strict):
    name: NonEmptyShort
    role: Short = ""
    attended: Flag = True


class Link(_Strict):
    title: Short
    url: Url


class Event(_Strict):
    at: Timestamp
    text: NonEmptyText
    kind: EventKind = EventKind.event
    marks: list[Mark] = []
    source: Short = ""
    source_id: Short = ""  # /2: the source's stable id; not empty = imported evidence
    original: Text = ""  # /2: what the source wrote, as written
    approximate: Flag = False
    highlight: Flag = False
    confirmed: Flag = False  # /2: the room confirmed it in a walk-through

    @field_validator("at")
    @classmethod
    def _minutes(cls, v: datetime) -> datetime:
        return normalise_offset(v)

    @property
    def is_evidence(self) -> bool:
        return bool(self.source_id)


class Component(_Strict):
    name: NonEmptyShort
    status: ComponentStatus
    start: Timestamp | None = None  # /2: when it became impaired (a status page's window)
    end: Timestamp | None = None  # /2: when it was restored

    @field_validator("start", "end")
    @classmethod
    def _minutes(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("start") if info.field_name == "end" else None
        if v is not None and start is not None and v < start:
            raise PydanticCustomError("window", "must not be before start ({start})",
                                      {"start": format_timestamp(start)})
        return normalise_offset(v) if v is not None else None


class Impact(_Strict):
    description: Text = ""
    users_affected: Count | None = None
    components: list[Component] = []
    data_loss: Text = ""
    support_tickets: Count | None = None
    slo_budget_spent_pct: Percent | None = None
    customer_communication: Text = ""


class Factor(_Strict):
    text: NonEmptyText
    category: FactorCategory


class Observation(_Strict):
    kind: ObservationKind
    text: NonEmptyText


class ActionItem(_Strict):
    """One action item. Its fields are declared here once: the store's ``action_item``
    columns, import and export, the JSON Schema, the Actions form (for a field the form
    does not lay out itself) and ``pmtui actions`` read them from this class (see
    ARCHITECTURE.md, "Add a field"). ``title=`` is a field's label for people (form,
    CSV), ``description=`` what the JSON Schema says of it."""

    title: NonEmptyShort
    description: Text = Field("", description="Markdown")
    type: ActionType = ActionType.other
    owner: Short = ""
    priority: Priority = Priority.medium
    due: Day | None = None
    status: ActionStatus = ActionStatus.open
    status_note: Text = Field("", title="Status note")
    tracker: Url = ""
    effort: Short = Field("", title="Effort", description="(pmtui-review/2) a rough size of the work, e.g. 2 days or S, M, L")
    tracker_state: TrackerState = Field(TrackerState.unknown, title="Tracker state",
                                        description="(pmtui-review/2) what the issue in the tracker said when pmtui "
                                                    "last pushed or pulled it: open, done or wont_do (\"\" never read)")
    tracker_label: Short = Field("", title="Tracker says",
                                 description="(pmtui-review/2) the tracker's own words for that state, e.g. "
                                             "closed (not planned), In Review")
    tracker_pulled: Timestamp | None = Field(None, title="Tracker read at",
                                             description="(pmtui-review/2) when pmtui last read the issue's state")


class Became(_Strict):
    """/2: one thing a note was turned into: ``index`` is its position in the list
    ``kind`` names (``timeline``, ``factors``, ``observations``, ``action_items``)."""

    kind: BecameKind
    index: Count


class Note(_Strict):
    at: Timestamp
    stage: Stage = Stage.context
    kind: NoteKind = NoteKind.note
    text: NonEmptyText
    author: Short = ""
    became: list[Became] = []  # /2

    @field_validator("at")
    @classmethod
    def _minutes(cls, v: datetime) -> datetime:
        return normalise_offset(v)


class StageTime(_Strict):
    """/2: one stage of the review meeting: its timebox and how long it took."""

    stage: MeetingStage
    timebox_minutes: Annotated[int, Field(ge=0, le=TIMEBOX_MAX, strict=True)]
    took_seconds: Annotated[int, Field(ge=0, le=TOOK_MAX, strict=True)] | None = None


class MeetingTimes(_Strict):
    """/2: the review meeting as it was held: when it started and ended, and each stage's
    actual time against its timebox (pauses left out)."""

    started: Timestamp
    ended: Timestamp | None = None
    stages: list[StageTime]

    @field_validator("started", "ended")
    @classmethod
    def _minutes(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        started = info.data.get("started") if info.field_name == "ended" else None
        if v is not None and started is not None and v < started:
            raise PydanticCustomError("window", "must not be before started ({started})",
                                      {"started": format_timestamp(started)})
        return normalise_offset(v) if v is not None else None

    @field_validator("stages")
    @classmethod
    def _four(cls, v: list[StageTime]) -> list[StageTime]:
        if [s.stage for s in v] != list(MeetingStage):
            raise PydanticCustomError(
                "stages", "list the four stages once each, in the meeting's order: {order} (got {got})",
                {"order": ", ".join(s.value for s in MeetingStage),
                 "got": ", ".join(s.stage.value for s in v) or "none"})
        return v


class ReviewDoc(_Strict):
    format: str
    title: NonEmptyText
    status: Status = Status.draft
    severity: Short | None = None
    incident_ref: Url | None = None
    timezone: Short = "UTC"
    started: Timestamp | None = None  # /2: when the incident started
    review_date: Day | None = None
    summary: Text = ""
    trigger: Text = ""
    detection: Text = ""
    resolution: Text = ""
    authors: list[Text] = []
    participants: list[Participant] = []
    tags: list[NonEmptyShort] = []
    links: list[Link] = []
    timeline: list[Event] = []
    impact: Impact = Field(default_factory=Impact)
    factors: list[Factor] = []
    observations: list[Observation] = []
    learnings: list[Text] = []
    action_items: list[ActionItem] = []
    notes: list[Note] = []
    related: list[Text] = []
    meeting: MeetingTimes | None = Field(None, title="Meeting", description=(
        "(pmtui-review/2) the review meeting as held: started, ended, and each stage's timebox and actual time"))

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, v: Any) -> str:
        if v not in READABLE_FORMATS:
            raise PydanticCustomError(
                "format",
                "unsupported format {value}; this pmtui reads {expected}",
                {"value": json.dumps(v) if not isinstance(v, str) else repr(v),
                 "expected": " or ".join(repr(f) for f in READABLE_FORMATS)},
            )
        return FORMAT  # a /1 document is a /2 document without the new fields

    @field_validator("started")
    @classmethod
    def _started(cls, v: datetime | None) -> datetime | None:
        return normalise_offset(v) if v is not None else None

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        if len(v) > TITLE_MAX:
            raise PydanticCustomError(
                "too_long", "must be at most {max} characters (got {n})", {"max": TITLE_MAX, "n": len(v)}
            )
        return v

    @field_validator("severity")
    @classmethod
    def _severity(cls, v: str | None) -> str | None:
        if v is not None and len(v) > SEVERITY_MAX:
            raise PydanticCustomError(
                "too_long", "must be at most {max} characters (got {n})", {"max": SEVERITY_MAX, "n": len(v)}
            )
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        return _check_zone(v)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return sorted({t.lower() for t in v})

    @model_validator(mode="after")
    def _order(self) -> ReviewDoc:
        # Timeline is always ordered by time; ties keep their input order (stable sort).
        # Notes point into the timeline by position: they follow their events.
        order = sorted(range(len(self.timeline)), key=lambda i: self.timeline[i].at)
        if order != list(range(len(order))):
            moved = {old: new for new, old in enumerate(order)}
            self.timeline = [self.timeline[i] for i in order]
            for note in self.notes:
                for b in note.became:
                    if b.kind is BecameKind.event and b.index in moved:
                        b.index = moved[b.index]
        return self

    # ---------------------------------------------------------------- helpers
    def marks(self) -> dict[Mark, datetime]:
        return {m: e.at for e in self.timeline for m in e.marks}

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class TextItem(_Strict):
    """A list entry that is one string (a learning, a related review, an author)."""

    text: NonEmptyText


def check_values(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    """Validate some fields of a model the way a document would be validated.

    Returns the cleaned values (enums, dates, datetimes); raises FieldErrors naming
    each invalid field with what is wrong."""
    from pmtui.errors import FieldErrors

    instance = model.model_construct()
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, value in values.items():
        if name not in model.model_fields:
            errors[name] = "unknown field"
            continue
        try:
            model.__pydantic_validator__.validate_assignment(instance, name, value)
            cleaned[name] = getattr(instance, name)
        except ValidationError as exc:
            errors[name] = _message(exc.errors()[0])
    if errors:
        raise FieldErrors(errors)
    return cleaned


_TEXT_TYPES = {"Text": Text, "NonEmptyText": NonEmptyText, "Short": Short, "NonEmptyShort": NonEmptyShort, "Url": Url}


def text_type(model: type[BaseModel], name: str) -> str | None:
    """The text type a field of a model was declared with (``Text``, ``NonEmptyText``,
    ``Short``, ``NonEmptyShort``, ``Url``), or None for a field that is not text: what
    the JSON Schema, the store and the forms derive a field's shape from."""
    from pydantic.fields import FieldInfo

    field = model.model_fields[name]
    if field.annotation is not str:
        return None
    for type_name, alias in _TEXT_TYPES.items():
        if FieldInfo.from_annotation(alias).metadata == field.metadata:
            return type_name
    return None


def field_label(model: type[BaseModel], name: str) -> str:
    """A field's label for people: its ``title=``, else its name in words."""
    title = model.model_fields[name].title
    return title or name.replace("_", " ").capitalize()


# ------------------------------------------------------------------ reading JSON
_MESSAGES = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "greater_than_equal": "must not be negative",
    "finite_number": "must be a finite number",
    "dict_type": "must be an object",
}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(document)"


def _message(err: ErrorDetails) -> str:
    kind = err["type"]
    if kind == "enum":
        expected = err.get("ctx", {}).get("expected", "")
        got = err.get("input")
        return f"must be one of {expected} (got {json.dumps(got) if not isinstance(got, str) else repr(got)})"
    if kind == "less_than_equal":
        limit = err.get("ctx", {}).get("le")
        return f"must be at most {limit}" + (" (a 64-bit integer)" if limit == COUNT_MAX else "")
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    msg: str = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg[:1].lower() + msg[1:]


def _mark_problems(raw: dict[str, Any]) -> list[str]:
    """Each mark may appear on at most one event. Checked on the raw input so that
    it is reported together with every other problem."""
    problems: list[str] = []
    timeline = raw.get("timeline")
    if not isinstance(timeline, list):
        return problems
    seen: dict[str, str] = {}
    for i, event in enumerate(timeline):
        marks = event.get("marks") if isinstance(event, dict) else None
        if not isinstance(marks, list):
            continue
        for j, mark in enumerate(marks):
            if not isinstance(mark, str) or mark not in Mark.__members__:
                continue
            here = f"timeline[{i}].marks[{j}]"
            if mark in seen:
                problems.append(f"{here}: mark {mark!r} is already on {seen[mark].rsplit('.', 1)[0]}")
            else:
                seen[mark] = here
    return problems


# list -> the most items a document may hold in it (docs/review-format.md, "Limits")
LIST_LIMITS: dict[str, int] = {
    "timeline": EVENTS_MAX,
    "notes": NOTES_MAX,
    **{name: ITEMS_MAX for name in (
        "authors", "participants", "tags", "links", "factors", "observations", "learnings", "action_items",
        "related", "impact.components",
    )},
}


def count_evidence(timeline: list[Any]) -> int:
    """How many items of a raw timeline are imported evidence (a non-empty source_id)."""
    return sum(1 for e in timeline if isinstance(e, dict) and isinstance(e.get("source_id"), str) and e["source_id"])


def file_limit(evidence: int) -> int:
    """The most bytes a document file holding this many evidence events may have."""
    return FILE_MAX_BYTES + min(max(evidence, 0), EVIDENCE_MAX) * EVIDENCE_BYTES


def too_large(where: str, size: int, evidence: int) -> BadInput:
    if evidence <= 0:
        return BadInput(f"{where}: the file is larger than {FILE_MAX_BYTES // 2**20} MiB, the limit for a review "
                        f"document (plus {EVIDENCE_BYTES // 1024} KiB for each imported evidence event it holds)")
    return BadInput(f"{where}: the file is {size:,} bytes, larger than the limit for a review document holding "
                    f"{evidence:,} imported evidence events ({FILE_MAX_BYTES // 2**20} MiB plus "
                    f"{EVIDENCE_BYTES // 1024} KiB for each: {file_limit(evidence):,} bytes)")


def _size_problems(raw: dict[str, Any]) -> list[str]:
    """Lists longer than the documented limits, checked on the raw input (before the
    items are validated one by one, so that a huge list costs nothing)."""
    problems = []
    for path, limit in LIST_LIMITS.items():
        if path == "timeline":
            continue  # below: typed events and evidence count apart
        value: Any = raw
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, list) and len(value) > limit:
            problems.append(f"{path}: at most {limit:,} items (got {len(value):,})")
    timeline = raw.get("timeline")
    if isinstance(timeline, list) and len(timeline) > EVENTS_MAX:
        # typed events and imported evidence (a source_id) have a limit each
        evidence = count_evidence(timeline)
        if evidence > EVIDENCE_MAX:
            problems.append(f"timeline: at most {EVIDENCE_MAX:,} imported evidence events (events with a source_id; "
                            f"got {evidence:,})")
        typed = len(timeline) - evidence
        if typed > EVENTS_MAX:
            problems.append(f"timeline: at most {EVENTS_MAX:,} items (got {typed:,})" if not evidence else
                            f"timeline: at most {EVENTS_MAX:,} typed events (events without a source_id; got {typed:,})")
    if isinstance(timeline, list) and len(timeline) <= EVENTS_MAX + EVIDENCE_MAX:
        for i, event in enumerate(timeline):
            marks = event.get("marks") if isinstance(event, dict) else None
            if isinstance(marks, list) and len(marks) > len(Mark):
                problems.append(f"timeline[{i}].marks: at most {len(Mark)} marks (got {len(marks):,})")
    return problems


# fields that pmtui-review/2 added: a /1 file that has them is mislabelled
V2_FIELDS = {"": ("started", "meeting"), "timeline": ("source_id", "original", "confirmed"), "notes": ("became",),
             "impact.components": ("start", "end"), "action_items": ("effort", "tracker_state", "tracker_label", "tracker_pulled")}


def _items(raw: dict[str, Any], path: str) -> list[tuple[str, dict[str, Any]]]:
    value: Any = raw
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, list):
        return []
    return [(f"{path}[{i}]", item) for i, item in enumerate(value) if isinstance(item, dict)]


def _v2_fields_in_v1(raw: dict[str, Any]) -> list[str]:
    problems = [f"{name}: unknown field in {FORMAT_1} (added in {FORMAT}; say \"format\": \"{FORMAT}\")"
                for name in V2_FIELDS[""] if name in raw]
    for path, names in V2_FIELDS.items():
        if path:
            problems += [f"{where}.{name}: unknown field in {FORMAT_1} (added in {FORMAT}; say \"format\": "
                         f"\"{FORMAT}\")" for where, item in _items(raw, path) for name in names if name in item]
    return problems


def _source_id_problems(raw: dict[str, Any]) -> list[str]:
    """(source, source_id) names one piece of evidence: once per review."""
    seen: dict[tuple[Any, Any], str] = {}
    problems = []
    for where, event in _items(raw, "timeline"):
        sid = event.get("source_id")
        if not isinstance(sid, str) or not sid:
            continue
        key = (event.get("source", ""), sid)
        if not isinstance(key[0], str):
            continue
        if key in seen:
            problems.append(f"{where}.source_id: source {key[0]!r} with id {sid!r} is already on {seen[key]}")
        else:
            seen[key] = where
    return problems


def _became_problems(raw: dict[str, Any]) -> list[str]:
    """Each ``became`` entry points at an item that exists, once per note."""
    problems = []
    sizes = {k.value: len(raw[name]) if isinstance(raw.get(name), list) else 0 for k, name in BECAME_LISTS.items()}
    for where, note in _items(raw, "notes"):
        became = note.get("became")
        if not isinstance(became, list):
            continue
        if len(became) > ITEMS_MAX:
            problems.append(f"{where}.became: at most {ITEMS_MAX:,} items (got {len(became):,})")
            continue
        seen: dict[tuple[str, int], int] = {}
        for j, b in enumerate(became):
            kind, index = (b.get("kind"), b.get("index")) if isinstance(b, dict) else (None, None)
            if kind not in sizes or not isinstance(index, int) or isinstance(index, bool) or index < 0:
                continue  # reported by the model
            name = BECAME_LISTS[BecameKind(kind)]
            if index >= sizes[kind]:
                problems.append(f"{where}.became[{j}].index: there is no {name}[{index}] (the document has "
                                f"{sizes[kind]:,} item{'' if sizes[kind] == 1 else 's'} in {name})")
            elif (kind, index) in seen:
                problems.append(f"{where}.became[{j}]: {name}[{index}] is already listed at became[{seen[kind, index]}]")
            else:
                seen[kind, index] = j
    return problems


def validate_document(raw: Any) -> ReviewDoc:
    """Validate a parsed JSON value; raise BadInput listing every problem."""
    if not isinstance(raw, dict):
        kind = {list: "an array", str: "a string", type(None): "null", bool: "true/false"}.get(
            type(raw), "a number"
        )
        raise BadInput(f"a review document must be a JSON object, found {kind}")
    if "$schema" in raw:  # where an editor finds the JSON Schema (pmtui schema); not part of the review
        if not isinstance(raw["$schema"], str):
            raise BadInput("$schema: must be a string (where the JSON Schema is)")
        raw = {k: v for k, v in raw.items() if k != "$schema"}
    too_big = _size_problems(raw)
    if too_big:
        raise BadInput.many(too_big)
    problems = _mark_problems(raw)
    if "format" in raw and raw["format"] not in READABLE_FORMATS:
        # A different version: its fields may mean other things, so say only that.
        value = raw["format"]
        raise BadInput(f"format: unsupported format {json.dumps(value)}; this pmtui reads "
                       f"{' or '.join(json.dumps(f) for f in READABLE_FORMATS)}")
    if raw.get("format") == FORMAT_1:
        problems = _v2_fields_in_v1(raw) + problems
    else:
        problems += _source_id_problems(raw) + _became_problems(raw)
    try:
        doc = ReviewDoc.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{_path(e['loc'])}: {_message(e)}" for e in exc.errors()] + problems
        raise BadInput.many(problems) from None
    if problems:
        raise BadInput.many(problems)
    return doc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):  # a key twice: name the first one repeated
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return out


def parse_json_text(data: bytes, where: str = "input") -> Any:
    """bytes -> JSON value, with one plain sentence for each way a file can be bad."""
    # evidence events (a source_id) earn room: an upper bound before parsing, exact after
    if len(data) > FILE_MAX_BYTES and len(data) > file_limit(data.count(b'"source_id"')):
        raise too_large(where, len(data), data.count(b'"source_id"'))
    if not data.strip():
        raise BadInput(f"{where}: the file is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{where}: not a text file (byte {exc.start} is not UTF-8); expected a JSON review document") from None
    if "\x00" in text[:1024] and not text.lstrip().startswith(("{", "[")):
        raise BadInput(f"{where}: not a text file; expected a JSON review document")
    try:
        raw = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise json_error(where, text, exc, exc.lineno, exc.colno) from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # Python's own guard against huge numbers
            raise BadInput(f"{where}: a number in the file has more than 4,300 digits; whole numbers must fit "
                           "in 64 bits") from None
        raise BadInput(f"{where}: {exc}") from None
    except RecursionError:
        raise BadInput(f"{where}: the JSON is nested too deeply") from None
    if len(data) > FILE_MAX_BYTES:
        timeline = raw.get("timeline") if isinstance(raw, dict) else None
        evidence = count_evidence(timeline) if isinstance(timeline, list) else 0
        if len(data) > file_limit(evidence):
            raise too_large(where, len(data), evidence)
    return raw


def json_error(where: str, text: str, exc: json.JSONDecodeError, line: int, column: int) -> BadInput:
    """A JSON syntax error in one plain sentence with its place (``text``: the text the
    error's position is in, read to the end of the file)."""
    if exc.pos >= len(text.rstrip()) or (exc.msg.startswith("Unterminated string") and '"' not in text[exc.pos + 1 :]):
        what = "the JSON ends too early (is the file truncated?)"
    elif exc.msg.startswith("Unterminated string"):
        what = "a string that starts here is never closed"
    else:
        what = exc.msg[:1].lower() + exc.msg[1:]
    return BadInput(f"{where}, line {line}, column {column}: {what}")


def loads(data: bytes | str, where: str = "input") -> ReviewDoc:
    # a str with a lone surrogate cannot be UTF-8: it is reported like such a file
    raw = parse_json_text(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data, where)
    try:
        return validate_document(raw)
    except BadInput as exc:
        raise exc.located(where) from None


def to_dict(doc: ReviewDoc) -> dict[str, Any]:
    return doc.model_dump(mode="json")


def dumps(doc: ReviewDoc) -> str:
    """The canonical JSON text of a document (every field, spec order, 2-space indent)."""
    return json.dumps(to_dict(doc), ensure_ascii=False, indent=2) + "\n"


# ------------------------------------------------------- reviews already in a store
# A review written by an older pmtui, or edited by hand, may hold a value the current
# rules refuse (a status of another version, a zone that no longer exists, a time
# that is not a date). Such a review must never take the whole store down: the
# commands that read many reviews leave it out with a warning naming it.
UNREADABLE = (ValueError, TypeError, OverflowError, KeyError, AttributeError)


def explain(exc: BaseException) -> str:
    """What is wrong with a stored review, in one plain sentence."""
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        first = errors[0]
        more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
        return f"{_path(first['loc'])}: {_message(first)}{more}"
    if isinstance(exc, BadInput):
        return exc.message
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"a stored value cannot be read ({detail[:200]})"


def read_stored(store: Store, review_ids: list[int], *, evidence: bool = True
                ) -> tuple[dict[int, ReviewDoc], dict[int, str]]:
    """The documents of these reviews, and for each one that cannot be read what is
    wrong with it. Reads them together (fast) and, only when that fails, one by one.
    ``evidence=False``: without the imported evidence of their timelines (the check
    before a review opens: its cost does not grow with the evidence); evidence holding a
    value no import writes (``store.evidence_suspect``: one query) is read after all."""
    if not evidence and any(store.evidence_suspect(i) for i in review_ids):
        evidence = True
    try:
        return dict(zip(review_ids, store.export_documents(review_ids, evidence=evidence))), {}
    except UNREADABLE:
        pass
    docs: dict[int, ReviewDoc] = {}
    bad: dict[int, str] = {}
    for review_id in review_ids:
        try:
            docs[review_id] = store.export_documents([review_id], evidence=evidence)[0]
        except UNREADABLE as exc:
            bad[review_id] = explain(exc)
    return docs, bad
