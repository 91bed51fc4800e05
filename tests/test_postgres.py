"""The store on both databases: the same behaviour on SQLite and on a real PostgreSQL
server (started by the test run), row versions and conflicts, the change signal,
`pmtui db`, `db copy` and `db backup`, and plain errors for bad URLs and servers."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from pmtui.domain.document import dumps, loads
from pmtui.errors import BadInput, Conflict, StoreError
from pmtui.store import SCHEMA_VERSION, Store, parse

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def example_docs(example_bytes):
    return [loads(p.read_bytes(), str(p)) for p in sorted(EXAMPLES.glob("*.json"))] + [loads(example_bytes)]


def test_import_export_round_trip_is_byte_identical(store, example_bytes):
    docs = example_docs(example_bytes)
    ids = [rid for rid, _ in store.import_documents(docs)]
    for rid, doc in zip(ids, docs):
        first = dumps(store.export_document(rid))
        assert first == dumps(doc)
        again = store.import_documents([loads(first)])[0][0]
        assert dumps(store.export_document(again)) == first


def test_list_counts_and_orders_the_same(store, example_bytes):
    store.import_documents(example_docs(example_bytes))
    store.create_review("No events yet")
    listed = store.list_reviews(today=date(2026, 3, 21))
    assert listed[0].title == "No events yet"  # created now: newer than every first event
    demo = next(r for r in listed if r.title.startswith("Checkout"))
    assert (demo.open_actions, demo.overdue_actions) == (3, 1)
    assert len(listed) == len(list(EXAMPLES.glob("*.json"))) + 2


def test_slugs_stay_unique_across_and_within_imports(store, example_bytes):
    doc = loads(example_bytes)
    slugs = [s for _, s in store.import_documents([doc, doc, doc])]
    slugs += [s for _, s in store.import_documents([doc])]
    base = slugs[0]
    assert slugs == [base, f"{base}-2", f"{base}-3", f"{base}-4"]


def test_meeting_state_and_notes_work_on_both(store, demo):
    from datetime import datetime, timedelta, timezone

    from pmtui.domain.meeting import Meeting

    at = datetime(2026, 3, 12, 15, 4, 5, 123456, tzinfo=timezone(timedelta(hours=1)))
    meeting = Meeting.start(at, length=45)
    store.save_meeting(demo, meeting)
    meeting.next_stage(at + timedelta(minutes=4))
    store.save_meeting(demo, meeting)
    assert store.get_meeting(demo).to_json() == meeting.to_json()
    note = store.add_item("note", demo, at=at, stage="context", kind="question", text="Which TTL [60s]?")
    action = store.add_item("action", demo, title="Document the TTL", owner="Platform team")
    store.link_note(note, "action", action)
    assert store.note_links(demo) == {note: [("action", action)]}
    [n] = [x for x in store.list_items("note", demo) if x["id"] == note]
    assert n["at"] == at and n["text"] == "Which TTL [60s]?"
    store.end_meeting(demo)
    assert store.get_meeting(demo) is None


def test_every_update_increments_the_row_version_and_records_who(store, demo):
    store.actor = "Amira Haddad"
    factor = store.list_items("factor", demo)[0]
    assert factor["version"] == 1
    store.update_item("factor", factor["id"], expected_version=1, text="Cache TTL default was not documented")
    [after] = [f for f in store.list_items("factor", demo) if f["id"] == factor["id"]]
    assert after["version"] == 2 and after["updated_by"] == "Amira Haddad" and after["updated_at"]
    event = store.events(demo)[0]
    store.update_event(event.id, expected_version=event.version, text="Deploy started")
    assert store.events(demo)[0].version == event.version + 1
    review = store.get_review(demo)
    store.update_review(demo, expected_version=review["version"], summary="New summary")
    assert store.get_review(demo)["version"] == review["version"] + 1


def test_a_stale_update_is_a_conflict_carrying_both_values_and_who(store, demo, db_url):
    other = Store.open(db_url)
    other.actor = "Jonas Weber"
    item = store.list_items("action", demo)[0]
    other.update_item("action", item["id"], expected_version=item["version"], owner="SRE team")
    with pytest.raises(Conflict) as caught:
        store.update_item("action", item["id"], expected_version=item["version"], owner="Platform team")
    c = caught.value
    assert c.current == {"owner": "SRE team"} and c.attempted == {"owner": "Platform team"}
    assert c.changed_by == "Jonas Weber" and c.current_version == item["version"] + 1
    assert "changed by Jonas Weber" in c.message
    [stored] = [a for a in store.list_items("action", demo) if a["id"] == item["id"]]
    assert stored["owner"] == "SRE team"  # nothing was written
    # a delete with a stale version conflicts too; with the current one it goes through
    with pytest.raises(Conflict):
        store.delete_item("action", item["id"], expected_version=item["version"])
    store.delete_item("action", item["id"], expected_version=item["version"] + 1)
    with pytest.raises(Conflict, match="deleted since you read it"):
        other.update_item("action", item["id"], expected_version=item["version"] + 1, owner="x")
    ev = store.events(demo)[1]
    other.update_event(ev.id, expected_version=ev.version, highlight=True)
    with pytest.raises(Conflict):
        store.delete_event(ev.id, expected_version=ev.version)
    other.close()


def test_a_write_to_an_existing_row_must_state_the_version_it_read(store, demo):
    """There is no last-write-wins: a caller that does not say which version it read writes nothing."""
    learning = store.list_items("learning", demo)[0]
    with pytest.raises(TypeError):
        store.update_item("learning", learning["id"], text="one")
    with pytest.raises(TypeError, match="states the version it read"):
        store.update_item("learning", learning["id"], expected_version=None, text="one")
    with pytest.raises(TypeError):
        store.delete_item("learning", learning["id"])
    store.update_item("learning", learning["id"], expected_version=learning["version"], text="two")
    assert [x["text"] for x in store.list_items("learning", demo) if x["id"] == learning["id"]] == ["two"]


def test_the_change_signal_sees_other_writers_only(store, demo, db_url):
    assert store.changed_elsewhere() is False  # starts watching
    mine = store.list_items("factor", demo)[0]
    store.update_item("factor", mine["id"], expected_version=mine["version"], text="our own edit")
    assert store.changed_elsewhere() is False
    other = Store.open(db_url)
    factor = other.list_items("factor", demo)[1]
    other.update_item("factor", factor["id"], expected_version=factor["version"], text="their edit")
    other.close()
    if store.kind != "postgresql":
        assert store.changed_elsewhere() is True
    else:  # PostgreSQL says what changed; its notification arrives a moment after the commit
        seen: list = []
        deadline = time.monotonic() + 15
        while not seen and time.monotonic() < deadline:
            seen = store.changes_elsewhere() or []
            time.sleep(0 if seen else 0.02)
        assert {"kind": "factor", "review": demo, "id": factor["id"]} in seen
    assert store.changed_elsewhere() is False


def test_wiki_and_check_work_on_both(cli, example_bytes, tmp_path):
    src = tmp_path / "demo.json"
    src.write_bytes(example_bytes)
    assert cli("import", str(src)).code == 0
    r = cli("check", "1", "--format", "json")
    data = json.loads(r.out)
    assert r.code == 1 and data["ready"] is False and any(f["place"] == "notes[1]" for f in data["findings"])
    r = cli("export", "--all", "--to", str(tmp_path / "wiki"))
    assert r.code == 0 and (tmp_path / "wiki" / "index.md").exists()


def test_db_shows_location_version_and_count_without_password(cli, example_bytes, tmp_path, db_url):
    src = tmp_path / "demo.json"
    src.write_bytes(example_bytes)
    cli("import", str(src), str(src))
    r = cli("db")
    assert r.code == 0
    assert f"schema:  {SCHEMA_VERSION} (current)" in r.out and "reviews: 2" in r.out
    assert parse(db_url).shown in r.out
    if parse(db_url).password:
        assert parse(db_url).password not in r.out + r.err


def test_db_copy_is_all_or_nothing_and_adds_nothing_twice(cli, example_bytes, tmp_path, db_url, request):
    # from an SQLite file to the store under test (PostgreSQL: how a team moves to a server)
    laptop = tmp_path / "laptop.db"
    s = Store.open(laptop)
    ids = [rid for rid, _ in s.import_documents(example_docs(example_bytes))]
    exported = [dumps(s.export_document(i)) for i in ids]
    s.close()
    r = cli("--db", str(laptop), "db", "copy", "--to", db_url, db=False)
    assert r.code == 0, r.err
    assert f"Copied {len(ids)} reviews" in r.out
    r = cli("--db", str(laptop), "db", "copy", "--to", db_url, db=False)
    assert r.code == 0 and "Copied 0 reviews" in r.out and f"{len(ids)} already there" in r.out
    target = Store.open(db_url)
    copied = sorted(dumps(target.export_document(x.id)) for x in target.list_reviews())
    assert copied == sorted(exported)
    target.close()


def test_db_copy_to_an_unusable_store_writes_nothing(cli, example_bytes, tmp_path):
    laptop = tmp_path / "laptop.db"
    Store.open(laptop).import_documents([loads(example_bytes)])
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = other.read_bytes()
    r = cli("--db", str(laptop), "db", "copy", "--to", str(other), db=False)
    assert r.code == 1 and "not a pmtui store" in r.err
    assert other.read_bytes() == before


@pytest.mark.parametrize("backend", ["sqlite"])
def test_db_backup_is_a_consistent_copy(cli, example_bytes, tmp_path, db_path):
    src = tmp_path / "demo.json"
    src.write_bytes(example_bytes)
    cli("import", str(src))
    r = cli("db", "backup", str(tmp_path / "copy.db"))
    assert r.code == 0, r.err
    copy = Store.open(tmp_path / "copy.db")
    assert dumps(copy.export_document(1)) == dumps(loads(example_bytes))
    copy.close()
    assert not list(tmp_path.glob(".copy.db.tmp*"))


@pytest.mark.parametrize("backend", ["postgres"])
def test_db_backup_of_a_postgres_store_says_what_to_use(cli):
    r = cli("db", "backup", "x.db")
    assert r.code == 2 and "pg_dump" in r.err


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_database_with_other_tables_is_not_touched(pg_server, cli):
    name = pg_server.new_database()
    import psycopg

    with psycopg.connect(pg_server.url(name), autocommit=True) as con:
        con.execute("CREATE TABLE invoices (id int)")
    r = cli("--db", pg_server.url(name), "list", db=False)
    assert r.code == 2 and "not a pmtui store" in r.err and PG_SECRET not in r.err
    with psycopg.connect(pg_server.url(name), autocommit=True) as con:
        tables = [t for (t,) in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    assert tables == ["invoices"]
    pg_server.drop(name)


PG_SECRET = "pmtui-test-Secret-42"


@pytest.mark.parametrize("backend", ["postgres"])
def test_wrong_credentials_and_missing_database_are_plain_sentences(pg_server, cli):
    r = cli("--db", pg_server.url("postgres", password="not-the-password"), "list", db=False)
    assert r.code == 2 and "check the user name and password" in r.err
    assert "not-the-password" not in r.err and "Traceback" not in r.err
    r = cli("--db", pg_server.url("no_such_db"), "list", db=False)
    assert r.code == 2 and "has no database 'no_such_db'" in r.err and PG_SECRET not in r.err


def test_an_unreachable_server_is_exit_1_without_the_password(cli, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here
    r = cli("--db", f"postgresql://me:hunter2@127.0.0.1:{port}/pmtui", "list", db=False)
    assert r.code == 1 and "does not answer" in r.err and "hunter2" not in r.err


@pytest.mark.parametrize("url, says", [
    ("postgresql://me:hunter2@host:99999/db", "port"),
    ("postgresql://me:hunter2@host:5432/", "name the database"),
    ("mysql://me:hunter2@host/db", "not a store pmtui can use"),
    ("sqlite://relative.db", "names a file"),
])
def test_a_malformed_url_is_one_sentence_without_the_password(cli, url, says):
    r = cli("--db", url, "list", db=False)
    assert r.code == 2 and says in r.err and "hunter2" not in r.err
    assert r.err.count("\n") == 1


def test_sqlite_urls_name_files(tmp_path):
    loc = parse(f"sqlite:///{tmp_path}/a.db")
    assert loc.kind == "sqlite" and loc.path == tmp_path / "a.db"
    pg = parse("postgresql://me:pw@db.example:5433/pmtui")
    assert pg.shown == "postgresql://me@db.example:5433/pmtui" and "pw" not in repr(pg)


def test_without_the_driver_a_postgres_url_says_what_to_install(tmp_path):
    code = ("import sys\nsys.modules['psycopg'] = None\n"
            "import importlib.util\nreal = importlib.util.find_spec\n"
            "importlib.util.find_spec = lambda n, *a: None if n == 'psycopg' else real(n, *a)\n"
            "from pmtui.cli.main import main\n"
            "sys.exit(main(['--db', 'postgresql://me:hunter2@127.0.0.1:1/pmtui', 'list']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "pip install 'pmtui[postgres]'" in proc.stderr and "hunter2" not in proc.stderr


def test_postgres_tests_do_not_skip_under_ci(request):
    """Under CI=true a missing server fails the run (see conftest.pg_server)."""
    import os

    if os.environ.get("CI") == "true":
        assert request.getfixturevalue("pg_server").port > 0


def test_a_nul_character_is_refused_on_both_stores_with_its_path(store, example_bytes, demo):
    """PostgreSQL cannot keep U+0000 in text; SQLite stores refuse it as well."""
    raw = json.loads(example_bytes)
    raw["learnings"] = ["ok", "a\u0000b"]
    with pytest.raises(BadInput, match=r"learnings\[1\]: contains the character U\+0000 .*nothing was imported"):
        store.import_documents([loads(json.dumps(raw))])
    assert len(store.list_reviews()) == 1
    from pmtui.errors import FieldErrors

    with pytest.raises(FieldErrors, match="U\\+0000"):
        store.update_review(demo, expected_version=store.get_review(demo)["version"], summary="a\x00b")


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_connection_that_drops_mid_write_leaves_the_store_as_it_was(store, demo, pg_server, db_url, example_bytes):
    import psycopg

    before = dumps(store.export_document(demo))
    real = store.backend.insert_rows
    calls = []

    def dropping(conn, table, rows, ids=False):
        out = real(conn, table, rows, ids)
        calls.append(table.name)
        if len(calls) == 2:  # the server ends our session between two statements of one write
            name = parse(db_url).database
            with psycopg.connect(pg_server.url("postgres"), autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        return out

    store.backend.insert_rows = dropping
    with pytest.raises(StoreError, match=r"connection to the PostgreSQL server at .* was lost") as caught:
        store.import_documents([loads(example_bytes), loads(example_bytes)])
    assert PG_SECRET not in caught.value.message
    store.backend.insert_rows = real
    assert [r.id for r in store.list_reviews()] == [demo]
    assert dumps(store.export_document(demo)) == before


def test_db_copy_keeps_the_meeting_state_and_note_links(tmp_path, db_url):
    """The committed release store, copied: documents, meeting clock and note links."""
    import shutil

    from pmtui.store.transfer import copy_reviews

    laptop = tmp_path / "laptop.db"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "release-0-schema2.db", laptop)
    source, target = Store.open(laptop), Store.open(db_url)
    assert copy_reviews(source, target) == (5, 0)
    by_slug = {r.slug: r.id for r in target.list_reviews()}
    for r in source.list_reviews():
        there = by_slug[r.slug]
        assert dumps(target.export_document(there)) == dumps(source.export_document(r.id))
        m1, m2 = source.get_meeting(r.id), target.get_meeting(there)
        assert (m1 and m1.to_json()) == (m2 and m2.to_json())
        src_notes = {n["id"]: n["text"] for n in source.list_items("note", r.id)}
        tgt_notes = {n["id"]: n["text"] for n in target.list_items("note", there)}
        src_actions = {a["id"]: a["title"] for a in source.list_items("action", r.id)}
        tgt_actions = {a["id"]: a["title"] for a in target.list_items("action", there)}
        def named(links, notes, actions):
            return sorted((notes[n], k, actions.get(t)) for n, ts in links.items() for k, t in ts)
        assert named(target.note_links(there), tgt_notes, tgt_actions) == named(source.note_links(r.id), src_notes, src_actions)
    assert any(target.note_links(i) for i in by_slug.values())
    source.close()
    target.close()
