"""The Follow-ups and Patterns views, and related-review suggestions, driven by Pilot
on the generated store of followup_data (today frozen at 2026-03-21)."""

from __future__ import annotations

from textual.widgets import DataTable, Input, Static

from conftest import settle
from followup_data import fill
from pmtui.screens.actions import ActionsScreen
from pmtui.screens.dialogs import PromptScreen
from pmtui.screens.followups import FollowupsScreen
from pmtui.screens.patterns import PatternsScreen
from pmtui.widgets.review_list import ReviewList, cells


def _titles(table: DataTable) -> list[str]:
    return [str(table.get_cell_at((i, _column(table, "title")))) for i in range(table.row_count)]


def _column(table: DataTable, key: str) -> int:
    return table.get_column_index(key)


def _action(store, review_id: int, title: str) -> dict:
    return next(a for a in store.list_items("action", review_id) if a["title"] == title)


async def test_home_shows_open_and_overdue_counts(store, make_app):
    known = fill(store)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(ReviewList)
        assert {"Reviews: Follow-ups", "Reviews: Patterns"} <= {c.title for c in app.get_system_commands(app.screen)}
        rows = {r.id: cells(r) for r in table.rows}
        row = rows[known["A"][0]]
        assert row[4] == "1" and row[5] == "⚠ 1"  # one open (the other is done), overdue
        row = rows[known["B"][0]]
        assert row[4] == "1" and row[5] == "0"


async def test_followups_filter_edit_undo_and_open(store, make_app):
    known = fill(store)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, FollowupsScreen)
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Follow-ups: Done" in titles and "Follow-ups: Owner" in titles  # every key is in the palette
        table = screen.query_one(DataTable)
        assert table.row_count == 7
        assert _titles(table)[:2] == ["Lower the alert threshold",
                                      'Alert on disk usage, with a "quote", a comma and [b]markup[/b]']
        assert str(table.get_row_at(0)[0]) == "⚠ 2026-03-01"
        # the item's own text is shown literally, markup and all
        await pilot.press("down", "down")  # from the filter to the list, then one row down
        await pilot.pause()
        assert "[b]markup[/b]" in str(screen.query_one("#followups-detail", Static).render())

        # filter as you type
        await pilot.press("slash", *"owner:bo")
        await pilot.pause()
        assert table.row_count == 3
        await pilot.press(*" replica")
        await pilot.pause()
        assert _titles(table) == ["Give search its own checkout-db read replica"]
        screen.query_one("#followups-filter", Input).value = "owner:nobody"
        await pilot.pause()
        assert table.row_count == 0 and "Nothing matches" in str(screen.query_one("#followups-summary", Static).render())
        await pilot.press("escape")  # in the filter: clears it, back to the table
        await pilot.pause()
        assert table.row_count == 7 and table.has_focus

        # status in place, saved at once, undone with ctrl+z
        a_id = known["A"][0]
        await pilot.press("home", "x")
        await settle(app, pilot)
        assert _action(store, a_id, "Lower the alert threshold")["status"] == "done"
        assert _titles(table)[0].startswith("Alert on disk usage")  # no longer overdue: moved down
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert _action(store, a_id, "Lower the alert threshold")["status"] == "open"
        assert _titles(table)[0] == "Lower the alert threshold"

        # owner in place
        await pilot.press("home", "o")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u", *"Alerting team", "enter")
        await settle(app, pilot)
        assert _action(store, a_id, "Lower the alert threshold")["owner"] == "Alerting team"
        assert str(table.get_cell_at((0, _column(table, "owner")))) == "Alerting team"
        assert str(table.get_cell_at((0, _column(table, "type")))) == "detect"

        # a wrong due date keeps the text and explains; a right one is saved
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("ctrl+u", *"2026-02-30", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)
        assert "2026-02-30" == app.screen.query_one(Input).value
        await pilot.press("ctrl+u", *"2026-05-01", "enter")
        await settle(app, pilot)
        assert _action(store, a_id, "Lower the alert threshold")["due"] == "2026-05-01"
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert _action(store, a_id, "Lower the alert threshold")["due"] == "2026-03-01"

        # won't do needs its reason
        await pilot.press("home", "w")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)  # no reason: the prompt stays and says why
        await pilot.press(*"Covered by the new alert", "enter")
        await settle(app, pilot)
        item = _action(store, a_id, "Lower the alert threshold")
        assert (item["status"], item["status_note"]) == ("wont_do", "Covered by the new alert")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert _action(store, a_id, "Lower the alert threshold")["status"] == "open"

        # Enter opens the item inside its review, on the Actions section
        await pilot.press("home", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ActionsScreen) and app.screen.review_id == a_id
        assert app.screen.editor.selected()["title"] == "Lower the alert threshold"
        await pilot.press("f8")  # back to where the review was opened from (Escape stays in it)
        await settle(app, pilot)
        assert isinstance(app.screen, FollowupsScreen)


async def test_followups_fit_a_small_terminal(store, make_app):
    from conftest import EXAMPLES
    from pmtui.domain.document import loads

    fill(store)
    store.import_documents([loads(p.read_bytes()) for p in sorted(EXAMPLES.glob("*.json"))])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        table = app.screen.query_one(DataTable)
        assert table.row_count > table.size.height and table.show_vertical_scrollbar
        assert not table.show_horizontal_scrollbar  # every column fits: no sideways scrolling


async def test_patterns_view_numbers_and_window(store, make_app):
    fill(store)
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, PatternsScreen)

        def text(selector: str) -> str:
            return str(screen.query_one(selector, Static).render())

        assert text("#patterns-summary").startswith("5 reviews. Follow-through: 2/7 done")
        assert "Config change was not treated as a deploy" in text("#patterns-recurring")
        assert "checkout-db" in text("#patterns-components")
        assert "Add a canary for checkout-db config changes" in text("#patterns-repeats")
        assert screen.query_one("#patterns-sparkline").data == [1, 1, 2, 1]
        await pilot.press("slash", *"since:2026-02-01", "enter")
        await settle(app, pilot)
        assert text("#patterns-summary").startswith("3 reviews in the window since 2026-02-01")
        screen.query_one("#patterns-window", Input).value = "since:2026-03-01 until:2026-01-01"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "until:2026-01-01 is before since:2026-03-01" in text("#patterns-summary")


async def test_analysis_suggests_related_reviews_and_links_one(store, make_app):
    known = fill(store)
    e_id = known["E"][0]
    app = make_app(review_id=e_id, screen="analysis")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)
        box = app.screen.query_one("#related-suggestions")
        table = box.query_one(DataTable)
        assert [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)] == [
            known["B"][1], known["A"][1]]
        assert "Checkout-DB appeared in 2 earlier reviews" in str(app.screen.query_one("#prompt-card", Static).render())
        table.focus()
        await pilot.press("l")
        await settle(app, pilot)
        assert [r["ref"] for r in store.list_items("related", e_id)] == [known["B"][1]]
        assert table.row_count == 1
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert store.list_items("related", e_id) == []


async def test_typing_on_follow_ups_filters_and_never_changes_an_item(store, make_app):
    """Typing `prio:high` as the screen opens filters (the README's "type to filter"); on the
    list, a character that is none of its keys goes on in the filter; the list's own keys
    (x, p, r, w, o, d) say what they changed, on which item, with ctrl+z at hand."""
    fill(store)
    app = make_app()
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        screen = app.screen
        before = {a["id"]: a["version"] for r in store.list_reviews() for a in store.list_items("action", r.id)}
        await pilot.press(*"prio:high")
        await settle(app, pilot)
        assert isinstance(app.screen, FollowupsScreen)  # no Owner dialog
        after = {a["id"]: a["version"] for r in store.list_reviews() for a in store.list_items("action", r.id)}
        assert after == before  # nothing written
        box = screen.query_one("#followups-filter", Input)
        table = screen.query_one(DataTable)
        assert box.value == "prio:high" and all(r.priority == "high" for r in screen.shown)
        footer_keys = {b.binding.id for b in app.active_bindings.values() if b.binding.show}
        assert "followups.to_list" in footer_keys and "followups.done" not in footer_keys
        # to the list: its keys are commands, shown in the footer
        await pilot.press("ctrl+u", "down")
        await settle(app, pilot)
        assert table.has_focus
        footer_keys = {b.binding.id for b in app.active_bindings.values() if b.binding.show}
        assert {"followups.done", "followups.filter"} <= footer_keys
        # a character that is no command goes on in the filter
        await pilot.press(*"tag:")
        await settle(app, pilot)
        assert box.has_focus and box.value == "tag:"
        assert {a["id"]: a["version"] for r in store.list_reviews() for a in store.list_items("action", r.id)} == before
        # a command on the list says what it did, on which item, and ctrl+z takes it back
        await pilot.press("ctrl+u", "enter")  # Enter in the filter: to the list
        await settle(app, pilot)
        row = screen.selected()
        await pilot.press("p")
        await settle(app, pilot)
        assert store.list_items("action", row.review_id)[0] is not None
        changed = next(a for a in store.list_items("action", row.review_id) if a["id"] == row.id)
        assert changed["status"] == "in_progress"
        said = [n.message for n in app._notifications][-1]
        assert "in progress" in said and row.title.split()[0] in said and "ctrl+z" in said
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert next(a for a in store.list_items("action", row.review_id) if a["id"] == row.id)["status"] == row.status
        await pilot.press("question_mark")  # the app's keys stay keys on the list: ? is help
        await settle(app, pilot)
        from pmtui.screens.help import HelpScreen

        assert isinstance(app.screen, HelpScreen)


async def test_patterns_view_shows_which_meeting_stage_runs_over(store, make_app):
    """Issue 28: the Patterns view answers "does the team run out of time in analysis?"
    from the review meetings' actual time per stage."""
    import io
    from datetime import UTC, datetime, timedelta

    from rich.console import Console

    from pmtui.domain.meeting import Meeting

    known = fill(store)
    t0 = datetime(2026, 3, 12, 13, 0, tzinfo=UTC)
    for letter, minutes in (("A", (5, 30, 18, 9)), ("B", (5, 36, 24, 10))):
        m, at = Meeting.start(t0), t0
        for took in minutes[:-1]:
            at += timedelta(minutes=took)
            m.next_stage(at)
        m.end(at + timedelta(minutes=minutes[-1]))
        store.save_meeting(known[letter][0], m)
    app = make_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        box = app.screen.query_one("#patterns-stages", Static)
        assert "Meeting stages against their timeboxes" in str(box.border_title)
        console = Console(width=150, file=io.StringIO(), record=True)
        console.print(box.content)
        shown = console.export_text()
        assert "Runs over most often in Systemic analysis: 2 of 2 meetings (100%)." in shown
        row = next(line for line in shown.splitlines() if line.startswith("Systemic analysis"))
        assert row.split() == ["Systemic", "analysis", "2", "of", "2", "11", "min", "14", "min", "21", "min", "10", "min"]
        row = next(line for line in shown.splitlines() if line.startswith("Gather context"))
        assert row.split()[2:7] == ["1", "of", "2", "1", "min"]
