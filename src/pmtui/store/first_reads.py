"""The reads a review's first frame makes, before SQLAlchemy, SQLModel and pydantic are
loaded (issue 23: `pmtui open REF` draws its first frame about as soon as a bare Textual
app does).

``pmtui open`` turns this on (:meth:`_FirstReads.read_plainly`): until
:meth:`_FirstReads.load_full` has loaded the full store (the app calls it in a worker
thread right after the first frame), the reads a section's screen makes as it is first
drawn (the review, its lists, its timeline, its meeting, its notes' links) run as plain
SQL through the read path's own connection (:func:`pmtui.store.followup._queries`:
SQLite with the standard library, PostgreSQL with psycopg alone) and give exactly what
the SQLAlchemy reads give (``tests/test_first_reads.py`` compares them, field by field,
on both databases). Writes are untouched: every write goes through the one write API
(``rows.py``) and its engine; one made before the full store is loaded waits for it
(``_Opening.engine`` holds its lock while the engine is made), nothing is dropped.

A store not at this pmtui's schema (one to upgrade, a new one) is read the full way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from pmtui.domain.plain_fields import TABLES
from pmtui.domain.vocab import ItemKind
from pmtui.errors import BadInput

from .values import EventRow, from_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.meeting import Meeting

    from .store import Store

Fetch = Callable[[str], list[tuple[Any, ...]]]

# each list's table (pmtui.store.fields.LIST_KINDS names their models)
LIST_TABLES: dict[ItemKind, str] = {
    ItemKind.author: "author", ItemKind.participant: "participant", ItemKind.link: "link",
    ItemKind.component: "component", ItemKind.factor: "factor", ItemKind.observation: "observation",
    ItemKind.learning: "learning", ItemKind.related: "related", ItemKind.action: "action_item",
    ItemKind.note: "note",
}

_EVENT_COLUMNS = ("id, at_utc, offset_min, text, kind, source, approximate, highlight, seq, version, source_id, "
                  "confirmed, review_id")


def _kept(table: str) -> tuple[list[tuple[str, tuple[str, ...]]], set[str]]:
    """(time fields with their two columns, flag columns) of a table, as the models keep them."""
    times: list[tuple[str, tuple[str, ...]]] = []
    flags: set[str] = set()
    kept: dict[str, Any] = TABLES
    for key, (_model, fields) in kept.items():
        if key.split(".")[0] != table:
            continue
        for name, how, columns, _rule in fields:
            if how == "time":
                times.append((name, tuple(columns)))
            elif how == "flag":
                flags.add(columns[0])
    return times, flags


def _quoted(text: str) -> str:
    if "\x00" in text:
        raise ValueError("a NUL in a value")
    return "'" + text.replace("'", "''") + "'"


def _rows(fetch_cols: Callable[[str], tuple[list[str], list[tuple[Any, ...]]]], table: str, sql: str,
          keep_columns: bool = False) -> list[dict[str, Any]]:
    """Rows of ``table`` as SQLAlchemy hands them to the store (flags as bool), each time
    field as an aware datetime (its two columns kept only with ``keep_columns``)."""
    names, found = fetch_cols(sql)
    times, flags = _kept(table)
    out = []
    for values in found:
        row = dict(zip(names, values))
        for column in flags & row.keys():
            if row[column] is not None:
                row[column] = bool(row[column])
        for field, (utc_col, offset_col) in times:
            utc, offset = (row[utc_col], row[offset_col]) if keep_columns else (row.pop(utc_col), row.pop(offset_col))
            row[field] = from_utc_text(utc, offset or 0) if utc else None
        out.append(row)
    return out


class _FirstReads:
    """The first frame's reads in plain SQL while the full store is not loaded (see the module)."""

    _engine: Any
    found_version: int
    backend: Any

    _plainly = False  # read_plainly() was called and load_full() has not finished
    _full_lock: threading.Lock | None = None

    def read_plainly(self) -> None:
        """From now until :meth:`load_full` has run, the first frame's reads need no SQLAlchemy."""
        from .plain import usable

        self._plainly = self._engine is None and usable(self)  # type: ignore[arg-type]
        self._full_lock = threading.Lock()

    @property
    def reads_plainly(self) -> bool:
        return self._plainly

    def load_full(self) -> None:
        """Load the full store (SQLAlchemy, the tables, the document models, the engine and
        its connection) now; from then on every read is the full one. Safe to call from a
        worker thread, and more than once."""
        lock = self._full_lock or threading.Lock()
        with lock:
            if not self._plainly:
                return
            import pmtui.domain.document  # pydantic: every edit is checked with it
            import pmtui.store.models  # noqa: F401  # the tables
            from pmtui.store.fields import REVIEW_FIELDS

            len(REVIEW_FIELDS)  # read from the models once, here rather than on the first edit
            store: Store = self  # type: ignore[assignment]
            store.engine  # made (and, PostgreSQL, connected) here
            with store._read() as conn:  # a first connection in the pool
                conn.exec_driver_sql("SELECT 1")
            self._plainly = False
            self._pg_reread = self.backend.kind == "postgresql"

    _pg_reread = False

    # ------------------------------------------------------------------ the reads
    @contextmanager
    def _fetch(self) -> Iterator[Fetch]:
        """Plain SELECTs in one read transaction. PostgreSQL's read path has one connection
        of its own: a worker's read (the report) and the screen's take turns on it."""
        from .followup import _queries

        with self._plain_turn(), _queries(self) as fetch:  # type: ignore[arg-type]
            yield fetch

    def _plain_turn(self) -> Any:
        if self.backend.kind != "postgresql":
            return nullcontext()
        return self.__dict__.setdefault("_plain_lock", threading.Lock())

    def _column_names(self, fetch: Fetch, table: str) -> list[str]:
        """A table's columns in the store's order (what ``select(t)`` names, as a dict's keys)."""
        known: dict[str, list[str]] = self.__dict__.setdefault("_first_columns", {})
        names = known.get(table)
        if names is None:
            if self.backend.kind == "sqlite":
                names = [r[1] for r in fetch(f"PRAGMA table_info({table})")]
            else:
                names = [r[0] for r in fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    f"AND table_name = {_quoted(table)} ORDER BY ordinal_position")]
            known[table] = names
        return names

    def get_review(self, review_id: int) -> dict[str, Any]:
        if not self._plainly:
            return super().get_review(review_id)  # type: ignore[misc, no-any-return]
        rid = int(review_id)
        with self._fetch() as fetch:
            names = self._column_names(fetch, "review")
            rows = _rows(lambda sql: (names, fetch(sql)), "review",
                         f"SELECT {', '.join(names)} FROM review WHERE id = {rid}", keep_columns=True)
            if not rows:
                raise BadInput(f"no review with id {review_id}")
            tags = sorted(r[0] for r in fetch(f"SELECT name FROM tag WHERE review_id = {rid}"))
        return {**rows[0], "tags": tags}

    def list_items(self, kind: ItemKind, review_id: int) -> list[dict[str, Any]]:
        if not self._plainly:
            return super().list_items(kind, review_id)  # type: ignore[misc, no-any-return]
        table = LIST_TABLES[ItemKind(kind)]
        with self._fetch() as fetch:
            names = self._column_names(fetch, table)
            return _rows(lambda sql: (names, fetch(sql)), table,
                         f"SELECT {', '.join(names)} FROM {table} WHERE review_id = {int(review_id)} "
                         "ORDER BY position, id")

    def note_links(self, review_id: int) -> dict[int, list[tuple[str, int]]]:
        if not self._plainly:
            return super().note_links(review_id)  # type: ignore[misc, no-any-return]
        out: dict[int, list[tuple[str, int]]] = {}
        with self._fetch() as fetch:
            for note_id, kind, target in fetch(f"SELECT note_id, target_kind, target_id FROM note_link "
                                               f"WHERE review_id = {int(review_id)} ORDER BY id"):
                out.setdefault(note_id, []).append((kind, target))
        return out

    def get_meeting(self, review_id: int) -> Meeting | None:
        if not self._plainly:
            return super().get_meeting(review_id)  # type: ignore[misc, no-any-return]
        from pmtui.domain.meeting import Meeting

        with self._fetch() as fetch:
            found = fetch(f"SELECT state FROM meeting WHERE review_id = {int(review_id)}")
        state = found[0][0] if found else None
        return Meeting.from_json(state) if state else None

    def event_count(self, review_id: int, source: str | None = None) -> int:
        if not self._plainly:
            return super().event_count(review_id, source)  # type: ignore[misc, no-any-return]
        where = f" AND source = {_quoted(source)}" if source is not None else ""
        with self._fetch() as fetch:
            return int(fetch(f"SELECT count(*) FROM event WHERE review_id = {int(review_id)}{where}")[0][0] or 0)

    def evidence_suspect(self, review_id: int) -> bool:
        if not self._plainly:
            return super().evidence_suspect(review_id)  # type: ignore[misc, no-any-return]
        from pmtui.domain.vocab import EventKind

        kinds = ", ".join(f"'{k.value}'" for k in EventKind)
        with self._fetch() as fetch:
            return bool(fetch(f"""SELECT 1 FROM event WHERE review_id = {int(review_id)} AND source_id IS NOT NULL
                AND source_id <> '' AND (at_utc IS NULL OR at_utc < '1000-01-02' OR at_utc > '9999-12-31'
                OR substr(at_utc, 5, 1) <> '-' OR substr(at_utc, 11, 1) <> 'T'
                OR offset_min IS NULL OR offset_min < -1439 OR offset_min > 1439
                OR kind IS NULL OR kind NOT IN ({kinds})) LIMIT 1"""))

    def _event_rows(self, review_id: int, marked_only: bool = False, source: str | None = None,
                    window: tuple[int, int] | None = None, only: list[int] | None = None,
                    descending: bool = False, key: tuple[EventRow, bool] | None = None) -> list[EventRow]:
        if not self._plainly:
            return super()._event_rows(review_id, marked_only, source, window, only,  # type: ignore[misc, no-any-return]
                                       descending, key)
        from .values import to_utc_text

        rid = int(review_id)
        where = [f"source = {_quoted(source)}"] if source is not None else []
        if key is not None:  # the rows after (or, descending, before) this event in timeline order
            edge, descending = key
            edge_at = _quoted(to_utc_text(edge.at)[0])
            where.append(f"(at_utc, seq, id) {'<' if descending else '>'} ({edge_at}, {int(edge.seq)}, {int(edge.id)})")
        with self._fetch() as fetch:
            marks: dict[int, list[str]] = {}
            for event_id, mark_name in fetch(f"SELECT event_id, mark FROM event_mark WHERE review_id = {rid} "
                                             "ORDER BY position, id"):
                marks.setdefault(event_id, []).append(mark_name)
            if marked_only:
                only = list(marks)
            if only is not None:
                ids = ", ".join(str(int(i)) for i in only)
                found = fetch(f"SELECT {_EVENT_COLUMNS} FROM event WHERE "
                              + " AND ".join([*where, f"id IN ({ids})"])) if only else []
                rows = sorted((r for r in found if r[12] == rid), key=lambda r: (r[1], r[8], r[0]))
            else:
                order = " DESC" if descending else ""
                sql = (f"SELECT {_EVENT_COLUMNS} FROM event WHERE {' AND '.join([f'review_id = {rid}', *where])} "
                       f"ORDER BY at_utc{order}, seq{order}, id{order}")
                if window is not None:
                    sql += f" LIMIT {int(window[1])} OFFSET {int(window[0])}"
                rows = fetch(sql)
        return [
            EventRow(r[0], from_utc_text(r[1], r[2]), r[3], r[4], r[5], bool(r[6]), bool(r[7]),
                     tuple(marks.get(r[0], ())), r[8], r[9], r[10] or "", bool(r[11]))
            for r in rows
        ]

    def export_document(self, review_id: int) -> Any:
        """The whole review; while the full store is not loaded, its plain document
        (pmtui.domain.plain: what `pmtui export` and `check` render), else the models'."""
        if self._plainly:
            from .plain import read_documents

            with self._plain_turn():
                docs = read_documents(self, [review_id])  # type: ignore[arg-type]
            if docs is not None:
                return docs[review_id]
        return super().export_document(review_id)  # type: ignore[misc]

    def changes_elsewhere(self) -> list[dict[str, Any]]:
        """PostgreSQL's change signal needs the engine: until the full store is loaded the
        seat does not watch; its first poll after asks every screen to read all again (what
        another seat wrote meanwhile is not missed)."""
        if self.backend.kind == "postgresql":
            if self._plainly:
                return []
            if self._pg_reread:
                super().changes_elsewhere()  # type: ignore[misc]  # starts watching
                self._pg_reread = False
                return [{"kind": None, "review": None, "id": None}]
        return super().changes_elsewhere()  # type: ignore[misc, no-any-return]

