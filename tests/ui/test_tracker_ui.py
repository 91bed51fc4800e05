"""The tracker keys in the app: t pushes the selected action item (in a worker thread, with
the config's tracker and the environment's token), i opens its issue, and the tracker's
state is shown beside pmtui's when they differ (Actions and Follow-ups)."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import DataTable, Static

from conftest import settle
from pmtui import config
from pmtui.domain.vocab import ItemKind
from tracker_fakes import TOKEN, GitHub


def _setup(store, httpserver, monkeypatch):
    fake = GitHub(httpserver.url_for(""))
    httpserver.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITHUB_API_URL", httpserver.url_for("").rstrip("/"))
    import os

    Path(os.environ["PMTUI_CONFIG"]).write_text('[tracker]\nto = "github:acme/payments"\n\n'
                                                '[owners."Payments team"]\ngithub = "payments-oncall"\n')
    rid, _slug = store.create_review("Checkout latency after cache deploy")
    first = store.add_item(ItemKind.action, rid, title="Alert on cache evictions", owner="Payments team")
    second = store.add_item(ItemKind.action, rid, title="Validate cache limits at build time")
    return fake, rid, first, second


def _row_text(table: DataTable) -> list[str]:
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_push_and_open_from_the_actions_section(store, make_app, httpserver, monkeypatch):
    fake, rid, first, _second = _setup(store, httpserver, monkeypatch)
    app = make_app(rid, "actions", config=config.load())
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("i")  # nothing to open yet: says how to push
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        await settle(app, pilot)
        item = {i["id"]: i for i in store.list_items(ItemKind.action, rid)}[first]
        assert item["tracker"] == "https://github.com/acme/payments/issues/1"
        assert fake.made("POST", "/repos/acme/payments/issues")[0][3]["assignees"] == ["payments-oncall"]
        notes = [n.message for n in app._notifications]
        assert any("Linked to https://github.com/acme/payments/issues/1" in m for m in notes), notes
        assert any("No issue yet" in m for m in notes)
        await pilot.press("ctrl+r")  # a second push of the same item creates nothing
        await settle(app, pilot)
        assert len(fake.issues) == 1
        await pilot.press("i")
        await pilot.pause()
        assert opened == ["https://github.com/acme/payments/issues/1"]

        # done in pmtui, still open in GitHub: shown side by side
        store.update_item(ItemKind.action, first, expected_version=item["version"], status="done")
        app.screen.refresh_from_store()
        await settle(app, pilot)
        table = app.screen.query_one("#action-items DataTable", DataTable)
        assert "done ≠ tracker: open" in _row_text(table)[0]


async def test_push_from_followups_and_a_missing_tracker_setting(store, make_app, httpserver, monkeypatch):
    import os

    fake, rid, _first, _second = _setup(store, httpserver, monkeypatch)
    app = make_app(config=config.load())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        await settle(app, pilot)
        linked = [i for i in store.list_items(ItemKind.action, rid) if i["tracker"]]
        assert len(linked) == 1 and len(fake.issues) == 1
        detail = str(app.screen.query_one("#followups-detail", Static).render())
        assert "Tracker: https://github.com/acme/payments/issues/" in detail
    Path(os.environ["PMTUI_CONFIG"]).write_text("")
    app = make_app(config=config.load())
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        await pilot.press("down", "down", "ctrl+r")  # to the list (on its first row), then the second item
        await settle(app, pilot)
        assert any("Say which tracker to push to" in n.message for n in app._notifications), [n.message for n in app._notifications]
        assert len(fake.issues) == 1
