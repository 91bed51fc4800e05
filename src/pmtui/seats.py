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


def presence_line(seats: list[dict[str, Any]], me: str = "", limit: int = 2) -> str:
    """``Amara Okafor · facilitating  Jonas Weber · notes  +2``: facilitators first,
    then note-takers, then the rest; one entry per name."""
    order = {"facilitator": 0, "note-taker": 1, "participant": 2}
    seen: dict[str, dict[str, Any]] = {}
    for s in seats:
        key = " ".join((s.get("name") or "").split()).casefold()
        if key and key not in seen:
            seen[key] = s
    people = sorted(seen.values(), key=lambda s: (order.get(s.get("role") or "participant", 2), s["name"].casefold()))
    shown = [f"{s['name']} · {ROLE_WORDS.get(s.get('role') or 'participant', 'here')}" for s in people[:limit]]
    rest = len(people) - limit
    return "  ".join(shown) + (f"  +{rest}" if rest > 0 else "")


def keep_both(mine: str, theirs: str, sep: str = "\n") -> str:
    """Both texts, theirs first then ours, when they differ (nothing is dropped); ``sep``
    joins them (a line break in a text area, " / " in a one-line field)."""
    mine, theirs = mine or "", theirs or ""
    if not theirs.strip() or mine.strip() == theirs.strip():
        return mine
    if not mine.strip():
        return theirs
    return f"{theirs}{sep}{mine}"


def when_text(utc_text: str) -> str:
    """'14:32' in local time from stored UTC text ('' when unknown)."""
    if not utc_text:
        return ""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%H:%M")


def changed_by(who: str, when_utc: str) -> str:
    """'changed by Jonas Weber 14:32' (or by another seat)."""
    when = when_text(when_utc)
    return f"changed by {who or 'another seat'}" + (f" {when}" if when else "")
