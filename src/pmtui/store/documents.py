"""Whole reviews in and out: list, resolve, import (all or nothing), export, delete.

One code path for SQLite and PostgreSQL (SQLAlchemy Core); only the list query on
SQLite runs on the standard library, because the home screen's first frame calls it
before SQLAlchemy is imported.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from pmtui.errors import BadInput
from pmtui.vocab import NOTE_LINK_KINDS

from .values import ReviewSummary, from_utc_text, now_utc_text, slugify, summaries, to_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import ColumnElement, Table
    from sqlalchemy.engine import Connection, RowMapping
    from sqlmodel import SQLModel

    from pmtui.document import ReviewDoc


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
    SQLite stores refuse it too, so that both behave the same."""
    return [f"review {doc.title.replace(chr(0), '')!r}: {path}: contains the character U+0000 (NUL), which the "
            "store cannot keep" for path in _nul_paths(doc.model_dump(mode="json"))]


def _window(c: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("start", "end"):
        at = getattr(c, name)
        out[f"{name}_utc"], out[f"{name}_offset"] = to_utc_text(at) if at is not None else (None, None)
    return out


def _stored_time(utc: str | None, offset: int | None) -> Any:
    return from_utc_text(utc, offset or 0) if utc else None


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
        if self.found_version == 0 or self.backend.kind != "sqlite":
            self.engine  # type: ignore[attr-defined]  # a brand new store: lay out the schema first
        today = today or date.today()
        engine = self._engine if self.backend.kind != "sqlite" else None  # type: ignore[attr-defined]
        return summaries(self.backend.list_rows(today, engine))

    def count_reviews(self) -> int:
        from sqlalchemy import func, select

        from pmtui.models import Review, table_of

        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(table_of(Review))).scalar() or 0)

    def resolve(self, ref: str | int) -> int:
        """A review's id from its id or slug; an unknown one is a BadInput."""
        from sqlalchemy import select

        from pmtui.models import Review, table_of

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

        from pmtui.models import Review, table_of

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
        from pmtui.document import FORMAT, validate_document

        doc = validate_document({"format": FORMAT, "title": title, **fields})
        return self.import_documents([doc])[0]

    def import_documents(self, docs: list[ReviewDoc], uids: list[str] | None = None,
                         extras: list[dict[str, Any]] | None = None) -> list[tuple[int, str]]:
        """Add each document as a new review, all in one transaction (all or nothing).

        Rows of every document are gathered per table and written in one bulk insert
        each (executemany on SQLite, COPY on PostgreSQL), so importing a thousand files
        costs a handful of statements. ``uids`` (``pmtui db copy``) keeps each review's
        stable id; new reviews get a new one, and ``extras`` (also ``db copy``) what the
        document does not hold: the meeting state and the links from notes to what they
        became (see :func:`pmtui.store.transfer.extras_of`)."""
        from pmtui import models as m

        if not docs:
            return []
        problems = [p for doc in docs for p in nul_problems(doc)]
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
                for i, e in enumerate(doc.timeline):
                    at, off = to_utc_text(e.at)
                    events.append({"review_id": review_id, "at_utc": at, "offset_min": off, "seq": i, "text": e.text,
                                   "kind": e.kind.value, "source": e.source, "source_id": e.source_id or None,
                                   "original": e.original, "approximate": e.approximate,
                                   "highlight": e.highlight, "confirmed": e.confirmed})
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

        from pmtui import models as m

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
        imp = doc.impact
        return {
            "slug": slug, "uid": uid, "title": doc.title, "status": doc.status.value, "severity": doc.severity,
            "incident_ref": doc.incident_ref, "timezone": doc.timezone,
            **dict(zip(("started_utc", "started_offset"), to_utc_text(doc.started) if doc.started else (None, None))),
            "review_date": doc.review_date.isoformat() if doc.review_date else None,
            "summary": doc.summary, "trigger": doc.trigger, "detection": doc.detection,
            "resolution": doc.resolution, "impact_description": imp.description,
            "users_affected": imp.users_affected, "data_loss": imp.data_loss,
            "support_tickets": imp.support_tickets, "slo_budget_spent_pct": imp.slo_budget_spent_pct,
            "customer_communication": imp.customer_communication, "created_at": now, "updated_at": now,
            "updated_by": self.actor,
        }

    @staticmethod
    def _child_rows(review_id: int, doc: ReviewDoc) -> dict[type[SQLModel], list[dict[str, Any]]]:
        """The rows of every list in a document but the timeline, by table."""
        from pmtui import models as m

        def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{"review_id": review_id, **it} for it in items]

        notes = []
        for i, n in enumerate(doc.notes):
            at, off = to_utc_text(n.at)
            notes.append({"position": i, "at_utc": at, "offset_min": off, "stage": n.stage.value,
                          "kind": n.kind.value, "text": n.text, "author": n.author})
        return {
            m.Author: rows([{"position": i, "name": a} for i, a in enumerate(doc.authors)]),
            m.Participant: rows([{"position": i, **p.model_dump()} for i, p in enumerate(doc.participants)]),
            m.Link: rows([{"position": i, **lk.model_dump()} for i, lk in enumerate(doc.links)]),
            m.Tag: rows([{"name": t} for t in doc.tags]),
            m.Component: rows([{"position": i, "name": c.name, "status": c.status.value, **_window(c)}
                               for i, c in enumerate(doc.impact.components)]),
            m.Factor: rows([{"position": i, "text": f.text, "category": f.category.value} for i, f in enumerate(doc.factors)]),
            m.Observation: rows([{"position": i, "kind": o.kind.value, "text": o.text} for i, o in enumerate(doc.observations)]),
            m.Learning: rows([{"position": i, "text": t} for i, t in enumerate(doc.learnings)]),
            m.Related: rows([{"position": i, "ref": t} for i, t in enumerate(doc.related)]),
            m.ActionItem: rows([
                {
                    "position": i, "title": a.title, "description": a.description, "type": a.type.value,
                    "owner": a.owner, "priority": a.priority.value, "due": a.due.isoformat() if a.due else None,
                    "status": a.status.value, "status_note": a.status_note, "tracker": a.tracker,
                }
                for i, a in enumerate(doc.action_items)
            ]),
            m.Note: rows(notes),
        }

    # ----------------------------------------------------------- exporting
    def export_document(self, review_id: int) -> ReviewDoc:
        return self.export_documents([review_id])[0]

    def export_documents(self, review_ids: list[int]) -> list[ReviewDoc]:
        """Whole documents for these reviews, in that order; each table is read once
        per chunk of reviews, so exporting every review stays fast."""
        out: list[ReviewDoc] = []
        for start in range(0, len(review_ids), 400):
            out.extend(self._export_chunk(review_ids[start : start + 400]))
        return out

    def _export_chunk(self, review_ids: list[int]) -> list[ReviewDoc]:
        from sqlalchemy import select

        from pmtui import models as m
        from pmtui.document import FORMAT, ReviewDoc

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
            data = {
                "format": FORMAT,
                "title": r["title"],
                "status": r["status"],
                "severity": r["severity"],
                "incident_ref": r["incident_ref"],
                "timezone": r["timezone"],
                "started": _stored_time(r["started_utc"], r["started_offset"]),
                "review_date": r["review_date"],
                "summary": r["summary"],
                "trigger": r["trigger"],
                "detection": r["detection"],
                "resolution": r["resolution"],
                "authors": [a["name"] for a in authors.get(rid, [])],
                "participants": [{"name": p["name"], "role": p["role"], "attended": bool(p["attended"])}
                                 for p in participants.get(rid, [])],
                "tags": sorted(t["name"] for t in tags.get(rid, [])),  # code point order on every database
                "links": [{"title": lk["title"], "url": lk["url"]} for lk in links.get(rid, [])],
                "timeline": [
                    {
                        "at": from_utc_text(e["at_utc"], e["offset_min"]),
                        "text": e["text"], "kind": e["kind"], "marks": marks.get(e["id"], []),
                        "source": e["source"], "source_id": e["source_id"] or "", "original": e["original"],
                        "approximate": bool(e["approximate"]), "highlight": bool(e["highlight"]),
                        "confirmed": bool(e["confirmed"]),
                    }
                    for e in events.get(rid, [])
                ],
                "impact": {
                    "description": r["impact_description"],
                    "users_affected": r["users_affected"],
                    "components": [{"name": c["name"], "status": c["status"],
                                    "start": _stored_time(c["start_utc"], c["start_offset"]),
                                    "end": _stored_time(c["end_utc"], c["end_offset"])}
                                   for c in components.get(rid, [])],
                    "data_loss": r["data_loss"],
                    "support_tickets": r["support_tickets"],
                    "slo_budget_spent_pct": r["slo_budget_spent_pct"],
                    "customer_communication": r["customer_communication"],
                },
                "factors": [{"text": f["text"], "category": f["category"]} for f in factors.get(rid, [])],
                "observations": [{"kind": o["kind"], "text": o["text"]} for o in observations.get(rid, [])],
                "learnings": [x["text"] for x in learnings.get(rid, [])],
                "action_items": [
                    {k: a[k] for k in ("title", "description", "type", "owner", "priority", "due", "status",
                                       "status_note", "tracker")}
                    for a in actions.get(rid, [])
                ],
                "notes": [
                    {"at": from_utc_text(n["at_utc"], n["offset_min"]), "stage": n["stage"], "kind": n["kind"],
                     "text": n["text"], "author": n["author"], "became": became(rid, n["id"])}
                    for n in notes.get(rid, [])
                ],
                "related": [x["ref"] for x in related.get(rid, [])],
            }
            docs.append(ReviewDoc.model_validate(data))
        return docs


    # ----------------------------------------------------------- changes
    def delete_review(self, review_id: int) -> None:
        from sqlalchemy import delete

        from pmtui.models import Review, table_of

        with self._write() as conn:
            conn.execute(delete(table_of(Review)).where(table_of(Review).c.id == review_id))
            self._changed("review", review_id, review_id)

    def review_uids(self) -> dict[str, int]:
        """Every review's stable id (what `pmtui db copy` matches on) -> its id here."""
        from sqlalchemy import select

        from pmtui.models import Review, table_of

        t = table_of(Review)
        with self._read() as conn:
            return {uid: rid for rid, uid in conn.execute(select(t.c.id, t.c.uid))}
