"""`pmtui open`: the first frame is read plainly and the full store loads after it, in a
worker (pmtui.store.first_reads). Nothing typed in the first moments is lost: an edit
confirmed before the full store is ready waits for it and is stored, with the version the
seat read, on both databases."""

from __future__ import annotations

import threading
import time

import pytest
from textual.widgets import Input

from conftest import TODAY, settle
from pmtui.store import Store
from pmtui.widgets.field import Field


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture
def opened(db_url, demo):
    """A second store on the same database, as `pmtui open` makes it: reading plainly."""
    s = Store.open(db_url)
    s.read_plainly()
    assert s.reads_plainly and s._engine is None
    yield s
    s.close()


def _app(store, review_id, screen="overview"):
    from pmtui.app import PostmortemApp

    return PostmortemApp(store, review_id=review_id, screen=screen, today=lambda: TODAY, watch_interval=None)


async def _type_title(app, pilot, text: str) -> None:
    field = app.screen.query_one("#field-title", Field)
    field.control.focus()
    assert isinstance(field.control, Input)
    field.control.value = ""
    await pilot.press(*text, "enter")


async def test_an_edit_before_the_full_store_is_loaded_is_stored(store, demo, opened):
    release = threading.Event()
    load_full = opened.load_full

    def held_back() -> None:  # the full store loads only once the edit is made
        release.wait(30)
        load_full()

    opened.load_full = held_back  # type: ignore[method-assign]
    app = _app(opened, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert opened.reads_plainly  # the first frame was read plainly, the full store not loaded
        version = store.get_review(demo)["version"]
        await _type_title(app, pilot, "Checkout latency, typed at once")
        await pilot.pause()
        assert store.get_review(demo)["title"] == "Checkout latency, typed at once"
        assert store.get_review(demo)["version"] == version + 1  # one compare-and-set
        release.set()
        await settle(app, pilot)
        assert not opened.reads_plainly  # then loaded
        await _type_title(app, pilot, "Checkout latency, typed later")  # the version it read again
        await settle(app, pilot)
        assert store.get_review(demo)["title"] == "Checkout latency, typed later"


async def test_keys_typed_while_the_full_store_loads_wait_for_it(store, demo, opened):
    making = threading.Event()
    make_engine = opened.backend.make_engine

    def slow_engine():  # the worker holds the store's engine lock for a second
        making.set()
        time.sleep(1.0)
        return make_engine()

    opened.backend.make_engine = slow_engine  # type: ignore[method-assign]
    app = _app(opened, demo)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(200):
            if making.is_set():
                break
            await pilot.pause(0.02)
        assert making.is_set() and opened.reads_plainly  # the full store is loading now
        text = "Latency after a cache limit change"
        await _type_title(app, pilot, text)  # confirmed while it loads: the write waits for the engine
        await settle(app, pilot)
        field = app.screen.query_one("#field-title", Field)
        assert field.control.value == text  # no key dropped
        assert store.get_review(demo)["title"] == text
        assert not opened.reads_plainly


async def test_the_report_shows_from_the_plain_read(store, demo, opened):
    app = _app(opened, demo, "report")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for _ in range(100):
            if getattr(app.screen, "markdown", ""):
                break
            await pilot.pause(0.05)
        assert "## Timeline" in app.screen.markdown  # type: ignore[attr-defined]


async def test_leaving_the_review_it_opened_goes_to_the_list_built_then(store, demo, opened):
    from pmtui.screens.home import HomeScreen
    from pmtui.widgets.review_list import ReviewList

    app = _app(opened, demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert not any(isinstance(s, HomeScreen) for s in app.screen_stack)  # not built before the review
        await pilot.press("f8")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        for _ in range(100):
            if app.screen.query_one(ReviewList).rows:
                break
            await pilot.pause(0.05)
        assert [r.id for r in app.screen.query_one(ReviewList).rows] == [demo]
        await pilot.press("enter")  # and back into it from the list
        await settle(app, pilot)
        assert getattr(app.screen, "review_id", None) == demo
