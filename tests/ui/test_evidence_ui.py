"""The Timeline's "add evidence" dialog and source filter (issue 13): the preview says
what would be added before anything is written; Add writes it; a bad file shows one
sentence and adds nothing; the filter shows one source; the event form shows where an
imported event came from and the original text, read-only."""

from __future__ import annotations

import json
import os
from pathlib import Path

from textual.widgets import Button, Input, OptionList, Static

from conftest import SHARED_ROOT, settle, shared
from pmtui.screens.evidence import EvidenceScreen, SourceFilterScreen, complete_path
from pmtui.screens.form import FormScreen
from pmtui.widgets.timeline_table import TimelineTable

SHARED = SHARED_ROOT / "evidence"


def sample(rel: str) -> Path:
    """A real sample from ../shared/evidence (conftest.shared: skipped where absent, a failure under CI)."""
    return shared(rel, root=SHARED)


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


# ------------------------------------------------- where evidence came from, at every width
def _logs(store, review_id, tmp_path) -> None:
    """Two log files' lines, one of them on a whole minute (10:41:00 in Berlin)."""
    import json

    from pmtui.evidence import gather

    for name, times in (("api.jsonl", ["09:40:05", "09:41:00"]), ("worker.jsonl", ["09:40:42", "09:43:10"])):
        path = tmp_path / name
        path.write_text("".join(json.dumps({"time": f"2026-03-10T{t}Z", "level": "warn", "msg": f"{name} line {t}"})
                                + "\n" for t in times))
        gather.add(store, gather.preview(store, review_id, [path]))


def _line_of(table: TimelineTable, text: str) -> list[str]:
    """The lines a row is drawn on (the table scrolled so that the row is on screen)."""
    index = next(i for i, r in enumerate(table.rows) if r.text == text)
    table.scroll_to(y=table._offsets[index], animate=False)
    top = int(table.scroll_y)
    return [table.render_line(y - top + 1).text for y in range(table._offsets[index], table._offsets[index + 1])]


async def test_the_source_stays_visible_beside_the_notes_panel_and_compact_at_80x24(store, demo, make_app, tmp_path):
    from pmtui.widgets.notes_panel import NotesPanel

    _logs(store, demo, tmp_path)
    app = make_app(demo, "timeline")
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(app, pilot)
        assert app.screen.query_one(NotesPanel).display  # the notes panel is open at 160x45
        table = app.screen.query_one(TimelineTable)
        cols = dict(table._columns(table.size.width))
        assert "Source" in cols and cols["Event"] >= TimelineTable.EVENT_MIN
        assert "Source" in table.render_line(0).text
        api, worker = _line_of(table, "api.jsonl line 09:40:05"), _line_of(table, "worker.jsonl line 09:40:42")
        assert "api.jsonl" in api[0] and "worker.js" in worker[0]  # two sources told apart
        assert len(api) == 1  # a log line stays one line
        typed = _line_of(table, "SLO burn-rate alert pages the payments on-call engineer")
        assert "pager" in " ".join(typed)
    app = make_app(demo, "timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        cols = dict(table._columns(table.size.width))
        assert "Source" not in cols and cols["Event"] >= TimelineTable.EVENT_MIN  # no room for a column
        api, worker = _line_of(table, "api.jsonl line 09:40:05"), _line_of(table, "worker.jsonl line 09:40:42")
        assert api[0].split()[:2] == ["10:40:05", "event"] and api[1].split() == ["api.jso…"]
        assert worker[1].split() == ["worker.…"]  # under the kind: the source, short
        # a typed event keeps its one line (its source is in the detail line and the form)
        assert len(_line_of(table, "p95 checkout latency back under 400 ms")) == 1
        # the notes panel open as well: no Kind column either, the source goes before the text
        await pilot.press("f10")
        await settle(app, pilot)
        assert "Kind" not in dict(table._columns(table.size.width))
        assert " ".join(_line_of(table, "worker.jsonl line 09:40:42")).split()[:2] == ["10:40:42", "[worker.jsonl]"]


async def test_evidence_times_keep_their_seconds(store, demo, make_app, tmp_path, monkeypatch):
    from pmtui.store import timeline_rows

    _logs(store, demo, tmp_path)
    for size in ((160, 45), (80, 24)):
        app = make_app(demo, "timeline")
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            table = app.screen.query_one(TimelineTable)
            assert _line_of(table, "api.jsonl line 09:40:05")[0].split()[0] == "10:40:05"
            # on a whole minute still (a log line at 10:41:00 is not "about 10:41")
            assert _line_of(table, "api.jsonl line 09:41:00")[0].split()[0] == "10:41:00"
            # a typed event written to the minute stays HH:MM
            assert _line_of(table, "p95 checkout latency back under 400 ms")[0].split()[0] == "11:29"
    # a long timeline (read by pages, one line per row): the first row of a day keeps its
    # time whole at 80 columns (the day has no room), and evidence says its source
    monkeypatch.setattr(timeline_rows, "READ_WHOLE", 5)
    app = make_app(demo, "timeline")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(TimelineTable)
        assert hasattr(table.rows, "index_of")
        first = table.render_line(1).text.split()
        assert first[0] == "10:40" and first[1] == "change"  # the demo's first event, typed at 10:40
        index = next(i for i, r in enumerate(table.rows) if r.text == "api.jsonl line 09:40:05")
        table.scroll_to(y=index, animate=False)
        line = table.render_line(index - int(table.scroll_y) + 1).text
        assert line.split()[:3] == ["10:40:05", "event", "[api.jsonl]"]


async def test_far_evidence_is_said_and_an_imports_events_go_in_one_undoable_step(store, demo, make_app, tmp_path):
    """Another year's log in a review of a known incident: the preview says so and Add says
    "anyway"; afterwards ctrl+d on the Timeline removes every event of that source in one
    step (asked first), and ctrl+z brings them all back."""
    old = tmp_path / "pager-2016.jsonl"
    old.write_text("".join(json.dumps({"time": f"2016-05-0{d}T10:00:00Z", "level": "warn", "msg": f"queue page {d}"})
                           + "\n" for d in range(1, 6)))
    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        dialog = await open_dialog(app, pilot, str(old))
        await pilot.press("enter")
        await settle(app, pilot)
        preview = text_of(dialog.query_one("#evidence-preview", Static))
        assert "warning: 5 of the 5 new events are far from the incident: 2016-05-01 … 2016-05-05" in preview
        assert str(dialog.query_one("#evidence-add", Button).label) == "Add anyway (ctrl+s)"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert len(store.events(demo)) == 15
        [source] = [s for s in store.event_sources(demo) if "pager-2016" in s]
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        picker = app.screen
        labels = [str(o.prompt) for o in picker.query_one("OptionList").options]
        assert f"{source} (5)" in labels and not any(label.startswith("every source") for label in labels)
        picker.query_one("OptionList").highlighted = labels.index(f"{source} (5)")
        await pilot.press("enter")
        await settle(app, pilot)
        assert f"Remove the 5 events of {source}?" in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
        assert len(store.events(demo)) == 10 and source not in store.event_sources(demo)
        assert len(app.screen.query_one(TimelineTable).rows) == 10
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert store.event_sources(demo)[source] == 5
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert source not in store.event_sources(demo)


async def test_add_evidence_from_a_live_source(store, demo, make_app, httpserver, monkeypatch):
    """The dialog offers the live sources beside files (issue 27): PagerDuty's API by
    incident, against a local stand-in answering with PagerDuty's own log_entries example."""
    import json as _json

    body = _json.loads(sample("pagerduty/api-schema-log_entries-example.json").read_text())
    httpserver.expect_request("/incidents/PT4KHLK/log_entries").respond_with_json({**body, "more": False})
    monkeypatch.setenv("PAGERDUTY_TOKEN", "pd-key-for-the-test")
    monkeypatch.setenv("PAGERDUTY_API_URL", httpserver.url_for("/"))
    from textual.widgets import Select

    app = make_app(demo, "timeline")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        dialog = await open_dialog(app, pilot, "")
        kinds = [value for _, value in dialog.query_one("#evidence-kind", Select)._options]
        assert {"slack-api", "pagerduty-api", "statuspage-url"} <= set(kinds)
        dialog.query_one("#evidence-kind", Select).value = "pagerduty-api"
        dialog.query_one("#evidence-incident", Input).value = "PT4KHLK"
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        preview = text_of(dialog.query_one("#evidence-preview", Static))
        assert preview.startswith("would add 1 event;"), preview
        assert "sources: pagerduty 1" in preview
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, EvidenceScreen)
        assert len(store.events(demo)) == 11
