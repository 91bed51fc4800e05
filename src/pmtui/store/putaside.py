"""Words put aside: text a seat typed that is not in the review (yet), kept where that seat
finds it next time instead of being dropped (pure; no Textual, no database).

A text is put aside when its seat replaced it through a conflict ("Take theirs"), pressed
Esc in the capture bar, chose "set aside and quit", or went away (a closed browser tab, a
dropped network, a closed terminal) before the text could be saved. Each text is one small
JSON file under the config folder, in a folder per place (the store and the review's uid)
and seat name: two seats on one machine (``pmtui serve``) never write the same file, so
nothing is lost to a read-modify-write race; taking one back removes its file.

The capture bar (ctrl+n) brings them back, newest first, one at a time."""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

FOLDER = "put-aside"


@dataclass(frozen=True)
class PutAside:
    path: Path
    place: str       # the store and the review (App._place_key)
    seat: str        # the seat's name, as it was when put aside
    what: str        # where the words were typed, in words ("the Summary", "a note")
    field: str       # the review field's name, "" for a note
    text: str
    why: str         # why they were put aside, in words
    at: str          # when (UTC, ISO)

    @property
    def when(self) -> datetime:
        try:
            return datetime.fromisoformat(self.at)
        except ValueError:
            return datetime.now(UTC)


def _root() -> Path:
    from pmtui.config import config_dir

    return config_dir() / FOLDER


def _folder(place: str, seat: str) -> Path:
    key = hashlib.sha256(f"{place}\0{' '.join(seat.split()).casefold()}".encode()).hexdigest()[:24]
    return _root() / key


def put_aside(place: str, seat: str, what: str, text: str, why: str, field: str = "") -> PutAside | None:
    """Keep ``text`` for this seat and place; None (nothing kept) for an empty text or a
    folder that cannot be written."""
    if not text.strip():
        return None
    from pmtui.atomic import write_atomic

    folder = _folder(place, seat)
    import uuid

    path = folder / f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.json"
    entry = PutAside(path, place, seat, what, field, text, why, datetime.now(UTC).isoformat(timespec="seconds"))
    data = {k: getattr(entry, k) for k in ("place", "seat", "what", "field", "text", "why", "at")}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
    except OSError:
        return None
    return entry


def waiting(place: str, seat: str) -> list[PutAside]:
    """What this seat put aside in this place, newest first."""
    folder = _folder(place, seat)
    try:
        names = sorted((p for p in folder.iterdir() if p.suffix == ".json"), reverse=True)
    except OSError:
        return []
    found = []
    for path in names:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("place") != place or not isinstance(data.get("text"), str):
            continue
        found.append(PutAside(path, place, str(data.get("seat", "")), str(data.get("what", "")),
                              str(data.get("field", "")), data["text"], str(data.get("why", "")),
                              str(data.get("at", ""))))
    return found


def take(entry: PutAside) -> bool:
    """Remove ``entry`` (its words were saved, or put aside again); False when another
    process of the same seat took it first."""
    try:
        os.remove(entry.path)
    except OSError:
        return False
    return True


def move(entry: PutAside, seat: str) -> PutAside | None:
    """File ``entry`` under another name of the same seat (a seat that had no name when it
    put the words aside names itself later): written there first, then removed here, so
    the words are never in neither place. None when it could not be moved (it stays)."""
    from pmtui.atomic import write_atomic

    if seat == entry.seat:
        return entry
    folder = _folder(entry.place, seat)
    path = folder / entry.path.name  # the same name: the same place in newest-first order
    moved = PutAside(path, entry.place, seat, entry.what, entry.field, entry.text, entry.why, entry.at)
    data = {k: getattr(moved, k) for k in ("place", "seat", "what", "field", "text", "why", "at")}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1))
    except OSError:
        return None
    take(entry)
    return moved
