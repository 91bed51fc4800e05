"""A person's merges and splits of the Patterns view's groups, kept in the store.

One row per wording a person placed (``pattern_choice``: the wording's key, the key of
the group it is in, and the row version): per store, not in a review's document, since a
group spans reviews (docs/review-format.md says so). Every write states the versions it
read (compare-and-set): a seat that merged or split on a stale view gets a Conflict and
nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def _place(store: Store, placed: dict[str, str], seen: Seen) -> None:
    """Put each wording (key) in its group (key), in one transaction, each stating the
    version it read."""
    from sqlalchemy import insert, select, update

    from pmtui.store import models

    t = models.table_of(models.PatternChoice)
    with store._write() as conn:
        rows = {w: (i, v, by, at) for i, w, v, by, at in conn.execute(
            select(t.c.id, t.c.wording, t.c.version, t.c.updated_by, t.c.updated_at).where(t.c.wording.in_(list(placed))))}
        for wording, group in placed.items():
            expected = seen.get(wording)
            row = rows.get(wording)
            if row is None and expected is not None:
                raise Conflict("pattern group choice", 0, expected_version=expected, current_version=None, current=None,
                               attempted={"wording": wording, "group": group})
            if row is not None and row[1] != expected:
                raise Conflict("pattern group choice", row[0], expected_version=expected or 0, current_version=row[1],
                               current={"wording": wording}, attempted={"wording": wording, "group": group},
                               changed_by=row[2], changed_at=row[3])
            values = {"group_key": group, "updated_by": store.actor, "updated_at": now_utc_text()}
            if row is None:
                conn.execute(insert(t), {"wording": wording, **values})
            else:
                conn.execute(update(t).where(t.c.id == row[0], t.c.version == row[1]).values(
                    version=row[1] + 1, **values))
        store._changed("pattern_choice", None)


def merge(store: Store, wordings: list[str], seen: Seen | None = None) -> str:
    """Put every wording given (the wordings of the groups being merged) in one group,
    named after the first; returns the group's key."""
    keys = list(dict.fromkeys(key(w) for w in wordings if key(w)))
    if len(keys) < 2:
        from pmtui.errors import BadInput

        raise BadInput("merging needs two different wordings")
    current = choices(store)
    _place(store, dict.fromkeys(keys, keys[0]), seen if seen is not None else
           {k: current[k][1] if k in current else None for k in keys})
    return keys[0]


def split(store: Store, wording: str, seen: Seen | None = None) -> str:
    """Take a wording out of its group: it stands alone from now on."""
    k = key(wording)
    if not k:
        from pmtui.errors import BadInput

        raise BadInput("splitting needs a wording with words in it")
    current = choices(store)
    alone = f"alone:{k}"  # never the name of a merged group (those are named after a wording)
    _place(store, {k: alone}, seen if seen is not None else {k: current[k][1] if k in current else None})
    return alone
