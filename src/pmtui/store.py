"""The review store: the one place that talks to the database.

SQLite in WAL mode with foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` write
transactions, so that a second pmtui process (the note-taker's) can share the file.
Opening checks the file first with the standard library (cheap, and never writes to
a file that is not ours or that a newer pmtui wrote); SQLAlchemy and SQLModel are
imported only when the store is first really used.

No Textual imports here.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator
from zoneinfo import ZoneInfo

from pmtui.errors import BadInput, StoreError

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection, Engine

    from pmtui.document import ReviewDoc

SCHEMA_VERSION = 1
APPLICATION_ID = 0x706D7475
SQLITE_HEADER = b"SQLite format 3\x00"
ENV_VAR = "PMTUI_DB"
_UTC_FMT = "%Y-%m-%dT%H:%M:%S.%f"


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("pmtui") / "pmtui.db"


def resolve_path(cli_value: str | None) -> Path:
    """``--db`` wins, then ``PMTUI_DB``, then the user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default_path()


# ------------------------------------------------------------------ time helpers
def to_utc_text(at: datetime) -> tuple[str, int]:
    """An aware datetime -> (sortable UTC text, offset in minutes)."""
    offset = at.utcoffset() or timedelta(0)
    return at.astimezone(UTC).strftime(_UTC_FMT), round(offset.total_seconds() / 60)


def from_utc_text(text: str, offset_min: int) -> datetime:
    at = datetime.strptime(text, _UTC_FMT).replace(tzinfo=UTC)
    return at.astimezone(timezone(timedelta(minutes=offset_min))) if offset_min else at


def now_utc_text() -> str:
    return datetime.now(UTC).strftime(_UTC_FMT)


# ------------------------------------------------------------------------- slugs
def slugify(title: str, first_day: date | None = None, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
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
@dataclass(frozen=True)
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


_LIST_SQL = """
SELECT r.id, r.slug, r.title, r.status, r.severity, r.timezone, r.created_at,
       (SELECT MIN(e.at_utc) FROM event e WHERE e.review_id = r.id),
       (SELECT COUNT(*) FROM action_item a WHERE a.review_id = r.id
            AND a.status IN ('open', 'in_progress')),
       (SELECT COUNT(*) FROM action_item a WHERE a.review_id = r.id
            AND a.status IN ('open', 'in_progress') AND a.due IS NOT NULL AND a.due < ?)
FROM review r
"""


# ------------------------------------------------------------------------- store
class Store:
    """Open with :meth:`Store.open`; every read and write of reviews goes through here."""

    def __init__(self, path: Path, *, created: bool = False) -> None:
        self.path = path
        self._created = created
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Check (and create when missing) the store file, without SQLAlchemy."""
        path = Path(path)
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a pmtui store file")
        created = False
        if not path.exists() or path.stat().st_size == 0:
            cls._create_file(path)
            created = True
        else:
            cls._check_file(path)
        store = cls(path, created=created)
        return store

    @staticmethod
    def _create_file(path: Path) -> None:
        folder = path.parent
        if not folder.exists():
            try:
                folder.mkdir(parents=True, mode=0o700)
                os.chmod(folder, 0o700)
            except OSError as exc:
                raise StoreError(f"cannot create the folder {folder} for the store: {exc.strerror}") from None
        try:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
            os.chmod(path, 0o600)
        except OSError as exc:
            raise StoreError(f"cannot create the store {path}: {exc.strerror}") from None

    @staticmethod
    def _check_file(path: Path) -> None:
        try:
            with open(path, "rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise StoreError(f"cannot read the store {path}: {exc.strerror}") from None
        if header != SQLITE_HEADER:
            raise StoreError(f"{path} is not a pmtui store (it is not an SQLite database)")
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                app_id = con.execute("PRAGMA application_id").fetchone()[0]
                version = con.execute("PRAGMA user_version").fetchone()[0]
                tables = con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} cannot be read as a pmtui store ({exc}); it may be damaged") from None
        if app_id != APPLICATION_ID:
            if app_id == 0 and tables == 0:
                return  # an empty SQLite file: we may set it up
            raise StoreError(f"{path} is an SQLite database, but not a pmtui store")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path} was written by a newer pmtui (store schema {version}; this pmtui knows "
                f"schema {SCHEMA_VERSION}); upgrade pmtui to open it. The file was not changed."
            )

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self._make_engine()
            return self._engine

    def _make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        engine = create_engine(f"sqlite:///{self.path}")

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_con: Any, _record: Any) -> None:
            dbapi_con.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_con.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA busy_timeout = 10000")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            mode = "IMMEDIATE" if conn.get_execution_options().get("pmtui_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        self._setup_schema(engine)
        return engine

    def _setup_schema(self, engine: Engine) -> None:
        from pmtui import models

        with engine.connect().execution_options(pmtui_write=True) as conn, conn.begin():
            version = conn.exec_driver_sql("PRAGMA user_version").scalar() or 0
            if version > SCHEMA_VERSION:  # written by a newer pmtui since we checked
                raise StoreError(f"{self.path} was written by a newer pmtui; upgrade pmtui to open it")
            if version == 0:
                models.SQLModel.metadata.create_all(conn)
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute(
                    models.Meta.__table__.insert(),
                    [{"key": "schema_version", "value": str(SCHEMA_VERSION)}, {"key": "created_at", "value": now_utc_text()}],
                )

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(pmtui_write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # ----------------------------------------------------------- listing
    def list_reviews(self, today: date | None = None) -> list[ReviewSummary]:
        """Every review with what a list shows, newest first.

        Uses the standard library's sqlite3 directly: the app's home screen calls
        this before SQLAlchemy has been imported."""
        if self._created and self._engine is None:
            self.engine  # a brand new file: lay out the schema first
        today = today or date.today()
        con = sqlite3.connect(str(self.path), timeout=10)
        try:
            rows = con.execute(_LIST_SQL, (today.isoformat(),)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} cannot be read as a pmtui store ({exc})") from None
        finally:
            con.close()
        out = [
            ReviewSummary(
                id=r[0], slug=r[1], title=r[2], status=r[3], severity=r[4], timezone=r[5], created_at=r[6] or "",
                first_event=from_utc_text(r[7], 0) if r[7] else None, open_actions=r[8], overdue_actions=r[9],
            )
            for r in rows
        ]
        out.sort(key=lambda s: (s.first_event.isoformat() if s.first_event else s.created_at, s.id), reverse=True)
        return out

    def resolve(self, ref: str | int) -> int:
        """A review's id from its id or slug; an unknown one is a BadInput."""
        from sqlalchemy import select

        from pmtui.models import Review

        text = str(ref).strip()
        with self._read() as conn:
            if text.isdigit():
                found = conn.execute(select(Review.id).where(Review.id == int(text))).scalar()
                if found is not None:
                    return found
            found = conn.execute(select(Review.id).where(Review.slug == text)).scalar()
        if found is None:
            raise BadInput(f"no review with id or slug {text!r} (see `pmtui list`)")
        return found

    # ----------------------------------------------------------- creating
    def _unique_slug(self, conn: Connection, base: str) -> str:
        from sqlalchemy import select

        from pmtui.models import Review

        taken = set(conn.execute(select(Review.slug).where(Review.slug.like(f"{base}%"))).scalars())
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def create_review(self, title: str, **fields: Any) -> tuple[int, str]:
        from pmtui.document import FORMAT, validate_document

        doc = validate_document({"format": FORMAT, "title": title, **fields})
        return self.import_documents([doc])[0]

    def import_documents(self, docs: list[ReviewDoc]) -> list[tuple[int, str]]:
        """Add each document as a new review, all in one transaction (all or nothing).

        Rows of every document are gathered per table and written with one
        executemany each, so importing a thousand files costs a handful of statements."""
        from sqlalchemy import insert

        from pmtui import models as m

        pending: dict[Any, list[dict[str, Any]]] = {}
        events: list[dict[str, Any]] = []
        event_marks: list[list[str]] = []
        out = []
        with self._write() as conn:
            for doc in docs:
                review_id, slug = self._insert_review_row(conn, doc)
                out.append((review_id, slug))
                for table, rows in self._child_rows(review_id, doc).items():
                    pending.setdefault(table, []).extend(rows)
                for i, e in enumerate(doc.timeline):
                    at, off = to_utc_text(e.at)
                    events.append({"review_id": review_id, "at_utc": at, "offset_min": off, "seq": i, "text": e.text,
                                   "kind": e.kind.value, "source": e.source, "approximate": e.approximate,
                                   "highlight": e.highlight})
                    event_marks.append([mk.value for mk in e.marks])
            for table, rows in pending.items():
                if rows:
                    conn.execute(insert(table.__table__), rows)
            if events:
                t = m.Event.__table__
                ids = conn.execute(insert(t).returning(t.c.id, sort_by_parameter_order=True), events).scalars().all()
                marks = [
                    {"review_id": ev["review_id"], "event_id": ids[i], "mark": mk, "position": j}
                    for i, ev in enumerate(events)
                    for j, mk in enumerate(event_marks[i])
                ]
                if marks:
                    conn.execute(insert(m.EventMark.__table__), marks)
        return out

    def _insert_review_row(self, conn: Connection, doc: ReviewDoc) -> tuple[int, str]:
        from sqlalchemy import insert

        from pmtui import models as m

        first_day = None
        if doc.timeline:
            first_day = doc.timeline[0].at.astimezone(doc.zone()).date()
        slug = self._unique_slug(conn, slugify(doc.title, first_day))
        now = now_utc_text()
        imp = doc.impact
        review_id = conn.execute(
            insert(m.Review.__table__).returning(m.Review.__table__.c.id),
            {
                "slug": slug, "title": doc.title, "status": doc.status.value, "severity": doc.severity,
                "incident_ref": doc.incident_ref, "timezone": doc.timezone,
                "review_date": doc.review_date.isoformat() if doc.review_date else None,
                "summary": doc.summary, "trigger": doc.trigger, "detection": doc.detection,
                "resolution": doc.resolution, "impact_description": imp.description,
                "users_affected": imp.users_affected, "data_loss": imp.data_loss,
                "support_tickets": imp.support_tickets, "slo_budget_spent_pct": imp.slo_budget_spent_pct,
                "customer_communication": imp.customer_communication, "created_at": now, "updated_at": now,
            },
        ).scalar_one()
        return review_id, slug

    @staticmethod
    def _child_rows(review_id: int, doc: ReviewDoc) -> dict[Any, list[dict[str, Any]]]:
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
            m.Component: rows([{"position": i, "name": c.name, "status": c.status.value}
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
                for r in conn.execute(select(m.Review.__table__).where(m.Review.__table__.c.id.in_(review_ids))).mappings()
            }
            for rid in review_ids:
                if rid not in reviews:
                    raise BadInput(f"no review with id {rid}")

            def grouped(model: Any, *order: Any) -> dict[int, list[Any]]:
                t = model.__table__
                q = select(t).where(t.c.review_id.in_(review_ids)).order_by(t.c.review_id, *(order or (t.c.position,)))
                groups: dict[int, list[Any]] = {}
                for row in conn.execute(q).mappings():
                    groups.setdefault(row["review_id"], []).append(row)
                return groups

            mt, et = m.EventMark.__table__, m.Event.__table__
            marks: dict[int, list[str]] = {}
            for row in conn.execute(
                select(mt.c.event_id, mt.c.mark).where(mt.c.review_id.in_(review_ids)).order_by(mt.c.event_id, mt.c.position)
            ):
                marks.setdefault(row.event_id, []).append(row.mark)
            authors, participants = grouped(m.Author), grouped(m.Participant)
            tags, links = grouped(m.Tag, m.Tag.__table__.c.name), grouped(m.Link)
            events = grouped(m.Event, et.c.at_utc, et.c.seq, et.c.id)
            components, factors = grouped(m.Component), grouped(m.Factor)
            observations, learnings = grouped(m.Observation), grouped(m.Learning)
            actions, notes, related = grouped(m.ActionItem), grouped(m.Note), grouped(m.Related)

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
                "review_date": r["review_date"],
                "summary": r["summary"],
                "trigger": r["trigger"],
                "detection": r["detection"],
                "resolution": r["resolution"],
                "authors": [a["name"] for a in authors.get(rid, [])],
                "participants": [{"name": p["name"], "role": p["role"], "attended": bool(p["attended"])}
                                 for p in participants.get(rid, [])],
                "tags": [t["name"] for t in tags.get(rid, [])],
                "links": [{"title": lk["title"], "url": lk["url"]} for lk in links.get(rid, [])],
                "timeline": [
                    {
                        "at": from_utc_text(e["at_utc"], e["offset_min"]),
                        "text": e["text"], "kind": e["kind"], "marks": marks.get(e["id"], []),
                        "source": e["source"], "approximate": bool(e["approximate"]), "highlight": bool(e["highlight"]),
                    }
                    for e in events.get(rid, [])
                ],
                "impact": {
                    "description": r["impact_description"],
                    "users_affected": r["users_affected"],
                    "components": [{"name": c["name"], "status": c["status"]} for c in components.get(rid, [])],
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
                     "text": n["text"], "author": n["author"]}
                    for n in notes.get(rid, [])
                ],
                "related": [x["ref"] for x in related.get(rid, [])],
            }
            docs.append(ReviewDoc.model_validate(data))
        return docs

    # ----------------------------------------------------------- changes
    def delete_review(self, review_id: int) -> None:
        from sqlalchemy import delete

        from pmtui.models import Review

        with self._write() as conn:
            conn.execute(delete(Review.__table__).where(Review.__table__.c.id == review_id))

    def data_version(self) -> int:
        """Changes when another connection commits (cheap to poll)."""
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA data_version").scalar() or 0)
