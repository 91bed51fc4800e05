"""Timeline: where the meeting spends most of its time.

A virtual table of events (fast with 10,000 of them), a one-line quick add
(``14:03 Paged the on-call engineer``), one key per mark, highlight, edit,
delete with undo, and the metrics and phase bar that follow the marks."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from pmtui.domain.entry import format_when, parse_edited_when, parse_quick_add
from pmtui.domain.meeting import Meeting
from pmtui.domain.metrics import compute, format_duration
from pmtui.domain.vocab import EventKind, Mark, Section
from pmtui.errors import BadInput, Conflict, FieldErrors, PmtuiError, unchanged_since
from pmtui.safetext import literal
from pmtui.screens.base import SectionScreen
from pmtui.screens.form import FormField, FormScreen
from pmtui.store import EventRow
from pmtui.store.timeline_rows import timeline_rows
from pmtui.ui_types import NotSaved
from pmtui.widgets.metrics_panel import MetricsPanel
from pmtui.widgets.nudge import NudgeLine
from pmtui.widgets.phase_bar import PhaseBar
from pmtui.widgets.timeline_table import MARK_WORDS, TimelineTable

MARK_KEYS = list(Mark)  # 1..6
SHORT = {"time_to_detect": "TTD", "time_to_respond": "TTR", "time_to_mitigate": "TTM",
         "time_to_resolve": "resolve", "impact_duration": "impact"}

MARKS_HELP = ("set or clear a mark: " + ", ".join(MARK_WORDS[m.value] for m in MARK_KEYS)
              + " (a mark moves from any other event)")


class TimelineScreen(SectionScreen):
    SECTION = Section.timeline
    BINDINGS = [
        Binding("a", "quick_add", "Add event", id="timeline.add"),
        Binding("enter,e", "edit", "Edit", id="timeline.edit"),
        Binding("d,delete", "delete", "Delete", id="timeline.delete"),
        Binding("h", "highlight", "Highlight", id="timeline.highlight"),
        Binding("w", "walk_through", "Walk-through", id="timeline.walk"),
        Binding("v", "add_evidence", "Add evidence", id="timeline.evidence"),
        Binding("s", "filter_source", "Source filter", id="timeline.sources"),
        Binding("ctrl+d", "remove_source", "Remove a source", show=False, id="timeline.remove_source",
                tooltip="remove every event of one source (an import) in one step, after asking; ctrl+z undoes"),
        Binding("1", "mark('impact_start')", "Mark", key_display="1-6", id="timeline.mark1", tooltip=MARKS_HELP),
        *[
            Binding(str(i + 1), f"mark('{m.value}')", f"Mark: {MARK_WORDS[m.value]}", show=False, id=f"timeline.mark{i + 1}",
                    tooltip=MARKS_HELP)
            for i, m in enumerate(MARK_KEYS) if i
        ],
    ]

    class EventsLoaded(Message):  # not ui_types.Latest: an older load may carry the row an edit selects (keep_id)
        def __init__(self, rows: Sequence[EventRow], keep_id: int | None, marked: list[EventRow], total: int) -> None:
            super().__init__()
            self.rows = rows
            self.keep_id = keep_id
            self.marked = marked  # every marked event, whatever the source filter shows
            self.total = total

    def __init__(self, review_id: int) -> None:
        super().__init__(review_id)
        self._pending_keep: int | None = None  # the event to land on when the walk-through closes
        self.rows: Sequence[EventRow] = []  # what the table shows (a long timeline: read by pages)
        self.marked: list[EventRow] = []
        self.total = 0
        self.source_filter: str | None = None  # None: every source; "": typed events (no source)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="timeline-main"):
            yield PhaseBar(id="phase-bar")
            with Horizontal(id="timeline-row"):
                yield TimelineTable(id="timeline-table")
                with Vertical(id="timeline-side"):
                    yield MetricsPanel(id="metrics")
                    yield Static("", id="event-detail")
            yield Static("", id="metrics-line")
            yield Input(placeholder="Add: 14:03 Paged the on-call engineer · +5m … · ~14:03 … · 2026-03-10 14:03 …",
                        id="quick-add")
            yield Static("", id="quick-add-error", classes="field-error")
            yield NudgeLine(id="quick-add-nudge")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#quick-add-error").display = False
        self.zone = ZoneInfo(self.review["timezone"])
        self.query_one(TimelineTable).focus()
        self.load_events()

    def on_resize(self) -> None:
        super().on_resize()
        self.fit_side()

    def show_panel(self) -> None:
        super().show_panel()
        self.fit_side()

    def fit_side(self) -> None:
        """Beside the table (when the section has room): the metrics and the selected
        event's full text; on a narrow screen one metrics line, the rows wrap instead."""
        if not self.is_mounted or self.pending is not None:  # (the content is still being mounted)
            return
        from pmtui.widgets.notes_panel import NotesPanel

        panel = self.query_one(NotesPanel)
        width = self.size.width - (panel.outer_size.width if panel.display else 0)
        if panel.display and not panel.outer_size.width:
            width -= 44
        wide = width >= 110
        side = self.query_one("#timeline-side")
        side.display = wide
        # beside the notes panel a narrower side leaves the table room for its Source column
        side.styles.width = 32 if panel.display else 40
        self.query_one("#metrics-line").display = not wide

    def refresh_from_store(self) -> None:
        super().refresh_from_store()
        self.zone = ZoneInfo(self.review["timezone"])
        self.load_events()

    def store_changed(self, changes: list[dict[str, Any]]) -> None:
        """Events and marks changed elsewhere: only those rows are read again (cursor,
        scroll and focus kept); a change that does not say which rows reloads the timeline."""
        mine = [c for c in changes if c.get("review") in (None, self.review_id)]
        if self.pending is not None:  # read again once the content is mounted
            super().store_changed(mine)
            return
        rest = [c for c in mine if c.get("kind") not in ("event", "mark")]
        if rest:
            super().store_changed(rest)
        timeline = [c for c in mine if c.get("kind") in ("event", "mark", None)]
        if not timeline:
            return
        if any(c.get("kind") is None or (c.get("id") is None and c.get("kind") == "event") for c in timeline):
            self.load_events()
            return
        self.update_rows([c["id"] for c in timeline if c["kind"] == "event"],
                         marks=any(c["kind"] == "mark" for c in timeline))

    def update_rows(self, ids: list[int], marks: bool = False, keep_id: int | None = None,
                    new: Collection[int] = ()) -> None:
        """Show these events as stored now (added, changed or gone) without reading the whole
        timeline: only they are read, and put in place (a long timeline keeps the pages it has
        read); ``marks``: the marks moved, the marked events (few) are read again; ``new``:
        events this seat has just added (placed without counting the timeline)."""
        from pmtui.store.timeline_rows import apply_changes

        self.rows, self.marked = apply_changes(self.app.store, self.review_id, self.rows, ids, marks,
                                               self.source_filter, marked=self.marked, new=new)
        if self.source_filter is None:
            self.total = len(self.rows)
        elif ids:
            self.total = self.app.store.event_count(self.review_id)
        table = self.query_one(TimelineTable)
        keep = keep_id if keep_id is not None else (table.selected.id if table.selected else None)
        table.set_events(self.rows, self.zone, keep_id=keep)
        self.show_marks()

    # ------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="timeline-load")
    def load_events(self, keep_id: int | None = None) -> None:
        store = self.app.store
        rows = timeline_rows(store, self.review_id, self.source_filter)
        if isinstance(rows, list) and self.source_filter is None:
            marked, total = [r for r in rows if r.marks], len(rows)
        else:
            marked, total = store.events_with_marks(self.review_id), store.event_count(self.review_id)
        self.post_message(self.EventsLoaded(rows, keep_id, marked, total))

    def on_timeline_screen_events_loaded(self, message: EventsLoaded) -> None:
        first = not self.rows and message.keep_id is None
        self.rows, self.marked, self.total = message.rows, message.marked, message.total
        table = self.query_one(TimelineTable)
        keep = message.keep_id if message.keep_id is not None else (table.selected.id if table.selected else None)
        pending = self._pending_keep
        if pending is not None:
            keep, self._pending_keep = pending, None
        if first:  # reopened: back on the row where it was left
            keep = self.app.place_row(self.review_id, self.SECTION) or keep
        table.set_events(self.rows, self.zone, keep_id=keep)
        self.show_marks()
        if self.source_filter is not None:
            self.notify(f"Showing {len(self.rows):,} of {self.total:,} events: source "
                        f"{self.source_filter or '(none)'} · s changes the filter · ctrl+d removes a source's events",
                        timeout=3, markup=False)
        if not self.total:
            hint = ("No events yet. Build the timeline forward from before the incident: press a and type "
                    "a time and what happened, e.g. 10:40 Deploy 2026.03.10-3 starts")
            self.query_one("#event-detail", Static).update(hint)
            self.query_one("#metrics-line", Static).update(hint)

    def marks(self) -> dict[str, datetime]:
        return {m: r.at.astimezone(self.zone) for r in self.marked for m in r.marks}

    def show_marks(self) -> None:
        marks = self.marks()
        self.query_one(MetricsPanel).marks = marks
        self.query_one(PhaseBar).marks = marks
        parts = []
        for m in compute(marks):
            value = format_duration(m.value) if m.value is not None else ("n/c" if m.negative else "—")
            parts.append(f"{SHORT[m.key]} {value}")
        self.query_one("#metrics-line", Static).update(" · ".join(parts))

    def on_timeline_table_event_selected(self, message: TimelineTable.EventSelected) -> None:
        e = message.event
        detail = self.query_one("#event-detail", Static)
        if e is None:
            return
        self.app.remember_place(self.review_id, self.SECTION, e.id)
        bits = [f"{'~' if e.approximate else ''}{format_when(e.at, self.zone)}", e.kind]
        if e.source:
            bits.append(f"source: {e.source}")
        if e.marks:
            bits.append("marks: " + ", ".join(MARK_WORDS[m] for m in e.marks))
        if e.highlight:
            bits.append("★ highlight")
        detail.update(Text.assemble(literal(e.text, "bold"), "\n\n", literal(" · ".join(bits), "dim")))

    # ------------------------------------------------------------ actions
    @property
    def selected(self) -> EventRow | None:
        return self.query_one(TimelineTable).selected

    def anchor_day(self) -> date | None:
        """The day a bare ``14:03`` means: the selected event's, else the incident's
        (never the day the review was created, never today)."""
        if self.selected is not None:
            return self.selected.at.astimezone(self.zone).date()
        return self.incident_day()

    def incident_day(self) -> date | None:
        from pmtui.domain.anchor import incident_day

        started = self.review.get("started")
        if isinstance(started, str) and started:
            started = datetime.fromisoformat(started)
        return incident_day(self.zone, started=started or None, impact_start=self.marks().get(Mark.impact_start),
                            first_event=self.rows[0].at if self.rows else None)

    def action_quick_add(self) -> None:
        self.query_one("#quick-add", Input).focus()

    def incident_window(self) -> tuple[datetime, datetime] | None:
        """When the incident is known to have happened: when it started and its marks."""
        from pmtui.domain.anchor import incident_window

        started = self.review.get("started")
        if isinstance(started, str) and started:
            started = datetime.fromisoformat(started)
        return incident_window(started if isinstance(started, datetime) else None, self.marks().values())

    def far_question(self, at: datetime) -> str | None:
        """The question to ask before saving an event far from the incident (None: near)."""
        from pmtui.domain.anchor import outside, say_distance

        window = self.incident_window()
        gap = outside(at, window)
        if gap is None or window is None:
            return None
        edge = window[0] if gap.total_seconds() < 0 else window[1]
        return (f"{format_when(at, self.zone)} is {say_distance(gap)} the incident "
                f"({format_when(edge, self.zone)}). Add the event there?")

    @on(Input.Submitted, "#quick-add")
    def _quick_add(self, event: Input.Submitted) -> None:
        error = self.query_one("#quick-add-error", Static)
        selected = self.selected
        window = self.incident_window()
        neighbours = [*([selected.at] if selected else []), *(window or ())]
        try:
            parsed = parse_quick_add(event.value, self.zone, anchor_day=self.anchor_day(),
                                     selected=selected.at if selected else None, neighbours=neighbours)
        except PmtuiError as exc:  # bad input: keep the text
            error.update(literal(f"⚠ {exc.message}"))
            error.display = True
            return
        question = self.far_question(parsed.at)
        if question is None:
            self._add_quick(event.input, parsed)
            return
        from pmtui.screens.dialogs import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self._add_quick(event.input, parsed)
            else:  # the typed line stays, to change its time
                event.input.focus()

        self.app.push_screen(ConfirmScreen(question, yes="Add it there", no="Change the time"), answer)

    def _add_quick(self, box: Input, parsed: Any) -> None:
        error = self.query_one("#quick-add-error", Static)
        try:
            event_id = self.app.store.add_event(self.review_id, at=parsed.at, text=parsed.text,
                                                approximate=parsed.approximate)
        except FieldErrors as exc:
            error.update(literal("⚠ " + "; ".join(f"{k}: {v}" for k, v in exc.fields.items())))
            error.display = True
            return
        except PmtuiError as exc:  # bad input, or a store that is locked, full or gone: keep the text
            error.update(literal(f"⚠ {exc.message}"))
            error.display = True
            return
        error.display = False
        box.value = ""
        self.app.push_added("added an event", "event", event_id, quiet=True)
        self.update_rows([event_id], keep_id=event_id, new=[event_id])
        self.query_one(TimelineTable).focus()  # on the new event: a again adds the next (never types "a")

    @on(Input.Changed, "#quick-add")
    def _typing(self, event: Input.Changed) -> None:
        self.query_one("#quick-add-nudge", NudgeLine).check(event.value)
        if not event.value:
            self.query_one("#quick-add-error").display = False

    def action_escape(self) -> None:
        if self.query_one("#quick-add", Input).has_focus:  # Escape closes the quick add
            self.query_one(TimelineTable).focus()
            return
        super().action_escape()


    def action_edit(self) -> None:
        e = self.selected
        if e is None:
            self.action_quick_add()
            return
        zone = self.zone
        kinds = [(k.value, k.value) for k in EventKind]

        def parsed(values: dict[str, Any]) -> dict[str, Any]:
            try:
                at, approx = parse_edited_when(values["when"], e.at, zone)  # unchanged: not moved
            except BadInput as exc:
                raise FieldErrors({"when": exc.message}) from None
            out = dict(at=at, text=values["text"], kind=values["kind"], source=values.get("source", e.source),
                       approximate=approx or values["approximate"], highlight=values["highlight"])
            if "confirmed" in values:
                out["confirmed"] = values["confirmed"]
            return out

        asked: dict[str, Any] = {"at": None}  # a far time is saved when saved again as it is

        def save(values: dict[str, Any], version: int | None = None) -> int:
            from pmtui.store.values import from_utc_text

            new = parsed(values)
            question = self.far_question(new["at"]) if new["at"] != e.at else None
            if question is not None and asked["at"] != new["at"]:
                asked["at"] = new["at"]
                raise FieldErrors({"when": question.replace("Add the event there?", "Save again to keep it there.")})
            try:
                assert version is not None  # every event has a version
                self.app.store.update_event(e.id, expected_version=version, **new)
            except FieldErrors as exc:
                raise FieldErrors(exc.fields) from None
            except Conflict as c:  # theirs, in the form's own fields
                if c.current is not None:
                    cur = dict(c.current)
                    if "at_utc" in cur:
                        cur["when"] = format_when(from_utc_text(cur.pop("at_utc"), cur.pop("offset_min", 0)), zone)
                    c.current = cur
                raise
            old = {k: getattr(e, k) for k in new}
            if old != new:
                self.app.push_undo("edited an event", self.event_step(e.id, new, old), self.event_step(e.id, old, new),
                                   quiet=True)
            return e.id

        def readd(values: dict[str, Any]) -> int:
            return self.app.store.add_event(self.review_id, **parsed(values))

        fields = [
            FormField("when", f"Time ({getattr(zone, 'key', zone)})", format_when(e.at, zone),
                      hint="2026-03-10 14:03, or 14:03 on the same day; ~ in front for an estimate"),
            FormField("text", "What happened (in neutral words)", e.text),
            FormField("kind", "Kind", e.kind, kind="select", options=kinds),
            FormField("source", "Source", e.source, placeholder="#incident channel, deploy log, pager"),
            FormField("approximate", "Approximate", e.approximate, kind="bool", hint="The time is an estimate"),
            FormField("highlight", "Highlight", e.highlight, kind="bool", hint="One of the moments that tell the story"),
            FormField("confirmed", "Confirmed", e.confirmed, kind="bool", hint="The room confirmed it in the walk-through"),
        ]
        if e.source_id:  # imported evidence: where it came from, as the source wrote it (read-only)
            source, source_id, original = self.app.store.event_original(e.id)
            fields[3] = FormField("source", "Source (imported evidence)", f"{source} · id {source_id}", kind="static")
            fields.append(FormField("original", "As the source wrote it", original or "(the same as the text)",
                                    kind="static"))

        def done(result: Any) -> None:
            if result is not None:
                self.load_events(keep_id=result if isinstance(result, int) else e.id)
            self.query_one(TimelineTable).focus()

        self.app.push_screen(FormScreen("Edit event", fields, save, focus="text", version=e.version, readd=readd),
                             done)

    def action_add_evidence(self) -> None:
        from pmtui.screens.evidence import EvidenceScreen

        def done(summary: dict[str, Any] | None) -> None:
            if summary is not None:
                self.notify(f"Added {summary['added']:,} events ({summary['duplicates']:,} were already here)",
                            timeout=4, markup=False)
                self.load_events()
            self.query_one(TimelineTable).focus()

        self.app.push_screen(EvidenceScreen(self.review_id, self.review["timezone"]), done)

    def action_filter_source(self) -> None:
        from pmtui.screens.evidence import SourceFilterScreen

        def done(choice: str | None) -> None:
            if choice is not None:
                self.source_filter = None if choice == SourceFilterScreen.ALL else choice
                self.load_events()
            self.query_one(TimelineTable).focus()

        self.app.push_screen(SourceFilterScreen(self.app.store.event_sources(self.review_id), self.source_filter), done)

    def action_remove_source(self) -> None:
        """Every event of one source (an evidence import) in one step: asked first, each
        event deleted at the version read, undone with ctrl+z."""
        from pmtui.screens.dialogs import ConfirmScreen
        from pmtui.screens.evidence import SourceFilterScreen

        sources = {s: n for s, n in self.app.store.event_sources(self.review_id).items() if s}
        if not sources:
            self.notify("No events with a source here: the typed ones are deleted one by one (d).", timeout=4)
            return

        def picked(source: str | None) -> None:
            self.query_one(TimelineTable).focus()
            if not source:
                return
            seen = self.app.store.source_versions(self.review_id, source)

            def answer(yes: bool | None) -> None:
                if yes:
                    self.remove_source(source, seen)

            self.app.push_screen(ConfirmScreen(f"Remove the {len(seen):,} events of {source}? ctrl+z brings them "
                                               "back.", yes="Remove them", no="Keep them"), answer)

        self.app.push_screen(SourceFilterScreen(sources, None, title="Remove every event of",
                                                hint="Enter picks (asked again before anything is removed) · Esc: "
                                                     "nothing", sources_only=True), picked)

    def remove_source(self, source: str, seen: dict[int, int]) -> None:
        store, rid = self.app.store, self.review_id
        removed = self.app.delete_seen(lambda: store.delete_events_seen(rid, seen),
                                       f"an event of {source}", self.load_events)
        if removed is None:
            return
        held: dict[str, Any] = {"snapshot": removed, "back": {}}

        def undo() -> None:  # every event back, with the versions they come back at (for redo)
            held["back"] = store.restore_events_seen(held["snapshot"])

        def redo() -> None:  # again, only as undo put them back
            held["snapshot"] = store.delete_events_seen(rid, held["back"])

        self.app.push_undo(f"removed the {len(seen):,} events of {source}", undo, redo)
        if self.source_filter == source:
            self.source_filter = None
        self.load_events()

    def action_delete(self) -> None:
        e = self.selected
        if e is None:
            return
        # edited by another seat since this table showed it: not deleted unseen
        snapshot = self.app.delete_seen(lambda: self.app.store.delete_event(e.id, expected_version=e.version),
                                        "the event", lambda: self.load_events(keep_id=e.id))
        if snapshot is None:
            return
        text = e.text if len(e.text) <= 40 else e.text[:39] + "…"
        self.app.push_deleted(f"deleted event “{text}”", "event", self.review_id, snapshot)
        self.load_events()

    def follow_walk(self, meeting: Meeting) -> None:
        """The facilitator walks through the timeline: a following seat walks with it."""
        if meeting.walk_event is not None and not meeting.ended:
            self.call_after_refresh(self._walk_with)  # once the timeline has its rows

    def _walk_with(self) -> None:
        from pmtui.screens.walkthrough import WalkThroughScreen

        if not (self.is_current and self.app.following) or any(isinstance(s, WalkThroughScreen)
                                                               for s in self.app.screen_stack):
            return
        meeting = self.app.store.get_meeting(self.review_id)  # as it is now, not when this was asked
        if meeting is not None and meeting.walk_event is not None and not meeting.ended:
            self.action_walk_through(meeting.walk_event, followed=True)

    def action_walk_through(self, event_id: int | None = None, followed: bool = False) -> None:
        """One event at a time, large, for the room to confirm (w or Esc comes back)."""
        from pmtui.screens.walkthrough import WalkThroughScreen

        rows = self.rows if isinstance(self.rows, list) else list(self.app.store.events(self.review_id))
        index = self.query_one(TimelineTable).cursor
        if event_id is not None:
            index = next((i for i, r in enumerate(rows) if r.id == event_id), index)

        def back(event_id: int | None) -> None:
            self._pending_keep = event_id  # the refresh on resume lands on it
            self.load_events(keep_id=event_id)
            self.query_one(TimelineTable).focus()

        self.app.push_screen(WalkThroughScreen(self.review_id, rows, self.zone, index, followed=followed), back)

    def action_highlight(self) -> None:
        e = self.selected
        if e is None:
            return
        try:  # with the version this table showed: another seat's edit since is not overwritten
            if isinstance(self.app.write(lambda: self.app.store.update_event(e.id, expected_version=e.version,
                                                                             highlight=not e.highlight)), NotSaved):
                return
        except Conflict as c:
            self.notify(f"Not changed: {c.message}", severity="warning", timeout=5)
            self.update_rows([e.id], keep_id=e.id)
            return
        self.app.push_undo("highlight removed" if e.highlight else "highlighted an event",
                           self.event_step(e.id, {"highlight": not e.highlight}, {"highlight": e.highlight}),
                           self.event_step(e.id, {"highlight": e.highlight}, {"highlight": not e.highlight}), quiet=True)
        self.update_rows([e.id], keep_id=e.id)

    def action_mark(self, mark: str) -> None:
        e = self.selected
        if e is None:
            self.notify("Add an event first, then mark it.", timeout=3)
            return
        words = MARK_WORDS[mark]
        store, rid = self.app.store, self.review_id
        holder = next((r.id for r in self.marked if mark in r.marks), None)
        target = None if mark in e.marks else e.id
        # each write states where this seat saw the mark (compare-and-set): a move by another seat since
        # is a Conflict, nothing is changed
        try:
            if isinstance(self.app.write(lambda: store.set_mark(rid, mark, target, expected_holder=holder)), NotSaved):
                return
        except Conflict:
            self.notify(f"Not changed: the mark “{words}” was moved by another seat since; look again",
                        severity="warning", timeout=5)
            self.update_rows([], marks=True, keep_id=e.id)
            return
        if target is None:
            self.notify(f"Cleared mark “{words}”", timeout=2)
        else:
            previous = next((r for r in self.marked if mark in r.marks), None)
            moved = f" (moved from {format_when(previous.at, self.zone)})" if previous else ""
            self.notify(f"Marked “{words}”{moved}", timeout=2)
        self.app.push_undo(f"mark “{words}” {'cleared' if target is None else 'set'}",
                           lambda: store.set_mark(rid, mark, holder, expected_holder=target),
                           lambda: store.set_mark(rid, mark, target, expected_holder=holder), quiet=True)
        self.update_rows([], marks=True, keep_id=e.id)

    def event_step(self, event_id: int, expect: dict[str, Any], values: dict[str, Any]) -> Callable[[], None]:
        """An undo or redo step for one event: writes ``values`` only while the event still
        holds ``expect`` (what this seat's last step left there). Another seat's change since
        (or its deletion) is a Conflict: reported, nothing overwritten."""
        store, rid = self.app.store, self.review_id

        def step() -> None:
            rows = store.events_by_id(rid, [event_id])
            now = {k: getattr(rows[0], k) for k in expect} if rows else None
            unchanged_since("event", event_id, now, expect, values, rows[0].version if rows else None)
            store.update_event(event_id, expected_version=rows[0].version, **values)

        return step

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("quick_add", "edit", "delete", "highlight", "mark", "add_evidence", "filter_source",
                      "remove_source"):
            quick = self.query("#quick-add")
            if quick and quick.first().has_focus:
                return False
        return True
