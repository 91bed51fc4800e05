"""Home screen: lists the store's reviews newest first; typing filters them."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from pmtui.app import PostmortemApp
from pmtui.document import loads


async def test_home_lists_reviews_and_filters(store, example_bytes):
    store.create_review("Search index lag")
    store.import_documents([loads(example_bytes)])
    app = PostmortemApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        titles = [table.get_row_at(i)[1] for i in range(table.row_count)]
        assert set(titles) == {"Search index lag", "Checkout latency after cache configuration deploy"}
        await pilot.press(*"checkout")  # the filter has focus: just type
        await pilot.pause()
        assert table.row_count == 1
        assert table.get_row_at(0)[1].startswith("Checkout latency")
        assert "SEV2" in table.get_row_at(0)


async def test_empty_store_explains_how_to_start(store):
    app = PostmortemApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = str(app.screen.query_one("#home-empty", Static).render())
        assert "pmtui demo" in text and "new review" in text
