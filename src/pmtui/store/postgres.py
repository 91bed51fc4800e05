"""What only PostgreSQL needs: the driver, plain connection errors, the version check,
the upgrade lock and the change notifications (LISTEN/NOTIFY).

A pmtui database is marked by the row ``application = pmtui`` in its ``meta`` table.
Its password never appears in a message: every sentence names the location's
``shown`` form, and driver messages are not repeated.
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from pmtui.errors import BadInput, StoreError

from .location import Location

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine

    from .opening import Change, ChangedRow

CHANNEL = "pmtui_changes"
UPGRADE_LOCK = 0x706D7475  # pg_advisory_xact_lock key: one upgrade at a time
INSTALL_HINT = "pip install 'pmtui[postgres]'"


class PostgresBackend:
    kind = "postgresql"

    def __init__(self, location: Location) -> None:
        self.location = location
        self._engine: Engine | None = None
        self._listen: Any = None
        self._listened = False  # listening once: a new LISTEN connection is a reconnect
        self._retry_at = 0.0  # after a failed reconnect, when to try again (monotonic seconds)
        self._plain: Any = None  # the read path's own connection (libpq, or psycopg; no SQLAlchemy)

    def plain_connection(self) -> Any:
        """The read path's own connection, without SQLAlchemy (opening the store and the
        commands that only read start in a fraction of the time): libpq itself
        (:mod:`pmtui.store.libpq`, no psycopg import), or psycopg where libpq cannot be
        loaded that way; either has ``run(selects)``, ``end()``, ``close()``, ``closed``
        and ``Error``. Kept until :meth:`close`. Connects as the engine does (the URL's
        parts and query)."""
        if self._plain is None or self._plain.closed:
            if self._plain is not None:
                self._plain.close()
                self._plain = None
            if importlib.util.find_spec("psycopg") is None:
                raise BadInput(f"{self.location.shown} is a PostgreSQL store and needs its driver: {INSTALL_HINT}")
            loc = self.location
            options = {unquote(k): unquote(v) for k, _, v in (part.partition("=") for part in loc.query.split("&") if part)}
            params: dict[str, Any] = {"host": loc.host or None, "port": loc.port, "user": loc.user or None,
                      "password": loc.password or None, "dbname": loc.database or None, "connect_timeout": 5, **options}
            params = {k: v for k, v in params.items() if v is not None}
            from . import libpq

            lib = libpq.load() if "client_encoding" not in params else None
            try:
                self._plain = libpq.Connection(lib, params) if lib is not None else _PsycopgReader(params)
            except (libpq.Error, _psycopg_error()) as exc:
                raise self.explain(exc) from None
        return self._plain

    # ------------------------------------------------------------ connecting
    def make_engine(self) -> Engine:
        if self._engine is not None:
            return self._engine
        if importlib.util.find_spec("psycopg") is None:
            raise BadInput(f"{self.location.shown} is a PostgreSQL store and needs its driver: {INSTALL_HINT}")
        from sqlalchemy import create_engine

        try:
            # pre-ping: a pooled connection the server ended (a killed backend, a restart) is
            # replaced before use, so the next read or write after it just works instead of
            # failing once per pooled connection (issue 20's mock review: both terminal seats
            # failed on their next read after pg_terminate_backend)
            self._engine = create_engine(self.location.sqlalchemy_url(), connect_args={"connect_timeout": 5},
                                         pool_pre_ping=True, hide_parameters=True)
        except ImportError as exc:  # e.g. psycopg without its C library
            raise BadInput(f"{self.location.shown} needs a working PostgreSQL driver ({exc}): {INSTALL_HINT}") from None
        return self._engine

    def explain(self, exc: BaseException) -> Exception:
        """A driver error as one plain sentence (without the password)."""
        text = str(getattr(exc, "orig", exc) or exc)
        low = text.lower()
        where = self.location.shown
        server = f"{self.location.host or 'localhost'}:{self.location.port or 5432}"
        if "password authentication failed" in low or "no password supplied" in low or "authentication failed" in low:
            return BadInput(f"the PostgreSQL server at {server} refused user {self.location.user or '(none)'!r}: "
                            "check the user name and password in the URL")
        if "does not exist" in low and "database" in low:
            return BadInput(f"the PostgreSQL server at {server} has no database {self.location.database!r}; "
                            f"create it first (createdb {self.location.database})")
        if "role" in low and "does not exist" in low:
            return BadInput(f"the PostgreSQL server at {server} has no user {self.location.user!r}")
        if "permission denied" in low:
            return BadInput(f"{where}: the user {self.location.user!r} may not read or change this database")
        if any(s in low for s in ("connection is lost", "terminating connection", "server closed the connection",
                                  "connection is closed", "consuming input failed")):
            return StoreError(f"the connection to the PostgreSQL server at {server} was lost; the last change was "
                              "not saved, try again")
        if any(s in low for s in ("connection refused", "timeout expired", "could not translate host",
                                  "no route to host", "connection timed out", "server closed the connection",
                                  "name or service not known", "network is unreachable", "is the server running")):
            return StoreError(f"the PostgreSQL server at {server} does not answer ({where}); "
                              "check that it runs and the host and port are right")
        first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
        if self.location.password:
            first = first.replace(self.location.password, "***")
        return StoreError(f"{where}: the database reported: {first}")

    # ------------------------------------------------------------- versions
    def prepare(self) -> int:
        """This database's schema version (0 when empty); refuses one that is not pmtui's.
        Asked on the read path's own connection: no SQLAlchemy until the store is written."""
        conn = self.plain_connection()  # (says what to install when the driver is missing)
        try:
            [[(has_meta, has_version, tables)]] = conn.run([
                "SELECT to_regclass('meta') IS NOT NULL, to_regclass('alembic_version') IS NOT NULL, "
                "(SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema())"])
            if not has_meta:
                if tables == 0:
                    return 0
                raise BadInput(f"{self.location.shown} is a PostgreSQL database, but not a pmtui store "
                               "(it has other tables); give an empty database")
            asked = ["SELECT value FROM meta WHERE key = 'application'"]
            if has_version:
                asked.append("SELECT version_num FROM alembic_version")
            found = conn.run(asked)
            if (found[0][0][0] if found[0] else None) != "pmtui":
                raise BadInput(f"{self.location.shown} is a PostgreSQL database, but not a pmtui store")
            if not has_version:
                return 0
            row = found[1][0] if found[1] else None
            return int(row[0]) if row and row[0] else 0
        except conn.Error as exc:
            raise self.explain(exc) from None
        finally:
            if not conn.closed:
                conn.end()  # no transaction left open on the server

    def insert_rows(self, conn: Connection, table: Table, rows: list[dict[str, Any]], ids: bool = False) -> list[int]:
        """Insert many rows with COPY (one round trip per table); new ids, in order, are
        taken from the table's sequence first when asked."""
        from sqlalchemy import text

        new_ids: list[int] = []
        if ids:
            new_ids = list(conn.execute(
                text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                {"t": table.name, "n": len(rows)},
            ).scalars())
            rows = [{**row, "id": i} for row, i in zip(rows, new_ids)]
        columns = list(rows[0])
        names = ", ".join(f'"{c}"' for c in columns)
        driver = conn.connection.driver_connection
        assert driver is not None  # an open connection
        cursor = driver.cursor()
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
        return new_ids

    def check_integrity(self, conn: Connection, writing: bool = True) -> None:
        """PostgreSQL checks its own pages."""

    def version_in(self, conn: Connection) -> int:
        from sqlalchemy import text

        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return int(found) if found else 0

    def mark_version(self, conn: Connection, version: int) -> None:
        from sqlalchemy import text

        conn.execute(text("INSERT INTO meta (key, value) VALUES ('application', 'pmtui') "
                          "ON CONFLICT (key) DO NOTHING"))

    def foreign_keys(self, conn: Connection, on: bool) -> None:
        """PostgreSQL changes tables in place: nothing to switch off."""

    def lock_for_upgrade(self, conn: Connection) -> None:
        from sqlalchemy import text

        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": UPGRADE_LOCK})

    def check_foreign_keys(self, conn: Connection) -> None:
        """PostgreSQL enforces them during the upgrade itself."""

    def copy_aside(self, version: int) -> None:
        """An upgrade is one transaction: a failure leaves the database as it was."""
        return None

    # -------------------------------------------------------------- reading
    def list_rows(self, today: date, engine: Engine | None = None) -> list[tuple[Any, ...]]:
        from .sqlite import LIST_SQL, LIST_SQL_FORMAT_1

        if engine is None:  # the read path's own connection: no SQLAlchemy
            from pmtui.store.followup import plain_fetch

            with plain_fetch(self) as fetch:
                return [tuple(r) for r in fetch(LIST_SQL.replace("?", f"'{today.isoformat()}'"))]
        from sqlalchemy import text
        from sqlalchemy.exc import ProgrammingError

        params = {"today": today.isoformat()}
        with engine.connect() as conn:
            try:
                return [tuple(r) for r in conn.execute(text(LIST_SQL.replace("?", ":today")), params)]
            except ProgrammingError as exc:  # a store not upgraded yet: no started_utc, no source_id
                if "does not exist" not in str(exc):
                    raise
                conn.rollback()
                return [tuple(r) for r in conn.execute(text(LIST_SQL_FORMAT_1.replace("?", ":today")), params)]

    # --------------------------------------------------------- change signal
    def notify(self, conn: Connection, changes: list[Change], origin: str) -> None:
        """One notification per write transaction, delivered at commit, naming what changed."""
        from sqlalchemy import text

        items = [{"kind": k, "review": r, "id": i} for k, r, i in changes]
        payload = json.dumps({"origin": origin, "changes": items}, separators=(",", ":"))
        if len(payload) > 7000:  # NOTIFY payloads are limited to 8000 bytes
            reviews = sorted({r for _, r, _ in changes if r is not None})
            payload = json.dumps({"origin": origin, "changes": [{"kind": None, "review": r, "id": None} for r in reviews]})
            if len(payload) > 7000:
                payload = json.dumps({"origin": origin, "changes": [{"kind": None, "review": None, "id": None}]})
        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": payload})

    def after_write(self, changes: list[Change], origin: str) -> None:
        """Our own notifications are told apart by their origin."""

    # what a reconnect reports: anything may have changed while no one listened (reload all)
    EVERYTHING: list[ChangedRow] = [{"kind": None, "review": None, "id": None}]

    def _connect_listen(self) -> Any:
        import psycopg

        loc = self.location
        # a reconnect gives up sooner: it runs in the seat's screen loop
        params: dict[str, Any] = {"dbname": loc.database, "autocommit": True,
                                  "connect_timeout": 2 if self._listened else 5}
        params.update({k: v for k, v in (("host", loc.host), ("port", loc.port), ("user", loc.user),
                                         ("password", loc.password)) if v})
        for part in loc.query.split("&") if loc.query else []:
            key, _, value = part.partition("=")
            params.setdefault(unquote(key), unquote(value))
        try:
            con = psycopg.connect(**params)  # its own connection, outside the engine's pool
            self._heard: list[Any] = []
            con.add_notify_handler(self._heard.append)
            con.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            raise self.explain(exc) from None
        return con

    def _lost(self) -> None:
        """The LISTEN connection died (a server restart, a killed backend, a network drop)."""
        con, self._listen = self._listen, None
        try:
            con.close()
        except Exception:
            pass

    def poll(self, origin: str = "") -> list[ChangedRow] | None:
        """None on the first call (which starts listening); then the changes others
        committed since the last call. A dead LISTEN connection is replaced at once (then
        every change may have been missed: :attr:`EVERYTHING`); while the server cannot be
        reached this raises StoreError on each try (a try every few seconds), so the seat
        can say it is not live."""
        import time

        if self._listen is None:
            if self._listened and time.monotonic() < self._retry_at:
                raise StoreError(f"live updates from the PostgreSQL server at {self.location.host or 'localhost'}"
                                 f":{self.location.port or 5432} stopped; trying again")
            try:
                self._listen = self._connect_listen()
            except StoreError:
                self._retry_at = time.monotonic() + 3
                raise
            if self._listened:
                return list(self.EVERYTHING)
            self._listened = True
            return None
        con = self._listen
        import select

        import psycopg

        try:
            ready, _, _ = select.select([con.fileno()], [], [], 0)
            if not ready and not self._heard:  # nothing arrived: no round trip at all (an idle seat stays idle)
                return []
            con.execute("SELECT 1")  # delivers what arrived since
        except (psycopg.Error, OSError, ValueError):
            self._lost()
            return self.poll(origin)  # reconnect now; StoreError when the server does not answer
        heard, self._heard[:] = list(self._heard), []
        out: list[ChangedRow] = []
        for note in heard:
            try:
                data = json.loads(note.payload)
            except ValueError:
                continue
            if data.get("origin") != origin:
                out.extend(data.get("changes", []))
        return out

    def close(self) -> None:
        if self._plain is not None:
            try:
                self._plain.close()
            except Exception:
                pass
            self._plain = None
        if self._listen is not None:
            try:
                self._listen.close()
            except Exception:
                pass
            self._listen = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _psycopg_error() -> type[Exception]:
    """psycopg's base error when it is imported already (else one nothing raises)."""
    import sys

    module = sys.modules.get("psycopg")
    return module.Error if module is not None else _NeverRaised


class _NeverRaised(Exception):
    pass


class _PsycopgReader:
    """:class:`pmtui.store.libpq.Connection`'s interface on a psycopg connection (where
    libpq cannot be loaded by itself): one read-only snapshot per read."""

    def __init__(self, params: dict[str, Any]) -> None:
        import threading

        import psycopg

        self.Error = psycopg.Error
        self._lock = threading.Lock()
        self._conn = psycopg.connect(**params)
        self._conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        self._conn.read_only = True

    @property
    def closed(self) -> bool:
        return bool(self._conn.closed) or self._conn.broken

    def run(self, selects: list[str]) -> list[list[tuple[Any, ...]]]:
        with self._lock, self._conn.cursor() as cur:
            out = []
            for sql in selects:
                cur.execute(sql)
                out.append(list(cur.fetchall()))
            return out

    def end(self) -> None:
        with self._lock:
            if not self._conn.closed:
                self._conn.rollback()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
