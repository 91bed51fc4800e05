"""Opening: the ground rules, the agenda with its timeboxes, and who is in the room.
The facilitator starts the meeting here (s); the clock then runs in every section."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from pmtui.domain.meeting import (
    DEFAULT_SPLIT,
    STAGE_NAMES,
    STAGES,
    Meeting,
    parse_split,
    ran_over,
    scale_split,
    took_words,
)
from pmtui.domain.vocab import Section
from pmtui.errors import BadInput
from pmtui.screens.base import SectionScreen
from pmtui.screens.form import FormField, FormScreen
from pmtui.screens.overview import participants_editor

GROUND_RULES = """\
[b]Ground rules[/b]

“Regardless of what we discover, we understand and truly believe that everyone did the \
best job they could, given what they knew at the time, their skills and abilities, the \
resources available, and the situation at hand.”  — the Retrospective Prime Directive

• We look for conditions in systems, processes and tools, not for someone's fault.
• We build the timeline forward, from before the incident: what did people know then?
• Ideas for fixes are parked as notes now and discussed in the follow-ups.
• Anyone can say “let's move on” when a thread stops being useful."""


class OpeningScreen(SectionScreen):
    SECTION = Section.opening
    BINDINGS = [
        Binding("s", "start", "Start meeting", id="opening.start"),
        Binding("ctrl+t,ctrl+b", "next_stage", "Next stage", key_display="^t/^b", id="opening.next"),
        Binding("ctrl+g", "pause", "Pause/resume", id="opening.pause"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="opening", classes="section-body"):
            with Horizontal(classes="row"):
                yield Static(GROUND_RULES, id="ground-rules")
                yield Static("", id="agenda")
            yield participants_editor(
                self.review_id, "Who is in the room", "room",
                "Nobody yet. Press a to add the facilitator, the note-taker and everyone named in the timeline.")

    def on_mount(self) -> None:
        super().on_mount()
        self.show_agenda()
        # the room reads the ground rules and the agenda first: at 80x24 the focused list of
        # people below them scrolled them out of sight
        self.call_after_refresh(lambda: self.query_one("#opening", VerticalScroll).scroll_home(animate=False))

    def on_resize(self) -> None:
        super().on_resize()
        self.call_after_refresh(self.show_agenda)  # laid out at the new size first: its width decides

    def show_meeting(self) -> None:
        super().show_meeting()
        if self.is_mounted:
            self.show_agenda()

    def on_list_editor_changed(self) -> None:
        self.show_meeting()

    def tick(self) -> None:
        super().tick()
        self.show_agenda()

    def show_agenda(self) -> None:
        if self.pending is not None:  # the content is still being mounted: shown once it is
            return
        meeting = self.app.store.get_meeting(self.review_id)
        split = meeting.split if meeting else DEFAULT_SPLIT
        length = meeting.length if meeting else sum(DEFAULT_SPLIT.values())
        # a narrow agenda (80 columns; 160 with the notes panel): what a stage did goes under its
        # name, so that the names are not cut ("Follow-…") nor its words wrapped to make room for it
        width = self.query_one("#agenda", Static).content_size.width
        narrow = width < 52 if width else self.size.width < 120
        table = Table.grid(padding=(0, 2))
        if not narrow:
            table.add_column(no_wrap=True)
            table.add_column(justify="right", no_wrap=True)
            table.add_column()
        now = self.app.now()
        took = {stage: spent for stage, spent, _box in meeting.times(now)} if meeting is not None else {}
        for stage in STAGES:
            mark = ""
            if meeting is not None:
                spent = took.get(stage)
                over = spent is not None and ran_over(spent.total_seconds(), split[stage])
                taken = (f" · took {took_words(spent.total_seconds())}" + (" (over its timebox)" if over else "")
                         if spent is not None else "")
                if stage == meeting.stage and not meeting.ended:
                    mark = "◀ now: " + meeting.status(now).split(": ", 1)[1]
                elif meeting.ended or STAGES.index(stage) < STAGES.index(meeting.stage):
                    mark = ("✓ done" if meeting.ended else "done") + taken
            style = "bold reverse" if meeting is not None and stage == meeting.stage else ""
            if narrow:  # one line per stage, its timebox beside it; what it did on the next line
                line = Text(STAGE_NAMES[stage].ljust(18), style=style, no_wrap=True)
                line.append(f"{split[stage]:>3} min")
                table.add_row(line)
                if mark:
                    table.add_row(Text("  " + mark, style="" if style else "dim"))
            else:
                table.add_row(Text(STAGE_NAMES[stage], style=style), f"{split[stage]} min", mark)
        head = Text.from_markup(f"[b]Agenda[/b] ({length} min)\n\n")
        if meeting is None:
            foot = Text.from_markup("\n[b]s[/b] starts the meeting (length and split can be changed).\n"
                                    "Then [b]ctrl+t[/b] (in a browser [b]ctrl+b[/b]) moves to the next stage, "
                                    "[b]ctrl+g[/b] pauses.")
        else:
            foot = Text.from_markup("\n[b]ctrl+t[/b]/[b]ctrl+b[/b] next stage (the facilitator's call) · [b]ctrl+g[/b] pause/resume"
                                    " · [b]s[/b] starts again")
        self.query_one("#agenda", Static).update(_stack(head, table, foot))

    def action_start(self) -> None:
        if not self.app.may_move_meeting(self.review_id):
            return
        current = self.app.store.get_meeting(self.review_id)
        length = current.length if current else 60
        split = current.split if current else DEFAULT_SPLIT

        def save(values: dict[str, Any]) -> Meeting:
            errors: dict[str, str] = {}
            text = values["length"].strip()
            if not text.isdigit() or not 5 <= int(text) <= 600:
                errors["length"] = "give the length in whole minutes, between 5 and 600"
            else:
                n = int(text)
                try:
                    plan = parse_split(values["split"], n) if values["split"].strip() else scale_split(n)
                except BadInput as exc:
                    if values["split"].strip() == " ".join(str(split[s]) for s in STAGES) and n != sum(split.values()):
                        plan = scale_split(n, split)
                    else:
                        errors["split"] = exc.message
            if errors:
                from pmtui.errors import FieldErrors

                raise FieldErrors(errors)
            meeting = Meeting.start(self.app.now(), int(text), plan)
            meeting.moved(self.app.author, self.app.now(), "started the meeting")
            self.app.store.save_meeting(self.review_id, meeting)
            return meeting

        fields = [
            FormField("length", "Meeting length (minutes)", str(length)),
            FormField("split", "Minutes per stage: opening, context, analysis, follow-ups",
                      " ".join(str(split[s]) for s in STAGES),
                      hint="e.g. 5 35 10 10; leave as it is to scale it to a new length"),
        ]

        def done(result: Any) -> None:
            if result is not None:
                self.notify(f"Meeting started: {STAGE_NAMES[result.stage]} ({result.split[result.stage]} min)",
                            timeout=3)
                self.show_meeting()

        self.app.push_screen(FormScreen("Start the meeting", fields, save, save_label="Start the meeting",
                                        discard_label="Not now", escape_saves=False), done)


def _stack(*parts: Text | Table) -> Table:
    grid = Table.grid()
    for p in parts:
        grid.add_row(p)
    return grid
