"""logfmt logs: ``key=value`` pairs, values quoted when they hold spaces
(``time="2021-09-15T21:17:10.220731Z" level=error msg="..."``), as logrus, Heroku and
Go's slog write them. Keys and mapping as for JSON lines (``time``/``ts``, ``msg``,
``level``). The source is ``log:<file name>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pmtui.errors import BadInput

from ._base import LineIds, Options, Parsed
from ._logs import has_time, record_event

KIND = "logfmt"
LABEL = "logfmt log"
SHAPE = "lines"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 80

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


def sniff_line(line: str, opts: Options | None = None) -> bool:
    record = pairs(line)
    if record is None or len(record) < 2:
        return False
    first = next(iter(record.items()))
    if first[1] == "" and "=" not in line.split(None, 1)[0]:  # "2012-12-26T18:12:38+00:00 heroku[router]: ..."
        return False
    return has_time(record, opts or Options()) and any(k in record for k in ("msg", "message", "level", "lvl"))


def parse(lines: Iterable[tuple[int, str, bool]], name: str, opts: Options, min_level: str | None) -> Parsed:
    out = Parsed(opts.filter)
    ids = LineIds()
    source = f"log:{name}"
    for number, line, _ended in lines:
        if not line.strip():
            continue
        record = pairs(line)
        if record is None:
            raise BadInput(f"{name}:{number}: not a logfmt line (key=value pairs; is a quote left open?)")
        record_event(
            record, line=line, number=number, name=name, source=source, source_id=ids(line), opts=opts, out=out,
            min_level=min_level,
        )
    return out
