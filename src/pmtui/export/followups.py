"""The wiki's ``actions.md`` and ``patterns.md`` (pure Markdown; no Textual).

``pmtui export --all --to DIR`` calls :func:`write_followup_pages` once; the pages link
to the review pages of the same folder, and ``index.md`` links to them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from pmtui.domain.meeting import took_words
from pmtui.domain.metrics import format_duration
from pmtui.domain.patterns import Patterns, ReviewFacts, follow_line, stage_verdict
from pmtui.domain.tracker import ACTION_WORDS, ActionRow
from pmtui.export.markdown import plain, table, yaml_str

INDEX_LINKS = "Across all reviews: [open action items](actions.md) · [patterns](patterns.md)\n\n"


def _review_link(slug: str, pages: dict[str, str]) -> str:
    page = pages.get(slug)
    return f"[{plain(slug)}]({page})" if page else plain(slug)


def actions_page(rows: list[ActionRow], today: date, pages: dict[str, str]) -> str:
    """Open action items across reviews, overdue first (rows already sorted)."""
    late = sum(r.overdue(today) for r in rows)
    out = [f"---\ntitle: {yaml_str('Open action items')}\n---\n", "# Open action items\n",
           f"{len(rows)} open action item{'s' if len(rows) != 1 else ''} across all reviews, {late} overdue "
           f"(as of {today.isoformat()}).\n"]
    if rows:
        body = []
        for r in rows:
            due = (r.due or "") + (" **overdue**" if r.overdue(today) else "")
            body.append([due, ACTION_WORDS.get(r.status, r.status), r.priority, plain(r.owner) or "_no owner_",
                         plain(r.title), _review_link(r.review_slug, pages)])
        out.append(table(["Due", "Status", "Priority", "Owner", "Action", "Review"], body) + "\n")
    return "\n".join(out)


def _mermaid_bars(title: str, labels: list[str], values: list[int]) -> str:
    names = ", ".join(f'"{label}"' for label in labels)
    return (f"```mermaid\nxychart-beta\n    title \"{title}\"\n    x-axis [{names}]\n"
            f"    y-axis \"Incidents\" 0 --> {max([*values, 1])}\n    bar [{', '.join(map(str, values))}]\n```\n")


def patterns_page(p: Patterns, pages: dict[str, str]) -> str:
    out = [f"---\ntitle: {yaml_str('Patterns across reviews')}\n---\n", "# Patterns across reviews\n",
           f"{p.reviews} review{'s' if p.reviews != 1 else ''}. How each number is measured: `pmtui patterns --help`.\n"]
    if not p.reviews:
        return "\n".join(out)

    def links(slugs: tuple[str, ...]) -> str:
        return ", ".join(_review_link(s, pages) for s in slugs)

    out.append("## Incidents per month\n")
    out.append(_mermaid_bars("Incidents per month", [m for m, _ in p.per_month], [n for _, n in p.per_month]))
    out.append(table(["Month", "Incidents"], [[m, str(n)] for m, n in p.per_month]) + "\n")
    out.append("## Incidents per severity\n")
    out.append(table(["Severity", "Incidents"], [[plain(s), str(n)] for s, n in p.per_severity]) + "\n")
    out.append("## Timings per quarter\n")
    if p.timings:
        out.append(table(["Quarter", "Metric", "Median", "Worst", "Reviews"],
                         [[t.quarter, t.label, format_duration(t.median), format_duration(t.worst), str(t.count)]
                          for t in p.timings]) + "\n")
    else:
        out.append("_No review has the marks these need._\n")
    out.append("## Contributing factors by category\n")
    out.append((table(["Category", "Factors"], [[c, str(n)] for c, n in p.factor_categories]) if p.factor_categories
                else "_None recorded._") + "\n")
    out.append("## Recurring factors\n")
    if p.recurring:
        out.append(table(["Factor", "Category", "Reviews", "Also worded"],
                         [[plain(g.wording), g.category, links(g.reviews), "; ".join(plain(v) for v in g.variants)]
                          for g in p.recurring]) + "\n")
    else:
        out.append("_No two reviews share a similar factor._\n")
    out.append("## Components affected most often\n")
    out.append((table(["Component", "Incidents", "Reviews"],
                      [[plain(c.name), str(c.count), links(c.reviews)] for c in p.components[:30]])
                if p.components else "_None recorded._") + "\n")
    out.append("## Repeat incidents\n")
    out.append((table(["Component", "Done action item", "Done by", "Hit again in"],
                      [[plain(r.component), f"{plain(r.action)} ({_review_link(r.action_review, pages)})",
                        r.closed.isoformat(), links(r.later)] for r in p.repeats])
                if p.repeats else "_None found._") + "\n")
    out.append("## Meeting stages against their timeboxes\n")
    out.append(stage_verdict(p.stage_timeboxes) + "\n")
    if p.stage_timeboxes:
        out.append(table(["Stage", "Meetings", "Ran over", "Median over", "Worst over", "Median took", "Timebox"],
                         [[t.name, str(t.meetings), f"{t.over} ({t.share_over:.0%})",
                           "" if t.median_over is None else took_words(t.median_over.total_seconds()),
                           "" if t.worst_over is None else took_words(t.worst_over.total_seconds()),
                           took_words(t.median_took.total_seconds()), f"{t.median_timebox} min"]
                          for t in p.stage_timeboxes]) + "\n")
    out.append("## Follow-through\n")
    out.append(plain(follow_line(p.follow)) + "\n")
    if p.by_owner:
        out.append(table(["Owner", "Items", "Done", "Open", "Overdue", "Won't do", "Median days to close"],
                         [[plain(f.who), str(f.total), f"{f.done} ({f.share_done:.0%})", str(f.open), str(f.overdue),
                           str(f.wont_do), "" if f.median_days_to_close is None else f"{f.median_days_to_close:g}"]
                          for f in p.by_owner]) + "\n")
    return "\n".join(out)


def write_followup_pages(facts: list[ReviewFacts], folder: Path, pages: dict[str, str], write: Callable[[Path, str], None],
                         today: date | None = None) -> list[Path]:
    """Write ``actions.md`` and ``patterns.md`` into ``folder``; returns their paths."""
    from pmtui.domain import tracker
    from pmtui.domain.patterns import compute_patterns
    today = today or date.today()
    rows = tracker.select((a for r in facts for a in r.actions), tracker.Filter(statuses=tracker.OPEN), today)
    written = []
    for name, text in (("actions.md", actions_page(rows, today, pages)),
                       ("patterns.md", patterns_page(compute_patterns(facts, today), pages))):
        path = folder / name
        write(path, text)
        written.append(path)
    return written
