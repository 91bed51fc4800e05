"""Writing a file so that a crash never leaves half of it: the one way pmtui does it.

The new content goes to a temp file in the same folder (so the rename is atomic: same
file system), is flushed to the disk, then renamed over the file. A new file gets the
mode the user's umask gives (like any program's ``>``), an existing one keeps its
mode. :func:`write_text` also writes through what is not a regular file (``/dev/stdout``,
a FIFO, a process substitution) instead of replacing it.

Used by the wiki and report exports, the config file and ``pmtui db backup``.
Standard library only (and pmtui.safetext, for a terminal).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# temp files end so; a folder's leftovers of a killed run are found by it (wiki export)
TEMP_SUFFIX = ".pmtui-tmp"


def umask() -> int:
    """The process's umask; read from /proc where it can be (setting it to read it races threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """The rename itself reaches the disk (best effort: not every system can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def replacing(path: Path, mode: int | None = None) -> Iterator[Path]:
    """A temp file beside ``path`` for the caller to fill (by its name); when the block
    ends without an error it is flushed to the disk and renamed over ``path``, else it
    is removed and ``path`` is untouched. Its mode is ``mode``, else the existing
    file's, else what the umask gives a new file."""
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~umask()
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    tmp = Path(name)
    try:
        try:
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        yield tmp
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def write_atomic(path: Path, text: str) -> None:
    """Replace the regular file ``path`` by ``text`` (UTF-8, ``\\n`` line ends) in one step."""
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to what ``path`` is.

    A symlink is followed and its target written; a FIFO, a device, ``/dev/stdout``
    or a process substitution (``/dev/fd/63``) is opened and written through, never
    replaced by a regular file (a terminal gets the text with its control characters
    shown escaped, :func:`pmtui.safetext.visible`); only a regular file (or a new one)
    is replaced atomically. Raises IsADirectoryError for a folder."""
    data = text.encode("utf-8")
    try:
        st = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        st = None
    special = str(path).startswith(("/dev/", "/proc/"))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if st is not None and (not stat.S_ISREG(st.st_mode) or special):
        # /dev/stdout onto a file opened with > or >>: append at its end, never truncate.
        flags = os.O_WRONLY | (os.O_APPEND if stat.S_ISREG(st.st_mode) else 0)
        fd = os.open(path, flags)
        try:
            if os.isatty(fd):  # -o /dev/stdout or /dev/tty on a terminal: shown as every output to one is
                from pmtui.safetext import visible

                data = visible(text).encode("utf-8")
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        return
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    write_atomic(target, text)
