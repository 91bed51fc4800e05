"""PostmortemApp: wiring, bindings and commands. It receives its Store."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import Theme

from pmtui import __version__
from pmtui.domain.vocab import ItemKind, Section
from pmtui.errors import PmtuiError
from pmtui.keys import section_bindings
from pmtui.safetext import one_line, visible
from pmtui.ui_types import HasPaletteCommands, InReview, NotSaved, Refreshable

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

UndoStep = tuple[str, Callable[[], object], Callable[[], object] | None]  # (description, undo, redo)

HELP_TEXT = "this help (? when no text field has focus)"

SECTION_SCREENS: dict[str, tuple[str, str]] = {
    Section.opening: ("pmtui.screens.opening", "OpeningScreen"),
    Section.overview: ("pmtui.screens.overview", "OverviewScreen"),
    Section.timeline: ("pmtui.screens.timeline", "TimelineScreen"),
    Section.impact: ("pmtui.screens.impact", "ImpactScreen"),
    Section.analysis: ("pmtui.screens.analysis", "AnalysisScreen"),
    Section.actions: ("pmtui.screens.actions", "ActionsScreen"),
    Section.report: ("pmtui.screens.report", "ReportScreen"),
}


class PostmortemApp(App[object]):
    """The facilitated review app. (``App[object]``: screens and widgets see it typed through
    :class:`pmtui.ui_types.TypedApp`; the exit status is ``return_code``.)"""

    TITLE = "pmtui"
    SUB_TITLE = "blameless postmortem reviews"
    CSS_PATH = "pmtui.tcss"
    # The widths at which screens change their layout, said once: every screen carries one of
    # these classes (Textual's breakpoints) and the styles (screens.tcss) say what changes; the
    # notes panel shows beside a section from -wide on (SectionScreen.show_panel)
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (110, "-normal"), (140, "-wide")]
    # each key's one declaration: footer words (description) and help's sentence (tooltip);
    # help (F1) and the command palette read these (pmtui.keys)
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help", priority=True, tooltip=HELP_TEXT),
        # section keys work everywhere (text areas, forms, dialogs): see action_go; ctrl+o (the
        # opening) only where a section's screen has the focus
        *[b for b in section_bindings("go", "app.go.", priority=True) if b.key.startswith("f")],
        Binding("ctrl+y", "redo", "Redo", show=False, id="app.redo", tooltip="redo what ctrl+z undid"),
        Binding("question_mark", "help", "Help", show=False, id="app.help2", tooltip=HELP_TEXT),
        Binding("ctrl+z", "undo", "Undo", id="app.undo", tooltip="undo the last change"),
        Binding("ctrl+n,ctrl+l", "capture", "Note", id="app.capture", priority=True, key_display="^n/^l",
                tooltip="capture a note, even while typing (? question, ! parked idea); ctrl+l in a browser"),
        Binding("f12", "presentation", "Presentation mode", show=False, id="app.presentation",
                tooltip="presentation mode: high contrast, larger spacing, fewer panels"),
        # Textual's own palette key, declared here to give it a sentence for help
        Binding(App.COMMAND_PALETTE_BINDING, "command_palette", "palette", show=False, priority=True,
                key_display=App.COMMAND_PALETTE_DISPLAY, id="app.palette",
                tooltip="command palette: every action by name"),
        Binding("ctrl+a", "select_all", "Select all", show=False, id="app.select_all", priority=True,
                tooltip="in a text field: select all of its text (typing then replaces it)"),
        Binding("ctrl+q", "quit", "Quit", show=False, id="app.quit", priority=True,
                tooltip="quit (everything is already saved)"),
    ]

    presentation: reactive[bool] = reactive(False, init=False)

    def __init__(
        self,
        store: Store,
        *,
        review_id: int | None = None,
        screen: str = Section.overview,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] | None = None,
        watch_interval: float | str | None = "auto",
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
        self.undo_stack: list[UndoStep] = []
        self.redo_stack: list[UndoStep] = []
        self._store_warm = False  # the home screen warmed the store once
        self._checker: Any = None
        self._prompts: dict[str, list[str]] | None = None
        self.prompt_index: dict[str, int] = {}
        self.panel_wanted: bool | None = None  # None: shown when the screen is wide
        self.following = True  # this seat follows the facilitator's stage and walk-through (ctrl+u)
        import uuid

        self.seat_id = uuid.uuid4().hex  # this seat's presence row
        self._present_in: int | None = None
        self.places: dict[int, tuple[str, int | None]] = {}  # review -> (section, row) where it was left
        self.capture_drafts: dict[int, str] = {}  # review -> a note put aside with Esc (ctrl+n brings it back)
        self._place_keys: dict[int, str] = {}
        self._places_read: dict[str, Any] | None = None

    @property
    def author(self) -> str:
        """This seat's name: ``--as NAME`` (this process only), else the config's default."""
        actor = getattr(self.store, "actor", "") or ""
        if actor:
            return actor
        return self.config.name if self.config is not None else ""

    def set_seat_name(self, name: str) -> None:
        """Name this seat (asked when it first captures a note): for this process only."""
        from pmtui.screens import _kept

        old = self.author
        self.store.actor = name
        _kept.renamed(self, old)  # what it put aside without a name is still its own
        self.beat()

    def may_move_meeting(self, review_id: int) -> bool:
        """Only the facilitator's seat moves the meeting on: another seat is told who can."""
        from pmtui.domain.seats import may_move_meeting

        ok, why = may_move_meeting(self.store.list_items(ItemKind.participant, review_id), self.author)
        if not ok:
            self.notify(why, severity="warning", timeout=5)
        return ok

    @property
    def checker(self) -> Any:
        """The blame-language checker: the package list changed by the team's config."""
        if self._checker is None:
            from pmtui.domain.language import make_checker

            cfg = self.config
            self._checker = make_checker(cfg.add_phrases if cfg else None, cfg.remove_phrases if cfg else None)
        return self._checker

    @property
    def prompts(self) -> dict[str, list[str]]:
        if self._prompts is None:
            from pmtui.domain.prompts import load_prompts

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
            if cfg.keys:
                from pmtui.keymap import user_keymap

                keymap, unknown = user_keymap(cfg.keys)
                self.set_keymap(keymap)
                for binding_id in unknown:
                    self.notify(f"{cfg.path}: keys.{binding_id} is not the id of a pmtui key (help, F1, lists "
                                "them); ignored", title="Config file", severity="warning", timeout=10)
        if self.start_review_id is None:
            self.push_screen(HomeScreen())
        else:  # the list of reviews is built when the user goes to it (pop_screen), not before the review
            self._home_pending = True
            self.open_review(self.start_review_id, self.start_section)
            if getattr(self.store, "reads_plainly", False):  # `pmtui open`: the full store after the first frame
                self._store_warm = True
                self.call_after_refresh(self._load_full_store)
        if self.watch_interval == "auto":
            # SQLite: PRAGMA data_version twice a second (a change shows within 1 s); PostgreSQL:
            # the LISTEN connection's socket, read only when a notification arrived (0.5 s goal)
            backend = getattr(getattr(self.store, "backend", None), "kind", "sqlite")
            self.watch_interval = 0.15 if backend == "postgresql" else 0.5
        from pmtui.screens._kept import watch_hangup

        watch_hangup(self)  # a closed terminal keeps what was typed, as a closed browser tab does
        if self.watch_interval:
            from pmtui.domain.seats import HEARTBEAT_EVERY

            self.set_interval(float(self.watch_interval), self._watch_store)
            self.set_interval(HEARTBEAT_EVERY, self.beat)

    def _load_full_store(self) -> None:
        """The full store (SQLAlchemy, the tables, the document models, the engine), loaded
        in a worker thread right after the first frame (pmtui.store.first_reads); an edit
        confirmed before it is ready waits for it, nothing typed is dropped."""
        from textual.worker import WorkerState

        # after the section has settled (a list lays itself out again at its first size, the
        # report renders in a worker): not beside that work, which would slow its first frame
        self._full_waits += 1
        if self._full_waits <= 4 or (self._full_waits < 60 and (getattr(self.screen, "content_pending", False) or any(
                w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in self.workers))):
            self.set_timer(0.05, lambda: self.call_after_refresh(self._load_full_store))
            return

        def load() -> None:
            try:
                self.store.load_full()
            except Exception:  # a store that does not answer: the first write says why
                return
            if self.watch_interval:
                self.call_from_thread(self.beat)  # the other seats see this one now

        self.run_worker(load, thread=True, group="load-full", exit_on_error=False)

    _full_waits = 0

    _home_pending = False  # opened straight into a review: the list of reviews is not built yet

    def pop_screen(self) -> Any:
        """Leaving the review `pmtui open` opened goes to the list of reviews, built now."""
        if self._home_pending and len(self.screen_stack) == 2:
            from pmtui.screens.home import HomeScreen

            self._home_pending = False
            return self.switch_screen(HomeScreen())
        return super().pop_screen()

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
        if isinstance(event, events.Key):
            from pmtui.keys import move_focus_in_order

            if await move_focus_in_order(self, event):  # keys typed after Tab land where it moved
                return
        await super().on_event(event)

    @property
    def version(self) -> str:
        return __version__

    # ------------------------------------------------------------ navigation
    def section_screen(self, review_id: int, section: str) -> Screen[None]:
        import importlib

        from pmtui.screens.base import SectionScreen

        module, name = SECTION_SCREENS[section]
        screen = getattr(importlib.import_module(module), name)(review_id)
        assert isinstance(screen, SectionScreen)
        return screen

    def open_review(self, review_id: int, section: str | None = None) -> None:
        """Open a review; without a section, where it was left (else the overview), in this
        run or an earlier one (places.json beside the config file, per store and review)."""
        self.push_screen(self.section_screen(review_id, section or self.section_to_open(review_id)))

    def section_to_open(self, review_id: int) -> str:
        """Where the review was left, else the overview."""
        section = self._place(review_id)[0]
        return section if section in SECTION_SCREENS else Section.overview

    def _place(self, review_id: int) -> tuple[str, int | None]:
        if review_id not in self.places:
            saved = self._saved_places().get(self._place_key(review_id))
            if isinstance(saved, list) and len(saved) == 2 and isinstance(saved[0], str):
                row = saved[1] if isinstance(saved[1], int) else None
                self.places[review_id] = (saved[0], row)
        return self.places.get(review_id, (Section.overview.value, None))

    def _place_key(self, review_id: int) -> str:
        key = self._place_keys.get(review_id)
        if key is None:
            try:
                uid = (self.store.get_review(review_id) or {}).get("uid") or review_id
                # the engine's URL, known without making the engine (the first frame's reads are plain)
                where = self.store.location.url_shown() or self.store.engine.url.render_as_string(hide_password=True)
            except Exception:
                uid, where = review_id, "?"
            key = self._place_keys[review_id] = f"{where}#{uid}"
        return key

    def _saved_places(self) -> dict[str, Any]:
        if self._places_read is None:
            import json

            from pmtui.config import config_dir

            try:
                data = json.loads((config_dir() / "places.json").read_text(encoding="utf-8"))
                self._places_read = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._places_read = {}
        return self._places_read

    def save_places(self) -> None:
        """Where each open review was left, for the next run (best effort, never an error)."""
        import json

        from pmtui.atomic import write_atomic
        from pmtui.config import config_dir

        saved = dict(self._saved_places())
        for review_id, place in self.places.items():
            key = self._place_key(review_id)
            saved.pop(key, None)
            saved[key] = list(place)
        saved = dict(list(saved.items())[-200:])  # the most recent 200 reviews
        self._places_read = saved
        try:
            config_dir().mkdir(parents=True, exist_ok=True)
            write_atomic(config_dir() / "places.json", json.dumps(saved, indent=1))
        except OSError:
            pass

    def remember_place(self, review_id: int, section: str, row: int | None = None) -> None:
        known = review_id in self.places
        old = self._place(review_id)
        if row is None and old[0] == section:
            row = old[1]
        self.places[review_id] = (section, row)
        if not known or old[0] != section:
            self.save_places()

    def place_row(self, review_id: int, section: str) -> int | None:
        place = self._place(review_id)
        return place[1] if place[0] == section else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("go", "capture"):  # only within a review; elsewhere the screen's own keys apply
            return any(isinstance(s, InReview) for s in self.screen_stack)
        return True

    def action_go(self, section: str) -> None:
        """F2–F7 from anywhere in a review: an open form is closed first (saving, as Escape
        does; if it cannot save it stays open and says why), any other dialog is closed."""
        from textual.screen import ModalScreen

        from pmtui.screens.capture import CaptureScreen
        from pmtui.screens.form import FormScreen
        from pmtui.screens.walkthrough import WalkThroughScreen

        if isinstance(self.screen, WalkThroughScreen):  # back to the timeline, then on to the section
            self.screen.action_close()
            self.call_after_refresh(self.action_go, section)
            return
        while isinstance(self.screen, ModalScreen):
            top = self.screen
            if isinstance(top, FormScreen):
                top.action_close()
                if self.screen is top:
                    return
            elif isinstance(top, CaptureScreen):  # what was typed is saved first, as Enter would
                if not top.close_saving() or self.screen is top:
                    return
            else:
                top.dismiss(None)
                if self.screen is top:
                    return
        from pmtui.screens.base import SectionScreen

        if isinstance(self.screen, SectionScreen):
            self.screen.action_section(section)

    def show_section(self, review_id: int, section: str) -> None:
        self.switch_screen(self.section_screen(review_id, section))

    # ------------------------------------------------------------ writes
    def write(self, do: Callable[[], Any], *, say: bool = True) -> Any:
        """Run one write to the store from the UI. A value the store refuses or a store that
        is locked, full, read-only, damaged or gone (any PmtuiError) never ends the app:
        its one sentence is shown (unless ``say=False``, for callers that show it beside the
        typed text), nothing else changes, and a :class:`NotSaved` comes back so the caller
        keeps what was typed and the user can retry. A :class:`~pmtui.errors.Conflict`
        goes back to the caller, which shows what the other seat wrote."""
        from pmtui.errors import Conflict

        try:
            return do()
        except Conflict:  # another seat changed it: the caller shows both sides (seats)
            raise
        except PmtuiError as exc:
            if say:
                self.notify(exc.message, title="Not saved", severity="error", timeout=8)
            return NotSaved(exc.message)

    def delete_seen(self, delete: Callable[[], Any], what: str, reload: Callable[[], object]) -> Any | None:
        """Delete with the version this seat showed (``delete`` passes it to the store). When
        another seat deleted it or edited it since, nothing is deleted unseen: the seat is
        told ("Not deleted: the event was changed by …"), ``reload`` shows the row as it is
        now, and None comes back; None too when the store refused (said by :meth:`write`).
        Otherwise the deleted row's snapshot, for its undo."""
        from pmtui.domain.seats import changed_by
        from pmtui.errors import Conflict
        from pmtui.ui_types import review_zone

        try:
            snapshot = self.write(delete)
        except Conflict as c:
            reload()
            if c.current is None:
                self.notify(f"Another seat already deleted {what}.", timeout=4)
            else:
                said = changed_by(c.changed_by, c.changed_at, review_zone(self))
                self.notify(f"Not deleted: {what} was {said} since you saw it. "
                            "Look at it again, then delete if you still mean to.", severity="warning", timeout=6)
            return None
        return None if isinstance(snapshot, NotSaved) else snapshot

    # ------------------------------------------------------------ undo
    def push_undo(self, description: str, undo: Callable[[], object], redo: Callable[[], object] | None = None,
                  *, quiet: bool = False) -> None:
        """Record an edit just made: ``undo`` reverses it, ``redo`` makes it again."""
        self.undo_stack.append((description, undo, redo))
        del self.undo_stack[:-100]
        self.redo_stack.clear()
        if not quiet:
            self.notify(f"{description[:1].upper()}{description[1:]}. Press ctrl+z to undo.", timeout=4)

    def push_added(self, description: str, kind: ItemKind | Literal["event"], item_id: int, *,
                   quiet: bool = False) -> None:
        """Undo for something just added (an event when ``kind`` is "event", else a list item):
        undo deletes it, redo brings it back."""
        from pmtui.store.rows import contents

        store = self.store
        # undo deletes it only while it holds what this seat added (compare-and-set: another
        # seat's edit since is a Conflict, reported, nothing deleted)
        held: dict[str, Any] = {"id": item_id, "snapshot": None, "expect": contents(store.row(kind, item_id))}

        def undo() -> None:
            held["snapshot"] = store.delete_if_unchanged(kind, held["id"], held["expect"])

        def redo() -> None:
            snap = held["snapshot"]
            held["id"] = store.restore_event(snap) if kind == "event" else store.restore_item(snap)
            held["expect"] = contents(store.row(kind, held["id"]))

        self.push_undo(description, undo, redo, quiet=quiet)

    def push_deleted(self, description: str, kind: ItemKind | Literal["event"], review_id: int,
                     snapshot: dict[str, Any]) -> None:
        """Undo for something just deleted (its ``snapshot`` from the store): undo brings it
        back, redo deletes it again only as this seat brought it back (its version then)."""
        store = self.store
        held: dict[str, Any] = {"id": None, "version": None}

        def undo() -> None:
            if kind == "event":
                held["id"] = store.restore_event(snapshot)
                back = store.events_by_id(review_id, [held["id"]])
                held["version"] = back[0].version if back else None
            else:
                held["id"] = store.restore_item(snapshot)
                row = next((i for i in store.list_items(ItemKind(kind), review_id) if i["id"] == held["id"]), None)
                held["version"] = row.get("version") if row else None

        def redo() -> None:
            if kind == "event":
                store.delete_event(held["id"], expected_version=held["version"])
            else:
                store.delete_item(ItemKind(kind), held["id"], expected_version=held["version"])

        self.push_undo(description, undo, redo)

    def push_item_edit(self, description: str, kind: ItemKind, review_id: int, item_id: int,
                       before: dict[str, Any]) -> None:
        """Undo and redo for an edit of one list item (a factor, an action item, a note…) just
        written; ``before`` is the item as read before the edit. Each step writes only while
        the item still holds what the previous step left there, with the row's version; a
        change by another seat since, or its deletion, is a Conflict: reported, nothing
        overwritten."""
        from pmtui.errors import unchanged_since

        store = self.store

        def read() -> dict[str, Any] | None:
            return next((i for i in store.list_items(kind, review_id) if i["id"] == item_id), None)

        after = read()
        meta = {"id", "review_id", "version", "updated_by", "updated_at", "position"}
        changed = [k for k in (after or {}) if k in before and k not in meta and before[k] != after[k]]  # type: ignore[index]
        if after is None or not changed:
            return

        def step(expect: dict[str, Any], values: dict[str, Any]) -> Callable[[], None]:
            def run() -> None:
                found = read()
                row = unchanged_since(kind, item_id, found, expect, values, None if found is None else found.get("version"))
                store.update_item(kind, item_id, expected_version=row["version"], **values)

            return run

        old = {k: before[k] for k in changed}
        new = {k: after[k] for k in changed}
        self.push_undo(description, step(new, old), step(old, new), quiet=True)

    def _replay(self, source: list[UndoStep], target: list[UndoStep], index: int, word: str) -> None:
        from pmtui.errors import Conflict

        entry = source.pop()
        step = entry[1] if index == 1 else entry[2]
        if step is None:  # pragma: no cover - only an edit that can be redone reaches the redo stack
            return
        try:
            step()
        except Conflict as exc:  # changed meanwhile by another seat: this step no longer applies
            from pmtui.domain.seats import changed_by
            from pmtui.ui_types import review_zone

            # in the review's clock, as every time on its screens (the store's message says UTC)
            said = ("another seat deleted it" if exc.current is None
                    else f"it was {changed_by(exc.changed_by, exc.changed_at, review_zone(self))}")
            self.notify(f"Could not {'undo' if index == 1 else 'redo'} {entry[0]}: {said} since; nothing was "
                        "written.", severity="warning", timeout=5)
            self.refresh_screen()
            return
        except PmtuiError as exc:  # locked, full, read-only: kept, so the key works again later
            source.append(entry)
            self.notify(exc.message, title="Not saved", severity="error", timeout=8)
            return
        if entry[2] is not None:
            target.append(entry)
        self.notify(f"{word}: {entry[0]}", timeout=3)
        self.refresh_screen()

    def action_select_all(self) -> None:
        """ctrl+a in a text field selects all of it (Textual's fields take ctrl+a for Home,
        and Home does that too); anywhere else the key goes on to whatever else uses it."""
        from textual.actions import SkipAction
        from textual.widgets import Input, TextArea

        focused = self.focused
        if isinstance(focused, (Input, TextArea)):
            focused.select_all()
            return
        raise SkipAction()

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
        from textual.css.query import NoMatches

        if isinstance(self.screen, Refreshable):
            try:
                self.screen.refresh_from_store()
            except NoMatches:  # a screen still being built (a section key right after a save) reads the store on mount
                pass

    def _watch_store(self) -> None:
        """Another seat committed: show only what it changed (PostgreSQL says which review,
        kind and row; SQLite only that something changed)."""
        try:
            changes = self.store.changes_elsewhere()
        except Exception as exc:  # a store that went away: writes say so when made; here, not live
            self.show_live(False, getattr(exc, "message", "the store does not answer"))
            return
        if self._missed:  # a re-read failed last time: read everything again
            changes = [*changes, {"kind": None, "review": None, "id": None}]
        self.show_live(True)
        if changes:
            from pmtui.screens.base import SectionScreen

            try:
                for screen in self.screen_stack:  # a section under a form or dialog stays current too
                    if isinstance(screen, SectionScreen):
                        screen.store_changed(changes)
                if not isinstance(self.screen, SectionScreen):
                    self.refresh_screen()
            except PmtuiError as exc:  # the store went away while reading: the seat stays, not live
                self._missed = True
                self.show_live(False, exc.message)
                return
        self._missed = False

    _missed = False  # other seats' changes arrived but could not be read: read all on the next poll

    live = True  # other seats' changes arrive (the change signal works)

    def show_live(self, live: bool, why: str = "") -> None:
        """Say once when this seat stops seeing other seats' changes, and when it sees them
        again; section headers carry "not live" meanwhile."""
        if live == self.live:
            return
        self.live = live
        if live:
            self.notify("Live again: other seats' changes show here; what changed meanwhile was read again.",
                        timeout=5)
        else:
            self.notify(f"Not live: other seats' changes do not show here until the store answers again ({why}).",
                        severity="warning", timeout=10)
        from pmtui.screens.base import SectionScreen

        for screen in self.screen_stack:
            if isinstance(screen, SectionScreen):
                screen.show_header()

    # ------------------------------------------------------------ presence
    def current_review(self) -> int | None:
        section = next((s for s in reversed(self.screen_stack) if isinstance(s, InReview)), None)
        return None if section is None else section.review_id

    def beat(self) -> None:
        """This seat's heartbeat: it is in the review on screen (with its name and role),
        or in none; then every section shows who is here now."""
        from pmtui.domain.seats import PRESENCE_TTL, role_of

        if getattr(self.store, "reads_plainly", False):
            return  # `pmtui open`: the first beat comes once the full store is loaded (_load_full_store)
        review_id = self.current_review()
        try:
            if review_id is None:
                self.leave_review()
                return
            if self._present_in is not None and self._present_in != review_id:
                self.store.leave(self.seat_id)
            name = self.author.strip()
            role = role_of(self.store.list_items(ItemKind.participant, review_id), name) if name else "participant"
            self.store.heartbeat(self.seat_id, review_id, name or "(a seat without a name)", role, ttl=PRESENCE_TTL)
            self._present_in = review_id
        except Exception:  # a store that went away is reported when it is next used
            return
        self.show_presence()

    def show_presence(self) -> None:
        from pmtui.screens.base import SectionScreen

        for screen in self.screen_stack:
            if isinstance(screen, SectionScreen):
                screen.show_presence()

    def leave_review(self) -> None:
        if self._present_in is None:
            return
        self._present_in = None
        try:
            self.store.leave(self.seat_id)
        except Exception:
            pass

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
        from pmtui.screens.base import SectionScreen

        for screen in self.screen_stack:
            screen.set_class(on, "-presentation")
            if isinstance(screen, SectionScreen):
                screen.show_panel()
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
        from pmtui.screens.base import SectionScreen
        from pmtui.screens.capture import CaptureScreen
        from pmtui.screens.home import HomeScreen

        if isinstance(self.screen, CaptureScreen):
            return
        # the review of the section under any open form or dialog: capture works from anywhere
        section = next((s for s in reversed(self.screen_stack) if isinstance(s, InReview)), None)
        if section is None:
            if isinstance(self.screen, HomeScreen):
                self.screen.action_new()
            return
        if not self.author.strip():  # a seat without a name is asked for one before its first note
            self.ask_seat_name(self.action_capture)
            return
        self.push_screen(CaptureScreen(section.review_id,
                                       section.SECTION if isinstance(section, SectionScreen) else Section.overview),
                         lambda _note: self.refresh_screen())

    def ask_seat_name(self, then: Callable[[], object] | None = None) -> None:
        """Ask this seat for its name (this process only; `pmtui config name` sets a default)."""
        from pmtui.errors import BadInput
        from pmtui.screens.dialogs import PromptScreen

        def check(text: str) -> None:
            name = " ".join(text.split())
            if not name:
                raise BadInput("type the name your notes will carry, or press Esc")
            if len(name) > 200:
                raise BadInput("a name is at most 200 characters")

        def done(name: str | None) -> None:
            if name:
                self.set_seat_name(" ".join(name.split()))
                if then is not None:
                    then()

        self.push_screen(PromptScreen("Your name for this seat (your notes and changes carry it):",
                                      placeholder="e.g. Jonas Weber", check=check), done)

    # ------------------------------------------------------------ help
    def action_help(self) -> None:
        from pmtui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, HasPaletteCommands):
            yield from screen.palette_commands()

    async def action_quit(self) -> None:
        """ctrl+q: with text not saved yet, ask first (save, set aside, keep editing)."""
        from pmtui.screens import _kept
        from pmtui.screens.leaving import ASIDE, SAVE, LeavingScreen

        def leave(choice: str | None = SAVE) -> None:
            if choice not in (SAVE, ASIDE):
                return
            _kept.keep_typed(self, save=choice == SAVE, why=_kept.SET_ASIDE)
            _kept.settled(self)
            self.leave_review()
            if self.places:
                self.save_places()
            self.exit(0)

        unsaved = _kept.unsaved(self)
        if unsaved and not isinstance(self.screen, LeavingScreen):
            self.push_screen(LeavingScreen(unsaved), leave)
            return
        leave()

    def _handle_exception(self, error: Exception) -> None:
        """An error the app did not expect ends it (Textual's rule), but not the seat's typing:
        what it typed is saved or put aside first, as when a browser tab closes."""
        from pmtui.screens import _kept

        _kept.going_away(self)
        super()._handle_exception(error)

    def on_exit_app(self) -> None:
        """Exiting without the seat's choice (a closed browser tab, a lost connection, a
        signal): what it typed is saved or put aside, never dropped (screens/_kept.py)."""
        from pmtui.screens import _kept

        _kept.going_away(self)
