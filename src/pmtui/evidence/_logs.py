"""What the log kinds (jsonl, logfmt, csv, text) share: which keys hold the time, the text
and the level, and how one record becomes an event.

Keys are looked up as written (``log.level``, flat) and as a dotted path into nested
objects (``data.message``: CloudEvents; ``log.level``: ECS nested). ``--time-key``,
``--message-key`` and ``--level-key`` name other keys (several allowed, the first present
wins) and replace the common ones for that field; ``--time-format`` says how the time
is written (``s``, ``ms``, ``us``, ``ns`` since 1970, or a strptime layout).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from pmtui.domain.vocab import EventKind
from pmtui.errors import BadInput

from ._base import EPOCH, EvidenceEvent, LogKeys, Options, Parsed, below, normalise_level, parse_time

# In order of preference. ECS writes @timestamp, bunyan/pino "time", zap "ts", journald
# __REALTIME_TIMESTAMP (µs), Cloudflare Logpush EdgeStartTimestamp (ns or RFC 3339),
# Serilog's compact JSON "@t", log4j2's JSON "timeMillis". "at" only when it holds a time
# (Heroku writes the level there: at=info).
TIME_KEYS = ("@timestamp", "timestamp", "time", "ts", "t", "datetime", "date", "eventTime", "asctime",
             "__REALTIME_TIMESTAMP", "EdgeStartTimestamp", "@t", "Timestamp", "timeMillis", "at")
TEXT_KEYS = ("message", "msg", "MESSAGE", "@m", "@mt", "text", "body", "event", "log", "description", "summary",
             "data.message", "short_message", "textPayload", "jsonPayload.message")
LEVEL_KEYS = ("log.level", "level", "severity", "lvl", "loglevel", "levelname", "log_level", "severity_text", "sev",
              "@l", "PRIORITY", "at")
# An error's own words, wherever a logger puts them (zap/logrus/zerolog "error", slog
# groups "<group>.err", pino/bunyan "err": {message}, ECS "error.message").
ERROR_LEAVES = ("error", "err", "exception", "error.message")
# journald's PRIORITY is the syslog severity 0-7.
SYSLOG_LEVELS = ("critical", "critical", "critical", "error", "warning", "notice", "info", "debug")
UNITS = {"s": 1, "ms": 1_000, "us": 1_000_000, "µs": 1_000_000, "ns": 1_000_000_000}


def lookup(record: dict[str, Any], path: str) -> Any:
    """The value at ``path``: the key as written, else a dotted path into nested objects."""
    if path in record:
        return record[path]
    if "." not in path:
        return None
    node: Any = record
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def time_keys(opts: Options) -> tuple[str, ...]:
    return opts.keys.time if opts.keys and opts.keys.time else TIME_KEYS


def pick(record: dict[str, Any], keys: tuple[str, ...], *, time: bool = False) -> tuple[str, Any] | None:
    for key in keys:
        value = lookup(record, key)
        if value is not None and value != "":
            if time and key == "at" and normalise_level(value) is not None:  # Heroku: at=info is the level
                continue
            return key, value
    return None


def has_time(record: dict[str, Any], opts: Options) -> bool:
    return pick(record, time_keys(opts), time=True) is not None


def read_time(value: Any, where: str, opts: Options) -> datetime:
    """A time as ``--time-format`` says it is written, else as :func:`parse_time` reads it."""
    fmt = opts.keys.time_format if opts.keys else None
    if not fmt:
        return parse_time(value, where, opts)
    if fmt in UNITS:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise BadInput(f"{where}: not a number of {fmt} since 1970 (got {value!r:.50})")
        try:
            seconds = Decimal(str(value).strip()) / UNITS[fmt]
            if not seconds.is_finite() or abs(seconds) > 10**12:
                raise OverflowError
            return EPOCH + timedelta(seconds=int(seconds), microseconds=int((seconds % 1) * 1_000_000))
        except (InvalidOperation, OverflowError, ValueError):
            raise BadInput(f"{where}: not a number of {fmt} since 1970 (got {value!r:.50})") from None
    if not isinstance(value, str):
        raise BadInput(f"{where}: not a time written as {fmt!r} (got {value!r:.50})")
    try:
        parsed = datetime.strptime(value.strip(), fmt)
    except ValueError:
        raise BadInput(f"{where}: not a time written as {fmt!r} (got {value!r:.50})") from None
    if parsed.tzinfo is None:
        return local(parsed, where, value, opts)
    return parsed


def local(parsed: datetime, where: str, written: str, opts: Options) -> datetime:
    """A time written without an offset, read in the zone the call was given."""
    if opts.zone is None:
        raise BadInput(
            f"{where}: the time {written!r:.50} has no UTC offset; say which zone it is in "
            "(--zone, e.g. --zone Europe/Berlin)"
        )
    opts.zone_used = True
    try:
        at = parsed.replace(tzinfo=opts.zone)
        return at.replace(tzinfo=timezone(at.utcoffset() or timedelta(0)))
    except (OverflowError, ValueError):
        raise BadInput(f"{where}: not a time a review can hold (got {written!r:.50})") from None


def level_of(record: dict[str, Any], keys: LogKeys | None) -> str | None:
    found = pick(record, keys.level if keys and keys.level else LEVEL_KEYS)
    if found is None:
        return None
    key, value = found
    if key == "PRIORITY":
        text = str(value).strip()
        return SYSLOG_LEVELS[int(text)] if text.isdigit() and int(text) < 8 else None
    return normalise_level(value)


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value).decode("utf-8", "replace").strip() or None  # journald: a message that is not UTF-8
    return None


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _errors(record: dict[str, Any], skip: str | None, depth: int = 0, prefix: str = "") -> list[tuple[str, str]]:
    """(path, words) of every error value in the record, nested groups included."""
    found: list[tuple[str, str]] = []
    if depth > 6:
        return found
    for key, value in record.items():
        path = f"{prefix}{key}"
        if path == skip:
            continue
        if key in ERROR_LEAVES:
            words = _text(value)
            if words is None and isinstance(value, dict):
                words = _text(value.get("message")) or _text(value.get("msg")) or _text(value.get("error"))
                kind = _text(value.get("type")) or _text(value.get("kind"))
                if words and kind and kind not in words:
                    words = f"{kind}: {words}"
            if words:
                found.append((path, words))
                continue
        if isinstance(value, dict):
            found.extend(_errors(value, skip, depth + 1, path + "."))
    return found


def _pubsub_text(data: Any) -> str | None:
    """A Pub/Sub message's own words: ``data.message.data`` is base64 (Eventarc and Cloud
    Functions deliver Pub/Sub messages as CloudEvents that way)."""
    message = data.get("message") if isinstance(data, dict) else None
    encoded = message.get("data") if isinstance(message, dict) else None
    if not isinstance(encoded, str) or not encoded.strip():
        return None
    try:
        words = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    words = words.strip()
    return words if words and words.isprintable() else None


def _cloudevent(record: dict[str, Any]) -> str | None:
    """A CloudEvent (structured mode) without a message: a Pub/Sub message's words, else
    its type and subject, and where it came from."""
    if "specversion" not in record or not isinstance(record.get("type"), str):
        return None
    words = _pubsub_text(record.get("data"))
    if words:
        return words
    parts = [record["type"]]
    if isinstance(record.get("subject"), str) and record["subject"]:
        parts.append(record["subject"])
    if isinstance(record.get("source"), str) and record["source"]:
        parts.append(f"({record['source']})")
    return " ".join(parts)


def _summary(record: dict[str, Any], used: set[str]) -> str:
    """Readable words for a record without a message: a known shape, else its fields."""
    event = _cloudevent(record)
    if event:
        return event
    if "ClientRequestMethod" in record or "EdgeResponseStatus" in record:  # Cloudflare HTTP requests
        parts = [_scalar(record[k]) for k in ("ClientRequestMethod",) if k in record]
        target = "".join(_scalar(record[k]) for k in ("ClientRequestHost", "ClientRequestURI") if k in record)
        if not target and "ClientRequestPath" in record:
            target = _scalar(record["ClientRequestPath"])
        if target:
            parts.append(target)
        if "EdgeResponseStatus" in record:
            parts.append(f"-> {_scalar(record['EdgeResponseStatus'])}")
        if "RayID" in record:
            parts.append(f"(ray {_scalar(record['RayID'])})")
        if parts:
            return " ".join(parts)
    pairs = [f"{k}={_scalar(v)}" for k, v in record.items()
             if k not in used and not isinstance(v, (dict, list)) and v is not None and v != ""]
    text = " ".join(pairs)
    return text if len(text) <= 1000 else text[:999] + "…"


def record_text(record: dict[str, Any], line: str, keys: LogKeys | None, used: set[str]) -> str:
    text_value: str | None = None
    text_key: str | None = None
    for tkey in keys.message if keys and keys.message else TEXT_KEYS:
        candidate = _text(lookup(record, tkey))
        if candidate is not None:
            text_value, text_key = candidate, tkey
            break
    if text_value is not None and text_key == "MESSAGE":  # journald: say which unit wrote it
        ident = _text(record.get("SYSLOG_IDENTIFIER")) or _text(record.get("_SYSTEMD_UNIT")) or _text(
            record.get("_COMM"))
        if ident:
            text_value = f"{ident}: {text_value}"
    errors = _errors(record, text_key)
    if text_value is None and errors:
        # No message, but an error (zerolog's log.Error().Err(err).Msg("")): the error's
        # words are the text, the other fields after them.
        path, text_value = errors.pop(0)
        rest = _summary(record, used | {path.split(".")[0]})
        if rest:
            text_value = f"{text_value} ({rest})"
    if text_value is None:
        text_value = _summary(record, used) or line.strip()
    for path, words in errors:
        if words in text_value:
            continue
        text_value = f"{text_value}: {words}" if "." not in path else f"{text_value} ({path}: {words})"
    return text_value


def record_event(
    record: dict[str, Any], *, line: str, number: int, name: str, source: str, source_id: str, opts: Options,
    out: Parsed, min_level: str | None, where: str | None = None,
) -> None:
    where = where or f"{name}:{number}"
    tried = time_keys(opts)
    found = pick(record, tried, time=True)
    if found is None:
        raise BadInput(f"{where}: no time on this line (looked for {', '.join(tried)}; name the key with --time-key)")
    key, value = found
    at = read_time(value, f"{where}: {key}", opts)
    level = level_of(record, opts.keys)
    if below(level, min_level):
        out.skip("below the minimum level")
        return
    used = {key, *LEVEL_KEYS}
    out.add(
        EvidenceEvent(
            at=at,
            text=record_text(record, line, opts.keys, used),
            kind=EventKind.event,
            source=source,
            source_id=source_id,
            original=line,
            level=level,
            where=where,
        )
    )
