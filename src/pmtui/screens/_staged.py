"""A section opened from the list of reviews shows at once, with a loading line, and its
content is mounted a few pieces per turn of the message loop (issue 23).

Built in one step, a section's ~150-250 widgets held Textual's message loop for 0.4 s of
CPU (seconds on a loaded machine): their styles, then the screen's breakpoint class
restyling all of them, then laying out and drawing every one, while the keys typed
meanwhile waited. Here the screen comes up with its header, stage bar, meeting line and
footer, and a :class:`Loading` line where the section's content goes; once that frame is
drawn, the content (``compose_body``) is mounted piece by piece (`mount_content`, a worker on the
screen), laid out and drawn as it comes. The screen's ``Mount``
is held until then (`SectionScreen._dispatch_message`), so every section's ``on_mount``
finds its widgets as when it is built in one step.

Nothing typed is lost: the loading line has the focus and keeps each key (and paste),
and hands them to the app, in order, once the content has the focus; the app then treats
them as just typed (Tab moves the focus, text goes into the focused field)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from textual import events
from textual.compose import compose
from textual.widgets import Static

if TYPE_CHECKING:  # pragma: no cover
    from textual.widget import Widget

PIECE = 6  # widgets mounted per turn of the message loop (see `weight`)
COMPOSED = 4  # what a widget that composes its own children (a field, a list) counts for


class Loading(Static, can_focus=True):
    """Where the section's content goes while it is mounted; it holds the keys typed meanwhile."""

    DEFAULT_CSS = """
    Loading { height: 1fr; padding: 1 2; color: $text-muted; }
    Loading:focus { background: $background; }
    """

    KEEPS_KEYS = True  # Tab included (keys.move_focus_in_order leaves it here)

    def __init__(self, text: str) -> None:
        super().__init__(text, id="section-loading", markup=False)
        self.kept: list[events.Key | events.Paste] = []
        self.handed_on = False

    def on_mount(self) -> None:
        self.focus()

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()  # no binding of the screen or the app acts on it here: it is kept
        self.keep(events.Key(event.key, event.character))

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self.keep(events.Paste(event.text))

    def keep(self, event: events.Key | events.Paste) -> None:
        if self.handed_on:  # typed before the content took the focus, read only now: after the others
            self.app.post_message(event)
        else:
            self.kept.append(event)

    def hand_on(self) -> None:
        """The content has the focus: the kept keys go to the app, as if typed now."""
        self.handed_on = True
        for event in self.kept:
            self.app.post_message(event)
        self.kept.clear()


def weight(widget: Widget) -> int:
    """About how many widgets mounting this one brings: its children, and those it composes itself."""
    from textual.widget import Widget

    own = COMPOSED if type(widget).compose is not Widget.compose else 1
    return own + sum(weight(child) for child in widget._pending_children)


async def mount_content(screen: Any, loading: Loading) -> None:
    """Mount ``screen.compose_body()`` before ``loading``, a few widgets per turn. Runs as
    a worker on the screen (its own task: the screen's messages, its layout and drawing,
    and the app's keys, are handled in between, so a layout takes in what was mounted
    since the last frame). Waiting for a refresh after each piece instead doubled the
    time to the whole section on a loaded machine, for no shorter stall."""
    from textual.widget import Widget

    pieces = compose(screen, screen.compose_body())
    parent = loading.parent
    assert isinstance(parent, Widget)
    await _mount(screen, parent, pieces, before=loading)


async def _mount(screen: Any, parent: Widget, widgets: list[Widget], before: Widget | None = None) -> None:
    batch: list[Widget] = []
    load = 0

    async def flush() -> None:
        nonlocal batch, load
        if batch:
            await parent.mount_all(batch, before=before)
            await asyncio.sleep(0)  # the screen lays out and draws what is mounted so far, at its own pace
        batch, load = [], 0

    for widget in widgets:
        w = weight(widget)
        if w > PIECE and widget._pending_children:  # a container: itself first, then its children
            await flush()
            children = list(widget._pending_children)
            widget._pending_children.clear()
            await parent.mount(widget, before=before)
            await _mount(screen, widget, children)
            continue
        if load and load + w > PIECE:
            await flush()
        batch.append(widget)
        load += w
    await flush()
