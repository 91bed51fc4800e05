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
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator
from zoneinfo import ZoneInfo

from pmtui.errors import BadInput, StoreError

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection, Engine

    from pmtui.document import ReviewDoc

SCHEMA_VERSION = 2
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
    at = datetime.fromisoformat(text).replace(tzinfo=UTC)
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
       e.first_at, COALESCE(a.open, 0), COALESCE(a.overdue, 0)
FROM review r
LEFT JOIN (SELECT review_id, MIN(at_utc) AS first_at FROM event GROUP BY review_id) e ON e.review_id = r.id
LEFT JOIN (SELECT review_id, COUNT(*) AS open,
                  SUM(due IS NOT NULL AND due < ?) AS overdue
           FROM action_item WHERE status IN ('open', 'in_progress') GROUP BY review_id) a ON a.review_id = r.id
"""


# ------------------------------------------------------------------------- store
class _StoreCore:
    """Opening, listing, importing and exporting whole reviews (see Store)."""

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
            elif version < SCHEMA_VERSION:
                # Every change so far only adds tables: create the missing ones.
                models.SQLModel.metadata.create_all(conn)
                conn.exec_driver_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
                meta = models.Meta.__table__
                conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))

    def close(self) -> None:
        if getattr(self, "_watch", None) is not None:
            self._watch.close()
            self._watch = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(pmtui_write=True) as conn, conn.begin():
            yield conn
        self._seen_version = self._data_version()

    def _data_version(self) -> int | None:
        if getattr(self, "_watch", None) is None:
            return None
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def changed_elsewhere(self) -> bool:
        """True when another process committed to the store since we last looked
        (our own writes do not count). Cheap enough to poll every second or two."""
        if getattr(self, "_watch", None) is None:
            self._watch = sqlite3.connect(str(self.path), check_same_thread=False)
            self._seen_version = self._data_version()
            return False
        version = self._data_version()
        changed = version != self._seen_version
        self._seen_version = version
        return changed

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


# ---------------------------------------------------------------------------
# Editing: what the app changes, one confirmed edit at a time. Every value is
# checked with the document's own rules before anything is written.
# ---------------------------------------------------------------------------
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


# review column -> (document model name, field of that model)
REVIEW_FIELDS: dict[str, tuple[str, str]] = {
    **{f: ("ReviewDoc", f) for f in (
        "title", "status", "severity", "incident_ref", "timezone", "review_date",
        "summary", "trigger", "detection", "resolution",
    )},
    "impact_description": ("Impact", "description"),
    "users_affected": ("Impact", "users_affected"),
    "data_loss": ("Impact", "data_loss"),
    "support_tickets": ("Impact", "support_tickets"),
    "slo_budget_spent_pct": ("Impact", "slo_budget_spent_pct"),
    "customer_communication": ("Impact", "customer_communication"),
}

# list kind -> (table model name, document model name, {column: document field})
LIST_KINDS: dict[str, tuple[str, str, dict[str, str]]] = {
    "author": ("Author", "TextItem", {"name": "text"}),
    "participant": ("Participant", "Participant", {"name": "name", "role": "role", "attended": "attended"}),
    "link": ("Link", "Link", {"title": "title", "url": "url"}),
    "component": ("Component", "Component", {"name": "name", "status": "status"}),
    "factor": ("Factor", "Factor", {"text": "text", "category": "category"}),
    "observation": ("Observation", "Observation", {"kind": "kind", "text": "text"}),
    "learning": ("Learning", "TextItem", {"text": "text"}),
    "related": ("Related", "TextItem", {"ref": "text"}),
    "action": ("ActionItem", "ActionItem", {c: c for c in (
        "title", "description", "type", "owner", "priority", "due", "status", "status_note", "tracker")}),
    "note": ("Note", "Note", {"at": "at", "stage": "stage", "kind": "kind", "text": "text", "author": "author"}),
}


def _db_value(value: Any) -> Any:
    """A cleaned document value as the store keeps it: enums by value, dates as text."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return value


def _doc_model(name: str) -> Any:
    from pmtui import document

    return getattr(document, name)


def _table(name: str) -> Any:
    from pmtui import models

    return getattr(models, name).__table__


def _check(model_name: str, values: dict[str, Any], names: dict[str, str] | None = None) -> dict[str, Any]:
    """Validate ``values`` (keyed by column) with a document model; FieldErrors keyed by column."""
    from pmtui.document import check_values
    from pmtui.errors import FieldErrors

    names = names or {k: k for k in values}
    back = {names[k]: k for k in values}
    try:
        cleaned = check_values(_doc_model(model_name), {names[k]: v for k, v in values.items()})
    except FieldErrors as exc:
        raise FieldErrors({back.get(k, k): msg for k, msg in exc.fields.items()}) from None
    return {back[k]: _db_value(v) for k, v in cleaned.items()}


class _Editing:
    """Mixed into Store: reads for the UI and one-edit-at-a-time writes."""

    _write: Any
    _read: Any

    # ------------------------------------------------------------ review
    def _touch(self, conn: Connection, review_id: int) -> None:
        t = _table("Review")
        conn.execute(t.update().where(t.c.id == review_id).values(updated_at=now_utc_text()))

    def get_review(self, review_id: int) -> dict[str, Any]:
        """The review's own fields (and its tags) as stored."""
        from sqlalchemy import select

        t, tags = _table("Review"), _table("Tag")
        with self._read() as conn:
            row = conn.execute(select(t).where(t.c.id == review_id)).mappings().first()
            if row is None:
                raise BadInput(f"no review with id {review_id}")
            names = conn.execute(select(tags.c.name).where(tags.c.review_id == review_id).order_by(tags.c.name)).scalars()
            return {**row, "tags": list(names)}

    def update_review(self, review_id: int, /, **values: Any) -> dict[str, Any]:
        """Change some of a review's fields; returns them as stored."""
        by_model: dict[str, dict[str, Any]] = {}
        for column, value in values.items():
            if column not in REVIEW_FIELDS:
                raise ValueError(f"not a review field: {column}")
            model, field = REVIEW_FIELDS[column]
            by_model.setdefault(model, {})[column] = value
        cleaned: dict[str, Any] = {}
        errors: dict[str, str] = {}
        from pmtui.errors import FieldErrors

        for model, vals in by_model.items():
            try:
                cleaned.update(_check(model, vals, {c: REVIEW_FIELDS[c][1] for c in vals}))
            except FieldErrors as exc:
                errors.update(exc.fields)
        if errors:
            raise FieldErrors(errors)
        t = _table("Review")
        with self._write() as conn:
            conn.execute(t.update().where(t.c.id == review_id).values(**cleaned, updated_at=now_utc_text()))
        return cleaned

    def set_tags(self, review_id: int, tags: list[str]) -> list[str]:
        from sqlalchemy import delete, insert

        cleaned = _check("ReviewDoc", {"tags": tags})["tags"]
        t = _table("Tag")
        with self._write() as conn:
            conn.execute(delete(t).where(t.c.review_id == review_id))
            if cleaned:
                conn.execute(insert(t), [{"review_id": review_id, "name": n} for n in cleaned])
            self._touch(conn, review_id)
        return cleaned

    # ------------------------------------------------------------ lists
    def list_items(self, kind: str, review_id: int) -> list[dict[str, Any]]:
        from sqlalchemy import select

        t = _table(LIST_KINDS[kind][0])
        with self._read() as conn:
            rows = conn.execute(select(t).where(t.c.review_id == review_id).order_by(t.c.position, t.c.id)).mappings()
            out = [dict(r) for r in rows]
        if kind == "note":
            for r in out:
                r["at"] = from_utc_text(r.pop("at_utc"), r.pop("offset_min"))
        return out

    def _clean_item(self, kind: str, values: dict[str, Any]) -> dict[str, Any]:
        _, model, names = LIST_KINDS[kind]
        unknown = set(values) - set(names)
        if unknown:
            raise ValueError(f"not a {kind} field: {', '.join(sorted(unknown))}")
        cleaned = _check(model, values, names)
        if kind == "note" and "at" in cleaned:
            cleaned["at_utc"], cleaned["offset_min"] = to_utc_text(cleaned.pop("at"))
        return cleaned

    def add_item(self, kind: str, review_id: int, /, **values: Any) -> int:
        """Append an item to one of a review's lists; returns its id."""
        from sqlalchemy import func, insert, select

        _, model, names = LIST_KINDS[kind]
        required = {c for c, f in names.items() if _doc_model(model).model_fields[f].is_required()}
        missing = {c: "required field is missing" for c in required if c not in values}
        if missing:
            from pmtui.errors import FieldErrors

            raise FieldErrors(missing)
        cleaned = self._clean_item(kind, values)
        t = _table(LIST_KINDS[kind][0])
        with self._write() as conn:
            position = conn.execute(select(func.coalesce(func.max(t.c.position) + 1, 0)).where(t.c.review_id == review_id)).scalar()
            item_id = conn.execute(insert(t).returning(t.c.id), {"review_id": review_id, "position": position, **cleaned}).scalar_one()
            self._touch(conn, review_id)
        return item_id

    def update_item(self, kind: str, item_id: int, /, **values: Any) -> dict[str, Any]:
        cleaned = self._clean_item(kind, values)
        t = _table(LIST_KINDS[kind][0])
        with self._write() as conn:
            review_id = conn.execute(t.update().where(t.c.id == item_id).values(**cleaned).returning(t.c.review_id)).scalar()
            if review_id is None:
                raise BadInput(f"that {kind} no longer exists")
            self._touch(conn, review_id)
        return cleaned

    def delete_item(self, kind: str, item_id: int) -> dict[str, Any]:
        """Delete an item; returns what is needed to restore it (undo)."""
        from sqlalchemy import delete, select

        t = _table(LIST_KINDS[kind][0])
        with self._write() as conn:
            row = conn.execute(select(t).where(t.c.id == item_id)).mappings().first()
            if row is None:
                raise BadInput(f"that {kind} no longer exists")
            conn.execute(delete(t).where(t.c.id == item_id))
            self._touch(conn, row["review_id"])
        return {"kind": kind, "row": dict(row)}

    def restore_item(self, snapshot: dict[str, Any]) -> int:
        from sqlalchemy import insert, select

        t = _table(LIST_KINDS[snapshot["kind"]][0])
        row = dict(snapshot["row"])
        with self._write() as conn:
            if conn.execute(select(t.c.id).where(t.c.id == row["id"])).first() is not None:
                row.pop("id")
            item_id = conn.execute(insert(t).returning(t.c.id), row).scalar_one()
            self._touch(conn, row["review_id"])
        return item_id

    def move_item(self, kind: str, item_id: int, offset: int) -> None:
        """Move an item up (-1) or down (+1) in its list."""
        from sqlalchemy import select

        t = _table(LIST_KINDS[kind][0])
        with self._write() as conn:
            review_id = conn.execute(select(t.c.review_id).where(t.c.id == item_id)).scalar()
            if review_id is None:
                return
            ids = list(conn.execute(select(t.c.id).where(t.c.review_id == review_id).order_by(t.c.position, t.c.id)).scalars())
            i = ids.index(item_id)
            j = max(0, min(len(ids) - 1, i + offset))
            ids.insert(j, ids.pop(i))
            for pos, iid in enumerate(ids):
                conn.execute(t.update().where(t.c.id == iid).values(position=pos))
            self._touch(conn, review_id)

    # ------------------------------------------------------------ timeline
    def events(self, review_id: int) -> list[EventRow]:
        """The timeline in order (time, then insertion), with each event's marks."""
        return self._event_rows(review_id)

    def events_with_marks(self, review_id: int) -> list[EventRow]:
        """Only the marked events (what metrics need), cheap on long timelines."""
        return self._event_rows(review_id, marked_only=True)

    def _event_rows(self, review_id: int, marked_only: bool = False) -> list[EventRow]:
        only = " AND id IN (SELECT event_id FROM event_mark WHERE review_id = ?)" if marked_only else ""
        with self._read() as conn:
            marks: dict[int, list[str]] = {}
            for event_id, mark in conn.exec_driver_sql(
                "SELECT event_id, mark FROM event_mark WHERE review_id = ? ORDER BY position, id", (review_id,)
            ):
                marks.setdefault(event_id, []).append(mark)
            rows = conn.exec_driver_sql(
                "SELECT id, at_utc, offset_min, text, kind, source, approximate, highlight, seq FROM event "
                f"WHERE review_id = ?{only} ORDER BY at_utc, seq, id",
                (review_id, review_id) if marked_only else (review_id,),
            ).fetchall()
        return [
            EventRow(r[0], from_utc_text(r[1], r[2]), r[3], r[4], r[5], bool(r[6]), bool(r[7]), tuple(marks.get(r[0], ())), r[8])
            for r in rows
        ]

    _EVENT_FIELDS = ("at", "text", "kind", "source", "approximate", "highlight")

    def _clean_event(self, values: dict[str, Any]) -> dict[str, Any]:
        unknown = set(values) - set(self._EVENT_FIELDS)
        if unknown:
            raise ValueError(f"not an event field: {', '.join(sorted(unknown))}")
        cleaned = _check("Event", values)
        if "at" in cleaned:
            from pmtui.document import normalise_offset

            cleaned["at_utc"], cleaned["offset_min"] = to_utc_text(normalise_offset(cleaned.pop("at")))
        return cleaned

    def add_event(self, review_id: int, /, **values: Any) -> int:
        from sqlalchemy import func, insert, select

        missing = {k: "required field is missing" for k in ("at", "text") if k not in values}
        if missing:
            from pmtui.errors import FieldErrors

            raise FieldErrors(missing)
        cleaned = self._clean_event(values)
        t = _table("Event")
        with self._write() as conn:
            seq = conn.execute(select(func.coalesce(func.max(t.c.seq) + 1, 0)).where(t.c.review_id == review_id)).scalar()
            event_id = conn.execute(insert(t).returning(t.c.id), {"review_id": review_id, "seq": seq, **cleaned}).scalar_one()
            self._touch(conn, review_id)
        return event_id

    def update_event(self, event_id: int, /, **values: Any) -> None:
        cleaned = self._clean_event(values)
        t = _table("Event")
        with self._write() as conn:
            review_id = conn.execute(t.update().where(t.c.id == event_id).values(**cleaned).returning(t.c.review_id)).scalar()
            if review_id is None:
                raise BadInput("that event no longer exists")
            self._touch(conn, review_id)

    def delete_event(self, event_id: int) -> dict[str, Any]:
        from sqlalchemy import delete, select

        t, mt = _table("Event"), _table("EventMark")
        with self._write() as conn:
            row = conn.execute(select(t).where(t.c.id == event_id)).mappings().first()
            if row is None:
                raise BadInput("that event no longer exists")
            marks = [dict(m) for m in conn.execute(select(mt).where(mt.c.event_id == event_id)).mappings()]
            conn.execute(delete(t).where(t.c.id == event_id))
            self._touch(conn, row["review_id"])
        return {"row": dict(row), "marks": marks}

    def restore_event(self, snapshot: dict[str, Any]) -> int:
        """Undo a delete: the event comes back with the marks no other event has taken since."""
        from sqlalchemy import insert, select

        t, mt = _table("Event"), _table("EventMark")
        row = dict(snapshot["row"])
        with self._write() as conn:
            if conn.execute(select(t.c.id).where(t.c.id == row["id"])).first() is not None:
                row.pop("id")
            event_id = conn.execute(insert(t).returning(t.c.id), row).scalar_one()
            taken = set(conn.execute(select(mt.c.mark).where(mt.c.review_id == row["review_id"])).scalars())
            for m in snapshot["marks"]:
                if m["mark"] not in taken:
                    conn.execute(insert(mt), {"review_id": m["review_id"], "event_id": event_id, "mark": m["mark"],
                                              "position": m["position"]})
            self._touch(conn, row["review_id"])
        return event_id

    def set_mark(self, review_id: int, mark: str, event_id: int | None) -> None:
        """Put a mark on an event (moving it from any other), or clear it (None)."""
        from sqlalchemy import delete, insert, select

        from pmtui.document import Mark

        if mark not in Mark.__members__:
            raise BadInput(f"unknown mark {mark!r}")
        t, mt = _table("Event"), _table("EventMark")
        with self._write() as conn:
            conn.execute(delete(mt).where(mt.c.review_id == review_id, mt.c.mark == mark))
            if event_id is not None:
                owner = conn.execute(select(t.c.review_id).where(t.c.id == event_id)).scalar()
                if owner != review_id:
                    raise BadInput("that event no longer exists")
                conn.execute(insert(mt), {"review_id": review_id, "event_id": event_id, "mark": mark,
                                          "position": list(Mark.__members__).index(mark)})
            self._touch(conn, review_id)


    # ------------------------------------------------------------ meeting
    def get_meeting(self, review_id: int) -> Any:
        from pmtui.meeting import Meeting

        with self._read() as conn:
            state = conn.exec_driver_sql("SELECT state FROM meeting WHERE review_id = ?", (review_id,)).scalar()
        return Meeting.from_json(state) if state else None

    def save_meeting(self, review_id: int, meeting: Any) -> None:
        with self._write() as conn:
            conn.exec_driver_sql(
                "INSERT INTO meeting (review_id, state) VALUES (?, ?) "
                "ON CONFLICT (review_id) DO UPDATE SET state = excluded.state",
                (review_id, meeting.to_json()),
            )

    def end_meeting(self, review_id: int) -> None:
        with self._write() as conn:
            conn.exec_driver_sql("DELETE FROM meeting WHERE review_id = ?", (review_id,))

    # ------------------------------------------------------------ notes
    def link_note(self, note_id: int, target_kind: str, target_id: int) -> None:
        from sqlalchemy import insert, select

        notes, links = _table("Note"), _table("NoteLink")
        with self._write() as conn:
            review_id = conn.execute(select(notes.c.review_id).where(notes.c.id == note_id)).scalar()
            if review_id is None:
                raise BadInput("that note no longer exists")
            conn.execute(insert(links), {"review_id": review_id, "note_id": note_id, "target_kind": target_kind,
                                         "target_id": target_id})

    def note_links(self, review_id: int) -> dict[int, list[tuple[str, int]]]:
        """For each note, what it was turned into."""
        out: dict[int, list[tuple[str, int]]] = {}
        with self._read() as conn:
            for note_id, kind, target in conn.exec_driver_sql(
                "SELECT note_id, target_kind, target_id FROM note_link WHERE review_id = ? ORDER BY id", (review_id,)
            ):
                out.setdefault(note_id, []).append((kind, target))
        return out


class Store(_StoreCore, _Editing):
    """Open with :meth:`Store.open`; every read and write of reviews goes through here."""
