"""The wiki-ready Markdown report (pure: a document in, Markdown text out).

Reads well on GitHub/GitLab, MkDocs, Hugo, Jekyll and Obsidian, and never breaks
whatever people typed nor lets it run there: plain fields are escaped the way every
target's parser honours (numeric entities where backslash escapes are not universal),
Markdown fields keep their formatting but cannot break the report's structure
(headings demoted, fences closed, no setext headings) nor inject anything (raw HTML
escaped, links only to http/https/mailto, template syntax neutralised). ``Wiki``
holds what differs between targets (``render(..., wiki="hugo")``). The same review
always gives the same bytes.

No Textual imports here.
"""

from __future__ import annotations

import html
import html.entities
import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import Enum
from typing import TYPE_CHECKING, Any

from pmtui.domain.metrics import Metric, between, compute, format_duration
from pmtui.domain.plain_fields import ACTION_LABELS, SHOWN
from pmtui.domain.vocab import (
    ACTION_STATUS_WORDS,
    COMPONENT_STATUS_WORDS,
    MARK_WORDS,
    OBSERVATION_HEADINGS,
    PHASES,
    REVIEW_STATUS_WORDS,
    UNRESOLVED_PHASE,
    ActionStatus,
    EventKind,
    FactorCategory,
    Mark,
    NoteKind,
)
from pmtui.export.markdown import Wiki, get_wiki, heading_text, link, markdown_block, plain, table, yaml_str

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.document import ReviewDoc

NONE_RECORDED = "_None recorded._"



# ---------------------------------------------------------------- redaction
def redact_names(doc: ReviewDoc) -> ReviewDoc:
    """Replace participants', authors' and owners' names by their role and a letter,
    everywhere in the document, consistently."""
    by_role: dict[str, list[str]] = {}
    for p in doc.participants:
        names = by_role.setdefault(p.role.strip() or "participant", [])
        if p.name not in names:
            names.append(p.name)
    mapping: dict[str, str] = {}
    for role, names in by_role.items():
        for i, name in enumerate(names):
            if name not in mapping:
                mapping[name] = role if len(names) == 1 else f"{role} {_letter(i)}"
    for kind, names in (("author", doc.authors), ("owner", [a.owner for a in doc.action_items])):
        extra = [n for n in dict.fromkeys(names) if n.strip() and n not in mapping]
        for i, name in enumerate(extra):
            mapping[name] = f"{kind} {_letter(i)}" if len(extra) > 1 else kind
    first: dict[str, list[str]] = {}  # a participant's given name alone is theirs too, when unambiguous
    for name in dict.fromkeys(p.name for p in doc.participants):
        parts = name.split()
        if len(parts) > 1 and len(parts[0]) >= 3:
            first.setdefault(parts[0], []).append(name)
    for given, full in first.items():
        if len(full) == 1 and given not in mapping:
            mapping[given] = mapping[full[0]]
    if not mapping:
        return doc
    names = sorted(mapping, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return mapping[value] if value in mapping else pattern.sub(lambda m: mapping[m.group(1)], value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in ("format", "at", "timezone", "due", "review_date") else walk(v)) for k, v in value.items()}
        return value

    from pmtui.domain import plain
    from pmtui.domain.document import ReviewDoc, to_dict

    data = plain.to_dict(doc) if isinstance(doc, plain.PlainDoc) else to_dict(doc)
    return ReviewDoc.model_validate(walk(data))


def _letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


# ------------------------------------------------------------------ helpers
def report_date(doc: ReviewDoc) -> date | None:
    """The day impact started, else the first event's day, else the review date."""
    zone = doc.zone()
    marks = doc.marks()
    if Mark.impact_start in marks:
        return marks[Mark.impact_start].astimezone(zone).date()
    if doc.timeline:
        return doc.timeline[0].at.astimezone(zone).date()
    return doc.review_date


@dataclass
class _Ctx:
    doc: ReviewDoc
    zone: tzinfo
    seconds: bool
    metrics: list[Metric]
    wiki: Wiki

    def time(self, at: datetime) -> str:
        return self.stamp(at)[11:]

    def stamp(self, at: datetime) -> str:
        """``%Y-%m-%d %H:%M`` (``:%S`` with seconds) in the review's zone (isoformat:
        several times quicker than strftime; years are four digits in a review)."""
        local = at.astimezone(self.zone)
        return local.isoformat(" ", "seconds")[:19] if self.seconds else local.isoformat(" ", "minutes")[:16]

    def plain(self, text: str) -> str:
        return plain(text, self.wiki)

    def md(self, text: str, level: int = 2) -> str:
        return markdown_block(text, level, self.wiki)


_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#|[A-Za-z][A-Za-z0-9]*;?)")


def _html_markup(text: str) -> bool:
    """Whether a browser would read part of ``text`` as a tag, a comment or a character reference."""
    for m in _MARKUP.finditer(text):
        if m.group(0)[0] == "<" or m.group(0) == "&#":
            return True
        name = m.group(0)[1:]
        if name.endswith(";") or any(name.startswith(k) for k in _LEGACY_ENTITIES):
            return True
    return False


_LEGACY_ENTITIES = tuple(k for k in html.entities.html5 if not k.endswith(";"))


def meta_text(text: str, wiki: Wiki, key: str = "title") -> str:
    """A front-matter string for this wiki (then written as a YAML scalar): the exact text,
    unless the site prints this key as raw HTML (``wiki.raw_html``).

    MkDocs Material prints the title and tags as raw HTML (its navigation, ``<title>``,
    tag list): ``--wiki mkdocs`` writes their ``<``, ``>`` and ``&`` HTML-escaped. Jekyll's
    seo tag (minima's head) prints the first author raw, in an attribute and in a script:
    ``--wiki jekyll`` writes authors with ``"`` escaped too. The portable default does so
    only for a value with markup in it (``<b``, ``&amp;``, an author's ``"``), which would
    otherwise be live on those sites: every other value is exact there too."""
    if key not in wiki.raw_html:
        return text
    quote = key == "authors"
    if wiki.meta == "html" or _html_markup(text) or (quote and '"' in text):
        return html.escape(text, quote=quote).replace("&#x27;", "'")
    return text


def tag_slug(tag: str) -> str:
    """A tag as one word, the form Obsidian and Hugo accept: ``on call`` -> ``on-call``."""
    slug = re.sub(r"[^\w-]+", "-", tag.lower()).strip("-_") or "tag"
    return f"tag-{slug}" if slug.isdigit() else slug


def page_tags(doc: ReviewDoc, wiki: Wiki) -> list[str]:
    tags = [tag_slug(t) if wiki.slug_tags else t for t in doc.tags]
    return list(dict.fromkeys(tags))


def _front_matter(doc: ReviewDoc, metrics: list[Metric], wiki: Wiki) -> str:
    def q(text: str, key: str = "") -> str:
        return yaml_str(meta_text(text, wiki, key), inert=wiki.meta == "portable")

    day = report_date(doc)
    lines = ["---", f"title: {q(doc.title, 'title')}"]
    if day is not None:
        lines.append(f"date: {day.isoformat()}")
    lines.append(f"status: {doc.status.value}")
    lines.append(f"severity: {q(doc.severity) if doc.severity is not None else 'null'}")
    lines.append("tags: [" + ", ".join(q(t, "tags") for t in page_tags(doc, wiki)) + "]")
    lines.append("authors: [" + ", ".join(q(a, "authors") for a in doc.authors) + "]")
    lines.append(f"incident_ref: {q(doc.incident_ref) if doc.incident_ref is not None else 'null'}")
    for m in metrics:
        if m.value is not None:
            lines.append(f"{m.key}_min: {m.minutes()}")
    lines.append("---")
    return "\n".join(lines)


def _metadata_table(ctx: _Ctx) -> str:
    """What the front matter says, for a wiki that shows front matter as text."""
    doc = ctx.doc
    rows = [["Status", REVIEW_STATUS_WORDS[doc.status]]]
    if doc.severity:
        rows.append(["Severity", ctx.plain(doc.severity)])
    day = report_date(doc)
    if day:
        rows.append(["Date", day.isoformat()])
    if doc.review_date:
        rows.append(["Reviewed", doc.review_date.isoformat()])
    if doc.incident_ref:
        ref = doc.incident_ref
        rows.append(["Incident", link(ref, ref, ctx.wiki) if ref.startswith(("http://", "https://")) else ctx.plain(ref)])
    if doc.authors:
        rows.append(["Authors", ", ".join(ctx.plain(a) for a in doc.authors)])
    if doc.tags:
        rows.append(["Tags", ", ".join(ctx.plain(t) for t in page_tags(doc, ctx.wiki))])
    return table(["Field", "Value"], rows)


def _metrics_table(ctx: _Ctx) -> str | None:
    marks = ctx.doc.marks()
    if not marks:
        return None
    rows = []
    for m in ctx.metrics:
        if m.missing and len(m.missing) == 2:
            continue
        def where(mark: str) -> str:
            at = marks.get(Mark(mark))
            return f"{MARK_WORDS[Mark(mark)]} ({ctx.stamp(at)})" if at else f"{MARK_WORDS[Mark(mark)]} (not marked)"
        if m.value is not None:
            value = format_duration(m.value)
        elif m.missing:
            value = "not known"
        else:
            value = "not computable"
        rows.append([m.label, value, where(m.start_mark), where(m.end_mark)])
    if not rows:
        return None
    return table(["Metric", "Duration", "From", "To"], rows)


_TICKS = [(1, "minute"), (5, "minute"), (10, "minute"), (15, "minute"), (30, "minute"), (1, "hour"), (2, "hour"),
          (3, "hour"), (6, "hour"), (12, "hour"), (1, "day"), (2, "day"), (7, "day")]
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def _gantt(ctx: _Ctx) -> str | None:
    """The incident's phases as a Mermaid gantt chart.

    A phase too short to see at the chart's width (a tenth of a tick or less, a
    0-minute one included) is drawn as a milestone with its real length in its label;
    the axis shows the day when the phases span more than one day; ticks are spaced
    so that at most eight labels share the width MkDocs Material gives the chart."""
    marks = ctx.doc.marks()
    phases = [(p.name.capitalize(), p.start, p.end, tag)
              for p, tag in zip((*PHASES, UNRESOLVED_PHASE), ("crit, ", "active, ", "", "done, "))]
    order = [p[1] for p in phases] + [phases[-1][2]]  # impact starts, detected, mitigated, impact ends, resolved
    spans = []
    for i, (label, start, end, tag) in enumerate(phases):
        if start not in marks:
            continue
        if end not in marks:  # runs to the next mark there is: mitigated, then resolved without an impact end
            end = next((m for m in order[order.index(start) + 1 :] if m in marks), end)
            if end not in marks:
                continue
            label = f"{label}, to {MARK_WORDS[end]}"
        if marks[end] >= marks[start]:
            spans.append((i, label, tag, marks[start].astimezone(ctx.zone), marks[end].astimezone(ctx.zone)))
    if not spans:
        return None
    first = min(a for *_, a, _b in spans)
    last = max(b for *_, b in spans)
    total_min = max(between(first, last).total_seconds() / 60, 1)  # real minutes, across DST too
    every, unit = next(((n, u) for n, u in _TICKS if total_min / (n * _UNIT_MINUTES[u]) <= 8), _TICKS[-1])
    tick_min = every * _UNIT_MINUTES[unit]
    many_days = first.date() != last.date()
    fmt = "%Y-%m-%d %H:%M:%S"
    lines = []
    for i, label, tag, a, b in spans:
        length = format_duration(between(a, b))
        if between(a, b).total_seconds() / 60 <= tick_min / 10:
            lines.append(f"    {label} ({length}) :milestone, p{i + 1}, {a.strftime(fmt)}, 0m")
        else:
            lines.append(f"    {label} ({length}) :{tag}p{i + 1}, {a.strftime(fmt)}, {b.strftime(fmt)}")
    return "\n".join(
        ["```mermaid", "gantt", f"    title Incident phases ({ctx.doc.timezone})", "    dateFormat YYYY-MM-DD HH:mm:ss",
         f"    axisFormat {'%b %d %H:%M' if many_days else '%H:%M'}", f"    tickInterval {every}{unit}",
         "    todayMarker off", "    section Incident", *lines, "```"]
    )


def _told(e: Any) -> bool:
    """Whether an event enters the timeline table: typed events do; imported evidence
    (pmtui-review/2 ``source_id``) only when highlighted or marked."""
    return not e.source_id or e.highlight or bool(e.marks)


def _timeline(ctx: _Ctx, highlights_only: bool) -> list[str]:
    events = [e for e in ctx.doc.timeline if _told(e)]
    evidence_left = len(ctx.doc.timeline) - len(events)
    if highlights_only:
        events = [e for e in events if e.highlight or e.marks]
    if not ctx.doc.timeline:
        return [NONE_RECORDED]
    out = []
    gantt = _gantt(ctx)
    if gantt:
        out.append(gantt)
    if highlights_only:
        out.append(f"_Showing {len(events)} of {len(ctx.doc.timeline)} events: the highlighted and marked ones._")
    elif evidence_left:
        sources: dict[str, int] = {}
        for e in ctx.doc.timeline:
            if not _told(e):
                sources[e.source] = sources.get(e.source, 0) + 1
        named = ", ".join(f"{n:,} from {ctx.plain(src) or 'an unnamed source'}" for src, n in sorted(sources.items()))
        out.append(f"_Showing {len(events):,} of {len(ctx.doc.timeline):,} events: {evidence_left:,} imported "
                   f"{'pieces' if evidence_left != 1 else 'piece'} of evidence ({named}) are kept in the review "
                   "and shown here only when highlighted or marked._")
    rows = []
    last_day = None
    sources_shown: dict[str, str] = {}  # a long timeline names a few sources many times
    kinds = {k: k.value for k in EventKind}
    for e in events:
        stamp = ctx.stamp(e.at)
        day = stamp[:10]
        when = stamp if day != last_day else stamp[11:]
        last_day = day
        if e.approximate:
            when = "&#126;" + when
        text = ctx.plain(e.text)
        if e.highlight:
            text = f"**{text}**"
        marks = ", ".join(MARK_WORDS[m] for m in e.marks) if e.marks else ""
        source = sources_shown.get(e.source)
        if source is None:
            source = sources_shown[e.source] = ctx.plain(e.source)
        rows.append([when, kinds[e.kind], text, source, f"**{marks}**" if marks else ""])
    if rows:
        out.append(table([f"Time ({ctx.plain(ctx.doc.timezone)})", "Kind", "Event", "Source", "Marks"], rows))
    return out


def _impact(ctx: _Ctx) -> list[str]:
    imp = ctx.doc.impact
    out = []
    if imp.description.strip():
        out.append(ctx.md(imp.description))
    metrics = _metrics_table(ctx)
    if metrics:
        out.append(metrics)
    if imp.components:
        if any(c.start or c.end for c in imp.components):
            def when(at: datetime | None) -> str:
                return ctx.stamp(at) if at is not None else ""

            out.append(table(["Component", "Status", f"From ({ctx.plain(ctx.doc.timezone)})", "Until"],
                             [[ctx.plain(c.name), COMPONENT_STATUS_WORDS[c.status], when(c.start), when(c.end)]
                              for c in imp.components]))
        else:
            out.append(table(["Component", "Status"],
                             [[ctx.plain(c.name), COMPONENT_STATUS_WORDS[c.status]] for c in imp.components]))
    facts = []
    if imp.users_affected is not None:
        facts.append(f"- **Users affected:** {imp.users_affected:,}")
    if imp.support_tickets is not None:
        facts.append(f"- **Support tickets:** {imp.support_tickets:,}")
    if imp.slo_budget_spent_pct is not None:
        facts.append(f"- **SLO error budget spent:** {imp.slo_budget_spent_pct:g}&#37;")
    if imp.data_loss.strip():
        facts.append(f"- **Data loss:** {ctx.plain(imp.data_loss)}")
    elif facts or imp.components:
        facts.append("- **Data loss:** none")
    if facts:
        out.append("\n".join(facts))
    if imp.customer_communication.strip():
        out.append("**Customer communication**")
        out.append(ctx.md(imp.customer_communication, level=3))
    out += _more(ctx, imp, SHOWN["Impact"], _IMPACT_LAID_OUT)
    return out or [NONE_RECORDED]


# the impact's fields _impact lays out itself; every other field of Impact follows them (_more)
_IMPACT_LAID_OUT = ("description", "users_affected", "components", "data_loss", "support_tickets",
                    "slo_budget_spent_pct", "customer_communication")


def _shown(ctx: _Ctx, value: Any) -> str:
    """One value of a field, in the report's words."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return ctx.plain(str(value.value))
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, datetime):
        return ctx.stamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return ctx.plain(str(value))


def _more(ctx: _Ctx, item: Any, fields: tuple[tuple[str, str, bool], ...], laid_out: tuple[str, ...]) -> list[str]:
    """The fields of a document model the report does not lay out itself, in the model's
    order, each under its label (``title=``) when it is not empty: Markdown text as a block,
    any other value on a line. A field added to the document is reported without an edit
    here (tests/test_report.py checks that every field reaches the report). ``fields`` are
    the model's (field, label, Markdown?) from ``plain_fields.SHOWN``, generated from the
    model: no pydantic here."""
    out: list[str] = []
    facts: list[str] = []
    for name, label, markdown in fields:
        value = getattr(item, name)
        if name in laid_out or value in ("", None, []):
            continue
        if markdown:
            if value.strip():
                out += [f"**{ctx.plain(label)}**", ctx.md(value, level=3)]
        else:
            facts.append(f"- **{ctx.plain(label)}:** {_shown(ctx, value)}")
    return (["\n".join(facts)] if facts else []) + out


def _meeting(ctx: _Ctx) -> list[str]:
    """The review meeting: when it was held, and each stage's actual time against its timebox."""
    from pmtui.domain.meeting import STAGE_NAMES, against_timebox, duration, took_words

    held = ctx.doc.meeting
    if held is None:
        return []
    start = held.started.astimezone(ctx.zone)
    if held.ended is not None:
        end = held.ended.astimezone(ctx.zone)
        until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
        when = (f"Held {start:%Y-%m-%d} from {start:%H:%M} to {until} "
                f"({duration(held.ended - held.started)}, pauses included).")
    else:
        when = f"Started {start:%Y-%m-%d %H:%M}; the meeting had not ended when this report was written."
    current = next((s.stage for s in held.stages if s.took_seconds is None), None) if held.ended is None else None
    rows = [[STAGE_NAMES[s.stage.value], f"{s.timebox_minutes} min",
             "—" if s.took_seconds is None else took_words(s.took_seconds),
             against_timebox(s.took_seconds, s.timebox_minutes, current=s.stage == current)]
            for s in held.stages]
    over = [STAGE_NAMES[s.stage.value] for s in held.stages
            if s.took_seconds is not None and against_timebox(s.took_seconds, s.timebox_minutes) != "within"]
    lines = [when + " Actual time per stage, pauses left out:",
             table(["Stage", "Timebox", "Took", "Against the timebox"], rows)]
    if over:
        lines.append(f"Ran over: {', '.join(over)}.")
    return lines


def _action_items(ctx: _Ctx) -> list[str]:
    doc = ctx.doc
    if not doc.action_items:
        return [NONE_RECORDED]
    today_rows = []
    for i, a in enumerate(doc.action_items, 1):
        status = ACTION_STATUS_WORDS[a.status]
        if a.status_note.strip():
            status += f": {ctx.plain(a.status_note)}"
        elif a.status == ActionStatus.wont_do:
            status += " (no reason given)"
        tracker = link(a.tracker, a.tracker, ctx.wiki) if a.tracker.startswith(("http://", "https://")) \
            else ctx.plain(a.tracker)
        today_rows.append([
            str(i), ctx.plain(a.title), a.type.value, ctx.plain(a.owner) or "_unassigned_", a.priority.value,
            a.due.isoformat() if a.due else "", status, tracker,
        ])
    out = [table(["#", "Action", "Type", "Owner", "Priority", "Due", "Status", "Tracker"], today_rows)]
    # the item's other fields (declared in pmtui.domain.document.ActionItem, not laid out above),
    # each under the item when it is not empty: a field added to the document is reported
    more = [name for name in ACTION_LABELS if name not in _ACTION_TABLE]
    for i, a in enumerate(doc.action_items, 1):
        extra = [f"- **{ACTION_LABELS[n]}:** {ctx.plain(str(getattr(a, n)))}" for n in more
                 if getattr(a, n) not in ("", None)]
        if a.description.strip() or extra:
            out.append(f"**{i}\\. {ctx.plain(a.title)}**")
        if a.description.strip():
            out.append(ctx.md(a.description, level=3))
        if extra:
            out.append("\n".join(extra))
    return out


# the action item fields the report's table and its descriptions show
_ACTION_TABLE = ("title", "type", "owner", "priority", "due", "status", "status_note", "tracker", "description")


def render(
    doc: ReviewDoc,
    *,
    highlights_only: bool = False,
    redact: bool = False,
    related_pages: dict[str, str] | None = None,
    wiki: str | Wiki | None = None,
) -> str:
    """The whole report as Markdown text, for ``wiki`` (a name of WIKIS; default portable).

    ``related_pages`` maps a related review's slug to its page file name."""
    target = get_wiki(wiki)
    if redact:
        doc = redact_names(doc)
    zone = doc.zone()
    seconds = any((e.at.second or e.at.microsecond) and _told(e) for e in doc.timeline)
    metrics = compute(doc.marks())
    ctx = _Ctx(doc, zone, seconds, metrics, target)
    parts: list[str] = [f"# {heading_text(doc.title, target)}"]

    if target.front_matter:
        facts = []
        if doc.severity:
            facts.append(f"**Severity:** {ctx.plain(doc.severity)}")
        facts.append(f"**Status:** {REVIEW_STATUS_WORDS[doc.status]}")
        day = report_date(doc)
        if day:
            facts.append(f"**Date:** {day.isoformat()}")
        if doc.review_date:
            facts.append(f"**Reviewed:** {doc.review_date.isoformat()}")
        if doc.incident_ref:
            ref = doc.incident_ref
            facts.append(f"**Incident:** {link(ref, ref, target) if ref.startswith(('http://', 'https://')) else ctx.plain(ref)}")
        if doc.authors:
            facts.append(f"**Authors:** {', '.join(ctx.plain(a) for a in doc.authors)}")
        parts.append(" · ".join(facts))
    else:
        parts.append(_metadata_table(ctx))

    def section(title: str, body: list[str] | str | None, always: bool = False) -> None:
        if isinstance(body, str):
            body = [body] if body.strip() else []
        if not body:
            if not always:
                return
            body = [NONE_RECORDED]
        parts.append(f"## {title}")
        parts.extend(body)

    section("Summary", ctx.md(doc.summary) if doc.summary.strip() else None, always=True)
    section("Impact", _impact(ctx), always=True)
    section("Timeline", _timeline(ctx, highlights_only), always=True)
    section("Trigger", ctx.md(doc.trigger) if doc.trigger.strip() else None)
    section("Detection", ctx.md(doc.detection) if doc.detection.strip() else None)
    section("Resolution", ctx.md(doc.resolution) if doc.resolution.strip() else None)

    factors = []
    for cat in FactorCategory:
        items = [f for f in doc.factors if f.category == cat]
        if items:
            factors.append(f"### {cat.value.capitalize()} ({len(items)})")
            factors.append("\n".join(f"- {ctx.plain(f.text)}" for f in items))
    section("Contributing factors", factors, always=True)

    lessons = []
    for kind, title in OBSERVATION_HEADINGS.items():
        seen = [o for o in doc.observations if o.kind == kind]
        if seen:
            lessons.append(f"### {title}")
            lessons.append("\n".join(f"- {ctx.plain(o.text)}" for o in seen))
    section("Lessons learned", lessons)
    section("Action items", _action_items(ctx), always=True)
    section("Learnings", "\n".join(f"- {ctx.plain(t)}" for t in doc.learnings if t.strip()))
    section("Open questions", "\n".join(f"- {ctx.plain(n.text)}" for n in doc.notes if n.kind == NoteKind.question))
    # an idea that became an action item is listed once: as the action item
    section("Parked ideas", "\n".join(f"- {ctx.plain(n.text)}" for n in doc.notes if n.kind == NoteKind.idea
                                       and not any(b.kind == "action_item" for b in n.became)))
    if doc.participants:
        section("Participants", table(
            ["Name", "Role", "Attended"],
            [[ctx.plain(p.name), ctx.plain(p.role), "yes" if p.attended else "no"] for p in doc.participants],
        ))
    section("Review meeting", _meeting(ctx))
    related = []
    for ref in doc.related:
        page = (related_pages or {}).get(ref)
        related.append(f"- [{plain(ref, target, urls=False)}]({target.page_link(page)})" if page else f"- {ctx.plain(ref)}")
    section("Related reviews", "\n".join(related))
    section("Links", "\n".join(f"- {link(lk.title, lk.url, target)}" for lk in doc.links))
    body = "\n\n".join(parts) + "\n"
    if target.liquid_raw:
        body = wrap_liquid_raw(body)
    if target.front_matter:
        return _front_matter(doc, metrics, target) + "\n\n" + body
    return body


_ENDRAW = re.compile(r"\{%(?=-?\s*endraw)")


def wrap_liquid_raw(body: str) -> str:
    """Jekyll runs Liquid on a page before Markdown: inside {% raw %} it leaves the
    text alone; a typed {% endraw %} (only possible in code) is written by Liquid."""
    return "{% raw %}\n" + _ENDRAW.sub('{% endraw %}{{ "{%" }}{% raw %}', body) + "{% endraw %}\n"
