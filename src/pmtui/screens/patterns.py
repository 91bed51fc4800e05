"""Patterns: what keeps happening across reviews, and whether follow-ups get done.

Charts where a look says more than numbers (incidents per month, severities, factor
categories, components, follow-through by owner); every definition is in
``pmtui.domain.patterns``. User text (factors, components, owners) is always shown literally."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Sparkline, Static

from pmtui.domain.vocab import mark_list
from pmtui.errors import BadInput
from pmtui.safetext import one_line
from pmtui.screens import SCREENS_CSS
from pmtui.ui_types import Latest, TypedApp

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.patterns import Patterns, ReviewFacts

WINDOW_HINT = "Window: since:YYYY-MM-DD until:YYYY-MM-DD tag:TAG (Enter applies)"


def bars(items: list[tuple[str, int]], width: int = 24, limit: int = 12) -> Text:
    """Label, bar and count per line; labels are user text, shown as typed."""
    text = Text()
    if not items:
        return Text("none recorded", style="dim")
    top = max(n for _l, n in items) or 1
    items = [(one_line(label), n) for label, n in items]  # labels are stored text: shown escaped
    label_w = min(22, max(len(label) for label, _n in items[:limit]))
    for i, (label, n) in enumerate(items[:limit]):
        if i:
            text.append("\n")
        cut = label if len(label) <= label_w else label[: label_w - 1] + "…"
        text.append(cut.ljust(label_w) + " ")
        text.append("█" * max(1, round(width * n / top)) if n else "", style="cyan")
        text.append(f" {n}")
    if len(items) > limit:
        text.append(f"\n… and {len(items) - limit} more", style="dim")
    return text


def stage_table(p: Patterns) -> Text | Group:
    """Per stage of the review meetings: how often and by how much it ran over its timebox,
    under the one-sentence answer (pmtui.domain.patterns.stage_verdict)."""
    from pmtui.domain.meeting import took_words
    from pmtui.domain.patterns import stage_verdict

    verdict = Text(stage_verdict(p.stage_timeboxes), style="" if p.stage_timeboxes else "dim")
    if not p.stage_timeboxes:
        return verdict
    t = Table(box=None, pad_edge=False, expand=False)
    for col in ("Stage", "Ran over", "Median over", "Worst", "Median took", "Timebox"):  # fits 80 columns
        t.add_column(col, justify="left" if col == "Stage" else "right", no_wrap=True)
    for x in p.stage_timeboxes:
        t.add_row(Text(x.name), Text(f"{x.over} of {x.meetings}", style="bold red" if x.over else ""),
                  Text("—" if x.median_over is None else took_words(x.median_over.total_seconds())),
                  Text("—" if x.worst_over is None else took_words(x.worst_over.total_seconds())),
                  Text(took_words(x.median_took.total_seconds())), Text(f"{x.median_timebox} min"))
    return Group(verdict, t)


def parse_window(value: str) -> tuple[date | None, date | None, str | None]:
    from pmtui.domain.patterns import check_window
    from pmtui.domain.tracker import parse_day

    since = until = tag = None
    for word in value.split():
        key, _, rest = word.partition(":")
        if key == "since" and rest:
            since = parse_day(rest, "since")
        elif key == "until" and rest:
            until = parse_day(rest, "until")
        elif key == "tag" and rest:
            tag = rest
        elif rest or key:
            raise BadInput(f"{word!r} is not since:DATE, until:DATE or tag:TAG")
    check_window(since, until, ("since:", "until:"))
    return since, until, tag


class PatternsScreen(TypedApp, Screen[None]):
    CSS_PATH = SCREENS_CSS
    DEFAULT_CSS = """
    PatternsScreen #patterns-window { margin: 0 1; }
    PatternsScreen #patterns { padding: 0 1; }
    PatternsScreen #patterns-summary { padding: 0 1; height: auto; }
    PatternsScreen .pattern-box {
        height: auto; border: round $primary 50%; border-title-color: $text; padding: 0 1;
    }
    PatternsScreen #patterns-sparkline { height: 3; }
    PatternsScreen #patterns-months-axis { height: 1; }
    PatternsScreen .pattern-grid { grid-size: 2; grid-gutter: 0 1; grid-rows: auto; height: auto; }
    PatternsScreen.-narrow .pattern-grid { grid-size: 1; }
    """
    BINDINGS = [
        Binding("escape", "back", "Reviews", id="patterns.back"),
        Binding("slash", "focus_window", "Window", id="patterns.window"),
        Binding("g", "groups", "Groups", id="patterns.groups",
                tooltip="the recurring groups: merge two, or split a wording out (kept in the store)"),
    ]

    class Computed(Latest):
        def __init__(self, patterns: Patterns) -> None:
            super().__init__()
            self.patterns = patterns

    def __init__(self) -> None:
        super().__init__()
        self.facts: list[ReviewFacts] | None = None
        self.result: Patterns | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=WINDOW_HINT, id="patterns-window")
        with VerticalScroll(id="patterns"):
            yield Static("Reading every review…", id="patterns-summary")
            with Vertical(id="patterns-months", classes="pattern-box"):
                yield Sparkline([], id="patterns-sparkline")
                yield Static("", id="patterns-months-axis")
            with Grid(classes="pattern-grid"):
                yield Static("", id="patterns-severity", classes="pattern-box")
                yield Static("", id="patterns-categories", classes="pattern-box")
            yield Static("", id="patterns-timings", classes="pattern-box")
            yield Static("", id="patterns-stages", classes="pattern-box")
            yield Static("", id="patterns-recurring", classes="pattern-box")
            yield Static("", id="patterns-lessons", classes="pattern-box")
            with Grid(classes="pattern-grid"):
                yield Static("", id="patterns-components", classes="pattern-box")
                yield Static("", id="patterns-repeats", classes="pattern-box")
            yield Static("", id="patterns-follow", classes="pattern-box")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Patterns"
        self.sub_title = "across every review"
        titles = {
            "#patterns-months": "Incidents per month", "#patterns-severity": "Incidents per severity",
            "#patterns-categories": "Contributing factors by category",
            "#patterns-timings": "Timings per quarter (from the marks)",
            "#patterns-stages": "Meeting stages against their timeboxes (pauses left out)",
            "#patterns-recurring": "Recurring factors (the same cause in several reviews) · g: merge, split",
            "#patterns-lessons": "Recurring lessons (the same learning in several reviews)",
            "#patterns-components": "Components affected most often",
            "#patterns-repeats": "Repeat incidents (hit again after a follow-up was done)",
            "#patterns-follow": "Follow-through by owner",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one("#patterns").focus()
        self.compute()

    @work(thread=True, exclusive=True, group="patterns")
    def compute(self, since: date | None = None, until: date | None = None, tag: str | None = None) -> None:
        from pmtui.domain.patterns import Window, compute_patterns
        from pmtui.store.followup import cached_review_facts
        from pmtui.store.pattern_choices import groups_of

        if self.facts is None:
            self.facts = cached_review_facts(self.app.store)
        self.post_message(self.Computed(compute_patterns(self.facts, self.app.today(), Window(since, until, tag),
                                                         groups_of(self.app.store))))

    def refresh_from_store(self) -> None:
        self.facts = None
        self._apply_window()

    # ------------------------------------------------------------ window
    def action_focus_window(self) -> None:
        self.query_one("#patterns-window", Input).focus()

    @on(Input.Submitted, "#patterns-window")
    def _apply_window(self) -> None:
        try:
            since, until, tag = parse_window(self.query_one("#patterns-window", Input).value)
        except BadInput as exc:
            self.query_one("#patterns-summary", Static).update(Text(f"⚠ {exc.message}", style="bold red"))
            return
        self.compute(since, until, tag)

    def action_groups(self) -> None:
        from pmtui.screens.pattern_groups import PatternGroupsScreen

        self.app.push_screen(PatternGroupsScreen(), lambda _r: self._apply_window())

    def action_back(self) -> None:
        box = self.query_one("#patterns-window", Input)
        if box.has_focus:
            self.query_one("#patterns").focus()
            return
        self.app.pop_screen()

    # ------------------------------------------------------------ showing
    def on_patterns_screen_computed(self, message: Computed) -> None:
        from pmtui.domain.metrics import format_duration
        from pmtui.domain.patterns import follow_line

        p = self.result = message.patterns
        summary = Text(f"{p.reviews} review{'s' if p.reviews != 1 else ''}")
        window = [f"since {p.since}" if p.since else "", f"until {p.until}" if p.until else ""]
        if any(window) or p.tag:
            summary.append(" in the window " + " ".join(w for w in window if w))
            if p.tag:
                summary.append(" with the tag ")
                summary.append(one_line(p.tag))
        summary.append(". Follow-through: " + follow_line(p.follow))
        self.query_one("#patterns-summary", Static).update(summary)
        spark = self.query_one("#patterns-sparkline", Sparkline)
        spark.data = [n for _m, n in p.per_month] or [0]
        axis = Text(style="dim")
        if p.per_month:
            first, last = p.per_month[0][0], p.per_month[-1][0]
            busiest = max(p.per_month, key=lambda mn: mn[1])
            axis.append(f"{first} … {last} · busiest {busiest[0]}: {busiest[1]}")
        self.query_one("#patterns-months-axis", Static).update(axis)
        self.query_one("#patterns-severity", Static).update(bars(p.per_severity))
        self.query_one("#patterns-categories", Static).update(bars(p.factor_categories))

        if p.timings:
            t = Table(box=None, pad_edge=False, expand=False)
            for col in ("Quarter", "Metric", "Median", "Worst", "Reviews"):
                t.add_column(col, justify="right" if col in ("Median", "Worst", "Reviews") else "left")
            for x in p.timings:
                t.add_row(Text(x.quarter), Text(one_line(x.label)), Text(format_duration(x.median)),
                          Text(format_duration(x.worst)), Text(str(x.count)))
            self.query_one("#patterns-timings", Static).update(t)
        else:
            self.query_one("#patterns-timings", Static).update(
                Text(f"No review has the marks these need ({mark_list()}).", style="dim"))

        self.query_one("#patterns-stages", Static).update(stage_table(p))

        rec = Text()
        for i, g in enumerate(p.recurring[:15]):
            if i:
                rec.append("\n")
            rec.append(f"{len(g.reviews)}× ", style="bold")
            rec.append(one_line(g.wording))
            rec.append(f" [{one_line(g.category)}]", style="dim")
            rec.append("\n   " + ", ".join(one_line(r) for r in g.reviews), style="dim")
        if len(p.recurring) > 15:
            rec.append(f"\n… and {len(p.recurring) - 15} more groups", style="dim")
        self.query_one("#patterns-recurring", Static).update(
            rec if p.recurring else Text("None: no two reviews share a factor's cause.", style="dim"))

        les = Text()
        for i, g in enumerate(p.lessons[:10]):
            if i:
                les.append("\n")
            les.append(f"{len(g.reviews)}× ", style="bold")
            les.append(g.wording)
            les.append("\n   " + ", ".join(g.reviews), style="dim")
        if len(p.lessons) > 10:
            les.append(f"\n… and {len(p.lessons) - 10} more groups", style="dim")
        self.query_one("#patterns-lessons", Static).update(
            les if p.lessons else Text("None: no two reviews share a lesson.", style="dim"))

        self.query_one("#patterns-components", Static).update(bars([(c.name, c.count) for c in p.components]))
        rep = Text()
        for i, r in enumerate(p.repeats[:12]):
            if i:
                rep.append("\n")
            rep.append(one_line(r.component), style="bold")
            rep.append(": “")
            rep.append(one_line(r.action))
            rep.append(f"” done by {r.closed.isoformat()}; hit again in {len(r.later)} later review"
                       f"{'s' if len(r.later) != 1 else ''}")
        if len(p.repeats) > 12:
            rep.append(f"\n… and {len(p.repeats) - 12} more", style="dim")
        self.query_one("#patterns-repeats", Static).update(rep if p.repeats else Text("None found.", style="dim"))

        if p.by_owner:
            t = Table(box=None, pad_edge=False, expand=False)
            for col in ("Owner", "Done", "", "Open", "Overdue", "Days to close"):
                t.add_column(col, justify="left" if col in ("Owner", "") else "right")
            for f in p.by_owner[:20]:
                share = round(10 * f.share_done)
                t.add_row(Text(one_line(f.who)), Text(f"{f.done}/{f.total}"),
                          Text("█" * share + "░" * (10 - share), style="green"), Text(str(f.open)),
                          Text(str(f.overdue), style="bold red" if f.overdue else ""),
                          Text("—" if f.median_days_to_close is None else f"{f.median_days_to_close:g}"))
            self.query_one("#patterns-follow", Static).update(t)
        else:
            self.query_one("#patterns-follow", Static).update(Text("No action items yet.", style="dim"))

    def palette_commands(self) -> Iterable[SystemCommand]:
        for b in self.BINDINGS:
            assert isinstance(b, Binding)  # declared as Binding, never as a tuple
            yield SystemCommand(f"Patterns: {b.description}", f"key: {b.key}",
                                lambda b=b: self.run_action(b.action))
