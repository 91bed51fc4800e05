"""What a section screen does when one of its lists (:class:`ListEditor`) asks for a change:
the add and edit forms and what they save, delete, move, and the undo of each. Every write
goes through :meth:`PostmortemApp.write` (or the form, which reports refusals beside the
typed text) with the row's version the list showed; another seat's change met on the way is
shown in place (keep mine, take theirs, keep both; add mine back when it was deleted)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmtui.errors import Conflict
from pmtui.ui_types import FormRequested, NotSaved
from pmtui.widgets.list_editor import ListEditor

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.screens.base import SectionScreen


def _changed(editor: ListEditor) -> None:
    """Tell the screen (its summary, its other lists) that this list's items changed."""
    editor.post_message(ListEditor.Changed(editor))


def add(screen: SectionScreen, editor: ListEditor) -> None:
    app = screen.app
    store = app.store

    def save(values: dict[str, Any]) -> int:
        return store.add_item(editor.kind, editor.review_id, **{**editor.defaults, **editor.to_store(values)})

    def done(result: Any) -> None:
        if result is not None:
            app.push_added(f"added to {editor.title.lower()}", editor.kind, result, quiet=True)
            editor.reload(keep_id=result)
            _changed(editor)
            app.notify(f"Added to {editor.title.lower()}", timeout=2)
        editor.focus_list()

    screen.open_form(FormRequested(f"Add: {editor.title}", editor.fields(None), save, done))


def edit(screen: SectionScreen, editor: ListEditor, item: dict[str, Any]) -> None:
    """The item's form, saved with the version the list showed."""
    _edit_form(screen, editor, item, item, item.get("version"), f"Edit: {editor.title}")


def _edit_form(screen: SectionScreen, editor: ListEditor, item: dict[str, Any], shown: dict[str, Any],
               version: int | None, title: str, conflict: Conflict | None = None) -> None:
    """The item's form (filled from ``shown``), saved with the row's ``version``."""
    app = screen.app
    store = app.store

    def save(values: dict[str, Any], version: int | None = None) -> int:
        from pmtui.store.fields import LIST_KINDS

        try:
            assert version is not None  # every list row has a version (schema 7)
            store.update_item(editor.kind, item["id"], expected_version=version, **editor.to_store(values))
        except Conflict as c:  # the form shows theirs beside ours, in form field names
            if c.current is not None:
                names = LIST_KINDS[editor.kind].columns
                c.current = {names.get(k, k): v for k, v in c.current.items()}
            raise
        app.push_item_edit(f"edited “{editor.describe(item)}”", editor.kind, editor.review_id, item["id"], item)
        return int(item["id"])

    def readd(values: dict[str, Any]) -> int:
        return store.add_item(editor.kind, editor.review_id, **{**editor.defaults, **editor.to_store(values)})

    def done(result: Any) -> None:
        if result is not None:
            editor.reload(keep_id=result if isinstance(result, int) else item["id"])
            _changed(editor)
        editor.focus_list()

    screen.open_form(FormRequested(title, editor.fields(shown), save, done, version=version, readd=readd,
                                   conflict=conflict))


def edit_in_conflict(screen: SectionScreen, editor: ListEditor, item: dict[str, Any], changes: dict[str, Any],
                     conflict: Conflict, title: str) -> None:
    """A quick change (``changes``, in store columns: a status key, say) met another
    seat's edit or deletion of ``item``: the item's form opens with the other seat's
    values and this change on top, and the conflict shown (keep mine, take theirs, keep
    both; add mine back when deleted). Nothing is written until the seat chooses."""
    from pmtui.store.fields import LIST_KINDS

    current = next((i for i in screen.app.store.list_items(editor.kind, editor.review_id) if i["id"] == item["id"]),
                   None)
    names = LIST_KINDS[editor.kind].columns
    if current is None:
        c = Conflict(conflict.kind, item["id"], expected_version=conflict.expected_version, current_version=None,
                     current=None, attempted=changes, changed_by="", changed_at="")
        _edit_form(screen, editor, item, {**item, **changes}, item.get("version"), title, c)
        return
    theirs = {names.get(k, k): v for k, v in current.items() if k in names}
    c = Conflict(conflict.kind, item["id"], expected_version=conflict.expected_version,
                 current_version=current.get("version"), current=theirs, attempted=changes,
                 changed_by=current.get("updated_by") or "", changed_at=current.get("updated_at") or "")
    _edit_form(screen, editor, current, {**current, **changes}, current.get("version"), title, c)


def delete(screen: SectionScreen, editor: ListEditor, item: dict[str, Any]) -> None:
    """Deleted with the version the list showed: another seat's edit since is not deleted unseen."""
    app = screen.app
    snapshot = app.delete_seen(lambda: app.store.delete_item(editor.kind, item["id"], expected_version=item["version"]),
                               "it", lambda: editor.reload(keep_id=item["id"]))
    if snapshot is None:
        return
    app.push_deleted(f"deleted “{editor.describe(item)}”", editor.kind, editor.review_id, snapshot)
    editor.reload()
    _changed(editor)


def move(screen: SectionScreen, editor: ListEditor, item: dict[str, Any], offset: int) -> None:
    app = screen.app
    store = app.store
    if isinstance(app.write(lambda: store.move_item(editor.kind, item["id"], offset)), NotSaved):
        return
    app.push_undo(f"moved “{editor.describe(item)}”", lambda: store.move_item(editor.kind, item["id"], -offset),
                  lambda: store.move_item(editor.kind, item["id"], offset), quiet=True)
    editor.reload(keep_id=item["id"])
    _changed(editor)
