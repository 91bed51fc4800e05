"""A person's merges and splits of the Patterns view's groups, kept in the store.

One row per wording a person placed (``pattern_choice``: the wording's key, the key of
the group it is in, and the row version): per store, not in a review's document, since a
group spans reviews (docs/review-format.md says so). Every write states the versions it
read (compare-and-set): a seat that merged or split on a stale view gets a Conflict and
nothing is written. A merge or split returns what it wrote (:class:`Placed`), and
:func:`reverse` undoes it the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmtui.domain.grouping import key
from pmtui.errors import Conflict

from .values import now_utc_text

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store

Seen = Mapping[str, "int | None"]  # wording key -> the version read (None: no choice was there)


def choices(store: Store) -> dict[str, tuple[str, int]]:
    """wording key -> (its group's key, the row's version)."""
    from sqlalchemy import select

    from pmtui.store import models

    t = models.table_of(models.PatternChoice)
    with store._read() as conn:
        return {w: (g, int(v)) for w, g, v in conn.execute(select(t.c.wording, t.c.group_key, t.c.version))}


def groups_of(store: Store) -> dict[str, str]:
    """wording key -> group key (what pmtui.domain.grouping.group takes): plain SQL, in
    one read (on SQLite without SQLAlchemy: ``pmtui patterns`` reads only)."""
    from .followup import _queries

    with _queries(store) as fetch:
        return {str(w): str(g) for w, g in fetch("SELECT wording, group_key FROM pattern_choice")}


@dataclass(frozen=True)
class Placed:
    """What one merge, split or undo wrote: each wording's group before and after (None:
    no choice, the automatic grouping places it) and the version its row holds now (None:
    no row), which the step that reverses it states."""

    group: str  # the group the wordings went into (a merge's, a split's "alone:" key)
    before: dict[str, str | None]
    after: dict[str, str | None]
    versions: dict[str, int | None]


def _place(store: Store, placed: Mapping[str, str | None], seen: Seen, group: str) -> Placed:
    """Put each wording (key) in its group (key; None: take the person's choice away), in
    one transaction, each row written by one compare-and-set stating the version ``seen``
    says was read (no row read: it must still be absent). Nothing is written unless all is."""
    from sqlalchemy import insert, select

    from pmtui.store import models

    from .rows import cas_delete, cas_update

    kind = "pattern group choice"
    t = models.table_of(models.PatternChoice)
    before: dict[str, str | None] = {}
    versions: dict[str, int | None] = {}
    with store._write() as conn:
        rows = {w: (i, g, v, by, at) for i, w, g, v, by, at in conn.execute(
            select(t.c.id, t.c.wording, t.c.group_key, t.c.version, t.c.updated_by, t.c.updated_at)
            .where(t.c.wording.in_(list(placed))))}
        for wording, target in placed.items():
            expected = seen.get(wording)
            row = rows.get(wording)
            attempted = {"wording": wording, "group": target}
            if row is None:
                if expected is not None:  # taken away by another seat since it was read
                    raise Conflict(kind, 0, expected_version=expected, current_version=None, current=None,
                                   attempted=attempted)
                before[wording] = None
                if target is None:
                    versions[wording] = None
                    continue
                conn.execute(insert(t), {"wording": wording, "group_key": target, "version": 1,
                                         "updated_by": store.actor, "updated_at": now_utc_text()})
                versions[wording] = 1
                continue
            row_id, held, version, by, at = row
            if expected is None:  # placed by another seat since this one looked
                raise Conflict(kind, row_id, expected_version=0, current_version=version,
                               current={"wording": wording, "group": held}, attempted=attempted,
                               changed_by=by, changed_at=at)
            before[wording] = held
            if target is None:
                cas_delete(conn, kind, t, row_id, expected)
                versions[wording] = None
            else:
                versions[wording] = int(cas_update(conn, kind, t, row_id, expected, {"group_key": target},
                                                   store.actor)["version"])
        store._changed("pattern_choice", None)
    return Placed(group, before, dict(placed), versions)


def _seen(store: Store, keys: list[str], seen: Seen | None) -> Seen:
    if seen is not None:
        return {k: seen.get(k) for k in keys}
    current = choices(store)  # a caller that showed nothing (the command line): as stored now
    return {k: current[k][1] if k in current else None for k in keys}


def merge(store: Store, wordings: list[str], seen: Seen | None = None) -> Placed:
    """Put every wording given (the wordings of the groups being merged) in one group,
    named after the first. ``seen``: the versions the seat read (wording key -> version,
    None or absent: it saw no choice)."""
    keys = list(dict.fromkeys(key(w) for w in wordings if key(w)))
    if len(keys) < 2:
        from pmtui.errors import BadInput

        raise BadInput("merging needs two different wordings")
    return _place(store, dict.fromkeys(keys, keys[0]), _seen(store, keys, seen), keys[0])


def split(store: Store, wording: str, seen: Seen | None = None) -> Placed:
    """Take a wording out of its group: it stands alone from now on."""
    k = key(wording)
    if not k:
        from pmtui.errors import BadInput

        raise BadInput("splitting needs a wording with words in it")
    alone = f"alone:{k}"  # never the name of a merged group (those are named after a wording)
    return _place(store, {k: alone}, _seen(store, [k], seen), alone)


def reverse(store: Store, step: Placed) -> Placed:
    """Undo ``step`` (or redo it, given what its undo returned): each wording back where
    it was, only while its row is as ``step`` left it (its version then; another seat's
    merge or split since is a Conflict and nothing is written). Returns the step that
    reverses this one."""
    return _place(store, step.before, step.versions, step.group)
