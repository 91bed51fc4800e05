"""The readiness check: what a review still needs before it is published
(facilitation.md's checklist). Pure: a document in, findings out.

Each finding has its place (a JSON path into the document, and words for people),
what is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from itertools import count, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from pmtui.domain.language import Checker, make_checker
from pmtui.domain.plain_fields import WORDS
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


# how a list's item is named for people, where the list's name does not say it
# (``action_items`` -> "action item" does)
_ITEM_WORDS = {"timeline": "timeline event", "factors": "contributing factor"}


def _item_words(list_name: str) -> str:
    return _ITEM_WORDS.get(list_name, list_name.removesuffix("s").replace("_", " "))


class _Spot:
    """Where a text is: its place (a JSON path) and words for people. For a list's items
    one spot serves every item, and the item's place and words are made only for a text
    with a finding (a long timeline stays quick)."""

    __slots__ = ("place", "where", "verbatim", "field", "label", "items", "zone")

    def __init__(self, place: str, where: str, verbatim: bool, field: str = "", label: str = "",
                 items: Any = None, zone: Any = None) -> None:
        self.place, self.where, self.verbatim = place, where, verbatim
        self.field, self.label, self.items, self.zone = field, label, items, zone

    def at(self, i: int) -> tuple[str, str]:
        """(place, words) of the text of item ``i`` (-1: the spot is one text)."""
        if i < 0:
            return self.place, self.where
        if not self.field:  # a list of texts (learnings)
            return f"{self.place}[{i}]", f"{self.where} {i + 1}"
        where = f"{self.where} {i + 1}"
        if self.zone is not None:  # a timeline event: its time too
            where += f" ({self.items[i].at.astimezone(self.zone).strftime('%H:%M')})"
        return f"{self.place}[{i}].{self.field}", where + self.label


def _texts(doc: ReviewDoc, spots: list[_Spot]) -> Iterator[tuple[int, int, str]]:
    """(spot, item, text) of every text the review's fields say are people's words
    (REVIEW_WORDS, QUOTED_WORDS on the field in pmtui.domain.document, read through
    ``plain_fields.WORDS``, which is generated from them: no pydantic here), in the
    document's order: a field added with the mark is read for blame without an edit here.
    Reads a validated document and a plain one (pmtui.domain.plain) alike. A spot is its
    index in ``spots`` (filled here): a tuple of an int, an int and a text is one the
    garbage collector stops tracking, which keeps a long timeline's check quick."""
    yield from _walk(doc, "ReviewDoc", "", "", doc.zone(), spots)


def _walk(obj: Any, model: str, place: str, words: str, zone: Any, spots: list[_Spot],
          only: tuple[tuple[str, str, str, str], ...] | None = None) -> Iterator[tuple[int, int, str]]:
    def spot(it: _Spot) -> int:
        spots.append(it)
        return len(spots) - 1

    for name, label, how, what in WORDS[model] if only is None else only:
        value = getattr(obj, name)
        if how == "text":
            yield spot(_Spot(f"{place}{name}", f"{words}{label}", what == "quoted")), -1, value
        elif how == "object":
            if value is not None:  # an object left out (null) holds no words
                yield from _walk(value, what, f"{place}{name}.", f"{words}{label} ", zone, spots)
        elif how == "texts":
            k = spot(_Spot(f"{place}{name}", f"{words}{_item_words(name)}", what == "quoted"))
            for i, text in enumerate(value):
                yield k, i, text
        elif value:  # a list of objects: each item's texts, the first of them named by the item alone
            inner = WORDS[what]
            first = next((f for f, _l, h, _w in inner if h == "text"), None)
            timed = zone if not place and name == "timeline" else None
            ks = [(spot(_Spot(f"{place}{name}", f"{words}{_item_words(name)}", w == "quoted", f,
                              "" if f == first else f" {lab}", value, timed)), f)
                  for f, lab, h, w in inner if h == "text"]
            nested = tuple((f, lab, h, w) for f, lab, h, w in inner if h != "text")
            if len(ks) == 1 and not nested:  # one text an item (the timeline's 100,000 events, in C)
                yield from zip(repeat(ks[0][0]), count(), map(attrgetter(ks[0][1]), value))
                continue
            for i, item in enumerate(value):
                for k, field in ks:
                    yield k, i, getattr(item, field)
                if nested:  # an item's own objects and lists that hold words (none today)
                    yield from _walk(item, what, f"{place}{name}[{i}].", f"{words}{_item_words(name)} {i + 1} ",
                                     zone, spots, nested)


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
    spots: list[_Spot] = []
    texts = list(_texts(doc, spots))
    for (k, i, _text), nudges in zip(texts, checker.find_many([t for _k, _i, t in texts])):
        if not nudges:
            continue
        place, where = spots[k].at(i)
        verbatim = spots[k].verbatim  # words kept as they were said (a note): quoted, not reworded
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
