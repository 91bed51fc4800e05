"""Walk-through: "let's confirm the timeline together". One event at a time, large,
with the events around it; next/previous, and a key that marks the event confirmed
by the room (kept in the store and the document: ``confirmed``)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from pmtui.domain.entry import format_when
from pmtui.domain.vocab import ItemKind, Section
from pmtui.safetext import literal, one_line
from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import TypedApp
from pmtui.widgets.meeting_bar import MeetingBar
from pmtui.widgets.timeline_table import MARK_WORDS

AROUND = 2  # events shown before and after the current one


class WalkThroughScreen(TypedApp, Screen[int | None]):
    """Dismissed with the id of the event it ended on (the timeline selects it)."""
    CSS_PATH = SCREENS_CSS

    BINDINGS = [
        Binding("right,down,n,space", "move(1)", "Next", key_display="→/n", id="walk.next"),
        Binding("left,up,p", "move(-1)", "Previous", key_display="←/p", id="walk.prev"),
        Binding("c,enter", "confirm", "Confirmed by the room", key_display="c", id="walk.confirm"),
        Binding("u", "next_unconfirmed", "Next unconfirmed", id="walk.unconfirmed"),
        Binding("escape,w", "close", "Back to the timeline", key_display="Esc", id="walk.close"),
        Binding("ctrl+u", "follow", "Follow", show=False, id="walk.follow", priority=True,
                tooltip="follow the facilitator's walk-through (on by default); again: walk on your own"),
    ]

    SECTION = Section.timeline  # a note captured here (ctrl+n) is taken in the timeline's stage

    def __init__(self, review_id: int, rows: list[Any], zone: Any, index: int = 0, *, followed: bool = False) -> None:
        super().__init__()
        self.review_id = review_id
        self.rows = list(rows)
        self.zone = zone
        self.index = max(0, min(index, len(self.rows) - 1))
        self.followed = followed  # opened because the facilitator walks: closes when the facilitator's does
        self.leads = False  # this seat is the review's facilitator: the room follows where it walks
        self.meeting: Any = None  # the meeting as last read (where the facilitator's walk-through is)

    def compose(self) -> ComposeResult:
        yield Header()
        yield MeetingBar()
        with Vertical(id="walk"):
            yield Static("", id="walk-progress")
            yield Static("", id="walk-before", classes="walk-around")
            yield Static("", id="walk-current")
            yield Static("", id="walk-after", classes="walk-around")
        yield Footer()

    def on_mount(self) -> None:
        self.title = one_line(self.app.store.get_review(self.review_id)["title"])
        self.sub_title = "Walk-through: confirm the timeline together"
        self.set_class(self.app.presentation, "-presentation")
        from pmtui.domain.seats import facilitators, same_name

        names = facilitators(self.app.store.list_items(ItemKind.participant, self.review_id))
        self.leads = any(same_name(n, self.app.author) for n in names)
        self.show_meeting()
        self.set_interval(1.0, self.tick)
        self.show()

    # ------------------------------------------------------------ the meeting
    def show_meeting(self) -> None:
        """The meeting line as every section shows it: who facilitates and takes notes, the
        clock, and the last move with its time in the review's zone."""
        from pmtui.domain.seats import normal_role

        bar = self.query_one(MeetingBar)
        people = self.app.store.list_items(ItemKind.participant, self.review_id)
        bar.facilitator = ", ".join(p["name"] for p in people if normal_role(p["role"]) == "facilitator")
        bar.note_taker = ", ".join(p["name"] for p in people if normal_role(p["role"]) == "note-taker")
        bar.zone = self.app.store.get_review(self.review_id).get("timezone")
        self.meeting = bar.meeting = self.app.store.get_meeting(self.review_id)
        bar.following = self.app.following
        bar.now = self.app.now()

    def tick(self) -> None:
        bar = self.query_one(MeetingBar)
        if bar.meeting is not None:
            bar.now = self.app.now()

    def share(self, event_id: int | None) -> None:
        """The facilitator's seat says which event it shows (every following seat shows it)."""
        if not self.leads:
            return
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is None or meeting.ended or meeting.walk_event == event_id:
            return
        meeting.walk_event = event_id
        self.app.write(lambda: self.app.store.save_meeting(self.review_id, meeting), say=False)

    def follow(self) -> None:
        """A following seat shows the event the facilitator's walk-through shows; when the
        facilitator closes it, a walk-through opened by following closes too."""
        if self.leads or not self.app.following:
            return
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is None or meeting.walk_event is None:
            if self.followed and meeting is not None:
                self.action_close()
            return
        at = next((i for i, r in enumerate(self.rows) if r.id == meeting.walk_event), None)
        if at is not None and at != self.index:
            self.index = at
            self.show()

    def room_index(self) -> int | None:
        """The event the facilitator's walk-through shows, for a seat that does not follow it."""
        meeting = self.meeting
        if self.leads or self.app.following or meeting is None or meeting.ended or meeting.walk_event is None:
            return None
        return next((i for i, r in enumerate(self.rows) if r.id == meeting.walk_event), None)

    def action_follow(self) -> None:
        self.app.following = not self.app.following
        self.query_one(MeetingBar).following = self.app.following
        self.notify("Following the facilitator's walk-through." if self.app.following else
                    "Not following: walk on your own; ctrl+u follows again.", timeout=3)
        self.show()
        self.follow()

    def days(self) -> bool:
        """The events span more than one day where the review is: every time shows its date."""
        return len({r.at.astimezone(self.zone).date() for r in self.rows}) > 1

    def _line(self, row: Any) -> Text:
        local = row.at.astimezone(self.zone)
        text = Text()
        text.append("✓ " if row.confirmed else "  ", style="bold green")
        text.append(("~" if row.approximate else "") + local.strftime("%a %d %b %H:%M " if self.days() else "%H:%M "),
                    style="bold")
        text.append_text(literal(one_line(row.text)))
        return text

    def show(self) -> None:
        current = self.query_one("#walk-current", Static)
        if not self.rows:
            current.update("No events yet: add them on the timeline (a), then walk through them here.")
            return
        row = self.rows[self.index]
        done = sum(1 for r in self.rows if r.confirmed)
        progress = Text(f"Event {self.index + 1} of {len(self.rows)} · {done} confirmed by the room · "
                        f"{len(self.rows) - done} to go")
        room = self.room_index()
        if room is not None and room != self.index:  # walking alone: where the room is
            progress.append(f"  ·  the room is on event {room + 1} (ctrl+u goes there)", style="bold yellow")
        self.query_one("#walk-progress", Static).update(progress)
        around = self.around()
        before = [self._line(r) for r in self.rows[max(0, self.index - around):self.index]]
        after = [self._line(r) for r in self.rows[self.index + 1:self.index + 1 + around]]
        self.query_one("#walk-before", Static).update(Text("\n").join(before) if before else Text("(first event)"))
        self.query_one("#walk-after", Static).update(Text("\n").join(after) if after else Text("(last event)"))
        self.share(row.id)
        body = Text()
        local = row.at.astimezone(self.zone)
        body.append(("~ about " if row.approximate else "") + local.strftime("%a ") + format_when(row.at, self.zone),
                    style="bold")
        body.append(f"  ({getattr(self.zone, 'key', self.zone)})  ·  {row.kind}", style="dim")
        if row.source:
            body.append("  ·  source: ", style="dim")
            body.append_text(literal(one_line(row.source), "dim"))
        body.append("\n\n")
        body.append_text(literal(row.text, "bold"))
        body.append("\n\n")
        if row.marks:
            body.append("Marks: " + ", ".join(MARK_WORDS.get(m, m) for m in row.marks) + "\n", style="bold green")
        if row.confirmed:
            body.append("✓ Confirmed by the room (c takes it back)", style="bold green")
        else:
            body.append("Not confirmed yet: is this what happened, and when? c confirms it.", style="bold yellow")
        del local
        current.update(body)
        current.set_class(bool(row.confirmed), "-confirmed")

    def around(self) -> int:
        """How many events to show before and after the current one: two on a small screen,
        more on a tall one (a shared 160x45 screen is not left half empty)."""
        return max(AROUND, min(10, (self.size.height - 24) // 2 + AROUND))

    def on_resize(self) -> None:
        self.show()

    def action_move(self, step: int) -> None:
        if self.rows:
            self.index = max(0, min(self.index + step, len(self.rows) - 1))
            self.show()

    def action_next_unconfirmed(self) -> None:
        n = len(self.rows)
        for k in range(1, n + 1):
            i = (self.index + k) % n
            if not self.rows[i].confirmed:
                self.index = i
                self.show()
                return
        self.notify("Every event is confirmed by the room.", timeout=3)

    def action_confirm(self) -> None:
        if not self.rows:
            return
        from pmtui.errors import Conflict, unchanged_since
        from pmtui.ui_types import NotSaved

        row = self.rows[self.index]
        store, value = self.app.store, not row.confirmed
        try:  # with the version shown: another seat's edit of this event since is not confirmed unseen
            if isinstance(self.app.write(lambda: store.confirm_event(row.id, value, expected_version=row.version)),
                          NotSaved):
                return
        except Conflict as c:
            self.refresh_from_store()
            self.notify("Another seat deleted this event." if c.current is None else
                        "This event was changed by another seat since it was shown: read it again, then confirm.",
                        severity="warning", timeout=6)
            return

        def step(to: bool) -> None:  # undo/redo: only while the event is as this seat left it
            rows = store.events_by_id(self.review_id, [row.id])
            unchanged_since("event", row.id, {"confirmed": rows[0].confirmed} if rows else None,
                            {"confirmed": not to}, {"confirmed": to}, rows[0].version if rows else None)
            store.confirm_event(row.id, to, expected_version=rows[0].version)

        self.app.push_undo("event confirmed" if value else "confirmation taken back",
                           lambda: step(not value), lambda: step(value), quiet=True)
        self.reload()
        if value and self.index < len(self.rows) - 1:
            self.index += 1  # on to the next event
        self.show()

    def reload(self) -> None:
        current = self.rows[self.index].id if self.rows else None
        self.rows = list(self.app.store.events(self.review_id))
        self.index = next((i for i, r in enumerate(self.rows) if r.id == current), min(self.index, len(self.rows) - 1))

    def refresh_from_store(self) -> None:  # undo, or another seat's change
        self.reload()
        self.show_meeting()
        self.show()
        self.follow()

    def action_close(self) -> None:
        if not self.is_current:
            return
        self.share(None)
        self.dismiss(self.rows[self.index].id if self.rows else None)
