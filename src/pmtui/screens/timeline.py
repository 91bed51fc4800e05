"""Timeline: where the meeting spends most of its time.

A virtual table of events (fast with 10,000 of them), a one-line quick add
(``14:03 Paged the on-call engineer``), one key per mark, highlight, edit,
delete with undo, and the metrics and phase bar that follow the marks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
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

from pmtui.app import NotSaved
from pmtui.document import EventKind, Mark
from pmtui.entry import format_when, parse_edited_when, parse_quick_add
from pmtui.errors import BadInput, FieldErrors, PmtuiError
from pmtui.metrics import compute, format_duration
from pmtui.safetext import literal
from pmtui.screens.base import SectionScreen
from pmtui.screens.form import FormField, FormScreen
from pmtui.store import EventRow
from pmtui.timeline_rows import timeline_rows
from pmtui.widgets.metrics_panel import MetricsPanel
from pmtui.widgets.phase_bar import PhaseBar
from pmtui.widgets.nudge import NudgeLine
from pmtui.widgets.timeline_table import MARK_WORDS, TimelineTable

MARK_KEYS = list(Mark)  # 1..6
SHORT = {"time_to_detect": "TTD", "time_to_respond": "TTR", "time_to_mitigate": "TTM",
         "time_to_resolve": "resolve", "impact_duration": "impact"}


class TimelineScreen(SectionScreen):
    SECTION = "timeline"
    BINDINGS = [
        Binding("a", "quick_add", "Add event", id="timeline.add"),
        Binding("enter,e", "edit", "Edit", id="timeline.edit"),
        Binding("d,delete", "delete", "Delete", id="timeline.delete"),
        Binding("h", "highlight", "Highlight", id="timeline.highlight"),
        Binding("v", "add_evidence", "Add evidence", id="timeline.evidence"),
        Binding("s", "filter_source", "Source filter", id="timeline.sources"),
        Binding("1", "mark('impact_start')", "Mark", key_display="1-6", id="timeline.mark1"),
        *[
            Binding(str(i + 1), f"mark('{m.value}')", f"Mark: {MARK_WORDS[m.value]}", show=False, id=f"timeline.mark{i + 1}")
            for i, m in enumerate(MARK_KEYS) if i
        ],
    ]

    class EventsLoaded(Message):
        def __init__(self, rows: Sequence[EventRow], keep_id: int | None, marked: list[EventRow], total: int) -> None:
            super().__init__()
            self.rows = rows
            self.keep_id = keep_id
            self.marked = marked  # every marked event, whatever the source filter shows
            self.total = total

    def __init__(self, review_id: int) -> None:
        super().__init__(review_id)
        self.rows: Sequence[EventRow] = []  # what the table shows (a long timeline: read by pages)
        self.marked: list[EventRow] = []
        self.total = 0
        self.source_filter: str | None = None  # None: every source; "": typed events (no source)

    def compose_body(self) -> ComposeResult:
        with Vertical(id="timeline-main"):
            yield PhaseBar(id="phase-bar")
            with Horizontal(id="timeline-row"):
                with Vertical(id="timeline-left"):
                    yield TimelineTable(id="timeline-table")
                    yield Static("", id="event-detail")
                yield MetricsPanel(id="metrics")
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
        wide = self.size.width >= 110
        self.query_one("#metrics").display = wide
        self.query_one("#metrics-line").display = not wide

    def refresh_from_store(self) -> None:
        super().refresh_from_store()
        self.zone = ZoneInfo(self.review["timezone"])
        self.load_events()

    def store_changed(self, changes: list[dict[str, Any]]) -> None:
        """Events and marks changed elsewhere: only those rows are read again (cursor,
        scroll and focus kept); a change that does not say which rows reloads the timeline."""
        mine = [c for c in changes if c.get("review") in (None, self.review_id)]
        rest = [c for c in mine if c.get("kind") not in ("event", "mark")]
        if rest:
            super().store_changed(rest)
        timeline = [c for c in mine if c.get("kind") in ("event", "mark", None)]
        if not timeline:
            return
        if any(c.get("kind") is None or c.get("id") is None and c.get("kind") == "event" for c in timeline):
            self.load_events()
            return
        self.update_rows([c["id"] for c in timeline if c["kind"] == "event"],
                         marks=any(c["kind"] == "mark" for c in timeline))

    def update_rows(self, ids: list[int], marks: bool = False, keep_id: int | None = None) -> None:
        """Show these events as stored now (added, changed or gone) without reading the whole
        timeline; ``marks``: the marks moved, read the marked events again (few). A filtered
        or lazily read timeline is read again instead."""
        import bisect

        if self.source_filter is not None or not isinstance(self.rows, list):
            self.load_events(keep_id=keep_id)
            return
        store = self.app.store
        fresh = {r.id: r for r in store.events_by_id(self.review_id, ids)} if ids else {}
        gone = set(ids)
        rows = [r for r in self.rows if r.id not in gone] if gone else list(self.rows)
        if marks:
            marked = {r.id: r.marks for r in store.events_with_marks(self.review_id)}
            fresh = {i: replace(r, marks=marked.get(i, ())) for i, r in fresh.items()}
            rows = [replace(r, marks=marked.get(r.id, ())) if (r.marks or r.id in marked) else r for r in rows]
        key = lambda r: (r.at, r.seq, r.id)  # noqa: E731 - the store's order
        keys = [key(r) for r in rows]
        for r in sorted(fresh.values(), key=key):
            i = bisect.bisect(keys, key(r))
            rows.insert(i, r)
            keys.insert(i, key(r))
        self.rows = rows
        self.marked = [r for r in rows if r.marks]
        self.total = len(rows)
        table = self.query_one(TimelineTable)
        keep = keep_id if keep_id is not None else (table.selected.id if table.selected else None)
        table.set_events(rows, self.zone, keep_id=keep)
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
        self.rows, self.marked, self.total = message.rows, message.marked, message.total
        table = self.query_one(TimelineTable)
        keep = message.keep_id if message.keep_id is not None else (table.selected.id if table.selected else None)
        table.set_events(self.rows, self.zone, keep_id=keep)
        self.show_marks()
        if self.source_filter is not None:
            self.notify(f"Showing {len(self.rows):,} of {self.total:,} events: source "
                        f"{self.source_filter or '(none)'} · s changes the filter", timeout=3, markup=False)
        if not self.total:
            self.query_one("#event-detail", Static).update(
                "No events yet. Build the timeline forward from before the incident: press a and type "
                "a time and what happened, e.g. 10:40 Deploy 2026.03.10-3 starts")

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
        bits = [f"{'~' if e.approximate else ''}{format_when(e.at, self.zone)}", e.kind]
        if e.source:
            bits.append(f"source: {e.source}")
        if e.marks:
            bits.append("marks: " + ", ".join(MARK_WORDS[m] for m in e.marks))
        if e.highlight:
            bits.append("★ highlight")
        detail.update(Text.assemble(literal(e.text), "\n", literal(" · ".join(bits), "dim")))

    # ------------------------------------------------------------ actions
    @property
    def selected(self) -> EventRow | None:
        return self.query_one(TimelineTable).selected

    def anchor_day(self) -> date:
        """The day a bare ``14:03`` means: the selected event's, else the day the
        incident started (pmtui-review/2 ``started``), else the impact day."""
        if self.selected is not None:
            return self.selected.at.astimezone(self.zone).date()
        if self.review.get("started"):
            return self.review["started"].astimezone(self.zone).date()
        marks = self.marks()
        if "impact_start" in marks:
            return marks["impact_start"].date()
        if self.review.get("review_date"):
            return date.fromisoformat(self.review["review_date"])
        return self.app.today()

    def action_quick_add(self) -> None:
        self.query_one("#quick-add", Input).focus()

    @on(Input.Submitted, "#quick-add")
    def _quick_add(self, event: Input.Submitted) -> None:
        error = self.query_one("#quick-add-error", Static)
        selected = self.selected
        try:
            parsed = parse_quick_add(event.value, self.zone, anchor_day=self.anchor_day(),
                                     selected=selected.at if selected else None)
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
        event.input.value = ""
        self.update_rows([event_id], keep_id=event_id)

    @on(Input.Changed, "#quick-add")
    def _typing(self, event: Input.Changed) -> None:
        self.query_one("#quick-add-nudge", NudgeLine).check(event.value)
        if not event.value:
            self.query_one("#quick-add-error").display = False

    def action_home(self) -> None:
        if self.query_one("#quick-add", Input).has_focus:
            self.query_one(TimelineTable).focus()
            return
        super().action_home()

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

        def save(values: dict[str, Any], version: int | None = None) -> int:
            from pmtui.errors import Conflict
            from pmtui.store.values import from_utc_text

            try:
                self.app.store.update_event(e.id, expected_version=version, **parsed(values))
            except FieldErrors as exc:
                raise FieldErrors(exc.fields) from None
            except Conflict as c:  # theirs, in the form's own fields
                if c.current is not None:
                    cur = dict(c.current)
                    if "at_utc" in cur:
                        cur["when"] = format_when(from_utc_text(cur.pop("at_utc"), cur.pop("offset_min", 0)), zone)
                    c.current = cur
                raise
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

    def action_delete(self) -> None:
        from pmtui.errors import Conflict
        from pmtui.seats import changed_by

        e = self.selected
        if e is None:
            return
        try:
            snapshot = self.app.write(lambda: self.app.store.delete_event(e.id, expected_version=e.version))
        except Conflict as c:  # edited by another seat since this table showed it: not deleted
            self.load_events(keep_id=e.id)
            if c.current is None:
                self.notify("Another seat already deleted that event.", timeout=4)
            else:
                self.notify(f"Not deleted: the event was {changed_by(c.changed_by, c.changed_at)} since you saw it. "
                            "Look at it again, then delete if you still mean to.", severity="warning", timeout=6)
            return
        if isinstance(snapshot, NotSaved):
            return
        text = e.text if len(e.text) <= 40 else e.text[:39] + "…"
        self.app.push_undo(f"deleted event “{text}”", lambda: self.app.store.restore_event(snapshot))
        self.load_events()

    def action_highlight(self) -> None:
        e = self.selected
        if e is None:
            return
        if isinstance(self.app.write(lambda: self.app.store.update_event(e.id, highlight=not e.highlight)), NotSaved):
            return
        self.update_rows([e.id], keep_id=e.id)

    def action_mark(self, mark: str) -> None:
        e = self.selected
        if e is None:
            self.notify("Add an event first, then mark it.", timeout=3)
            return
        words = MARK_WORDS[mark]
        if mark in e.marks:
            if isinstance(self.app.write(lambda: self.app.store.set_mark(self.review_id, mark, None)), NotSaved):
                return
            self.notify(f"Cleared mark “{words}”", timeout=2)
        else:
            previous = next((r for r in self.marked if mark in r.marks), None)
            if isinstance(self.app.write(lambda: self.app.store.set_mark(self.review_id, mark, e.id)), NotSaved):
                return
            moved = f" (moved from {format_when(previous.at, self.zone)})" if previous else ""
            self.notify(f"Marked “{words}”{moved}", timeout=2)
        self.update_rows([], marks=True, keep_id=e.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("quick_add", "edit", "delete", "highlight", "mark", "add_evidence", "filter_source"):
            quick = self.query("#quick-add")
            if quick and quick.first().has_focus:
                return False
        return True
