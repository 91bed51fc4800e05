"""Home screen: lists the store's reviews newest first; typing filters them."""

from __future__ import annotations

from textual.widgets import Static

from pmtui.app import PostmortemApp
from pmtui.domain.document import loads
from pmtui.widgets.review_list import ReviewList


async def test_home_lists_reviews_and_filters(store, example_bytes):
    store.create_review("Search index lag")
    store.import_documents([loads(example_bytes)])
    app = PostmortemApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(ReviewList)
        titles = [r.title for r in table.rows]
        assert set(titles) == {"Search index lag", "Checkout latency after cache configuration deploy"}
        await pilot.press(*"checkout")  # the filter has focus: just type
        await pilot.pause()
        assert table.row_count == 1
        assert table.rows[0].title.startswith("Checkout latency")
        assert "SEV2" in table.line_text(0)


async def test_empty_store_explains_how_to_start(store):
    app = PostmortemApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.screen.query_one("#home-empty", Static).render())
        assert "pmtui demo" in text and "new review" in text


async def test_new_review_from_home_opens_its_overview(store, make_app):
    from conftest import settle
    from pmtui.screens.dialogs import PromptScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("enter")  # an empty title is refused, the prompt stays
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)
        assert "must not be empty" in str(app.screen.query_one("#prompt-error", Static).render())
        await pilot.press(*"Search index lag")
        await pilot.press("enter")
        await settle(app, pilot)
        [review] = store.list_reviews()
        assert review.title == "Search index lag" and review.status == "draft"
        assert app.screen.SECTION == "overview" and app.screen.review_id == review.id


async def test_open_and_delete_with_confirmation_naming_the_review(store, make_app, example_bytes):
    from conftest import settle
    from pmtui.screens.dialogs import ConfirmScreen

    store.create_review("Search index lag")
    store.import_documents([loads(example_bytes)])
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+d")  # the newest (no events yet: by when it was created) is first
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = app.screen.question
        assert "Search index lag" in question
        await pilot.press("n")
        await settle(app, pilot)
        assert len(store.list_reviews()) == 2
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert [r.title for r in store.list_reviews()] == ["Checkout latency after cache configuration deploy"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.SECTION == "overview"
