"""Whole reviews in and out: list, resolve, import (all or nothing), export, delete.

One code path for SQLite and PostgreSQL (SQLAlchemy Core); only the list query on
SQLite runs on the standard library, because the home screen's first frame calls it
before SQLAlchemy is imported.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import NOTE_LINK_KINDS
from pmtui.errors import BadInput, Conflict

from .values import ReviewSummary, from_utc_text, now_utc_text, slugify, summaries, to_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import ColumnElement, Table
    from sqlalchemy.engine import Connection, RowMapping
    from sqlmodel import SQLModel

    from pmtui.domain.document import ReviewDoc


def _nul_paths(value: Any, path: str = "") -> list[str]:
    if isinstance(value, str):
        return [path or "value"] if "\x00" in value else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _nul_paths(v, f"{path}.{k}" if path else str(k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _nul_paths(v, f"{path}[{i}]")]
    return []


# a note's ``became`` kind in the document -> ``note_link.target_kind`` in the store
STORE_KIND: dict[str, str] = {k.value: v for k, v in NOTE_LINK_KINDS.items()}
DOC_KIND = {v: k for k, v in STORE_KIND.items()}


def nul_problems(doc: ReviewDoc) -> list[str]:
    """The store keeps any character but U+0000, which PostgreSQL cannot hold in text;
    SQLite stores refuse it too, so that both behave the same. The document's JSON text
    (written by pydantic's serializer, fast) holds the escape ``\\u0000`` wherever a
    string holds U+0000: only then is the document walked for the places to name."""
    if "\\u0000" not in doc.model_dump_json():
        return []
    return [f"review {doc.title.replace(chr(0), '')!r}: {path}: contains the character U+0000 (NUL), which the "
            "store cannot keep" for path in _nul_paths(doc.model_dump(mode="json"))]


def _stored_time(utc: str | None, offset: int | None) -> Any:
    return from_utc_text(utc, offset or 0) if utc else None


_PLANS: dict[str, tuple[Any, dict[str, list[tuple[str, tuple[str, ...]]]]]] = {}


def _plan(table: str) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """The fields a table keeps (pmtui.store.models.KEPT) by how they are kept: {how: [(field,
    columns)]}; made once per table (read for every row of an import or an export)."""
    from pmtui.store.models import KEPT

    kept = KEPT[table][1]
    made = _PLANS.get(table)
    if made is None or made[0] is not kept:
        plan: dict[str, list[tuple[str, tuple[str, ...]]]] = {"value": [], "flag": [], "time": [], "null_when_empty": []}
        for k in kept:
            if k.how != "elsewhere":
                plan[k.how].append((k.field, k.columns))
        made = _PLANS[table] = (kept, plan)
    return made[1]


_PLAIN = frozenset({str, int, bool, float, type(None)})
_MAKERS: dict[str, tuple[Any, Any]] = {}


def _row_of(table: str, item: Any) -> dict[str, Any]:
    """The columns that keep a document item's fields (a list's item, a review's own
    fields, its impact's), as pmtui.store.models.KEPT[table] says: enums by value, a date as
    YYYY-MM-DD, a time as its UTC text and offset. ``item``: a model, or a dict of fields."""
    row: dict[str, Any] = _row_maker(table)(item)
    return row


def _row_maker(table: str) -> Any:
    """:func:`_row_of` for one table, its plan read once (an import calls it for every
    item of every document: issue 23)."""
    plan = _plan(table)
    made = _MAKERS.get(table)
    if made is not None and made[0] is plan:
        return made[1]
    values = [(field, column) for field, (column,) in plan["value"]]
    flags = [(field, column) for field, (column,) in plan["flag"]]
    nullable = [(field, column) for field, (column,) in plan["null_when_empty"]]
    times = [(field, utc, offset) for field, (utc, offset) in plan["time"]]
    plain = _PLAIN

    def make(item: Any) -> dict[str, Any]:
        fields = item if type(item) is dict else item.__dict__  # a pydantic model keeps its fields there
        row: dict[str, Any] = {}
        for field, column in values:
            value = fields[field]
            if type(value) not in plain:
                if isinstance(value, Enum):
                    value = value.value
                elif isinstance(value, date) and not isinstance(value, datetime):
                    value = value.isoformat()
            row[column] = value
        for field, column in flags:
            row[column] = fields[field]
        for field, column in nullable:
            row[column] = fields[field] or None
        for field, utc, offset in times:
            value = fields[field]
            row[utc], row[offset] = to_utc_text(value) if value is not None else (None, None)
        return row

    _MAKERS[table] = (plan, make)
    return make


def _meeting_record(state: str | None) -> dict[str, Any] | None:
    """The document's ``meeting`` from a stored meeting state (None: never started, or a
    state this pmtui cannot read, which then stays out of the document)."""
    if not state:
        return None
    from pydantic import ValidationError

    from pmtui.domain.document import MeetingTimes
    from pmtui.domain.meeting import Meeting

    try:
        record = Meeting.from_json(state).record()
        if record is not None:
            MeetingTimes.model_validate(record)
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return None
    return record


def _fields_of(table: str, row: Any) -> dict[str, Any]:
    """A stored row's document fields (the reverse of _row_of; fields kept elsewhere left out)."""
    plan = _plan(table)
    fields = {field: row[column] for field, (column,) in plan["value"]}
    for field, (column,) in plan["flag"]:
        fields[field] = bool(row[column])
    for field, (column,) in plan["null_when_empty"]:
        fields[field] = row[column] or ""
    for field, (utc, offset) in plan["time"]:
        fields[field] = _stored_time(row[utc], row[offset])
    return fields


class _Documents:
    """Listing, importing and exporting whole reviews (see Store)."""

    _write: Any
    _read: Any
    _changed: Any
    backend: Any
    found_version: int
    actor: str

    # ----------------------------------------------------------- listing
    def list_reviews(self, today: date | None = None) -> list[ReviewSummary]:
        """Every review with what a list shows, newest first."""
        from .schema import SCHEMA_VERSION

        if self.found_version == 0:
            self.engine  # type: ignore[attr-defined]  # a brand new store: lay out the schema first
        today = today or date.today()
        engine = None  # SQLite: the standard library; PostgreSQL at this schema: its own psycopg connection
        if self.backend.kind != "sqlite" and (self._engine is not None  # type: ignore[attr-defined]
                                              or self.found_version != SCHEMA_VERSION):
            engine = self.engine  # type: ignore[attr-defined]
        return summaries(self.backend.list_rows(today, engine))

    def count_reviews(self) -> int:
        from sqlalchemy import func, select

        from pmtui.store.models import Review, table_of

        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(table_of(Review))).scalar() or 0)

    def resolve(self, ref: str | int) -> int:
        """A review's id from its id or slug; an unknown one is a BadInput."""
        from sqlalchemy import select

        from pmtui.store.models import Review, table_of

        t = table_of(Review)
        text = str(ref).strip()
        found: int | None
        with self._read() as conn:
            if text.isdigit() and len(text) < 19:
                found = conn.execute(select(t.c.id).where(t.c.id == int(text))).scalar()
                if found is not None:
                    return found
            found = conn.execute(select(t.c.id).where(t.c.slug == text)).scalar()
        if found is None:
            raise BadInput(f"no review with id or slug {text!r} (see `pmtui list`)")
        return found

    # ----------------------------------------------------------- creating
    def _unique_slugs(self, conn: Connection, bases: list[str]) -> list[str]:
        """A free slug for each base: ``base``, else ``base-2``, ``base-3``…

        The bases are looked up in the slug index in a few statements (no prefix scans);
        only a base that is taken is probed further, one index lookup per try, and
        within one import a base remembers where it got to, so importing many files
        costs the same per file."""
        from sqlalchemy import select

        from pmtui.store.models import Review, table_of

        t = table_of(Review)
        wanted = sorted(set(bases))
        taken: set[str] = set()
        for start in range(0, len(wanted), 500):
            taken.update(conn.execute(select(t.c.slug).where(t.c.slug.in_(wanted[start : start + 500]))).scalars())

        def free(slug: str) -> bool:
            if slug in taken:
                return False
            return conn.execute(select(t.c.id).where(t.c.slug == slug)).first() is None

        out: list[str] = []
        next_n: dict[str, int] = {}
        for base in bases:
            n = next_n.get(base, 1)
            slug = base if n == 1 and base not in taken else None
            while slug is None:
                n = max(n, 1) + 1
                slug = f"{base}-{n}" if free(f"{base}-{n}") else None
            taken.add(slug)
            next_n[base] = n
            out.append(slug)
        return out

    def create_review(self, title: str, **fields: Any) -> tuple[int, str]:
        from pmtui.domain.document import FORMAT, validate_document

        doc = validate_document({"format": FORMAT, "title": title, **fields})
        return self.import_documents([doc])[0]

    def import_documents(self, docs: list[ReviewDoc], uids: list[str] | None = None,
                         extras: list[dict[str, Any]] | None = None,
                         nul_free: list[bool] | None = None) -> list[tuple[int, str]]:
        """Add each document as a new review, all in one transaction (all or nothing).

        Rows of every document are gathered per table and written in one bulk insert
        each (executemany on SQLite, COPY on PostgreSQL), so importing a thousand files
        costs a handful of statements. ``uids`` (``pmtui db copy``) keeps each review's
        stable id; new reviews get a new one, and ``extras`` (also ``db copy``) what the
        document does not hold: the meeting state and the links from notes to what they
        became (see :func:`pmtui.store.transfer.extras_of`).
        ``nul_free``: for each document, whether the caller has seen that it holds no
        U+0000 (``pmtui import`` looks for the escape in the file's bytes), so that it
        is not looked for again."""
        from pmtui.store import models as m

        if not docs:
            return []
        problems = [p for n, doc in enumerate(docs) if not (nul_free and nul_free[n]) for p in nul_problems(doc)]
        if problems:
            raise BadInput.many([f"{p}; nothing was imported" for p in problems])
        bulk = self.backend.insert_rows
        with self._write() as conn:
            bases = []
            for doc in docs:
                first_day = doc.timeline[0].at.astimezone(doc.zone()).date() if doc.timeline else None
                bases.append(slugify(doc.title, first_day))
            slugs = self._unique_slugs(conn, bases)
            now = now_utc_text()
            review_rows = [self._review_row(doc, slugs[n], uids[n] if uids else uuid.uuid4().hex, now)
                           for n, doc in enumerate(docs)]
            review_ids = bulk(conn, m.table_of(m.Review), review_rows, ids=True)
            pending: dict[type[SQLModel], list[dict[str, Any]]] = {}
            events: list[dict[str, Any]] = []
            event_marks: list[list[str]] = []
            for review_id, doc in zip(review_ids, docs):
                self._changed("review", review_id, review_id)
                for table, rows in self._child_rows(review_id, doc).items():
                    pending.setdefault(table, []).extend(rows)
                event_row = _row_maker("event")
                for i, e in enumerate(doc.timeline):
                    events.append({"review_id": review_id, "seq": i, **event_row(e)})
                    event_marks.append([mk.value for mk in e.marks])
            for table, rows in pending.items():
                if rows:
                    bulk(conn, m.table_of(table), rows)
            if events:
                ids = bulk(conn, m.table_of(m.Event), events, ids=True)
                marks = [
                    {"review_id": ev["review_id"], "event_id": ids[i], "mark": mk, "position": j}
                    for i, ev in enumerate(events)
                    for j, mk in enumerate(event_marks[i])
                ]
                if marks:
                    bulk(conn, m.table_of(m.EventMark), marks)
            for n, (review_id, doc) in enumerate(zip(review_ids, docs)):
                extra = dict(extras[n]) if extras else {}
                if doc.meeting is not None and not extra.get("meeting"):  # db copy brings the whole state
                    from pmtui.domain.meeting import Meeting

                    extra["meeting"] = Meeting.from_record(doc.meeting).to_json()
                became = [(ni, STORE_KIND[b.kind.value], b.index) for ni, note in enumerate(doc.notes) for b in note.became]
                if became:
                    extra["links"] = list(extra.get("links") or []) + became
                if extra:
                    self._apply_extras(conn, review_id, extra)
        return list(zip(review_ids, slugs))

    @staticmethod
    def _apply_extras(conn: Connection, review_id: int, extra: dict[str, Any]) -> None:
        """The meeting state and note links of a copied review, by position in each list."""
        from sqlalchemy import insert, select

        from pmtui.store import models as m

        if extra.get("meeting"):
            conn.execute(insert(m.table_of(m.MeetingState)), {"review_id": review_id, "state": extra["meeting"]})
        if not extra.get("links"):
            return

        def ordered(table: Table, *order: ColumnElement[Any]) -> list[int]:
            q = select(table.c.id).where(table.c.review_id == review_id).order_by(*order, table.c.id)
            return list(conn.execute(q).scalars())

        et = m.table_of(m.Event)
        ids = {"note": ordered(m.table_of(m.Note), m.table_of(m.Note).c.position),
               "event": ordered(et, et.c.at_utc, et.c.seq)}
        for kind, model in (("factor", m.Factor), ("observation", m.Observation), ("action", m.ActionItem)):
            ids[kind] = ordered(m.table_of(model), m.table_of(model).c.position)
        rows = [{"review_id": review_id, "note_id": ids["note"][ni], "target_kind": kind, "target_id": ids[kind][ti]}
                for ni, kind, ti in extra["links"]
                if kind in ids and ni < len(ids["note"]) and ti < len(ids[kind])]
        if rows:
            conn.execute(insert(m.table_of(m.NoteLink)), rows)

    def _review_row(self, doc: ReviewDoc, slug: str, uid: str, now: str) -> dict[str, Any]:
        return {"slug": slug, "uid": uid, **_row_of("review", doc), **_row_of("review.impact", doc.impact),
                "created_at": now, "updated_at": now, "updated_by": self.actor}

    @staticmethod
    def _child_rows(review_id: int, doc: ReviewDoc) -> dict[type[SQLModel], list[dict[str, Any]]]:
        """The rows of every list in a document but the timeline, by table."""
        from pmtui.store import models as m

        def rows(table: str, items: list[Any]) -> list[dict[str, Any]]:
            """Each item's row: its position in the list and its fields' columns (pmtui.store.models.KEPT)."""
            make = _row_maker(table)
            return [{"review_id": review_id, "position": i, **make(it)} for i, it in enumerate(items)]

        def strings(table: str, items: list[str]) -> list[dict[str, Any]]:  # a one-string list (TextItem)
            return rows(table, [{"text": s} for s in items])

        return {
            m.Author: strings("author", doc.authors),
            m.Participant: rows("participant", doc.participants),
            m.Link: rows("link", doc.links),
            m.Tag: [{"review_id": review_id, "name": t} for t in doc.tags],
            m.Component: rows("component", doc.impact.components),
            m.Factor: rows("factor", doc.factors),
            m.Observation: rows("observation", doc.observations),
            m.Learning: strings("learning", doc.learnings),
            m.Related: strings("related", doc.related),
            m.ActionItem: rows("action_item", doc.action_items),
            m.Note: rows("note", doc.notes),
        }

    # ----------------------------------------------------------- exporting
    def export_document(self, review_id: int) -> ReviewDoc:
        return self.export_documents([review_id])[0]

    def export_documents(self, review_ids: list[int], *, evidence: bool = True) -> list[ReviewDoc]:
        """Whole documents for these reviews, in that order; each table is read once
        per chunk of reviews, so exporting every review stays fast. ``evidence=False``:
        without the imported evidence in their timelines (each line was checked when it
        was imported), so that checking a review before it opens costs the same at 10
        events as at 100,000 (issue 23)."""
        out: list[ReviewDoc] = []
        for start in range(0, len(review_ids), 400):
            out.extend(self._export_chunk(review_ids[start : start + 400], evidence))
        return out

    def evidence_suspect(self, review_id: int) -> bool:
        """Does any imported evidence line of this review hold a value its timeline could
        not read (a time, an offset or a kind that no import writes: a hand edit)? One
        query, so that the check before a review opens can leave the evidence out and
        read it all only then (the full read names the problem)."""
        from sqlalchemy import text

        from pmtui.domain.vocab import EventKind

        kinds = ", ".join(f"'{k.value}'" for k in EventKind)
        sql = text(f"""SELECT 1 FROM event WHERE review_id = :r AND source_id IS NOT NULL AND source_id <> '' AND (
            at_utc IS NULL OR at_utc < '1000-01-02' OR at_utc > '9999-12-31'
            OR substr(at_utc, 5, 1) <> '-' OR substr(at_utc, 11, 1) <> 'T'
            OR offset_min IS NULL OR offset_min < -1439 OR offset_min > 1439
            OR kind IS NULL OR kind NOT IN ({kinds})) LIMIT 1""")
        with self._read() as conn:
            return conn.execute(sql, {"r": review_id}).first() is not None

    def _export_chunk(self, review_ids: list[int], evidence: bool = True) -> list[ReviewDoc]:
        from sqlalchemy import or_, select

        from pmtui.domain.document import FORMAT, ReviewDoc
        from pmtui.store import models as m

        with self._read() as conn:
            reviews = {
                r["id"]: r
                for r in conn.execute(select(m.table_of(m.Review)).where(m.table_of(m.Review).c.id.in_(review_ids))).mappings()
            }
            for rid in review_ids:
                if rid not in reviews:
                    raise BadInput(f"no review with id {rid}")

            def grouped(model: type[SQLModel], *order: ColumnElement[Any]) -> dict[int, list[RowMapping]]:
                t = m.table_of(model)
                q = select(t).where(t.c.review_id.in_(review_ids)).order_by(t.c.review_id, *(order or (t.c.position,)))
                if model is m.Event and not evidence:
                    q = q.where(or_(t.c.source_id.is_(None), t.c.source_id == ""))
                groups: dict[int, list[RowMapping]] = {}
                for row in conn.execute(q).mappings():
                    groups.setdefault(row["review_id"], []).append(row)
                return groups

            mt, et = m.table_of(m.EventMark), m.table_of(m.Event)
            marks: dict[int, list[str]] = {}
            for row in conn.execute(
                select(mt.c.event_id, mt.c.mark).where(mt.c.review_id.in_(review_ids)).order_by(mt.c.event_id, mt.c.position)
            ):
                marks.setdefault(row.event_id, []).append(row.mark)
            authors, participants = grouped(m.Author), grouped(m.Participant)
            tags, links = grouped(m.Tag, m.table_of(m.Tag).c.name), grouped(m.Link)
            events = grouped(m.Event, et.c.at_utc, et.c.seq, et.c.id)
            components, factors = grouped(m.Component), grouped(m.Factor)
            observations, learnings = grouped(m.Observation), grouped(m.Learning)
            actions, notes, related = grouped(m.ActionItem), grouped(m.Note), grouped(m.Related)
            lt = m.table_of(m.NoteLink)
            note_links: dict[int, list[Any]] = {}
            for row in conn.execute(select(lt.c.note_id, lt.c.target_kind, lt.c.target_id)
                                    .where(lt.c.review_id.in_(review_ids)).order_by(lt.c.id)):
                note_links.setdefault(row.note_id, []).append((row.target_kind, row.target_id))
            st = m.table_of(m.MeetingState)
            meetings = dict(conn.execute(select(st.c.review_id, st.c.state).where(st.c.review_id.in_(review_ids))).all())

        def became(rid: int, note_id: int) -> list[dict[str, Any]]:
            """A note's links as positions in the document's lists (links to what no longer exists are left out)."""
            if note_id not in note_links:
                return []
            if rid not in positions:
                positions[rid] = {
                    kind: {row["id"]: i for i, row in enumerate(rows.get(rid, []))}
                    for kind, rows in (("event", events), ("factor", factors), ("observation", observations),
                                       ("action", actions))
                }
            out, seen = [], set()
            for kind, target in note_links[note_id]:
                index = positions[rid].get(kind, {}).get(target)
                if index is not None and (kind, index) not in seen:
                    seen.add((kind, index))
                    out.append({"kind": DOC_KIND[kind], "index": index})
            return out

        positions: dict[int, dict[str, dict[int, int]]] = {}

        docs = []
        for rid in review_ids:
            r = reviews[rid]
            # each list's fields from its columns (pmtui.store.models.KEPT); what is kept elsewhere beside
            data = {
                "format": FORMAT,
                **_fields_of("review", r),
                "authors": [_fields_of("author", a)["text"] for a in authors.get(rid, [])],
                "participants": [_fields_of("participant", p) for p in participants.get(rid, [])],
                "tags": sorted(t["name"] for t in tags.get(rid, [])),  # code point order on every database
                "links": [_fields_of("link", lk) for lk in links.get(rid, [])],
                "timeline": [{**_fields_of("event", e), "marks": marks.get(e["id"], [])} for e in events.get(rid, [])],
                "impact": {**_fields_of("review.impact", r),
                           "components": [_fields_of("component", c) for c in components.get(rid, [])]},
                "factors": [_fields_of("factor", f) for f in factors.get(rid, [])],
                "observations": [_fields_of("observation", o) for o in observations.get(rid, [])],
                "learnings": [_fields_of("learning", x)["text"] for x in learnings.get(rid, [])],
                "action_items": [_fields_of("action_item", a) for a in actions.get(rid, [])],
                "notes": [{**_fields_of("note", n), "became": became(rid, n["id"])} for n in notes.get(rid, [])],
                "related": [_fields_of("related", x)["text"] for x in related.get(rid, [])],
                "meeting": _meeting_record(meetings.get(rid)),
            }
            docs.append(ReviewDoc.model_validate(data))
        return docs


    # ----------------------------------------------------------- changes
    def delete_review(self, review_id: int, /, expected_version: int, expected_updated_at: str) -> None:
        """Delete a whole review (its lists go with it) only while it is as the seat read it:
        its own row at ``expected_version`` and nothing in it changed since, which its
        ``updated_at`` says (every write to its timeline and lists touches it). Both come
        from ``get_review``. Otherwise a :class:`Conflict` (``current`` None: already
        deleted) and nothing is deleted: the seat is asked again about the review as it is."""
        from pmtui.store.models import Review, table_of
        from pmtui.store.rows import cas_delete

        with self._write() as conn:
            try:
                cas_delete(conn, "review", table_of(Review), review_id, expected_version,
                           also={"updated_at": expected_updated_at})
            except Conflict as exc:
                if exc.current is not None and exc.current_version == expected_version:
                    # only its lists changed: the review row's updated_by names an older change
                    raise Conflict(exc.kind, review_id, expected_version=expected_version,
                                   current_version=exc.current_version, current=exc.current, attempted={},
                                   changed_at=exc.changed_at) from None
                raise
            self._changed("review", review_id, review_id)

    def review_uids(self) -> dict[str, int]:
        """Every review's stable id (what `pmtui db copy` matches on) -> its id here."""
        from sqlalchemy import select

        from pmtui.store.models import Review, table_of

        t = table_of(Review)
        with self._read() as conn:
            return {uid: rid for rid, uid in conn.execute(select(t.c.id, t.c.uid))}
