"""Text is text, everywhere: what a person or a file supplied shows literally on every
screen (no markup, no ``@click`` actions, nothing lost), and control characters and
bidi overrides are shown escaped instead of reaching the terminal.

Each screen is read as it is drawn (the screen's rendered lines), so a cell that lost
``[a-z]`` to markup, or a raw ESC, fails the test."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from pmtui.app import PostmortemApp
from pmtui.config import Config
from pmtui.domain.document import validate_document

# markup-like, action-like and bracketed text, and control/bidi characters
TITLE = "Disk full on [/var] regex [a-z]+ stuck"
MARKUP = "[b]x[/b] [@click=app.quit]q[/] [link=http://x]y[/link]"
CONTROL = "esc \x1b[31mred\x1b[0m bidi \u202eevil"
CONTROL_SHOWN = "esc \\x1b[31mred\\x1b[0m bidi <U+202E>evil"
RAW = ("\x1b", "\u202e", "\r")

TITLES = [TITLE, MARKUP, CONTROL, "[/var/log/…]", "[", "]", "[[", "[/]", "\\[b]x", "[@click=app.exit]", "Cost: $5 [USD]"]


def hostile_doc(title: str = TITLE) -> dict:
    """The example review with hostile text in every field a person writes."""
    d = json.loads(files("pmtui").joinpath("data/demo-review.json").read_bytes())
    d["title"] = title
    d["severity"] = "[b]S1[/b]"
    d["incident_ref"] = "[/inc]"
    d["summary"] = f"Summary {MARKUP} and {CONTROL}"
    d["trigger"] = "Trigger regex [a-z]+ stuck"
    d["detection"] = "Detection [@click=app.quit]d[/]"
    d["resolution"] = "Resolution [/var]"
    d["tags"] = ["[b]tag[/b]", "[/t]"]
    d["authors"] = ["[i]Auth[/i]"]
    d["participants"] = [{"name": "Fa [b]cil[/b]", "role": "facilitator", "attended": True},
                         {"name": "No [/var] te", "role": "note-taker", "attended": True}]
    d["links"] = [{"title": "Dash [/x]", "url": "https://grafana.example.com/d/[x]"}]
    for i, e in enumerate(d["timeline"]):
        e["text"] = f"Ev{i} [/var/log/x] [@click=app.quit]q[/]"
        e["source"] = f"src{i} [b]b[/b]"
    d["timeline"][0]["text"] = f"Ev0 {CONTROL}"
    d["impact"]["description"] = "Users saw [red]nothing[/red] at [/checkout]"
    d["impact"]["data_loss"] = "[/data]"
    d["impact"]["customer_communication"] = "Status [link=http://x]page[/link]"
    d["impact"]["components"] = [{"name": "Comp [/c]", "status": "partial_outage"}]
    for i, f in enumerate(d["factors"]):
        f["text"] = f"Factor{i} regex [a-z]+ stuck"
    for i, o in enumerate(d["observations"]):
        o["text"] = f"Obs{i} [b]o[/b]"
    d["learnings"] = ["Learn [/l]"]
    d["related"] = ["[/rel]"]
    for i, a in enumerate(d["action_items"]):
        a["title"] = f"Act{i} [link=http://x]y[/link]"
        a["owner"] = f"Own{i} [/o]"
        a["tracker"] = "[T]"
        a["description"] = "Desc [@click=app.quit]q[/]"
    d["action_items"][0]["status"] = "wont_do"
    d["action_items"][0]["status_note"] = "Note [/why]"
    for i, n in enumerate(d["notes"]):
        n["text"] = f"Note{i} [/var] [b]n[/b]"
        n["author"] = "[i]Jo[/i]"
    return d


def screen_text(app) -> str:
    """What the screen shows now, line by line (as drawn, styles dropped)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def assert_shows(app, *texts: str) -> None:
    shown = screen_text(app)
    for text in texts:
        assert text in shown, f"{text!r} is not on {type(app.screen).__name__}:\n{shown}"
    for raw in RAW:
        assert raw not in shown, f"a raw control character {raw!r} reached {type(app.screen).__name__}"


@pytest.fixture
def hostile(store, tmp_path):
    review_id = store.import_documents([validate_document(hostile_doc())])[0][0]
    prompts = tmp_path / "prompts.toml"
    prompts.write_text('context = ["Ask [b]this[/b] about [/var]?"]\nanalysis = ["[@click=app.quit]Why[/]?"]\n')
    cfg = Config(path=tmp_path / "config.toml", name="[b]Me[/b] [/var]",
                 add_phrases=[{"words": ["disk pressure"], "why": "[b]why[/b] [/w]", "reframe": "[/r] reframe"}])
    return review_id, prompts, cfg


async def test_every_screen_shows_supplied_text_literally(store, hostile):
    from conftest import TODAY, settle
    from pmtui.screens.capture import CaptureScreen
    from pmtui.screens.dialogs import PromptScreen
    from pmtui.screens.form import FormScreen
    from pmtui.screens.help import HelpScreen

    _, prompts, cfg = hostile
    app = PostmortemApp(store, today=lambda: TODAY, watch_interval=None, config=cfg, prompts_file=prompts)
    async with app.run_test(size=(220, 60), notifications=True) as pilot:
        await settle(app, pilot)
        # home: the title in the list, and a filter that matches nothing echoed literally
        assert_shows(app, TITLE)
        await pilot.press(*"[@click=app.quit]zz")
        await settle(app, pilot)
        assert_shows(app, "No review matches “[@click=app.quit]zz”")
        await pilot.press("escape")
        await pilot.press(*"[a-z]")
        await settle(app, pilot)
        assert_shows(app, TITLE)
        await pilot.press("enter")
        await settle(app, pilot)

        # overview (with the header, stage bar, meeting bar and notes panel)
        assert app.screen.SECTION == "overview"
        assert_shows(app, TITLE, "[b]S1[/b]", "[/inc]", "[/t], [b]tag[/b]", f"Summary {MARKUP} and esc",
                     "\\x1b[31mred\\x1b[0m bidi <U+202E>evil",
                     "Detection [@click=app.quit]d[/]", "Fa [b]cil[/b]", "No [/var] te", "Dash [/x]",
                     "[i]Auth[/i]", "Note0 [/var] [b]n[/b]", "[i]Jo[/i]")
        await pilot.press(*["f9"] * (len(app.prompts["context"]) - 1))  # the team's own prompt card is last
        await settle(app, pilot)
        assert_shows(app, "Ask [b]this[/b] about [/var]?")
        # a field's error echoing what was typed
        await pilot.press("f4")
        await settle(app, pilot)
        assert app.screen.SECTION == "impact"
        assert_shows(app, "Users saw [red]nothing[/red] at [/checkout]", "[/data]", "Comp [/c]",
                     "Status [link=http://x]page[/link]")
        users = app.screen.query_one("#field-users_affected")
        users.control.value = "[/v]1"
        users.confirm()
        await settle(app, pilot)
        assert_shows(app, "(got '[/v]1')")

        await pilot.press("f3")
        await settle(app, pilot)
        assert app.screen.SECTION == "timeline"
        assert_shows(app, "Ev1 [/var/log/x] [@click=app.quit]q[/]", "src1 [b]b[/b]", "Ev0 esc \\x1b[31mred")
        # the selected event's detail, then the quick add with its error echoing the text
        assert_shows(app, f"Ev0 {CONTROL_SHOWN}")
        await pilot.press("a", *"99:99 [/var] [b]x[/b]", "enter")
        await settle(app, pilot)
        assert_shows(app, "99:99 [/var] [b]x[/b]")
        assert app.screen.query_one("#quick-add-error").display
        await pilot.press("escape")
        # a form showing stored values
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        assert_shows(app, "Ev1 [/var/log/x] [@click=app.quit]q[/]", "src1 [b]b[/b]")
        await pilot.press("escape")
        await settle(app, pilot)
        # a notification echoing a stored text (delete, with undo)
        await pilot.press("d")
        await settle(app, pilot)
        assert_shows(app, "Deleted event “Ev1 [/var/log/x] [@click=app.quit]q[/]”")
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        # help
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("f5")
        await settle(app, pilot)
        assert app.screen.SECTION == "analysis"
        assert_shows(app, "Factor0 regex [a-z]+ stuck", "Obs0 [b]o[/b]", "Learn [/l]", "[/rel]")
        await pilot.press(*["f9"] * (len(app.prompts["analysis"]) - 1))
        await settle(app, pilot)
        assert_shows(app, "[@click=app.quit]Why[/]?")

        await pilot.press("f6")
        await settle(app, pilot)
        assert app.screen.SECTION == "actions"
        assert_shows(app, "Act1 [link=http://x]y[/link]", "Own1 [/o]", "won't do: Note [/why]", "[T]",
                     "Desc [@click=app.quit]q[/]")
        app.screen.query_one("#action-items").table.focus()
        await pilot.press("down", "w")  # the prompt names the action
        await settle(app, pilot)
        assert isinstance(app.screen, PromptScreen)
        assert_shows(app, "Why won't “Act1 [link=http://x]y[/link]” be done?")
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("f7")
        await settle(app, pilot)
        assert app.screen.SECTION == "report"
        assert_shows(app, TITLE, "open question “Note1 [/var] [b]n[/b]”", "Users saw [red]nothing[/red] at [/checkout]",
                     "\\x1b[31mred\\x1b[0m bidi")

        await pilot.press("ctrl+o")
        await settle(app, pilot)
        assert app.screen.SECTION == "opening"
        assert_shows(app, "Fa [b]cil[/b]", "No [/var] te")

        # capture: the author's name, the nudge with the team's phrase, the saved note's notification
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, CaptureScreen)
        await pilot.press(*"disk pressure on [/var] [b]y[/b]")
        await settle(app, pilot)
        assert_shows(app, "by [b]Me[/b] [/var]", "[b]why[/b] [/w]", "[/r] reframe")
        await pilot.press("enter")
        await settle(app, pilot)
        assert_shows(app, "disk pressure on [/var] [b]y[/b]")

        # the command palette, searched with markup-like text
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"[/var] [b]")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.is_running and app.return_code is None
    assert app.return_code in (None, 0)


async def test_a_markup_error_in_a_typed_value_keeps_the_form_open(store, hostile):
    """A form's error echoing a bracketed value shows it, and the typed text stays."""
    from conftest import TODAY, settle
    from pmtui.screens.form import FormScreen

    review_id, _, _ = hostile
    app = PostmortemApp(store, review_id=review_id, screen="actions", today=lambda: TODAY, watch_interval=None)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        app.screen.query_one("#action-items").table.focus()
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#f-title").value = "New [/var]"
        app.screen.query_one("#f-due").value = "[/2026-13-45]"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FormScreen)
        assert_shows(app, "[/2026-13-45]")
        assert app.screen.query_one("#f-title").value == "New [/var]"


@pytest.mark.parametrize("title", TITLES)
async def test_pmtui_starts_on_a_store_of_hostile_titles(store, title):
    """Every hostile title of these tests in one store: the app starts and shows each."""
    from conftest import settle

    store.import_documents([validate_document(hostile_doc(t)) for t in TITLES])
    app = PostmortemApp(store, watch_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        from pmtui.safetext import one_line

        assert_shows(app, *[one_line(t) for t in TITLES])  # all of them, in the list
        app.screen.query_one("#home-filter").value = title if one_line(title) == title else "esc"
        await settle(app, pilot)
        assert_shows(app, one_line(title))
        selected = app.screen.selected()
        await pilot.press("ctrl+d")  # the confirmation names the review
        await settle(app, pilot)
        assert_shows(app, f"Delete the review “{one_line(selected.title)}”")
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.SECTION == "overview"
        assert app.is_running and app.return_code is None


async def test_pasted_control_characters_are_shown_escaped(store, hostile):
    """A paste reaches the focused field with its control characters made visible."""
    from textual import events

    from conftest import settle

    review_id, _prompts, _cfg = hostile
    app = PostmortemApp(store, review_id=review_id, screen="timeline", watch_interval=None)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        app.post_message(events.Paste(f"14:05 pasted {CONTROL}"))
        await settle(app, pilot)
        quick = app.screen.query_one("#quick-add")
        assert quick.value == f"14:05 pasted {CONTROL_SHOWN}"
        assert_shows(app, f"14:05 pasted {CONTROL_SHOWN}")
