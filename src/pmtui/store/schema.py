"""The schema and its migrations: lay out a new store, upgrade an old one, refuse a newer one.

Opening compares numbers only (SQLite: ``PRAGMA user_version``; PostgreSQL: the
``alembic_version`` row). Alembic is imported only when an upgrade is due: a new
store is laid out from the models in one go and stamped with the head revision.

An upgrade runs in one write transaction that first takes the upgrade lock
(``BEGIN IMMEDIATE`` on SQLite, ``pg_advisory_xact_lock`` on PostgreSQL) and reads the
version again, so two processes opening an old store at once upgrade it once. Before
upgrading an SQLite file a copy is made beside it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.errors import StoreError

from .values import now_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection, Engine

    from .opening import Backend

MIGRATIONS = Path(__file__).resolve().with_name("migrations")
# The number of the newest migration (versions/NNNN_*.py, revision "NNNN"): adding a
# migration is what moves the store to a new schema; a listing, not an Alembic import.
SCHEMA_VERSION = max(int(p.name[:4]) for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def newer_error(where: str, version: int) -> StoreError:
    return StoreError(
        f"{where} was written by a newer pmtui (store schema {version}; this pmtui knows "
        f"schema {SCHEMA_VERSION}); upgrade pmtui to open it. The store was not changed."
    )


def _current(backend: Backend, conn: Connection) -> int:
    """The version as seen inside the locked transaction."""
    if backend.kind == "postgresql":
        from sqlalchemy import text

        if conn.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
            return 0
    return backend.version_in(conn)


def _stamp(backend: Backend, conn: Connection, version: int) -> None:
    from sqlalchemy import Column, MetaData, String, Table, delete, insert

    from pmtui.store import models

    version_table = Table("alembic_version", MetaData(), Column("version_num", String(32), primary_key=True))
    version_table.create(conn, checkfirst=True)
    conn.execute(delete(version_table))
    conn.execute(insert(version_table), {"version_num": f"{version:04d}"})
    meta = models.table_of(models.Meta)
    conn.execute(delete(meta).where(meta.c.key.in_(["schema_version", "application"])))
    conn.execute(insert(meta), [{"key": "schema_version", "value": str(version)}, {"key": "application", "value": "pmtui"}])
    backend.mark_version(conn, version)


def create(backend: Backend, engine: Engine, where: str) -> None:
    """Lay out a new store (unless another process did so first)."""
    from sqlmodel import SQLModel

    from pmtui.store import models

    with engine.connect().execution_options(pmtui_write=True) as conn, conn.begin():
        backend.lock_for_upgrade(conn)
        version = _current(backend, conn)
        if version > SCHEMA_VERSION:
            raise newer_error(where, version)
        if version:
            return
        SQLModel.metadata.create_all(conn)
        from .search import install

        install(conn)  # the full-text index and the triggers that keep it (not a model: SQL of each database)
        from . import listed

        listed.install(conn)  # the home list's order and its triggers (SQLite)
        meta = models.table_of(models.Meta)
        from sqlalchemy import insert

        conn.execute(insert(meta), {"key": "created_at", "value": now_utc_text()})
        _stamp(backend, conn, SCHEMA_VERSION)


def upgrade(backend: Backend, engine: Engine, where: str) -> tuple[int, int, Path | None] | None:
    """Apply pending migrations; (from, to, copy made) or None when another process
    did it first."""
    with engine.connect() as conn:
        backend.foreign_keys(conn, False)
        try:
            conn.execution_options(pmtui_write=True)
            with conn.begin():
                backend.lock_for_upgrade(conn)
                version = _current(backend, conn)
                if version > SCHEMA_VERSION:
                    raise newer_error(where, version)
                if version == SCHEMA_VERSION:
                    return None
                backend.check_integrity(conn)  # an upgrade is a write: never into a damaged file
                aside = backend.copy_aside(version)
                _run_alembic(conn)
                backend.check_foreign_keys(conn)
                _stamp(backend, conn, SCHEMA_VERSION)
        finally:
            backend.foreign_keys(conn, True)
    return version, SCHEMA_VERSION, aside


def _run_alembic(conn: Connection, target: str = "head") -> None:
    """Every revision after the store's own up to ``target``, on this connection and in
    its transaction."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))

    def steps(rev: Any, _context: Any) -> Any:
        return script._upgrade_revs(target, rev)

    ctx = MigrationContext.configure(connection=conn, opts={"script": script, "fn": steps})
    with Operations.context(ctx):
        ctx.run_migrations()


def revisions() -> list[tuple[str, str]]:
    """(revision, first line of its description), oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return [(s.revision, (s.doc or "").strip().splitlines()[0]) for s in reversed(list(script.walk_revisions()))]
