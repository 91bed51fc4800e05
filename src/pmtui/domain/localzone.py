"""The machine's own time zone, by its IANA name (pure, no Textual): a new review's
zone defaults to it, so times typed in the room mean what the room means."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any
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


def clock_in(moment: datetime, zone: Any = None, fmt: str = "%H:%M") -> str:
    """``moment`` as a clock time in ``zone`` (a ZoneInfo or its name; the machine's when
    None), followed by the zone's name when that zone's clock differs from the machine's
    at that moment: one screen never shows two clocks without saying which is which."""
    if zone is None or zone == "":
        return str(moment.astimezone().strftime(fmt))
    if isinstance(zone, str):
        try:
            zone = ZoneInfo(zone)
        except (ValueError, KeyError, OSError):
            return str(moment.astimezone().strftime(fmt))
    there = moment.astimezone(zone)
    text = str(there.strftime(fmt))
    if there.utcoffset() != moment.astimezone().utcoffset():
        text += f" {getattr(zone, 'key', None) or there.tzname() or ''}".rstrip()
    return text
