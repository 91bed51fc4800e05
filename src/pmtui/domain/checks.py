"""The readiness check: what a review still needs before it is published
(facilitation.md's checklist). Pure: a document in, findings out.

Each finding has its place (a JSON path into the document, and words for people),
what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from pmtui.domain.language import Checker, make_checker
from pmtui.domain.vocab import (
    ACTION_STATUS_WORDS,
    KEY_MARKS,
    MARK_KEYS,
    MARK_WORDS,
    OPEN_STATUSES,
    ActionStatus,
    FactorCategory,
    Mark,
    NoteKind,
)

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.document import ReviewDoc

# (earlier, later): the later mark must not come before the earlier one
ORDER = [
    (Mark.impact_start, Mark.detected),
    (Mark.detected, Mark.mitigated),
    (Mark.mitigated, Mark.impact_end),
    (Mark.impact_start, Mark.impact_end),
    (Mark.detected, Mark.response_start),
    (Mark.impact_end, Mark.resolved),
]


@dataclass(frozen=True)
class Finding:
    kind: str      # missing | order | far | unconfirmed | factors | action | question | language | verbatim | evidence
    place: str     # JSON path, e.g. action_items[2].owner
    where: str     # for people: "action item 3 “Alert on …”"
    problem: str
    fix: str

    def as_json(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        return f"{self.where}: {self.problem}. {self.fix}"


def _short(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _texts(doc: ReviewDoc) -> Iterator[tuple[str | int, Any, str]]:
    """(place, where, text) of every free text in the review; a timeline event's place is
    its index and its words None (both worked out only for a text with a finding: a long
    timeline stays quick)."""
    for name in ("title", "summary", "trigger", "detection", "resolution"):
        yield name, name, getattr(doc, name)
    yield "impact.description", "impact description", doc.impact.description
    yield "impact.customer_communication", "customer communication", doc.impact.customer_communication
    for i, e in enumerate(doc.timeline):  # its place and words worked out only for a text with a finding
        yield i, None, e.text
    for i, f in enumerate(doc.factors):
        yield f"factors[{i}].text", f"contributing factor {i + 1}", f.text
    for i, o in enumerate(doc.observations):
        yield f"observations[{i}].text", f"observation {i + 1}", o.text
    for i, t in enumerate(doc.learnings):
        yield f"learnings[{i}]", f"learning {i + 1}", t
    for i, a in enumerate(doc.action_items):
        yield f"action_items[{i}].title", f"action item {i + 1}", a.title
        yield f"action_items[{i}].description", f"action item {i + 1} description", a.description
        yield f"action_items[{i}].status_note", f"action item {i + 1} status note", a.status_note
    for i, n in enumerate(doc.notes):
        yield f"notes[{i}].text", f"note {i + 1}", n.text


def check(doc: ReviewDoc, checker: Checker | None = None) -> list[Finding]:
    checker = checker or make_checker()
    out: list[Finding] = []
    add = out.append
    if not doc.summary.strip():
        add(Finding("missing", "summary", "summary", "the summary is empty", "Write what happened in a few sentences (Overview)."))
    if not doc.impact.description.strip():
        add(Finding("missing", "impact.description", "impact", "the impact is not described",
                    "Say who and what was affected, and how (Impact)."))
    if not doc.timeline:
        add(Finding("missing", "timeline", "timeline", "the timeline is empty",
                    "Build it forward from before the incident (Timeline, key a)."))
    marks = doc.marks()
    index = {m: i for i, e in enumerate(doc.timeline) for m in e.marks}
    if doc.timeline:
        for mark in KEY_MARKS:
            if mark not in marks:
                add(Finding("missing", "timeline", "timeline", f"no event is marked “{MARK_WORDS[mark]}”",
                            f"Select the event and press {MARK_KEYS[mark]} (Timeline)."))
    zone = doc.zone()
    for early, late in ORDER:
        if early in marks and late in marks and marks[late] < marks[early]:
            add(Finding(
                "order", f"timeline[{index[late]}].marks", "timeline",
                f"“{MARK_WORDS[late]}” ({marks[late].astimezone(zone):%H:%M}) comes before "
                f"“{MARK_WORDS[early]}” ({marks[early].astimezone(zone):%H:%M})",
                "Check the two marks and their times; if the risk was seen before users were hit, say so in Detection.",
            ))
    from pmtui.domain.outliers import describe_gap, far_from_rest

    times = [e.at for e in doc.timeline]
    for i in sorted(far_from_rest(times)):
        local = doc.timeline[i].at.astimezone(zone)
        gap = describe_gap(times, i)
        add(Finding("far", f"timeline[{i}].at", f"timeline event {i + 1} ({local:%Y-%m-%d %H:%M})",
                    f"is {gap.days} day{'s' if gap.days != 1 else ''} or more away from every other event",
                    "Check its date: a time typed on the wrong day lands here (Timeline, e edits it)."))
    unconfirmed = [i for i, e in enumerate(doc.timeline) if not e.confirmed]
    if unconfirmed:
        add(Finding("unconfirmed", f"timeline[{unconfirmed[0]}].confirmed", "timeline",
                    f"{len(unconfirmed)} of {len(doc.timeline)} events are not confirmed by the room",
                    "Walk through the timeline together (Timeline, w; c confirms). The team may waive this "
                    "(pmtui check --waive unconfirmed)."))
    if not doc.factors:
        add(Finding("factors", "factors", "contributing factors", "no contributing factors yet",
                    "Ask which conditions in systems, processes, tools, communication and the organisation let it happen (Analysis)."))
    elif all(f.category == FactorCategory.technical for f in doc.factors):
        add(Finding("factors", "factors", "contributing factors", "every contributing factor is technical",
                    "Look at process, communication, tooling and the organisation too (Analysis)."))
    for i, a in enumerate(doc.action_items):
        where = f"action item {i + 1} “{_short(a.title)}”"
        if a.status in OPEN_STATUSES:
            if not a.owner.strip():
                add(Finding("action", f"action_items[{i}].owner", where, "has no owner",
                            "Name the team or person who owns it (Actions)."))
            if a.due is None:
                add(Finding("action", f"action_items[{i}].due", where, "has no due date", "Agree a date (Actions)."))
        if a.status == ActionStatus.wont_do and not a.status_note.strip():
            add(Finding("action", f"action_items[{i}].status_note", where, f"is {ACTION_STATUS_WORDS[ActionStatus.wont_do]} without a reason",
                        "Record why not: the decision is part of the review (Actions, key w)."))
    for i, n in enumerate(doc.notes):
        if n.kind == NoteKind.question:
            add(Finding("question", f"notes[{i}]", f"open question “{_short(n.text)}”", "is still open",
                        "Answer it, or carry it over on purpose as an action item."))
    if not doc.participants:
        add(Finding("evidence", "participants", "participants", "the review does not say who took part",
                    "Add the people in the room and their roles (Overview)."))
    if not doc.links and not any(e.is_evidence for e in doc.timeline):  # imported evidence is evidence too
        add(Finding("evidence", "links", "links", "no evidence is linked",
                    "Link the dashboards, chat log, tickets or status page (Overview)."))
    texts = list(_texts(doc))
    for (place, where, _text), nudges in zip(texts, checker.find_many([t for _p, _w, t in texts])):
        if not nudges:
            continue
        if isinstance(place, int):  # a timeline event
            at = doc.timeline[place].at.astimezone(doc.zone())
            where = f"timeline event {place + 1} ({at.strftime('%H:%M')})"
            place = f"timeline[{place}].text"
        verbatim = place.startswith("notes[")  # a note is kept as it was said: quoted, not reworded
        for nudge in nudges:
            if verbatim:
                add(Finding("verbatim", place, f"{where} (kept verbatim, as said in the meeting)",
                            f"“{nudge.text}” {nudge.phrase.why}",
                            f"It is quoted as said, not the review's own words. If it goes into the report as a "
                            f"finding, write it as one: {nudge.phrase.reframe}"))
            else:
                add(Finding("language", place, where, f"“{nudge.text}” {nudge.phrase.why}",
                            f"Reframe: {nudge.phrase.reframe}"))
    return out


def summary(findings: list[Finding]) -> str:
    if not findings:
        return "Ready to publish: every item of the readiness checklist is met."
    return f"{len(findings)} thing{'s' if len(findings) != 1 else ''} to look at before publishing."


def as_json(findings: list[Finding]) -> dict[str, Any]:
    return {"ready": not findings, "findings": [f.as_json() for f in findings]}
