"""What the log kinds (jsonl, logfmt, csv) share: which keys hold the time, the text
and the level, and how one record becomes an event."""

from __future__ import annotations

from typing import Any

from pmtui.document import EventKind
from pmtui.errors import BadInput

from ._base import EvidenceEvent, Options, Parsed, below, normalise_level, parse_time

# In order of preference. ECS writes @timestamp, bunyan/pino "time", zap "ts".
TIME_KEYS = ("@timestamp", "timestamp", "time", "ts", "t", "datetime", "date", "eventTime", "asctime", "at")
TEXT_KEYS = ("message", "msg", "text", "body", "event", "log", "description", "summary")
LEVEL_KEYS = ("log.level", "level", "severity", "lvl", "loglevel", "levelname", "log_level", "severity_text", "sev")
ERROR_KEYS = ("error", "err", "error.message")


def pick(record: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, Any] | None:
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return key, value
    return None


def record_event(
    record: dict[str, Any], *, line: str, number: int, name: str, source: str, source_id: str, opts: Options,
    out: Parsed, min_level: str | None,
) -> None:
    where = f"{name}:{number}"
    found = pick(record, TIME_KEYS)
    if found is None:
        raise BadInput(f"{where}: no time on this line (looked for {', '.join(TIME_KEYS[:5])})")
    key, value = found
    at = parse_time(value, f"{where}: {key}", opts)
    level_value = pick(record, LEVEL_KEYS)
    if level_value is None and isinstance(record.get("log"), dict):  # ECS nested form
        nested = record["log"].get("level")
        level_value = ("log.level", nested) if nested is not None else None
    level = normalise_level(level_value[1]) if level_value else None
    if below(level, min_level):
        out.skip("below the minimum level")
        return
    text_value = None
    for tkey in TEXT_KEYS:
        candidate = record.get(tkey)
        if isinstance(candidate, str) and candidate.strip():
            text_value = candidate.strip()
            break
    if text_value is None:
        text_value = line.strip()
    for ekey in ERROR_KEYS:
        err = record.get(ekey)
        if isinstance(err, str) and err.strip() and err.strip() not in text_value:
            text_value = f"{text_value}: {err.strip()}"
            break
    out.events.append(
        EvidenceEvent(
            at=at,
            text=text_value,
            kind=EventKind.event,
            source=source,
            source_id=source_id,
            original=line,
            level=level,
            where=where,
        )
    )
