"""PostmortemApp: wiring, bindings and commands. It receives its Store."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme

from pmtui import __version__
from pmtui.safetext import one_line, visible

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.config import Config
    from pmtui.store import Store

PRESENTATION_THEME = Theme(
    name="pmtui-present",
    primary="#FFD700",
    secondary="#00BFFF",
    accent="#FFD700",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1A1A1A",
    success="#00FF7F",
    warning="#FFD700",
    error="#FF5F5F",
    dark=True,
    variables={"text-muted": "#E0E0E0", "footer-key-foreground": "#FFD700", "block-cursor-background": "#FFD700",
               "block-cursor-foreground": "#000000"},
)

SECTION_SCREENS = {
    "opening": ("pmtui.screens.opening", "OpeningScreen"),
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
        Binding("f1", "help", "Help", id="app.help", priority=True),
        # section keys work everywhere (text areas, forms, dialogs): see action_go
        *[Binding(f"f{i + 2}", f"go('{s}')", "Sections" if not i else s.title(), show=not i, priority=True,
                  key_display="F2…F7" if not i else None, id=f"app.go.{s}")
          for i, s in enumerate(("overview", "timeline", "impact", "analysis", "actions", "report"))],
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo"),
        Binding("question_mark", "help", "Help", show=False, id="app.help2"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo"),
        Binding("ctrl+n", "capture", "Note", id="app.capture", priority=True),
        Binding("f12", "presentation", "Presentation mode", show=False, id="app.presentation"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True),
    ]

    presentation: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        store: Store,
        *,
        review_id: int | None = None,
        screen: str = "overview",
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] | None = None,
        watch_interval: float | None = 2.0,
        config: Config | None = None,
        prompts_file: Any = None,
    ) -> None:
        super().__init__()
        self.store = store
        self.start_review_id = review_id
        self.start_section = screen
        self.today = today
        self.now = now or (lambda: datetime.now().astimezone())
        self.watch_interval = watch_interval
        self.config = config
        self.prompts_file = prompts_file
        # (description, undo, redo): every edit can be undone (ctrl+z) and redone (ctrl+y)
        self.undo_stack: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = []
        self.redo_stack: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = []
        self._checker: Any = None
        self._prompts: dict[str, list[str]] | None = None
        self.prompt_index: dict[str, int] = {}
        self.panel_wanted: bool | None = None  # None: shown when the screen is wide
        self.places: dict[int, tuple[str, int | None]] = {}  # review -> (section, row) where it was left

    @property
    def author(self) -> str:
        return self.config.name if self.config is not None else ""

    @property
    def checker(self) -> Any:
        """The blame-language checker: the package list changed by the team's config."""
        if self._checker is None:
            from pmtui.language import make_checker

            cfg = self.config
            self._checker = make_checker(cfg.add_phrases if cfg else None, cfg.remove_phrases if cfg else None)
        return self._checker

    @property
    def prompts(self) -> dict[str, list[str]]:
        if self._prompts is None:
            from pmtui.prompts import load_prompts

            team = self.prompts_file
            if team is None and self.config is not None:
                team = self.config.path.parent / "prompts.toml"
            self._prompts, problems = load_prompts(team)
            for problem in problems:
                self.notify(problem, severity="warning", timeout=8)
        return self._prompts

    def on_mount(self) -> None:
        from pmtui.screens.home import HomeScreen

        self.register_theme(PRESENTATION_THEME)
        cfg = self.config
        if cfg is not None:
            for problem in cfg.problems:
                self.notify(problem, title="Config file", severity="warning", timeout=10)
            if cfg.theme and cfg.theme in self.available_themes and cfg.theme != PRESENTATION_THEME.name:
                self.theme = cfg.theme
            if cfg.presentation:
                self.presentation = True
        self.push_screen(HomeScreen())
        if self.start_review_id is not None:
            self.open_review(self.start_review_id, self.start_section)
        if self.watch_interval:
            self.set_interval(self.watch_interval, self._watch_store)

    def notify(self, message: str, *, title: str = "", severity: Any = "information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Every notification shows its text literally: it often echoes what was typed or
        stored (a title, a path, a note), which is never markup nor raw control codes."""
        super().notify(visible(message), title=one_line(title), severity=severity, timeout=timeout, markup=False)

    async def on_event(self, event: Any) -> None:
        from textual import events

        if isinstance(event, events.Paste) and not event.is_forwarded:
            # pasted text shows its control characters escaped, like stored text (never raw)
            event.text = visible(event.text)
        await super().on_event(event)

    @property
    def version(self) -> str:
        return __version__

    # ------------------------------------------------------------ navigation
    def section_screen(self, review_id: int, section: str) -> Screen[None]:
        import importlib

        module, name = SECTION_SCREENS[section]
        return getattr(importlib.import_module(module), name)(review_id)

    def open_review(self, review_id: int, section: str | None = None) -> None:
        """Open a review; without a section, where it was left (else the overview)."""
        if section is None:
            section = self.places.get(review_id, ("overview", None))[0]
        self.push_screen(self.section_screen(review_id, section))

    def remember_place(self, review_id: int, section: str, row: int | None = None) -> None:
        old = self.places.get(review_id)
        if row is None and old is not None and old[0] == section:
            row = old[1]
        self.places[review_id] = (section, row)

    def place_row(self, review_id: int, section: str) -> int | None:
        place = self.places.get(review_id)
        return place[1] if place is not None and place[0] == section else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":  # only within a review; elsewhere the screen's own F-keys apply
            return any(getattr(s, "review_id", None) is not None for s in self.screen_stack)
        return True

    def action_go(self, section: str) -> None:
        """F2–F7 from anywhere in a review: an open form is closed first (saving, as Escape
        does; if it cannot save it stays open and says why), any other dialog is closed."""
        from textual.screen import ModalScreen

        from pmtui.screens.form import FormScreen

        while isinstance(self.screen, ModalScreen):
            top = self.screen
            if isinstance(top, FormScreen):
                top.action_close()
                if self.screen is top:
                    return
            else:
                top.dismiss(None)
                if self.screen is top:
                    return
        go = getattr(self.screen, "action_section", None)
        if go is not None and getattr(self.screen, "review_id", None) is not None:
            go(section)

    def show_section(self, review_id: int, section: str) -> None:
        self.switch_screen(self.section_screen(review_id, section))

    # ------------------------------------------------------------ undo
    def push_undo(self, description: str, undo: Callable[[], object], redo: Callable[[], object] | None = None,
                  *, quiet: bool = False) -> None:
        """Record an edit just made: ``undo`` reverses it, ``redo`` makes it again."""
        self.undo_stack.append((description, undo, redo))
        del self.undo_stack[:-100]
        self.redo_stack.clear()
        if not quiet:
            self.notify(f"{description[:1].upper()}{description[1:]}. Press ctrl+z to undo.", timeout=4)

    def push_added(self, description: str, kind: str, item_id: int, *, quiet: bool = False) -> None:
        """Undo for something just added (an event when ``kind`` is "event", else a list item):
        undo deletes it, redo brings it back."""
        store = self.store
        held: dict[str, Any] = {"id": item_id, "snapshot": None}

        def undo() -> None:
            held["snapshot"] = store.delete_event(held["id"]) if kind == "event" else store.delete_item(kind, held["id"])

        def redo() -> None:
            snap = held["snapshot"]
            held["id"] = store.restore_event(snap) if kind == "event" else store.restore_item(snap)

        self.push_undo(description, undo, redo, quiet=quiet)

    def _replay(self, source: list, target: list, index: int, word: str) -> None:
        from pmtui.errors import PmtuiError

        entry = source.pop()
        step = entry[index]
        try:
            step()
        except PmtuiError as exc:  # changed meanwhile (another seat), or the store is locked
            self.notify(f"Could not {'undo' if index == 1 else 'redo'} “{entry[0]}”: {exc.message}", severity="warning", timeout=5)
            self.refresh_screen()
            return
        if entry[2] is not None:
            target.append(entry)
        self.notify(f"{word}: {entry[0]}", timeout=3)
        self.refresh_screen()

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.", timeout=2)
            return
        self._replay(self.undo_stack, self.redo_stack, 1, "Undone")

    def action_redo(self) -> None:
        if not self.redo_stack:
            self.notify("Nothing to redo.", timeout=2)
            return
        self._replay(self.redo_stack, self.undo_stack, 2, "Redone")

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

    # ------------------------------------------------------------ presentation
    def action_presentation(self) -> None:
        self.presentation = not self.presentation
        self.notify("Presentation mode on (F12 turns it off)" if self.presentation else "Presentation mode off",
                    timeout=2)

    def watch_presentation(self, on: bool) -> None:
        if on:
            self._normal_theme = self.theme if self.theme != PRESENTATION_THEME.name else "textual-dark"
            self.theme = PRESENTATION_THEME.name
        else:
            self.theme = getattr(self, "_normal_theme", None) or (
                self.config.theme if self.config and self.config.theme else "textual-dark")
        for screen in self.screen_stack:
            screen.set_class(on, "-presentation")
            show = getattr(screen, "show_panel", None)
            if show is not None:
                show()
        self._remember(presentation=on)

    def watch_theme(self, theme: str) -> None:
        if theme != PRESENTATION_THEME.name and self.config is not None and self.config.theme != theme:
            self._remember(theme=theme)

    def _remember(self, **values: Any) -> None:
        if self.config is None:
            return
        from pmtui import config

        if not config.save(self.config, **values):
            for key, value in values.items():
                setattr(self.config, key, value)

    # ------------------------------------------------------------ notes
    def action_capture(self) -> None:
        """ctrl+n: capture a note in a review; on the list of reviews, start a new review."""
        from pmtui.screens.capture import CaptureScreen

        if isinstance(self.screen, CaptureScreen):
            return
        # the review of the section under any open form or dialog: capture works from anywhere
        section = next((s for s in reversed(self.screen_stack) if getattr(s, "review_id", None) is not None), None)
        if section is None:
            new = getattr(self.screen, "action_new", None)
            if new is not None:
                new()
            return
        self.push_screen(CaptureScreen(section.review_id, getattr(section, "SECTION", "overview")),
                         lambda _note: self.refresh_screen())

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
