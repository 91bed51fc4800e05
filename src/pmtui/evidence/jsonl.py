"""JSON-lines logs: one JSON object per line (ECS, bunyan, pino, zap and the like).

The time is the first of ``@timestamp``, ``timestamp``, ``time``, ``ts``... (RFC 3339 text,
or epoch seconds / milliseconds / microseconds / nanoseconds told apart by size); the
text is ``message`` or ``msg`` (plus ``error`` when it adds something); the level is
``log.level`` (ECS), ``level`` (words, or pino/bunyan numbers 10-60), ``severity``...
Every line is an event of kind ``event``; ``min_level`` drops the lines below it
(lines without a level are kept). The source is ``log:<file name>``; a line's id is a
digest of the line, so the same line imported again is recognised.
"""

from __future__ import annotations

import json

from pmtui.errors import BadInput

from ._base import LineIds, Options, Parsed
from ._logs import TIME_KEYS, record_event

_decode = json.JSONDecoder().decode

KIND = "jsonl"
LABEL = "JSON-lines log"


def sniff_line(line: str) -> bool:
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return isinstance(record, dict) and any(k in record for k in TIME_KEYS)


def object_line(line: str) -> bool:
    """The line is one JSON object (whatever its keys)."""
    try:
        return isinstance(_decode(line), dict)
    except ValueError:
        return False


def sniff_record(record: object) -> bool:
    """A whole file that is one JSON object (a one-line log)."""
    return isinstance(record, dict) and any(k in record for k in TIME_KEYS) and any(
        k in record for k in ("msg", "message", "level", "log.level")
    )


def parse(text: str, name: str, opts: Options, min_level: str | None) -> Parsed:
    out = Parsed()
    ids = LineIds()
    source = f"log:{name}"
    lines = text.split("\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    for i, raw in enumerate(lines):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        number = i + 1
        try:
            record = _decode(line)
        except ValueError:
            if i == last and not text.endswith("\n"):
                raise BadInput(f"{name}:{number}: the last line is cut off (is the file truncated?)") from None
            raise BadInput(f"{name}:{number}: not a JSON object") from None
        if not isinstance(record, dict):
            raise BadInput(f"{name}:{number}: not a JSON object")
        record_event(
            record, line=line, number=number, name=name, source=source, source_id=ids(line), opts=opts, out=out,
            min_level=min_level,
        )
    return out
