"""The home list's order, kept by the database (SQLite): one row per review in
``review_order`` with what the list sorts by, and an index in that order.

The list is newest first by when the incident started, else the review's first typed
event, else its first event of any kind (imported evidence), else when the review was
made. Worked out at each read, that is a scan of every review with two correlated
subqueries over its events and a sort of all of them (0.40 s for the first screen of
100,000 reviews, issue 23). Kept here, the first screen is an index scan of its 100
rows.

As with the search index (``store/search.py``), no write code knows about it: triggers
on ``review`` and ``event`` keep it in the same transaction as the write, on every write
path (imports, evidence, seats' edits, undo, ``db copy``). An event insert compares one
time; a delete or a move recomputes a review's first time only when it removed that
time (an index seek on ``ix_event_review_time``).

PostgreSQL has no such table: its list is one query planned by the server, and the
home screen's first page read before the whole list is SQLite's (``home_list``).
Laid out for new stores by :func:`install` (from ``schema.create``) and for existing
ones by migration 0011, which also fills it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

TABLE = "review_order"
# what the list sorts by, newest first; the index below is on this very expression
SORT_KEY = "COALESCE(o.started_utc, o.first_typed_utc, o.first_any_utc, o.created_at)"
# the summary's first event: when the incident started, else the first typed event, else any
FIRST_AT = "COALESCE(o.started_utc, o.first_typed_utc, o.first_any_utc)"

_TYPED = "COALESCE({r}source_id, '') = ''"


def _sqlite_ddl() -> list[str]:
    typed_new, typed_old = _TYPED.format(r="NEW."), _TYPED.format(r="OLD.")
    came = f"""UPDATE {TABLE} SET
      first_any_utc = CASE WHEN first_any_utc IS NULL OR NEW.at_utc < first_any_utc THEN NEW.at_utc
                           ELSE first_any_utc END,
      first_typed_utc = CASE WHEN {typed_new} AND (first_typed_utc IS NULL OR NEW.at_utc < first_typed_utc)
                             THEN NEW.at_utc ELSE first_typed_utc END
    WHERE review_id = NEW.review_id;"""
    went = f"""UPDATE {TABLE} SET
      first_any_utc = CASE WHEN OLD.at_utc <= first_any_utc
                           THEN (SELECT MIN(at_utc) FROM event WHERE review_id = OLD.review_id)
                           ELSE first_any_utc END,
      first_typed_utc = CASE WHEN {typed_old} AND OLD.at_utc <= first_typed_utc
                             THEN (SELECT MIN(at_utc) FROM event WHERE review_id = OLD.review_id
                                   AND {_TYPED.format(r="")})
                             ELSE first_typed_utc END
    WHERE review_id = OLD.review_id;"""
    return [
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
              review_id INTEGER PRIMARY KEY, started_utc TEXT, created_at TEXT,
              first_typed_utc TEXT, first_any_utc TEXT)""",
        f"CREATE INDEX IF NOT EXISTS ix_{TABLE}_listed ON {TABLE} "
        f"({SORT_KEY.replace('o.', '')} DESC, review_id DESC)",
        f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_review_in AFTER INSERT ON review BEGIN
              INSERT OR REPLACE INTO {TABLE} (review_id, started_utc, created_at)
              VALUES (NEW.id, NEW.started_utc, NEW.created_at);
            END""",
        f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_review_up AFTER UPDATE OF started_utc, created_at ON review BEGIN
              UPDATE {TABLE} SET started_utc = NEW.started_utc, created_at = NEW.created_at WHERE review_id = NEW.id;
            END""",
        f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_review_out AFTER DELETE ON review BEGIN
              DELETE FROM {TABLE} WHERE review_id = OLD.id;
            END""",
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_event_in AFTER INSERT ON event BEGIN {came} END",
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_event_out AFTER DELETE ON event BEGIN {went} END",
        # a moved event: its old time may have been the first, its new one may be
        f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_event_up AFTER UPDATE OF at_utc, source_id, review_id ON event
            BEGIN {went} {came} END""",
    ]


def _fill_sql() -> str:
    return f"""INSERT OR REPLACE INTO {TABLE} (review_id, started_utc, created_at, first_typed_utc, first_any_utc)
    SELECT r.id, r.started_utc, r.created_at,
           (SELECT MIN(at_utc) FROM event e WHERE e.review_id = r.id AND {_TYPED.format(r="e.")}),
           (SELECT MIN(at_utc) FROM event e WHERE e.review_id = r.id)
    FROM review r"""


def install(conn: Connection) -> None:
    """Lay out the table, its index and its triggers, and fill it from the reviews
    already stored (a new store: none; migration 0011: all of them). SQLite only."""
    if conn.dialect.name != "sqlite":
        return
    from sqlalchemy import text

    for sql in _sqlite_ddl():
        conn.execute(text(sql))
    conn.execute(text(_fill_sql()))


def page_sql() -> str:
    """The newest ``?`` reviews in the list's order (an index scan), as the home list's
    first page reads them: id, slug, title, status, severity, timezone, created_at, first_at."""
    return f"""SELECT r.id, r.slug, r.title, r.status, r.severity, r.timezone, r.created_at, {FIRST_AT}
    FROM {TABLE} o JOIN review r ON r.id = o.review_id
    ORDER BY {SORT_KEY} DESC, o.review_id DESC
    LIMIT ?"""
