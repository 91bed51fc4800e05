"""Plain-text logs whose lines start with a time: syslog (RFC 5424 ``<165>1
2003-10-11T22:14:15.003Z host app procid msgid [sd] text``, RFC 3164 ``<34>Oct 11
22:14:15 host su: text`` or without the ``<PRI>``, as /var/log/syslog keeps it), Heroku's
``heroku logs`` (``2012-12-26T18:12:38+00:00 heroku[router]: at=info method=GET ...``),
any line that starts with an RFC 3339 / ISO 8601 time, and Go's standard ``log``
(``2022/09/11 16:31:21 text``, with slog's default ``INFO`` after it).

The text is the rest of the line (syslog: ``app: text``); the level is syslog's
severity (the PRI), a level word after the time, or Heroku's ``at=``. A line that
starts with no time (a stack trace, a wrapped message) belongs to the event before it.
RFC 3164 times have no year and no zone: the year is ``--year`` (else the review's),
the zone ``--zone`` (else the review's). Go's ``log`` writes local time: ``--zone``.
The source is ``log:<file name>``; a line's id is a digest of the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pmtui.domain.vocab import EventKind
from pmtui.errors import BadInput

from ._base import EvidenceEvent, LineIds, Options, Parsed, below, normalise_level, parse_time
from ._logs import SYSLOG_LEVELS, local
from ._read import LINE_MAX_CHARS
from .logfmt import pairs

KIND = "text"
LABEL = "plain-text log"
SHAPE = "lines"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 100

_RFC5424 = re.compile(
    r"^<(?P<pri>\d{1,3})>1 (?P<time>\S+) (?P<host>\S+) (?P<app>\S+) (?P<proc>\S+) (?P<msgid>\S+) "
    r"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?P<msg>.*))?$"
)
_RFC3164 = re.compile(
    r"^(?:<(?P<pri>\d{1,3})>)?(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) {1,2}(?P<day>\d{1,2}) "
    r"(?P<hms>\d{2}:\d{2}:\d{2}) (?P<host>\S+) (?P<msg>.*)$"
)
_ISO = re.compile(
    r"^\[?(?P<time>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)\]?"
    r"(?:\s+|$)(?P<msg>.*)$"
)
_GO = re.compile(r"^(?P<time>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) (?P<msg>.*)$")
_LEVEL_WORD = re.compile(r"^\[?(?P<word>[A-Za-z]{3,9})\]?:?\s+(?P<rest>.*)$")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                        "Dec"), 1)}
SHAPES = "RFC 5424 syslog, RFC 3164 syslog, an RFC 3339 time (Heroku), Go's log (2006/01/02 15:04:05)"


@dataclass(slots=True)
class _Line:
    at: datetime
    text: str
    level: str | None
    original: str
    where: str


def starts_with_time(line: str) -> bool:
    return any(p.match(line) for p in (_RFC5424, _RFC3164, _ISO, _GO))


def sniff(first: list[str]) -> bool:
    """The first line starts with a time pmtui knows, and most of the next ones do."""
    return bool(first) and starts_with_time(first[0]) and sum(starts_with_time(x) for x in first) * 2 > len(first)


def _pri_level(pri: str | None) -> str | None:
    return SYSLOG_LEVELS[int(pri) % 8] if pri is not None and int(pri) < 192 else None


def _heroku_level(msg: str) -> str | None:
    """Heroku's router and platform lines: "heroku[router]: at=error code=H12 ..." (at= is the level)."""
    if ": " not in msg:
        return None
    body = pairs(msg.split(": ", 1)[1])
    return normalise_level(body["at"]) if body is not None and "at" in body else None


def _level_word(msg: str) -> tuple[str | None, str]:
    m = _LEVEL_WORD.match(msg)
    if m:
        level = normalise_level(m.group("word"))
        if level is not None and m.group("word").isupper():
            return level, m.group("rest")
    return None, msg


def _read(line: str, where: str, opts: Options) -> _Line | None:
    m = _RFC5424.match(line)
    if m:
        at = parse_time(m.group("time"), f"{where}: syslog time", opts, epoch=False)
        app = m.group("app")
        msg = (m.group("msg") or "").removeprefix("\ufeff").strip() or m.group("msgid")
        text = msg if app == "-" else f"{app}: {msg}"
        return _Line(at, text, _pri_level(m.group("pri")), line, where)
    m = _RFC3164.match(line)
    if m:
        if opts.year is None:
            raise BadInput(f"{where}: a syslog time without a year ({line[:15].strip()!r}); give it with --year "
                           "(or set the review's start)")
        written = f"{opts.year} {m.group('mon')} {m.group('day')} {m.group('hms')}"
        try:
            hh, mm, ss = (int(x) for x in m.group("hms").split(":"))
            naive = datetime(opts.year, _MONTHS[m.group("mon")], int(m.group("day")), hh, mm, ss)
        except ValueError:
            raise BadInput(f"{where}: not a real date and time (got {written!r})") from None
        at = local(naive, f"{where}: syslog time", written, opts)
        msg = m.group("msg").strip()
        return _Line(at, msg or line, _pri_level(m.group("pri")) or _heroku_level(msg), line, where)
    m = _ISO.match(line)
    if m:
        at = parse_time(m.group("time"), f"{where}: time", opts, epoch=False)
        msg = m.group("msg").strip()
        level, rest = _level_word(msg)
        if level is None:
            level = _heroku_level(msg)
        return _Line(at, rest or msg or line, level, line, where)
    m = _GO.match(line)
    if m:
        written = m.group("time")
        try:
            naive = datetime.strptime(written[:19], "%Y/%m/%d %H:%M:%S")
            if len(written) > 20:
                naive = naive.replace(microsecond=int((written[20:] + "000000")[:6]))
        except ValueError:
            raise BadInput(f"{where}: not a real date and time (got {written!r})") from None
        at = local(naive, f"{where}: time", written, opts)
        level, rest = _level_word(m.group("msg").strip())
        return _Line(at, rest or line, level, line, where)
    return None


def parse(lines: Iterable[tuple[int, str, bool]], name: str, opts: Options, min_level: str | None) -> Parsed:
    out = Parsed(opts.filter)
    ids = LineIds()
    source = f"log:{name}"
    current: _Line | None = None

    def flush(item: _Line) -> None:
        if below(item.level, min_level):
            out.skip("below the minimum level")
            return
        out.add(EvidenceEvent(at=item.at, text=item.text, kind=EventKind.event, source=source,
                              source_id=ids(item.original), original=item.original, level=item.level,
                              where=item.where))

    for number, line, _ended in lines:
        if not line.strip():
            continue
        where = f"{name}:{number}"
        item = _read(line, where, opts)
        if item is None:
            if current is None:
                raise BadInput(f"{where}: the line starts with no time pmtui knows (tried {SHAPES})")
            # a continuation (a stack trace): part of the event before, as far as it can hold
            if len(current.original) + len(line) + 1 <= LINE_MAX_CHARS:
                current.original += "\n" + line
                current.text += "\n" + line.rstrip()
            continue
        if current is not None:
            flush(current)
        current = item
    if current is not None:
        flush(current)
    return out
