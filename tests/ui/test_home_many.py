"""The home screen holds any number of reviews: one refill at a time whatever the
events (the list used to be filled twice, by on_mount and by the first ScreenResume,
and crashed with DuplicateKey), and typing filters over every review."""

from __future__ import annotations

from datetime import UTC

import pytest

from pmtui.app import PostmortemApp
from pmtui.domain.document import FORMAT, validate_document
from pmtui.widgets.review_list import ReviewList


def fill(store, n: int) -> None:
    docs = [validate_document({"format": FORMAT, "title": f"Review {i} of the queue backlog",
                               "timeline": [{"at": f"2026-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
                                             "text": "Alert fired"}]})
            for i in range(n)]
    store.import_documents(docs)


@pytest.mark.parametrize("count, starts", [(100, 12), (1000, 6)])
async def test_home_starts_many_times_on_many_reviews_without_crashing(store, count, starts):
    from conftest import settle

    fill(store, count)
    expected = {r.id for r in store.list_reviews()}
    for _ in range(starts):
        app = PostmortemApp(store, watch_interval=None)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            table = app.screen.query_one(ReviewList)
            ids = [r.id for r in table.rows]
            assert len(ids) == len(set(ids)) == count and set(ids) == expected
            assert app.is_running and app.return_code is None


async def test_reloads_in_any_order_show_the_newest_list_once(store):
    """Many refills at once (resume, another process's change, undo) never add rows twice."""
    from conftest import settle

    fill(store, 150)
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        home = app.screen
        store.create_review("Latest review added elsewhere")
        for _ in range(5):
            home.reload()
            home.on_screen_resume()
            app.refresh_screen()
        await settle(app, pilot)
        ids = [r.id for r in home.query_one(ReviewList).rows]
        assert len(ids) == len(set(ids)) == 151
        assert home.query_one(ReviewList).rows[0].title == "Latest review added elsewhere"  # newest first


async def test_filter_and_keys_work_over_every_review(store):
    from conftest import settle

    fill(store, 1000)
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(ReviewList)
        await pilot.press("end")  # the filter has focus: End moves in its text, the list stays
        await pilot.press("pagedown", "pagedown", "down")
        assert table.cursor == 2 * 10 + 1
        await pilot.press(*"review 999 ")
        await pilot.pause()
        assert [r.title for r in table.rows] == ["Review 999 of the queue backlog"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.SECTION == "overview" and app.screen.title == "Review 999 of the queue backlog"


async def test_home_holds_100000_reviews(store, monkeypatch):
    """The list is virtual: 100,000 reviews are one refill; keys move over all of them and
    the filter searches all of them."""
    from datetime import datetime

    from conftest import settle
    from pmtui.store import ReviewSummary

    start = datetime(2026, 1, 1, tzinfo=UTC)
    many = [ReviewSummary(id=i, slug=f"r-{i}", title=f"Queue backlog review {i:06d}", status="draft", severity="SEV3",
                          timezone="UTC", first_event=start, open_actions=i % 3, overdue_actions=0, created_at="")
            for i in range(100_000, 0, -1)]
    monkeypatch.setattr(store, "list_reviews", lambda *a, **k: many)
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(ReviewList)
        assert table.row_count == 100_000 and table.display
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        assert table.selected.title == "Queue backlog review 000001"
        assert table.scroll_y > 99_000  # the last rows are drawn, not the first
        await pilot.press("home", "pagedown")
        assert table.cursor > 0
        app.screen.query_one("#home-filter").focus()
        await pilot.press(*"review 054321")
        await pilot.pause()
        assert [r.id for r in table.rows] == [54321]
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 100_000 and table.selected.id == 54321  # the cursor stays on it


def test_the_first_page_is_the_head_of_the_whole_list(store):
    """What home shows first (read before the whole list) is what the whole list starts with."""
    from datetime import date

    from pmtui.store.home_list import first_page

    fill(store, 130)
    for i in range(5):  # reviews without events sort by when they were made
        store.create_review(f"Draft {i}")
    docs = [validate_document({"format": FORMAT, "title": f"With actions {i}",
                               "timeline": [{"at": f"2026-02-0{i + 1}T09:00:00.250+01:00", "text": "Deploy"}],
                               "action_items": [{"title": "Alert on it", "due": "2026-01-01"},
                                                {"title": "Runbook", "status": "done"}]})
            for i in range(3)]
    store.import_documents(docs)
    today = date(2026, 3, 1)
    whole = store.list_reviews(today=today)
    assert first_page(store.path, 100, today=today) == whole[:100]
    assert first_page(store.path, 1000, today=today) == whole
    assert any(r.overdue_actions for r in whole[:100])


async def test_a_store_that_cannot_be_listed_is_said_on_home_not_a_crash(store, monkeypatch):
    from conftest import settle
    from pmtui.errors import StoreError

    def fail(*args, **kwargs):
        raise StoreError(f"{store.path} [/var] cannot be read as a pmtui store (file is not a database)")

    monkeypatch.setattr(store, "list_reviews", fail)
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(app, pilot)
        text = str(app.screen.query_one("#home-empty").render())
        assert "The list of reviews cannot be read" in text and "[/var] cannot be read as a pmtui store" in text
        assert app.is_running and app.return_code is None


def screen_lines(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (160, 45)], ids=["80x24", "100x30", "160x45"])
async def test_end_on_a_long_list_shows_the_last_review_above_the_screen_edge(store, size):
    """End on 1,000 reviews: the last (oldest) review is drawn, not hidden under a
    horizontal scrollbar (the list never scrolls sideways), and every column is whole,
    at every width."""
    from conftest import settle

    fill(store, 1000)
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(ReviewList)
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        last = table.rows[-1].title
        assert table.selected.title == last
        region = table.scrollable_content_region
        lines = screen_lines(app)[region.y:region.bottom]
        assert any(last in line for line in lines), "\n".join(screen_lines(app))
        assert not table.show_horizontal_scrollbar
        assert "Overdue" in lines[0]  # the last column is not under the vertical scrollbar
        await pilot.press("pageup", "pagedown")
        assert table.cursor == len(table.rows) - 1


async def test_end_while_the_list_loads_goes_on_to_the_last_review(store, monkeypatch):
    """End pressed while only the first page (100 reviews) is shown lands on the last
    review of the whole list once it is read, not on the 100th."""
    import asyncio
    import threading

    from conftest import settle

    fill(store, 1000)
    whole = store.list_reviews()
    gate = threading.Event()
    read = store.list_reviews

    def slow(*args, **kwargs):
        gate.wait(60)
        return read(*args, **kwargs)

    monkeypatch.setattr(store, "list_reviews", slow)
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(ReviewList)
        for _ in range(200):
            if table.row_count:
                break
            await asyncio.sleep(0.05)
        assert table.row_count == 100  # the first page, the rest is being read
        table.focus()
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor == 99
        gate.set()
        await settle(app, pilot)
        assert table.row_count == 1000
        assert table.selected.id == whole[-1].id
        region = table.scrollable_content_region
        assert any(whole[-1].title in line for line in screen_lines(app)[region.y:region.bottom])


async def test_a_cursor_moved_off_the_end_stays_on_its_review_when_the_list_completes(store, monkeypatch):
    """Only End follows the list to its end: a review the cursor was moved to keeps it."""
    import asyncio
    import threading

    from conftest import settle

    fill(store, 300)
    gate = threading.Event()
    read = store.list_reviews

    def slow(*args, **kwargs):
        gate.wait(60)
        return read(*args, **kwargs)

    monkeypatch.setattr(store, "list_reviews", slow)
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one(ReviewList)
        for _ in range(200):
            if table.row_count:
                break
            await asyncio.sleep(0.05)
        table.focus()
        await pilot.press("end", "up")
        await pilot.pause()
        chosen = table.selected.id
        gate.set()
        await settle(app, pilot)
        assert table.row_count == 300 and table.selected.id == chosen
