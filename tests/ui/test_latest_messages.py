"""Reloads that pile up on a busy machine are drawn once, with the newest data: a message
carrying a whole fresh read (ui_types.Latest) supersedes an older one still in the queue."""

from __future__ import annotations

from textual.app import App

from pmtui.screens.home import HomeScreen
from pmtui.ui_types import Latest


class Loaded(Latest):
    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n


class Other(Latest):
    pass


class Recorder(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[int] = []

    def on_loaded(self, message: Loaded) -> None:
        self.seen.append(message.n)


async def test_a_newer_load_waiting_in_the_queue_supersedes_the_older_ones():
    app = Recorder()
    async with app.run_test() as pilot:
        for n in range(5):  # posted before the app's queue is read: only the last is drawn
            app.post_message(Loaded(n))
        await pilot.pause()
        assert app.seen == [4]
        app.post_message(Loaded(5))
        await pilot.pause()
        app.post_message(Loaded(6))
        await pilot.pause()
        assert app.seen == [4, 5, 6]  # one at a time: each is drawn


def test_only_the_same_kind_supersedes():
    assert Loaded(1).can_replace(Loaded(2))
    assert not Loaded(1).can_replace(Other())
    assert issubclass(HomeScreen.ReviewsLoaded, Latest)
