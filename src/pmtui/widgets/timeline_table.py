"""A virtual timeline table: draws only the rows on screen (Textual's Line API), so
a timeline of 10,000 imported log lines opens as fast as one of ten, and moving
the cursor stays instant."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import tzinfo
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from pmtui.domain import vocab
from pmtui.domain.outliers import far_from_rest
from pmtui.domain.vocab import EventKind
from pmtui.safetext import one_line
from pmtui.store import EventRow
from pmtui.widgets.virtual_list import VirtualList, cursor_keys, cut

FAR_WORDS = "⚠ over a day from the rest"

MARK_WORDS: dict[str, str] = {m.value: words for m, words in vocab.MARK_WORDS.items()}
KIND_SHORT = {EventKind.communication.value: "comms"}


def _clean(text: str) -> str:
    return one_line(" ".join(text.split()))


def _fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` cells (with an ellipsis) and pad it."""
    return cut(_clean(text), width)


def wrap(text: str, width: int) -> list[str]:
    """``text`` on lines of at most ``width`` cells, broken between words (a word
    longer than a line is broken where it must be). Every character is kept."""
    text = _clean(text)
    width = max(1, width)
    if not text:
        return [""]
    if text.isascii() and len(text) <= width:
        return [text]
    lines: list[str] = []
    line, used = "", 0
    for word in text.split(" "):
        w = cell_len(word)
        if line and used + 1 + w <= width:
            line, used = f"{line} {word}", used + 1 + w
            continue
        if line:
            lines.append(line)
            line, used = "", 0
        while w > width:  # a word longer than the line
            part, pw = "", 0
            for ch in word:
                cw = cell_len(ch)
                if pw + cw > width:
                    break
                part, pw = part + ch, pw + cw
            lines.append(part)
            word = word[len(part):]
            w = cell_len(word)
        line, used = word, w
    if line or not lines:
        lines.append(line)
    return lines


def short_source(source: str) -> str:
    """A source in few cells, for a table too narrow for a Source column: what follows
    the kind of source (``slack:#incident`` -> ``#incident``, ``log:app.jsonl`` ->
    ``app.jsonl``); a source without a kind is kept."""
    kind, sep, rest = source.partition(":")
    return rest.strip() if sep and rest.strip() and " " not in kind else source


class _Uniform:
    """The line offsets of a timeline drawn one line per row (without reading it)."""

    def __init__(self, rows: int) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return self.rows + 1

    def __getitem__(self, i: int) -> int:
        return i + self.rows + 1 if i < 0 else i


class TimelineTable(VirtualList[EventRow]):
    """The review's events: time, kind, text, source, marks. The event's text takes all
    the free width and wraps onto more lines, so a long event is read whole."""

    DEFAULT_CSS = """
    TimelineTable {
        height: 1fr;
        background: $surface;
    }
    TimelineTable > .timeline--header {
        text-style: bold;
        background: $panel;
        color: $text;
    }
    TimelineTable > .timeline--cursor {
        background: $accent 60%;
        color: $text;
        text-style: bold;
    }
    TimelineTable:blur > .timeline--cursor {
        background: $accent 30%;
    }
    TimelineTable > .timeline--highlight {
        text-style: bold;
        color: $warning;
    }
    TimelineTable > .timeline--mark {
        color: $success;
        text-style: bold;
    }
    TimelineTable > .timeline--muted {
        color: $text-muted;
    }
    TimelineTable > .timeline--warning {
        color: $warning;
        text-style: bold;
    }
    TimelineTable > .timeline--confirmed {
        color: $success;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {
        "timeline--header", "timeline--cursor", "timeline--highlight", "timeline--mark", "timeline--muted",
        "timeline--warning", "timeline--confirmed",
    }
    BINDINGS = [*cursor_keys("timeline", "Previous event", "Next event", "First event", "Last event")]

    class EventSelected(Message):
        """The cursor moved to another event (``event`` is None when empty)."""

        def __init__(self, table: TimelineTable, event: EventRow | None) -> None:
            super().__init__()
            self.table = table
            self.event = event

        @property
        def control(self) -> TimelineTable:
            return self.table

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.rows: Sequence[EventRow] = []  # a list, or a long timeline read by pages
        self.zone: tzinfo = ZoneInfo("UTC")
        self.far: set[int] = set()
        self._layout_width = -1
        self._offsets: list[int] | _Uniform = [0]  # first screen line of each row (and the total at the end)
        self._uniform = False  # a long timeline read by pages: one line per row
        self._sourced = False  # some event has a source: a narrow table still shows it
        self._source_len = 0  # the longest source as shown (its short form), for the Source column's width
        # each row's wrapped cells, kept while the row (the same object), the width and the
        # zone stay: after an edit only the changed rows are wrapped again, not the timeline
        self._wraps: dict[int, tuple[EventRow, tuple[bool, bool], list[list[str]], int]] = {}
        self._days: dict[int, tuple[EventRow, object]] = {}
        self._wraps_for: tuple[int, object] = (-1, None)
        self._strips: dict[tuple[int, int, bool], tuple[EventRow, tuple[bool, bool], Strip]] = {}
        self._strips_for: tuple[object, ...] = ()
        self._sized: tuple[object, ...] = ()  # what the scrollbars were last set for

    # ------------------------------------------------------------ data
    def set_events(self, rows: Sequence[EventRow], zone: tzinfo, keep_id: int | None = None) -> None:
        """Show these events; the cursor stays on ``keep_id`` (or its position)."""
        self.rows = rows
        self.zone = zone
        if len(self._wraps) > len(rows) + 2_000:  # rows that are gone (or pages read again)
            if isinstance(rows, list):  # keep the rows still shown (a reload that changed nothing)
                keep = {id(r) for r in rows}
                self._wraps = {k: v for k, v in self._wraps.items() if k in keep}
                self._days = {k: v for k, v in self._days.items() if k in keep}
            else:  # a long timeline is drawn one line a row: cheap to draw again
                self._wraps.clear()
                self._days.clear()
        self._uniform = hasattr(rows, "index_of")  # read by pages: never read whole to lay it out
        self.far = set() if self._uniform else far_from_rest([r.at for r in rows])
        # a long timeline is imported evidence: its sources are shown without reading it whole
        self._sourced = self._uniform or any(r.source for r in rows)
        self._source_len = 16 if self._uniform else max((len(r.source) for r in rows if r.source), default=0)
        self._layout(force=True)
        target = self.cursor
        if keep_id is not None:
            index_of = getattr(rows, "index_of", None)  # a long timeline read by pages (pmtui.store.timeline_rows)
            found = index_of(keep_id) if index_of else next((i for i, r in enumerate(rows) if r.id == keep_id), None)
            target = target if found is None else found
        self.cursor = max(0, min(target, len(rows) - 1))
        self.refresh()

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.EventSelected(self, self.selected))

    def _layout(self, force: bool = False) -> None:
        """Work out how many lines each row takes at the current width."""
        width = self.size.width
        if width == self._layout_width and not force:
            return
        self._layout_width = width
        if self._uniform:
            self._offsets = _Uniform(len(self.rows))
            self.virtual_size = Size(0, len(self.rows) + 1)  # never scrolls sideways
            return
        cols = self._columns(width)
        self._wraps_at(width)
        offsets = [0]
        total = 0
        for i in range(len(self.rows)):
            self._wrapped(i, cols)
            total += self._wraps[id(self.rows[i])][3]
            offsets.append(total)
        self._offsets = offsets
        self.virtual_size = Size(0, total + 1)  # never scrolls sideways

    def row_at_line(self, line: int) -> int:
        """The row drawn on body line ``line`` (0 is the first line under the header)."""
        return max(0, bisect_right(self._offsets, line) - 1)

    def _scroll_cursor_into_view(self) -> None:
        self._layout()
        if not self.rows:
            return
        body = max(1, self.size.height - 1)
        top = int(self.scroll_y)
        first, last = self._offsets[self.cursor], self._offsets[self.cursor + 1]
        if first < top:
            self.scroll_to(y=first, animate=False)
        elif last > top + body:
            self.scroll_to(y=max(first, last - body) if last - first <= body else first, animate=False)

    # ------------------------------------------------------------ keys
    def action_page(self, direction: int) -> None:
        self._layout()
        body = max(1, self.size.height - 2)
        line = self._offsets[min(self.cursor, len(self.rows))] + direction * body
        self.cursor = self.row_at_line(max(0, line))

    def on_click(self, event: events.Click) -> None:
        y = event.y - 1 + int(self.scroll_y)
        if event.y >= 1 and 0 <= y < self._offsets[-1]:
            self.cursor = self.row_at_line(y)
        self.focus()

    def on_resize(self) -> None:
        self._layout()
        self._scroll_cursor_into_view()

    def _scroll_update(self, virtual_size: Size) -> None:
        """The scrollbars are set (and drawn) again only when the table's size, its rows or
        its style changed. Textual's ScrollView compares the compositor's virtual size (the
        region) with the table's own (its rows), which never match, and so came here on
        every layout of the screen (an event's text shown beside the table): on a long
        timeline the scrollbar was drawn again, one more screen update after each edit."""
        key = (virtual_size, self.size, self.container_size, self.styles._cache_key)
        if key == self._sized:
            return  # the same scrollbars, the same scroll limits
        self._sized = key
        super()._scroll_update(virtual_size)

    # ------------------------------------------------------------ drawing
    # The event's text keeps at least this many cells. Below 100 columns a narrow Source
    # column (the short form of each source) is shown when the text keeps them (the
    # Timeline at 160x45 with the notes panel open); narrower still (80x24), the source of
    # each imported event is shown compactly under its kind (or, one line per row, before
    # its text), so that two sources can still be told apart.
    EVENT_MIN = 40

    def _columns(self, width: int) -> list[tuple[str, int]]:
        narrow = width < 110
        time_w, kind_w = (10, 8) if narrow else (20, 13)
        mark_w = 12 if narrow else (18 if width < 140 else 24)
        if width < 70:  # beside the notes panel on a small screen: the event's words first
            kind_w, mark_w = 0, 9  # (the kind is in the detail under the table)
        source_w = 0
        # the Source column fits its longest source (githubstatus, #incident-checkout) while the
        # event's text keeps EVENT_MIN cells; never narrower than 9 where it is shown at all
        want = max(9, min(self._source_len, 26))
        if width >= 100:
            room = width - (2 + time_w + kind_w + mark_w + 6) - self.EVENT_MIN
            source_w = max(min(22, width // 8), min(want, room))
        elif self._sourced and width - (2 + time_w + kind_w + 9 + 9 + 5) >= self.EVENT_MIN:
            mark_w = 9  # "impact starts" still wraps between its words
            source_w = max(9, min(want, width - (2 + time_w + kind_w + mark_w + 5) - self.EVENT_MIN))
        gutter = 2
        widths = [gutter, time_w, kind_w, mark_w, source_w]
        fixed = sum(widths) + sum(1 for w in widths if w)  # a space after each column (the last one is cut)
        cols = [("", gutter), ("Time", time_w)]
        if kind_w:
            cols.append(("Kind", kind_w))
        cols.append(("Event", max(10, width - fixed)))
        if source_w:
            cols.append(("Source", source_w))
        cols.append(("Marks", mark_w))
        return cols

    def _cells(self, index: int, cols: list[tuple[str, int]]) -> list[str]:
        row = self.rows[index]
        local = row.at.astimezone(self.zone)
        first_of_day = index == 0 or self.rows[index - 1].at.astimezone(self.zone).date() != local.date()
        # evidence keeps its seconds (a log line at 14:03:00 is not "about 14:03")
        clock = local.strftime("%H:%M:%S" if local.second or row.source_id else "%H:%M")
        day = local.strftime("%Y-%m-%d")
        approx = "~" if row.approximate else ""
        if not first_of_day:
            when = approx + clock
        elif cols[1][1] >= 20:
            when = f"{approx}{day} {clock}"
        elif self._uniform:  # one line per row and no room for the day: the time, whole
            when = approx + clock
        else:  # narrow: the day on its own line above the time
            when = f"{day}\n{approx}{clock}"
        width = dict(cols)
        kind_w = width.get("Kind", 0)
        kind = row.kind if len(row.kind) <= kind_w else KIND_SHORT.get(row.kind, row.kind[:kind_w])
        marks = ", ".join(MARK_WORDS.get(m, m) for m in row.marks)
        gutter = ("★" if row.highlight else " ") + ("✓" if getattr(row, "confirmed", False) else "")
        text, source = row.text, row.source
        if "Source" in width:  # a narrow column: the short form, on one line, when the whole does not fit
            if cell_len(source) > width["Source"]:  # the short form (githubstatus) before a cut one
                source = _fit(short_source(source), width["Source"]).rstrip()
        elif row.source_id:  # no Source column: imported evidence still says where it came from,
            short = short_source(row.source)  # under its kind (a typed event's source is in the detail line)
            if kind_w and not self._uniform:
                kind = f"{kind}\n{_fit(short, kind_w).rstrip()}"
            else:  # or, one line per row or without a Kind column, before its text
                text = f"[{_fit(short, 12).rstrip()}] {text}"
        by_name = {"": gutter, "Time": when, "Kind": kind, "Event": text, "Source": source, "Marks": marks}
        return [by_name[name] for name, _ in cols]

    def _wraps_at(self, width: int) -> None:
        """The wrapped rows kept are for this width and zone (else they are wrapped again)."""
        if self._wraps_for != (width, self.zone):
            self._wraps_for = (width, self.zone)
            self._wraps.clear()
            self._days.clear()

    def _day(self, index: int) -> object:
        row = self.rows[index]
        hit = self._days.get(id(row))
        if hit is not None and hit[0] is row:
            return hit[1]
        day = row.at.astimezone(self.zone).date()
        self._days[id(row)] = (row, day)
        return day

    def _wrapped(self, index: int, cols: list[tuple[str, int]]) -> list[list[str]]:
        """The row's cells as drawn (lines of each), from the cache when the row is unchanged
        (the cache is for one width and zone: see :meth:`_wraps_at`)."""
        row = self.rows[index]
        context = (index == 0 or self._day(index - 1) != self._day(index), index in self.far)
        hit = self._wraps.get(id(row))
        if hit is not None and hit[0] is row and hit[1] == context:
            return hit[2]
        out = self._wrap_cells(index, cols)
        self._wraps[id(row)] = (row, context, out, max(len(lines) for lines in out))
        return out

    def _wrap_cells(self, index: int, cols: list[tuple[str, int]]) -> list[list[str]]:
        if self._uniform:
            return [[cell.replace("\n", " ")] for cell in self._cells(index, cols)]
        out = []
        for (name, w), cell in zip(cols, self._cells(index, cols)):
            if name in ("Time", "Kind"):
                out.append(cell.split("\n"))
            elif name == "Marks":
                lines = wrap(cell, w) if cell else []
                if index in self.far:  # the warning on lines of its own, after the marks
                    lines += wrap(FAR_WORDS, w)
                out.append(lines or [""])
            elif name in ("Event", "Source"):
                out.append(wrap(cell, w))
            else:
                out.append([cell])
        return out

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._layout()
        cols = self._columns(width)
        self._wraps_at(width)
        if y == 0:
            style = self.get_component_rich_style("timeline--header")
            zone = getattr(self.zone, "key", str(self.zone))
            names = [name if name != "Time" else f"Time ({zone})" for name, _ in cols]
            names[1] = names[1] if cell_len(names[1]) <= cols[1][1] else "Time"
            head: list[Segment] = []
            for n, (_, w) in zip(names, cols):
                head += [Segment(_fit(n, w), style), Segment(" ", style)]
            return Strip(head).crop(0, width).extend_cell_length(width, style)
        line = y - 1 + int(self.scroll_y)
        base = self.rich_style
        if not self.rows or line >= self._offsets[-1]:
            return Strip.blank(width, base)
        index = self.row_at_line(line)
        sub = line - self._offsets[index]
        row = self.rows[index]
        cells = self._wrapped(index, cols)
        # a row drawn before, unchanged (same object, place and look): the same strip
        look = (width, self.zone, base, self.has_focus, self.app.theme)
        if look != self._strips_for or len(self._strips) > 4_000:
            self._strips_for = look
            self._strips.clear()
        key = (id(row), sub, index == self.cursor)
        context = self._wraps[id(row)][1]
        hit = self._strips.get(key)
        if hit is not None and hit[0] is row and hit[1] == context:
            return hit[2]
        strip = self._draw(index, row, sub, cells, cols, base, width)
        self._strips[key] = (row, context, strip)
        return strip

    def _draw(self, index: int, row: EventRow, sub: int, cells: list[list[str]], cols: list[tuple[str, int]],
              base: Style, width: int) -> Strip:
        segments: list[Segment] = []
        row_style = base
        if row.highlight:
            row_style = base + self.get_component_rich_style("timeline--highlight", partial=True)
        for (name, w), lines in zip(cols, cells):
            cell = lines[sub] if sub < len(lines) else ""
            style = row_style
            if name == "Marks" and cell:
                marked = len(wrap(", ".join(MARK_WORDS.get(m, m) for m in row.marks), w)) if row.marks else 0
                far = index in self.far and sub >= marked
                style = base + self.get_component_rich_style("timeline--warning" if far else "timeline--mark",
                                                             partial=True)
            elif name in ("Source", "Kind"):
                style = base + self.get_component_rich_style("timeline--muted", partial=True)
            elif name == "" and "✓" in cell:
                segments.append(Segment(_fit(cell[:1], 1), row_style))
                segments.append(Segment("✓", base + self.get_component_rich_style("timeline--confirmed", partial=True)))
                segments.append(Segment(" ", base))
                continue
            segments.append(Segment(_fit(cell, w), style))
            segments.append(Segment(" ", base))
        strip = Strip(segments).crop(0, width)
        if index == self.cursor:
            cursor = self.get_component_rich_style("timeline--cursor")
            # over each cell's own style (the row's background would hide it otherwise)
            strip = Strip(Segment.apply_style(strip, post_style=Style(bgcolor=cursor.bgcolor, color=cursor.color,
                                                                       bold=True)), strip.cell_length)
        return strip.extend_cell_length(width, base)

    def row_region(self, index: int) -> Region:
        self._layout()
        first = self._offsets[index]
        return Region(0, first + 1, self.size.width, self._offsets[index + 1] - first)
