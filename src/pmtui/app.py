"""PostmortemApp: wiring, bindings and commands. It receives its Store."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from pmtui import __version__

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

SECTION_SCREENS = {
    "overview": ("pmtui.screens.overview", "OverviewScreen"),
    "timeline": ("pmtui.screens.timeline", "TimelineScreen"),
    "impact": ("pmtui.screens.impact", "ImpactScreen"),
    "analysis": ("pmtui.screens.analysis", "AnalysisScreen"),
    "actions": ("pmtui.screens.actions", "ActionsScreen"),
    "report": ("pmtui.screens.report", "ReportScreen"),
}


class PostmortemApp(App[int]):
    """The facilitated review app."""

    TITLE = "pmtui"
    SUB_TITLE = "blameless postmortem reviews"
    CSS_PATH = "pmtui.tcss"
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("question_mark", "help", "Help", show=False, id="app.help2"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True),
    ]

    def __init__(
        self,
        store: Store,
        *,
        review_id: int | None = None,
        screen: str = "overview",
        today: Callable[[], date] = date.today,
        watch_interval: float | None = 2.0,
    ) -> None:
        super().__init__()
        self.store = store
        self.start_review_id = review_id
        self.start_section = screen
        self.today = today
        self.watch_interval = watch_interval
        self.undo_stack: list[tuple[str, Callable[[], object]]] = []

    def on_mount(self) -> None:
        from pmtui.screens.home import HomeScreen

        self.push_screen(HomeScreen())
        if self.start_review_id is not None:
            self.open_review(self.start_review_id, self.start_section)
        if self.watch_interval:
            self.set_interval(self.watch_interval, self._watch_store)

    @property
    def version(self) -> str:
        return __version__

    # ------------------------------------------------------------ navigation
    def section_screen(self, review_id: int, section: str) -> Screen[None]:
        import importlib

        module, name = SECTION_SCREENS[section]
        return getattr(importlib.import_module(module), name)(review_id)

    def open_review(self, review_id: int, section: str = "overview") -> None:
        self.push_screen(self.section_screen(review_id, section))

    def show_section(self, review_id: int, section: str) -> None:
        self.switch_screen(self.section_screen(review_id, section))

    # ------------------------------------------------------------ undo
    def push_undo(self, description: str, undo: Callable[[], object]) -> None:
        self.undo_stack.append((description, undo))
        del self.undo_stack[:-50]
        self.notify(f"{description[:1].upper()}{description[1:]}. Press ctrl+z to undo.", timeout=4)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.", timeout=2)
            return
        description, undo = self.undo_stack.pop()
        undo()
        self.notify(f"Undone: {description}", timeout=3)
        self.refresh_screen()

    def refresh_screen(self) -> None:
        refresh = getattr(self.screen, "refresh_from_store", None)
        if refresh is not None:
            refresh()

    def _watch_store(self) -> None:
        """Another pmtui (the note-taker's) committed: show its changes."""
        try:
            changed = self.store.changed_elsewhere()
        except Exception:  # a store that went away is reported when it is next used
            return
        if changed:
            self.refresh_screen()

    # ------------------------------------------------------------ help
    def action_help(self) -> None:
        from pmtui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield from getattr(screen, "palette_commands", lambda: [])()

    async def action_quit(self) -> None:
        flush = getattr(self.screen, "flush", None)
        if flush is not None:
            flush()
        self.exit(0)
