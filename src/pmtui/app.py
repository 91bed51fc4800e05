"""PostmortemApp: wiring, bindings and commands. It receives its Store."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from pmtui import __version__

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store


class PostmortemApp(App[int]):
    """The facilitated review app."""

    TITLE = "pmtui"
    SUB_TITLE = "blameless postmortem reviews"
    CSS_PATH = "pmtui.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, store: Store, *, review_id: int | None = None, screen: str = "overview") -> None:
        super().__init__()
        self.store = store
        self.start_review_id = review_id
        self.start_section = screen

    def on_mount(self) -> None:
        from pmtui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.start_review_id is not None and hasattr(self, "open_review"):
            self.open_review(self.start_review_id, self.start_section)

    @property
    def version(self) -> str:
        return __version__
