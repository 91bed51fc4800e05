"""Patterns across reviews (pure): what keeps happening, and whether follow-ups get done.

Input is one :class:`ReviewFacts` per review (read by ``pmtui.store.followup``); the
output is a :class:`Patterns` with plain numbers, shown by the Patterns view, printed
by ``pmtui patterns`` and written to the wiki's ``patterns.md``.

Definitions (also in the README):

- **Incident day**: the day impact started (the ``impact_start`` mark), else the first
  timeline event's day, else the review date, else the day the review was created; in
  the review's own time zone. Windows (``--since``/``--until``) and months use it.
- **Timings** come from the marks (``pmtui.domain.metrics``): time to detect, time to mitigate
  and impact duration, median and worst per quarter of the incident day.
- **Recurring factors** (and **recurring lessons**, the learnings): contributing factors
  of different reviews that name the same cause in their own words are grouped
  (``pmtui.domain.grouping``: their key terms, stemmed and without stop words, overlap strongly,
  even when one wording is much longer), transitively; a group counts when it spans two
  reviews. A person can merge two groups or split a wording out (``pmtui patterns
  --merge/--split``, or m and s in the Patterns view): kept in the store, so every later
  run agrees. (Before issue 25 a group needed RapidFuzz ``token_sort_ratio`` >= 80, which
  missed a wording that says more: ``similar_groups`` below, still used to compare.)
- **Components** match by name, ignoring case and surrounding spaces.
- **Close date of an action item**: the store keeps no per-item history, so an item's
  close date is the day its review was last changed (the review's ``updated_at``); this
  is an upper bound (a later edit of the review moves it). Items of a review never
  changed since it was created or imported have no known close date: they count as done
  but not in "days to close" nor as the start of a repeat incident.
- **Days to close**: close date minus the review's review date (else its creation day).
- **An action item is tied to a component** when its review lists the component, or
  the component's name appears in the item's title or description (as a whole name,
  ignoring case: ``checkout`` is not named by ``checkout-db``).
- **Repeat incident**: a review whose incident day is after the close date of a done
  action item tied to one of its components.
- **Meeting stages against their timeboxes**: for each stage of the review meeting, the
  reviews whose meeting finished that stage (its actual time is known, pauses left out), in
  how many it ran over its timebox (by a minute or more: ``pmtui.domain.meeting.ran_over``),
  and by how much (median and worst of those that ran over).

No Textual, no database.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from pmtui.domain.metrics import DEFINITIONS, format_duration
from pmtui.domain.tracker import OPEN, ActionRow
from pmtui.domain.vocab import ActionStatus, Mark, mark_list

SIMILARITY = 80  # token_sort_ratio cut-off for "similar wording"
ALL_PAIRS = 2000  # up to this many distinct wordings, every pair is compared
PREFIX_KEYS = 6  # above ALL_PAIRS, wordings are compared when two of their 6 rarest word stems are shared
STEM = 4  # letters of a word that make its stem (its blocking key)
TIMING_KEYS = ("time_to_detect", "time_to_mitigate", "impact_duration")
NO_SEVERITY = "(none)"
NO_OWNER = "(no owner)"


@dataclass(frozen=True)
class ReviewFacts:
    """What patterns need of one review."""

    id: int
    slug: str
    title: str
    day: date  # the incident day (see the module's docstring)
    severity: str | None = None
    tags: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    factors: tuple[tuple[str, str], ...] = ()  # (text, category)
    learnings: tuple[str, ...] = ()
    marks: dict[str, datetime] = field(default_factory=dict)
    actions: tuple[ActionRow, ...] = ()
    related: tuple[str, ...] = ()
    opened: date | None = None  # review date, else creation day
    changed: date | None = None  # last change, None when never changed since created
    stages: tuple[tuple[str, int, float], ...] = ()  # the meeting's finished stages: (stage, timebox minutes, seconds taken)


def incident_day(marks: dict[str, datetime], first_event: datetime | None, zone: Any, review_date: date | None,
                 created: date | None) -> date:
    """The incident day (see the module's docstring)."""
    at = marks.get(Mark.impact_start) or first_event
    if at is not None:
        try:
            return at.astimezone(zone).date()
        except Exception:  # an unknown zone name: the UTC day
            return at.date()
    return review_date or created or date.min


# --------------------------------------------------------------------- window
@dataclass(frozen=True)
class Window:
    since: date | None = None
    until: date | None = None
    tag: str | None = None

    def keeps(self, r: ReviewFacts) -> bool:
        if self.since is not None and r.day < self.since:
            return False
        if self.until is not None and r.day > self.until:
            return False
        return self.tag is None or self.tag.strip().casefold() in {t.casefold() for t in r.tags}


def check_window(since: date | None, until: date | None, names: tuple[str, str] = ("--since ", "--until ")) -> None:
    """An until before the since is bad input (the window would be empty)."""
    from pmtui.errors import BadInput

    if since is not None and until is not None and until < since:
        raise BadInput(f"{names[1]}{until.isoformat()} is before {names[0]}{since.isoformat()}; the window is empty")


# --------------------------------------------------------------------- results
@dataclass(frozen=True)
class Timing:
    quarter: str
    key: str
    label: str
    count: int
    median: timedelta
    worst: timedelta


@dataclass(frozen=True)
class FactorGroup:
    wording: str  # the most frequent wording of the group
    variants: tuple[str, ...]  # every other wording
    category: str
    reviews: tuple[str, ...]  # slugs, oldest incident first


@dataclass(frozen=True)
class ComponentCount:
    name: str
    count: int
    reviews: tuple[str, ...]


@dataclass(frozen=True)
class Repeat:
    component: str
    action: str  # the done action item's title
    action_review: str  # its review's slug
    closed: date
    later: tuple[str, ...]  # reviews with the component, incident after the close date


@dataclass(frozen=True)
class Follow:
    who: str
    total: int
    done: int
    wont_do: int
    open: int
    overdue: int
    median_days_to_close: float | None
    closed_known: int  # done items with a known close date

    @property
    def share_done(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass(frozen=True)
class StageTimebox:
    """One stage of the review meetings: how often and by how much it ran over its timebox."""

    stage: str
    name: str
    meetings: int  # reviews whose meeting finished this stage
    over: int  # of those, how many ran over
    median_over: timedelta | None  # by how much, among those that ran over
    worst_over: timedelta | None
    median_took: timedelta
    median_timebox: int  # minutes

    @property
    def share_over(self) -> float:
        return self.over / self.meetings if self.meetings else 0.0


@dataclass
class Patterns:
    reviews: int
    since: date | None
    until: date | None
    tag: str | None
    per_month: list[tuple[str, int]]
    per_severity: list[tuple[str, int]]
    timings: list[Timing]
    factor_categories: list[tuple[str, int]]
    recurring: list[FactorGroup]
    components: list[ComponentCount]
    repeats: list[Repeat]
    follow: Follow
    by_owner: list[Follow]
    lessons: list[FactorGroup] = field(default_factory=list)  # recurring learnings (category "")
    stage_timeboxes: list[StageTimebox] = field(default_factory=list)  # the meetings' stages, in meeting order

    def as_json(self) -> dict[str, Any]:
        def minutes(d: timedelta) -> float:
            return round(d.total_seconds() / 60, 1)

        def follow(f: Follow) -> dict[str, Any]:
            return {"owner": f.who, "total": f.total, "done": f.done, "wont_do": f.wont_do, "open": f.open,
                    "overdue": f.overdue, "share_done": round(f.share_done, 4),
                    "median_days_to_close": f.median_days_to_close, "closed_with_known_date": f.closed_known}

        return {
            "window": {"since": self.since.isoformat() if self.since else None,
                       "until": self.until.isoformat() if self.until else None, "tag": self.tag},
            "reviews": self.reviews,
            "incidents_per_month": dict(self.per_month),
            "incidents_per_severity": dict(self.per_severity),
            "timings_per_quarter": [
                {"quarter": t.quarter, "metric": t.key, "count": t.count, "median_minutes": minutes(t.median),
                 "worst_minutes": minutes(t.worst)}
                for t in self.timings
            ],
            "factors_by_category": dict(self.factor_categories),
            "recurring_factors": [
                {"wording": g.wording, "variants": list(g.variants), "category": g.category, "reviews": list(g.reviews)}
                for g in self.recurring
            ],
            "recurring_lessons": [
                {"wording": g.wording, "variants": list(g.variants), "reviews": list(g.reviews)} for g in self.lessons
            ],
            "components": [{"name": c.name, "incidents": c.count, "reviews": list(c.reviews)} for c in self.components],
            "repeat_incidents": [
                {"component": r.component, "action": r.action, "action_review": r.action_review,
                 "closed": r.closed.isoformat(), "later_reviews": list(r.later)}
                for r in self.repeats
            ],
            "follow_through": {**follow(self.follow), "by_owner": [follow(f) for f in self.by_owner]},
            "meeting_stages": [
                {"stage": t.stage, "meetings": t.meetings, "ran_over": t.over, "share_over": round(t.share_over, 4),
                 "median_over_minutes": None if t.median_over is None else minutes(t.median_over),
                 "worst_over_minutes": None if t.worst_over is None else minutes(t.worst_over),
                 "median_took_minutes": minutes(t.median_took), "median_timebox_minutes": t.median_timebox}
                for t in self.stage_timeboxes
            ],
        }


# --------------------------------------------------------------------- parts
def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def months_between(first: date, last: date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _normal(text: str) -> str:
    """Lower case, punctuation dropped, spaces trimmed (RapidFuzz's default_process)."""
    from rapidfuzz.utils import default_process

    return default_process(text)


def similar_groups(items: list[tuple[str, int]], threshold: int = SIMILARITY) -> list[list[int]]:
    """Indices of ``items`` ((text, review id)) grouped by similar wording (transitively).

    Equal wordings (after normalising) are merged first; RapidFuzz then compares each
    distinct wording with the others (in C++; numpy is not needed)."""
    from rapidfuzz import fuzz, process

    by_text: dict[str, list[int]] = defaultdict(list)
    normal: dict[str, str] = {}  # the same wording recurs: normalise each once
    for i, (text, _rid) in enumerate(items):
        key = normal.get(text)
        if key is None:
            key = normal[text] = _normal(text)
        by_text[key].append(i)
    texts = list(by_text)
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    # token_sort_ratio is the ratio of the words sorted: sort each wording's words once
    ordered = [" ".join(sorted(t.split())) for t in texts]
    if len(texts) <= ALL_PAIRS:
        for a, text in enumerate(ordered):
            for _match, _score, b in process.extract_iter(text, ordered, scorer=fuzz.ratio, score_cutoff=threshold):
                if a < b:
                    union(a, b)
    else:
        for a, b in _blocked_pairs(ordered, threshold):
            union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for t, text in enumerate(texts):
        groups[find(t)].extend(by_text[text])
    return [sorted(g) for g in groups.values()]


def _stems(text: str) -> set[str]:
    """The blocking keys of a wording: the first STEM letters of each word, so that
    plurals, tenses and most typos (deploy, deploys, deployed, deplyo) share a key."""
    return {w[:STEM] for w in text.split()}


def _blocked_pairs(texts: list[str], threshold: int) -> Iterable[tuple[int, int]]:
    """Similar pairs among many wordings (their words already sorted, so plain
    ``ratio`` is ``token_sort_ratio``) without comparing every pair (prefix filtering):
    each wording's blocking keys (word stems) are ordered from the rarest in the whole
    set, and a wording is compared, once, with the earlier wordings whose ``PREFIX_KEYS``
    rarest keys (more for long wordings) share two of its own (one, for a wording of one
    key). Wordings this similar share most of their words, so their rarest stems meet
    even when the rarest words themselves are spelt differently (a plural, a typo),
    while two wordings meeting on one key by chance are not compared. A test hides such
    pairs among thousands of distinct wordings; benchmarks/bench_followup.py measures
    the recall against comparing every pair."""
    from itertools import chain

    from rapidfuzz import fuzz, process

    keys = [_stems(t) for t in texts]
    counts = Counter(k for ks in keys for k in ks)
    rank = {k: r for r, k in enumerate(sorted(counts, key=lambda k: (counts[k], k)))}  # rarest first, always the same
    index: dict[str, list[int]] = defaultdict(list)
    extract, ratio = process.extract, fuzz.ratio
    for a, ks in enumerate(keys):
        rarest = sorted(ks, key=rank.__getitem__)[:max(PREFIX_KEYS, len(ks) // 3)]
        met = Counter(chain.from_iterable([index[k] for k in rarest]))  # counted in C
        for k in rarest:
            index[k].append(a)
        need = min(2, len(rarest))
        candidates = [j for j, n in met.items() if n >= need] if need > 1 else list(met)
        if not candidates:
            continue
        choices = [texts[candidates[0]]] if len(candidates) == 1 else list(itemgetter(*candidates)(texts))
        for _match, _score, j in extract(texts[a], choices, scorer=ratio, score_cutoff=threshold, limit=None):
            yield candidates[j], a


def recurring_factors(reviews: list[ReviewFacts], choices: dict[str, str] | None = None,
                      lessons: bool = False) -> list[FactorGroup]:
    """Groups of factors (``lessons``: of learnings) naming the same cause in two reviews
    or more (pmtui.domain.grouping), a person's merges and splits (``choices``) first."""
    from pmtui.domain.grouping import group as by_cause

    items: list[tuple[str, int]] = []
    cats: list[str] = []
    for r in reviews:
        for text, category in ([(t, "") for t in r.learnings] if lessons else r.factors):
            items.append((text, r.id))
            cats.append(category)
    order = {r.id: (r.day, r.id) for r in reviews}
    slug = {r.id: r.slug for r in reviews}
    out = []
    for group in by_cause([text for text, _rid in items], choices):
        rids = {items[i][1] for i in group}
        if len(rids) < 2:
            continue
        wordings = Counter(items[i][0].strip() for i in group)
        top = sorted(wordings.items(), key=lambda kv: (-kv[1], kv[0]))
        category = Counter(cats[i] for i in group).most_common(1)[0][0]
        out.append(FactorGroup(top[0][0], tuple(w for w, _ in top[1:]), category,
                               tuple(slug[rid] for rid in sorted(rids, key=order.__getitem__))))
    out.sort(key=lambda g: (-len(g.reviews), g.wording.casefold()))
    return out


def _component_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def component_counts(reviews: list[ReviewFacts]) -> list[ComponentCount]:
    names: dict[str, str] = {}
    hits: dict[str, list[ReviewFacts]] = defaultdict(list)
    for r in sorted(reviews, key=lambda r: (r.day, r.id)):
        for key in dict.fromkeys(_component_key(c) for c in r.components):
            hits[key].append(r)
    for r in reviews:
        for c in r.components:
            names.setdefault(_component_key(c), " ".join(c.split()))
    out = [ComponentCount(names[k], len(v), tuple(x.slug for x in v)) for k, v in hits.items()]
    out.sort(key=lambda c: (-c.count, c.name.casefold()))
    return out


def _mentions(names: dict[str, re.Pattern[str]], text: str) -> set[str]:
    low = text.casefold()
    return {k for k, pattern in names.items() if k in low and pattern.search(low)}


def repeat_incidents(reviews: list[ReviewFacts]) -> list[Repeat]:
    """Components hit again after a done action item tied to them (module docstring)."""
    by_component: dict[str, list[tuple[date, int, str]]] = defaultdict(list)
    display: dict[str, str] = {}
    for r in reviews:
        for c in r.components:
            key = _component_key(c)
            display.setdefault(key, " ".join(c.split()))
            if not by_component[key] or by_component[key][-1][1] != r.id:
                by_component[key].append((r.day, r.id, r.slug))
    for hits in by_component.values():
        hits.sort()
    # whole names: "checkout" is not named by "checkout-db" (hyphens and dots join words in names)
    patterns = {k: re.compile(rf"(?<![\w.-]){re.escape(k)}(?![\w-]|\.\w)") for k in by_component}
    out = []
    for r in reviews:
        if r.changed is None:
            continue
        own = {_component_key(c) for c in r.components}
        for a in r.actions:
            if a.status != ActionStatus.done:
                continue
            tied = own | _mentions(patterns, f"{a.title}\n{a.description}")
            for key in sorted(tied):
                hits = by_component[key]
                later = hits[bisect_right(hits, (r.changed, 1 << 62, "")):]
                later_slugs = tuple(slug for _day, rid, slug in later if rid != r.id)
                if later_slugs:
                    out.append(Repeat(display[key], a.title, r.slug, r.changed, later_slugs))
    out.sort(key=lambda x: (x.component.casefold(), x.closed, x.action_review, x.action))
    return out


def follow_through(rows: Iterable[tuple[ActionRow, ReviewFacts]], today: date, who: str = "all") -> Follow:
    total = done = wont = open_n = late = 0
    days: list[int] = []
    day = today.isoformat()
    for a, r in rows:
        total += 1
        status = a.status
        if status == ActionStatus.done:
            done += 1
            if r.changed is not None and r.opened is not None:
                days.append(max(0, (r.changed - r.opened).days))
        elif status == ActionStatus.wont_do:
            wont += 1
        elif status in OPEN:
            open_n += 1
            if a.due and a.due < day:  # ActionRow.overdue, inlined: 50,000 rows
                late += 1
    median = _median_days(days) if days else None
    return Follow(who, total, done, wont, open_n, late, median, len(days))


def _median_days(values: list[int]) -> float:
    """statistics.median (the mean of the middle two of an even count), as a float; without
    importing statistics (decimal, fractions: a tenth of ``pmtui patterns`` on small data)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _median(values: list[timedelta]) -> timedelta:
    """statistics.median for durations (the mean of the middle two of an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def timings(reviews: list[ReviewFacts]) -> list[Timing]:
    """Median and worst of each timing per quarter; the intervals are metrics.py's
    (a missing mark or an end before its start gives no value)."""
    wanted = [d for d in DEFINITIONS if d[0] in TIMING_KEYS]
    values: dict[tuple[str, str], list[timedelta]] = defaultdict(list)
    zero = timedelta(0)
    for r in reviews:
        marks = r.marks
        if not marks:
            continue
        q = None
        for key, _label, start, end in wanted:
            if start in marks and end in marks:
                delta = marks[end] - marks[start]
                if delta >= zero:
                    q = q or quarter(r.day)
                    values[(q, key)].append(delta)
    labels = {d[0]: d[1] for d in wanted}
    out = []
    for (q, key), vals in sorted(values.items(), key=lambda kv: (kv[0][0], TIMING_KEYS.index(kv[0][1]))):
        out.append(Timing(q, key, labels[key], len(vals), _median(vals), max(vals)))
    return out


def stage_timeboxes(reviews: list[ReviewFacts]) -> list[StageTimebox]:
    """Per stage of the review meeting (in meeting order; stages no meeting finished left out):
    how many meetings finished it, how many ran over its timebox and by how much."""
    from pmtui.domain.meeting import STAGE_NAMES, STAGES, ran_over

    took: dict[str, list[timedelta]] = defaultdict(list)
    over: dict[str, list[timedelta]] = defaultdict(list)
    boxes: dict[str, list[int]] = defaultdict(list)
    for r in reviews:
        for stage, box, seconds in r.stages:
            took[stage].append(timedelta(seconds=seconds))
            boxes[stage].append(box)
            if ran_over(seconds, box):
                over[stage].append(timedelta(seconds=seconds - box * 60))
    out = []
    for stage in STAGES:
        if not took[stage]:
            continue
        past = over[stage]
        out.append(StageTimebox(stage, STAGE_NAMES[stage], len(took[stage]), len(past),
                                _median(past) if past else None, max(past) if past else None,
                                _median(took[stage]), int(sorted(boxes[stage])[(len(boxes[stage]) - 1) // 2])))
    return out


def stage_verdict(stages: list[StageTimebox]) -> str:
    """The answer to "does the team run out of time in a stage?", in one sentence."""
    if not stages:
        return "No review meeting was run in pmtui yet: no stage's actual time is known."
    worst = max(stages, key=lambda t: (t.share_over, t.over))
    if not worst.over:
        return "No stage ran over its timebox."
    return (f"Runs over most often in {worst.name}: {worst.over} of {worst.meetings} meeting"
            f"{'s' if worst.meetings != 1 else ''} ({worst.share_over:.0%}).")


def compute_patterns(all_reviews: list[ReviewFacts], today: date, window: Window = Window(),
                     choices: dict[str, str] | None = None) -> Patterns:
    """Every pattern over the reviews in the window."""
    reviews = sorted((r for r in all_reviews if window.keeps(r)), key=lambda r: (r.day, r.id))
    month_counts = Counter(f"{r.day.year:04d}-{r.day.month:02d}" for r in reviews)
    per_month = [(m, month_counts.get(m, 0)) for m in months_between(reviews[0].day, reviews[-1].day)] if reviews else []
    sev = Counter((r.severity or "").strip() or NO_SEVERITY for r in reviews)
    per_severity = sorted(sev.items(), key=lambda kv: (kv[0] == NO_SEVERITY, kv[0].casefold()))
    cats = Counter(category for r in reviews for _t, category in r.factors)
    pairs = [(a, r) for r in reviews for a in r.actions]
    owners: dict[str, list[tuple[ActionRow, ReviewFacts]]] = defaultdict(list)
    names: dict[str, str] = {}
    for a, r in pairs:
        key = a.owner.strip().casefold()
        names.setdefault(key, a.owner.strip() or NO_OWNER)
        owners[key].append((a, r))
    by_owner = [follow_through(v, today, names[k]) for k, v in owners.items()]
    by_owner.sort(key=lambda f: (-f.overdue, -f.open, f.who == NO_OWNER, f.who.casefold()))
    return Patterns(
        reviews=len(reviews), since=window.since, until=window.until, tag=window.tag,
        per_month=per_month, per_severity=per_severity, timings=timings(reviews),
        factor_categories=cats.most_common(), recurring=recurring_factors(reviews, choices),
        components=component_counts(reviews), repeats=repeat_incidents(reviews),
        follow=follow_through(pairs, today), by_owner=by_owner, lessons=recurring_factors(reviews, choices, True),
        stage_timeboxes=stage_timeboxes(reviews),
    )


# --------------------------------------------------------------------- related
@dataclass(frozen=True)
class Suggestion:
    slug: str
    title: str
    day: date
    components: tuple[str, ...]
    tags: tuple[str, ...]
    factors: tuple[str, ...]  # the earlier review's similar factors

    @property
    def score(self) -> int:
        return 3 * len(self.components) + 2 * len(self.factors) + len(self.tags)

    def reasons(self) -> str:
        parts = []
        if self.components:
            parts.append("components: " + ", ".join(self.components))
        if self.factors:
            parts.append("similar factor: " + "; ".join(self.factors))
        if self.tags:
            parts.append("tags: " + ", ".join(self.tags))
        return " · ".join(parts)


def earlier(target: ReviewFacts, others: Iterable[ReviewFacts]) -> list[ReviewFacts]:
    """Reviews of incidents before this one's (same day: created before it)."""
    return [o for o in others if o.id != target.id and (o.day, o.id) < (target.day, target.id)]


def related_suggestions(target: ReviewFacts, others: list[ReviewFacts], limit: int = 8) -> list[Suggestion]:
    """Earlier reviews sharing components, tags or similar factors, best first; those
    already in the review's ``related`` list are left out."""
    from pmtui.domain.grouping import Weights, same_cause, terms

    linked = {x.strip().casefold() for x in target.related}
    comps = {_component_key(c): c for c in target.components}
    tags = {t.casefold(): t for t in target.tags}
    mine = [terms(t) for t, _c in target.factors]
    weight = Weights(terms(t) for o in [target, *others] for t, _c in o.factors) if mine else None
    out = []
    for o in earlier(target, others):
        if o.slug.casefold() in linked or str(o.id) in linked:
            continue
        shared_c = tuple(dict.fromkeys(" ".join(c.split()) for c in o.components if _component_key(c) in comps))
        shared_t = tuple(dict.fromkeys(t for t in o.tags if t.casefold() in tags))
        similar: tuple[str, ...] = ()
        if weight is not None and o.factors:  # the same cause, as the Patterns view groups them
            similar = tuple(text for text, _c in o.factors
                            if any(same_cause(terms(text), m, weight) for m in mine))
        if shared_c or shared_t or similar:
            out.append(Suggestion(o.slug, o.title, o.day, shared_c, shared_t, similar))
    out.sort(key=lambda s: (-s.score, -s.day.toordinal(), s.slug))
    return out[:limit]


def component_history(target: ReviewFacts, others: list[ReviewFacts]) -> list[tuple[str, int]]:
    """For each of the review's components, in how many earlier reviews it appeared."""
    before = earlier(target, others)
    out = []
    for c in dict.fromkeys(" ".join(x.split()) for x in target.components):
        key = _component_key(c)
        n = sum(any(_component_key(x) == key for x in o.components) for o in before)
        if n:
            out.append((c, n))
    return out


def history_sentence(history: list[tuple[str, int]]) -> str:
    """``checkout-db appeared in 3 earlier reviews; cache in 1 earlier review``."""
    parts = [f"{name} appeared in {n} earlier review{'s' if n != 1 else ''}" for name, n in history]
    return "; ".join(parts)


# --------------------------------------------------------------------- text
def bar(value: int, biggest: int, width: int = 30) -> str:
    if biggest <= 0 or value <= 0:
        return ""
    return "█" * max(1, round(width * value / biggest))


def to_text(p: Patterns) -> str:
    """``pmtui patterns``: plain text with bar charts."""
    lines: list[str] = []
    window = []
    if p.since:
        window.append(f"since {p.since.isoformat()}")
    if p.until:
        window.append(f"until {p.until.isoformat()}")
    if p.tag:
        window.append(f"tag {p.tag}")
    lines.append(f"Patterns across {p.reviews} review{'s' if p.reviews != 1 else ''}"
                 + (f" ({', '.join(window)})" if window else ""))
    if not p.reviews:
        return lines[0] + "\nNo reviews in this window.\n"

    def section(title: str) -> None:
        lines.extend(["", title, "-" * len(title)])

    section("Incidents per month")
    top = max(n for _m, n in p.per_month)
    months = p.per_month if len(p.per_month) <= 24 else [(m, n) for m, n in p.per_month if n]
    lines.extend(f"{m}  {n:4d}  {bar(n, top)}" for m, n in months)
    if len(months) < len(p.per_month):
        lines.append(f"({len(p.per_month) - len(months)} months without incidents left out)")
    section("Incidents per severity")
    top = max(n for _s, n in p.per_severity)
    width = max(len(s) for s, _n in p.per_severity)
    lines.extend(f"{s.ljust(width)}  {n:4d}  {bar(n, top)}" for s, n in p.per_severity)
    section("Timings per quarter (median / worst, from the marks)")
    if p.timings:
        for t in p.timings:
            lines.append(f"{t.quarter}  {t.label:<17} median {format_duration(t.median):>11}  "
                         f"worst {format_duration(t.worst):>11}  ({t.count} review{'s' if t.count != 1 else ''})")
    else:
        lines.append(f"No review has the marks these need ({mark_list()}).")
    section("Contributing factors by category")
    if p.factor_categories:
        top = max(n for _c, n in p.factor_categories)
        lines.extend(f"{c:<15} {n:4d}  {bar(n, top)}" for c, n in p.factor_categories)
    else:
        lines.append("No contributing factors recorded.")
    section("Recurring factors (the same cause in several reviews)")
    if p.recurring:
        for g in p.recurring:
            lines.append(f"- {g.wording} [{g.category}]: {len(g.reviews)} reviews: {', '.join(g.reviews)}")
            for v in g.variants:
                lines.append(f"    also worded: {v}")
    else:
        lines.append("None: no two reviews share a factor's cause.")
    section("Recurring lessons (the same learning in several reviews)")
    if p.lessons:
        for g in p.lessons:
            lines.append(f"- {g.wording}: {len(g.reviews)} reviews: {', '.join(g.reviews)}")
            for v in g.variants:
                lines.append(f"    also worded: {v}")
    else:
        lines.append("None: no two reviews share a lesson.")
    section("Components affected most often")
    if p.components:
        top = p.components[0].count
        width = min(40, max(len(c.name) for c in p.components[:15]))
        lines.extend(f"{c.name[:width].ljust(width)}  {c.count:4d}  {bar(c.count, top, 20)}" for c in p.components[:15])
        if len(p.components) > 15:
            lines.append(f"… and {len(p.components) - 15} more")
    else:
        lines.append("No affected components recorded.")
    section("Repeat incidents (hit again after a follow-up was done)")
    if p.repeats:
        for r in p.repeats:
            lines.append(f"- {r.component}: \u201c{r.action}\u201d ({r.action_review}) done by {r.closed.isoformat()}; "
                         f"hit again in {', '.join(r.later)}")
    else:
        lines.append("None found.")
    section("Meeting stages against their timeboxes (actual time, pauses left out)")
    lines.append(stage_verdict(p.stage_timeboxes))
    lines.extend(stage_line(st) for st in p.stage_timeboxes)
    section("Follow-through")
    lines.append(follow_line(p.follow))
    for f in p.by_owner:
        lines.append(f"  {f.who}: {follow_line(f)}")
    lines.append("(days to close: from the review date to the review's last change; see `pmtui patterns --help`)")
    return "\n".join(lines) + "\n"


def follow_line(f: Follow) -> str:
    days = "—" if f.median_days_to_close is None else f"{f.median_days_to_close:g}"
    return (f"{f.done}/{f.total} done ({f.share_done:.0%}), {f.open} open, {f.overdue} overdue, "
            f"{f.wont_do} won't do, median days to close {days}")


def stage_line(t: StageTimebox) -> str:
    """``Systemic analysis  over in 5 of 8 meetings (63%), median 6 min over, worst 14 min; took 16 min (timebox 10 min)``."""
    if t.over and t.median_over is not None and t.worst_over is not None:
        over = (f"over in {t.over} of {t.meetings} meeting{'s' if t.meetings != 1 else ''} ({t.share_over:.0%}), "
                f"median {_minutes(t.median_over)} over, worst {_minutes(t.worst_over)}")
    else:
        over = f"within its timebox in {t.meetings} of {t.meetings} meeting{'s' if t.meetings != 1 else ''}"
    return f"{t.name:<17}  {over}; median took {_minutes(t.median_took)} (timebox {t.median_timebox} min)"


def _minutes(value: timedelta) -> str:
    from pmtui.domain.meeting import took_words

    return took_words(value.total_seconds())
