"""Reading evidence files with bounded memory (issue 22).

Every size is checked before the bytes are read: a file must be a regular file (not a
device, a pipe or a socket); a JSON document (an API response, a Slack export's
listing or day file, inside a zip or a folder) is at most :data:`JSON_MAX_BYTES`, by the
size the file system or the zip's directory states and again while reading (a zip can
state a wrong size); line-based logs are read one line at a time, each line at most
:data:`LINE_MAX_CHARS` characters (the most an event's original text can hold), so a
500 MB line is refused after reading :data:`LINE_MAX_BYTES`, not after reading it all.
A file in a Slack export folder that is a symbolic link leading out of the folder is
refused. Every problem is one :class:`pmtui.errors.BadInput` sentence naming the file.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from pmtui.domain.document import LONG_TEXT_MAX
from pmtui.errors import BadInput

JSON_MAX_BYTES = 64 * 1024 * 1024
"""The largest JSON document read whole (an API response, a Slack day file)."""
JSON_MAX_TOTAL = 256 * 1024 * 1024
"""The most JSON read whole in one call (every file and every export member)."""
LINE_MAX_CHARS = LONG_TEXT_MAX
"""The longest log line: the most an event's original text holds."""
LINE_MAX_BYTES = 4 * LINE_MAX_CHARS + 2  # UTF-8 takes at most 4 bytes a character, plus CR LF
ZIP_RATIO_MAX = 200
"""A zip member that inflates more than this many times its compressed size is refused."""
CHUNK = 1 << 20

Progress = Callable[[int], None]
"""Called with the bytes read so far (of the call's files), now and then."""


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def regular_file(path: Path, name: str) -> int:
    """The file's size; BadInput when it is missing, a folder or not a regular file
    (a device, a pipe, a socket): those are refused before they are opened."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise BadInput(f"{name}: no such file") from None
    except OSError as err:
        raise BadInput(f"{name}: cannot be read ({err.strerror or err})") from None
    if stat.S_ISDIR(st.st_mode):
        raise BadInput(f"{name}: is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise BadInput(f"{name}: is not a regular file (a device, a pipe or a socket); give a file")
    return st.st_size


class Budget:
    """How much JSON a call has read whole so far (see JSON_MAX_TOTAL), and progress."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.json_bytes = 0
        self.done = 0
        self.progress = progress

    def take_json(self, n: int, name: str) -> None:
        self.json_bytes += n
        if self.json_bytes > JSON_MAX_TOTAL:
            raise BadInput(f"{name}: the files of this call hold more than {_mib(JSON_MAX_TOTAL)} of JSON, the most "
                           "one import reads; import them in parts")

    def advance(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress(self.done)


def _too_big(name: str, size: int | None = None) -> BadInput:
    said = f" ({_mib(size)})" if size is not None else ""
    return BadInput(f"{name}: larger than {_mib(JSON_MAX_BYTES)}{said}, the most a JSON evidence file may be; "
                    "for a log, use JSON lines (one object a line), which is read line by line")


def read_limited(stream: BinaryIO, name: str, limit: int = JSON_MAX_BYTES) -> bytes:
    """At most ``limit`` bytes from a stream; BadInput past it (never reads more than limit + 1)."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(CHUNK, limit + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise _too_big(name)
    return b"".join(parts)


def read_json_bytes(path: Path, name: str, budget: Budget) -> bytes:
    """A whole (JSON) file, its size checked before reading."""
    size = regular_file(path, name)
    if size > JSON_MAX_BYTES:
        raise _too_big(name, size)
    budget.take_json(size, name)
    try:
        with open(path, "rb") as f:
            data = read_limited(f, name)
    except OSError as err:
        raise BadInput(f"{name}: cannot be read ({err.strerror or err})") from None
    budget.advance(len(data))
    return data


def head(path: Path, name: str, n: int = 64 * 1024) -> bytes:
    """The first bytes of a regular file (what detection reads)."""
    regular_file(path, name)
    try:
        with open(path, "rb") as f:
            return f.read(n)
    except OSError as err:
        raise BadInput(f"{name}: cannot be read ({err.strerror or err})") from None


def zip_member(z: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: Budget) -> bytes:
    """One member of a zip, its stated sizes checked first and its real size while inflating."""
    if info.file_size > JSON_MAX_BYTES:
        raise _too_big(where, info.file_size)
    if info.file_size > 1024 * 1024 and info.file_size > ZIP_RATIO_MAX * max(info.compress_size, 1):
        raise BadInput(f"{where}: inflates {info.file_size // max(info.compress_size, 1):,} times its size in the "
                       "zip; refused as a zip bomb")
    budget.take_json(info.file_size, where)
    try:
        with z.open(info) as f:
            data = read_limited(f, where)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError):
        raise BadInput(f"{where}: cannot be read from the export (is it cut off?)") from None
    budget.advance(info.compress_size)
    return data


def inside(root: Path, path: Path, name: str) -> None:
    """A file of an export folder must stay inside it (a symbolic link may not lead out)."""
    try:
        real = path.resolve(strict=True)
        base = root.resolve(strict=True)
    except (OSError, RuntimeError):
        raise BadInput(f"{name}: cannot be read (a broken or looping link)") from None
    if real != base and base not in real.parents:
        raise BadInput(f"{name}: a link that leads out of the export folder; refused")


def lines(path: Path, name: str, budget: Budget) -> Iterator[tuple[int, str, bool]]:
    """(line number, the line without its end, whether it ended with a newline), one at a
    time; each line at most LINE_MAX_CHARS characters, decoded as UTF-8 (a BOM at the start
    is dropped). Blank lines are yielded too (the caller skips them)."""
    regular_file(path, name)
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below, the generator may stop early
    except OSError as err:
        raise BadInput(f"{name}: cannot be read ({err.strerror or err})") from None
    with f:
        number = 0
        pending = 0
        while True:
            try:
                raw = f.readline(LINE_MAX_BYTES)
            except OSError as err:
                raise BadInput(f"{name}: cannot be read ({err.strerror or err})") from None
            if not raw:
                break
            number += 1
            ended = raw.endswith(b"\n")
            if not ended and len(raw) >= LINE_MAX_BYTES:
                raise _long_line(name, number)
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadInput(f"{name}:{number}: not UTF-8 text") from None
            text = text[:-1] if ended else text
            if text.endswith("\r"):
                text = text[:-1]
            if len(text) > LINE_MAX_CHARS:
                raise _long_line(name, number)
            pending += len(raw)
            if pending >= CHUNK:
                budget.advance(pending)
                pending = 0
            yield number, text, ended
        budget.advance(pending)


def _long_line(name: str, number: int) -> BadInput:
    return BadInput(f"{name}:{number}: the line is longer than {LINE_MAX_CHARS:,} characters, the most an "
                    "event's original text can hold")
