"""logfmt logs: ``key=value`` pairs, values quoted when they hold spaces
(``time="2021-09-15T21:17:10.220731Z" level=error msg="..."``), as logrus, Heroku and
Go's slog write them. Keys and mapping as for JSON lines (``time``/``ts``, ``msg``,
``level``). The source is ``log:<file name>``.
"""

from __future__ import annotations

import re

from pmtui.errors import BadInput

from ._base import LineIds, Options, Parsed
from ._logs import TIME_KEYS, record_event

KIND = "logfmt"
LABEL = "logfmt log"

_PAIR = re.compile(r'\s*([^\s="]+)(?:=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*)))?')
_ESC = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def pairs(line: str) -> dict[str, str] | None:
    """The pairs of one logfmt line, or None when it is not logfmt."""
    out: dict[str, str] = {}
    pos = 0
    end = len(line.rstrip())
    while pos < end:
        m = _PAIR.match(line, pos)
        if not m or m.end() == pos:
            return None
        key, quoted, bare = m.groups()
        if quoted is not None:
            out[key] = _ESC.sub(lambda e: _ESCAPES.get(e.group(1), e.group(1)), quoted)
        else:
            out[key] = bare if bare is not None else ""
        pos = m.end()
        if pos < end and not line[pos].isspace():
            return None
    return out


def sniff_line(line: str) -> bool:
    record = pairs(line)
    return record is not None and len(record) >= 2 and any(k in record for k in TIME_KEYS) and any(
        k in record for k in ("msg", "message", "level", "lvl")
    )


def parse(text: str, name: str, opts: Options, min_level: str | None) -> Parsed:
    out = Parsed()
    ids = LineIds()
    source = f"log:{name}"
    for i, raw in enumerate(text.split("\n")):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        number = i + 1
        record = pairs(line)
        if record is None:
            raise BadInput(f"{name}:{number}: not a logfmt line (key=value pairs; is a quote left open?)")
        record_event(
            record, line=line, number=number, name=name, source=source, source_id=ids(line), opts=opts, out=out,
            min_level=min_level,
        )
    return out
