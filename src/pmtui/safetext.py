"""Showing text that a person or a file supplied, exactly as it is and safely.

- ``visible(text)``: control characters and terminal escape sequences never reach the
  terminal raw; they are shown escaped, as ``ls`` and git do (``\\x1b``, ``\\r``), and
  the invisible bidirectional controls that reorder what follows (U+202A–U+202E,
  U+2066–U+2069, and the marks U+200E, U+200F, U+061C) are made visible as
  ``<U+202E>``. Line breaks (and tabs) stay, unless ``newlines=False``. Used by the
  command line (``list``, ``check``, error messages) and by the app.
- ``literal(text)``: the same text as a Rich ``Text`` for the app: never read as
  markup (``[b]``, ``[/var]``, ``[@click=…]`` show as typed) and never lost.
- ``guarded()``: the command line's one rule at the output boundary: while a command
  runs, whatever it writes to a terminal (stdout or stderr) is shown through
  ``visible``; a pipe or a file gets the exact bytes. Human-readable outputs (tables,
  summaries) also escape stored text themselves, so ``pmtui actions | head`` is safe.

Pure: no Textual (Rich is imported only when ``literal`` is used).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_NAMED = {"\r": "\\r", "\t": "\\t", "\n": "\\n"}
# C0 controls, DEL, C1 controls (0x9b is a one-byte CSI on some terminals) and bidi controls
_PATTERNS = {  # (keep line breaks, keep tabs): what is escaped
    (True, True): re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]"),
    (False, True): re.compile(f"[\x00-\x08\x0a-\x1f\x7f-\x9f{BIDI}]"),
    (True, False): re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI}]"),
    (False, False): re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI}]"),
}


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"<U+{code:04X}>"


def visible(text: object, *, newlines: bool = True, tabs: bool = True) -> str:
    """``text`` with every control character shown escaped (see the module's doc).

    ``newlines=False`` also shows line breaks as ``\\n`` (for one-line places, such as
    a table cell or a line of command-line output); ``tabs=False`` shows tabs as ``\\t``.
    """
    s = text if isinstance(text, str) else str(text)
    return _PATTERNS[newlines, tabs].sub(_escape, s)


def one_line(text: object) -> str:
    """``visible`` for one line: line breaks become spaces (a title in a list)."""
    s = text if isinstance(text, str) else str(text)
    return visible(s.replace("\r\n", " ").replace("\n", " "), newlines=False)


def literal(text: object, style: str = "", *, newlines: bool = True) -> Text:
    """Text for the app, shown literally: no markup, no actions, nothing lost, no raw
    control characters."""
    from rich.text import Text

    return Text(visible(text, newlines=newlines), style=style, end="")


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{BIDI}]")


def json_safe(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters that
    JSON leaves raw but a terminal acts on (DEL, C1 controls, bidi controls) written as
    ``\\uXXXX`` escapes: the same JSON value, safe to print. (JSON already escapes C0.)"""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


# ------------------------------------------------------------ the terminal
class TerminalText:
    """A text stream to a terminal that shows every control character escaped (as
    :func:`visible`: line breaks and tabs stay). The one rule for what pmtui prints:
    whatever a command writes to a terminal passes here (see :func:`guarded`), so no
    stored text can move the cursor, clear the screen or retitle the window; a pipe or
    a file (``-o``) gets the exact bytes."""

    def __init__(self, raw: IO[str]) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        self.raw.write(visible(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding, …
        if name == "buffer":  # bytes would pass raw: pmtui writes text to a terminal
            raise AttributeError(name)
        return getattr(self.raw, name)


def raw(stream: IO[str]) -> IO[str]:
    """The stream under a :class:`TerminalText` (for what draws on the terminal itself:
    the app, a progress bar)."""
    return stream.raw if isinstance(stream, TerminalText) else stream


def _guard(stream: IO[str]) -> IO[str]:
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # closed, or not a real stream
        return stream
    return TerminalText(stream) if tty and not isinstance(stream, TerminalText) else stream  # type: ignore[return-value]


@contextmanager
def guarded() -> Iterator[None]:
    """``sys.stdout`` and ``sys.stderr``, when they are terminals, escape control
    characters for the time of the block."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _guard(sys.stdout), _guard(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


@contextmanager
def unguarded() -> Iterator[None]:
    """The real streams for the block (the app draws with escape sequences of its own)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = raw(sys.stdout), raw(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
