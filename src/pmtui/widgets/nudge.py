"""A gentle note under a text field when it holds blame-laden words: the phrase
underlined and a reframing. It never blocks input and never rewrites it."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from pmtui.domain.language import Checker, Nudge
from pmtui.safetext import visible


def nudge_text(nudges: list[Nudge]) -> Text:
    out = Text()
    for i, n in enumerate(nudges[:3]):
        if i:
            out.append("\n")
        out.append("⚑ ", style="bold")
        out.append(visible(n.text), style="underline bold")
        out.append(visible(f" {n.phrase.why}: "))
        out.append(visible(n.phrase.reframe), style="italic")
    if len(nudges) > 3:
        out.append(f"\n⚑ and {len(nudges) - 3} more")
    return out


class NudgeLine(Static):
    DEFAULT_CSS = """
    NudgeLine {
        color: $warning;
        padding: 0 1;
        height: auto;
    }
    """

    def on_mount(self) -> None:
        self.display = False
        self.nudges: list[Nudge] = []

    def check(self, text: str, checker: Checker | None = None) -> list[Nudge]:
        checker = checker or getattr(self.app, "checker", None)
        self.nudges = checker.find(text) if checker is not None else []
        self.update(nudge_text(self.nudges))
        self.display = bool(self.nudges)
        return self.nudges
