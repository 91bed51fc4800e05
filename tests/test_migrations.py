"""Migrations: a store made by the release before Alembic (tests/fixtures) upgrades in
place with every row and value kept; newer stores are refused; concurrent openers
upgrade once; a migrated store has exactly the schema a new store gets."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pmtui.domain.document import dumps, loads
from pmtui.errors import StoreError
from pmtui.store import SCHEMA_VERSION, Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OLD = FIXTURES / "release-0-schema2.db"
EXPECTED = json.loads((FIXTURES / "release-0-schema2.exports.json").read_text(encoding="utf-8"))
EDITABLE = ("review", "event", "factor", "observation", "learning", "action_item", "note", "participant")
LIST_OF = {"event": "timeline", "factor": "factors", "observation": "observations", "action": "action_items"}


def exports_are_the_releases(store: Store, ids: list[int], links: bool = True, meeting: bool = True) -> None:
    """Every document exports as the old release exported it, read as pmtui-review/2: the
    same values, the fields /2 added at their defaults, and the note links (which the
    release kept beside the document) as each note's ``became``."""
    release = {str(i): json.loads(dumps(loads(EXPECTED["exports"][str(i)]))) for i in ids}
    links = {int(rid): {int(n): v for n, v in by_note.items()} for rid, by_note in EXPECTED["note_links"].items()
             } if links else {}
    for i in ids:
        doc = json.loads(dumps(store.export_document(i)))
        assert doc["format"] == "pmtui-review/2"
        notes = store.list_items("note", i)
        for n, note in enumerate(doc["notes"]):
            expected = []
            for kind, target in links.get(i, {}).get(notes[n]["id"], []):
                rows = store.events(i) if kind == "event" else store.list_items(kind, i)
                index = [r.id if kind == "event" else r["id"] for r in rows].index(target)
                expected.append({"kind": "action_item" if kind == "action" else kind, "index": index})
                assert doc[LIST_OF[kind]][index]  # it points at the item the link named
            assert note.pop("became") == expected
            release[str(i)]["notes"][n].pop("became")
        if meeting and str(i) in EXPECTED["meeting"]:  # the meeting the release kept beside the document, now in it (/2)
            state = json.loads(EXPECTED["meeting"][str(i)])
            release[str(i)]["meeting"] = {  # the release kept no stage's time: none is known
                "started": state["started_at"], "ended": None,
                "stages": [{"stage": s, "timebox_minutes": state["split"][s], "took_seconds": None}
                           for s in ("opening", "context", "analysis", "followups")]}
        assert doc == release[str(i)]


@pytest.fixture
def old_store(tmp_path) -> Path:
    path = tmp_path / "team" / "pmtui.db"
    path.parent.mkdir()
    shutil.copyfile(OLD, path)
    return path


def rows_by_table(path: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: con.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        con.close()


def columns(path: Path, table: str) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
    finally:
        con.close()


def test_the_fixture_is_a_schema_2_store_with_content():
    con = sqlite3.connect(f"{OLD.as_uri()}?mode=ro", uri=True)
    assert con.execute("PRAGMA user_version").fetchone()[0] == 2
    assert con.execute("SELECT COUNT(*) FROM review").fetchone()[0] == 5
    assert con.execute("SELECT COUNT(*) FROM meeting").fetchone()[0] == 1
    assert con.execute("SELECT COUNT(*) FROM note_link").fetchone()[0] == 1
    con.close()


def test_a_release_store_upgrades_in_place_keeping_every_row_and_value(old_store):
    before = rows_by_table(old_store)
    old_columns = {t: columns(old_store, t) for t in before}
    store = Store.open(old_store)
    old, new, aside = store.upgraded
    assert (old, new) == (2, SCHEMA_VERSION)
    # every document exports as the old release exported it (now as pmtui-review/2)
    ids = sorted(r.id for r in store.list_reviews())
    exports_are_the_releases(store, ids)
    for rid, state in EXPECTED["meeting"].items():
        assert store.get_meeting(int(rid)).to_json() == state
    for rid, links in EXPECTED["note_links"].items():
        assert {str(k): [list(x) for x in v] for k, v in store.note_links(int(rid)).items()} == links
    store.close()
    # every row of every old table, every old column, unchanged
    after = sqlite3.connect(old_store)
    meta = dict(before.pop("meta"))
    assert dict(after.execute("SELECT key, value FROM meta")) == {**meta, "schema_version": str(SCHEMA_VERSION),
                                                                 "application": "pmtui"}
    for table, rows in before.items():
        cols = ", ".join(f'"{c}"' for c in old_columns[table])
        assert after.execute(f'SELECT {cols} FROM "{table}" ORDER BY 1').fetchall() == rows, table
    # the new columns: version 1 everywhere, a uid for each review
    for table in EDITABLE:
        assert set(after.execute(f"SELECT DISTINCT version FROM {table}").fetchall()) <= {(1,)}
    uids = [r[0] for r in after.execute("SELECT uid FROM review")]
    assert all(uids) and len(set(uids)) == len(uids)
    assert after.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert after.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert after.execute("PRAGMA foreign_key_check").fetchall() == []
    after.close()
    # the copy made before upgrading is the old store, unchanged
    assert aside.parent == old_store.parent and "schema2" in aside.name
    assert rows_by_table(aside) == {**before, "meta": list(meta.items())}


def test_the_command_line_says_where_the_old_store_was_copied(old_store, cli):
    r = cli("--db", str(old_store), "list", db=False)
    assert r.code == 0
    [aside] = old_store.parent.glob("*.bak")
    assert f"upgraded the store {old_store} from schema 2 to {SCHEMA_VERSION}" in r.err
    assert str(aside) in r.err
    assert "Checkout latency" in r.out


def test_a_schema_1_store_is_upgraded_by_adding_its_missing_tables(old_store):
    con = sqlite3.connect(old_store)
    con.execute("DROP TABLE note_link")
    con.execute("DROP TABLE meeting")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    store = Store.open(old_store)
    assert store.upgraded[:2] == (1, SCHEMA_VERSION)
    ids = sorted(r.id for r in store.list_reviews())
    exports_are_the_releases(store, ids, links=False, meeting=False)  # a schema-1 store had no note links nor meeting
    assert store.get_meeting(ids[0]) is None  # the table exists again
    store.close()


def test_the_schema_version_is_the_newest_migrations_revision():
    from pmtui.store.schema import revisions

    revs = [rev for rev, _ in revisions()]
    assert revs[-1] == f"{SCHEMA_VERSION:04d}"  # a new migration file is the new schema, nothing else to bump
    assert revs == sorted(revs) and len(set(revs)) == len(revs)


def test_a_migrated_store_has_the_schema_of_a_new_store(old_store, tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from pmtui.store import listed, models
    from pmtui.store.search import index_tables

    Store.open(old_store).close()
    engine = create_engine(f"sqlite:///{old_store}")
    # the search index is not a model (FTS5 and its triggers are SQL of each database): compared below
    not_models = set(index_tables("sqlite")) | {listed.TABLE}  # and the home list's order (store/listed.py)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={
            "compare_type": False, "include_name": lambda name, kind, _parent: name not in not_models}),
            models.SQLModel.metadata)
    engine.dispose()
    assert diffs == []
    new = tmp_path / "new.db"
    Store.open(new).create_review("Queue backlog")

    def index_and_triggers(path):
        con = sqlite3.connect(path)
        try:
            return sorted(con.execute("SELECT type, name, sql FROM sqlite_master WHERE type = 'trigger' "
                                      "OR name LIKE 'search_text%' OR tbl_name = 'review_order'"))
        finally:
            con.close()

    assert index_and_triggers(old_store) == index_and_triggers(new)
    assert any(t == "trigger" for t, _n, _s in index_and_triggers(new))


def test_opening_a_current_store_does_not_import_alembic(db_path):
    Store.open(db_path).create_review("Queue backlog")
    code = ("import sys\nfrom pmtui.store import Store\n"
            f"s = Store.open({str(db_path)!r}); s.list_reviews(); s.export_document(1)\n"
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"


def test_a_store_written_by_a_newer_pmtui_is_refused_untouched(old_store):
    Store.open(old_store).close()
    con = sqlite3.connect(old_store)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    before = old_store.read_bytes()
    with pytest.raises(StoreError, match="newer pmtui"):
        Store.open(old_store)
    assert old_store.read_bytes() == before


def test_two_processes_opening_an_old_store_at_once_upgrade_it_once(old_store):
    code = ("import sys, time\nfrom pmtui.store import Store\n"
            "s = Store.open(sys.argv[1]); print(bool(s.upgraded)); print(len(s.list_reviews())); s.close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(old_store)], stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(o[0] for o in outs) == ["False", "False", "True"]
    assert {o[1] for o in outs} == {"5"}
    assert len(list(old_store.parent.glob("*.bak"))) == 1


def test_db_upgrade_applies_pending_migrations_explicitly(old_store, cli):
    r = cli("--db", str(old_store), "db", db=False)
    assert r.code == 0 and "schema:  2 " in r.out and "pmtui db upgrade" in r.out
    assert sqlite3.connect(old_store).execute("PRAGMA user_version").fetchone()[0] == 2  # `db` changed nothing
    r = cli("--db", str(old_store), "db", "upgrade", db=False)
    assert r.code == 0, r.err
    assert f"from schema 2 to {SCHEMA_VERSION}" in r.out + r.err
    r = cli("--db", str(old_store), "db", "upgrade", db=False)
    assert r.code == 0 and "already" in r.out


# --------------------------------------------------------------------- PostgreSQL
SCHEMA_2_ORDER = ("review", "author", "participant", "link", "tag", "event", "component", "factor", "observation",
                  "learning", "action_item", "note", "related", "meeting", "event_mark", "note_link")


def make_schema_2_postgres_store(pg_server) -> str:
    """A PostgreSQL store at schema 2 holding the fixture's rows (revision 0002 only)."""
    from sqlalchemy import MetaData, create_engine, insert, text

    from pmtui.store.location import parse
    from pmtui.store.schema import _run_alembic

    url = pg_server.url(pg_server.new_database())
    engine = create_engine(parse(url).sqlalchemy_url())
    old = sqlite3.connect(OLD)
    old.row_factory = sqlite3.Row
    with engine.begin() as conn:
        _run_alembic(conn, "0002")
        meta = MetaData()
        meta.reflect(conn)
        conn.execute(insert(meta.tables["meta"]), [dict(r) for r in old.execute("SELECT * FROM meta")]
                     + [{"key": "application", "value": "pmtui"}])
        for table in SCHEMA_2_ORDER:
            t = meta.tables[table]
            rows = [{k: (bool(v) if isinstance(t.c[k].type, __import__("sqlalchemy").Boolean) else v)
                     for k, v in dict(r).items()} for r in old.execute(f"SELECT * FROM {table}")]
            if rows:
                conn.execute(insert(t), rows)
            if "id" in t.c:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"))
    old.close()
    engine.dispose()
    return url


def test_a_schema_2_postgres_store_upgrades_in_one_transaction_keeping_everything(pg_server):
    url = make_schema_2_postgres_store(pg_server)
    store = Store.open(url)
    assert store.upgraded == (2, SCHEMA_VERSION, None)  # no file to copy: one transaction instead
    ids = sorted(r.id for r in store.list_reviews())
    exports_are_the_releases(store, ids)
    for rid, state in EXPECTED["meeting"].items():
        assert store.get_meeting(int(rid)).to_json() == state
    factor = store.list_items("factor", ids[0])[0]
    assert factor["version"] == 1
    new = store.add_item("factor", ids[0], text="Added after the upgrade", category="process")  # ids go on
    assert [f["text"] for f in store.list_items("factor", ids[0]) if f["id"] == new] == ["Added after the upgrade"]
    store.close()


def test_a_failed_postgres_upgrade_leaves_the_store_as_it_was(pg_server, monkeypatch):
    from pmtui.store import schema

    url = make_schema_2_postgres_store(pg_server)

    def broken(conn, target="head"):
        real(conn, target)
        raise RuntimeError("the server went away in the middle of the upgrade")

    real = schema._run_alembic
    monkeypatch.setattr(schema, "_run_alembic", broken)
    with pytest.raises(RuntimeError):
        Store.open(url)
    monkeypatch.setattr(schema, "_run_alembic", real)
    import psycopg

    with psycopg.connect(url) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
        cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'factor'")]
        assert "version" not in cols
    store = Store.open(url)  # and the next try upgrades it
    assert store.upgraded[:2] == (2, SCHEMA_VERSION)
    store.close()


def test_two_processes_opening_an_old_postgres_store_upgrade_it_once(pg_server):
    url = make_schema_2_postgres_store(pg_server)
    code = ("import sys\nfrom pmtui.store import Store\n"
            "s = Store.open(sys.argv[1]); print(bool(s.upgraded)); print(len(s.list_reviews())); s.close()")
    procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert sorted(o[0] for o in outs) == ["False", "False", "True"]
    assert {o[1] for o in outs} == {"5"}


def test_a_postgres_store_written_by_a_newer_pmtui_is_refused_untouched(pg_server, cli):
    import psycopg

    url = pg_server.url(pg_server.new_database())
    Store.open(url).create_review("Queue backlog")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("UPDATE alembic_version SET version_num = %s", (f"{SCHEMA_VERSION + 1:04d}",))
        before = con.execute("SELECT * FROM review").fetchall()
    r = cli("--db", url, "list", db=False)
    assert r.code == 1 and "newer pmtui" in r.err and "not changed" in r.err
    with psycopg.connect(url) as con:
        assert con.execute("SELECT * FROM review").fetchall() == before
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == f"{SCHEMA_VERSION + 1:04d}"


def test_db_on_an_old_postgres_store_reads_it_without_upgrading(pg_server, cli):
    import psycopg

    url = make_schema_2_postgres_store(pg_server)
    r = cli("--db", url, "db", db=False)
    assert r.code == 0 and "schema:  2 " in r.out and "reviews: 5" in r.out
    with psycopg.connect(url) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
    r = cli("--db", url, "db", "upgrade", db=False)
    assert r.code == 0 and f"from schema 2 to {SCHEMA_VERSION}" in r.out
    with psycopg.connect(url) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == f"{SCHEMA_VERSION:04d}"
