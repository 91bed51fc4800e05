"""Stores as a whole: copy every review into another store, back up an SQLite file.

A copy is all or nothing (one transaction on the target) and adds nothing twice:
reviews are matched by their stable ``uid`` (kept by the copy), never by title.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pmtui.domain.vocab import ItemKind
from pmtui.errors import BadInput

if TYPE_CHECKING:  # pragma: no cover
    from .store import Store


def copy_reviews(source: Store, target: Store) -> tuple[int, int]:
    """Copy every review of ``source`` that ``target`` lacks; (copied, already there)."""
    if source.location.shown == target.location.shown and source.location.kind == target.location.kind:
        raise BadInput(f"{target.location.shown} is the store being copied; give another one with --to")
    have = target.review_uids()
    mine = source.review_uids()
    todo = sorted((rid, uid) for uid, rid in mine.items() if uid not in have)
    if todo:
        docs = source.export_documents([rid for rid, _ in todo])
        target.import_documents(docs, uids=[uid for _, uid in todo], extras=[extras_of(source, rid) for rid, _ in todo])
    return len(todo), len(mine) - len(todo)


def extras_of(store: Store, review_id: int, links: bool = False) -> dict[str, Any]:
    """What a review has beyond its document: the meeting state (and, with ``links``,
    each note link as (note's index, kind, target's index); since ``pmtui-review/2`` the
    document carries them as ``notes[].became``, so a copy takes them from there)."""
    meeting = store.get_meeting(review_id)
    out: dict[str, Any] = {"meeting": meeting.to_json() if meeting else None, "links": []}
    note_links = store.note_links(review_id) if links else {}
    if not note_links:
        return out
    index = {ItemKind.note.value: {n["id"]: i for i, n in enumerate(store.list_items(ItemKind.note, review_id))},
             "event": {e.id: i for i, e in enumerate(store.events(review_id))}}
    for item in (ItemKind.factor, ItemKind.observation, ItemKind.action):
        index[item.value] = {x["id"]: i for i, x in enumerate(store.list_items(item, review_id))}
    for note_id, targets in sorted(note_links.items()):
        for kind, target_id in targets:
            if note_id in index["note"] and target_id in index.get(kind, {}):
                out["links"].append((index["note"][note_id], kind, index[kind][target_id]))
    return out


def backup(store: Store, target: Path) -> list[str]:
    """A consistent copy of an SQLite store (SQLite's backup API; safe while others write).

    Returns what SQLite's integrity check finds wrong with the copy (nothing, for a
    sound store). A damaged store's copy never replaces an existing file (StoreError);
    to a new file it is written, as damaged as the store, and the problems returned."""
    if store.kind != "sqlite":
        raise BadInput(f"{store.location.shown} is a PostgreSQL store: back it up with pg_dump")
    if target.exists() and target.is_dir():
        raise BadInput(f"{target} is a folder; give a file name for the copy")
    if target.exists() and not target.is_file():  # a FIFO, a device (/dev/null), a socket: never replaced
        raise BadInput(f"{target} is not a regular file (a device, FIFO or socket); give a file name for the copy")
    if target.is_symlink():  # the copy replaces the file the link points to, the link stays
        target = Path(os.path.realpath(target))
    if not target.parent.exists():
        raise BadInput(f"{target}: the folder {target.parent} does not exist")
    if target.resolve() == store.path.resolve():
        raise BadInput(f"{target} is the store itself; give another file name")
    from .sqlite import SqliteBackend

    store.engine  # a new store is laid out first
    assert isinstance(store.backend, SqliteBackend)  # store.kind says so
    return store.backend.backup(target)


def describe(store: Store) -> dict[str, Any]:
    """What `pmtui db` shows: where (no password), schema version, how many reviews."""
    from .schema import SCHEMA_VERSION

    version = store.schema_version()
    if store.kind == "sqlite":  # a damaged file says so here, in one sentence
        with store._read() as conn:
            store.backend.check_integrity(conn, writing=False)
    out: dict[str, Any] = {"store": store.location.shown, "kind": store.kind, "schema": version,
                           "pmtui_schema": SCHEMA_VERSION}
    out["reviews"] = store.count_reviews() if version == SCHEMA_VERSION else len(store.list_reviews())
    return out
