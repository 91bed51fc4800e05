"""Reading a review document file (``pmtui import``) with memory bounded by the
format's limits, not by the file (issue 23; docs/review-format.md, "Limits").

A file of at most :data:`~pmtui.domain.document.FILE_MAX_BYTES` is read whole and parsed
as before (:func:`pmtui.domain.document.parse_json_text`). A larger one is refused as
early as it can be:

1. by its size alone, unread, when it is larger than any document may be
   (:data:`~pmtui.domain.document.FILE_MAX_ALL`; standard input: once that much was read);
2. while it is parsed, as it is read: each item of a list is parsed by itself (the
   standard library's JSON scanner, with the same rules as for a whole file: duplicate
   keys, NaN, huge numbers, and the same error places), and the lists are counted as they
   grow; the first item past a list's limit (10,000 typed events, 200,000 imported evidence
   events, 1,000 items) stops the reading: the rest of the file is never read. No single
   value may take more than :data:`VALUE_MAX_CHARS` of the file (the longest a value the
   limits allow can be written in is far less);
3. once read to its end, when it is larger than the room its evidence events bring (4 MiB
   plus 2 KiB for each).

So refusing a file of a million events costs what reading the limit's worth does, in memory
and in time. A streaming JSON library was not needed: the standard library's scanner parses
each item at C speed, with the exact rules and error places of a whole-file parse.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import sys
from pathlib import Path
from typing import IO, Any

from pmtui.domain import document as d
from pmtui.errors import BadInput

CHUNK = 1 << 20
VALUE_MAX_CHARS = 16 * 1024 * 1024
"""The most text one value (a list's item, a field) may take in a file: the largest value
the limits allow (an event's text and original, 50,000 characters each, even written as
``\\uXXXX`` escapes) takes under 2 MiB."""
_NUL = b"\\u0000"  # U+0000 in a JSON string (the file cannot hold it otherwise)
_WS = re.compile(r"[ \t\n\r]*")
_AFTER = re.compile(r"[ \t\n\r]*([,\]}])[ \t\n\r]*")
_TRUNCATED = 16  # a decode error this close to the end of what was read may be a value cut by the chunk


class Read:
    """A parsed document file: its JSON value and whether it may hold U+0000 (its bytes
    hold the escape ``\\u0000``; only then need the store look for it)."""

    __slots__ = ("raw", "maybe_nul")

    def __init__(self, raw: Any, maybe_nul: bool) -> None:
        self.raw = raw
        self.maybe_nul = maybe_nul


def too_large_unread(where: str, size: int) -> BadInput:
    return BadInput(f"{where}: the file is {size:,} bytes, larger than {d.FILE_MAX_ALL:,} bytes, the most a review "
                    f"document may be ({d.FILE_MAX_BYTES // 2**20} MiB plus {d.EVIDENCE_BYTES // 1024} KiB for each of "
                    f"at most {d.EVIDENCE_MAX:,} imported evidence events); it was not read")


def read_file(name: str) -> Read:
    """The JSON value of a document file (``-``: standard input); BadInput with one sentence
    naming the file for any way it can be bad, its size and its lists' limits checked as
    early as they can be (see the module's words)."""
    if name == "-":
        return _read("<stdin>", sys.stdin.buffer)
    path = Path(name)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise BadInput(f"{name}: no such file") from None
    except OSError as exc:
        raise BadInput(f"{name}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise BadInput(f"{name}: is a folder, not a review file")
    if stat.S_ISREG(st.st_mode) and st.st_size > d.FILE_MAX_ALL:
        raise too_large_unread(name, st.st_size)
    try:
        with path.open("rb") as fh:
            return _read(name, fh)
    except OSError as exc:
        raise BadInput(f"{name}: cannot be read ({exc.strerror})") from None


def _read(where: str, fh: IO[bytes]) -> Read:
    head = fh.read(d.FILE_MAX_BYTES + 1)
    if len(head) <= d.FILE_MAX_BYTES:  # the usual file: whole, as always
        return Read(d.parse_json_text(head, where), _NUL in head)
    stream = _Stream(fh, where, head)
    raw = stream.document()
    # read to its end: the room its evidence events bring (a file cut short by a list's
    # limit was refused before)
    timeline = raw.get("timeline") if isinstance(raw, dict) else None
    evidence = d.count_evidence(timeline) if isinstance(timeline, list) else 0
    if stream.size > d.file_limit(evidence):
        raise d.too_large(where, stream.size, evidence)
    return Read(raw, stream.nul)


class _Stream:
    """A JSON document parsed as it is read: the top-level object and ``impact`` member by
    member, the lists item by item (each with the standard library's scanner)."""

    def __init__(self, fh: IO[bytes], where: str, head: bytes = b"") -> None:
        self.fh = fh
        self.head: bytes | None = head or None  # what was read of it already
        self.size = 0  # bytes read
        self.nul = False  # whether the escape of U+0000 occurs in the text read
        self.tail = ""
        self.where = where
        self.utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        # each item is its own parse, so the scanner's own sharing of equal keys ends with
        # it: the names of the document's fields are shared here instead (memory)
        known = _NAMES.get

        def pairs(found: list[tuple[str, Any]]) -> dict[str, Any]:
            out = {known(k, k): v for k, v in found}
            return out if len(out) == len(found) else d._pairs(found)  # a key twice: named there

        decoder = json.JSONDecoder(object_pairs_hook=pairs, parse_constant=d._no_constants)
        self.scan: Any = decoder.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.fed = 0  # bytes given to the UTF-8 decoder (after a BOM)
        self.lines = 0  # newlines in the text dropped from buf
        self.col = 0  # characters after the last of them
        self.first = True

    # ------------------------------------------------------------- the text
    def more(self) -> bool:
        """Read the next chunk into the buffer (the text already parsed is dropped)."""
        if self.eof:
            return False
        if self.pos:
            dropped = self.buf[: self.pos]
            newlines = dropped.count("\n")
            if newlines:
                self.lines += newlines
                self.col = len(dropped) - dropped.rindex("\n") - 1
            else:
                self.col += len(dropped)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        if self.head is not None:
            chunk, self.head = self.head, None
        else:
            chunk = self.fh.read(max(CHUNK, 1024) if self.first else CHUNK)  # the first: a BOM, a binary file's head
        self.size += len(chunk)
        if self.size > d.FILE_MAX_ALL:
            raise BadInput(f"{self.where}: the file is larger than {d.FILE_MAX_ALL:,} bytes, the most a review document "
                           f"may be ({d.FILE_MAX_BYTES // 2**20} MiB plus {d.EVIDENCE_BYTES // 1024} KiB for each of "
                           f"at most {d.EVIDENCE_MAX:,} imported evidence events); it was read no further")
        if self.first and chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        pending = len(self.utf8.getstate()[0])
        try:
            text = self.utf8.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            byte = self.fed - pending + exc.start
            raise BadInput(f"{self.where}: not a text file (byte {byte} is not UTF-8); expected a JSON review "
                           "document") from None
        self.fed += len(chunk)
        if self.first:
            self.first = False
            if "\x00" in text[:1024] and not text.lstrip().startswith(("{", "[")):
                raise BadInput(f"{self.where}: not a text file; expected a JSON review document")
        if not chunk:
            self.eof = True
        if not self.nul:
            self.nul = "\\u0000" in self.tail + text
            self.tail = text[-5:]
        self.buf += text
        return True

    def ws(self) -> None:
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]  # always matches
            if self.pos < len(self.buf) or not self.more():
                return

    def peek(self) -> str:
        """The next character after white space ("" at the end of the file)."""
        self.ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def fail(self, msg: str) -> BadInput:
        return self.syntax(json.JSONDecodeError(msg, self.buf, self.pos))

    def syntax(self, exc: json.JSONDecodeError) -> BadInput:
        """A decode error at a place in the buffer, as a whole-file parse words it."""
        pos = exc.pos
        before = self.buf.rfind("\n", 0, pos)
        line = self.lines + self.buf.count("\n", 0, pos) + 1
        column = pos - before if before >= 0 else self.col + pos + 1
        rest = self.buf if self.eof else self.buf + "x"  # an error before the end is never "ends too early"
        return d.json_error(self.where, rest, exc, line, column)

    def too_big(self, path: str) -> BadInput:
        return BadInput(f"{self.where}: {path or '(document)'}: a single value takes more than "
                        f"{VALUE_MAX_CHARS // 2**20} MiB of the file, far more than a review document can hold "
                        f"in one place (a text is at most {d.LONG_TEXT_MAX:,} characters)")

    # ------------------------------------------------------------- values
    def value(self, path: str) -> Any:
        """One whole value at the reading position (a list's item, a field)."""
        if self.pos >= len(self.buf) or self.buf[self.pos] in " \t\n\r":
            self.ws()
        while True:
            try:
                try:
                    found, end = self.scan(self.buf, self.pos)
                except StopIteration as err:
                    raise json.JSONDecodeError("Expecting value", self.buf, err.value) from None
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.buf) - _TRUNCATED
                if cut and not self.eof:
                    if len(self.buf) - self.pos > VALUE_MAX_CHARS:
                        raise self.too_big(path) from None
                    self.more()
                    continue
                raise self.syntax(exc) from None
            except ValueError as exc:
                if "integer string conversion" in str(exc):  # Python's own guard against huge numbers
                    raise BadInput(f"{self.where}: a number in the file has more than 4,300 digits; whole numbers "
                                   "must fit in 64 bits") from None
                raise BadInput(f"{self.where}: {exc}") from None
            except RecursionError:
                raise BadInput(f"{self.where}: the JSON is nested too deeply") from None
            if end > len(self.buf) - _TRUNCATED and not self.eof:  # a number may go on in the next chunk (38.5)
                self.more()
                continue
            self.pos = end
            return found

    def after_item(self, close: str) -> str:
        """The character after a list's item or an object's member (``,`` or ``close``),
        and the reading position past it and the white space around it."""
        m = _AFTER.match(self.buf, self.pos)
        if m is not None and m.end() < len(self.buf) and m.group(1) in (",", close):
            self.pos = m.end()
            return m.group(1)
        after = self.peek()  # past the end of what was read, or not what may follow: where it is
        if after in (",", close):
            self.pos += 1
        return after

    def document(self) -> Any:
        first = self.peek()
        if not first:
            raise BadInput(f"{self.where}: the file is empty")
        if first == "[":  # what validation would say, without reading the array
            raise BadInput(f"{self.where}: a review document must be a JSON object, found an array")
        found = self.object("") if first == "{" else self.value("")
        if self.peek():
            raise self.fail("Extra data")
        return found

    def object(self, path: str) -> dict[str, Any]:
        self.pos += 1  # {
        out: dict[str, Any] = {}
        if self.peek() == "}":
            self.pos += 1
            return out
        while True:
            if self.peek() != '"':
                raise self.fail("Expecting property name enclosed in double quotes")
            key = self.value(path)
            if self.peek() != ":":
                raise self.fail("Expecting ':' delimiter")
            self.pos += 1
            if key in out:
                raise BadInput(f"{self.where}: duplicate key {key!r}")
            full = f"{path}.{key}" if path else key
            kind = self.peek()
            if kind == "[" and (full in d.LIST_LIMITS or full not in _FIELDS):
                out[key] = self.array(full)
            elif kind == "{" and full == "impact":
                out[key] = self.object(full)
            else:
                out[key] = self.value(full)
            after = self.after_item("}")
            if after == "}":
                return out
            if after != ",":
                raise self.fail("Expecting ',' delimiter")

    def array(self, path: str) -> list[Any]:
        """A list item by item, refused at the first item past its limit; an unknown
        field's list (an error anyway) keeps only its first item."""
        self.pos += 1  # [
        items: list[Any] = []
        if self.peek() == "]":
            self.pos += 1
            return items
        limit = d.LIST_LIMITS.get(path)
        evidence = typed = n = 0
        while True:
            item = self.value(f"{path}[{n}]")
            if path == "timeline":
                if isinstance(item, dict) and isinstance(item.get("source_id"), str) and item["source_id"]:
                    evidence += 1
                    if evidence > d.EVIDENCE_MAX:
                        raise BadInput(f"{self.where}: timeline: at most {d.EVIDENCE_MAX:,} imported evidence events "
                                       f"(events with a source_id; this file has more: reading stopped at "
                                       f"timeline[{n}])")
                else:
                    typed += 1
                    if typed > d.EVENTS_MAX:
                        raise BadInput(f"{self.where}: timeline: at most {d.EVENTS_MAX:,} typed events (events "
                                       f"without a source_id; this file has more: reading stopped at timeline[{n}])")
                items.append(item)
            elif limit is not None:
                if n >= limit:
                    raise BadInput(f"{self.where}: {path}: at most {limit:,} items (this file has more: reading "
                                   f"stopped at {path}[{n}])")
                items.append(item)
            elif not items:
                items.append(item)
            n += 1
            after = self.after_item("]")
            if after == "]":
                return items
            if after != ",":
                raise self.fail("Expecting ',' delimiter")


_FIELDS = {*d.ReviewDoc.model_fields, *(f"impact.{name}" for name in d.Impact.model_fields)}
_NAMES = {name: name for model in (d.ReviewDoc, d.Event, d.Participant, d.Link, d.Impact, d.Component, d.Factor,
                                   d.Observation, d.ActionItem, d.Note, d.Became, d.MeetingTimes, d.StageTime)
          for name in model.model_fields}
