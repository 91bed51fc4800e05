"""The Actions form shows an action item's effort (a field the form does not lay out
itself: it comes from pmtui.domain.document.ActionItem) and saves what is typed there."""

from __future__ import annotations

from textual.widgets import Input

from conftest import settle
from pmtui.screens.actions import action_fields
from pmtui.widgets.list_editor import ListEditor


def test_the_form_has_the_effort_before_the_description():
    names = [f.name for f in action_fields(None)]
    assert names[-2:] == ["effort", "description"]
    [effort] = [f for f in action_fields({"title": "Rehearse the failover", "effort": "M"}) if f.name == "effort"]
    assert (effort.label, effort.value, effort.kind) == ("Effort", "M", "text")


async def test_typing_an_effort_saves_it(store, demo, make_app):
    app = make_app(demo, "actions")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        app.screen.query_one(ListEditor).focus_list()
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-title", Input).value = "Rehearse the checkout-db failover"
        form.query_one("#f-effort", Input).value = "2 days"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        added = store.list_items("action", demo)[-1]
        assert (added["title"], added["effort"]) == ("Rehearse the checkout-db failover", "2 days")
        await pilot.press("enter")  # edit it: the form shows the stored effort
        await settle(app, pilot)
        assert app.screen.query_one("#f-effort", Input).value == "2 days"
        app.screen.query_one("#f-effort", Input).value = "S"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert store.export_document(demo).action_items[-1].effort == "S"
