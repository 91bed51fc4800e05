"""The read path: whole reviews out of the store as plain objects, without SQLAlchemy,
SQLModel or pydantic (the commands that only read start in a fraction of the time).

A review was validated by the document's models when it went into the store; reading
it back does not validate it again. Each stored value is still checked, cheaply, by
the rule its field has (``plain_fields``, generated from the models: a text's type
and length, an enum's values, a count's range, a real date and time within the
document's limits, a known zone), so that a value an older pmtui or a hand edit left
is never handed on. When any value is not as the store writes it, or the store is not
at this pmtui's schema, :func:`read_documents` returns None and the caller reads the
review the full way (:func:`pmtui.domain.document.read_stored`), which says exactly
what is wrong, as before.

SQLite is read with the standard library (one snapshot); PostgreSQL with the store's
own connection. Plain SQL that both run.
"""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pmtui.domain import vocab
from pmtui.domain.plain import Item, PlainDoc, PlainEvent
from pmtui.domain.plain_fields import LIMITS as _LIMITS
from pmtui.domain.plain_fields import TABLES

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

Fetch = Callable[[str], list[tuple[Any, ...]]]

LIMITS: dict[str, Any] = _LIMITS
COUNT_MAX = 2**63 - 1
EARLIEST = datetime.fromisoformat(LIMITS["EARLIEST"])
LATEST = datetime.fromisoformat(LIMITS["LATEST"])
FIRST_DAY = date.fromisoformat(LIMITS["FIRST_DAY"])
TIMEBOX_MAX = int(LIMITS["TIMEBOX_MAX"])
TOOK_MAX = int(LIMITS["TOOK_MAX"])
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+)*")
_ZONES: dict[str, bool] = {}
# the store's name of a note link's target -> the document's ``became`` kind
_BECAME = {v: k for k, v in vocab.NOTE_LINK_KINDS.items()}
_MARKS = vocab.Mark._value2member_map_


# an event from its fields' values, in C (no Python call per event of a long timeline)
_new_event = functools.partial(tuple.__new__, PlainEvent)


class Unchecked(Exception):
    """A stored value that is not as this pmtui writes it: read the review the full way."""


def _zone_ok(name: str) -> bool:
    known = _ZONES.get(name)
    if known is None:
        known = bool(_ZONE_NAME.fullmatch(name)) and name not in ("localtime", "posixrules")
        if known:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                known = False
        _ZONES[name] = known
    return known


def _time(utc: Any, offset: Any) -> datetime:
    at = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    if offset:
        if type(offset) is not int or abs(offset) >= 24 * 60:
            raise Unchecked("offset")
        at = at.astimezone(timezone(timedelta(minutes=offset)))
    if not EARLIEST <= at <= LATEST:
        raise Unchecked("time out of range")
    return at


def _converter(rule: tuple[Any, ...]) -> Callable[[Any], Any]:
    """A function that returns a stored value as the document holds it, or raises."""
    kind = rule[0]
    if kind == "text":
        _, most, non_empty, nullable = rule

        def text(v: Any) -> Any:
            if v is None and nullable:
                return None
            if type(v) is not str or len(v) > most or (non_empty and not v.strip()):
                raise Unchecked("text")
            return v

        return text
    if kind == "enum":
        _, name, _values, nullable = rule
        members = getattr(vocab, name)._value2member_map_

        def enum(v: Any) -> Any:
            if v is None and nullable:
                return None
            return members[v]  # KeyError: a value of another version

        return enum
    if kind == "flag":
        return bool
    if kind == "count":

        def count(v: Any) -> Any:
            if v is None and rule[1]:
                return None
            if type(v) is not int or not 0 <= v <= COUNT_MAX:
                raise Unchecked("count")
            return v

        return count
    if kind == "percent":

        def percent(v: Any) -> Any:
            if v is None and rule[1]:
                return None
            if type(v) not in (int, float) or not math.isfinite(v) or v < 0:
                raise Unchecked("percent")
            return float(v)

        return percent
    if kind == "day":

        def day(v: Any) -> Any:
            if v is None and rule[1]:
                return None
            if type(v) is not str or not _DAY.fullmatch(v):
                raise Unchecked("day")
            parsed = date.fromisoformat(v)
            if parsed < FIRST_DAY:
                raise Unchecked("day")
            return parsed

        return day
    if kind == "zone":

        def zone(v: Any) -> Any:
            if type(v) is not str or len(v) > rule[1] or not _zone_ok(v):
                raise Unchecked("zone")
            return v

        return zone
    raise Unchecked(f"rule {kind}")


def _column(rule: tuple[Any, ...]) -> Callable[[list[Any]], list[Any]]:
    """A function that returns a column of stored values as the document holds them, or
    raises: checked a column at a time with the builtins (a long timeline's 100,000 texts
    cost a few passes in C, not a Python call each)."""
    kind = rule[0]
    if kind == "text":
        _, most, non_empty, nullable = rule

        def text(vals: list[Any]) -> list[Any]:
            given = [v for v in vals if v is not None] if nullable else vals
            if not given:
                return vals
            if set(map(type, given)) != {str} or max(map(len, given)) > most or (
                    non_empty and not all(map(str.strip, given))):
                raise Unchecked("text")
            return vals

        return text
    if kind == "enum":
        members: dict[Any, Any] = dict(getattr(vocab, rule[1])._value2member_map_)
        if rule[3]:
            members[None] = None
        get = members.__getitem__  # KeyError: a value of another version
        return lambda vals: list(map(get, vals))
    if kind == "flag":
        return lambda vals: list(map(bool, vals))
    one = _converter(rule)
    return lambda vals: list(map(one, vals))


def _times(utcs: list[Any], offsets: list[Any], nullable: bool) -> list[Any]:
    """A time column (UTC text and offset in minutes) as aware datetimes, checked."""
    if None in utcs or "" in utcs:
        if not nullable:
            raise Unchecked("time missing")
        return [_time(u, o) if u else None for u, o in zip(utcs, offsets)]
    if not utcs:
        return []
    if set(offsets) <= {0, None}:  # (parsed with its offset: many times faster than .replace(tzinfo=UTC))
        at = list(map(datetime.fromisoformat, [u + "+00:00" for u in utcs]))
        if not EARLIEST <= min(at) or not max(at) <= LATEST:
            raise Unchecked("time out of range")
        return at
    return list(map(_time, utcs, offsets))


def _reader(table: str) -> tuple[list[str], Callable[..., list[Any]]]:
    """The columns to select from a table, and a function that turns its rows (each
    from an offset on) into the document's fields of that table, in the model's order
    (fields kept elsewhere as None, to be filled in: their places keep the order)."""
    _model, kept = TABLES[table]
    columns: list[str] = []
    names: list[str] = []
    steps: list[tuple[str, int, Any]] = []
    for field, how, cols, rule in kept:
        names.append(field)
        if how == "elsewhere":
            steps.append((how, -1, None))
            continue
        if how == "value":
            steps.append((how, len(columns), _column(rule)))
        elif how == "null_when_empty":
            steps.append((how, len(columns), _column(("text", 1000, False, False))))
        else:
            steps.append((how, len(columns), rule))
        columns.extend(cols)

    def read(rows: list[tuple[Any, ...]], at: int, given: dict[str, list[Any]] | None = None,
             make: Callable[..., Any] | None = None) -> list[Any]:
        """The rows' fields as dicts (or, with ``make``, as ``make(values)``), the columns
        of ``given`` (fields kept elsewhere) in their places."""
        if not rows:
            return []
        stored = list(zip(*rows))
        out: list[list[Any]] = []
        for name, (how, i, conv) in zip(names, steps):
            if given and name in given:
                out.append(given[name])
                continue
            if how == "value":
                out.append(conv(list(stored[at + i])))
            elif how == "flag":
                out.append(list(map(bool, stored[at + i])))
            elif how == "null_when_empty":
                out.append(conv([v or "" for v in stored[at + i]]))
            elif how == "time":
                out.append(_times(list(stored[at + i]), list(stored[at + i + 1]), conv[1]))
            else:
                out.append([None] * len(rows))
        if make is not None:
            return list(map(make, zip(*out)))
        return [dict(zip(names, values)) for values in zip(*out)]

    return columns, read


_READERS: dict[str, Any] = {}


def _read_of(table: str) -> tuple[list[str], Callable[..., list[Any]]]:
    made = _READERS.get(table)
    if made is None:
        made = _READERS[table] = _reader(table)
    return made


@contextmanager
def _queries(store: Store) -> Iterator[Fetch]:
    from .followup import _queries as queries

    with queries(store) as fetch:
        yield fetch


def usable(store: Store) -> bool:
    """Whether the read path can read this store (one at this pmtui's schema)."""
    from .schema import SCHEMA_VERSION

    return getattr(store, "found_version", 0) == SCHEMA_VERSION


def resolve(store: Store, ref: str | int) -> int:
    """A review's id from its id or slug (as :meth:`Store.resolve`), with plain SQL."""
    from pmtui.errors import BadInput

    if not usable(store):
        return store.resolve(ref)
    text = str(ref).strip()
    with _queries(store) as fetch:
        if text.isdigit() and len(text) < 19:
            found = fetch(f"SELECT id FROM review WHERE id = {int(text)}")
            if found:
                return int(found[0][0])
        slug = "'" + text.replace("'", "''") + "'"
        if "\x00" not in text:
            found = fetch(f"SELECT id FROM review WHERE slug = {slug}")
            if found:
                return int(found[0][0])
    raise BadInput(f"no review with id or slug {text!r} (see `pmtui list`)")


# lists kept as one string each: (table, column)
_STRINGS = {"authors": ("author", "name"), "learnings": ("learning", "text"), "related": ("related", "ref")}
_LISTS = {"participants": "participant", "links": "link", "factors": "factor", "observations": "observation",
          "action_items": "action_item", "notes": "note"}


def _text_rule(v: Any) -> str:
    if type(v) is not str or len(v) > 50_000:
        raise Unchecked("text")
    return v


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}")


def _stamp(text: Any) -> datetime:
    """A meeting's time as the models read it, for the plain forms the meeting writes
    (isoformat with an offset in whole minutes); anything else: the full path decides."""
    if type(text) is not str or not _STAMP.fullmatch(text):
        raise Unchecked("meeting time")
    at = datetime.fromisoformat(text)
    offset = at.utcoffset()
    if offset is None or offset.total_seconds() % 60 or abs(offset) >= timedelta(hours=24):
        raise Unchecked("meeting time")
    if not EARLIEST <= at <= LATEST:
        raise Unchecked("meeting time")
    return at


def _meeting(state: Any) -> Item | None:
    """The document's ``meeting`` from a stored meeting state, as
    pmtui.store.documents._meeting_record gives it (None: never started, or a state that
    cannot be read); a record the models might see otherwise raises Unchecked."""
    if not state:
        return None
    from pmtui.domain.meeting import Meeting

    try:
        record = Meeting.from_json(state).record()
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if record is None:
        return None
    started = _stamp(record["started"])
    ended = _stamp(record["ended"]) if record["ended"] is not None else None
    if ended is not None and ended < started:
        raise Unchecked("meeting window")
    stages = record["stages"]
    if [s["stage"] for s in stages] != [m.value for m in vocab.MeetingStage]:
        raise Unchecked("meeting stages")
    out = []
    for s in stages:
        box, took = s["timebox_minutes"], s["took_seconds"]
        if type(box) is not int or not 0 <= box <= TIMEBOX_MAX or (
                took is not None and (type(took) is not int or not 0 <= took <= TOOK_MAX)):
            raise Unchecked("meeting stage")
        out.append(Item({"stage": vocab.MeetingStage(s["stage"]), "timebox_minutes": box, "took_seconds": took}))
    return Item({"started": started, "ended": ended, "stages": out})


def read_documents(store: Store, review_ids: list[int], *, evidence: bool = True) -> dict[int, PlainDoc] | None:
    """These reviews as plain documents (pmtui.domain.plain), each table read once; None
    when the store is not at this schema or any stored value is not as the store writes
    it (the caller then reads them the full way, which names the problem).
    ``evidence=False``: without the imported evidence in their timelines (as
    ``Store.export_documents``: the check before a review opens)."""
    if not usable(store):
        return None
    try:
        out: dict[int, PlainDoc] = {}
        for start in range(0, len(review_ids), 400):
            out.update(_read_chunk(store, review_ids[start : start + 400], evidence))
        return out
    except Exception:  # any surprise in stored data: the full path says what it is
        return None


def _read_chunk(store: Store, review_ids: list[int], evidence: bool = True) -> dict[int, PlainDoc]:
    from pmtui.errors import BadInput

    ids = ", ".join(str(int(i)) for i in review_ids)
    review_cols, review_read = _read_of("review")
    impact_cols, impact_read = _read_of("review.impact")
    with _queries(store) as fetch:
        reviews = {r[0]: r for r in fetch(f"SELECT id, {', '.join(review_cols + impact_cols)} FROM review "
                                            f"WHERE id IN ({ids})")}
        for rid in review_ids:
            if rid not in reviews:
                raise BadInput(f"no review with id {rid}")

        def grouped(table: str, order: str = "position, id", where: str = "") -> dict[int, list[tuple[Any, ...]]]:
            cols, _read = _read_of(table)
            found = fetch(f"SELECT review_id, id, {', '.join(cols)} FROM {table} WHERE review_id IN ({ids}){where} "
                          f"ORDER BY review_id, {order}")
            return {rid: list(rows) for rid, rows in itertools.groupby(found, key=operator.itemgetter(0))}

        strings: dict[str, dict[int, list[str]]] = {}
        for name, (table, column) in _STRINGS.items():
            strings[name] = {}
            for rid, value in fetch(f"SELECT review_id, {column} FROM {table} WHERE review_id IN ({ids}) "
                                    "ORDER BY review_id, position, id"):
                strings[name].setdefault(rid, []).append(_text_rule(value))
        tags: dict[int, list[str]] = {}
        for rid, name in fetch(f"SELECT review_id, name FROM tag WHERE review_id IN ({ids})"):
            tags.setdefault(rid, []).append(name)
        lists = {name: grouped(table) for name, table in _LISTS.items()}
        components = grouped("component")
        events = grouped("event", "at_utc, seq, id", "" if evidence else " AND (source_id IS NULL OR source_id = '')")
        marks: dict[int, list[Any]] = {}
        for event_id, mark in fetch(f"SELECT event_id, mark FROM event_mark WHERE review_id IN ({ids}) "
                                    "ORDER BY event_id, position"):
            marks.setdefault(event_id, []).append(_MARKS[mark])
        meetings = dict(fetch(f"SELECT review_id, state FROM meeting WHERE review_id IN ({ids})"))
        note_links: dict[int, list[tuple[str, int]]] = {}
        for note_id, kind, target in fetch(f"SELECT note_id, target_kind, target_id FROM note_link "
                                           f"WHERE review_id IN ({ids}) ORDER BY id"):
            note_links.setdefault(note_id, []).append((kind, target))

    _ev_cols, ev_read = _read_of("event")
    _c_cols, c_read = _read_of("component")
    docs: dict[int, PlainDoc] = {}
    for rid in review_ids:
        row = reviews[rid]
        fields = review_read([row], 1)[0]
        fields["format"] = LIMITS["FORMAT"]
        impact = impact_read([row], 1 + len(review_cols))[0]
        comps = []
        for cf in c_read(components.get(rid, []), 2):
            if cf["start"] is not None and cf["end"] is not None and cf["end"] < cf["start"]:
                raise Unchecked("component window")
            comps.append(Item(cf))
        impact["components"] = comps
        rows = events.get(rid, [])
        timeline: list[PlainEvent] = ev_read(rows, 2, {"marks": [marks.get(e[1]) or [] for e in rows]}, _new_event)
        times = [e.at for e in timeline]
        if any(map(operator.gt, times, times[1:])):
            raise Unchecked("timeline order")  # the models sort it (and move notes' links): read it the full way
        tag_list = tags.get(rid, [])
        for t in tag_list:
            if type(t) is not str or not t.strip() or len(t) > 1000 or t != t.lower():
                raise Unchecked("tag")
        items = {name: list(map(Item, _read_of(table)[1](lists[name].get(rid, []), 2))) for name, table in _LISTS.items()}
        positions: dict[str, dict[int, int]] | None = None
        for note, r in zip(items["notes"], lists["notes"].get(rid, [])):
            became = []
            links = note_links.get(r[1])
            if links:
                if positions is None:
                    positions = {"event": {e[1]: i for i, e in enumerate(events.get(rid, []))}}
                    for kind, name in (("factor", "factors"), ("observation", "observations"), ("action", "action_items")):
                        positions[kind] = {x[1]: i for i, x in enumerate(lists[name].get(rid, []))}
                seen = set()
                for kind, target in links:
                    index = positions.get(kind, {}).get(target)
                    if index is not None and (kind, index) not in seen:
                        seen.add((kind, index))
                        became.append(Item({"kind": _BECAME[kind], "index": index}))
            note.__dict__["became"] = became
        fields.update(
            authors=strings["authors"].get(rid, []), participants=items["participants"], tags=sorted(set(tag_list)),
            links=items["links"], timeline=timeline, impact=Item(impact), factors=items["factors"],
            observations=items["observations"], learnings=strings["learnings"].get(rid, []),
            action_items=items["action_items"], notes=items["notes"], related=strings["related"].get(rid, []),
            meeting=_meeting(meetings.get(rid)),
        )
        docs[rid] = PlainDoc(fields)
    return docs
