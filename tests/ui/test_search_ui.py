"""The search view: ctrl+f from the list of reviews and from inside a review, results as
you type (in a worker; a stale result never replaces a newer one), Enter opens the review
at the hit's section and row, Escape returns where you were."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import settle
from pmtui.domain.document import loads
from pmtui.screens.home import HomeScreen
from pmtui.screens.search import SearchScreen
from pmtui.widgets.list_editor import ListEditor

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def import_examples(store):
    return [rid for rid, _ in store.import_documents([loads(p.read_bytes()) for p in sorted(EXAMPLES.glob("*.json"))])]


async def test_ctrl_f_from_the_list_searches_as_you_type_and_escape_comes_back(store, make_app):
    import_examples(store)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"backups")
        await settle(app, pilot)
        assert screen.hits and all("backup" in h.plain().casefold() for h in screen.hits)
        assert "matches" in str(screen.query_one("#search-status").render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_a_stale_result_never_replaces_a_newer_one(store, make_app):
    import_examples(store)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        screen = app.screen
        await pilot.press(*"regex")
        await settle(app, pilot)
        newer = list(screen.hits)
        screen.post_message(SearchScreen.Found(screen.generation - 1, [], 0.0))  # an older search, late
        await settle(app, pilot)
        assert screen.hits == newer and newer


async def test_enter_opens_the_review_at_the_factor_and_f8_comes_back_to_the_results(store, make_app):
    ids = import_examples(store)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        search = app.screen
        await pilot.press(*"mail provider", "enter")
        await settle(app, pilot)
        hit = search.selected()
        assert hit is not None and hit.section == "factors"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.SECTION == "analysis" and app.screen.review_id == hit.review_id
        editor = next(e for e in app.screen.query(ListEditor) if e.kind == "factor")
        assert editor.selected_id() == hit.row_id and editor.table.has_focus
        await pilot.press("f8")
        await settle(app, pilot)
        assert app.screen is search and search.query_one("#search-query").value == "mail provider"
    assert hit.review_id in ids


async def test_from_inside_a_review_enter_opens_the_event_and_escape_returns_to_the_review(store, make_app):
    ids = import_examples(store)
    app = make_app(review_id=ids[0], screen="overview")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        review = app.screen
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is review
        await pilot.press("ctrl+f")
        await settle(app, pilot)
        search = app.screen
        await pilot.press(*"data directory removed", "down")
        await settle(app, pilot)
        row = next(i for i, h in enumerate(search.hits) if h.section == "timeline")
        search.query_one("#search-results").move_cursor(row=row)
        hit = search.hits[row]
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen.SECTION == "timeline" and app.screen.review_id == hit.review_id
        from pmtui.widgets.timeline_table import TimelineTable

        assert app.screen.query_one(TimelineTable).selected.id == hit.row_id


async def test_the_patterns_view_merges_and_splits_groups_kept_in_the_store(store, make_app):
    from pmtui.domain.document import validate_document
    from pmtui.screens.pattern_groups import PatternGroupsScreen
    from pmtui.store import pattern_choices

    def doc(title, factors):
        return validate_document({"format": "pmtui-review/2", "title": title,
                                  "factors": [{"text": f, "category": "technical"} for f in factors]})

    store.import_documents([
        doc("One", ["Replication stopped after a load spike", "Certificate expiry was not monitored"]),
        doc("Two", ["Replication stopped after a load spike from spam", "Nobody monitored certificate expiry dates"]),
    ])
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        groups = app.screen
        assert isinstance(groups, PatternGroupsScreen) and len(groups.groups) == 2
        table = groups.query_one("#groups")
        table.focus()
        await pilot.press("m")
        await settle(app, pilot)
        table.move_cursor(row=len(groups.rows) - 1)
        await pilot.press("m")
        await settle(app, pilot)
        assert len(groups.groups) == 1 and len(groups.rows) == 4
        assert len(set(pattern_choices.groups_of(store).values())) == 1
        table.move_cursor(row=0)
        wording = groups.rows[0][1]
        await pilot.press("s")
        await settle(app, pilot)
        assert wording not in {w for _n, w in groups.rows}
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.__class__.__name__ == "PatternsScreen"


async def test_ctrl_z_undoes_a_merge_and_a_split_of_pattern_groups_and_ctrl_y_redoes(store, make_app):
    """The person who merged two groups by mistake presses ctrl+z: the groups are as they
    were, in the view and in the store (the next run agrees); ctrl+y merges them again.
    The same for a split."""
    from pmtui.domain.document import validate_document
    from pmtui.screens.pattern_groups import PatternGroupsScreen
    from pmtui.store import pattern_choices

    def doc(title, factors):
        return validate_document({"format": "pmtui-review/2", "title": title,
                                  "factors": [{"text": f, "category": "technical"} for f in factors]})

    store.import_documents([
        doc("One", ["Replication stopped after a load spike", "Certificate expiry was not monitored"]),
        doc("Two", ["Replication stopped after a load spike from spam", "Nobody monitored certificate expiry dates"]),
    ])
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("f5")
        await settle(app, pilot)
        await pilot.press("g")
        await settle(app, pilot)
        groups = app.screen
        assert isinstance(groups, PatternGroupsScreen)
        shown = sorted(sorted(w for n2, w in groups.rows if n2 == n) for n in range(len(groups.groups)))
        assert len(shown) == 2
        table = groups.query_one("#groups")
        table.focus()
        await pilot.press("m")
        await settle(app, pilot)
        table.move_cursor(row=len(groups.rows) - 1)
        await pilot.press("m")
        await settle(app, pilot)
        assert len(groups.groups) == 1 and pattern_choices.choices(store)
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert pattern_choices.choices(store) == {}
        assert sorted(sorted(w for n2, w in groups.rows if n2 == n) for n in range(len(groups.groups))) == shown
        await pilot.press("ctrl+y")
        await settle(app, pilot)
        assert len(groups.groups) == 1 and len(set(pattern_choices.groups_of(store).values())) == 1
        # a split, undone: the wording is back in its group
        table.move_cursor(row=0)
        wording = groups.rows[0][1]
        await pilot.press("s")
        await settle(app, pilot)
        assert wording not in {w for _n, w in groups.rows}
        await pilot.press("ctrl+z")
        await settle(app, pilot)
        assert len(groups.groups) == 1 and wording in {w for _n, w in groups.rows}
        assert len(set(pattern_choices.groups_of(store).values())) == 1


def test_a_match_far_along_its_text_is_brought_into_its_column():
    """The Match column is narrow at 80 columns: a hit past its end is shown with the
    start of the text cut ("…"), so the marked word is in view, marked on its own letters."""
    from datetime import date

    from pmtui.domain.search import HIT_END, HIT_START, Hit
    from pmtui.screens.search import marked

    text = f"20 minutes were spent scaling database {HIT_START}replicas{HIT_END} before the cache was examined"
    hit = Hit(1, "slug", "Title", date(2026, 3, 10), "observations", 3, 7, text, 1.0)
    shown = marked(hit, 25)
    assert shown.plain.startswith("…") and "replicas" in shown.plain[:24]
    [span] = shown.spans
    assert shown.plain[span.start:span.end] == "replicas" and "reverse" in str(span.style)
    whole = marked(hit)  # the detail below the results: the whole text, the word marked
    [span] = whole.spans
    assert whole.plain == hit.plain() and whole.plain[span.start:span.end] == "replicas"
    near = Hit(1, "slug", "Title", None, "timeline", 6, 8, f"{HIT_START}Replica{HIT_END} scaling has no effect", 1.0)
    assert marked(near, 25).plain.startswith("Replica")  # in view already: nothing cut


@pytest.mark.parametrize("kind", ["sqlite-new", "sqlite-upgraded", "postgres-new", "postgres-upgraded"])
async def test_search_works_on_both_databases_on_new_and_upgraded_stores(kind, tmp_path, request, monkeypatch):
    """Issue 25's "done when": `pmtui search` and the search view answer on SQLite and
    PostgreSQL, on a new store and on one upgraded from the release's schema 2
    (tests/fixtures/release-0-schema2.db)."""
    import io
    import shutil
    from contextlib import redirect_stdout

    from pmtui.app import PostmortemApp
    from pmtui.cli.main import main
    from pmtui.store import Store
    from test_migrations import OLD, make_schema_2_postgres_store

    if kind == "sqlite-new":
        url = str(tmp_path / "new.db")
        seed = Store.open(url)
        import_examples(seed)
        seed.close()
    elif kind == "sqlite-upgraded":
        url = str(tmp_path / "old.db")
        shutil.copyfile(OLD, url)
    else:
        server = request.getfixturevalue("pg_server")
        if kind == "postgres-new":
            url = server.url(server.new_database())
            seed = Store.open(url)
            import_examples(seed)
            seed.close()
        else:
            url = make_schema_2_postgres_store(server)
    monkeypatch.delenv("PMTUI_DB", raising=False)
    store = Store.open(url)
    try:
        assert (store.upgraded is not None) == kind.endswith("upgraded")
        review = store.list_reviews()[0]
        word = max(review.title.split(), key=len).strip(".,:;()")
        out = io.StringIO()
        with redirect_stdout(out):
            code = main(["--db", url, "search", word, "--format", "json"])
        assert code == 0
        found = __import__("json").loads(out.getvalue())
        assert any(h["section"] == "title" and h["review"]["slug"] == review.slug for h in found), (word, found)
        app = PostmortemApp(store)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+f")
            await settle(app, pilot)
            search = app.screen
            assert isinstance(search, SearchScreen)
            await pilot.press(*word)
            await settle(app, pilot)
            row = next(i for i, h in enumerate(search.hits) if h.section == "title" and h.review_id == review.id)
            search.query_one("#search-results").move_cursor(row=row)
            search.query_one("#search-results").focus()
            await pilot.press("enter")
            await settle(app, pilot)
            assert getattr(app.screen, "review_id", None) == review.id
    finally:
        store.close()
