"""Reads across reviews for the action tracker and the patterns (no Textual).

SQLAlchemy Core over the store's own engine and tables, nothing SQLite-only, so the
same queries run on PostgreSQL. Written to move into the store package as
``store/followup.py`` unchanged: it only uses ``store._read()`` and the table models.
Each table is read once (no query per review) and fetched whole (``.all()``: the
driver's fetchall, several times faster than row-by-row), so 10,000 reviews stay quick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.patterns import ReviewFacts
    from pmtui.domain.tracker import ActionRow
    from pmtui.store import Store

_ACTION_COLUMNS = ("id", "review_id", "title", "description", "type", "owner", "priority", "due", "status",
                   "status_note", "tracker")


# action_item columns that are no field of the item (ARCHITECTURE.md)
_INTERNAL = ("position", "version", "updated_at", "updated_by")
# fields the tracker's rows leave out: when pmtui last read the tracker (a time: two columns)
_NOT_MORE = ("tracker_pulled",)
_NOT_MORE_COLUMNS = ("tracker_pulled_utc", "tracker_pulled_offset")


def _more_fields() -> list[str]:
    """The action item fields the tracker's rows do not name themselves
    (pmtui.domain.tracker.ActionRow.more), in the document's order (the table's column order;
    pmtui.domain.plain_fields, generated from the model, so no pydantic is imported)."""
    from pmtui.domain.plain_fields import TABLES

    return [k[0] for k in TABLES["action_item"][1] if k[0] not in _ACTION_COLUMNS and k[0] not in _NOT_MORE]


def _fetch(conn: Any, stmt: Any) -> list[tuple[Any, ...]]:
    """Every row of a Core select, as plain tuples from the driver's own ``fetchall``
    (SQLAlchemy's per-row processing costs more than the query itself at 200,000
    rows). The SQL is compiled for the connection's dialect, with its few literals
    (a date, priority names) rendered inline by SQLAlchemy, so it stays portable; the
    statements here read text and numbers only, which every driver returns as is."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.cursor()
    dbapi = conn.dialect.loaded_dbapi
    try:
        cursor.execute(str(compiled))
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows
    except dbapi.Error as exc:  # as SQLAlchemy would wrap it: the store says it in one sentence
        from sqlalchemy.exc import DBAPIError

        raise DBAPIError.instance(str(compiled), None, exc, dbapi.Error, dialect=conn.dialect) from None
    finally:
        cursor.close()


def _utc(text: str, offset_min: int = 0) -> datetime | None:
    """A stored time; None for a value a hand edit or an older release left that this
    pmtui cannot read (that review then counts without it, never takes the rest down)."""
    try:
        at = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return at.astimezone(timezone(timedelta(minutes=offset_min))) if offset_min else at
    except (ValueError, TypeError, OverflowError):
        return None


def _tags(conn: Any) -> dict[int, tuple[str, ...]]:
    from sqlalchemy import select

    from pmtui.store.models import Tag, table_of

    t = table_of(Tag)
    out: dict[int, list[str]] = defaultdict(list)
    for rid, name in _fetch(conn, select(t.c.review_id, t.c.name).order_by(t.c.review_id, t.c.name)):
        out[rid].append(name)
    return {k: tuple(v) for k, v in out.items()}


def _action_rows(conn: Any, tags: dict[int, tuple[str, ...]], today: date | None = None,
                 limit: int | None = None) -> list[ActionRow]:
    """Action items joined with their review's slug and title; with ``today``, in the
    tracker's order (``pmtui.domain.tracker.sort_key``), sorted by the database."""
    from sqlalchemy import case, func, literal, select

    from pmtui.domain.tracker import OPEN, PRIORITY_ORDER, ActionRow
    from pmtui.store.models import ActionItem, Review, table_of

    a, r = table_of(ActionItem), table_of(Review)
    cols = [a.c[name] for name in _ACTION_COLUMNS]
    more = _more_fields()
    query = select(*cols, r.c.slug, r.c.title, *(a.c[name] for name in more)).join(r, r.c.id == a.c.review_id)
    if today is None:
        query = query.order_by(a.c.review_id, a.c.position, a.c.id)
    else:
        is_open = a.c.status.in_(OPEN)
        group = case((is_open & a.c.due.is_not(None) & (a.c.due < literal(today.isoformat())), 0), (is_open, 1),
                     else_=2)
        rank = case(*((a.c.priority == name, n) for name, n in PRIORITY_ORDER.items()), else_=len(PRIORITY_ORDER))
        query = query.order_by(group, func.coalesce(a.c.due, literal("9999-99-99")), rank, r.c.slug, a.c.id)
    if limit is not None:
        query = query.limit(limit)
    return [
        ActionRow(row[0], row[1], row[11], row[12], row[2], row[3] or "", row[4], row[5] or "", row[6], row[7],
                  row[8], row[9] or "", row[10] or "", tags.get(row[1], ()),
                  tuple(zip(more, row[13:])))
        for row in _fetch(conn, query)
    ]


def action_rows(store: Store, today: date | None = None, limit: int | None = None) -> list[ActionRow]:
    """Every action item of every review, with its review's slug, title and tags: in
    review order, or with ``today`` overdue first (the tracker's order); ``limit``
    keeps the first ones (a first screen)."""
    from .plain import usable

    if usable(store):
        return _plain_action_rows(store, today, limit)
    with store._read() as conn:
        return _action_rows(conn, _tags(conn), today, limit)


def _plain_action_rows(store: Store, today: date | None, limit: int | None) -> list[ActionRow]:
    """:func:`action_rows` in plain SQL (the same order; no SQLAlchemy on SQLite):
    ``pmtui actions`` only reads."""
    from pmtui.domain.tracker import OPEN, PRIORITY_ORDER, ActionRow

    more = _more_fields()
    columns = ", ".join([*(f"a.{c}" for c in _ACTION_COLUMNS), "r.slug", "r.title", *(f"a.{c}" for c in more)])
    sql = f"SELECT {columns} FROM action_item a JOIN review r ON r.id = a.review_id ORDER BY "
    if today is None:
        sql += "a.review_id, a.position, a.id"
    else:
        def quoted(text: str) -> str:
            return "'" + text.replace("'", "''") + "'"

        is_open = f"a.status IN ({', '.join(quoted(s) for s in OPEN)})"
        day = quoted(today.isoformat())
        rank = " ".join(f"WHEN a.priority = {quoted(name)} THEN {n}" for name, n in PRIORITY_ORDER.items())
        sql += (f"CASE WHEN {is_open} AND a.due IS NOT NULL AND a.due < {day} THEN 0 WHEN {is_open} THEN 1 ELSE 2 END, "
                f"COALESCE(a.due, '9999-99-99'), CASE {rank} ELSE {len(PRIORITY_ORDER)} END, r.slug, a.id")
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    with _queries(store) as fetch:
        tag_rows, found = fetch.many(["SELECT review_id, name FROM tag ORDER BY review_id, name", sql])
    tags: dict[int, list[str]] = defaultdict(list)
    for rid, name in tag_rows:
        tags[rid].append(name)
    return [
        ActionRow(row[0], row[1], row[11], row[12], row[2], row[3] or "", row[4], row[5] or "", row[6], row[7],
                  row[8], row[9] or "", row[10] or "", tuple(tags.get(row[1], ())), tuple(zip(more, row[13:])))
        for row in found
    ]


def first_screen(store: Store, today: date, limit: int) -> tuple[list[ActionRow], tuple[int, int, int]] | None:
    """The Follow-ups view's first screen on an SQLite store, read with the standard
    library (as ``home_list.first_page`` reads home's): the first ``limit`` items in the
    tracker's order, and the counts, before SQLAlchemy has been imported (opened the
    instant the app starts, the view no longer waits for it). None when the store is
    not SQLite or cannot be read this way: the caller then reads it the usual way."""
    import sqlite3

    from pmtui.domain.tracker import OPEN, PRIORITY_ORDER, ActionRow

    if getattr(store, "kind", None) != "sqlite":
        return None
    is_open = f"a.status IN ({', '.join('?' * len(OPEN))})"
    late = f"{is_open} AND a.due IS NOT NULL AND a.due < ?"
    rank = " ".join(f"WHEN ? THEN {n}" for n in PRIORITY_ORDER.values())
    # {more}: the columns of ActionRow.more, read from the table (pmtui.domain.document imports pydantic)
    rows_sql = (f"SELECT a.{', a.'.join(_ACTION_COLUMNS)}, r.slug, r.title{{more}} FROM action_item a "
                f"JOIN review r ON r.id = a.review_id "
                f"ORDER BY CASE WHEN {late} THEN 0 WHEN {is_open} THEN 1 ELSE 2 END, "
                f"COALESCE(a.due, '9999-99-99'), CASE a.priority {rank} ELSE {len(PRIORITY_ORDER)} END, r.slug, a.id "
                f"LIMIT ?")
    day = today.isoformat()
    params = (*OPEN, day, *OPEN, *PRIORITY_ORDER, limit)
    counts_sql = (f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {is_open} THEN 1 ELSE 0 END), 0), "
                  f"COALESCE(SUM(CASE WHEN {late} THEN 1 ELSE 0 END), 0) FROM action_item a")
    try:
        con = sqlite3.connect(f"{store.path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
    except (sqlite3.Error, OSError):
        return None
    try:
        extra = [r[1] for r in con.execute("PRAGMA table_info(action_item)")
                 if r[1] not in _ACTION_COLUMNS and r[1] not in _INTERNAL and r[1] not in _NOT_MORE_COLUMNS]
        more = "".join(f', a."{name}"' for name in extra)
        found = con.execute(rows_sql.format(more=more), params).fetchall()
        total, open_n, overdue = con.execute(counts_sql, (*OPEN, *OPEN, day)).fetchone()
        ids = sorted({row[1] for row in found})
        tags: dict[int, list[str]] = defaultdict(list)
        if ids:
            for rid, name in con.execute(f"SELECT review_id, name FROM tag WHERE review_id IN ({', '.join('?' * len(ids))}) "
                                         "ORDER BY review_id, name", ids):
                tags[rid].append(name)
        rows = [ActionRow(row[0], row[1], row[11], row[12], row[2], row[3] or "", row[4], row[5] or "", row[6],
                          row[7], row[8], row[9] or "", row[10] or "", tuple(tags.get(row[1], ())),
                          tuple(zip(extra, row[13:])))
                for row in found]
        return rows, (int(total), int(open_n), int(overdue))
    except sqlite3.Error:
        return None
    finally:
        con.close()


def action_counts(store: Store, today: date) -> tuple[int, int, int]:
    """(all, open, overdue) action items, counted by the database."""
    from sqlalchemy import case, func, literal, select

    from pmtui.domain.tracker import OPEN
    from pmtui.store.models import ActionItem, table_of

    a = table_of(ActionItem)
    is_open = a.c.status.in_(OPEN)
    late = is_open & a.c.due.is_not(None) & (a.c.due < literal(today.isoformat()))
    query = select(func.count(), func.coalesce(func.sum(case((is_open, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((late, 1), else_=0)), 0))
    with store._read() as conn:
        total, open_n, overdue = _fetch(conn, query)[0]
    return int(total), int(open_n), int(overdue)


# What patterns and related reviews read: plain SQL that SQLite and PostgreSQL both run
_FACTS_SQL = {
    "reviews": "SELECT id, slug, title, severity, timezone, review_date, created_at, updated_at FROM review",
    "tags": "SELECT review_id, name FROM tag ORDER BY review_id, name",
    # the first typed event (imported evidence may be much older than the incident)
    "first": ("SELECT review_id, COALESCE(MIN(CASE WHEN source_id IS NULL OR source_id = '' THEN at_utc END), "
              "MIN(at_utc)) FROM event GROUP BY review_id"),
    "marks": "SELECT em.review_id, em.mark, e.at_utc, e.offset_min FROM event_mark em JOIN event e ON e.id = em.event_id",
    "components": "SELECT review_id, name FROM component ORDER BY review_id, position, id",
    "factors": "SELECT review_id, text, category FROM factor ORDER BY review_id, position, id",
    "learnings": "SELECT review_id, text FROM learning ORDER BY review_id, position, id",
    "related": "SELECT review_id, ref FROM related ORDER BY review_id, position",
    "meeting": "SELECT review_id, state FROM meeting",
    "actions": f"SELECT a.{', a.'.join(_ACTION_COLUMNS)}, r.slug, r.title FROM action_item a "
               "JOIN review r ON r.id = a.review_id ORDER BY a.review_id, a.position, a.id",
}


class Fetch:
    """Plain SELECTs in one read: ``fetch(sql)`` gives one's rows, ``fetch.many(sqls)``
    each one's rows, sent together where the database allows (one round trip to a
    PostgreSQL server, however many tables)."""

    def __init__(self, run: Callable[[list[str]], list[list[tuple[Any, ...]]]]) -> None:
        self.many = run

    def __call__(self, sql: str) -> list[tuple[Any, ...]]:
        return self.many([sql])[0]


@contextmanager
def _queries(store: Store) -> Iterator[Fetch]:
    """Run plain SELECTs in one read transaction. On SQLite with the standard library
    (no SQLAlchemy: `pmtui patterns` then starts half a second sooner); on PostgreSQL
    on the read path's own connection (no SQLAlchemy) until the store has its engine."""
    if getattr(store, "kind", None) == "sqlite":
        import sqlite3

        from .sqlite import BUSY_TIMEOUT_MS, explain

        try:
            con = sqlite3.connect(str(store.path), timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise explain(store.path, str(exc)) from None
        try:
            con.execute("BEGIN")  # one snapshot for every query
            yield Fetch(lambda sqls: [con.execute(sql).fetchall() for sql in sqls])
        except sqlite3.Error as exc:
            raise explain(store.path, str(exc)) from None
        finally:
            con.close()
        return
    if getattr(store, "_engine", True) is None and hasattr(store.backend, "plain_connection"):
        with plain_fetch(store.backend) as fetch:  # PostgreSQL before SQLAlchemy is needed
            yield fetch
        return
    with store._read() as conn:
        def run(sqls: list[str]) -> list[list[tuple[Any, ...]]]:
            out = []
            for sql in sqls:
                cursor = conn.connection.cursor()
                dbapi = conn.dialect.loaded_dbapi
                try:
                    cursor.execute(sql)
                    out.append(list(cursor.fetchall()))
                except dbapi.Error as exc:
                    from sqlalchemy.exc import DBAPIError

                    raise DBAPIError.instance(sql, None, exc, dbapi.Error, dialect=conn.dialect) from None
                finally:
                    cursor.close()
            return out

        yield Fetch(run)


@contextmanager
def plain_fetch(backend: Any) -> Iterator[Fetch]:
    """Plain SELECTs in one read-only snapshot on a PostgreSQL store's own connection
    (pmtui.store.postgres.PostgresBackend.plain_connection: libpq itself, no SQLAlchemy
    and no psycopg import)."""
    conn = backend.plain_connection()
    try:
        yield Fetch(conn.run)
    except conn.Error as exc:
        raise backend.explain(exc) from None
    finally:
        if not conn.closed:
            conn.end()


def _stage_times(state: str | None) -> tuple[tuple[str, int, float], ...]:
    """The finished stages of a stored meeting: (stage, timebox minutes, seconds taken)."""
    from pmtui.domain.meeting import STAGES, Meeting

    try:
        meeting = Meeting.from_json(state or "")
        return tuple((s, int(meeting.split[s]), float(meeting.stage_took[s]))
                     for s in STAGES if s in meeting.stage_took and s in meeting.split)
    except (ValueError, TypeError, KeyError, AttributeError):  # a state this pmtui cannot read: no times
        return ()


def review_facts(store: Store) -> list[ReviewFacts]:
    """One :class:`pmtui.domain.patterns.ReviewFacts` per review (what patterns and related
    reviews need), each table read once."""
    from pmtui.domain.patterns import ReviewFacts, incident_day
    from pmtui.domain.tracker import ActionRow

    with _queries(store) as fetch:  # every table in one read (one round trip to a PostgreSQL server)
        found = dict(zip(_FACTS_SQL, fetch.many(list(_FACTS_SQL.values()))))
    reviews = found["reviews"]
    tags_of: dict[int, list[str]] = defaultdict(list)
    for rid, name in found["tags"]:
        tags_of[rid].append(name)
    tags = {k: tuple(v) for k, v in tags_of.items()}
    first = dict(found["first"])
    marks: dict[int, dict[str, datetime]] = defaultdict(dict)
    for rid, mark, at, off in found["marks"]:
        if (when := _utc(at, off)) is not None:
            marks[rid][mark] = when
    comps: dict[int, list[str]] = defaultdict(list)
    for rid, name in found["components"]:
        comps[rid].append(name)
    factors: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for rid, text, cat in found["factors"]:
        factors[rid].append((text, cat))
    learnings: dict[int, list[str]] = defaultdict(list)
    for rid, text in found["learnings"]:
        learnings[rid].append(text)
    related: dict[int, list[str]] = defaultdict(list)
    for rid, ref in found["related"]:
        related[rid].append(ref)
    stages = {rid: _stage_times(state) for rid, state in found["meeting"]}
    actions: dict[int, list[ActionRow]] = defaultdict(list)
    for row in found["actions"]:
        actions[row[1]].append(ActionRow(row[0], row[1], row[11], row[12], row[2], row[3] or "", row[4],
                                         row[5] or "", row[6], row[7], row[8], row[9] or "", row[10] or "",
                                         tags.get(row[1], ())))
    out = []
    for rid, slug, title, severity, tz, review_date, created_at, updated_at in reviews:
        try:
            zone: Any = ZoneInfo(tz)
        except Exception:
            zone = UTC
        created = _day(created_at)
        try:
            reviewed = date.fromisoformat(review_date) if review_date else None
        except (ValueError, TypeError):
            reviewed = None
        changed = _day(updated_at) if updated_at and updated_at[:19] != (created_at or "")[:19] else None
        first_at = _utc(first[rid]) if rid in first else None
        day = incident_day(marks.get(rid, {}), first_at, zone, reviewed, created)
        out.append(ReviewFacts(
            id=rid, slug=slug, title=title, day=day, severity=severity, tags=tags.get(rid, ()),
            components=tuple(comps.get(rid, ())), factors=tuple(factors.get(rid, ())), marks=marks.get(rid, {}),
            learnings=tuple(learnings.get(rid, ())),
            actions=tuple(actions.get(rid, ())), related=tuple(related.get(rid, ())),
            opened=reviewed or created, changed=changed, stages=stages.get(rid, ()),
        ))
    return out


def change_token(store: Store) -> tuple[Any, ...]:
    """What changes whenever the facts of any review may have: this process's writes,
    and (for writes by other processes, which touch their review's ``updated_at`` to
    the microsecond, or add and delete reviews) the count and latest change of the
    reviews. One small query, also on PostgreSQL."""
    with _queries(store) as fetch:
        count, last = fetch("SELECT COUNT(*), MAX(updated_at) FROM review")[0]
    return getattr(store, "writes", 0), count, last


def cached_review_facts(store: Store) -> list[ReviewFacts]:
    """:func:`review_facts`, read again only when the store changed since the last call
    (the Analysis section's related reviews and the Patterns view open often; reading
    10,000 reviews takes about a second). The facts are frozen: callers share them."""
    token = change_token(store)
    cached = store._facts_cache
    if cached is not None and cached[0] == token:
        return cached[1]
    facts = review_facts(store)
    store._facts_cache = (token, facts)  # a write between the token and the read: read again next time
    return facts


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
