"""The wiki-ready Markdown report (pure: a document in, Markdown text out).

Reads well on GitHub/GitLab, MkDocs, Hugo and Obsidian, and never breaks whatever
people typed: plain fields are escaped, Markdown fields keep their formatting but
cannot break the report's structure (headings demoted, fences closed, no setext
headings, raw HTML escaped). The same review always gives the same bytes.

No Textual imports here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, Iterable
from urllib.parse import quote

from pmtui.document import (
    MARK_WORDS,
    ActionStatus,
    FactorCategory,
    Mark,
    NoteKind,
    ObservationKind,
    ReviewDoc,
    to_dict,
)
from pmtui.metrics import Metric, between, compute, format_duration

NONE_RECORDED = "_None recorded._"

COMPONENT_WORDS = {
    "degraded_performance": "degraded performance",
    "partial_outage": "partial outage",
    "major_outage": "major outage",
}
STATUS_WORDS = {"draft": "draft", "in_review": "in review", "published": "published"}
ACTION_STATUS_WORDS = {"open": "open", "in_progress": "in progress", "done": "done", "wont_do": "won't do"}
OBSERVATION_HEADINGS = {
    ObservationKind.went_well: "What went well",
    ObservationKind.went_wrong: "What went wrong",
    ObservationKind.lucky: "Where we got lucky",
}


# ------------------------------------------------------------------ escaping
_YAML_SAFE = re.compile(r"[\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


def yaml_str(text: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``text``."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif _YAML_SAFE.fullmatch(ch):
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


_INLINE_ESCAPES = str.maketrans(
    {
        "\\": "\\\\", "`": "\\`", "*": "\\*", "_": "\\_", "[": "\\[", "]": "\\]", "|": "\\|", "~": "\\~",
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "\\$",
    }
)
_LINE_START = re.compile(r"^([#+=-])|^(\d+)([.)])")


def plain(text: str) -> str:
    """Plain text that renders literally, on one line (in a cell, a list item, a heading)."""
    parts = []
    for line in _lines(text):
        line = line.strip().translate(_INLINE_ESCAPES)
        line = _LINE_START.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\" + m.group(3), line)
        parts.append(line)
    return "<br>".join(p for p in parts) if len(parts) > 1 else parts[0]


def heading_text(text: str) -> str:
    return plain(" ".join(line.strip() for line in _lines(text))).replace("#", "\\#")


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(-+|=+)[ \t]*$")
_CODE_RUN = re.compile(r"`+")
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^<>\s]+>")


def _escape_html(segment: str) -> str:
    out, last = [], 0
    for m in _AUTOLINK.finditer(segment):
        out.append(segment[last : m.start()].replace("<", "&lt;").replace(">", "&gt;"))
        out.append(m.group(0))
        last = m.end()
    out.append(segment[last:].replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(out)


def _escape_html_outside_code(line: str) -> str:
    """Escape ``<``/``>`` except inside code spans of the line."""
    out, pos = [], 0
    runs = list(_CODE_RUN.finditer(line))
    i = 0
    while i < len(runs):
        opener = runs[i]
        closer = next((r for r in runs[i + 1 :] if len(r.group(0)) == len(opener.group(0))), None)
        if closer is None:
            i += 1
            continue
        out.append(_escape_html(line[pos : opener.start()]))
        out.append(line[opener.start() : closer.end()])
        pos = closer.end()
        i = runs.index(closer) + 1
    out.append(_escape_html(line[pos:]))
    return "".join(out)


def markdown_block(text: str, level: int = 2) -> str:
    """A Markdown field, kept as Markdown but unable to break the report around it.

    ``level`` is the heading level of the section it sits in: its own headings are
    pushed below it. Fences are closed, ``---``/``===`` lines cannot make a heading
    of the line above, and raw HTML is escaped (outside code)."""
    out: list[str] = []
    fence: str | None = None
    for line in _lines(text.rstrip()):
        if fence is not None:
            m = _FENCE.match(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not m.group(2).strip():
                fence = None
            out.append(line)
            continue
        m = _FENCE.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = m.group(1)
            out.append(line)
            continue
        if _SETEXT.match(line) and out and out[-1].strip():
            out.append("")  # a blank line first: never a setext heading
        h = _ATX.match(line)
        if h:
            new_level = min(6, len(h.group(2)) + level)
            line = h.group(1) + "#" * new_level + line[h.end() :]
        out.append(_escape_html_outside_code(line))
    if fence is not None:
        out.append(fence)
    return "\n".join(out).strip("\n")


def link(label: str, url: str) -> str:
    if re.match(r"^(https?://|mailto:)\S+$", url.strip()):
        target = quote(url.strip(), safe=":/?#[]@!$&'*+,;=%~-._")
        return f"[{plain(label) or plain(url)}]({target})"
    return plain(f"{label}: {url}" if label else url)


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell if cell else " " for cell in row) + " |")
    return "\n".join(lines)


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

    return ReviewDoc.model_validate(walk(to_dict(doc)))


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

    def time(self, at: datetime) -> str:
        local = at.astimezone(self.zone)
        return local.strftime("%H:%M:%S" if self.seconds else "%H:%M")

    def stamp(self, at: datetime) -> str:
        local = at.astimezone(self.zone)
        return local.strftime("%Y-%m-%d %H:%M:%S" if self.seconds else "%Y-%m-%d %H:%M")


def _front_matter(doc: ReviewDoc, metrics: list[Metric]) -> str:
    day = report_date(doc)
    lines = ["---", f"title: {yaml_str(doc.title)}"]
    if day is not None:
        lines.append(f"date: {day.isoformat()}")
    lines.append(f"status: {doc.status.value}")
    lines.append(f"severity: {yaml_str(doc.severity) if doc.severity is not None else 'null'}")
    lines.append("tags: [" + ", ".join(yaml_str(t) for t in doc.tags) + "]")
    lines.append("authors: [" + ", ".join(yaml_str(a) for a in doc.authors) + "]")
    lines.append(f"incident_ref: {yaml_str(doc.incident_ref) if doc.incident_ref is not None else 'null'}")
    for m in metrics:
        if m.value is not None:
            lines.append(f"{m.key}_min: {m.minutes()}")
    lines.append("---")
    return "\n".join(lines)


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


def _gantt(ctx: _Ctx) -> str | None:
    marks = ctx.doc.marks()
    phases = [
        ("Undetected", Mark.impact_start, Mark.detected, "crit, "),
        ("Responding", Mark.detected, Mark.mitigated, "active, "),
        ("Recovering", Mark.mitigated, Mark.impact_end, ""),
        ("Mitigated, not yet resolved", Mark.impact_end, Mark.resolved, "done, "),
    ]
    lines = []
    for i, (label, start, end, tag) in enumerate(phases):
        if start in marks and end in marks and marks[end] >= marks[start]:
            a, b = marks[start].astimezone(ctx.zone), marks[end].astimezone(ctx.zone)
            length = format_duration(between(a, b))
            fmt = "%Y-%m-%d %H:%M:%S"
            lines.append(f"    {label} ({length}) :{tag}p{i + 1}, {a.strftime(fmt)}, {b.strftime(fmt)}")
    if not lines:
        return None
    zone_name = ctx.doc.timezone
    return "\n".join(
        ["```mermaid", "gantt", f"    title Incident phases ({zone_name})", "    dateFormat YYYY-MM-DD HH:mm:ss",
         "    axisFormat %H:%M", "    section Incident", *lines, "```"]
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
        named = ", ".join(f"{n:,} from {plain(src) or 'an unnamed source'}" for src, n in sorted(sources.items()))
        out.append(f"_Showing {len(events):,} of {len(ctx.doc.timeline):,} events: {evidence_left:,} imported "
                   f"{'pieces' if evidence_left != 1 else 'piece'} of evidence ({named}) are kept in the review "
                   "and shown here only when highlighted or marked._")
    rows = []
    last_day = None
    for e in events:
        local = e.at.astimezone(ctx.zone)
        when = ctx.stamp(e.at) if local.date() != last_day else ctx.time(e.at)
        last_day = local.date()
        if e.approximate:
            when = "~" + when
        text = plain(e.text)
        if e.highlight:
            text = f"**{text}**"
        marks = ", ".join(MARK_WORDS[m] for m in e.marks)
        rows.append([when, e.kind.value, text, plain(e.source), f"**{marks}**" if marks else ""])
    if rows:
        out.append(table([f"Time ({plain(ctx.doc.timezone)})", "Kind", "Event", "Source", "Marks"], rows))
    return out


def _impact(ctx: _Ctx) -> list[str]:
    imp = ctx.doc.impact
    out = []
    if imp.description.strip():
        out.append(markdown_block(imp.description))
    metrics = _metrics_table(ctx)
    if metrics:
        out.append(metrics)
    if imp.components:
        if any(c.start or c.end for c in imp.components):
            def when(at: datetime | None) -> str:
                return ctx.stamp(at) if at is not None else ""

            out.append(table(["Component", "Status", f"From ({plain(ctx.doc.timezone)})", "Until"],
                             [[plain(c.name), COMPONENT_WORDS[c.status.value], when(c.start), when(c.end)]
                              for c in imp.components]))
        else:
            out.append(table(["Component", "Status"],
                             [[plain(c.name), COMPONENT_WORDS[c.status.value]] for c in imp.components]))
    facts = []
    if imp.users_affected is not None:
        facts.append(f"- **Users affected:** {imp.users_affected:,}")
    if imp.support_tickets is not None:
        facts.append(f"- **Support tickets:** {imp.support_tickets:,}")
    if imp.slo_budget_spent_pct is not None:
        facts.append(f"- **SLO error budget spent:** {imp.slo_budget_spent_pct:g}%")
    if imp.data_loss.strip():
        facts.append(f"- **Data loss:** {plain(imp.data_loss)}")
    elif facts or imp.components:
        facts.append("- **Data loss:** none")
    if facts:
        out.append("\n".join(facts))
    if imp.customer_communication.strip():
        out.append("**Customer communication**")
        out.append(markdown_block(imp.customer_communication, level=3))
    return out or [NONE_RECORDED]


def _action_items(doc: ReviewDoc) -> list[str]:
    if not doc.action_items:
        return [NONE_RECORDED]
    today_rows = []
    for i, a in enumerate(doc.action_items, 1):
        status = ACTION_STATUS_WORDS[a.status.value]
        if a.status_note.strip():
            status += f": {plain(a.status_note)}"
        elif a.status == ActionStatus.wont_do:
            status += " (no reason given)"
        tracker = link(a.tracker, a.tracker) if a.tracker.startswith(("http://", "https://")) else plain(a.tracker)
        today_rows.append([
            str(i), plain(a.title), a.type.value, plain(a.owner) or "_unassigned_", a.priority.value,
            a.due.isoformat() if a.due else "", status, tracker,
        ])
    out = [table(["#", "Action", "Type", "Owner", "Priority", "Due", "Status", "Tracker"], today_rows)]
    for i, a in enumerate(doc.action_items, 1):
        if a.description.strip():
            out.append(f"**{i}. {plain(a.title)}**")
            out.append(markdown_block(a.description, level=3))
    return out


def render(
    doc: ReviewDoc,
    *,
    highlights_only: bool = False,
    redact: bool = False,
    related_pages: dict[str, str] | None = None,
) -> str:
    """The whole report as Markdown text."""
    if redact:
        doc = redact_names(doc)
    zone = doc.zone()
    seconds = any((e.at.second or e.at.microsecond) and _told(e) for e in doc.timeline)
    metrics = compute(doc.marks())
    ctx = _Ctx(doc, zone, seconds, metrics)
    parts: list[str] = [_front_matter(doc, metrics), f"# {heading_text(doc.title)}"]

    facts = []
    if doc.severity:
        facts.append(f"**Severity:** {plain(doc.severity)}")
    facts.append(f"**Status:** {STATUS_WORDS[doc.status.value]}")
    day = report_date(doc)
    if day:
        facts.append(f"**Date:** {day.isoformat()}")
    if doc.review_date:
        facts.append(f"**Reviewed:** {doc.review_date.isoformat()}")
    if doc.incident_ref:
        ref = doc.incident_ref
        facts.append(f"**Incident:** {link(ref, ref) if ref.startswith(('http://', 'https://')) else plain(ref)}")
    if doc.authors:
        facts.append(f"**Authors:** {', '.join(plain(a) for a in doc.authors)}")
    parts.append(" · ".join(facts))

    def section(title: str, body: list[str] | str | None, always: bool = False) -> None:
        if isinstance(body, str):
            body = [body] if body.strip() else []
        if not body:
            if not always:
                return
            body = [NONE_RECORDED]
        parts.append(f"## {title}")
        parts.extend(body)

    section("Summary", markdown_block(doc.summary) if doc.summary.strip() else None, always=True)
    section("Impact", _impact(ctx), always=True)
    section("Timeline", _timeline(ctx, highlights_only), always=True)
    section("Trigger", markdown_block(doc.trigger) if doc.trigger.strip() else None)
    section("Detection", markdown_block(doc.detection) if doc.detection.strip() else None)
    section("Resolution", markdown_block(doc.resolution) if doc.resolution.strip() else None)

    factors = []
    for cat in FactorCategory:
        items = [f for f in doc.factors if f.category == cat]
        if items:
            factors.append(f"### {cat.value.capitalize()} ({len(items)})")
            factors.append("\n".join(f"- {plain(f.text)}" for f in items))
    section("Contributing factors", factors, always=True)

    lessons = []
    for kind, title in OBSERVATION_HEADINGS.items():
        items = [o for o in doc.observations if o.kind == kind]
        if items:
            lessons.append(f"### {title}")
            lessons.append("\n".join(f"- {plain(o.text)}" for o in items))
    section("Lessons learned", lessons)
    section("Action items", _action_items(doc), always=True)
    section("Learnings", "\n".join(f"- {plain(t)}" for t in doc.learnings if t.strip()))
    section("Open questions", "\n".join(f"- {plain(n.text)}" for n in doc.notes if n.kind == NoteKind.question))
    # an idea that became an action item is listed once: as the action item
    section("Parked ideas", "\n".join(f"- {plain(n.text)}" for n in doc.notes if n.kind == NoteKind.idea
                                       and not any(b.kind == "action_item" for b in n.became)))
    if doc.participants:
        section("Participants", table(
            ["Name", "Role", "Attended"],
            [[plain(p.name), plain(p.role), "yes" if p.attended else "no"] for p in doc.participants],
        ))
    related = []
    for ref in doc.related:
        page = (related_pages or {}).get(ref)
        related.append(f"- [{plain(ref)}]({quote(page)})" if page else f"- {plain(ref)}")
    section("Related reviews", "\n".join(related))
    section("Links", "\n".join(f"- {link(lk.title, lk.url)}" for lk in doc.links))
    return "\n\n".join(parts) + "\n"
