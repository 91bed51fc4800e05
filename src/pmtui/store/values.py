"""Values the store hands out and the text forms it keeps: UTC times, slugs, summaries.

Standard library only (the home screen's first frame uses these before SQLAlchemy loads).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

_UTC_FMT = "%Y-%m-%dT%H:%M:%S.%f"


# ------------------------------------------------------------------ time helpers
def to_utc_text(at: datetime) -> tuple[str, int]:
    """An aware datetime -> (sortable UTC text, offset in minutes)."""
    offset = at.utcoffset() or timedelta(0)
    # isoformat writes what _UTC_FMT does (the years kept are 1000 to 9999), faster
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds"), round(offset.total_seconds() / 60)


def from_utc_text(text: str, offset_min: int) -> datetime:
    at = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return at.astimezone(timezone(timedelta(minutes=offset_min))) if offset_min else at


def now_utc_text() -> str:
    return datetime.now(UTC).strftime(_UTC_FMT)


# ------------------------------------------------------------------------- slugs
def slugify(title: str, first_day: date | None = None, limit: int = 60) -> str:
    """A review's slug: its title's words in ``[a-z0-9-]``, prefixed by its first day.

    Any script is transliterated (anyascii's tables: Cyrillic, Greek, Arabic, CJK…), so
    ``Сбой оплаты`` gives ``sboy-oplaty`` and ``数据库 故障`` ``shujuku-guzhang``: readable,
    and the same on every machine (the tables ship with the pinned package, not the OS)."""
    from anyascii import anyascii

    text = anyascii(unicodedata.normalize("NFKC", title)).lower()
    words = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(words) > limit:
        words = words[:limit].rsplit("-", 1)[0] if "-" in words[:limit] else words[:limit]
    words = words.strip("-") or "review"
    if first_day is not None:
        return f"{first_day.isoformat()}-{words}"
    if words.isdigit():  # a slug must never look like an id
        words = f"review-{words}"
    return words


# ---------------------------------------------------------------------- summaries
@dataclass(frozen=True, slots=True)  # slots: 100,000 of them are held by the home list
class ReviewSummary:
    id: int
    slug: str
    title: str
    status: str
    severity: str | None
    timezone: str
    first_event: datetime | None
    open_actions: int
    overdue_actions: int
    created_at: str

    @property
    def first_event_date(self) -> date | None:
        if self.first_event is None:
            return None
        from zoneinfo import ZoneInfo  # loaded with the list, after the first frame

        try:
            return self.first_event.astimezone(ZoneInfo(self.timezone)).date()
        except Exception:
            return self.first_event.date()

    def as_json(self) -> dict[str, Any]:
        day = self.first_event_date
        return {
            "id": self.id,
            "slug": self.slug,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "first_event_date": day.isoformat() if day else None,
            "open_action_items": self.open_actions,
            "overdue_action_items": self.overdue_actions,
        }


def _first_event(text: Any) -> datetime | None:
    """A summary's first event time; a stored value this pmtui cannot read (a hand
    edit, an older release) is shown as no time rather than taking the list down."""
    if not text:
        return None
    try:
        return from_utc_text(text, 0)
    except (ValueError, TypeError, OverflowError):
        return None


def _newest_first(s: ReviewSummary) -> tuple[str, int]:
    return (s.first_event.isoformat() if s.first_event else s.created_at, s.id)


def summaries(rows: Iterable[tuple[Any, ...]]) -> list[ReviewSummary]:
    """Rows of (id, slug, title, status, severity, timezone, created_at, first_at, open,
    overdue) as summaries, newest first.

    Made for 100,000 rows read one at a time: the few words many reviews share (a status,
    a severity, a zone) are kept once, and rows that come in the list's order (SQLite's
    kept order, store/listed.py) are checked pair by pair instead of sorted, so no key
    per review is held at once (what is freed between the kept summaries stays in the
    process as memory it cannot give back)."""
    words: dict[Any, Any] = {}

    def once(value: Any) -> Any:
        return words.setdefault(value, value) if isinstance(value, str) and len(value) <= 32 else value

    out = [
        ReviewSummary(
            id=r[0], slug=r[1], title=r[2], status=once(r[3]), severity=once(r[4]), timezone=once(r[5]),
            created_at=r[6] or "", first_event=_first_event(r[7]), open_actions=int(r[8] or 0),
            overdue_actions=int(r[9] or 0),
        )
        for r in rows
    ]
    if any(_newest_first(a) < _newest_first(b) for a, b in pairwise(out)):
        out.sort(key=_newest_first, reverse=True)
    return out


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    text: str
    kind: str
    source: str
    approximate: bool
    highlight: bool
    marks: tuple[str, ...]
    seq: int = 0
    version: int = 1
    source_id: str = ""  # not empty: imported evidence
    confirmed: bool = False
