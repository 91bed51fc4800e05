"""Search across every review (pure): the query language, what a hit is, and its text.

``pmtui search`` and the app's search view read a query such as::

    replica lag "load spike" deploy* -staging owner:ana tag:db status:open

- a word finds its stem in any form and with or without accents (``replicas``,
  ``replica`` and ``Réplica`` meet);
- ``"an exact phrase"`` finds those words next to each other;
- ``word*`` finds every word starting so (``deploy*``: deploys, deployment);
- ``-word`` (or ``-"a phrase"``) leaves out every row that has it;
- ``owner:``, ``status:``, ``prio:`` and ``tag:`` are the Follow-ups view's filters
  (:func:`pmtui.domain.tracker.parse_query`): the first three keep only action items with that
  owner, status or priority, ``tag:`` only reviews with that tag.

Common English words (``the``, ``after``, ``was``…) are left out of bare words on both
databases (PostgreSQL's English stop words), so SQLite and PostgreSQL find the same rows.

Hits come most relevant first (SQLite: bm25; PostgreSQL: ts_rank), then the newest review
first. A query matching more than 1,000 rows has its 1,000 most recently written matches
ranked (``pmtui.store.search.RANKED``): ranking every row of a very common word would take
seconds on a large store, and such a query is refined rather than read through.

The store (``pmtui.store.search``) turns a :class:`Query` into an FTS5 ``MATCH`` string or
a PostgreSQL ``tsquery`` built from bound values: user text is never pasted into SQL.

No Textual, no database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pmtui.errors import BadInput

# Where a hit is: the section names ``--in`` takes, in the order a review shows them.
SECTIONS = ("title", "summary", "trigger", "detection", "resolution", "impact", "timeline", "factors",
            "observations", "learnings", "actions", "notes")
SECTION_ALIASES = {"titles": "title", "events": "timeline", "event": "timeline", "factor": "factors",
                   "observation": "observations", "learning": "learnings", "action": "actions",
                   "action_items": "actions", "note": "notes", "summaries": "summary"}
SECTION_LABELS = {"title": "Title", "summary": "Summary", "trigger": "Trigger", "detection": "Detection",
                  "resolution": "Resolution", "impact": "Impact", "timeline": "Timeline", "factors": "Factors",
                  "observations": "Observations", "learnings": "Learnings", "actions": "Action items",
                  "notes": "Notes"}
HIT_START, HIT_END = "\x02", "\x03"  # around each matched word in a hit's text
LIMIT = 50

# PostgreSQL's English stop words (src/backend/snowball/stopwords/english.stop): left out of
# bare words on both databases, so a search finds the same rows on either.
_STOP_TEXT = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself
it its itself they them their theirs themselves what which who whom this that these those am is are was were be
been being have has had having do does did doing a an the and but if or because as until while of at by for with
about against between into through during before after above below to from up down in out on off over under again
further then once here there when where why how all any both each few more most other some such no nor not only own
same so than too very s t can will just don should now
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_TERM = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower case without accents: ``Réplica`` -> ``replica`` (what both indexes do)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Term:
    """One thing to find: its words (one word, or a phrase's words), whether it is a
    prefix (``deploy*``) and whether rows having it are left out (``-word``)."""

    words: tuple[str, ...]
    prefix: bool = False
    exclude: bool = False


@dataclass
class Query:
    terms: list[Term] = field(default_factory=list)
    sections: tuple[str, ...] = ()  # empty: every section
    owner: str | None = None
    statuses: tuple[str, ...] | None = None  # action statuses (None: any)
    priority: str | None = None
    tag: str | None = None
    since: date | None = None
    until: date | None = None
    tags: tuple[str, ...] = ()  # --tag (each must be on the review)
    severity: str | None = None
    status: str | None = None  # the review's status (--status)
    limit: int = LIMIT

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.exclude]

    @property
    def negative(self) -> list[Term]:
        return [t for t in self.terms if t.exclude]

    @property
    def actions_only(self) -> bool:
        """owner:, status: and prio: are about action items: only they can match."""
        return self.owner is not None or self.statuses is not None or self.priority is not None

    def empty(self) -> bool:
        return not self.positive


def parse_terms(text: str) -> list[Term]:
    """Words, "phrases", prefix* and -exclusions (never an error: a half-typed query
    finds what it can)."""
    out: list[Term] = []
    for m in _TERM.finditer(text):
        neg = bool(m.group("neg"))
        if m.group("phrase") is not None:
            words = tuple(_WORD.findall(fold(m.group("phrase"))))
            if words:
                out.append(Term(words, False, neg))
            continue
        raw = m.group("word") or ""
        prefix = raw.endswith("*")
        words = tuple(_WORD.findall(fold(raw)))
        if not words:
            continue
        if len(words) == 1 and not prefix and words[0] in STOP_WORDS:
            continue  # "the", "after": on every row (PostgreSQL drops them too)
        out.append(Term(words, prefix, neg))
    return out


def parse(text: str, **filters: Any) -> Query:
    """The query typed (terms and the Follow-ups view's ``key:value`` filters) plus the
    command line's options (``sections``, ``since``, ``until``, ``tags``, ``severity``,
    ``status``, ``limit``)."""
    from pmtui.domain.tracker import STATUS_CHOICES, parse_query

    flt = parse_query(text)
    statuses = None if tuple(flt.statuses) == tuple(STATUS_CHOICES["all"]) else tuple(flt.statuses)
    return Query(terms=parse_terms(flt.text), owner=flt.owner, statuses=statuses, priority=flt.priority,
                 tag=flt.tag, **filters)


def parse_sections(value: str) -> tuple[str, ...]:
    """``--in titles,timeline,factors``; an unknown name is bad input naming the known ones."""
    out: list[str] = []
    for part in value.split(","):
        name = part.strip().lower().replace("-", "_")
        if not name:
            continue
        name = SECTION_ALIASES.get(name, name)
        if name not in SECTIONS:  # one or several: "timelines", "title"
            name = next((n for n in (name[:-1], f"{name}s") if n in SECTIONS), name)
        if name not in SECTIONS:
            raise BadInput(f"--in: {part.strip()!r} is not a part of a review; use {', '.join(SECTIONS)}")
        if name not in out:
            out.append(name)
    return tuple(out)


# ------------------------------------------------------------------ results
@dataclass(frozen=True)
class Hit:
    review_id: int
    slug: str
    title: str
    day: date | None  # the review date, else the incident's first day, else the day it was created
    section: str
    row: int | None  # 1-based place in its list (None: a field of the review itself)
    row_id: int  # the row's id in its table (the review's id for its own fields)
    text: str  # the matched text, each hit between HIT_START and HIT_END
    score: float  # higher is more relevant

    def plain(self) -> str:
        return self.text.replace(HIT_START, "").replace(HIT_END, "")

    def marks(self) -> list[tuple[int, int]]:
        """(start, end) of each hit in :meth:`plain`."""
        out, plain_at, start = [], 0, 0
        for ch in self.text:
            if ch == HIT_START:
                start = plain_at
            elif ch == HIT_END:
                out.append((start, plain_at))
            else:
                plain_at += 1
        return out

    def marked(self, before: str = "«", after: str = "»") -> str:
        return self.text.replace(HIT_START, before).replace(HIT_END, after)

    def where(self) -> str:
        label = SECTION_LABELS.get(self.section, self.section)
        return label if self.row is None else f"{label} #{self.row}"

    def as_json(self) -> dict[str, Any]:
        return {"review": {"id": self.review_id, "slug": self.slug, "title": self.title,
                           "date": self.day.isoformat() if self.day else None},
                "section": self.section, "row": self.row, "row_id": self.row_id,
                "text": self.plain(), "marks": [list(m) for m in self.marks()], "score": round(self.score, 6)}


def one_line(text: str) -> str:
    return " ".join(text.split())


def to_table(hits: list[Hit], width: int = 100) -> str:
    """Plain text: one hit a line, ``slug  date  where  «matched» text``."""
    if not hits:
        return "No matches.\n"
    rows = [(h.slug, h.day.isoformat() if h.day else "", h.where(), one_line(h.marked())) for h in hits]
    w0 = min(36, max(len(r[0]) for r in rows))
    w2 = max(len(r[2]) for r in rows)
    lines = [f"{'REVIEW'.ljust(w0)}  {'DATE'.ljust(10)}  {'WHERE'.ljust(w2)}  MATCH"]
    for slug, day, where, text in rows:
        lines.append(f"{slug[:w0].ljust(w0)}  {day.ljust(10)}  {where.ljust(w2)}  {text}")
    return "\n".join(lines) + "\n"
