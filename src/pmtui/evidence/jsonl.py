"""JSON-lines logs: one JSON object per line (ECS, bunyan, pino, zap, zerolog, logrus,
slog, journald's ``journalctl -o json``, Cloudflare Logpush, CloudEvents and the like).

The time is the first of ``@timestamp``, ``timestamp``, ``time``, ``ts``...,
``__REALTIME_TIMESTAMP``, ``EdgeStartTimestamp`` (RFC 3339 text, or epoch seconds /
milliseconds / microseconds / nanoseconds told apart by size); the text is ``message``,
``msg``, ``MESSAGE``, ``data.message``... (plus every error value, nested groups
included); the level is ``log.level`` (ECS), ``level`` (words, or pino/bunyan numbers
10-60), ``severity``, ``PRIORITY`` (journald, syslog 0-7)... See :mod:`._logs`. Every line
is an event of kind ``event``; ``min_level`` drops the lines below it (lines without a
level are kept). The source is ``log:<file name>``; a line's id is a digest of the line,
so the same line imported again is recognised. Read one line at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from pmtui.errors import BadInput

from ._base import LineIds, Options, Parsed
from ._logs import has_time, record_event

_decode = json.JSONDecoder().decode

KIND = "jsonl"
LABEL = "JSON-lines log"
SHAPE = "lines"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 70


def record_of(line: str) -> object:
    try:
        return _decode(line)
    except (ValueError, RecursionError):
        return None


def sniff_line(line: str, opts: Options | None = None) -> bool:
    record = record_of(line)
    return isinstance(record, dict) and has_time(record, opts or Options())


def object_line(line: str) -> bool:
    """The line is one JSON object (whatever its keys)."""
    return isinstance(record_of(line), dict)


def sniff_record(record: object, opts: Options | None = None) -> bool:
    """A whole file that is one JSON object (a one-line log)."""
    opts = opts or Options()
    return isinstance(record, dict) and has_time(record, opts) and (bool(opts.keys) or any(
        k in record for k in ("msg", "message", "level", "log.level", "MESSAGE")
    ))


def parse(lines: Iterable[tuple[int, str, bool]], name: str, opts: Options, min_level: str | None) -> Parsed:
    out = Parsed(opts.filter)
    ids = LineIds()
    source = f"log:{name}"
    for number, line, ended in lines:
        if not line.strip():
            continue
        try:
            record = _decode(line)
        except RecursionError:
            raise BadInput(f"{name}:{number}: the JSON is nested too deeply") from None
        except ValueError:
            if not ended:
                raise BadInput(f"{name}:{number}: the last line is cut off (is the file truncated?)") from None
            raise BadInput(f"{name}:{number}: not a JSON object") from None
        if not isinstance(record, dict):
            raise BadInput(f"{name}:{number}: not a JSON object")
        record_event(
            record, line=line, number=number, name=name, source=source, source_id=ids(line), opts=opts, out=out,
            min_level=min_level,
        )
    return out
