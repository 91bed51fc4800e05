"""No screen draws a raw control character from stored text: every screen is opened on a
review whose action titles, owners, factors, components, tags and evidence sources hold
the sequences that retitle and reset a terminal, and its rendered segments are read.
(The command line's side: tests/test_terminal_output.py.)"""

from __future__ import annotations

import json
import re

from pmtui.app import PostmortemApp
from pmtui.domain.document import validate_document
from pmtui.domain.vocab import Section

HOSTILE = "\x1b]0;PWNED\x07\x1b[2J\x1bc\x1b(0\x1bP1$r\x1b\\\x9b31m\x7f"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def hostile_doc(example_raw: dict) -> dict:
    d = json.loads(json.dumps(example_raw))
    d["title"] = f"Queue backlog {HOSTILE}"
    d["tags"] = [f"queue{HOSTILE}"]
    d["impact"]["components"] = [{"name": f"Checkout {HOSTILE}", "status": "partial_outage"}]
    for f in d["factors"]:
        f["text"] = f"Retry storm {HOSTILE}"
    for a in d["action_items"]:
        a["title"] = f"Add a bound {HOSTILE}"
        a["owner"] = f"Amara {HOSTILE}"
        a["status"] = "done"  # patterns' follow-through and repeat incidents name done items
        a["description"] = f"Checkout {HOSTILE}"
        a["status_note"] = f"Note {HOSTILE}"
    d["action_items"][0]["status"] = "open"
    for e in d["timeline"]:
        e["source"] = f"pager {HOSTILE}"
    return d


def rendered(app) -> list[tuple[str, str]]:
    """Every segment the screen draws now: (widget-free text, where)."""
    found = []
    for y, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            found.append((segment.text, f"line {y}"))
    return found


def assert_inert(app, where: str) -> None:
    for text, line in rendered(app):
        raw = CONTROL.search(text)
        assert raw is None, f"{where}, {line}: a raw {raw.group()!r} in {text!r}"


async def test_no_screen_draws_a_raw_control_character(store, example_raw):
    from conftest import TODAY, settle

    doc = validate_document(hostile_doc(example_raw))
    # two reviews, a week apart: patterns finds a recurring factor and a repeat incident
    later = hostile_doc(example_raw)
    for e in later["timeline"]:
        e["at"] = e["at"].replace("2026-03-", "2026-04-") if "2026-03-" in e["at"] else e["at"]
    ids = [rid for rid, _ in store.import_documents([doc, validate_document(later)])]
    app = PostmortemApp(store, today=lambda: TODAY, watch_interval=None)
    seen = []
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(app, pilot)
        assert_inert(app, "home")
        seen.append("home")
        await pilot.press("f6")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "FollowupsScreen"
        assert any("PWNED" in t for t, _ in rendered(app)), "the hostile text is on the screen, escaped"
        assert_inert(app, "follow-ups")
        await pilot.press("down")
        await settle(app, pilot)
        assert_inert(app, "follow-ups, the next item's detail")
        seen.append("followups")
        app.pop_screen()
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PatternsScreen"
        assert any("PWNED" in t for t, _ in rendered(app))
        assert_inert(app, "patterns")
        seen.append("patterns")
    for section in Section:
        app = PostmortemApp(store, review_id=ids[0], screen=section, today=lambda: TODAY, watch_interval=None)
        async with app.run_test(size=(200, 60)) as pilot:
            await settle(app, pilot)
            assert_inert(app, section)
            if section == Section.timeline:
                await pilot.press("s")  # the evidence source filter lists the sources
                await settle(app, pilot)
                assert type(app.screen).__name__ == "SourceFilterScreen"
                assert_inert(app, "source filter")
                await pilot.press("escape")
                await settle(app, pilot)
                await pilot.press("w")
                await settle(app, pilot)
                assert type(app.screen).__name__ == "WalkThroughScreen"
                assert_inert(app, "walk-through")
            seen.append(section)
    assert len(seen) == 3 + len(Section)
