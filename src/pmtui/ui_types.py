"""The seams between the app, its screens and its widgets, declared once.

Widgets never import screens nor :mod:`pmtui.app`: what they share with them lives here
(the data types a form is built from, what a refused write returns, the messages a
widget posts to ask its screen for something, and the interfaces a screen may offer).
The app and the screens check those interfaces with ``isinstance``, never ``getattr``.
Nothing here imports SQLAlchemy or a screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from textual.message import Message
from textual.message_pump import MessagePump

if TYPE_CHECKING:  # pragma: no cover
    from textual import getters
    from textual.app import SystemCommand

    from pmtui.app import PostmortemApp


class NotSaved:
    """What :meth:`PostmortemApp.write` returns when the store refused a write: the sentence."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __bool__(self) -> bool:
        return False


@dataclass
class FormField:
    """One field of a form (:class:`pmtui.screens.form.FormScreen`)."""

    name: str
    label: str
    value: Any = ""
    kind: str = "text"  # text | area | select | bool | static (read-only)
    options: list[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""
    hint: str = ""
    suggest: Callable[[dict[str, Any]], str | None] | None = None
    """A select's value suggested from the form's other values as they are typed, while
    nobody has chosen one (an action item's type from its words)."""


class Latest(Message):
    """A message that carries a whole fresh read (rows loaded, a report rendered, results
    found): a newer one of the same kind, still waiting in the queue, supersedes it, so that
    reloads piling up on a busy machine are drawn once, with the newest data."""

    def can_replace(self, message: Message) -> bool:
        return type(message) is type(self)


class FormRequested(Message):
    """A widget asks its screen to open a form. ``save`` writes the values (and raises
    FieldErrors/BadInput to keep the form open); ``done`` gets the form's result (None
    when it was closed without saving)."""

    def __init__(self, title: str, fields: list[FormField], save: Callable[..., Any],
                 done: Callable[[Any], None], *, version: int | None = None,
                 readd: Callable[[dict[str, Any]], Any] | None = None, conflict: Any = None) -> None:
        super().__init__()
        self.conflict = conflict  # a Conflict met already (a status key): the form opens showing both sides
        self.title = title
        self.fields = fields
        self.save = save
        self.done = done
        self.version = version
        self.readd = readd


class TypedApp(MessagePump):
    """Mixin for screens and widgets (put first among the bases): ``self.app`` is the
    :class:`PostmortemApp`, for the type checker (its store, ``write``, ``author``, undo…).
    Nothing changes at run time."""

    if TYPE_CHECKING:  # pragma: no cover - Textual's own way (textual.getters.app), for the checker only
        app = getters.app(PostmortemApp)


# ---------------------------------------------------------------- what a screen may offer
@runtime_checkable
class InReview(Protocol):
    """A screen that shows one review (a section, the note capture bar, the walk-through…)."""

    review_id: int


def review_zone(app: Any) -> str | None:
    """The time zone of the review open on ``app`` (under any dialog), None outside one:
    every time a review's screens show is in that zone."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, InReview):
            try:
                zone = (app.store.get_review(screen.review_id) or {}).get("timezone")
            except Exception:
                return None
            return zone if isinstance(zone, str) else None
    return None


@runtime_checkable
class Refreshable(Protocol):
    """A screen that shows what the store holds now when asked (after an undo, another seat)."""

    def refresh_from_store(self) -> None: ...


@runtime_checkable
class HasPaletteCommands(Protocol):
    """A screen whose actions join the command palette (ctrl+p)."""

    def palette_commands(self) -> Iterable[SystemCommand]: ...


@runtime_checkable
class HasPromptContext(Protocol):
    """A screen with a line for the prompt card (e.g. "db appeared in 3 earlier reviews")."""

    prompt_context: str


@runtime_checkable
class KnowsIncidentDay(Protocol):
    """A screen that knows the incident's day (what a bare 14:03 means)."""

    def incident_day(self) -> date | None: ...
