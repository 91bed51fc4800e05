"""The one way a row people edit is changed or deleted: compare-and-set.

Every UPDATE or DELETE of an editable row (the review, a timeline event, an item of any
of a review's lists) is one statement that names the version the caller read::

    UPDATE factor SET ..., version = version + 1 WHERE id = :id AND version = :expected
    DELETE FROM factor WHERE id = :id AND version = :expected RETURNING *

and finds out from what the statement returned whether it wrote. There is no read
between the check and the write, so no other seat's commit can slip in between, on
SQLite (one writer at a time) and on PostgreSQL (READ COMMITTED: a statement that
waited for another transaction's row lock re-checks its WHERE on the row as committed).
A statement that wrote nothing is a :class:`~pmtui.errors.Conflict` carrying both
sides (what the caller tried, what is stored now, who changed it and when).

``expected_version`` is required: a row that exists has a version, and a caller that
does not know it reads the row first (:meth:`_Rows.row`) or states what it saw
(:meth:`_Rows.update_if_unchanged`, the undo and redo steps). New rows need none.

``VERSIONED`` names the tables this applies to; the test suite watches every statement
the store runs (``tests/test_one_write_api.py``) and fails on an UPDATE or DELETE of one
of them without a version in its WHERE (only the order of a list, ``position``, and the
review's ``updated_at`` touch are written without one: they hold no one's words).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pmtui.errors import BadInput, Conflict

from .values import now_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

# tables whose rows carry ``version`` (models.py), so every change states one
VERSIONED = ("review", "event", "author", "participant", "link", "component", "factor", "observation",
             "learning", "action_item", "note", "related")
# columns that may be written without a version: a list's order and the review's "last changed"
UNVERSIONED_COLUMNS = {"position", "updated_at"}

_LABEL = {"action": "action item", "action_item": "action item", "review": "review", "event": "event"}


def label(kind: str) -> str:
    return _LABEL.get(kind, kind)


def _need_version(kind: str, expected_version: Any) -> int:
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise TypeError(f"a write to an existing {label(kind)} states the version it read (got {expected_version!r})")
    return expected_version


def conflict(conn: Connection, kind: str, table: Table, row_id: int, expected: int,
             attempted: Mapping[str, Any], current: dict[str, Any] | None = None) -> Conflict:
    """The Conflict of a compare-and-set that wrote nothing: the row as it is now (None:
    deleted), read after the failed statement (nothing is written after this read)."""
    from sqlalchemy import select

    row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
    if row is not None and current is None:
        current = {k: row[k] for k in attempted if k in row}
    return Conflict(label(kind), row_id, expected_version=expected,
                    current_version=None if row is None else row["version"],
                    current=None if row is None else current, attempted=dict(attempted),
                    changed_by="" if row is None else row["updated_by"],
                    changed_at="" if row is None else row["updated_at"])


def cas_update(conn: Connection, kind: str, table: Table, row_id: int, expected_version: int,
               values: Mapping[str, Any], actor: str) -> dict[str, Any]:
    """Write ``values`` to the row only while it is at ``expected_version`` (one statement);
    bumps its version and records who and when. Returns the row as written."""
    expected = _need_version(kind, expected_version)
    stmt = (table.update().where(table.c.id == row_id, table.c.version == expected)
            .values(**values, version=table.c.version + 1, updated_by=actor, updated_at=now_utc_text())
            .returning(*table.c))
    row = conn.execute(stmt).mappings().first()
    if row is None:
        raise conflict(conn, kind, table, row_id, expected, values)
    return dict(row)


def cas_delete(conn: Connection, kind: str, table: Table, row_id: int, expected_version: int,
               also: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Delete the row only while it is at ``expected_version`` (one statement); returns it.
    ``also``: more columns that must still hold what the caller read (a whole review's
    ``updated_at``, which every write to its lists touches)."""
    from sqlalchemy import delete

    expected = _need_version(kind, expected_version)
    extra = [table.c[name] == value for name, value in (also or {}).items()]
    row = conn.execute(delete(table).where(table.c.id == row_id, table.c.version == expected, *extra)
                       .returning(*table.c)).mappings().first()
    if row is None:
        raise conflict(conn, kind, table, row_id, expected, {}, None if not also else _now_of(conn, table, row_id, also))
    return dict(row)


def _now_of(conn: Connection, table: Table, row_id: int, also: Mapping[str, Any]) -> dict[str, Any] | None:
    from sqlalchemy import select

    row = conn.execute(select(table).where(table.c.id == row_id)).mappings().first()
    return None if row is None else {name: row[name] for name in also}


def missing(kind: str) -> BadInput:
    return BadInput(f"that {label(kind)} no longer exists")


# what a row holds that is no one's words: who changed it, its version, its place in a list
META = frozenset({"id", "review_id", "version", "updated_by", "updated_at", "position", "seq"})


def contents(row: Mapping[str, Any] | None) -> dict[str, Any]:
    """A row's own values (what an undo of its add checks is still there)."""
    return {} if row is None else {k: v for k, v in row.items() if k not in META}
