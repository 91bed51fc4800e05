"""The Timeline's "add evidence" dialog (issue 13): a path (with completion), the kind
(read from the file by default), a Slack channel and a zone when they apply, and a
preview (how many events, first and last time, duplicates, sources) before anything is
added. Adding writes the previewed files in one transaction (:mod:`pmtui.evidence.gather`).
Everything read from a file is shown literally (no markup)."""

from __future__ import annotations

import os
import time
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from pmtui.errors import PmtuiError
from pmtui.safetext import one_line
from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import TypedApp

AUTO = "auto"


class PathSuggester(Suggester):
    """Completes a path from the files and folders beside it (→ accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


def complete_path(value: str) -> str | None:
    if not value:
        return None
    expanded = os.path.expanduser(value)
    folder, prefix = os.path.split(expanded)
    try:
        names = sorted(n for n in os.listdir(folder or ".") if n.startswith(prefix) and not n.startswith("."))
    except OSError:
        return None
    if not names:
        return None
    name = names[0]
    if len(names) > 1:  # complete the part they share
        common = os.path.commonprefix(names)  # noqa: RUF071 - completion: the characters the names share
        if len(common) <= len(prefix):
            return None
        name = common
    done = value + name[len(prefix):]
    if len(names) == 1 and os.path.isdir(os.path.join(folder or ".", name)) and not done.endswith(os.sep):
        done += os.sep
    return done if done != value else None


class EvidenceScreen(TypedApp, ModalScreen[dict[str, Any] | None]):
    """Preview, then add; dismissed with the summary of what was added (None: nothing)."""
    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="evidence.cancel"),
        Binding("ctrl+r", "preview", "Preview", id="evidence.preview"),
        Binding("ctrl+s", "add", "Add", id="evidence.add"),
    ]

    def __init__(self, review_id: int, zone_name: str, path: str = "") -> None:
        super().__init__()
        self.review_id = review_id
        self.zone_name = zone_name
        self.start_path = path
        self.plan: Any = None
        self.planned_for: tuple[Any, ...] | None = None

    def compose(self) -> ComposeResult:
        from pmtui.evidence import KINDS

        with Vertical(id="form", classes="evidence-dialog"):
            yield Static("Add evidence to the timeline", id="form-title")
            yield Label("File or folder (→ completes; several: separate with ' , '), or a status page's address",
                        classes="form-label")
            yield Input(self.start_path, placeholder="~/incident/incidents.json", suggester=PathSuggester(),
                        id="evidence-path")
            yield Label("Kind", classes="form-label")
            yield Select([("read from the file", AUTO), *[(f"{label} ({k})", k) for k, label in KINDS.items()]],
                         value=AUTO, allow_blank=False, id="evidence-kind")
            with Horizontal(id="evidence-options"):
                yield Input(placeholder="Slack channel", id="evidence-channel")
                yield Input(placeholder="PagerDuty incident", id="evidence-incident")
                yield Input(placeholder=f"zone of times without offset ({self.zone_name})", id="evidence-zone")
            yield Checkbox("only the incident's window (start and marks ±30 min)", id="evidence-window")
            yield ProgressBar(total=100, show_eta=False, id="evidence-progress")
            yield Static("", id="evidence-preview", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Preview (ctrl+r)", id="evidence-preview-button")
                yield Button("Add (ctrl+s)", variant="primary", id="evidence-add", disabled=True)
                yield Button("Cancel", id="evidence-cancel")
            yield Static("Enter previews · nothing is added before you press Add · live sources read "
                         "SLACK_TOKEN / PAGERDUTY_TOKEN from the environment", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#evidence-path", Input).focus()
        self.query_one("#evidence-progress", ProgressBar).display = False

    # ------------------------------------------------------------ the inputs
    def request(self) -> tuple[Any, ...]:
        raw = self.query_one("#evidence-path", Input).value
        paths = tuple(os.path.expanduser(p.strip()) for p in raw.split(" , ") if p.strip())
        kind = self.query_one("#evidence-kind", Select).value
        channel = self.query_one("#evidence-channel", Input).value.strip() or None
        zone = self.query_one("#evidence-zone", Input).value.strip() or None
        incident = self.query_one("#evidence-incident", Input).value.strip() or None
        window = "incident" if self.query_one("#evidence-window", Checkbox).value else None
        return paths, None if kind == AUTO else kind, channel, zone, incident, window

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if self.planned_for is not None and self.request() != self.planned_for:
            self.query_one("#evidence-add", Button).disabled = True

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_preview()

    @on(Button.Pressed, "#evidence-preview-button")
    def action_preview(self) -> None:
        req = self.request()
        box = self.query_one("#evidence-preview", Static)
        from pmtui.evidence import LIVE_KINDS

        if not req[0] and req[1] not in LIVE_KINDS:
            box.update(Text("⚠ Give the path of an evidence file (a status page's incidents.json, a Slack "
                            "export, a log file), or choose a live source as the kind (Slack's API with a "
                            "channel, PagerDuty's API with an incident, a status page's address)."))
            return
        box.update(Text("Reading…"))
        self.query_one("#evidence-add", Button).disabled = True
        self.run_preview(req)

    @work(thread=True, exclusive=True, group="evidence-preview")
    def run_preview(self, req: tuple[Any, ...]) -> None:
        from pmtui.evidence import gather

        paths, kind, channel, zone, incident, window = req
        started = time.monotonic()
        shown = [0.0]

        def progress(done: int, total: int) -> None:  # a bar once reading takes more than a second
            now = time.monotonic()
            if now - started >= 1.0 and now - shown[0] >= 0.1:
                shown[0] = now
                self.app.call_from_thread(self.show_progress, done, total)

        try:
            plan = gather.preview(self.app.store, self.review_id, list(paths), kind=kind, zone=zone, channel=channel,
                                  incident=incident, window=window, progress=progress)
        except PmtuiError as exc:
            self.app.call_from_thread(self.show_problem, exc.message)
            return
        self.app.call_from_thread(self.show_plan, plan, req)

    def show_progress(self, done: int, total: int) -> None:
        bar = self.query_one("#evidence-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(total, 1), progress=done)

    def show_problem(self, message: str) -> None:
        self.query_one("#evidence-progress", ProgressBar).display = False
        self.plan = self.planned_for = None
        self.query_one("#evidence-preview", Static).update(Text(f"⚠ {message}\nNothing was added."))

    def show_plan(self, plan: Any, req: tuple[Any, ...]) -> None:
        from pmtui.evidence import gather

        self.query_one("#evidence-progress", ProgressBar).display = False
        self.plan, self.planned_for = plan, req
        lines = gather.describe(plan, self.zone_name, dry_run=True)[:-1]
        self.query_one("#evidence-preview", Static).update(Text("\n".join(lines)))
        add = self.query_one("#evidence-add", Button)
        add.disabled = not (plan.new or plan.batch.components)
        # events far from the incident (another year's export?): said above, and on the button
        add.label = "Add anyway (ctrl+s)" if plan.far else "Add (ctrl+s)"

    # ------------------------------------------------------------ adding
    @on(Button.Pressed, "#evidence-add")
    def action_add(self) -> None:
        from pmtui.evidence import gather

        if self.plan is None or self.request() != self.planned_for:
            self.action_preview()
            return
        try:
            summary = gather.add(self.app.store, self.plan)
        except PmtuiError as exc:  # a store that is locked, full or gone: keep the dialog
            self.show_problem(exc.message)
            return
        self.dismiss(summary)

    @on(Button.Pressed, "#evidence-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SourceFilterScreen(TypedApp, ModalScreen[str | None]):
    """Pick which source the timeline shows: every source, typed events only (no source),
    or one source; each with its count. Dismissed with ALL, "" (no source), the source,
    or None (cancelled)."""
    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="sources.cancel")]
    ALL = "\x00all"

    def __init__(self, sources: dict[str, int], current: str | None, *, title: str = "Show the events of",
                 hint: str = "Enter picks · Esc keeps the current filter", sources_only: bool = False) -> None:
        super().__init__()
        self.title_text, self.hint = title, hint
        self.choices = [] if sources_only else [(self.ALL, f"every source ({sum(sources.values()):,})")]
        if "" in sources and not sources_only:
            self.choices.append(("", f"no source: typed ({sources['']:,})"))
        self.choices += [(src, f"{one_line(src)} ({n:,})") for src, n in sorted(sources.items()) if src]
        self.current = self.ALL if current is None else current

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList
        from textual.widgets.option_list import Option

        with Vertical(id="dialog"):
            yield Static(self.title_text, id="dialog-text")
            yield OptionList(*[Option(Text(label)) for _, label in self.choices], id="source-list")
            yield Static(self.hint, classes="form-hint")

    def on_mount(self) -> None:
        from textual.widgets import OptionList

        options = self.query_one(OptionList)
        options.highlighted = next((i for i, (v, _) in enumerate(self.choices) if v == self.current), 0)
        options.focus()

    def on_option_list_option_selected(self, event: Any) -> None:
        self.dismiss(self.choices[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
