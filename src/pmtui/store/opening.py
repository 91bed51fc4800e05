"""Opening a store: find it, check it cheaply, lay it out or upgrade it, and hand out
connections (one engine; writes in one transaction each).

No SQLAlchemy at import time: an SQLite store is checked with the standard library,
and the engine is made when the store is first really used.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from pmtui.errors import StoreError

from . import schema
from .location import Location, parse

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection, Engine

    from .postgres import PostgresBackend
    from .sqlite import SqliteBackend
    from .store import Store

    Backend = SqliteBackend | PostgresBackend

# what one write changed: (kind, review id, row id); the change signal carries these
# (a bulk change names only the review, or nothing: None)
Change = tuple["str | None", "int | None", "int | None"]


class ChangedRow(TypedDict):
    """A change another seat committed, as the change signal reports it (None: any)."""

    kind: str | None
    review: int | None
    id: int | None


def _backend(location: Location) -> Backend:
    if location.kind == "sqlite":
        from .sqlite import SqliteBackend

        return SqliteBackend(location.path)  # type: ignore[arg-type]
    from .postgres import PostgresBackend

    return PostgresBackend(location)


class _Opening:
    """Opening, connections and transactions (see Store)."""

    def __init__(self, location: Location, backend: Backend, version: int) -> None:
        self.location = location
        self.backend = backend
        self.found_version = version
        self.actor = ""  # who makes the changes: the app and the CLI set it from --as
        self.upgraded: tuple[int, int, Path | None] | None = None
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._origin = os.urandom(16).hex()  # tells our own change notifications apart (uuid4's randomness)
        self._changes: list[Change] = []
        self._checked = False  # integrity checked before this store's first write
        self.writes = 0  # this process's committed writes (part of the read caches' change token)
        self._auto_upgrade = True  # False: an old store is read as it is until upgrade()

    @property
    def path(self) -> Path:
        """The SQLite file (PostgreSQL stores have none)."""
        if self.location.path is None:
            raise StoreError(f"{self.location.shown} is a PostgreSQL store, not a file")
        return self.location.path

    @property
    def kind(self) -> str:
        return self.location.kind

    # ------------------------------------------------------------ opening
    @classmethod
    def open(cls, where: Path | str | Location, *, upgrade: bool = True) -> Store:
        """Check the store (creating an SQLite file when missing); an old schema is
        upgraded unless ``upgrade=False``; a newer one is refused untouched."""
        location = where if isinstance(where, Location) else parse(where)
        backend = _backend(location)
        version = backend.prepare()
        if version > schema.SCHEMA_VERSION:
            backend.close() if hasattr(backend, "close") else None
            raise schema.newer_error(location.shown, version)
        store = cls(location, backend, version)
        store._auto_upgrade = upgrade
        if (location.kind == "postgresql" and version < schema.SCHEMA_VERSION) or (
                upgrade and 0 < version < schema.SCHEMA_VERSION):
            store.engine  # a new PostgreSQL store: lay it out now; an old store: upgrade now
        return store  # type: ignore[return-value]

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = self.backend.make_engine()
                try:
                    self._set_up(engine)
                except BaseException:
                    engine.dispose()
                    raise
                self._engine = engine
            return self._engine

    def _set_up(self, engine: Engine) -> None:
        from sqlalchemy.exc import DBAPIError

        try:
            if self.found_version == 0:
                schema.create(self.backend, engine, self.location.shown)
                self.found_version = schema.SCHEMA_VERSION
            elif self.found_version < schema.SCHEMA_VERSION and self._auto_upgrade:
                self.upgraded = schema.upgrade(self.backend, engine, self.location.shown)
                self.found_version = schema.SCHEMA_VERSION
        except DBAPIError as exc:
            raise self._explain(exc) from None

    def upgrade(self) -> tuple[int, int, Path | None] | None:
        """Apply pending migrations now (``pmtui db upgrade``)."""
        self._auto_upgrade = True
        engine = self.engine
        if 0 < self.found_version < schema.SCHEMA_VERSION:  # the engine was made before, without upgrading
            with self._lock:
                self._set_up(engine)
        return self.upgraded

    def schema_version(self) -> int:
        return self.found_version

    def close(self) -> None:
        self.backend.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # ------------------------------------------------------- transactions
    def _explain(self, exc: BaseException) -> Exception:
        return self.backend.explain(exc)

    @staticmethod
    def _plain(exc: BaseException) -> bool:
        """Errors of the database itself (locked, full, damaged, gone), not of our data."""
        from sqlalchemy.exc import DatabaseError, OperationalError

        return isinstance(exc, OperationalError) or type(exc) is DatabaseError

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (all or nothing); what it changed is announced at commit."""
        from sqlalchemy.exc import DBAPIError

        self._changes = []
        try:
            # pmtui_edit: a write of the store's own API (the tests watch its statements: store/rows.py)
            with self.engine.connect().execution_options(pmtui_write=True, pmtui_edit=True) as conn, conn.begin():
                if not self._checked:
                    self.backend.check_integrity(conn)
                    self._checked = True
                yield conn
                if self._changes:
                    self.backend.notify(conn, self._changes, self._origin)
        except DBAPIError as exc:
            if self._plain(exc):
                raise self._explain(exc) from None
            raise
        self.writes += 1
        self.backend.after_write(self._changes, self._origin)

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        from sqlalchemy.exc import DBAPIError

        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except DBAPIError as exc:
            if self._plain(exc):
                raise self._explain(exc) from None
            raise

    def _changed(self, kind: str, review_id: int | None, row_id: int | None = None) -> None:
        self._changes.append((kind, review_id, row_id))
