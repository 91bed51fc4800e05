"""The first screen of the home list, read before the whole list: the newest reviews,
in the order ``Store.list_reviews`` gives (first event, else creation, newest first).

With 100,000 reviews the whole list takes about a second to read; this page is an
index scan of the list's order kept by the database (``store/listed.py``, schema 11:
under a millisecond, where working the order out took 0.40 s), so the list shows at
once and the rest follows. A store not upgraded yet is read the old way. Uses the
standard library's sqlite3 directly, as ``list_reviews`` does (no SQLAlchemy on the
first frame), and only reads. Any problem here is left to the whole list to report.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pmtui.domain.vocab import OPEN_STATUSES_SQL

from .listed import page_sql

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import ReviewSummary

# before schema 11 (a store read as it is): the order worked out over every review
_PAGE_SQL_12 = """
SELECT r.id, r.slug, r.title, r.status, r.severity, r.timezone, r.created_at,
       COALESCE(r.started_utc,  -- when the incident started, else its first typed event (evidence may be older)
                (SELECT COALESCE(MIN(CASE WHEN e.source_id IS NULL OR e.source_id = '' THEN e.at_utc END),
                                 MIN(e.at_utc)) FROM event e WHERE e.review_id = r.id)) AS first_at
FROM review r
ORDER BY COALESCE(first_at, r.created_at) DESC, r.id DESC
LIMIT ?
"""
_ACTIONS_SQL = """
SELECT review_id, COUNT(*), SUM(due IS NOT NULL AND due < ?)
FROM action_item WHERE status IN %s AND review_id IN ({ids})
GROUP BY review_id
""" % OPEN_STATUSES_SQL
_PAGE_SQL = page_sql()


def first_page(path: Path, count: int, today: date | None = None) -> list[ReviewSummary] | None:
    """The newest ``count`` reviews, or None when they cannot be read this way."""
    from pmtui.store import ReviewSummary

    today = today or date.today()
    try:
        con = sqlite3.connect(str(path), timeout=2)
    except sqlite3.Error:
        return None
    try:
        try:
            rows = con.execute(_PAGE_SQL, (count,)).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            rows = con.execute(_PAGE_SQL_12, (count,)).fetchall()
        ids = [r[0] for r in rows]
        actions = {}
        if ids:
            sql = _ACTIONS_SQL.format(ids=", ".join("?" * len(ids)))
            actions = {a[0]: (a[1], a[2] or 0) for a in con.execute(sql, (today.isoformat(), *ids))}
        return [
            ReviewSummary(id=r[0], slug=r[1], title=r[2], status=r[3], severity=r[4], timezone=r[5],
                          created_at=r[6] or "",
                          first_event=datetime.fromisoformat(r[7]).replace(tzinfo=UTC) if r[7] else None,
                          open_actions=actions.get(r[0], (0, 0))[0], overdue_actions=actions.get(r[0], (0, 0))[1])
            for r in rows
        ]
    except (sqlite3.Error, ValueError, TypeError):
        return None
    finally:
        con.close()
