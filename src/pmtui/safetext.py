"""Showing text that a person or a file supplied, exactly as it is and safely.

- ``visible(text)``: control characters and terminal escape sequences never reach the
  terminal raw; they are shown escaped, as ``ls`` and git do (``\\x1b``, ``\\r``), and
  the invisible bidirectional controls that reorder what follows (U+202A–U+202E,
  U+2066–U+2069, and the marks U+200E, U+200F, U+061C) are made visible as
  ``<U+202E>``. Line breaks (and tabs) stay, unless ``newlines=False``. Used by the
  command line (``list``, ``check``, error messages) and by the app.
- ``literal(text)``: the same text as a Rich ``Text`` for the app: never read as
  markup (``[b]``, ``[/var]``, ``[@click=…]`` show as typed) and never lost.

Pure: no Textual (Rich is imported only when ``literal`` is used).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

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
