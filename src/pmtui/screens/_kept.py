"""Nothing a seat typed is dropped: what the screens do with words that are not saved yet.

- "Take theirs" in a field's conflict box puts the seat's own text aside (ctrl+n brings it
  back) and ctrl+z puts it back (saved over the version taken, a compare-and-set).
- A seat that goes away (a browser tab closed, the network dropped, a terminal closed,
  SIGHUP or SIGTERM) saves what the fields hold, as leaving them would, with the version
  each field read; what cannot be saved (a conflict open, a value the store refuses, the
  capture bar, an open form) is put aside for that seat (``pmtui.store.putaside``), and the next
  time it opens the review it is told, and ctrl+n brings the words back.
- ctrl+q with unsaved text asks first: save and quit, set aside and quit, keep editing.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from pmtui.errors import PmtuiError
from pmtui.store import putaside

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.app import PostmortemApp
    from pmtui.screens.base import SectionScreen
    from pmtui.widgets.field import Field

WENT_AWAY = "this seat closed (or lost its connection) before it was saved"
SET_ASIDE = "set aside when quitting"
TOOK_THEIRS = "replaced by the other seat's version (Take theirs)"
IN_CONFLICT = "another seat had changed it and this seat had not chosen yet when it closed"

_settled: weakref.WeakSet[Any] = weakref.WeakSet()  # apps whose typing was already kept (quit dialog)
_offered: weakref.WeakKeyDictionary[Any, set[int]] = weakref.WeakKeyDictionary()
_aside_for: weakref.WeakKeyDictionary[Any, putaside.PutAside] = weakref.WeakKeyDictionary()  # Take theirs


def place(app: PostmortemApp, review_id: int) -> str:
    return app._place_key(review_id)


_moved: dict[Any, putaside.PutAside] = {}  # an entry's path -> where it went when its seat was named


def keep_aside(app: PostmortemApp, review_id: int, what: str, text: str, why: str, field: str = "") -> bool:
    _places.setdefault(app, set()).add(place(app, review_id))
    return putaside.put_aside(place(app, review_id), app.author, what, text, why, field) is not None


_places: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()  # where a seat put words aside


def _take(entry: putaside.PutAside) -> None:
    """Take an entry back, wherever naming the seat moved it."""
    while entry.path in _moved:
        entry = _moved.pop(entry.path)
    putaside.take(entry)


def renamed(app: PostmortemApp, old: str) -> None:
    """The seat is named (a browser seat has no name until its first note): what it put
    aside under its old name (none: "") is filed under the new one, in every review where
    it put words aside or was told of them, so ctrl+n still brings them back."""
    if old == app.author:
        return
    places = set(_places.get(app, set()))
    places.update(place(app, rid) for rid in _offered.get(app, set()))
    for where in places:
        for entry in putaside.waiting(where, old):
            moved = putaside.move(entry, app.author)
            if moved is not None and moved.path != entry.path:
                _moved[entry.path] = moved
    for field, entry in list(_aside_for.items()):
        if entry.path in _moved:
            _aside_for[field] = _moved[entry.path]


def field_label(field: Field) -> str:
    return f"the {field.label.split(':')[0].strip()}" if field.label else f"the {field.field_name}"


# ------------------------------------------------------------------ take theirs
def took_theirs(screen: SectionScreen, field: Field, mine: str) -> None:
    """The seat took the other seat's text over its own: its own is put aside, and undo
    brings it back. In a text area ctrl+z is the area's own undo (Take theirs was an edit
    of it), and the field saves the words back as typing would; elsewhere the app's ctrl+z
    saves them over the version taken (another change since is a conflict: reported, and
    the words stay put aside)."""
    app, store, rid, name = screen.app, screen.app.store, screen.review_id, field.field_name
    _places.setdefault(app, set()).add(place(app, rid))
    entry = putaside.put_aside(place(app, rid), app.author, field_label(field), mine, TOOK_THEIRS, name)
    if entry is not None:
        _aside_for[field] = entry
    taken = field.version
    what = field_label(field)

    def undo() -> None:
        value: Any = field.parse(mine)
        if (store.get_review(rid) or {}).get(name) != value:  # not back already (the area's own undo)
            # over the version taken only: another seat's change since is a Conflict (reported)
            version = taken if taken is not None else -1
            if name == "tags":
                store.set_tags(rid, value, expected_version=version)
            else:
                store.update_review(rid, expected_version=version, **{name: value})
        if entry is not None:
            _take(entry)

    app.push_undo(f"took the other seat's version of {what}", undo, None, quiet=True)
    aside = "yours is put aside (ctrl+n brings it back)" if entry is not None else "yours could not be put aside"
    app.notify(f"Showing the other seat's {what[4:] if what.startswith('the ') else what}; {aside}; "
               "ctrl+z puts yours back.", timeout=6)


def field_saved(field: Field, stored: Any) -> None:
    """A field saved: words it had put aside are in the review again, so no longer aside."""
    entry = _aside_for.get(field)
    if entry is not None and field.show(stored) == entry.text:
        _take(entry)
        del _aside_for[field]


def form_replaced(form: Any, texts: list[tuple[str, str]], *, deleted: bool) -> bool:
    """A form's Take theirs (or Let it go, when another seat deleted the item) replaces the
    seat's typing: its changed texts are put aside first. True when something was kept."""
    from pmtui.screens.base import SectionScreen

    app = form.app
    under = next((s.review_id for s in reversed(app.screen_stack) if isinstance(s, SectionScreen)), None)
    if not texts or under is None:
        return False
    body = "\n".join(f"{label}: {text}" for label, text in texts)
    why = "let go after another seat deleted it" if deleted else TOOK_THEIRS
    return keep_aside(app, under, f"the form “{form.form_title}”", body, why)


# ------------------------------------------------------------------ offered back
def offer(app: PostmortemApp, review_id: int) -> None:
    """Once per run and review: say that words this seat put aside are waiting."""
    seen = _offered.setdefault(app, set())
    if review_id in seen:
        return
    seen.add(review_id)
    try:
        waiting = putaside.waiting(place(app, review_id), app.author)
    except Exception:  # pragma: no cover - a config folder that cannot be read: nothing to offer
        return
    if not waiting:
        return
    whats = ", ".join(dict.fromkeys(w.what for w in waiting))
    count = "1 text" if len(waiting) == 1 else f"{len(waiting)} texts"
    app.notify(f"{count} you typed earlier in this review {'is' if len(waiting) == 1 else 'are'} put aside, "
               f"not saved ({whats}). ctrl+n brings {'it' if len(waiting) == 1 else 'them'} back.",
               title="Put aside", timeout=12)


def newest(app: PostmortemApp, review_id: int) -> putaside.PutAside | None:
    found = putaside.waiting(place(app, review_id), app.author)
    return found[0] if found else None


# ------------------------------------------------------------------ leaving
def unsaved(app: PostmortemApp) -> list[str]:
    """What this seat typed that is not saved, in words (empty: nothing)."""
    from pmtui.screens.base import SectionScreen
    from pmtui.screens.capture import CaptureScreen
    from pmtui.screens.form import FormScreen
    from pmtui.widgets.field import Field

    found: list[str] = []
    for screen in app.screen_stack:
        if isinstance(screen, SectionScreen):
            for field in screen.query(Field):
                if field.conflict is not None or field.dirty:
                    found.append(field_label(field))
        elif isinstance(screen, CaptureScreen) and not screen.done and screen.typed().strip():
            found.append("a note in the capture bar")
        elif isinstance(screen, FormScreen) and screen.changed_texts():
            found.append(f"the form “{screen.form_title}”")
    return found


def keep_typed(app: PostmortemApp, *, save: bool, why: str) -> tuple[list[str], list[str]]:
    """Keep every unsaved text: fields are saved (``save``) as leaving them would, with
    the version each read; what is not saved is put aside. (saved, put aside), in words."""
    from pmtui.screens.base import SectionScreen
    from pmtui.screens.capture import CaptureScreen
    from pmtui.screens.form import FormScreen
    from pmtui.widgets.field import Field

    saved: list[str] = []
    aside: list[str] = []
    for screen in list(app.screen_stack):
        if isinstance(screen, SectionScreen):
            rid = screen.review_id
            for field in list(screen.query(Field)):
                if field.conflict is None and not field.dirty:
                    continue
                what = field_label(field)
                if save and field.conflict is None:
                    try:
                        value = field.parse(field.text)
                    except PmtuiError:
                        value = None
                    else:
                        try:
                            screen.on_field_confirmed(Field.Confirmed(field, value))
                        except Exception:  # pragma: no cover - a store gone: the words are put aside below
                            pass
                        if field.conflict is None and not field.dirty:
                            saved.append(what)
                            continue
                reason = IN_CONFLICT if field.conflict is not None else why
                if keep_aside(app, rid, what, str(field.text), reason, field.field_name):
                    aside.append(what)
        elif isinstance(screen, CaptureScreen) and not screen.done and screen.typed().strip():
            if keep_aside(app, screen.review_id, "a note", screen.typed(), why):
                screen.set_aside_kept()
                aside.append("a note")
        elif isinstance(screen, FormScreen):
            texts = screen.changed_texts()
            under = next((s.review_id for s in reversed(app.screen_stack) if isinstance(s, SectionScreen)), None)
            if texts and under is not None:
                body = "\n".join(f"{label}: {text}" for label, text in texts)
                if keep_aside(app, under, f"the form “{screen.form_title}”", body, why):
                    aside.append(f"the form “{screen.form_title}”")
    return saved, aside


def going_away(app: PostmortemApp) -> None:
    """The app is exiting without the seat having chosen (a closed tab, a lost connection,
    a signal): save what can be saved, put the rest aside. Never raises."""
    if app in _settled:
        return
    _settled.add(app)
    try:
        keep_typed(app, save=True, why=WENT_AWAY)
    except Exception:  # pragma: no cover - leaving must never fail; what could be kept was
        pass


def settled(app: PostmortemApp) -> None:
    """The seat chose what happens to its typing (the quit dialog): exiting adds nothing."""
    _settled.add(app)


def watch_hangup(app: PostmortemApp) -> None:
    """A terminal seat closed (SIGHUP) or terminated (SIGTERM) exits as a lost browser
    seat does: through ``going_away``. (The browser's driver already turns SIGTERM and
    its "quit" into an orderly exit.)"""
    import asyncio
    import signal
    import sys

    if app.is_headless or sys.platform == "win32":
        return
    from textual import messages

    try:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: app.post_message(messages.ExitApp()))
    except (RuntimeError, ValueError, NotImplementedError):  # not the main thread: the driver's own handling
        pass
