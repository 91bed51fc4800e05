"""Evidence in: events from status pages, pagers, chat and logs, for a review's timeline.

UI-free and store-free: :func:`load` reads files into neutral :class:`EvidenceEvent`
records (and :class:`ComponentWindow` for status pages); the store and the screens
decide what to do with them. All or nothing: a file that fails to parse raises a
:class:`pmtui.errors.BadInput` naming the file and the line or JSON path, and nothing
from any file of the call is returned. See docs/evidence.md.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmtui.domain.document import EVIDENCE_MAX, format_timestamp
from pmtui.errors import BadInput

from . import _logs, _registry, csvlog, jsonl, logfmt, pagerduty_api, slack, textlog
from ._base import (
    ComponentWindow,
    EvidenceEvent,
    Filter,
    J,
    LogKeys,
    Options,
    Parsed,
    check_min_level,
    decode,
    join_or,
    load_json,
    parse_time,
)
from ._read import JSON_MAX_BYTES, LINE_MAX_BYTES, Budget, head, read_json_bytes, regular_file
from ._read import lines as read_lines

__all__ = [
    "FILE_KINDS",
    "KINDS",
    "LIVE_KINDS",
    "ComponentWindow",
    "LogKeys",
    "EvidenceBatch",
    "EvidenceEvent",
    "detect",
    "load",
    "parse_file",
    "split_new",
    "summary",
]

# Every kind is a module of this package that says what it is (see _registry.py).
_MODULES = _registry.discover(__name__, list(__path__))
JSON_KINDS: dict[str, ModuleType] = _registry.of_shape(_MODULES, "json")
"""The API kinds, read from one JSON document."""
LINE_KINDS: dict[str, ModuleType] = _registry.of_shape(_MODULES, "lines")
LIVE_KINDS: dict[str, ModuleType] = _registry.of_shape(_MODULES, "live")
"""The live sources: read from a service's API, not from a file (never detected: --from names them)."""
FILE_KINDS: dict[str, str] = {m.KIND: m.LABEL for m in _MODULES if _registry.shape_of(m) != "live"}
KINDS: dict[str, str] = {**FILE_KINDS, **{k: m.LABEL for k, m in LIVE_KINDS.items()}}


@dataclass(frozen=True, slots=True)
class EvidenceBatch:
    """What one call found, in time order (UTC instant, then file order)."""

    events: tuple[EvidenceEvent, ...]
    components: tuple[ComponentWindow, ...]
    sources: dict[str, int]
    """Each source and how many of the events come from it."""
    zone_note: str | None = None
    """Said when times without an offset were read in the given zone."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Records left out on purpose, by reason (chat joins, lines below --min-level...)."""
    files: tuple[tuple[str, str], ...] = ()
    """(file name, kind) for every file read."""
    read: int = 0
    """Events read from the files, in range or not (each checked)."""
    in_window: int | None = None
    """How many of them fall inside the incident's window (when one was given)."""

    @property
    def first(self) -> datetime | None:
        return self.events[0].at if self.events else None

    @property
    def last(self) -> datetime | None:
        return self.events[-1].at if self.events else None



# ----------------------------------------------------------------------- detect

HEAD_BYTES = 2 * LINE_MAX_BYTES + 8  # what detection reads: at least two whole lines of the longest


def _name(path: Path) -> str:
    return path.name or str(path)


def _json_candidates(doc: object, opts: Options) -> list[str]:
    found = [kind for kind, module in JSON_KINDS.items() if module.sniff(doc)]
    if not found and jsonl.sniff_record(doc, opts):
        found.append(jsonl.KIND)
    return found


def _sample_lines(sample: str, complete: bool) -> list[str]:
    """The first non-blank lines of the file's beginning (a last line cut by the sample left out)."""
    lines = sample.split("\n")
    if not complete and len(lines) > 1:
        lines = lines[:-1]
    return [line.rstrip("\r") for line in lines if line.strip()][:5]


def _line_candidates(sample: str, complete: bool, opts: Options) -> list[str]:
    found = []
    lines = _sample_lines(sample, complete)
    # the first line has a time; the next ones are of the same shape (a line without a
    # time is then named, with its number, when the file is read)
    if lines and jsonl.sniff_line(lines[0], opts) and all(jsonl.object_line(line) for line in lines[1:3]):
        found.append(jsonl.KIND)
    if lines and logfmt.sniff_line(lines[0], opts) and all(
            len(logfmt.pairs(line) or ()) >= 2 for line in lines[1:3]):
        found.append(logfmt.KIND)
    if csvlog.sniff(sample):
        found.append(csvlog.KIND)
    if not found and textlog.sniff(lines[:3]):
        found.append(textlog.KIND)
    return found


def _why_none(sample: str, complete: bool, opts: Options) -> str:
    """Why a file fits no kind: what its first line is, and every key that was tried."""
    lines = _sample_lines(sample, complete)
    first = lines[0] if lines else ""
    record = jsonl.record_of(first)
    if isinstance(record, dict):
        keys = ", ".join(_logs.time_keys(opts))
        return (f"its lines are JSON objects, but line 1 has no time under any key pmtui looks for ({keys}); "
                "name it with --time-key (a dotted path for a nested one, e.g. --time-key event.created)")
    pairs = logfmt.pairs(first)
    if pairs is not None and len(pairs) >= 2 and "=" in first.split(None, 1)[0]:
        keys = ", ".join(k for k in _logs.time_keys(opts) if k != "at")
        return f"its lines are key=value pairs (logfmt), but line 1 has no time key ({keys}); name it with --time-key"
    if any(sep in first for sep in ",;\t") and csvlog.tabular(sample):
        return (f"its first line looks like a CSV header without both a time column ({', '.join(csvlog.TIME_COLUMNS)}) "
                f"and a text column ({', '.join(csvlog.TEXT_COLUMNS)}); name them with --time-key and --message-key")
    return (f"line 1 is not JSON, not key=value pairs, not a CSV header with a time and a text column, and does not "
            f"start with a time pmtui knows ({textlog.SHAPES})")


def _decide(name: str, found: list[str], why: str = "") -> str:
    if len(found) == 1:
        return found[0]
    if found:
        raise BadInput(
            f"{name}: could be {join_or(f'{KINDS[k]} ({k})' for k in found)}; say which with --from"
        )
    raise BadInput(f"{name}: cannot tell what kind of evidence this is: {why or 'no kind fits'}; "
                   "say which with --from (one of " + ", ".join(FILE_KINDS) + ")")


def detect(path: str | PathLike[str], opts: Options | None = None) -> str:
    """The kind of an evidence file, from its content (not its name)."""
    return _detect(Path(path), opts or Options(), Budget())


def _detect(p: Path, opts: Options, budget: Budget) -> str:
    name = _name(p)
    if not p.exists():
        raise BadInput(f"{name}: no such file")
    if p.is_dir():
        if slack.looks_like_export(p):
            return slack.KIND
        raise BadInput(f"{name}: a folder that is not a Slack export (no channels.json or users.json in it)")
    size = regular_file(p, name)
    if slack.is_zip_magic(p):
        if slack.looks_like_export(p):
            return slack.KIND
        if zipfile.is_zipfile(p):
            raise BadInput(f"{name}: a zip file that is not a Slack export (no channels.json or users.json in it)")
        raise BadInput(f"{name}: not a readable zip file (is it cut off?)")
    raw = head(p, name, HEAD_BYTES)
    complete = len(raw) >= size
    sample = decode_head(raw, name, complete)
    return _detect_text(p, name, sample, complete, size, opts, budget)


def decode_head(raw: bytes, name: str, complete: bool) -> str:
    if not complete:  # the sample may end inside a character
        raw = raw[: len(raw) - 4] + raw[len(raw) - 4:].decode("utf-8", "ignore").encode("utf-8")
    return decode(raw, name)


def _one_object_a_line(sample: str, complete: bool) -> bool:
    """The first line is a whole JSON object and more lines follow (JSON lines, not a document)."""
    lines = _sample_lines(sample, complete)
    return len(lines) >= 2 and jsonl.object_line(lines[0])


def _detect_text(p: Path, name: str, sample: str, complete: bool, size: int, opts: Options, budget: Budget) -> str:
    stripped = sample.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise BadInput(f"{name}: the file is empty")
    if stripped[0] in "{[" and not _one_object_a_line(sample, complete) and size <= JSON_MAX_BYTES:
        text = decode(read_json_bytes(p, name, Budget()), name)
        try:
            doc = load_json(text, name)
        except BadInput:
            found = _line_candidates(sample, complete, opts)
            if found:
                return _decide(name, found)
            raise
        if slack.looks_like_day_file(doc):
            raise BadInput(
                f"{name}: one day of a Slack channel; give the whole export (its folder or zip) and --channel"
            )
        found = _json_candidates(doc, opts)
        if not found:
            raise BadInput(f"{name}: cannot tell what kind of evidence this is: a JSON document that is none of "
                           f"{join_or(KINDS[k] for k in JSON_KINDS)}, and not log records with a time (looked for "
                           f"{', '.join(_logs.time_keys(opts))}; name a nested one with --time-key, e.g. "
                           "--time-key event.time); say which with --from")
        return _decide(name, found)
    return _decide(name, _line_candidates(sample, complete, opts), _why_none(sample, complete, opts))


# ------------------------------------------------------------------------ parse


def _wrong_kind(p: Path, name: str, kind: str, opts: Options) -> BadInput:
    hint = ""
    try:
        other = _detect(p, opts, Budget())
        if other != kind:
            hint = f"; it looks like {_a(KINDS[other])} file (--from {other})"
    except BadInput:
        pass
    return BadInput(f"{name}: not {_a(KINDS[kind])} file{hint}")


def _a(label: str) -> str:
    return ("an " if label[0].lower() in "aeiou" else "a ") + label


def parse_file(
    path: str | PathLike[str], kind: str | None = None, opts: Options | None = None, budget: Budget | None = None
) -> tuple[str, Parsed]:
    """One file: its kind (given or detected) and what it holds, unsorted."""
    opts = opts or Options()
    budget = budget or Budget()
    p = Path(path)
    name = _name(p)
    if kind is not None and kind not in KINDS:
        raise BadInput(f"--from {kind!r} is not a kind of evidence (use one of {', '.join(KINDS)})")
    if kind in LIVE_KINDS:
        raise BadInput(f"--from {kind} reads a service, not a file")
    if not p.exists():
        raise BadInput(f"{name}: no such file")
    if kind is not None:
        return kind, _parse_as(p, name, kind, opts, budget)
    kind = _detect(p, opts, budget)
    if kind not in LINE_KINDS:
        return kind, _parse_as(p, name, kind, opts, budget)
    try:
        return kind, _parse_as(p, name, kind, opts, budget)
    except BadInput as err:  # say what was guessed: a log's first lines can mislead
        note = f" (read as {_a(KINDS[kind])}, the kind its first lines suggest; --from chooses another)"
        raise BadInput(err.message + note, err.problems) from None


def _parse_as(p: Path, name: str, kind: str, opts: Options, budget: Budget) -> Parsed:
    if kind == slack.KIND:
        if p.is_dir():
            if slack.looks_like_export(p):
                return slack.parse_export(p, name, opts, budget)
            raise BadInput(f"{name}: a folder that is not a Slack export (no channels.json or users.json in it)")
        regular_file(p, name)
        if slack.is_zip_magic(p) and not zipfile.is_zipfile(p):
            raise BadInput(f"{name}: not a readable zip file (is it cut off?)")
        if slack.looks_like_export(p):
            return slack.parse_export(p, name, opts, budget)
        try:
            day_file = slack.looks_like_day_file(load_json(decode(read_json_bytes(p, name, Budget()), name), name))
        except BadInput:
            day_file = False
        if day_file:
            raise BadInput(f"{name}: one day of a Slack channel; give the whole export (its folder or zip)")
        raise _wrong_kind(p, name, kind, opts)
    if p.is_dir():
        if slack.looks_like_export(p):
            raise BadInput(f"{name}: not {_a(KINDS[kind])} file; it looks like a Slack export (--from slack)")
        raise BadInput(f"{name}: is a folder, not {_a(KINDS[kind])} file")
    size = regular_file(p, name)  # before anything opens it: a FIFO would block, a device never end
    if slack.looks_like_export(p):
        raise BadInput(f"{name}: not {_a(KINDS[kind])} file; it looks like a Slack export (--from slack)")
    if slack.is_zip_magic(p):
        raise BadInput(f"{name}: is a zip file, not {_a(KINDS[kind])} file (only Slack exports are read from zips)")
    if kind in JSON_KINDS:
        module = JSON_KINDS[kind]
        doc = load_json(decode(read_json_bytes(p, name, budget), name), name)
        if not module.sniff(doc):
            raise _wrong_kind(p, name, kind, opts)
        parsed: Parsed = module.parse(J(doc, name), opts)
        return parsed
    raw = head(p, name, HEAD_BYTES)
    sample = decode_head(raw, name, len(raw) >= size)
    first = next((line for _n, line, _e in read_lines(p, name, Budget()) if line.strip()), None)
    if first is None:
        raise BadInput(f"{name}: the file is empty")
    if kind == jsonl.KIND and not jsonl.object_line(first):
        # one record printed over several lines, or an array of records: read whole
        records = None
        if first.lstrip("\ufeff \t")[:1] in ("{", "[") and size <= JSON_MAX_BYTES:
            try:
                records = jsonl.records_of(load_json(decode(read_json_bytes(p, name, budget), name), name))
            except BadInput:
                records = None
        if records is None:
            raise _wrong_kind(p, name, kind, opts)
        return jsonl.parse_records(records, name, opts, opts.min_level)
    elif kind == logfmt.KIND and len(logfmt.pairs(first) or ()) < 2:
        raise _wrong_kind(p, name, kind, opts)
    elif kind == csvlog.KIND and not csvlog.tabular(sample) and not (opts.keys and opts.keys.time):
        raise _wrong_kind(p, name, kind, opts)
    elif kind == textlog.KIND and not textlog.starts_with_time(first):
        raise BadInput(f"{name}: not {_a(KINDS[kind])} file: line 1 starts with no time pmtui knows "
                       f"(tried {textlog.SHAPES})")
    result: Parsed = LINE_KINDS[kind].parse(read_lines(p, name, budget), name, opts, opts.min_level)
    return result


# ------------------------------------------------------------------------- load


def _zone(zone: ZoneInfo | str | None) -> ZoneInfo | None:
    if zone is None or isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise BadInput(f"--zone {zone!r} is not a time zone (use an IANA name like Europe/Berlin or UTC)") from None


def _bound(value: datetime | str | None, flag: str, opts: Options) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            if opts.zone is None:
                raise BadInput(f"{flag} {value.isoformat()} has no UTC offset; add one or give --zone")
            return value.replace(tzinfo=opts.zone)
        return value
    probe = Options(zone=opts.zone)
    return parse_time(value, flag, probe, epoch=False)


def _size_of(path: Path) -> int:
    try:
        if path.is_dir():
            return sum(os.stat(os.path.join(folder, n)).st_size
                       for folder, _dirs, names in os.walk(path) for n in names if n.endswith(".json"))
        st = os.stat(path)
        return st.st_size if stat.S_ISREG(st.st_mode) else 0
    except OSError:
        return 0


def load(
    paths: Sequence[str | PathLike[str]] | str | PathLike[str],
    kind: str | None = None,
    zone: ZoneInfo | str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    channel: str | None = None,
    min_level: str | None = None,
    *,
    keys: LogKeys | None = None,
    year: int | None = None,
    window: tuple[datetime, datetime | None] | None = None,
    cap: int | None = EVIDENCE_MAX,
    progress: Callable[[int, int], None] | None = None,
    incident: str | None = None,
) -> EvidenceBatch:
    """Read every file (all or nothing) into one batch sorted by time.

    ``kind`` applies to every file (None: detected per file). ``zone`` reads times
    written without an offset (else they are an error). ``since``/``until`` keep the
    events in that range (inclusive). ``channel`` picks a Slack channel; ``min_level``
    drops log lines below it; ``keys`` names a log's time, message and level keys and
    how its time is written; ``year`` completes times written without one. Every event
    is checked with the review document's own rules as it is read. At most ``cap``
    events in range are kept: past it the call is refused, saying how many events fall
    inside ``window`` (the incident's, counted as the files are read). ``progress`` is
    called with (bytes read, bytes in all) now and then. An event that two files share
    (same source and id) is kept once. A live ``kind`` (:data:`LIVE_KINDS`) reads its
    service instead of files (``paths`` holds a status page's address; ``incident`` a
    PagerDuty incident).
    """
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    if kind is not None and kind not in KINDS:
        raise BadInput(f"--from {kind!r} is not a kind of evidence (use one of {', '.join(KINDS)})")
    if not paths and kind not in LIVE_KINDS:
        raise BadInput("no evidence files given")
    if incident is not None and kind != pagerduty_api.KIND:
        raise BadInput("--incident goes with --from pagerduty-api")
    opts = Options(zone=_zone(zone), channel=channel, min_level=check_min_level(min_level), keys=keys, year=year)
    lo = _bound(since, "--since", opts)
    hi = _bound(until, "--until", opts)
    if lo is not None and hi is not None and hi < lo:
        raise BadInput("--until is before --since")
    opts.filter = Filter(lo=lo, hi=hi, cap=cap, window=window)
    total = sum(_size_of(Path(p)) for p in paths)
    budget = Budget((lambda done: progress(min(done, total), total)) if progress is not None else None)

    parsed: list[EvidenceEvent] = []
    windows: list[ComponentWindow] = []
    skipped: dict[str, int] = {}
    files: list[tuple[str, str]] = []
    results: list[tuple[str, str, Parsed]] = []
    if kind in LIVE_KINDS:
        given = [str(p) for p in paths]
        try:
            if kind == pagerduty_api.KIND:
                name, result = pagerduty_api.fetch(given, opts, lo, hi, incident)
            else:
                name, result = LIVE_KINDS[kind].fetch(given, opts, lo, hi)
        except RecursionError:
            raise BadInput(f"--from {kind}: the service answered with JSON nested too deeply") from None
        results.append((name, kind, result))
    for path in paths if kind not in LIVE_KINDS else ():
        name = _name(Path(path))
        try:
            found_kind, result = parse_file(path, kind, opts, budget)
        except RecursionError:
            raise BadInput(f"{name}: the JSON is nested too deeply") from None
        except OverflowError:
            raise BadInput(f"{name}: holds a time or a number too large for a review") from None
        results.append((name, found_kind, result))
    for name, found_kind, result in results:
        files.append((name, found_kind))
        parsed.extend(result.events)
        windows.extend(result.components)
        for reason, n in result.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
    f = opts.filter
    if f.over:
        raise BadInput(_too_many(files, f, cap or 0))

    parsed.sort(key=attrgetter("at"))  # stable: equal times keep file order
    events: list[EvidenceEvent] = []
    seen: set[tuple[str, str]] = set()
    for event in parsed:
        if event.key in seen:
            skipped["the same event in two files"] = skipped.get("the same event in two files", 0) + 1
            continue
        seen.add(event.key)
        events.append(event)
    kept_windows = [
        w for w in windows
        if (hi is None or w.start <= hi) and (lo is None or w.end is None or w.end >= lo)
    ]
    kept_windows.sort(key=lambda w: (w.start, w.name))
    sources: dict[str, int] = {}
    for event in events:
        sources[event.source] = sources.get(event.source, 0) + 1
    note = f"times written without a UTC offset were read in {opts.zone.key}" if opts.zone_used and opts.zone else None
    return EvidenceBatch(tuple(events), tuple(kept_windows), sources, note, skipped, tuple(files), f.total,
                         f.in_window if window is not None else None)


def _too_many(files: list[tuple[str, str]], f: Filter, cap: int) -> str:
    names = ", ".join(n for n, _ in files)
    in_range = f.kept + f.over
    what = "in the range given" if f.lo is not None or f.hi is not None else "in all"
    message = (f"{names}: {in_range:,} events {what}, more than the {cap:,} a review can hold; nothing was added")
    if f.window is not None:
        start, end = f.window
        span = f"from {_utc(start)}" + (f" to {_utc(end)}" if end is not None else " on")
        if f.in_window <= cap:
            return (f"{message}. {f.in_window:,} of them fall inside the incident's window ({span}, from the "
                    "review's start and marks): add --window incident to import those, or choose with "
                    "--since/--until")
        return (f"{message}. Even the incident's window ({span}) holds {f.in_window:,}: choose a shorter range "
                "with --since/--until, or --min-level")
    return (f"{message}. Choose a range with --since/--until (or set the review's start and marks, then "
            "--window incident), or leave out lines with --min-level")


# ---------------------------------------------------------------- for callers


def split_new(
    batch: EvidenceBatch, existing: Container[tuple[str, str]]
) -> tuple[list[EvidenceEvent], int]:
    """The events whose (source, source_id) the review does not hold yet, and how many
    it already holds (the duplicates a second import skips)."""
    new = [e for e in batch.events if e.key not in existing]
    return new, len(batch.events) - len(new)


def summary(batch: EvidenceBatch, added: Sequence[EvidenceEvent], duplicates: int) -> dict[str, Any]:
    """The object ``pmtui evidence --format json`` prints (and the preview shows):
    ``added``, ``duplicates``, ``first``/``last`` (UTC, of the added events), ``sources``
    (of the added events), plus the component windows, what was skipped and why, the
    zone note and the files with their kinds."""
    sources: dict[str, int] = {}
    for event in added:
        sources[event.source] = sources.get(event.source, 0) + 1
    return {
        "added": len(added),
        "duplicates": duplicates,
        "first": _utc(min((e.at for e in added), default=None)),
        "last": _utc(max((e.at for e in added), default=None)),
        "sources": sources,
        "components": [
            {"name": w.name, "status": w.worst_status.value, "start": _utc(w.start), "end": _utc(w.end),
             "source": w.source, "incident": w.incident}
            for w in batch.components
        ],
        "skipped": dict(batch.skipped),
        "zone_note": batch.zone_note,
        "files": [{"file": f, "kind": k} for f, k in batch.files],
    }


def _utc(at: datetime | None) -> str | None:
    return None if at is None else format_timestamp(at.astimezone(UTC))
