"""Keys are declared once (pmtui.keys): what help (F1) lists and what the command palette
offers are read from the bindings, so neither can name a key that does not exist nor
leave one out."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from textual.binding import Binding

from conftest import settle
from pmtui.keys import help_text, in_help, is_everywhere, key_label, palette_bindings
from pmtui.screens.help import HelpScreen

SECTIONS = ["overview", "timeline", "impact", "analysis", "actions", "report", "opening"]


def _text(table) -> str:
    console = Console(width=240, record=True, file=io.StringIO())
    console.print(table)
    return console.export_text()


def _row_keys(text: str, sentence: str) -> str:
    line = next(line for line in text.splitlines() if sentence in line)
    return line.split(sentence)[0]


@pytest.mark.parametrize("section", SECTIONS)
async def test_help_and_palette_show_every_key_of_the_screen_and_no_other(store, demo, make_app, section):
    app = make_app(demo, section)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        palette = {c.title for c in app.get_system_commands(screen)}
        actions_on_keys = {a.binding.action for a in app.active_bindings.values()}
        await pilot.press("f1")
        await settle(app, pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = _text(help_screen.keys_table())

        nodes = list(help_screen._binding_nodes(screen))
        declared = [b for node in nodes for b in help_screen._bindings_of(node)]
        declared += [b for b in type(app).BINDINGS if isinstance(b, Binding) and is_everywhere(b)]
        shown = [b for b in declared if in_help(b)]
        assert shown, "the screen declares keys"
        # every key the screen (its lists and tables) and the app declare is in help, with its sentence
        for b in shown:
            assert help_text(b) in text, (b.id, help_text(b))
            for key in b.key.split(","):
                label = key_label(key.strip())
                keys = _row_keys(text, help_text(b))
                assert label in keys or "…" in keys, (b.id, label, keys)
        # and help lists nothing else: every sentence in it belongs to one of those bindings
        sentences = {help_text(b) for b in shown}
        body = text.split("Everywhere", 1)[1].splitlines()
        for line in body:
            if line.strip():
                assert any(s in line for s in sentences), line
        # every binding on a key right now (screen, focused list or table, app) is in the palette
        label = screen.sub_title.split(" · ")[0]
        for b in palette_bindings(a.binding for a in app.active_bindings.values()):
            assert f"{label}: {b.description}" in palette, (b.id, sorted(palette))
        # the screen's own keys with a description are in the palette (when not shadowed by a focused widget)
        for b in help_screen._bindings_of(screen):
            if in_help(b) and not b.action.startswith(("section(", "go(")) and b.action in actions_on_keys:
                assert f"{label}: {b.description}" in palette, b.id


async def test_a_key_changed_in_the_config_file_works_and_help_shows_it(store, demo, make_app, tmp_path):
    from pmtui import config

    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"go.timeline" = "f11"\n"go.nowhere" = "f12"\n')
    app = make_app(demo, "overview", config=config.load(path))
    said: list[str] = []  # what the app told the user (a toast expires after 10 s on a slow machine)
    notify = app.notify
    app.notify = lambda message, **kw: (said.append(message), notify(message, **kw))[1]  # type: ignore[method-assign]
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(app, pilot)
        assert any("keys.go.nowhere" in m for m in said), said
        await pilot.press("f11")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "TimelineScreen"
        await pilot.press("f3")  # the old key no longer goes there
        await settle(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        text = _text(app.screen.keys_table())
        assert "F11" in text
