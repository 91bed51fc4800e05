"""Search across every review: the same queries find the same rows on SQLite (FTS5) and
PostgreSQL (tsvector + GIN); the index follows every write (import, edits, deletes,
evidence, undo) because the database keeps it; stemming, accents, phrases, prefixes,
exclusions and filters; `pmtui search` as a user runs it."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from pmtui.domain import search as S
from pmtui.domain.document import loads
from pmtui.store import Store
from pmtui.store import search as index

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


@pytest.fixture
def reviews(store, example_bytes):
    docs = [loads(p.read_bytes(), str(p)) for p in sorted(EXAMPLES.glob("*.json"))] + [loads(example_bytes)]
    ids = [rid for rid, _slug in store.import_documents(docs)]
    return dict(zip(["aws", "cloudflare", "gitlab", "demo"], ids, strict=True))


def found(store, text, **filters):
    return [(h.slug, h.section, h.row) for h in index.search(store, S.parse(text, **filters))]


def words_marked(hit):
    plain = hit.plain()
    return [S.fold(plain[a:b]) for a, b in hit.marks()]


QUERIES = ['replica', 'backups', '"staged rollout"', 'deploy*', 'regex -backtrack', 'capacity tool',
           'restore', 'owner:"firewall team" rule', 'status:done cache', 'tag:database backup', 'cpu',
           'kafka', 'orders backlog', 'Réplica lectura', 'saturee', 'v2 pricing']
# words joined by a slash or a hyphen, and accents, in a review of its own
WORDS = {"format": "pmtui-review/2", "title": "Consumer lag on kafka/orders",
         "factors": [{"text": "Réplica de lectura saturée; the kafka/orders backlog grew", "category": "technical"},
                     {"text": "The v2-pricing flag shipped to every region at once", "category": "process"}]}


def test_the_same_queries_find_the_same_rows_on_both_databases(pg_server, tmp_path, example_bytes):
    """One import into an SQLite store and a PostgreSQL store; each query finds the same
    rows (review, section, place) with the same words marked on both. The order of equally
    relevant rows may differ between bm25 and ts_rank: compared as sets, plus the best hit."""
    docs = [p.read_bytes() for p in sorted(EXAMPLES.glob("*.json"))] + [example_bytes, json.dumps(WORDS).encode()]
    name = pg_server.new_database()
    stores = [Store.open(tmp_path / "s.db"), Store.open(pg_server.url(name))]
    try:
        for st in stores:
            st.import_documents([loads(d) for d in docs])
        for q in QUERIES:
            lite, pg = (index.search(st, S.parse(q)) for st in stores)
            assert lite, f"{q!r} found nothing"
            assert sorted((h.slug, h.section, h.row) for h in lite) == sorted((h.slug, h.section, h.row) for h in pg), q
            for a in lite:  # the same words are marked in the same row
                b = next(h for h in pg if (h.slug, h.section, h.row) == (a.slug, a.section, a.row))
                assert set(words_marked(a)) & set(words_marked(b)), (q, a.text, b.text)
    finally:
        for st in stores:
            st.close()
        pg_server.drop(name)


def test_each_query_finds_what_a_reader_expects_on_both(store, reviews, backend):
    # a stem in any form: "replicas" and "Replica" are one word
    assert ("2026-03-10-checkout-latency-after-cache-configuration-deploy", "timeline", 5) in found(store, "replica")
    # a phrase: those words next to each other
    hits = index.search(store, S.parse('"staged rollout"'))
    assert {h.slug for h in hits} == {"2019-07-02-cloudflare-waf-outage-caused-by-a-regular-expression"} or hits
    assert all("staged rollout" in S.fold(h.plain()) for h in hits)
    # every hit's marked words are the words asked for, in some form
    for h in index.search(store, S.parse("backups")):
        assert words_marked(h) and all(w.startswith("backup") for w in words_marked(h))
    # a prefix
    assert any(w.startswith("deploy") and w != "deploy" for h in index.search(store, S.parse("deploy*"))
               for w in words_marked(h))
    # exclusion leaves out every row with the word
    with_regex = index.search(store, S.parse("regex"))
    without = index.search(store, S.parse("regex -backtrack"))
    assert len(without) < len(with_regex)
    assert not any("backtrack" in S.fold(h.plain()) for h in without)
    # owner:, status:, tag: as in the Follow-ups view
    assert {sec for _s, sec, _r in found(store, 'owner:"firewall team" rule')} == {"actions"}
    assert all(slug.startswith("2017-01-31-gitlab") for slug, _sec, _r in found(store, "tag:database backup"))
    assert found(store, "owner:nobody-at-all rule") == []
    # --in and the window
    assert {sec for _s, sec, _r in found(store, "backups", sections=("factors",))} == {"factors"}
    assert found(store, "backups", until=date(2010, 1, 1)) == []
    # only stop words, or only exclusions: nothing to find
    assert index.search(store, S.parse("the after")) == []
    assert index.search(store, S.parse("-regex")) == []


FILTERED = [("tag:database backup", {}), ("backups", {"tags": ("database",)}), ('owner:"firewall team" rule', {}),
            ("status:done cache", {}), ("backups", {"since": date(2017, 1, 1), "until": date(2017, 12, 31)}),
            ("cache", {"sections": ("actions", "timeline")}), ("rule", {"sections": ("factors",), "tags": ("database",)}),
            ("tag:database owner:nobody-at-all backup", {}), ("tag:database status:done backup", {})]


def test_filters_find_the_same_rows_as_sets_of_ids_and_as_conditions_on_both(store, reviews, backend, monkeypatch):
    """A review filter passing few reviews is applied as the set of their rows' ids, one
    passing many as a condition on each row found: the same rows either way, each of them
    among the rows the words find without the filter."""
    for text, filters in FILTERED:
        few = found(store, text, **filters)
        monkeypatch.setattr(index, "FEW_REVIEWS", 0)
        many = found(store, text, **filters)
        monkeypatch.undo()
        assert few == many, text
        words = S.parse(text, limit=1000)
        unfiltered = set(found(store, " ".join(w for t in words.terms for w in t.words), limit=1000))
        assert set(few) <= unfiltered, text
    assert found(store, "tag:database backup") and found(store, "status:done cache")
    assert found(store, "tag:database owner:nobody-at-all backup") == []


def test_accents_and_case_fold_on_both(store, reviews, backend):
    rid = reviews["demo"]
    store.add_item("factor", rid, text="Réplica de lectura saturée tras el despliegue", category="technical")
    assert [sec for _s, sec, _r in found(store, "replica lectura")] == ["factors"]
    assert [sec for _s, sec, _r in found(store, "SATUREE")] == ["factors"]


def test_accents_fold_on_a_postgres_server_where_unaccent_cannot_be_created(pg_server, example_bytes):
    """A team's shared server: the store's user may create tables in its schema but not
    extensions (CREATE EXTENSION needs CREATE on the database). The store is laid out
    all the same, without ``unaccent``, and folds accents with its own function: "Réplica"
    still meets "replica" both ways, and the hit is marked on the text as written."""
    import psycopg

    from conftest import PG_PASSWORD

    name = pg_server.new_database()
    role = f"{name}_seat"
    pg_server.admin(f"CREATE ROLE {role} LOGIN PASSWORD '{PG_PASSWORD}'")
    with psycopg.connect(pg_server.url(name), autocommit=True) as con:
        con.execute(f"GRANT USAGE, CREATE ON SCHEMA public TO {role}")
    store = Store.open(pg_server.url(name, user=role))
    try:
        with store._read() as conn:
            assert not index.uses_unaccent(conn)  # really without the extension
        rid = store.import_documents([loads(example_bytes)])[0][0]
        store.add_item("factor", rid, text="Réplica de lectura saturée tras el despliegue", category="technical")
        [hit] = index.search(store, S.parse("replica lectura"))
        assert hit.section == "factors" and hit.plain().startswith("Réplica de lectura")
        assert [hit.plain()[a:b] for a, b in hit.marks()] == ["Réplica", "lectura"]
        assert [h.section for h in index.search(store, S.parse("SATUREE"))] == ["factors"]
        # the other way: accents typed in the query meet the text written without them
        typed = {(h.section, h.row) for h in index.search(store, S.parse("réplicas"))}
        assert ("timeline", 5) in typed and typed == {(h.section, h.row) for h in index.search(store, S.parse("replicas"))}
    finally:
        store.close()
        pg_server.drop(name)
        pg_server.admin(f"DROP ROLE {role}")


def test_postgres_reads_the_newest_slices_first_and_finds_what_the_whole_index_does(pg_server, monkeypatch):
    """A common word on PostgreSQL is looked for in the newest slices of the index first
    (so it reads about RANKED rows, not every match): the hits are the same as a search
    of the whole index, however the slices fall. Slices of one row of each table and a
    RANKED of 7 here, so that 40 events span many slices and rounds."""
    from pmtui.domain.document import validate_document

    monkeypatch.setattr(index, "SLICE", 4)
    monkeypatch.setattr(index, "BLOCK", 6)
    monkeypatch.setattr(index, "TSV", index.TSV.replace(">> 16", ">> 4").replace(">> 20", ">> 6"))
    monkeypatch.setattr(index, "RANKED", 7)
    name = pg_server.new_database()
    store = Store.open(pg_server.url(name))
    try:
        doc = {"format": "pmtui-review/2", "title": "Wombat burrow",
               "timeline": [{"at": f"2026-03-10T10:{m:02d}:00Z",
                             "text": ("wombat " * (1 + m % 3)) + f"step {m}" if m % 4 else f"quiet step {m}"}
                            for m in range(40)]}
        store.import_documents([validate_document(doc)] * 3)
        with store._read() as conn:
            slices = conn.execute(__import__("sqlalchemy").text(
                "SELECT COUNT(DISTINCT id >> 4) FROM search_text WHERE body LIKE '%wombat%'")).scalar()
        assert slices > 20
        for text in ("wombat", "wombat step", "wombat -burrow", "step"):
            monkeypatch.setattr(index, "_estimate", lambda *_a: 0.0)  # the whole index
            whole = [(h.row_id, h.section, h.text) for h in index.search(store, S.parse(text, limit=5))]
            for guess in (1e6, 200.0, 50.0):  # slices first (above PLAIN x RANKED = 42), however many they say
                monkeypatch.setattr(index, "_estimate", lambda *_a, g=guess: g)
                assert [(h.row_id, h.section, h.text) for h in index.search(store, S.parse(text, limit=5))] == whole
            assert whole or text == "wombat -burrow"
    finally:
        store.close()
        pg_server.drop(name)


def test_the_index_follows_every_write(store, reviews, backend):
    rid = reviews["demo"]
    count = len(store.list_items("factor", rid))
    new = store.add_item("factor", rid, text="Quokka telemetry dropped during the failover", category="technical")
    assert found(store, "quokka") == [(store.get_review(rid)["slug"], "factors", count + 1)]
    row = next(f for f in store.list_items("factor", rid) if f["id"] == new)
    store.update_item("factor", new, expected_version=row["version"], text="Wombat telemetry dropped")
    assert found(store, "quokka") == [] and len(found(store, "wombat")) == 1
    snapshot = store.delete_item("factor", new, expected_version=row["version"] + 1)
    assert found(store, "wombat") == []
    store.restore_item(snapshot)  # undo brings the row, and its entry, back
    assert len(found(store, "wombat")) == 1
    # events and the review's own fields
    ev = store.add_event(rid, at="2026-03-10T10:00:00+00:00", text="Platypus alarm fired")
    assert [sec for _s, sec, _r in found(store, "platypus")] == ["timeline"]
    store.delete_event(ev, expected_version=store.events_by_id(rid, [ev])[0].version)
    assert found(store, "platypus") == []
    store.update_review(rid, expected_version=store.get_review(rid)["version"], summary="An echidna of a morning")
    assert [sec for _s, sec, _r in found(store, "echidna")] == ["summary"]
    store.update_review(rid, expected_version=store.get_review(rid)["version"], title="Echidna latency")
    assert sorted(sec for _s, sec, _r in found(store, "echidna")) == ["summary", "title"]
    # deleting a review takes its rows out of the index
    seen = store.get_review(rid)
    store.delete_review(rid, expected_version=seen["version"], expected_updated_at=seen["updated_at"])
    assert found(store, "echidna") == [] and found(store, "wombat") == []


def test_hits_are_ranked_by_relevance_then_by_date(store, reviews):
    rid = reviews["demo"]
    store.add_item("learning", rid, text="Lemming lemming lemming")
    store.add_item("learning", reviews["aws"], text="A lemming, once, among many other words about the day")
    hits = index.search(store, S.parse("lemming"))
    assert [h.review_id for h in hits] == [rid, reviews["aws"]]
    assert hits[0].score > hits[1].score


def test_a_release_store_upgraded_to_this_schema_is_searchable(tmp_path):
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "release-0-schema2.db", path)
    store = Store.open(path)
    try:
        con = sqlite3.connect(path)
        title = con.execute("SELECT title FROM review ORDER BY id").fetchone()[0]
        con.close()
        word = max(title.split(), key=len)
        assert any(h.section == "title" for h in index.search(store, S.parse(word)))
        size, total = index.sizes(store)
        assert 0 < size < total
    finally:
        store.close()


def test_the_cli_prints_a_table_and_json(cli, example_bytes, tmp_path):
    for p in sorted(EXAMPLES.glob("*.json")):
        assert cli("import", str(p)).code == 0
    r = cli("search", "backups", "--in", "factors")
    assert r.code == 0, r.err
    assert "gitlab" in r.out and "«backups»" in r.out and "Factors #" in r.out
    r = cli("search", "backups", "--format", "json", "--since", "2017-01-01", "--until", "2017-12-31")
    data = json.loads(r.out)
    assert data and all(h["review"]["date"].startswith("2017") for h in data)
    first = data[0]
    assert S.fold(first["text"][slice(*first["marks"][0])]).startswith("backup")
    r = cli("search", "backups", "--in", "timelines,nowhere")
    assert r.code == 2 and "--in" in r.err and "nowhere" in r.err and "Traceback" not in r.err
    r = cli("search", "backups", "--since", "2017-13-01")
    assert r.code == 2 and "--since" in r.err
    r = cli("search", "zzzyzx")
    assert r.code == 0 and "No matches" in r.out


def test_a_schema_2_postgres_store_upgraded_to_this_schema_is_searchable(pg_server):
    from test_migrations import make_schema_2_postgres_store

    url = make_schema_2_postgres_store(pg_server)
    store = Store.open(url)
    try:
        title = store.list_reviews()[0].title
        word = max(title.split(), key=len)
        assert any(h.section == "title" for h in index.search(store, S.parse(word)))
        size, total = index.sizes(store)
        assert 0 < size < total
    finally:
        store.close()


def _postgres_index_layout(url):
    """What the search index is made of on PostgreSQL: its columns (and the tsvector's
    expression), indexes, triggers, functions and the configuration's dictionaries."""
    import psycopg

    with psycopg.connect(url) as con:
        return [con.execute(sql).fetchall() for sql in (
            "SELECT column_name, generation_expression FROM information_schema.columns "
            "WHERE table_name = 'search_text' ORDER BY column_name",
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_text' ORDER BY indexname",
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname LIKE 'search_text%' ORDER BY tgname",
            "SELECT proname, prosrc, proisstrict FROM pg_proc WHERE proname LIKE 'search_text%' OR proname = 'pmtui_fold' "
            "ORDER BY proname",
            "SELECT m.maptokentype, m.mapseqno, m.mapdict::regdictionary::text FROM pg_ts_config_map m "
            "JOIN pg_ts_config c ON c.oid = m.mapcfg WHERE c.cfgname = 'pmtui_search' ORDER BY 1, 2")]


def test_a_postgres_store_of_schema_9_gets_the_new_index_layout_and_finds_as_a_new_one(pg_server, example_bytes):
    """A PostgreSQL store laid out by schema 9 (its tsvector made of the text alone, no
    folding function) is upgraded by migration 0010 to the layout of a new store: accents
    fold, slices are there, and the same queries find the same rows as in a new store."""
    from sqlalchemy import create_engine, text

    from pmtui.store.location import parse
    from pmtui.store.schema import SCHEMA_VERSION, _run_alembic

    old = pg_server.url(pg_server.new_database())
    engine = create_engine(parse(old).sqlalchemy_url())
    with engine.begin() as conn:
        _run_alembic(conn, "0009")
        conn.execute(text("INSERT INTO meta (key, value) VALUES ('application', 'pmtui'), ('schema_version', '9')"))
        # schema 9 as released: the tsvector of the text alone, no folding function
        conn.execute(text("ALTER TABLE search_text DROP COLUMN tsv"))
        conn.execute(text("ALTER TABLE search_text ADD COLUMN tsv TSVECTOR GENERATED ALWAYS AS "
                          "(to_tsvector('pmtui_search'::regconfig, body)) STORED"))
        conn.execute(text("CREATE INDEX ix_search_text_tsv ON search_text USING GIN (tsv)"))
        conn.execute(text("DROP FUNCTION pmtui_fold(text)"))
    engine.dispose()
    new = pg_server.url(pg_server.new_database())
    stores = []
    try:
        stores = [Store.open(old), Store.open(new)]
        assert stores[0].upgraded is not None and stores[0].upgraded[1] == SCHEMA_VERSION
        assert _postgres_index_layout(old) == _postgres_index_layout(new)
        for st in stores:
            rid = st.import_documents([loads(example_bytes)])[0][0]
            st.add_item("factor", rid, text="Réplica de lectura saturée tras el despliegue", category="technical")
        for q in ("replica lectura", "replicas", "kafka", '"staged rollout"', "cache*"):
            a, b = ([(h.section, h.row, h.plain()) for h in index.search(st, S.parse(q))] for st in stores)
            assert a == b, q
        assert [h.section for h in index.search(stores[0], S.parse("replica lectura"))] == ["factors"]
    finally:
        for st in stores:
            st.close()
        pg_server.drop(old.rsplit("/", 1)[1])
        pg_server.drop(new.rsplit("/", 1)[1])


def _fold_is_inlined(url):
    """Whether PostgreSQL inlines the folding function (its plan shows the expression,
    not a call of it): the cost of every row an import indexes."""
    import psycopg

    with psycopg.connect(url) as con:
        plan = "\n".join(r[0] for r in con.execute("EXPLAIN (VERBOSE) SELECT pmtui_fold(body) FROM search_text"))
    return "pmtui_fold" not in plan and "replace" in plan


def test_a_postgres_store_of_schema_11_gets_the_folding_inlined_and_finds_as_before(pg_server, example_bytes):
    """Schema 11 made the folding function STRICT, which PostgreSQL does not inline (its
    body, a CASE, is not strict), and indexed the rows' review ids: migration 0012 makes
    the function again, inlined, and drops that index, as a new store has them; the index
    is kept as it was and finds the same rows, accents folded."""
    import psycopg

    from pmtui.store.schema import SCHEMA_VERSION

    old = pg_server.url(pg_server.new_database())
    new = pg_server.url(pg_server.new_database())
    stores = []
    try:
        for url in (old, new):
            st = Store.open(url)
            rid = st.import_documents([loads(example_bytes)])[0][0]
            st.add_item("factor", rid, text="Réplica de lectura saturée tras el despliegue", category="technical")
            st.close()
        with psycopg.connect(old) as con:  # as schema 11 left it
            con.execute("CREATE OR REPLACE FUNCTION pmtui_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT "
                        "PARALLEL SAFE AS $$ SELECT CASE WHEN octet_length($1) = length($1) THEN translate($1, '/', ' ') "
                        "ELSE regexp_replace(normalize(translate($1, '/', ' '), NFD), '[\\u0300-\\u036f]', '', 'g') END $$")
            con.execute("CREATE INDEX ix_search_text_review ON search_text (review_id)")
            con.execute("UPDATE alembic_version SET version_num = '0011'")
            con.execute("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
        assert not _fold_is_inlined(old)
        stores = [Store.open(old), Store.open(new)]
        assert stores[0].upgraded is not None and stores[0].upgraded[1] == SCHEMA_VERSION
        assert _fold_is_inlined(old) and _fold_is_inlined(new)
        assert _postgres_index_layout(old) == _postgres_index_layout(new)
        for q in ("replica lectura", "Réplica", "replicas", '"database replicas"', "cache*"):
            a, b = ([(h.section, h.row, h.plain()) for h in index.search(st, S.parse(q))] for st in stores)
            assert a == b and a, q
    finally:
        for st in stores:
            st.close()
        pg_server.drop(old.rsplit("/", 1)[1])
        pg_server.drop(new.rsplit("/", 1)[1])


def test_db_reports_the_index_size_beside_the_store(cli, example_bytes, tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(example_bytes)
    assert cli("import", str(path)).code == 0
    r = cli("db")
    assert r.code == 0
    [line] = [x for x in r.out.splitlines() if x.startswith("size:")]
    assert "search index" in line
