"""The meeting line under the stage bar: who facilitates and takes notes, and the
current stage's time left (over time says so in words as well as in colour)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pmtui.domain.meeting import Meeting
from pmtui.safetext import one_line


class MeetingBar(Widget):
    DEFAULT_CSS = """
    MeetingBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        padding: 0 1;
    }
    MeetingBar.-over {
        background: $error 40%;
        color: $text;
        text-style: bold;
    }
    """

    facilitator: reactive[str] = reactive("")
    note_taker: reactive[str] = reactive("")
    meeting: reactive[Meeting | None] = reactive(None, always_update=True)
    now: reactive[datetime | None] = reactive(None)
    zone: str | None = None  # the review's time zone: the times this line shows are the review's
    following: reactive[bool] = reactive(True)

    def render(self) -> Text:
        left = Text(no_wrap=True, overflow="ellipsis")
        left.append("Facilitator: ", style="dim")
        left.append(one_line(self.facilitator) or "—", style="bold")
        left.append("   ")
        left.append("Note-taker: ", style="dim")
        left.append(one_line(self.note_taker) or "—", style="bold")
        if self.meeting is None or self.now is None:
            right = Text("Meeting not started · ctrl+o opening", style="dim")
            over = False
        else:
            over = self.meeting.over(self.now)
            status = self.meeting.status(self.now, self.zone)
            right = Text(("⚠ " if over else "✓ " if self.meeting.ended else "⏱ ") + one_line(status), style="bold")
            if not self.following and not self.meeting.ended:  # where the meeting is, for a seat looking elsewhere
                right = Text.assemble(("not following · ctrl+u · meeting at ", "dim"), right)
            moved = self.meeting.move_line(self.zone)
            # who made the last stage change, and when (an ended meeting's line says who ended it)
            if moved and self.size.width >= 100 and not self.meeting.ended:
                right = Text.assemble((one_line(moved) + " · ", "dim"), right)
        self.set_class(over, "-over")
        width = self.size.width - 2
        gap = max(1, width - left.cell_len - right.cell_len)
        if left.cell_len + right.cell_len + 1 > width:
            left.truncate(max(0, width - right.cell_len - 1), overflow="ellipsis")
            gap = 1
        return Text.assemble(left, " " * gap, right)
