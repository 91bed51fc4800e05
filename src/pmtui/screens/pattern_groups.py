"""The recurring factors' and lessons' groups, one wording a row: merge two groups, or
split a wording out. Kept in the store (``pmtui.store.pattern_choices``) at once, so the
Patterns view, ``pmtui patterns`` and every later run agree. Each write states the
versions of the choices this view showed (another seat's merge since is a Conflict, told,
nothing written), and ctrl+z undoes it the same way (ctrl+y redoes)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import Latest, TypedApp

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.patterns import FactorGroup
    from pmtui.store.pattern_choices import Placed

HINT = ("m on a wording, then m on another: their groups become one · s: this wording stands alone · "
        "ctrl+z undoes · kept for every later run")


class PatternGroupsScreen(TypedApp, Screen[None]):
    CSS_PATH = SCREENS_CSS
    DEFAULT_CSS = """
    PatternGroupsScreen #groups-hint { padding: 0 1; height: auto; color: $text-muted; }
    PatternGroupsScreen #groups { height: 1fr; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Patterns", id="groups.back", tooltip="back to the Patterns view"),
        Binding("m", "merge", "Merge", id="groups.merge", tooltip="merge this wording's group with the next one chosen"),
        Binding("s", "split", "Split out", id="groups.split", tooltip="this wording stands alone"),
    ]

    class Loaded(Latest):
        def __init__(self, groups: list[tuple[str, FactorGroup]], versions: dict[str, int]) -> None:
            super().__init__()
            self.groups, self.versions = groups, versions

    def __init__(self) -> None:
        super().__init__()
        self.groups: list[tuple[str, FactorGroup]] = []
        self.rows: list[tuple[int, str]] = []  # (group index, wording)
        self.first: int | None = None  # the group chosen first for a merge
        self.versions: dict[str, int] = {}  # wording key -> the version of its choice, as shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(HINT, id="groups-hint")
        table: DataTable[Text] = DataTable(id="groups", cursor_type="row", zebra_stripes=True)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Recurring groups"
        self.sub_title = "factors and lessons that name the same cause"
        self.load()

    @work(thread=True, exclusive=True, group="pattern-groups")
    def load(self) -> None:
        from pmtui.domain.patterns import recurring_factors
        from pmtui.store.followup import cached_review_facts
        from pmtui.store.pattern_choices import choices as read_choices

        facts = cached_review_facts(self.app.store)
        held = read_choices(self.app.store)
        choices = {w: g for w, (g, _v) in held.items()}
        groups = [("factor", g) for g in recurring_factors(facts, choices)]
        groups += [("lesson", g) for g in recurring_factors(facts, choices, lessons=True)]
        self.post_message(self.Loaded(groups, {w: v for w, (_g, v) in held.items()}))

    def refresh_from_store(self) -> None:
        """After an undo or redo, or another seat's change: the groups as stored now."""
        self.load()

    def on_pattern_groups_screen_loaded(self, message: Loaded) -> None:
        self.groups, self.versions = message.groups, message.versions
        table = self.query_one("#groups", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        width = max(30, self.size.width - 30)
        for key, label, w in (("group", "Group", 6), ("kind", "", 7), ("wording", "Wording", width),
                              ("reviews", "Reviews", 8)):
            table.add_column(label, key=key, width=w)
        self.rows = []
        for n, (kind, g) in enumerate(self.groups):
            for i, wording in enumerate([g.wording, *g.variants]):
                mark = "▶ " if self.first == n else ""
                table.add_row(Text(f"{mark}{n + 1}" if i == 0 else ""), Text(kind if i == 0 else "", style="dim"),
                              Text(wording, no_wrap=True, overflow="ellipsis"),
                              Text(str(len(g.reviews)) if i == 0 else ""))
                self.rows.append((n, wording))
        if not self.rows:
            self.query_one("#groups-hint", Static).update("No recurring group yet: no two reviews share a cause.")
        elif row >= 0:
            table.move_cursor(row=min(row, len(self.rows) - 1))

    def selected(self) -> tuple[int, str] | None:
        table = self.query_one("#groups", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def seen(self, wordings: list[str]) -> dict[str, int | None]:
        """The version of each wording's choice as this view showed it (None: no choice)."""
        from pmtui.domain.grouping import key

        return {key(w): self.versions.get(key(w)) for w in wordings}

    def _save(self, change: Callable[[], Placed], said: str) -> None:
        from pmtui.errors import Conflict
        from pmtui.store.pattern_choices import Placed, reverse

        try:
            result = self.app.write(change)
        except Conflict:
            self.notify("Another seat changed these groups since you looked; here they are now. Try again.",
                        severity="warning", timeout=6)
            result = None
        if isinstance(result, Placed):
            store = self.app.store
            held = {"step": result}

            def step() -> None:  # undo, and redo: each reverses the step before, stating its versions
                held["step"] = reverse(store, held["step"])

            self.app.push_undo(said, step, step)
        self.first = None
        self.load()

    def action_merge(self) -> None:
        from pmtui.store.pattern_choices import merge

        here = self.selected()
        if here is None:
            return
        if self.first is None or self.first == here[0]:
            self.first = here[0]
            self.notify("Now m on a wording of the group to merge it with.", timeout=3)
            self.load()
            return
        a, b = self.groups[self.first][1], self.groups[here[0]][1]
        wordings = [a.wording, *a.variants, b.wording, *b.variants]
        seen = self.seen(wordings)
        self._save(lambda: merge(self.app.store, wordings, seen), f"merged “{a.wording}” with “{b.wording}”")

    def action_split(self) -> None:
        from pmtui.store.pattern_choices import split

        here = self.selected()
        if here is None:
            return
        wording = here[1]
        seen = self.seen([wording])
        self._save(lambda: split(self.app.store, wording, seen), f"split “{wording}” out of its group")

    def action_back(self) -> None:
        if self.first is not None:
            self.first = None
            self.load()
            return
        self.dismiss(None)

    def palette_commands(self) -> Iterable[SystemCommand]:
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            yield SystemCommand(f"Groups: {b.description}", f"key: {b.key}", lambda b=b: self.run_action(b.action))
