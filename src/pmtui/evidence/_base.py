"""What every evidence parser shares: the neutral records, times, JSON with places.

No Textual, no database. Every problem is a :class:`pmtui.errors.BadInput` whose one
sentence names the file and the place in it (a line number or a JSON path).
"""

from __future__ import annotations

import builtins
import hashlib
import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pmtui.domain.vocab import COMPONENT_STATUS_RANK, ComponentStatus, EventKind
from pmtui.errors import BadInput

UTC = UTC

# --------------------------------------------------------------------------- records


@dataclass(slots=True)
class EvidenceEvent:
    """One event found in an evidence file, before it becomes a timeline event.

    ``at`` is always aware and keeps the offset the source wrote (``-06:00`` stays
    ``-06:00``); ``source`` + ``source_id`` identify it so that a second import of the
    same file adds nothing; ``original`` is the text as the source wrote it (a log
    line, a chat message with its markup, a status page body with its HTML, or the
    record's JSON) for the event form. (Not frozen: a frozen dataclass costs a few
    microseconds more per event, which shows at 100,000 log lines; treat it as read-only.)
    """

    at: datetime
    text: str
    kind: EventKind
    source: str
    source_id: str
    original: str
    level: str | None = None
    actor: str | None = None
    """Who or what did it, as the source names it ("Laura Haley", "My Mail Service")."""
    step: str | None = None
    """The lifecycle step in the source's words: trigger, acknowledge, resolve,
    investigating, monitoring... (None for logs and chat)."""
    components: tuple[tuple[str, ComponentStatus | None], ...] = ()
    """Components this event names, with the status it gave them (None: operational)."""
    thread: str | None = None
    """For a chat reply: the source_id of the message that started the thread."""
    where: str = ""
    """Where in the file it came from: ``app.log:12`` or ``incidents.json: incidents[0]...``."""

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.source_id)


@dataclass(frozen=True, slots=True)
class ComponentWindow:
    """A component a status page marked as impaired, its worst status and when.

    ``end`` is None when the file does not say the component was restored.
    """

    name: str
    worst_status: ComponentStatus
    start: datetime
    end: datetime | None
    source: str = ""
    incident: str = ""
    where: str = field(default="", compare=False)
    """Where the file said it (for messages; not part of what the window is)."""


@dataclass(slots=True)
class Filter:
    """What a call keeps, shared by every file of it: the events between ``lo`` and ``hi``
    (inclusive), at most ``cap`` of them (past it they are only counted, so that memory
    stays bounded), and how many fall inside the incident's ``window`` (counted only)."""

    lo: datetime | None = None
    hi: datetime | None = None
    cap: int | None = None
    window: tuple[datetime, datetime | None] | None = None
    total: int = 0
    """Events read (every one checked), in range or not."""
    in_window: int = 0
    kept: int = 0
    over: int = 0
    """Events in range past ``cap``: read, checked and counted, not kept."""


@dataclass(slots=True)
class Parsed:
    """What one parser found in one file."""

    filter: Filter = field(default_factory=Filter)
    events: list[EvidenceEvent] = field(default_factory=list)
    components: list[ComponentWindow] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def add(self, event: EvidenceEvent) -> None:
        """Check the event with the document's own rules (BadInput naming its place),
        then keep it when it is in range and there is room."""
        from ._check import check_event

        check_event(event)
        f = self.filter
        f.total += 1
        at = event.at
        if f.window is not None and at >= f.window[0] and (f.window[1] is None or at <= f.window[1]):
            f.in_window += 1
        if (f.lo is not None and at < f.lo) or (f.hi is not None and at > f.hi):
            self.skip("outside --since/--until")
            return
        if f.cap is not None and f.kept >= f.cap:
            f.over += 1
            return
        f.kept += 1
        self.events.append(event)

    def add_window(self, window: ComponentWindow) -> None:
        from ._check import check_window

        check_window(window)
        self.components.append(window)




def worst(a: ComponentStatus | None, b: ComponentStatus | None) -> ComponentStatus | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if COMPONENT_STATUS_RANK[a] >= COMPONENT_STATUS_RANK[b] else b


# ------------------------------------------------------------------------ options


@dataclass(frozen=True, slots=True)
class LogKeys:
    """Where a log's fields are, when the common keys do not find them: dotted paths into
    nested objects (``data.message``), several allowed (the first present wins), and how
    the time is written: ``s``, ``ms``, ``us`` or ``ns`` since 1970, or a strptime
    layout (``%d/%b/%Y:%H:%M:%S %z``)."""

    time: tuple[str, ...] = ()
    message: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    time_format: str | None = None


@dataclass(slots=True)
class Options:
    zone: ZoneInfo | None = None
    channel: str | None = None
    min_level: str | None = None
    filter: Filter = field(default_factory=Filter)
    keys: LogKeys | None = None
    """Logs: the keys named by --time-key, --message-key, --level-key and --time-format."""
    year: int | None = None
    """The year of times written without one (syslog RFC 3164): the review's."""
    zone_used: bool = False
    """Set by the parsers when a time without an offset was read in ``zone``."""


# ----------------------------------------------------------------------- levels

LEVELS = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
LEVEL_RANK = {name: i for i, name in enumerate(LEVELS)}
_LEVEL_WORDS = {
    "trace": "trace", "trc": "trace", "verbose": "trace",
    "debug": "debug", "dbg": "debug", "d": "debug",
    "info": "info", "inf": "info", "information": "info", "informational": "info", "i": "info",
    "notice": "notice",
    "warn": "warning", "warning": "warning", "wrn": "warning", "w": "warning",
    "error": "error", "err": "error", "eror": "error", "e": "error",
    "critical": "critical", "crit": "critical", "fatal": "critical", "ftl": "critical", "panic": "critical",
    "dpanic": "critical", "alert": "critical", "emerg": "critical", "emergency": "critical", "severe": "critical",
}
# pino and bunyan write levels as numbers.
_NUMERIC_LEVELS = {10: "trace", 20: "debug", 30: "info", 40: "warning", 50: "error", 60: "critical"}


def normalise_level(value: Any) -> str | None:
    """A log level in one vocabulary (LEVELS), or None when the value is not a level."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return _NUMERIC_LEVELS.get(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word.isdigit():
            return _NUMERIC_LEVELS.get(int(word))
        return _LEVEL_WORDS.get(word)
    return None


def check_min_level(value: str | None) -> str | None:
    if value is None:
        return None
    level = normalise_level(value)
    if level is None:
        raise BadInput(f"--min-level {value!r} is not a log level (use one of {', '.join(LEVELS)})")
    return level


def below(level: str | None, min_level: str | None) -> bool:
    """True when ``level`` is known and lower than ``min_level`` (lines without a level are kept)."""
    return min_level is not None and level is not None and LEVEL_RANK[level] < LEVEL_RANK[min_level]


# ------------------------------------------------------------------------ times

_ISO_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:[Zz]|UTC|GMT|[+-]\d{2}:?\d{2})?$"
)
_SPACE_BEFORE_OFFSET = re.compile(r"\s+(?=(?:[Zz]|[+-]\d{2}:?\d{2})$)")
_EPOCH_TEXT_RE = re.compile(r"^\d{9,19}(?:\.\d+)?$")


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_epoch(value: int | float | str) -> datetime:
    """Seconds, milliseconds, microseconds or nanoseconds since 1970 (UTC), told apart
    by magnitude: below 1e11 is seconds (up to the year 5138), below 1e14
    milliseconds, below 1e17 microseconds, else nanoseconds."""
    if isinstance(value, str):
        whole, _, frac = value.partition(".")
        number = int(whole)
        if number < 10**11:  # fractional seconds as written: keep them exactly (to the microsecond)
            return EPOCH + timedelta(seconds=number, microseconds=int((frac + "000000")[:6]) if frac else 0)
        value = number
    size = abs(value)
    if size < 1e11:
        return EPOCH + timedelta(seconds=value)
    if isinstance(value, float):
        value = int(value)
    if size < 10**14:
        return EPOCH + timedelta(milliseconds=value)
    if size < 10**17:
        return EPOCH + timedelta(microseconds=value)
    return EPOCH + timedelta(microseconds=value // 1000)


def parse_time(value: Any, where: str, opts: Options, *, epoch: bool = True) -> datetime:
    """An aware time from a source value, keeping the offset it was written with.

    Text in ISO 8601 / RFC 3339 (``Z``, ``+01:00``, ``+0100``, `` UTC``); numbers (and
    digit strings) as epoch seconds/ms/us/ns. A time written without a zone is read in
    ``opts.zone``; without one it is an error naming ``where``: never silently UTC.
    """
    if isinstance(value, bool) or value is None:
        raise BadInput(f"{where}: not a timestamp (got {_show(value)})")
    if isinstance(value, (int, float)):
        if not epoch:
            raise BadInput(f"{where}: not a timestamp (got {_show(value)})")
        try:
            return from_epoch(value)
        except (OverflowError, OSError, ValueError):
            raise BadInput(f"{where}: not a timestamp (got {_show(value)})") from None
    if not isinstance(value, str):
        raise BadInput(f"{where}: not a timestamp (got {_show(value)})")
    text = value.strip()
    if epoch and _EPOCH_TEXT_RE.match(text):
        try:
            return from_epoch(text)
        except (OverflowError, OSError, ValueError):
            raise BadInput(f"{where}: not a timestamp (got {_show(value)})") from None
    if not _ISO_RE.match(text):
        raise BadInput(f"{where}: not a timestamp (got {_show(value)})")
    if text.endswith(("UTC", "GMT")):
        text = text[:-3].rstrip() + "+00:00"
    text = _SPACE_BEFORE_OFFSET.sub("", text)
    text = text.replace(",", ".")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{where}: not a real date and time (got {_show(value)})") from None
    if parsed.tzinfo is None:
        if opts.zone is None:
            raise BadInput(
                f"{where}: the time {_show(value)} has no UTC offset; say which zone it is in "
                "(--zone, e.g. --zone Europe/Berlin)"
            )
        opts.zone_used = True
        local = parsed.replace(tzinfo=opts.zone)
        return local.replace(tzinfo=timezone(local.utcoffset() or timedelta(0)))
    return parsed


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 50 else text[:47] + "..."


# ------------------------------------------------------------------------- text

_BR = re.compile(r"<br\s*/?>", re.I)
_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|tr)\s*>", re.I)
_LI = re.compile(r"<li[^>]*>", re.I)
_TAG = re.compile(r"<[^>]+>")
_MANY_NL = re.compile(r"\n{3,}")


def html_to_text(value: str) -> str:
    """Plain text from the small HTML status pages write: line breaks kept, tags
    dropped, entities decoded."""
    text = _BR.sub("\n", value)
    text = _BLOCK_END.sub("\n\n", text)
    text = _LI.sub("- ", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    return _MANY_NL.sub("\n\n", text).strip()


def digest(text: str) -> str:
    """A short stable id for a line of text (the same line gives the same id)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()


class LineIds:
    """Stable ids for lines of a file: the line's digest, plus ``#2``, ``#3``... for a
    line that repeats, so identical lines stay distinct and ids stay unique."""

    def __init__(self) -> None:
        # a million lines: a set of 64-bit numbers (about 60 bytes a line), and counts
        # only for the lines that repeat
        self.seen: set[int] = set()
        self.repeats: dict[int, int] = {}

    def __call__(self, text: str) -> str:
        raw = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        key = int.from_bytes(raw, "big")
        base = raw.hex()
        if key not in self.seen:
            self.seen.add(key)
            return base
        n = self.repeats.get(key, 1) + 1
        self.repeats[key] = n
        return f"{base}#{n}"


# ------------------------------------------------------------------------- JSON


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def read_text(path: Path, name: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{name}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{name}: is a folder, not a file") from None
    except OSError as err:
        raise BadInput(f"{name}: cannot be read ({err.strerror or err})") from None
    return decode(data, name)


def decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise BadInput(f"{name}: line {line}: not UTF-8 text") from None


def load_json(text: str, name: str) -> Any:
    """Strict JSON (no trailing commas, no NaN); an error names the line and column,
    and says so plainly when the file simply ends too early."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        if not text.strip():
            raise BadInput(f"{name}: the file is empty") from None
        if err.pos >= len(text.rstrip()) or err.msg.startswith("Unterminated string"):
            raise BadInput(
                f"{name}: line {err.lineno}: the JSON ends before it is complete (is the file cut off?)"
            ) from None
        raise BadInput(f"{name}: line {err.lineno}, column {err.colno}: not valid JSON ({err.msg})") from None
    except ValueError as err:
        raise BadInput(f"{name}: not valid JSON ({err})") from None


class J:
    """A JSON value with its path, for reading API responses with good errors:
    ``J(doc, "incidents.json")["incidents"][3]["display_at"].time(opts)`` fails with
    ``incidents.json: incidents[3].display_at: not a timestamp (got ...)``."""

    __slots__ = ("value", "file", "path")

    def __init__(self, value: Any, file: str, path: str = "") -> None:
        self.value = value
        self.file = file
        self.path = path

    @property
    def where(self) -> str:
        return f"{self.file}: {self.path}" if self.path else self.file

    def _child(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def fail(self, message: str) -> BadInput:
        return BadInput(f"{self.where}: {message}")

    def obj(self) -> J:
        if not isinstance(self.value, dict):
            raise self.fail(f"must be an object (got {type_name(self.value)})")
        return self

    def __getitem__(self, key: str | int) -> J:
        if isinstance(key, int):
            if not isinstance(self.value, list):
                raise self.fail(f"must be a list (got {type_name(self.value)})")
            return J(self.value[key], self.file, self._child(key))
        if not isinstance(self.value, dict):
            raise self.fail(f"must be an object (got {type_name(self.value)})")
        if key not in self.value:
            raise BadInput(f"{self.where}: {key} is missing" if self.path else f"{self.file}: {key} is missing")
        return J(self.value[key], self.file, self._child(key))

    def get(self, key: str) -> J | None:
        """The member, or None when it is absent or null."""
        if not isinstance(self.value, dict):
            raise self.fail(f"must be an object (got {type_name(self.value)})")
        if self.value.get(key) is None:
            return None
        return J(self.value[key], self.file, self._child(key))

    def items(self) -> Iterator[J]:
        if not isinstance(self.value, list):
            raise self.fail(f"must be a list (got {type_name(self.value)})")
        for i, item in enumerate(self.value):
            yield J(item, self.file, self._child(i))

    def list_or_empty(self) -> Iterator[J]:
        return iter(()) if self.value is None else self.items()

    def str(self) -> str:
        if not isinstance(self.value, str):
            raise self.fail(f"must be text (got {type_name(self.value)})")
        return self.value

    def time(self, opts: Options, *, epoch: bool = False) -> datetime:
        return parse_time(self.value, self.where, opts, epoch=epoch)

    # J.str is the method above: annotations below name the type as builtins.str
    def text_of(self, key: builtins.str, default: builtins.str = "") -> builtins.str:
        """A text member, "" when absent or null; an error when it is not text."""
        member = self.get(key)
        if member is None:
            return default
        if isinstance(member.value, (int, float)) and not isinstance(member.value, bool):
            return str(member.value)
        return member.str()


def type_name(value: Any) -> str:
    return {
        dict: "an object", list: "a list", str: "text", bool: "true/false", int: "a number", float: "a number",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def source_slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "unnamed"


def first_lines(text: str, n: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            out.append((number, line))
            if len(out) == n:
                break
    return out


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def join_or(words: Iterable[str]) -> str:
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
