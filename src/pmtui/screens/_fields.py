"""Parsing what is typed into review fields (shared by the section screens)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from pmtui.entry import parse_day
from pmtui.errors import BadInput
from pmtui.vocab import STATUS_WORDS


def optional_text(text: str) -> str | None:
    return text if text.strip() else None


def optional_int(text: str) -> int | None:
    t = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if not t:
        return None
    if not t.lstrip("-").isdigit():
        raise BadInput(f"write a whole number, like 12400 (got {text.strip()!r})")
    return int(t)


def optional_float(text: str) -> float | None:
    t = text.strip().rstrip("%").strip()
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        raise BadInput(f"write a number, like 38.5 (got {text.strip()!r})") from None


def optional_day(text: str) -> str | None:
    day = parse_day(text)
    return day.isoformat() if day else None


def show_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def zone_name(text: str) -> str:
    t = text.strip()
    if t in available_timezones() or t == "UTC":
        return t
    matches = sorted(z for z in available_timezones() if z.lower() == t.lower() or z.lower().endswith("/" + t.lower()))
    if len(matches) == 1:
        return matches[0]
    raise BadInput(f"unknown time zone {t!r}: use an IANA name like Europe/Berlin, America/New_York or UTC")


STATUS_OPTIONS = [(words, status.value) for status, words in STATUS_WORDS.items()]
STATUS_WORD = {value: words for words, value in STATUS_OPTIONS}  # a stored status in words
