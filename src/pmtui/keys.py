"""Keys are declared once: each action's :class:`~textual.binding.Binding` (its key, its
``id``, its footer ``description`` and, as ``tooltip``, the sentence help shows) is the
only place a key is written down. The footer, help (F1) and the command palette (ctrl+p)
all read the bindings; this module only says how to show them.

Binding ids say where a key works: ``app.*`` (the whole app), ``go.*`` and ``meeting.*``
(every section of a review) are listed under "Everywhere" in help; the others belong to
the screen (or a list or table on it) and are listed under "This screen"."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from textual.binding import Binding

EVERYWHERE = ("app.", "go.", "meeting.")

# Keys a web browser keeps for itself (new window or tab, closing, switching tabs, quitting,
# full screen): a seat in `pmtui serve` never receives them. Every action bound to one of
# them has a second key outside this set (ctrl+n / ctrl+l: a note; ctrl+t / ctrl+b: the next
# stage), and help lists both.
BROWSER_RESERVED = frozenset({
    "ctrl+n", "ctrl+t", "ctrl+w", "ctrl+shift+n", "ctrl+shift+t", "ctrl+shift+w", "ctrl+tab", "ctrl+shift+tab",
    "ctrl+pageup", "ctrl+pagedown", "ctrl+q", "ctrl+shift+q", "alt+f4", "f11",
})


def browser_keys(binding: Binding) -> list[str]:
    """The binding's keys that a browser passes on to a `pmtui serve` seat."""
    return [k for k in (key.strip() for key in binding.key.split(",")) if k not in BROWSER_RESERVED]

KEY_WORDS = {"question_mark": "?", "left": "←", "right": "→", "up": "↑", "down": "↓", "escape": "Esc",
             "slash": "/", "pageup": "pgup", "pagedown": "pgdn"}


def key_label(key: str) -> str:
    """How help writes a key: ``ctrl+z``, ``F2``, ``?``, ``ctrl+←``, ``Esc``."""
    parts = key.split("+")
    last = parts[-1]
    if len(last) > 1 and last[0] == "f" and last[1:].isdigit():
        last = last.upper()
    parts[-1] = KEY_WORDS.get(last, last)
    return "+".join(parts)


def short_key(key: str) -> str:
    """How the stage bar writes a key, in as few cells as it can: ``^o``, ``F2``."""
    label = key_label(key.split(",")[0].strip())
    return "^" + label[5:] if label.startswith("ctrl+") else label


def section_bindings(action: str, id_prefix: str, **options: Any) -> list[Binding]:
    """The keys that go to each section (vocab.SECTION_TABLE): ``action('timeline')`` on F3 and
    so on; the footer shows the F-keys once, as "Sections F2…F7"."""
    from pmtui.domain.vocab import SECTION_TABLE

    fkeys = [r for r in SECTION_TABLE if r.key.startswith("f")]
    text = ", ".join(r.label for r in fkeys)
    out = []
    for row in SECTION_TABLE:
        first = row is fkeys[0]
        tooltip = text if row in fkeys else f"{row.label}: {OPENING_TEXT}" if row.key == "ctrl+o" else row.label
        out.append(Binding(row.key, f"{action}('{row.section.value}')", "Sections" if first else row.label,
                           show=first, key_display=f"{key_label(fkeys[0].key)}…{key_label(fkeys[-1].key)}"
                           if first else None, id=f"{id_prefix}{row.section.value}", tooltip=tooltip, **options))
    return out


OPENING_TEXT = "ground rules, agenda, who is in the room; s starts the meeting"


def is_everywhere(binding: Binding) -> bool:
    return binding.id is not None and binding.id.startswith(EVERYWHERE)


def in_help(binding: Binding) -> bool:
    """pmtui's own keys (they have ids) with something to say; Textual's are its own."""
    return bool(binding.id) and bool(binding.description)


def help_text(binding: Binding) -> str:
    """What help says about a key: its sentence (the tooltip), else its footer words."""
    return binding.tooltip or binding.description


def help_rows(bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    """One row per sentence, in the order declared: keys that share a sentence (F2 … F7,
    the marks 1 … 6, F1 and ?) share a row; three keys or more are shown as a range."""
    keys_by_text: dict[str, list[str]] = {}
    for binding in bindings:
        if not in_help(binding):
            continue
        keys = keys_by_text.setdefault(help_text(binding), [])
        for key in binding.key.split(","):
            label = key_label(key.strip())
            if label not in keys:
                keys.append(label)
    return [(f"{keys[0]} … {keys[-1]}" if len(keys) >= 3 and _a_run(keys) else "  ".join(keys), text)
            for text, keys in keys_by_text.items()]


def _a_run(labels: list[str]) -> bool:
    """F2 F3 … F7 or 1 2 … 6: one prefix, numbers one apart (a key moved by the user's
    keymap breaks the run, and help then lists every key)."""
    import re

    parts = [re.fullmatch(r"(.*?)(\d+)", label) for label in labels]
    if not all(parts) or len({m.group(1) for m in parts if m}) != 1:
        return False
    numbers = [int(m.group(2)) for m in parts if m]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def palette_bindings(bindings: Iterable[Binding]) -> Iterator[Binding]:
    """The bindings the command palette offers: every one help shows, once per action
    (moving between sections is offered as "Go to: …", the palette itself not at all)."""
    seen: set[str] = set()
    for binding in bindings:
        if not in_help(binding) or binding.action in seen:
            continue
        if binding.action.startswith(("section(", "go(", "command_palette")):
            continue
        seen.add(binding.action)
        yield binding


# ------------------------------------------------------------------ the user's keymap (pmtui.keymap)
def with_keymap(bindings: Iterable[Binding], keymap: Mapping[str, str]) -> list[Binding]:
    """The bindings as the keymap has them (what help and the footer show)."""
    out = []
    for b in bindings:
        keys = keymap.get(b.id or "")
        out.append(b.with_key(key=keys, key_display=None) if keys else b)
    return out


# ------------------------------------------------------------------ keys after Tab
FOCUS_ACTIONS = {"focus_next", "focus_previous", "app.focus_next", "app.focus_previous", "screen.focus_next",
                 "screen.focus_previous"}


async def move_focus_in_order(app: Any, event: Any) -> bool:
    """Tab (or shift+tab) moves the focus when the app takes the key from the terminal, in
    the order keys were typed; True when it did (the key is then used up).

    Textual (8.2.8) hands every key to the focused widget's queue, and a key that no widget
    uses climbs from there, one queue at a time, to the screen's bindings, where Tab's
    focus move runs: the app meanwhile hands the keys typed after it to the widget that
    still has the focus. On a loaded machine (or a browser seat sending a burst), words
    typed just after Tab landed in the previous field. Here the focus moves before the
    next key is even looked at. Keys a widget uses itself (a text area that indents with
    Tab, a ``key_tab`` handler) go the usual way."""
    from textual.widgets import TextArea

    if event.key not in ("tab", "shift+tab") or event.is_forwarded:
        return False
    screen = app.screen
    focused = screen.focused
    if focused is None:
        return False
    if isinstance(focused, TextArea) and focused.tab_behavior == "indent":
        return False
    if getattr(focused, "KEEPS_KEYS", False):  # a section's loading line keeps it for its content
        return False
    for node in focused.ancestors_with_self:
        if node is screen:
            break
        if getattr(node, "key_tab", None) or getattr(node, "_key_tab", None):
            return False
    if await app._check_bindings(event.key, priority=True):  # what the app would do first anyway
        return True
    for namespace, bindings in screen._modal_binding_chain:
        for binding in bindings.key_to_bindings.get(event.key, ()):
            if binding.priority:
                continue
            if binding.action not in FOCUS_ACTIONS:
                return False  # another binding owns the key: the usual way
            app.app_focus = True
            screen._clear_tooltip()
            return bool(await app.run_action(binding.action, namespace))
    return False
