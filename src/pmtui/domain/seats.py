"""Seats: the people in a review meeting, each at their own pmtui (pure; no Textual).

A seat has a name (``--as NAME`` for one process, else the config's default name). The
review's participants list gives each name a role; the roles decide who moves the
meeting on (only a facilitator's seat does, when the review names one). Presence rows
(see ``Store.heartbeat``) say who is in a review now; a row not renewed within
``PRESENCE_TTL`` seconds is gone (a seat that quit or was killed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

PRESENCE_TTL = 10.0      # seconds a presence row stays without a heartbeat
HEARTBEAT_EVERY = 3.0    # seconds between a seat's heartbeats

ROLE_WORDS = {"facilitator": "facilitating", "note-taker": "notes", "participant": "here"}


def normal_role(role: str) -> str:
    """facilitator / note-taker / participant, from what a participants row says."""
    r = " ".join((role or "").strip().lower().replace("_", " ").replace("-", " ").split())
    if r in ("facilitator", "facilitating", "moderator"):
        return "facilitator"
    if r in ("note taker", "notetaker", "notes", "scribe"):
        return "note-taker"
    return "participant"


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold() and bool(a.strip())


def role_of(participants: Iterable[dict[str, Any]], name: str) -> str:
    """The role of the seat named ``name`` in this review ('participant' if not listed)."""
    for p in participants:
        if same_name(p.get("name") or "", name):
            return normal_role(p.get("role") or "")
    return "participant"


def facilitators(participants: Iterable[dict[str, Any]]) -> list[str]:
    return [p["name"] for p in participants if normal_role(p.get("role") or "") == "facilitator"]


def may_move_meeting(participants: list[dict[str, Any]], name: str) -> tuple[bool, str]:
    """Whether this seat may start, pause, resume, advance or end the meeting; when not,
    the sentence that says who can. A review that names no facilitator lets any seat."""
    names = facilitators(participants)
    if not names:
        return True, ""
    if any(same_name(n, name) for n in names):
        return True, ""
    who = " or ".join(names)
    seat = f"this seat is {name}" if name.strip() else "this seat has no name yet (its first note asks for one)"
    return False, f"Only the facilitator ({who}) moves the meeting on; {seat}. Nothing was changed."


def _people(seats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per name: facilitators first, then note-takers, then the rest."""
    order = {"facilitator": 0, "note-taker": 1, "participant": 2}
    seen: dict[str, dict[str, Any]] = {}
    for s in seats:
        key = " ".join((s.get("name") or "").split()).casefold()
        if key and key not in seen:
            seen[key] = {**s, "name": " ".join(s["name"].split())}
    return sorted(seen.values(), key=lambda s: (order.get(s.get("role") or "participant", 2), s["name"].casefold()))


def short_name(name: str) -> str:
    """'Amara O.' for 'Amara Okafor' (a one-word name stays as it is; a seat without a
    name, shown as '(a seat without a name)', is 'a seat', never '(a n.')."""
    if name.startswith("("):
        return "a seat"
    words = name.split()
    if len(words) < 2:
        return name
    return f"{words[0]} {words[-1][0]}."


def presence_line(seats: list[dict[str, Any]], me: str = "", limit: int = 2, short: bool = False) -> str:
    """``Amara Okafor · facilitating  Jonas Weber · notes  +2``: facilitators first,
    then note-takers, then the rest; one entry per name, ``limit`` of them named
    (``short``: 'Amara O.'); 0 named: '4 here'."""
    people = _people(seats)
    if not people:
        return ""
    if limit <= 0:
        return f"{len(people)} here"
    name = short_name if short else (lambda n: n)
    shown = [f"{name(s['name'])} · {ROLE_WORDS.get(s.get('role') or 'participant', 'here')}" for s in people[:limit]]
    rest = len(people) - limit
    return "  ".join(shown) + (f"  +{rest}" if rest > 0 else "")


HEADER_CHROME = 18  # Textual's Header: the icon (8 cells) and the clock's place (10)
TITLE_AT_LEAST = 20  # cells of the review's title kept before the presence line shrinks


def _cells(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


def cut_words(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, cut at a word's end with '…' (a single word
    longer than that is cut inside it, the only way it fits)."""
    if _cells(text) <= width:
        return text
    if width <= 1:
        return "…"[:max(width, 0)]
    words, out = text.split(" "), ""
    for w in words:
        nxt = f"{out} {w}" if out else w
        if _cells(nxt) + 1 > width:
            break
        out = nxt
    if not out:  # one long first word
        for ch in text:
            if _cells(out + ch) + 1 > width:
                break
            out += ch
    return out.rstrip(" ,;:·-—") + "…"


def fit_header(title: str, section: str, seats: list[dict[str, Any]], width: int,
               extra: tuple[str, ...] = ()) -> tuple[str, str]:
    """The header's (title, sub title) for a screen ``width`` cells wide, so that the whole
    line ``title — section · presence · extra`` fits and nothing is cut inside a word:
    the ``extra`` parts show only beside the whole title (the first of them go first); then
    names shorten ('Amara O.'),
    then fewer are named ('+3'), then only a count ('4 here'), keeping the title's first
    words (:data:`TITLE_AT_LEAST` cells, cut after a word with '…'); only then does the
    presence line go."""
    room = max(0, width - HEADER_CHROME)
    levels = [presence_line(seats, limit=2), presence_line(seats, limit=2, short=True),
              presence_line(seats, limit=1, short=True), presence_line(seats, limit=0), ""]
    levels = list(dict.fromkeys(levels))  # the same line once (few seats)
    whole, least = _cells(title), min(_cells(title), TITLE_AT_LEAST)
    for line in levels:
        # the extra parts only beside the whole title; without them, a few words of it do
        # the first extra parts go first (the last is the shortest: a key hint, say)
        tries = [((section, line, *extra[k:]), whole) for k in range(len(extra))] + [((section, line), least)]
        for parts, want in tries:
            sub = " · ".join(p for p in parts if p)
            left = room - _cells(sub) - 3  # " — "
            if left >= want or (not line and len(parts) == 2):
                return cut_words(title, max(left, 1)), sub
    return cut_words(title, 1), section  # pragma: no cover - the last level always returns


def keep_both(mine: str, theirs: str, sep: str = "\n") -> str:
    """Both texts, theirs first then ours, when they differ (nothing is dropped); ``sep``
    joins them (a line break in a text area, " / " in a one-line field). When one text
    holds the other whole (one seat added a sentence or a full stop), the longer one
    alone keeps every word of both."""
    mine, theirs = mine or "", theirs or ""
    if not theirs.strip() or theirs.strip() in mine:
        return mine
    if not mine.strip() or mine.strip() in theirs:
        return theirs
    return f"{theirs}{sep}{mine}"


def when_text(utc_text: str, zone: Any = None) -> str:
    """'14:32' from stored UTC text ('' when unknown), in ``zone`` (the review's; the
    machine's when None), named when it is not the machine's ('14:32 Europe/Berlin')."""
    if not utc_text:
        return ""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    from pmtui.domain.localzone import clock_in

    return clock_in(moment, zone)


def changed_by(who: str, when_utc: str, zone: Any = None) -> str:
    """'changed by Jonas Weber 14:32' (or by another seat), the time in the review's zone."""
    when = when_text(when_utc, zone)
    return f"changed by {who or 'another seat'}" + (f" {when}" if when else "")
