"""Overview, impact, analysis, actions and report: edits land in the store at once,
invalid input keeps the typed text and says what is wrong."""

from __future__ import annotations

import io
from pathlib import Path

from textual.widgets import DataTable, Input, Markdown, Select, Static, TextArea

from conftest import settle
from pmtui.screens.dialogs import PromptScreen
from pmtui.screens.form import FormScreen
from pmtui.widgets.field import Field
from pmtui.widgets.list_editor import ListEditor
from pmtui.widgets.stage_bar import StageBar


async def type_into(app, pilot, field_name: str, text: str, confirm: str = "enter") -> Field:
    field = app.screen.query_one(f"#field-{field_name}", Field)
    control = field.control
    control.focus()
    await pilot.pause()
    if isinstance(control, TextArea):
        control.load_text("")
        control.insert(text)
    else:
        control.value = ""
        await pilot.press(*text) if text else None
    if confirm:
        await pilot.press(confirm)
    await settle(app, pilot)
    return field


def error_of(field: Field) -> str:
    box = field.query_one(".field-error", Static)
    return str(box.render()) if box.display else ""


async def test_overview_fields_save_on_enter_and_on_leaving(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_into(app, pilot, "title", "Checkout latency after a cache limit change")
        assert store.get_review(demo)["title"] == "Checkout latency after a cache limit change"
        await type_into(app, pilot, "severity", "SEV1", confirm="tab")  # leaving the field confirms it
        assert store.get_review(demo)["severity"] == "SEV1"
        await type_into(app, pilot, "tags", "Cache, checkout, Rollback")
        assert store.get_review(demo)["tags"] == ["cache", "checkout", "rollback"]
        summary = await type_into(app, pilot, "summary", "A shorter summary.", confirm="")
        summary.confirm()
        await settle(app, pilot)
        assert store.get_review(demo)["summary"] == "A shorter summary."


async def test_overview_invalid_values_keep_the_text_and_change_nothing(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        cases = [("timezone", "Mars/Olympus", "unknown time zone"),
                 ("review_date", "2026-02-30", "not a real date"),
                 ("title", "", "must not be empty"),
                 ("severity", "S" * 25, "at most 20 characters")]
        for name, text, reason in cases:
            before = store.get_review(demo)[name]
            field = await type_into(app, pilot, name, text)
            assert reason in error_of(field), (name, error_of(field))
            assert field.text == text
            assert store.get_review(demo)[name] == before
        field = await type_into(app, pilot, "timezone", "Asia/Tokyo")
        assert error_of(field) == "" and store.get_review(demo)["timezone"] == "Asia/Tokyo"


async def test_status_select_saves(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#field-status Select", Select).value = "published"
        await settle(app, pilot)
        assert store.get_review(demo)["status"] == "published"


async def test_participants_add_edit_delete_undo(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        editor = app.screen.query_one("#participants", ListEditor)
        editor.table.focus()
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("enter")  # empty name
        await settle(app, pilot)
        assert "must not be empty" in str(form.query_one("#e-name", Static).render())
        form.query_one("#f-name", Input).value = "Mei Tanaka"
        form.query_one("#f-role", Input).value = "observer"
        form.query_one("#f-name", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        people = store.list_items("participant", demo)
        assert people[-1]["name"] == "Mei Tanaka" and people[-1]["role"] == "observer"
        assert editor.selected()["name"] == "Mei Tanaka"
        await pilot.press("enter")  # Enter on a row edits it
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#f-role", Input).value = "observer (platform)"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert store.list_items("participant", demo)[-1]["role"] == "observer (platform)"
        await pilot.press("d")
        await settle(app, pilot)
        assert [p["name"] for p in store.list_items("participant", demo)][-1] == "Sofia Russo"
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert store.list_items("participant", demo)[-1]["name"] == "Mei Tanaka"


async def test_impact_numbers(store, demo, make_app):
    app = make_app(demo, "impact")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        field = await type_into(app, pilot, "users_affected", "12,5x0")
        assert "whole number" in error_of(field) and store.get_review(demo)["users_affected"] == 12400
        await type_into(app, pilot, "users_affected", "13,100")
        assert store.get_review(demo)["users_affected"] == 13100
        field = await type_into(app, pilot, "support_tickets", "-4")
        assert "must not be negative" in error_of(field) and store.get_review(demo)["support_tickets"] == 86
        await type_into(app, pilot, "slo_budget_spent_pct", "41.5%")
        assert store.get_review(demo)["slo_budget_spent_pct"] == 41.5
        await type_into(app, pilot, "users_affected", "")
        assert store.get_review(demo)["users_affected"] is None


async def test_analysis_factor_counts_and_technical_only_hint(store, make_app):
    review_id, _ = store.create_review("Disk filled up")
    app = make_app(review_id, "analysis")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        editor = app.screen.query_one("#factors", ListEditor)
        editor.focus_list()
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-text", Input).value = "Log rotation had no size limit"
        form.query_one("#f-text", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert store.list_items("factor", review_id)[0]["category"] == "technical"
        counts = str(app.screen.query_one("#factor-counts", Static).render())
        assert "technical 1" in counts and "Every factor is technical" in counts


async def test_observations_go_to_their_kind(store, make_app):
    review_id, _ = store.create_review("Disk filled up")
    app = make_app(review_id, "analysis")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#obs-lucky", ListEditor).focus_list()
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#f-text", Input).value = "It happened on a quiet Sunday"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        [obs] = store.list_items("observation", review_id)
        assert obs["kind"] == "lucky" and obs["text"] == "It happened on a quiet Sunday"


async def test_actions_due_date_and_wont_do_reason(store, demo, make_app):
    app = make_app(demo, "actions")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        editor = app.screen.query_one(ListEditor)
        editor.focus_list()
        await pilot.press("a")
        await settle(app, pilot)
        form = app.screen
        form.query_one("#f-title", Input).value = "Alert on cache eviction rate"
        form.query_one("#f-due", Input).value = "2026-02-30"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and "not a real date" in str(form.query_one("#e-due", Static).render())
        assert len(store.list_items("action", demo)) == 5
        form.query_one("#f-due", Input).value = "2026-04-01"
        form.query_one("#f-status", Select).value = "wont_do"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form and "say why" in str(form.query_one("#e-status_note", Static).render())
        form.query_one("#f-status", Select).value = "open"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        added = store.list_items("action", demo)[-1]
        assert added["title"] == "Alert on cache eviction rate" and added["due"] == "2026-04-01"
        await pilot.press("x")  # mark done
        await settle(app, pilot)
        assert store.list_items("action", demo)[-1]["status"] == "done"
        await pilot.press("w")
        await settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        await pilot.press("enter")  # no reason: refused
        await settle(app, pilot)
        assert app.screen is prompt and "say why" in str(prompt.query_one("#prompt-error", Static).render())
        await pilot.press(*"Covered by the canary change")
        await pilot.press("enter")
        await settle(app, pilot)
        last = store.list_items("action", demo)[-1]
        assert last["status"] == "wont_do" and last["status_note"] == "Covered by the canary change"


async def test_overdue_actions_stand_out_in_words(store, demo, make_app):
    app = make_app(demo, "actions")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(ListEditor).table
        column = table.get_column_index("due")
        due = [str(table.get_row_at(i)[column]) for i in range(table.row_count)]
        assert due[1] == "⚠ 2026-03-20 overdue"  # open, due before the frozen today (2026-03-21)
        assert "overdue" not in due[3]  # done items are never overdue
        assert "1 overdue" in str(app.screen.query_one("#actions-summary", Static).render())


async def test_report_shows_the_markdown_and_changes_status_and_exports(store, demo, make_app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = make_app(demo, "report")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        md = app.screen.query_one(Markdown)
        assert "## Timeline" in app.screen.markdown and md.source.startswith("# Checkout latency")
        await pilot.press("s", "y")  # the example still has readiness findings: publishing asks first
        await settle(app, pilot)
        assert store.get_review(demo)["status"] == "published"
        await pilot.press("x")  # x means done (actions) and answered (notes), never export
        await settle(app, pilot)
        assert not isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        value = prompt.query_one(Input).value
        assert value == str(tmp_path / "2026-03-10-checkout-latency-after-cache-configuration-deploy.md")
        await pilot.press("enter")
        await settle(app, pilot)
        text = Path(value).read_text()
        assert text.startswith("---\ntitle: ") and "status: published" in text


async def test_sections_by_key_and_stage_bar(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        for key, section in [("f3", "timeline"), ("f4", "impact"), ("f5", "analysis"), ("f6", "actions"),
                             ("f7", "report"), ("f2", "overview"), ("ctrl+left", "opening"), ("ctrl+left", "report"),
                             ("ctrl+o", "opening")]:
            app.screen.set_focus(None)
            await pilot.press(key)
            await settle(app, pilot)
            assert app.screen.SECTION == section
            assert app.screen.query_one(StageBar).section == section
        await pilot.press("escape")  # Escape never leaves the review
        await settle(app, pilot)
        assert app.screen.SECTION == "opening"
        await pilot.press("f8")  # going back to the list is its own key
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HomeScreen"


async def test_leaving_a_section_saves_the_field_being_typed(store, demo, make_app):
    app = make_app(demo, "overview")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await type_into(app, pilot, "incident_ref", "INC-2042", confirm="")
        await pilot.press("f3")
        await settle(app, pilot)
        assert store.get_review(demo)["incident_ref"] == "INC-2042"


async def test_help_lists_the_keys_of_the_screen(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        from rich.console import Console

        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.keys_table())
        text = console.export_text()
        for words in ("Add event", "Highlight", "+5m text", "ctrl+z", "F2 … F7"):
            assert words in text
        await pilot.press("escape")
        await pilot.press("question_mark")  # ? works when no text field has focus
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HelpScreen"


async def test_command_palette_has_every_screen_action(store, demo, make_app):
    app = make_app(demo, "timeline")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Go to: Overview", "Timeline: Add event", "Timeline: Highlight", "Timeline: Delete",
                      "Timeline: Mark: detected"):
            assert title in titles, titles


async def test_data_table_rows_match_the_store(store, demo, make_app):
    app = make_app(demo, "analysis")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#factors", ListEditor).query_one(DataTable)
        assert table.row_count == len(store.list_items("factor", demo)) == 4


async def test_report_export_offers_the_wiki_flavour(store, demo, make_app, tmp_path, monkeypatch):
    """The report screen's Wiki choice: the preview and the exported file are for that wiki
    (GitHub: no front matter, a metadata table; Hugo: exact front matter), and the choice
    stays for the next review's report in this session."""
    from textual.widgets import Select

    monkeypatch.chdir(tmp_path)
    app = make_app(demo, "report")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        wiki = app.screen.query_one("#report-wiki", Select)
        assert wiki.value == "portable" and app.screen.markdown.startswith("---\ntitle: ")
        wiki.value = "github"
        await settle(app, pilot)
        assert not app.screen.markdown.startswith("---") and "| Field | Value |" in app.screen.markdown
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert any("GitHub wiki" in str(s.render()) for s in prompt.query(Static))
        value = prompt.query_one(Input).value
        await pilot.press("enter")
        await settle(app, pilot)
        assert "| Field | Value |" in Path(value).read_text()
        app.screen.query_one("#report-wiki", Select).value = "hugo"
        await settle(app, pilot)
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        text = Path(value).read_text()
        assert text.startswith('---\ntitle: "Checkout latency after cache configuration deploy"')
        assert app.report_wiki == "hugo"
