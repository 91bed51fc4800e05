"""The Timeline's "add evidence" dialog and source filter (issue 13): the preview says
what would be added before anything is written; Add writes it; a bad file shows one
sentence and adds nothing; the filter shows one source; the event form shows where an
imported event came from and the original text, read-only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.widgets import Button, Input, OptionList, Static

from conftest import settle
from pmtui.screens.evidence import EvidenceScreen, SourceFilterScreen, complete_path
from pmtui.screens.form import FormScreen
from pmtui.widgets.timeline_table import TimelineTable

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "evidence"


def sample(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the shared evidence samples: {path} is missing")
        pytest.skip(f"the shared evidence samples are not here ({path})")
    return path


def text_of(widget: Static) -> str:
    return str(widget.render())


async def open_dialog(app, pilot, path: str) -> EvidenceScreen:
    await pilot.press("v")
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, EvidenceScreen)
    screen.query_one("#evidence-path", Input).value = path
    return screen


async def test_add_evidence_previews_then_adds_and_the_source_filter(store, demo, make_app, tmp_path):
    github = sample("statuspage/githubstatus-2024-09-16-incidents.json")
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert len(app.screen.query_one(TimelineTable).rows) == 10
        # a bad file: one sentence, nothing added, Add stays off
        bad = tmp_path / "incidents.json"
        bad.write_bytes(github.read_bytes()[:4000])
        dialog = await open_dialog(app, pilot, str(bad))
        await pilot.press("enter")
        await settle(app, pilot)
        shown = text_of(dialog.query_one("#evidence-preview", Static))
        assert shown.startswith("⚠ incidents.json: line ") and shown.endswith("Nothing was added.")
        assert dialog.query_one("#evidence-add", Button).disabled
        assert len(store.events(demo)) == 10
        # the real file: the preview, before anything is written
        dialog.query_one("#evidence-path", Input).value = str(github)
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        preview = text_of(dialog.query_one("#evidence-preview", Static)).splitlines()
        assert preview[0] == "would add 12 events; 0 already in the review (skipped)"
        assert preview[1] == "first: 2024-09-16T13:29:47.204000Z  (2024-09-16 15:29:47 Europe/Berlin)"
        assert preview[2] == "last:  2024-09-16T22:08:39.333000Z  (2024-09-17 00:08:39 Europe/Berlin)"
        assert "sources: statuspage:githubstatus 12" in preview
        assert len(store.events(demo)) == 10  # nothing yet
        assert not dialog.query_one("#evidence-add", Button).disabled
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, EvidenceScreen)
        assert len(store.events(demo)) == 22
        assert len(app.screen.query_one(TimelineTable).rows) == 22
        # the same file again: the preview says they are all there
        dialog = await open_dialog(app, pilot, str(github))
        await pilot.press("enter")
        await settle(app, pilot)
        assert text_of(dialog.query_one("#evidence-preview", Static)).startswith(
            "would add 0 events; 12 already in the review (skipped)")
        await pilot.press("escape")
        await settle(app, pilot)
        assert len(store.events(demo)) == 22

        # the source filter: only the status page's events, then every source again
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, SourceFilterScreen)
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        assert labels[0] == "every source (22)" and "statuspage:githubstatus (12)" in labels
        app.screen.query_one(OptionList).highlighted = labels.index("statuspage:githubstatus (12)")
        await pilot.press("enter")
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        assert len(table.rows) == 12 and {r.source for r in table.rows} == {"statuspage:githubstatus"}

        # the event form: where it came from and what the source wrote, read-only
        table.cursor = next(i for i, r in enumerate(table.rows) if "<br" in store.event_original(r.id)[2])
        await pilot.press("e")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        source = text_of(form.query_one("#f-source", Static))
        assert source.startswith("statuspage:githubstatus · id ")
        assert "<br />" in text_of(form.query_one("#f-original", Static))  # literally, markup and all
        form.query_one("#f-confirmed").value = True
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert [e.confirmed for e in store.events(demo) if e.id == table.selected.id] == [True]

        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("home", "enter")
        await settle(app, pilot)
        assert len(app.screen.query_one(TimelineTable).rows) == 22


def test_path_completion(tmp_path):
    (tmp_path / "incidents.json").write_text("{}")
    (tmp_path / "slack-export").mkdir()
    (tmp_path / "slack-export.zip").write_text("")
    assert complete_path(str(tmp_path / "inc")) == str(tmp_path / "incidents.json")
    assert complete_path(str(tmp_path / "sl")) == str(tmp_path / "slack-export")  # the part both share
    assert complete_path(str(tmp_path / "slack-export")) is None  # two names start so
    assert complete_path(str(tmp_path / "nothing")) is None
    (tmp_path / "logs").mkdir()
    assert complete_path(str(tmp_path / "lo")) == str(tmp_path / "logs") + os.sep  # a folder: go on typing in it
