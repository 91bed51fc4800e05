"""The stage bar: the meeting's three stages and their sections, the current one
highlighted (in reverse video and with a ▸, not by colour alone)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from pmtui.domain import vocab
from pmtui.domain.vocab import SECTION_TABLE, STAGE_NAMES, STAGE_SHORT_NAMES, MeetingStage, Section
from pmtui.keys import short_key


def _sections(*sections: Section) -> list[tuple[str, str, str]]:
    rows = {r.section: r for r in SECTION_TABLE}
    return [(s.value, rows[s].label, short_key(rows[s].key)) for s in sections]


# (stage number, stage name, short name, [(section id, label, key)]), read from vocab.SECTION_TABLE:
# the opening, the three numbered stages, and what comes after the meeting (the report)
STAGES: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("" if stage is MeetingStage.opening else str(i), STAGE_NAMES[stage], STAGE_SHORT_NAMES[stage],
     _sections(*vocab.STAGE_SECTIONS[stage]))
    for i, stage in enumerate(MeetingStage)
] + [
    ("", vocab.SECTION_LABELS[vocab.AFTER_THE_MEETING], vocab.SECTION_LABELS[vocab.AFTER_THE_MEETING],
     _sections(vocab.AFTER_THE_MEETING)),
]
SECTIONS = [s for _, _, _, secs in STAGES for s, _, _ in secs]
SECTION_LABELS = {s: label for _, _, _, secs in STAGES for s, label, _ in secs}
SECTION_KEYS = {s: key for _, _, _, secs in STAGES for s, _, key in secs}
SECTION_STAGE_NAME = {s: name for _, name, _, secs in STAGES for s, _, _ in secs}
# the meeting stage (pmtui-review/1 note stage) a section belongs to
SECTION_STAGE: dict[str, str] = {s.value: stage.value for s, stage in vocab.SECTION_STAGE.items()}


class StageBar(Widget):
    DEFAULT_CSS = """
    StageBar {
        height: 1;
        background: $panel;
        color: $text;
    }
    """

    section: reactive[str] = reactive(Section.overview.value)

    def _build(self, compact: int) -> Text:
        """compact 0: full stage names; 1: short names; 2: stage numbers only; 3: the
        sections alone (80 columns: every key with its section's name); 4: other sections
        show their key alone (a word is shown whole or not at all)."""
        if compact == 3:
            return self._sections_only()
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, (number, name, short, sections) in enumerate(STAGES):
            current_stage = any(s == self.section for s, _, _ in sections)
            if i:
                text.append(" │ " if compact < 2 else " ", style="dim")
            if current_stage:
                text.append("▸", style="bold")
            label = (name, short, "", "", "")[compact]
            if (number and len(sections) > 1) or (number and compact == 0):
                text.append(f"{number} {label}: " if label else f"{number} ", style="bold" if current_stage else "")
            elif number:
                text.append(f"{number} ", style="bold" if current_stage else "")
            for j, (sid, slabel, key) in enumerate(sections):
                if j:
                    text.append(" ")
                if sid == self.section:
                    text.append(f" {key} {slabel} ", style="reverse bold")
                else:
                    if compact < 4:
                        text.append(f"{key} ", style="bold dim")
                        text.append(slabel)
                    else:
                        text.append(key, style="bold dim")
        return text

    def _sections_only(self) -> Text:
        """Every section with its key and name, one space apart (the current one's own
        padding stands for the spaces beside it): 78 columns at most."""
        text = Text(no_wrap=True, overflow="ellipsis")
        gap = False
        for _number, _name, _short, sections in STAGES:
            for sid, slabel, key in sections:
                if sid == self.section:
                    text.append(f" {key} {slabel} ", style="reverse bold")
                    gap = False
                    continue
                if gap:
                    text.append(" ")
                text.append(f"{key} ", style="bold dim")
                text.append(slabel)
                gap = True
        return text

    def render(self) -> Text:
        width = self.size.width or 80
        for compact in (0, 1, 2, 3, 4):
            text = self._build(compact)
            if text.cell_len <= width:
                return text
        return text
