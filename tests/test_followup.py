"""Follow-through across reviews: the tracker's rows, filters and CSV, the patterns'
numbers, related reviews, and the two commands, on a store whose answers are known."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from followup_data import fill
from pmtui.domain import patterns, tracker
from pmtui.domain.document import FORMAT, loads
from pmtui.store.followup import action_counts, action_rows, review_facts

TODAY = date(2026, 3, 21)


@pytest.fixture
def known(store):
    return fill(store)


def test_rows_sort_overdue_first_then_by_due(store, known):
    rows = tracker.select(action_rows(store), tracker.Filter(), TODAY)
    assert [r.title for r in rows][:4] == [
        "Lower the alert threshold",  # overdue since 2026-03-01
        'Alert on disk usage, with a "quote", a comma and [b]markup[/b]',  # due yesterday, in progress
        "Cache warm-up runbook",  # due later
        "Page the database team on checkout errors",  # open, no due date
    ]
    assert [r.overdue(TODAY) for r in rows] == [True, True] + [False] * 5
    assert {r.status for r in rows[4:]} == {"done", "wont_do"}
    assert rows[0].review_slug == known["A"][1] and rows[0].review_tags == ("cache",)
    assert tracker.counts(rows, TODAY) == (4, 2)


def test_the_database_sorts_like_the_tracker(store, known):
    from_db = action_rows(store, TODAY)
    assert [r.id for r in from_db] == [r.id for r in sorted(from_db, key=lambda r: tracker.sort_key(r, TODAY))]
    assert [r.id for r in from_db] != [r.id for r in action_rows(store)]  # review order differs
    assert action_rows(store, TODAY, limit=3) == from_db[:3]  # the Follow-ups view's first screen
    assert action_counts(store, TODAY) == (7, 4, 2)


@pytest.mark.parametrize(("flt", "titles"), [
    (tracker.Filter(owner="BO"), {"Cache warm-up runbook", "Rewrite the cache client",
                                  "Give search its own checkout-db read replica"}),
    (tracker.Filter(owner="Nobody"), set()),
    (tracker.Filter(tag="DB"), {"Cache warm-up runbook", "Rewrite the cache client"}),
    (tracker.Filter(tag="no-such-tag"), set()),
    (tracker.Filter(priority="low"), {"Rewrite the cache client"}),
    (tracker.Filter(statuses=tracker.STATUS_CHOICES["done"]), {"Add a canary for checkout-db config changes",
                                                             "Give search its own checkout-db read replica"}),
    (tracker.Filter(text="checkout replica"), {"Give search its own checkout-db read replica"}),
    (tracker.Filter(overdue=True), {"Lower the alert threshold",
                                    'Alert on disk usage, with a "quote", a comma and [b]markup[/b]'}),
    (tracker.Filter(due_before=date(2026, 3, 15)), {"Lower the alert threshold"}),
])
def test_filters(store, known, flt, titles):
    assert {r.title for r in tracker.select(action_rows(store), flt, TODAY)} == titles


def test_typed_query_words():
    f = tracker.parse_query('owner:"Release eng" status:open prio:high tag:db cache  warm')
    assert (f.owner, f.statuses, f.priority, f.tag, f.words) == ("Release eng", tracker.OPEN, "high", "db",
                                                                 ["cache", "warm"])
    assert tracker.parse_query("status:nonsense").statuses == ()  # matches nothing, no error
    assert tracker.parse_query("due:overdue").overdue
    assert tracker.parse_query("owner:").owner is None  # still being typed


def test_csv_reads_back_with_the_csv_module(store, known):
    rows = tracker.select(action_rows(store), tracker.Filter(), TODAY)
    back = list(csv.DictReader(io.StringIO(tracker.to_csv(rows))))
    assert list(back[0]) == tracker.CSV_COLUMNS
    assert len(back) == 7
    tricky = back[1]
    assert tricky["Summary"] == 'Alert on disk usage, with a "quote", a comma and [b]markup[/b]'
    assert tricky["Description"].startswith("Line one\nline two\n\n")
    assert tricky["Description"].endswith(f"pmtui open {known['C'][1]}")
    assert (tricky["Assignee"], tricky["Due date"], tricky["Priority"], tricky["Status"]) == (
        "Cy", "2026-03-20", "Medium", "in progress")
    assert tricky["Labels"] == "postmortem,other,search"
    assert back[0]["Labels"] == "postmortem,detect,cache"


def test_patterns_numbers(store, known):
    p = patterns.compute_patterns(review_facts(store), TODAY)
    slug = {k: v[1] for k, v in known.items()}
    assert p.reviews == 5
    assert p.per_month == [("2025-12", 1), ("2026-01", 1), ("2026-02", 2), ("2026-03", 1)]
    assert p.per_severity == [("SEV1", 1), ("SEV2", 2), ("SEV3", 1), ("(none)", 1)]
    got = {t.key: (t.quarter, t.count, t.median, t.worst) for t in p.timings}
    m = lambda n: timedelta(minutes=n)  # noqa: E731
    assert got == {
        "time_to_detect": ("2026-Q1", 4, m(15), m(30)),  # 10, 30, 5, 20
        "time_to_mitigate": ("2026-Q1", 3, m(40), m(60)),  # 40, 60, 30 (C has no mitigated mark)
        "impact_duration": ("2026-Q1", 4, m(75), m(120)),  # 60, 90, 120, 60
    }
    assert dict(p.factor_categories) == {"process": 2, "tooling": 2, "technical": 1}
    groups = {g.wording: g.reviews for g in p.recurring}
    assert len(groups) == 2
    assert groups["Config change was not treated as a deploy"] == (slug["A"], slug["B"])
    alert = next(g for g in p.recurring if "lert thresholds" in g.wording)
    assert alert.reviews == (slug["D"], slug["A"])  # oldest incident first
    assert [(c.name, c.count) for c in p.components] == [("checkout-db", 3), ("search", 2)]
    assert [(r.component, r.action_review, r.closed, r.later) for r in p.repeats] == [
        ("checkout-db", slug["A"], date(2026, 1, 20), (slug["B"], slug["E"])),  # tied: A lists checkout-db
        ("checkout-db", slug["C"], date(2026, 2, 25), (slug["E"],)),  # tied: the title names checkout-db
    ]
    f = p.follow
    assert (f.total, f.done, f.wont_do, f.open, f.overdue, f.median_days_to_close) == (7, 2, 1, 4, 2, 9.0)
    owners = {o.who: (o.total, o.done, o.open, o.overdue, o.median_days_to_close) for o in p.by_owner}
    assert owners == {"Ana": (2, 1, 1, 1, 14.0), "Bo": (3, 1, 1, 0, 4.0), "Cy": (1, 0, 1, 1, None),
                      "(no owner)": (1, 0, 1, 0, None)}


def test_many_wordings_are_compared_by_shared_rare_words_with_the_same_groups(monkeypatch):
    import random

    rnd = random.Random(14)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rnd.choice(letters) for _ in range(rnd.randint(4, 9))) for _ in range(400)]
    texts = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(5, 9))) for _ in range(600)]
    items = [(t, i) for i, t in enumerate(texts)] + [(t + " again", 1000 + i) for i, t in enumerate(texts[:40])]
    every_pair = sorted(map(tuple, patterns.similar_groups(items)))
    monkeypatch.setattr(patterns, "ALL_PAIRS", 0)  # as with more than 2,000 distinct wordings
    assert sorted(map(tuple, patterns.similar_groups(items))) == every_pair
    assert sum(len(g) > 1 for g in every_pair) >= 40  # the rewordings were found


def test_a_similar_pair_whose_rarest_words_are_spelt_differently_is_found_among_thousands():
    """Blocking by shared rare words alone misses a rewording that changes exactly those
    words (a plural, a typo); the pair must still be grouped, as comparing every pair would."""
    import random

    from rapidfuzz import fuzz

    rnd = random.Random(9)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rnd.choice(letters) for _ in range(rnd.randint(3, 10))) for _ in range(3000)]
    texts = [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(5, 12))) for _ in range(5000)]
    first = "replication backfill throttling saturated the shared checkout database"
    second = "replications backfills throttled saturated the shared checkout database"
    assert fuzz.token_sort_ratio(first, second) >= patterns.SIMILARITY  # similar by the rule itself
    assert len(texts) + 2 > patterns.ALL_PAIRS  # the blocked path, not every pair
    items = [(t, i) for i, t in enumerate(texts[:2500])] + [(first, 90001)] + \
            [(t, 2500 + i) for i, t in enumerate(texts[2500:])] + [(second, 90002)]
    groups = patterns.similar_groups(items)
    together = [g for g in groups if 2500 in g]
    assert together and len(items) - 1 in together[0]


def test_patterns_window_and_tag(store, known):
    facts = review_facts(store)
    assert patterns.compute_patterns(facts, TODAY, patterns.Window(since=date(2026, 2, 1))).reviews == 3
    assert patterns.compute_patterns(facts, TODAY, patterns.Window(until=date(2026, 1, 31))).reviews == 2
    tagged = patterns.compute_patterns(facts, TODAY, patterns.Window(tag="CACHE"))
    assert tagged.reviews == 2 and tagged.follow.total == 4
    assert patterns.compute_patterns(facts, TODAY, patterns.Window(tag="nope")).reviews == 0


def test_related_suggestions_and_history(store, known):
    facts = {f.slug: f for f in review_facts(store)}
    slug = {k: v[1] for k, v in known.items()}
    e = facts[slug["E"]]
    got = patterns.related_suggestions(e, list(facts.values()))
    assert [s.slug for s in got] == [slug["B"], slug["A"]]  # both share checkout-db; the newer first
    assert patterns.history_sentence(patterns.component_history(e, list(facts.values()))) == \
        "Checkout-DB appeared in 2 earlier reviews"
    b = facts[slug["B"]]
    [a_for_b] = patterns.related_suggestions(b, list(facts.values()))
    assert a_for_b.slug == slug["A"] and a_for_b.tags == ("cache",)
    assert a_for_b.factors == ("Config change was not treated as a deploy",)
    store.add_item("related", b.id, ref=slug["A"])  # linked: no longer suggested
    b = next(f for f in review_facts(store) if f.slug == slug["B"])
    assert patterns.related_suggestions(b, list(facts.values())) == []


# ---------------------------------------------------------------------- commands
def _doc(title: str, *actions: dict) -> str:
    return json.dumps({"format": FORMAT, "title": title, "action_items": list(actions)})


def test_actions_command_formats_and_overdue_exit(cli, store):
    store.import_documents([loads(_doc("Late", {"title": "Long overdue", "owner": "Ana", "due": "2000-01-01"},
                                       {"title": "Far away", "owner": "Bo", "due": "2999-01-01"},
                                       {"title": "Finished", "status": "done"}))])
    r = cli("actions", "--overdue")
    assert r.code == 1 and "Long overdue" in r.out and "Far away" not in r.out
    r = cli("actions", "--overdue", "--owner", "bo")
    assert r.code == 0 and "No action items match" in r.out
    r = cli("actions", "--format", "json", "--status", "all")
    assert [x["title"] for x in json.loads(r.out)] == ["Long overdue", "Far away", "Finished"]
    r = cli("actions", "--format", "csv", "--due-before", "2100-01-01")
    assert [row["Summary"] for row in csv.DictReader(io.StringIO(r.out))] == ["Long overdue"]
    r = cli("actions", "--owner", "Nobody", "--format", "json")
    assert r.code == 0 and json.loads(r.out) == []


@pytest.mark.parametrize(("args", "message"), [
    (("actions", "--due-before", "2026-02-30"), "--due-before: 2026-02-30 is not a real date"),
    (("actions", "--due-before", "tomorrow"), "--due-before: 'tomorrow' is not a date written YYYY-MM-DD"),
    (("patterns", "--since", "2026-1-1"), "--since: '2026-1-1' is not a date written YYYY-MM-DD"),
    (("patterns", "--since", "2026-03-01", "--until", "2026-02-01"), "--until 2026-02-01 is before --since"),
])
def test_bad_dates_are_one_sentence_and_exit_2(cli, store, args, message):
    r = cli(*args)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_patterns_command_text_and_json(cli, store, known):
    r = cli("patterns", "--format", "json", "--tag", "cache")
    data = json.loads(r.out)
    assert r.code == 0 and data["reviews"] == 2 and data["incidents_per_severity"] == {"SEV2": 2}
    r = cli("patterns")
    assert r.code == 0 and "Patterns across 5 reviews" in r.out and "checkout-db" in r.out
    assert "Config change was not treated as a deploy [process]: 2 reviews" in r.out
    r = cli("patterns", "--tag", "unknown")
    assert r.code == 0 and "No reviews in this window." in r.out


def test_export_all_writes_actions_and_patterns_linked_from_the_index(cli, store, known, tmp_path):
    out = tmp_path / "wiki"
    assert cli("export", "--all", "--to", str(out)).code == 0
    index = (out / "index.md").read_text()
    assert "(actions.md)" in index and "(patterns.md)" in index
    actions = (out / "actions.md").read_text()
    assert "Lower the alert threshold" in actions and "Finished" not in actions
    assert "&#91;b&#93;markup&#91;/b&#93;" in actions  # user text stays literal in Markdown
    pattern_page = (out / "patterns.md").read_text()
    assert "```mermaid" in pattern_page and "## Repeat incidents" in pattern_page


def test_the_first_screen_on_sqlite_is_the_same_read_without_sqlalchemy(store, known, db_path):
    import subprocess
    import sys

    from pmtui.store.followup import first_screen

    for day in (date(2025, 12, 1), TODAY, date(2027, 1, 1)):  # nothing, some and everything overdue
        rows, counts = first_screen(store, day, 3)
        assert rows == action_rows(store, day, 3) and counts == action_counts(store, day)
    code = ("import sys; from datetime import date; from pmtui.store import Store; "
            "from pmtui.store.followup import first_screen; "
            f"s = Store.open({str(db_path)!r}); rows, counts = first_screen(s, date(2026, 3, 21), 60); "
            "print(len(rows), counts[0], 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(len(action_rows(store))), str(len(action_rows(store))), "False"]
