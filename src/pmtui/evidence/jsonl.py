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

A file that is one JSON document is read whole when it is one record printed over several
lines (as docs and ``kubectl logs`` show them) or an array of records (``gcloud logging
read --format json``); a record's id is then a digest of its compact JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pmtui.errors import BadInput

from ._base import LineIds, Options, Parsed
from ._logs import LEVEL_KEYS, TEXT_KEYS, has_time, pick, record_event

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


def _record_like(record: object, opts: Options) -> bool:
    # CloudEvents in structured mode (``specversion``) are events even without a message
    return isinstance(record, dict) and has_time(record, opts) and (
        bool(opts.keys) or "specversion" in record
        or pick(record, TEXT_KEYS) is not None or pick(record, LEVEL_KEYS) is not None
    )


def records_of(doc: object) -> list[dict[str, Any]] | None:
    """The log records of a JSON document: one object (a record printed over several
    lines, as docs and ``kubectl logs`` show them) or an array of objects (``gcloud
    logging read --format json``); None for anything else."""
    if isinstance(doc, dict):
        return [doc]
    if isinstance(doc, list) and doc and all(isinstance(item, dict) for item in doc):
        return doc
    return None


def sniff_record(record: object, opts: Options | None = None) -> bool:
    """A whole file that is one log record (one object, on one line or several) or an
    array of them."""
    opts = opts or Options()
    records = records_of(record)
    return records is not None and all(_record_like(r, opts) for r in records[:3])


def parse_records(records: list[dict[str, Any]], name: str, opts: Options, min_level: str | None) -> Parsed:
    """A JSON document's records (see :func:`records_of`); a place is the record's number
    in an array, none for a single object."""
    out = Parsed(opts.filter)
    ids = LineIds()
    source = f"log:{name}"
    for number, record in enumerate(records, 1):
        text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        record_event(
            record, line=text, number=number, name=name, source=source, source_id=ids(text), opts=opts, out=out,
            min_level=min_level, where=f"{name}: record {number}" if len(records) > 1 else name,
        )
    return out


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
