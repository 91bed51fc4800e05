"""CSV (comma, semicolon or tab separated) with a header row: a time column (``time``,
``timestamp``, ``at``, ``date``...) and a text column (``text``, ``message``, ``msg``,
``event``...), and optionally ``kind`` (event, alert, action, decision, communication,
change), ``source`` (e.g. "deploy log"; default ``csv:<file name>``) and ``level``.
Spreadsheets and hand-kept incident notes export to this.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from pmtui.domain.vocab import EventKind
from pmtui.errors import BadInput

from ._base import EvidenceEvent, LineIds, Options, Parsed, below, join_or, normalise_level
from ._logs import read_time

KIND = "csv"
LABEL = "CSV"
SHAPE = "lines"  # how pmtui.evidence reads it (see _registry.py)
ORDER = 90

TIME_COLUMNS = ("time", "timestamp", "at", "datetime", "date", "ts", "@timestamp", "when")
TEXT_COLUMNS = ("text", "message", "msg", "event", "description", "summary", "what")


def _delimiter(sample: str) -> str:
    """Comma, semicolon or tab: whichever the header line holds most of."""
    header = sample.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def _columns(header: list[str]) -> dict[str, int]:
    return {h.strip().lower().lstrip("\ufeff"): i for i, h in enumerate(header)}


def _line(row: list[str], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="").writerow(row)
    return buf.getvalue()


def _header(text: str) -> dict[str, int]:
    first = text[:4096].lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    if not any(sep in first for sep in ",;\t"):
        return {}
    try:
        return _columns(next(csv.reader([first], delimiter=_delimiter(first)), []))
    except csv.Error:
        return {}


def sniff(text: str) -> bool:
    """A header with a time column and a text column."""
    cols = _header(text)
    return any(c in cols for c in TIME_COLUMNS) and any(c in cols for c in TEXT_COLUMNS)


def tabular(text: str) -> bool:
    """A header with at least a time or a text column (then a missing one is named)."""
    cols = _header(text)
    return any(c in cols for c in TIME_COLUMNS + TEXT_COLUMNS)


def _rows(lines: Iterable[tuple[int, str, bool]]) -> Iterator[str]:
    for _number, line, ended in lines:
        yield line + "\n" if ended else line


def parse(lines: Iterable[tuple[int, str, bool]], name: str, opts: Options, min_level: str | None) -> Parsed:
    source_lines = iter(lines)
    first = next(source_lines, None)
    if first is None:
        raise BadInput(f"{name}: the file is empty")
    delimiter = _delimiter(first[1])

    def again() -> Iterator[tuple[int, str, bool]]:
        yield first
        yield from source_lines

    reader = csv.reader(_rows(again()), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise BadInput(f"{name}: the file is empty") from None
    except csv.Error as err:
        raise BadInput(f"{name}:1: not valid CSV ({err})") from None
    cols = _columns(header)
    time_col = next((cols[c.lower()] for c in (opts.keys.time if opts.keys and opts.keys.time else TIME_COLUMNS)
                     if c.lower() in cols), None)
    text_col = next((cols[c.lower()] for c in (opts.keys.message if opts.keys and opts.keys.message else TEXT_COLUMNS)
                     if c.lower() in cols), None)
    if time_col is None:
        raise BadInput(f"{name}:1: the header has no time column (looked for "
                       f"{', '.join(opts.keys.time if opts.keys and opts.keys.time else TIME_COLUMNS)}; "
                       "name it with --time-key)")
    if text_col is None:
        raise BadInput(f"{name}:1: the header has no text column (looked for "
                       f"{', '.join(opts.keys.message if opts.keys and opts.keys.message else TEXT_COLUMNS)}; "
                       "name it with --message-key)")
    kind_col = cols.get("kind")
    source_col = cols.get("source")
    level_names = opts.keys.level if opts.keys and opts.keys.level else ("level", "severity")
    level_col = next((cols[c.lower()] for c in level_names if c.lower() in cols), None)
    out = Parsed(opts.filter)
    ids = LineIds()
    default_source = f"csv:{name}"
    kinds = {k.value for k in EventKind}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise BadInput(f"{name}:{reader.line_num}: not valid CSV ({err})") from None
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name}:{number}"
        if len(row) != len(header):
            raise BadInput(f"{where}: {len(row)} values for {len(header)} columns")
        level = normalise_level(row[level_col]) if level_col is not None else None
        if below(level, min_level):
            out.skip("below the minimum level")
            continue
        body = row[text_col].strip()
        if not body:
            raise BadInput(f"{where}: the {header[text_col].strip()} column is empty")
        kind = EventKind.event
        if kind_col is not None and row[kind_col].strip():
            word = row[kind_col].strip().lower()
            if word not in kinds:
                raise BadInput(f"{where}: kind {row[kind_col]!r} is not one of {join_or(sorted(kinds))}")
            kind = EventKind(word)
        source = row[source_col].strip() if source_col is not None and row[source_col].strip() else default_source
        original = "\x1f".join(row)
        out.add(
            EvidenceEvent(
                at=read_time(row[time_col], f"{where}: {header[time_col].strip()}", opts),
                text=body,
                kind=kind,
                source=source,
                source_id=ids(original),
                original=_line(row, delimiter),
                level=level,
                where=where,
            )
        )
    return out
