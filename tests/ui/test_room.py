"""The meeting as the room sees it (issue 10): the text people read, focus and keys
that never surprise, times that land on the incident's day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import DataTable, Input, TextArea

from conftest import settle
from pmtui.screens.form import FormScreen
from pmtui.widgets.notes_panel import NotesPanel
from pmtui.widgets.stage_bar import SECTION_LABELS, SECTIONS, StageBar
from pmtui.widgets.timeline_table import FAR_WORDS, TimelineTable

BERLIN = ZoneInfo("Europe/Berlin")
LONG = ("Checkout pods restart one after another while the cache warms up, and the load balancer keeps "
        "sending traffic to pods that are not ready yet")


def screen_text(widget) -> str:
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def event_column(table: TimelineTable) -> list[str]:
    """The Event column as drawn on screen, line by line."""
    cols = table._columns(table.size.width)
    x = sum(w + 1 for _, w in cols[:3])
    return [table.render_line(y).crop(x, x + cols[3][1]).text.strip() for y in range(1, table.size.height)]


# ---------------------------------------------------------------- the text the room reads
async def test_stage_bar_fits_80_columns_with_whole_words(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(StageBar)
        words = {w for label in SECTION_LABELS.values() for w in label.split()} | {
            "Opening", "Gather", "context:", "Context:", "Systemic", "analysis:", "Analysis:", "Follow-ups:", "1", "2",
            "3", "^o", "F2", "F3", "F4", "F5", "F6", "F7", "▸1", "▸2", "▸3", "│"}
        for section in SECTIONS:
            bar.section = section
            text = bar.render()
            assert text.cell_len <= 78, section
            for word in text.plain.replace("▸", "▸ ").split():
                assert word in words or word == "▸", (section, word)
            assert f" {SECTION_LABELS[section]} " in text.plain  # the current section by name


async def test_timeline_event_text_wraps_and_takes_the_free_width(store, demo, make_app):
    store.add_event(demo, at=datetime(2026, 3, 10, 10, 58, tzinfo=BERLIN), text=LONG)
    for size in ((80, 24), (160, 45)):
        app = make_app(demo, "timeline")
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            table = app.screen.query_one(TimelineTable)
            cols = dict(table._columns(table.size.width))
            assert cols["Event"] >= 40
            # the other columns are fixed: the event column has all the rest
            assert sum(w for _, w in table._columns(table.size.width)) + len(cols) >= table.size.width - 1
            index = next(i for i, r in enumerate(table.rows) if r.text == LONG)
            table.cursor = index
            await settle(app, pilot)
            shown = " ".join(" ".join(screen_text(table).split("\n")).split())
            # every word of the long event is on screen, in order, across its lines
            start = table._offsets[index] - int(table.scroll_y) + 1
            lines = [table.render_line(y).text for y in range(start, start + table._offsets[index + 1]
                                                                - table._offsets[index])]
            assert len(lines) > 1
            assert " ".join(" ".join(lines).split()).count(LONG.split()[0]) == 1
            assert all(word in shown for word in LONG.split())


async def test_at_80x24_every_event_shows_at_least_its_first_40_characters(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        for i, row in enumerate(table.rows):
            table.cursor = i
            await settle(app, pilot)
            shown = " ".join(" ".join(event_column(table)).split())
            assert " ".join(row.text[:40].split()) in shown, row.text


async def test_selected_event_is_visibly_highlighted(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        await pilot.press("down")
        await settle(app, pilot)
        cursor_bg = table.get_component_rich_style("timeline--cursor").bgcolor
        first = table._offsets[1] + 1 - int(table.scroll_y)
        strip = table.render_line(first)
        texts = [seg for seg in strip if seg.text.strip()]
        assert texts and all(seg.style.bgcolor == cursor_bg for seg in texts)
        other = table.render_line(table._offsets[3] + 1)
        assert all(seg.style.bgcolor != cursor_bg for seg in other if seg.text.strip())


async def test_an_event_a_day_away_is_accepted_with_a_warning(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        await pilot.press("a", *"2026-03-12 09:00 Cache settings reviewed", "enter")
        await settle(app, pilot)
        assert any(e.text == "Cache settings reviewed" for e in store.events(demo))  # accepted
        index = next(i for i, r in enumerate(table.rows) if r.text == "Cache settings reviewed")
        assert table.far == {index}
        assert FAR_WORDS.split()[1] in screen_text(table)
