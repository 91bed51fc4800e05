"""The machine's own time zone, by its IANA name (pure, no Textual): a new review's
zone defaults to it, so times typed in the room mean what the room means."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


UTC_NAMES = {"Etc/UTC", "Etc/Universal", "Etc/Zulu", "Universal", "Zulu", "Etc/GMT", "GMT", "Etc/GMT0", "UCT",
             "Etc/UCT", "Etc/Greenwich", "Greenwich", "GMT0", "GMT+0", "GMT-0", "Etc/GMT+0", "Etc/GMT-0"}


def local_zone_name() -> str:
    """The machine's zone (UTC under any of its other names is UTC)."""
    name = _local_zone_name()
    return "UTC" if name in UTC_NAMES else name


def _local_zone_name() -> str:
    """``$TZ`` when it names a zone, else where /etc/localtime points, else
    /etc/timezone, else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if (tz and "/" in tz and _valid(tz)) or tz == "UTC":
        return tz
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
            if _valid(name):
                return name
    except OSError:
        pass
    try:
        name = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if name and _valid(name):
            return name
    except OSError:
        pass
    return "UTC"
