"""Everything that only SQLite needs: file checks, PRAGMAs, data_version, backups.

The file is checked with the standard library before SQLAlchemy is imported (cheap,
and never writes to a file that is not ours or that a newer pmtui wrote). The engine
runs in WAL mode with foreign keys, a busy timeout and ``BEGIN IMMEDIATE`` for writes,
so that a second pmtui process (the note-taker's) can share the file.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import OPEN_STATUSES_SQL
from pmtui.errors import StoreError

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

    from .opening import Change, ChangedRow

APPLICATION_ID = 0x706D7475  # "pmtu": marks an SQLite file as a pmtui store
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10000

LIST_SQL = """
SELECT r.id, r.slug, r.title, r.status, r.severity, r.timezone, r.created_at,
       COALESCE(r.started_utc, e.first_at), COALESCE(a.open, 0), COALESCE(a.overdue, 0)
FROM review r
LEFT JOIN (SELECT review_id,  -- the first typed event (imported evidence may be much older)
                  COALESCE(MIN(CASE WHEN source_id IS NULL OR source_id = '' THEN at_utc END), MIN(at_utc)) AS first_at
           FROM event GROUP BY review_id) e ON e.review_id = r.id
LEFT JOIN (SELECT review_id, COUNT(*) AS open,
                  SUM(CASE WHEN due IS NOT NULL AND due < ? THEN 1 ELSE 0 END) AS overdue
           FROM action_item WHERE status IN %s GROUP BY review_id) a ON a.review_id = r.id
""" % OPEN_STATUSES_SQL

# schema 11: the first event times kept by the database (store/listed.py), no scan of every event
# and in the list's order (its index), so the rows need no sorting
LIST_SQL_11 = """
SELECT r.id, r.slug, r.title, r.status, r.severity, r.timezone, r.created_at,
       COALESCE(o.started_utc, o.first_typed_utc, o.first_any_utc), COALESCE(a.open, 0), COALESCE(a.overdue, 0)
FROM review_order o
JOIN review r ON r.id = o.review_id
LEFT JOIN (SELECT review_id, COUNT(*) AS open,
                  SUM(CASE WHEN due IS NOT NULL AND due < ? THEN 1 ELSE 0 END) AS overdue
           FROM action_item WHERE status IN %s GROUP BY review_id) a ON a.review_id = r.id
ORDER BY COALESCE(o.started_utc, o.first_typed_utc, o.first_any_utc, o.created_at) DESC, o.review_id DESC
""" % OPEN_STATUSES_SQL

# a store not upgraded yet (read as it is: pmtui db, --no-upgrade) has no started_utc nor source_id
LIST_SQL_FORMAT_1 = """
SELECT r.id, r.slug, r.title, r.status, r.severity, r.timezone, r.created_at,
       e.first_at, COALESCE(a.open, 0), COALESCE(a.overdue, 0)
FROM review r
LEFT JOIN (SELECT review_id, MIN(at_utc) AS first_at FROM event GROUP BY review_id) e ON e.review_id = r.id
LEFT JOIN (SELECT review_id, COUNT(*) AS open,
                  SUM(CASE WHEN due IS NOT NULL AND due < ? THEN 1 ELSE 0 END) AS overdue
           FROM action_item WHERE status IN %s GROUP BY review_id) a ON a.review_id = r.id
""" % OPEN_STATUSES_SQL


def recover_hint(path: Path) -> str:
    """The command that saves what a damaged store still holds into a new file."""
    import shlex

    return f"sqlite3 {shlex.quote(str(path))} .recover | sqlite3 recovered.db"


def what_to_do_when_damaged(path: Path) -> str:
    """What to do about a damaged store: never a step that could overwrite a good backup."""
    return (f"Restore the backup you made before the damage, or save what can still be read with "
            f"`{recover_hint(path)}` (keep your existing backups as they are)")


def explain(path: Path, message: str) -> StoreError:
    """An SQLite error as one plain sentence naming the file."""
    low = message.lower()
    if "locked" in low or "busy" in low:
        return StoreError(f"{path} is in use: another program kept it locked for more than "
                          f"{BUSY_TIMEOUT_MS // 1000} seconds; nothing was written, try again")
    if "disk is full" in low or "disk full" in low:
        return StoreError(f"the disk holding {path} is full; nothing was written (free some space and try again)")
    if "readonly" in low or "read-only" in low:
        return StoreError(f"{path} cannot be written (the file or its folder is read-only); nothing was written")
    if "unable to open" in low:
        return StoreError(f"cannot open {path}: the file or its folder is read-only or missing")
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return StoreError(f"{path} is damaged ({message}); nothing was written. {what_to_do_when_damaged(path)}")
    if "disk i/o error" in low:
        return StoreError(f"{path}: the disk reported an input/output error; nothing was written")
    return StoreError(f"{path}: {message}")


class SqliteBackend:
    kind = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._watch: sqlite3.Connection | None = None
        self._seen: int | None = None

    # ----------------------------------------------------------- before SQLAlchemy
    def prepare(self) -> int:
        """Check (or create) the file; its schema version, 0 for a new or empty store."""
        path = self.path
        if path.is_symlink() and not path.exists():
            raise StoreError(f"{path} is a symbolic link to {os.readlink(path)}, which does not exist")
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a pmtui store file")
        if not path.exists() or path.stat().st_size == 0:
            self._create_file(path)
            return 0
        return self._check_file(path)

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
    def _check_file(path: Path) -> int:
        try:
            with open(path, "rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise StoreError(f"cannot read the store {path}: {exc.strerror}") from None
        if header != SQLITE_HEADER:
            raise StoreError(f"{path} is not a pmtui store (it is not an SQLite database)")
        def read(options: str) -> tuple[int, int, int]:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?{options}", uri=True)
            try:
                return (con.execute("PRAGMA application_id").fetchone()[0],
                        con.execute("PRAGMA user_version").fetchone()[0],
                        con.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])
            finally:
                con.close()

        try:
            try:
                app_id, version, tables = read("mode=ro")
            except sqlite3.OperationalError as exc:
                if "unable to open" not in str(exc):
                    raise
                # a WAL file on a read-only disk: read its header without the -shm file
                app_id, version, tables = read("mode=ro&immutable=1")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path} cannot be read as a pmtui store ({exc}); it may be damaged") from None
        if app_id != APPLICATION_ID:
            if app_id == 0 and tables == 0:
                return 0  # an empty SQLite file: we may set it up
            raise StoreError(f"{path} is an SQLite database, but not a pmtui store")
        return version

    # ------------------------------------------------------------------ engine
    def make_engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        engine = create_engine(f"sqlite:///{self.path}")

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_con: Any, _record: Any) -> None:
            dbapi_con.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_con.cursor()
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            mode = "IMMEDIATE" if conn.get_execution_options().get("pmtui_write") else "DEFERRED"
            conn.exec_driver_sql(f"BEGIN {mode}")

        return engine

    def insert_rows(self, conn: Connection, table: Table, rows: list[dict[str, Any]], ids: bool = False) -> list[int]:
        """Insert many rows with one executemany on the driver's connection (in the
        caller's transaction; the database's triggers run as for any insert); their new
        ids, in order, when asked. Without SQLAlchemy's statement per row (its
        RETURNING in parameter order runs one statement for each row on SQLite): the
        ids are taken from the table's AUTOINCREMENT sequence, which the write
        transaction (BEGIN IMMEDIATE) holds to itself, and written with the rows. A
        column a row leaves out gets its model's default, as SQLAlchemy would give it."""
        if not rows:
            return []
        columns = list(rows[0])
        defaults: dict[str, Any] = {}
        for column in table.columns:
            if column.name in rows[0] or column.primary_key:
                continue
            default = column.default
            if default is not None:
                if not getattr(default, "is_scalar", False):  # a computed default: SQLAlchemy's own path
                    return self._insert_rows_sqlalchemy(conn, table, rows, ids)
                defaults[column.name] = default.arg  # type: ignore[attr-defined]
        driver = conn.connection.driver_connection
        assert driver is not None  # an open connection
        new_ids: list[int] = []
        names = [*columns, *defaults]
        if ids:
            found = driver.execute("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
                                   f'(SELECT COALESCE(MAX(id), 0) FROM "{table.name}")', (table.name,)).fetchone()
            start = max(int(found[0]), int(found[1]))
            new_ids = list(range(start + 1, start + 1 + len(rows)))
            names = ["id", *names]
        quoted = ", ".join(f'"{c}"' for c in names)
        sql = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" * len(names))})'
        fixed = tuple(defaults.values())
        try:
            if ids:
                driver.executemany(sql, ((i, *[row[c] for c in columns], *fixed) for i, row in zip(new_ids, rows)))
            else:
                driver.executemany(sql, ((*[row[c] for c in columns], *fixed) for row in rows))
        except sqlite3.Error as exc:  # as SQLAlchemy would raise it, for the store's own handling
            from sqlalchemy.exc import DBAPIError

            raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc
        return new_ids

    @staticmethod
    def _insert_rows_sqlalchemy(conn: Connection, table: Table, rows: list[dict[str, Any]], ids: bool) -> list[int]:
        from sqlalchemy import insert

        if ids:
            return list(conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).scalars())
        conn.execute(insert(table), rows)
        return []

    def explain(self, exc: BaseException) -> StoreError:
        return explain(self.path, str(getattr(exc, "orig", exc) or exc))

    def check_integrity(self, conn: Connection, writing: bool = True) -> None:
        """Before the first write: never write into a damaged file (``quick_check``)."""
        found = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(3)")]
        if found != ["ok"]:
            written = "; nothing was written" if writing else ""
            raise StoreError(f"{self.path} fails SQLite's integrity check ({'; '.join(found)}){written}. "
                             f"{what_to_do_when_damaged(self.path)}")

    def version_in(self, conn: Connection) -> int:
        return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)

    def mark_version(self, conn: Connection, version: int) -> None:
        conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")

    def foreign_keys(self, conn: Connection, on: bool) -> None:
        """Outside a transaction only (SQLite ignores it inside one): migrations that
        rebuild a table must not cascade-delete its children."""
        driver = conn.connection.driver_connection
        assert driver is not None  # an open connection
        driver.execute(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}")

    def lock_for_upgrade(self, conn: Connection) -> None:
        """The write transaction is ``BEGIN IMMEDIATE``: it already excludes other writers."""

    def check_foreign_keys(self, conn: Connection) -> None:
        bad = conn.exec_driver_sql("PRAGMA foreign_key_check").first()
        if bad is not None:
            raise StoreError(f"{self.path}: the upgrade found a row of {bad[0]} that points nowhere; nothing was changed")

    # --------------------------------------------------------------- upgrades
    def copy_aside(self, version: int) -> Path:
        """A consistent copy of the file beside it before an upgrade; returns where."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.schema{version}-{stamp}.bak")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.schema{version}-{stamp}-{n}.bak")
        self.backup(target)
        return target

    def backup(self, target: Path) -> list[str]:
        """A consistent copy with SQLite's backup API (safe while others write); returns
        what SQLite's integrity check finds wrong with the copy (``[]`` when it is sound).
        A copy that fails the check never replaces an existing file (a good backup of
        the days before the damage): StoreError, and the file is left as it was."""
        from pmtui.atomic import replacing

        existed = os.path.lexists(target)
        try:
            with replacing(target, mode=0o600) as tmp:  # the copy is as private as a new store
                src = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
                dst = sqlite3.connect(str(tmp))
                try:
                    src.backup(dst)
                    dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                    found = [str(r[0]) for r in dst.execute("PRAGMA integrity_check(3)")]
                finally:
                    dst.close()
                    src.close()
                if found != ["ok"] and existed:
                    raise StoreError(
                        f"{self.path} is damaged ({'; '.join(found)}), so its copy was not written over {target}, "
                        f"which was left as it was: back up to a new file name, or save what can be read with "
                        f"`{recover_hint(self.path)}`")
        except OSError as exc:
            raise StoreError(f"cannot write the copy {target}: {exc.strerror}") from None
        except sqlite3.Error as exc:
            raise StoreError(f"cannot copy the store {self.path} to {target}: {exc}") from None
        return [] if found == ["ok"] else found

    # ----------------------------------------------------------------- reading
    def list_rows(self, today: date, engine: Engine | None = None) -> Iterator[tuple[Any, ...]]:
        """The list query with the standard library: the home screen's first frame
        runs it before SQLAlchemy has been imported. The rows come one at a time (a
        list of 100,000 row tuples would be memory the process keeps after)."""
        con = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            for sql in (LIST_SQL_11, LIST_SQL, LIST_SQL_FORMAT_1):  # the newest schema first
                try:
                    cursor = con.execute(sql, (today.isoformat(),))
                    break
                except sqlite3.OperationalError as exc:
                    if "no such" not in str(exc) or sql is LIST_SQL_FORMAT_1:
                        raise
            yield from cursor
        except sqlite3.DatabaseError as exc:
            raise explain(self.path, str(exc)) from None
        finally:
            con.close()

    # ----------------------------------------------------------- change signal
    def _data_version(self) -> int | None:
        if self._watch is None:
            return None
        version: int = self._watch.execute("PRAGMA data_version").fetchone()[0]
        return version

    def after_write(self, changes: list[Change], origin: str) -> None:
        """Our own commits are told apart in ``change_log`` by their origin (reading
        data_version here could hide another seat's commit made just before ours)."""

    LOG_KEEP = 300.0  # seconds a change_log row is kept (a seat polls every half second)

    def notify(self, conn: Connection, changes: list[Change], origin: str) -> None:
        """SQLite has no notifications: the transaction also writes what it changed to
        ``change_log``; PRAGMA data_version tells the other seats to look there."""
        import time

        from sqlalchemy import text

        now = time.time()
        if len(changes) > 200:  # a bulk change: per review, every kind
            changes = [(None, r, None) for r in sorted({r for _, r, _ in changes if r is not None})] or [(None, None, None)]
        try:
            conn.execute(text("INSERT INTO change_log (origin, kind, review_id, row_id, at) VALUES (:o, :k, :r, :i, :a)"),
                         [{"o": origin, "k": k, "r": r, "i": i, "a": now} for k, r, i in changes])
            conn.execute(text("DELETE FROM change_log WHERE at < :old"), {"old": now - self.LOG_KEEP})
        except Exception:  # an old store without the table (read-only tools): data_version still tells
            pass

    def poll(self, origin: str = "") -> list[ChangedRow] | None:
        """None until the first call; then what other seats committed since: one entry per
        changed row (kind, review, id) from ``change_log`` (a commit that wrote nothing
        there, such as a presence heartbeat, is no change to show)."""
        if self._watch is None:
            self._watch = sqlite3.connect(str(self.path), check_same_thread=False)
            self._seen = self._data_version()
            self._last_log = self._log_head()
            return None
        version = self._data_version()
        if version == self._seen:
            return []
        self._seen = version
        try:
            rows = self._watch.execute("SELECT id, origin, kind, review_id, row_id FROM change_log WHERE id > ? "
                                       "ORDER BY id", (self._last_log,)).fetchall()
        except sqlite3.DatabaseError:
            return [{"review": None, "kind": None, "id": None}]
        if rows:
            self._last_log = rows[-1][0]
        return [{"kind": k, "review": r, "id": i} for _, o, k, r, i in rows if o != origin]

    def _log_head(self) -> int:
        assert self._watch is not None
        try:
            head: int = self._watch.execute("SELECT coalesce(max(id), 0) FROM change_log").fetchone()[0]
        except sqlite3.DatabaseError:
            return 0
        return head

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
            self._watch = None
