"""Evidence in: events from status pages, pagers, chat and logs, for a review's timeline.

UI-free and store-free: :func:`load` reads files into neutral :class:`EvidenceEvent`
records (and :class:`ComponentWindow` for status pages); the store and the screens
decide what to do with them. All or nothing: a file that fails to parse raises a
:class:`pmtui.errors.BadInput` naming the file and the line or JSON path, and nothing
from any file of the call is returned. See docs/evidence.md.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmtui.document import format_timestamp
from pmtui.errors import BadInput

from . import (
    csvlog,
    instatus,
    jsonl,
    logfmt,
    oncall,
    opsgenie,
    pagerduty,
    pagerduty_api,
    slack,
    slack_api,
    statuspage,
    statuspage_url,
)
from ._base import (
    ComponentWindow,
    EvidenceEvent,
    J,
    Options,
    Parsed,
    check_min_level,
    first_lines,
    join_or,
    load_json,
    parse_time,
    read_text,
)

__all__ = [
    "FILE_KINDS",
    "KINDS",
    "LIVE_KINDS",
    "ComponentWindow",
    "EvidenceBatch",
    "EvidenceEvent",
    "detect",
    "load",
    "parse_file",
    "split_new",
    "summary",
]

# The API kinds, read from one JSON document.
JSON_KINDS: dict[str, ModuleType] = {
    m.KIND: m for m in (statuspage, instatus, pagerduty, opsgenie, oncall)
}
LINE_KINDS: dict[str, ModuleType] = {m.KIND: m for m in (jsonl, logfmt, csvlog)}
# The live sources: read from a service's API, not from a file (never detected: --from names them).
LIVE_KINDS: dict[str, ModuleType] = {m.KIND: m for m in (slack_api, pagerduty_api, statuspage_url)}
FILE_KINDS: dict[str, str] = {
    **{k: m.LABEL for k, m in JSON_KINDS.items()},
    slack.KIND: slack.LABEL,
    **{k: m.LABEL for k, m in LINE_KINDS.items()},
}
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

    @property
    def first(self) -> datetime | None:
        return self.events[0].at if self.events else None

    @property
    def last(self) -> datetime | None:
        return self.events[-1].at if self.events else None


# Text with lone surrogates (JSON allows "\\ud800") cannot be stored as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")

# ----------------------------------------------------------------------- detect


def _name(path: Path) -> str:
    return path.name or str(path)


def _json_candidates(doc: object) -> list[str]:
    found = [kind for kind, module in JSON_KINDS.items() if module.sniff(doc)]
    if not found and jsonl.sniff_record(doc):
        found.append(jsonl.KIND)
    return found


def _line_candidates(text: str) -> list[str]:
    found = []
    lines = [line for _, line in first_lines(text, 5)]
    if lines and all(jsonl.sniff_line(line) for line in lines[:3]):
        found.append(jsonl.KIND)
    if lines and all(logfmt.sniff_line(line) for line in lines[:3]):
        found.append(logfmt.KIND)
    if csvlog.sniff(text):
        found.append(csvlog.KIND)
    return found


def _decide(name: str, found: list[str]) -> str:
    if len(found) == 1:
        return found[0]
    if found:
        raise BadInput(
            f"{name}: could be {join_or(f'{KINDS[k]} ({k})' for k in found)}; say which with --from"
        )
    raise BadInput(
        f"{name}: cannot tell what kind of evidence this is; it could be any of "
        f"{join_or(FILE_KINDS)}: say which with --from"
    )


def detect(path: str | PathLike[str]) -> str:
    """The kind of an evidence file, from its content (not its name)."""
    p = Path(path)
    name = _name(p)
    if not p.exists():
        raise BadInput(f"{name}: no such file")
    if p.is_dir() or slack.looks_like_export(p):
        if slack.looks_like_export(p):
            return slack.KIND
        raise BadInput(f"{name}: a folder that is not a Slack export (no channels.json or users.json in it)")
    if slack.is_zip_magic(p):
        if zipfile.is_zipfile(p):
            raise BadInput(f"{name}: a zip file that is not a Slack export (no channels.json or users.json in it)")
        raise BadInput(f"{name}: not a readable zip file (is it cut off?)")
    return _detect_text(read_text(p, name), name)


def _detect_text(text: str, name: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise BadInput(f"{name}: the file is empty")
    if stripped[0] in "{[":
        try:
            doc = load_json(text, name)
        except BadInput:
            found = _line_candidates(text)
            if found:
                return _decide(name, found)
            raise
        if slack.looks_like_day_file(doc):
            raise BadInput(
                f"{name}: one day of a Slack channel; give the whole export (its folder or zip) and --channel"
            )
        return _decide(name, _json_candidates(doc))
    return _decide(name, _line_candidates(text))


# ------------------------------------------------------------------------ parse


def _wrong_kind(name: str, kind: str, text: str) -> BadInput:
    hint = ""
    try:
        other = _detect_text(text, name)
        if other != kind:
            hint = f"; it looks like {_a(KINDS[other])} file (--from {other})"
    except BadInput:
        pass
    return BadInput(f"{name}: not {_a(KINDS[kind])} file{hint}")


def _a(label: str) -> str:
    return ("an " if label[0].lower() in "aeiou" else "a ") + label


def parse_file(
    path: str | PathLike[str], kind: str | None = None, opts: Options | None = None
) -> tuple[str, Parsed]:
    """One file: its kind (given or detected) and what it holds, unsorted."""
    opts = opts or Options()
    p = Path(path)
    name = _name(p)
    if kind is not None and kind not in KINDS:
        raise BadInput(f"--from {kind!r} is not a kind of evidence (use one of {', '.join(KINDS)})")
    if kind in LIVE_KINDS:
        raise BadInput(f"--from {kind} reads a service, not a file")
    if not p.exists():
        raise BadInput(f"{name}: no such file")
    if kind is None:
        kind = detect(p)
    if kind == slack.KIND:
        if slack.is_zip_magic(p) and not zipfile.is_zipfile(p):
            raise BadInput(f"{name}: not a readable zip file (is it cut off?)")
        if slack.looks_like_export(p):
            return kind, slack.parse_export(p, name, opts)
        if p.is_dir():
            raise BadInput(f"{name}: a folder that is not a Slack export (no channels.json or users.json in it)")
        text = read_text(p, name)
        try:
            day_file = slack.looks_like_day_file(load_json(text, name))
        except BadInput:
            day_file = False
        if day_file:
            raise BadInput(f"{name}: one day of a Slack channel; give the whole export (its folder or zip)")
        raise _wrong_kind(name, kind, text)
    if slack.looks_like_export(p):
        raise BadInput(f"{name}: not {_a(KINDS[kind])} file; it looks like a Slack export (--from slack)")
    if p.is_dir():
        raise BadInput(f"{name}: is a folder, not {_a(KINDS[kind])} file")
    if slack.is_zip_magic(p):
        raise BadInput(f"{name}: is a zip file, not {_a(KINDS[kind])} file (only Slack exports are read from zips)")
    text = read_text(p, name)
    if kind in JSON_KINDS:
        module = JSON_KINDS[kind]
        doc = load_json(text, name)
        if not module.sniff(doc):
            raise _wrong_kind(name, kind, text)
        return kind, module.parse(J(doc, name), opts)
    module = LINE_KINDS[kind]
    if not text.strip():
        raise BadInput(f"{name}: the file is empty")
    first = first_lines(text, 1)[0][1]
    if kind == jsonl.KIND and not jsonl.object_line(first):
        raise _wrong_kind(name, kind, text)
    elif kind == logfmt.KIND and len(logfmt.pairs(first) or ()) < 2:
        raise _wrong_kind(name, kind, text)
    elif kind == csvlog.KIND and not csvlog.tabular(text):
        raise _wrong_kind(name, kind, text)
    return kind, module.parse(text, name, opts, opts.min_level)


# ------------------------------------------------------------------------- load


def _zone(zone: ZoneInfo | str | None) -> ZoneInfo | None:
    if zone is None or isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
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


def load(
    paths: Sequence[str | PathLike[str]] | str | PathLike[str],
    kind: str | None = None,
    zone: ZoneInfo | str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    channel: str | None = None,
    min_level: str | None = None,
    incident: str | None = None,
) -> EvidenceBatch:
    """Read every file (all or nothing) into one batch sorted by time.

    ``kind`` applies to every file (None: detected per file). ``zone`` reads times
    written without an offset (else they are an error). ``since``/``until`` keep the
    events in that range (inclusive). ``channel`` picks a Slack channel; ``min_level``
    drops log lines below it. An event that two files share (same source and id) is
    kept once. A live ``kind`` (:data:`LIVE_KINDS`) reads its service instead of files
    (``paths`` holds a status page's address; ``incident`` a PagerDuty incident).
    """
    if isinstance(paths, (str, PathLike)):
        paths = [paths]
    if kind is not None and kind not in KINDS:
        raise BadInput(f"--from {kind!r} is not a kind of evidence (use one of {', '.join(KINDS)})")
    if not paths and kind not in LIVE_KINDS:
        raise BadInput("no evidence files given")
    if incident is not None and kind != pagerduty_api.KIND:
        raise BadInput("--incident goes with --from pagerduty-api")
    opts = Options(zone=_zone(zone), channel=channel, min_level=check_min_level(min_level))
    lo = _bound(since, "--since", opts)
    hi = _bound(until, "--until", opts)
    if lo is not None and hi is not None and hi < lo:
        raise BadInput("--until is before --since")

    parsed: list[EvidenceEvent] = []
    windows: list[ComponentWindow] = []
    skipped: dict[str, int] = {}
    files: list[tuple[str, str]] = []
    if kind in LIVE_KINDS:
        given = [str(p) for p in paths]
        if kind == pagerduty_api.KIND:
            name, result = pagerduty_api.fetch(given, opts, lo, hi, incident)
        else:
            name, result = LIVE_KINDS[kind].fetch(given, opts, lo, hi)
        results = [(name, kind, result)]
    else:
        results = []
        for path in paths:
            found_kind, result = parse_file(path, kind, opts)
            results.append((_name(Path(path)), found_kind, result))
    for name, found_kind, result in results:
        files.append((name, found_kind))
        parsed.extend(result.events)
        windows.extend(result.components)
        for reason, n in result.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n

    parsed.sort(key=attrgetter("at"))  # stable: equal times keep file order
    events: list[EvidenceEvent] = []
    seen: set[tuple[str, str]] = set()
    for event in parsed:
        if (lo is not None and event.at < lo) or (hi is not None and event.at > hi):
            skipped["outside --since/--until"] = skipped.get("outside --since/--until", 0) + 1
            continue
        if _SURROGATE.search(event.text) or _SURROGATE.search(event.original):
            raise BadInput(f"{event.where}: contains an invalid character (a lone UTF-16 surrogate)")
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
    return EvidenceBatch(tuple(events), tuple(kept_windows), sources, note, skipped, tuple(files))


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
