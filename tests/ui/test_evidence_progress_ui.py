"""The add-evidence dialog (issue 27): a progress bar while a long file is read, and the
incident's window offered as a box; both at 80x24 and 160x45."""

from __future__ import annotations

import json

from textual.widgets import Checkbox, Input, ProgressBar, Static

from conftest import settle
from pmtui.screens.evidence import EvidenceScreen


async def test_the_window_box_and_the_progress_bar(store, demo, make_app, tmp_path):
    log = tmp_path / "app.jsonl"
    log.write_text("".join(json.dumps({"time": f"2026-03-10T{h:02d}:00:00Z", "msg": f"at {h}"}) + "\n"
                           for h in range(24)))
    for size in ((80, 24), (160, 45)):
        app = make_app(demo, "timeline")
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await pilot.press("v")
            await settle(app, pilot)
            dialog = app.screen
            assert isinstance(dialog, EvidenceScreen)
            bar = dialog.query_one("#evidence-progress", ProgressBar)
            assert not bar.display  # only while a long read goes on
            dialog.query_one("#evidence-path", Input).value = str(log)
            dialog.query_one("#evidence-window", Checkbox).value = True
            dialog.show_progress(50, 200)
            await settle(app, pilot)
            assert bar.display and bar.percentage == 0.25
            app.save_screenshot(str(tmp_path / f"evidence-{size[0]}.svg"))
            await pilot.press("ctrl+r")
            await settle(app, pilot)
            await pilot.pause(0.5)
            await settle(app, pilot)
            shown = str(dialog.query_one("#evidence-preview", Static).render())
            assert "would add" in shown, shown  # the demo review's start and marks make its window
            assert not bar.display

