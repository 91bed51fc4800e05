"""The tracker keys of the Actions section and the Follow-ups view: push the selected
action item to the team's tracker (in a worker thread: the screen never freezes on the
network; credentials from the environment, the tracker from the config's ``[tracker]
to``), open its issue, and the tracker's state beside pmtui's when they differ."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text

from pmtui.safetext import literal

if TYPE_CHECKING:  # pragma: no cover
    from textual.screen import Screen

    from pmtui.app import PostmortemApp
    from pmtui.config import Config

PUSH_HELP = ("create an issue in the team's tracker for the selected action item and link it (which tracker: "
             "\"to\" in the config file's tracker table; credentials from the environment)")
ISSUE_HELP = "open the selected action item's issue in the web browser (its URL is shown too)"
WORDS = {"open": "open", "done": "done", "wont_do": "won't do"}


def differs(status: str, tracker_state: str | None) -> bool:
    """Whether what the tracker said last differs from the item's status."""
    from pmtui.trackers.sync import ours

    return bool(tracker_state) and ours(status) != tracker_state


def beside(status: str, tracker_state: str | None, tracker_label: str | None, *, compact: bool = False) -> Text:
    """`` ≠ tracker: closed (not planned)`` when the tracker's state differs, else nothing;
    ``compact``: `` ≠ won't do`` (a narrow column; the detail says the tracker's words)."""
    if not differs(status, tracker_state):
        return Text("")
    if compact:
        return Text(f" ≠ {WORDS.get(tracker_state or '', tracker_state or '')}", style="bold yellow")
    return Text.assemble((" ≠ tracker: ", "bold yellow"), literal(tracker_label or WORDS.get(tracker_state or "", "")))


def _config(app: PostmortemApp) -> Config:
    from pmtui import config

    return app.config if app.config is not None else config.load()


def push_item(screen: Screen[Any], review_id: int, item: dict[str, Any], done: Callable[[], object]) -> None:
    """Push one action item (``item``: its id, title, status, tracker) in a worker thread;
    say what happened, then ``done()`` (reload) on the app's thread."""
    from pmtui.domain.vocab import OPEN_STATUSES
    from pmtui.errors import PmtuiError
    from pmtui.trackers import parse_target

    app: PostmortemApp = screen.app  # type: ignore[assignment]
    if (item.get("tracker") or "").strip():
        app.notify(f"Already linked to {item['tracker']}: press i to open it.", markup=False, timeout=6)
        return
    if item["status"] not in {s.value for s in OPEN_STATUSES}:
        app.notify("Only open action items are pushed to the tracker.", timeout=5)
        return
    cfg = _config(app)
    if not cfg.tracker_to:
        app.notify(f'Say which tracker to push to: [tracker] to = "github:OWNER/REPO" (or gitlab:, jira:, linear:) '
                   f"in {cfg.path}", title="No tracker set", severity="warning", markup=False, timeout=10)
        return
    try:
        target = parse_target(cfg.tracker_to, cfg.tracker_url or None, os.environ)
    except PmtuiError as exc:
        app.notify(exc.message, title="Not pushed", severity="error", markup=False, timeout=10)
        return
    app.notify(f"Pushing to {target}…", timeout=3, markup=False)

    def work() -> None:
        from pmtui.trackers.sync import push

        try:
            report = push(app.store, [review_id], target, cfg.owners, only={item["id"]})
        except PmtuiError as exc:
            message = exc.message
            app.call_from_thread(app.notify, message, title="Not pushed", severity="error", markup=False,
                                 timeout=10)
            return
        url = report.urls.get(item["id"], "")
        lines = [line for line in report.lines if not line.startswith(("created ", "would "))]
        text = "\n".join(lines[-3:]) if not url else f"Linked to {url}" + "".join(
            f"\n{line}" for line in lines if line.startswith(("owner ", "Linear has no")))
        app.call_from_thread(app.notify, text, title="Pushed" if url else "Not pushed",
                             severity="information" if url and not report.conflicts else "warning",
                             markup=False, timeout=10)
        app.call_from_thread(done)

    screen.run_worker(work, thread=True, group="tracker-push", exclusive=False, exit_on_error=False)


def open_issue(app: PostmortemApp, tracker: str) -> None:
    link = (tracker or "").strip()
    if not link:
        app.notify("No issue yet: press ctrl+r to push the item to the tracker.", timeout=5)
        return
    if not link.startswith(("https://", "http://")):
        app.notify(f"The tracker field holds {link}, not a web address.", markup=False, timeout=6)
        return
    app.open_url(link)
    app.notify(f"Opening {link}", markup=False, timeout=6)
