"""Reads across reviews for the action tracker and the patterns (no Textual).

SQLAlchemy Core over the store's own engine and tables, nothing SQLite-only, so the
same queries run on PostgreSQL. Written to move into the store package as
``store/followup.py`` unchanged: it only uses ``store._read()`` and the table models.
Each table is read once (no query per review) and fetched whole (``.all()``: the
driver's fetchall, several times faster than row-by-row), so 10,000 reviews stay quick.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.patterns import ReviewFacts
    from pmtui.tracker import ActionRow

_ACTION_COLUMNS = ("id", "review_id", "title", "description", "type", "owner", "priority", "due", "status",
                   "status_note", "tracker")


def _fetch(conn: Any, stmt: Any) -> list[tuple[Any, ...]]:
    """Every row of a Core select, as plain tuples from the driver's own ``fetchall``
    (SQLAlchemy's per-row processing costs more than the query itself at 200,000
    rows). The SQL is compiled for the connection's dialect, with its few literals
    (a date, priority names) rendered inline by SQLAlchemy, so it stays portable; the
    statements here read text and numbers only, which every driver returns as is."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.cursor()
    try:
        cursor.execute(str(compiled))
        return cursor.fetchall()
    finally:
        cursor.close()


def _utc(text: str, offset_min: int = 0) -> datetime | None:
    """A stored time; None for a value a hand edit or an older release left that this
    pmtui cannot read (that review then counts without it, never takes the rest down)."""
    try:
        at = datetime.fromisoformat(text).replace(tzinfo=timezone.utc)
        return at.astimezone(timezone(timedelta(minutes=offset_min))) if offset_min else at
    except (ValueError, TypeError, OverflowError):
        return None


def _tags(conn: Any) -> dict[int, tuple[str, ...]]:
    from sqlalchemy import select

    from pmtui.models import Tag

    t = Tag.__table__
    out: dict[int, list[str]] = defaultdict(list)
    for rid, name in _fetch(conn, select(t.c.review_id, t.c.name).order_by(t.c.review_id, t.c.name)):
        out[rid].append(name)
    return {k: tuple(v) for k, v in out.items()}


def _action_rows(conn: Any, tags: dict[int, tuple[str, ...]], today: date | None = None,
                 limit: int | None = None) -> list[ActionRow]:
    """Action items joined with their review's slug and title; with ``today``, in the
    tracker's order (``pmtui.tracker.sort_key``), sorted by the database."""
    from sqlalchemy import case, func, literal, select

    from pmtui.models import ActionItem, Review
    from pmtui.tracker import OPEN, PRIORITY_ORDER, ActionRow

    a, r = ActionItem.__table__, Review.__table__
    cols = [a.c[name] for name in _ACTION_COLUMNS]
    query = select(*cols, r.c.slug, r.c.title).join(r, r.c.id == a.c.review_id)
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
                  row[8], row[9] or "", row[10] or "", tags.get(row[1], ()))
        for row in _fetch(conn, query)
    ]


def action_rows(store: Any, today: date | None = None, limit: int | None = None) -> list[ActionRow]:
    """Every action item of every review, with its review's slug, title and tags: in
    review order, or with ``today`` overdue first (the tracker's order); ``limit``
    keeps the first ones (a first screen)."""
    with store._read() as conn:
        return _action_rows(conn, _tags(conn), today, limit)


def action_counts(store: Any, today: date) -> tuple[int, int, int]:
    """(all, open, overdue) action items, counted by the database."""
    from sqlalchemy import case, func, literal, select

    from pmtui.models import ActionItem
    from pmtui.tracker import OPEN

    a = ActionItem.__table__
    is_open = a.c.status.in_(OPEN)
    late = is_open & a.c.due.is_not(None) & (a.c.due < literal(today.isoformat()))
    query = select(func.count(), func.coalesce(func.sum(case((is_open, 1), else_=0)), 0),
                   func.coalesce(func.sum(case((late, 1), else_=0)), 0))
    with store._read() as conn:
        total, open_n, overdue = _fetch(conn, query)[0]
    return int(total), int(open_n), int(overdue)


def review_facts(store: Any) -> list[ReviewFacts]:
    """One :class:`pmtui.patterns.ReviewFacts` per review (what patterns and related
    reviews need), each table read once."""
    from sqlalchemy import func, select

    from pmtui.models import Component, Event, EventMark, Factor, Related, Review
    from pmtui.patterns import ReviewFacts, incident_day

    r, e, em = Review.__table__, Event.__table__, EventMark.__table__
    c, f, rel = Component.__table__, Factor.__table__, Related.__table__
    with store._read() as conn:
        reviews = list(_fetch(conn, select(r.c.id, r.c.slug, r.c.title, r.c.severity, r.c.timezone, r.c.review_date,
                                           r.c.created_at, r.c.updated_at)))
        tags = _tags(conn)
        first = dict(_fetch(conn, select(e.c.review_id, func.min(e.c.at_utc)).group_by(e.c.review_id)))
        marks: dict[int, dict[str, datetime]] = defaultdict(dict)
        for rid, mark, at, off in _fetch(conn, select(em.c.review_id, em.c.mark, e.c.at_utc, e.c.offset_min).join(e, e.c.id == em.c.event_id)):
            if (when := _utc(at, off)) is not None:
                marks[rid][mark] = when
        comps: dict[int, list[str]] = defaultdict(list)
        for rid, name in _fetch(conn, select(c.c.review_id, c.c.name).order_by(c.c.review_id, c.c.position, c.c.id)):
            comps[rid].append(name)
        factors: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for rid, text, cat in _fetch(conn, select(f.c.review_id, f.c.text, f.c.category).order_by(f.c.review_id, f.c.position, f.c.id)):
            factors[rid].append((text, cat))
        related: dict[int, list[str]] = defaultdict(list)
        for rid, ref in _fetch(conn, select(rel.c.review_id, rel.c.ref).order_by(rel.c.review_id, rel.c.position)):
            related[rid].append(ref)
        actions: dict[int, list[ActionRow]] = defaultdict(list)
        for a in _action_rows(conn, tags):
            actions[a.review_id].append(a)
    out = []
    for rid, slug, title, severity, tz, review_date, created_at, updated_at in reviews:
        try:
            zone: Any = ZoneInfo(tz)
        except Exception:
            zone = timezone.utc
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
            actions=tuple(actions.get(rid, ())), related=tuple(related.get(rid, ())),
            opened=reviewed or created, changed=changed,
        ))
    return out


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
