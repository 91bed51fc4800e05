"""The store: file safety, schema version, slugs, ids, all-or-nothing writes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat
from datetime import UTC
from pathlib import Path

import pytest

from pmtui.domain.document import FORMAT, dumps, loads
from pmtui.errors import BadInput, StoreError
from pmtui.store import SCHEMA_VERSION, Store, resolve_path, slugify


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    """Every test here runs on SQLite and on PostgreSQL unless it pins one."""
    return request.param


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_store_is_private_and_in_wal_mode(db_path):
    s = Store.open(db_path)
    s.list_reviews()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    s.close()


def test_foreign_keys_cascade_when_a_review_is_deleted(store, example_bytes):
    review_id, _ = store.import_documents([loads(example_bytes)])[0]
    seen = store.get_review(review_id)
    store.delete_review(review_id, expected_version=seen["version"], expected_updated_at=seen["updated_at"])
    from sqlalchemy import text

    with store.engine.connect() as conn:
        for table in ("event", "event_mark", "action_item", "note", "participant"):
            assert conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0, table


def test_store_written_by_newer_pmtui_is_refused_and_left_untouched(db_path, example_bytes):
    s = Store.open(db_path)
    s.import_documents([loads(example_bytes)])
    s.close()
    con = sqlite3.connect(db_path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    before = digest(db_path)
    with pytest.raises(StoreError, match="newer pmtui"):
        Store.open(db_path)
    assert digest(db_path) == before


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"hello, I am a text file\n", "is not a pmtui store"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "cannot be read as a pmtui store"),
    ],
)
def test_a_file_that_is_not_a_store_gets_a_clear_error(tmp_path, content, expected):
    path = tmp_path / "x.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=expected):
        Store.open(path)
    assert path.read_bytes() == content


def test_another_applications_sqlite_database_is_not_touched(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    before = digest(path)
    with pytest.raises(StoreError, match="an SQLite database, but not a pmtui store"):
        Store.open(path)
    assert digest(path) == before


def test_path_comes_from_flag_then_environment_then_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("PMTUI_DB", str(tmp_path / "env.db"))
    assert resolve_path(str(tmp_path / "flag.db")) == tmp_path / "flag.db"
    assert resolve_path(None) == tmp_path / "env.db"
    monkeypatch.delenv("PMTUI_DB")
    assert resolve_path(None).name == "pmtui.db" and "pmtui" in str(resolve_path(None).parent)


def test_slugs_are_unique_and_use_the_first_event_date(store, example_bytes):
    doc = loads(example_bytes)
    (id1, s1), (id2, s2) = store.import_documents([doc, doc])
    assert s1 == "2026-03-10-checkout-latency-after-cache-configuration-deploy"
    assert s2 == s1 + "-2" and id2 != id1
    _, s3 = store.create_review("Checkout latency after cache configuration deploy")
    assert s3 == "checkout-latency-after-cache-configuration-deploy"


def test_slug_rules():
    assert slugify("Ünïcode: DNS / TLS | outage!") == "unicode-dns-tls-outage"
    assert slugify("障害") == "zhanghai"  # transliterated, not "review"
    assert slugify("404") == "review-404"  # never mistaken for an id
    assert len(slugify("word " * 100)) <= 60


def test_reviews_resolve_by_id_or_slug(store):
    review_id, slug = store.create_review("Search index lag")
    assert store.resolve(str(review_id)) == review_id
    assert store.resolve(slug) == review_id
    with pytest.raises(BadInput, match="no review with id or slug 'nope'"):
        store.resolve("nope")
    with pytest.raises(BadInput):
        store.resolve("999")


def test_round_trip_through_the_store_is_byte_identical(store, example_bytes):
    first = dumps(store.export_document(store.import_documents([loads(example_bytes)])[0][0]))
    second = dumps(store.export_document(store.import_documents([loads(first)])[0][0]))
    assert first == second
    assert json.loads(first)["timeline"][0]["at"] == "2026-03-10T10:40:00+01:00"


def test_import_is_all_or_nothing(store, example_bytes):
    good = loads(example_bytes)
    clash = loads(json.dumps({"format": FORMAT, "title": "x"}))
    # a second review that would violate the one-mark-per-review rule in the database
    clash.timeline = good.timeline[:2]
    clash.timeline[1] = clash.timeline[1].model_copy(update={"marks": list(clash.timeline[1].marks) * 2})
    with pytest.raises(Exception):  # noqa: B017  any refusal will do: the point is that nothing was stored
        store.import_documents([good, clash])
    assert store.list_reviews() == []


def test_a_second_connection_sees_committed_writes(db_path):
    a = Store.open(db_path)
    a.create_review("First")
    b = Store.open(db_path)
    b.create_review("Second")
    assert {r.title for r in a.list_reviews()} == {"First", "Second"}
    a.close()
    b.close()


def test_list_counts_open_and_overdue_actions(store, example_bytes):
    from datetime import date

    store.import_documents([loads(example_bytes)])
    [summary] = store.list_reviews(today=date(2026, 3, 21))
    assert summary.open_actions == 3  # open and in progress; done and wont_do are not open
    assert summary.overdue_actions == 1  # only the open one due 2026-03-20; the 03-17 one is done
    assert summary.first_event_date.isoformat() == "2026-03-10"


# ------------------------------------------------------------ pmtui-review/2 in the store
def test_confirming_an_event_and_setting_the_start_are_kept_and_exported(store, demo):
    from datetime import datetime, timedelta, timezone

    from pmtui.errors import FieldErrors

    first = store.events(demo)[0]
    assert first.confirmed is False and first.source_id == ""
    store.confirm_event(first.id, expected_version=first.version)
    assert store.events(demo)[0].confirmed is True
    start = datetime(2026, 3, 10, 10, 42, tzinfo=timezone(timedelta(hours=1)))
    v = lambda: store.get_review(demo)["version"]  # noqa: E731
    assert store.set_started(demo, start, expected_version=v()) == start
    assert store.get_review(demo)["started"] == start
    out = json.loads(dumps(store.export_document(demo)))
    assert out["started"] == "2026-03-10T10:42:00+01:00" and out["timeline"][0]["confirmed"] is True
    with pytest.raises(FieldErrors) as info:  # a time without an offset keeps the old value
        store.set_started(demo, "2026-03-10T10:42:00", expected_version=v())
    assert info.value.fields == {"started": "timestamp needs a UTC offset"}
    store.set_started(demo, None, expected_version=v())
    assert json.loads(dumps(store.export_document(demo)))["started"] is None


def test_note_links_travel_in_the_document_by_position(store, demo):
    note = store.list_items("note", demo)[0]
    actions, events = store.list_items("action", demo), store.events(demo)
    store.link_note(note["id"], "action", actions[2]["id"])
    store.link_note(note["id"], "event", events[3].id)
    store.delete_item("action", actions[0]["id"], expected_version=actions[0]["version"])  # the linked item moves up one place
    out = json.loads(dumps(store.export_document(demo)))
    assert out["notes"][0]["became"] == [{"kind": "action_item", "index": 1}, {"kind": "event", "index": 3}]
    again = store.import_documents([loads(json.dumps(out))])[0][0]
    links = store.note_links(again)
    [copy_note] = [n for n in store.list_items("note", again) if n["id"] in links]
    by_id = {a["id"]: a["title"] for a in store.list_items("action", again)} | {e.id: e.text for e in store.events(again)}
    assert [(k, by_id[t]) for k, t in links[copy_note["id"]]] == [("action", actions[2]["title"]), ("event", events[3].text)]
    assert dumps(store.export_document(again)) == dumps(loads(json.dumps(out)))


def test_a_long_timeline_reads_by_pages_in_the_same_order(store, demo):
    """What the Timeline shows for a long review (pmtui.store.timeline_rows.LazyEvents) is the
    same sequence as the whole timeline: rows, positions, and one source's events."""
    from datetime import datetime, timedelta

    from pmtui.store.timeline_rows import LazyEvents

    at = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    for i in range(30):  # ties in time keep their order of adding
        store.add_event(demo, at=at + timedelta(minutes=i // 3), text=f"log line {i}", source="log:app.jsonl")
    whole = store.events(demo)
    LazyEvents.PAGE = 7
    try:
        lazy = LazyEvents(store, demo)
        assert len(lazy) == len(whole) == 40
        assert [r.id for r in lazy] == [r.id for r in whole]
        assert [lazy[i].id for i in (0, 6, 7, 39, -1)] == [whole[i].id for i in (0, 6, 7, 39, -1)]
        assert all(lazy.index_of(r.id) == i for i, r in enumerate(whole))
        logs = LazyEvents(store, demo, source="log:app.jsonl")
        assert [r.text for r in logs] == [f"log line {i}" for i in range(30)]
        assert logs.index_of(whole[-1].id) is None or whole[-1].source == "log:app.jsonl"
        assert logs.index_of(next(r.id for r in whole if r.source == "log:app.jsonl" and r.text == "log line 9")) == 9
    finally:
        LazyEvents.PAGE = 500


def test_a_long_timeline_reads_the_same_rows_whatever_order_its_pages_are_read_in(store, demo):
    """End first (read from the end backwards), then PageUp page by page (each page read
    from its neighbour's first event), a jump to the middle and PageDown from there: the
    rows are those of the whole timeline, ties in time and other offsets included."""
    from datetime import datetime, timedelta, timezone

    from pmtui.store.timeline_rows import LazyEvents

    at = datetime(2026, 3, 10, 9, 0, tzinfo=timezone(timedelta(hours=-6)))
    for i in range(45):
        store.add_event(demo, at=at + timedelta(seconds=20 * (i // 4)), text=f"log line {i}",
                        source="log:app.jsonl" if i % 5 else "slack:#incident")
    whole = store.events(demo)
    LazyEvents.PAGE = 7
    try:
        n = len(whole)
        lazy = LazyEvents(store, demo)
        assert [lazy[i].id for i in range(n - 1, -1, -1)] == [r.id for r in reversed(whole)]
        middle = LazyEvents(store, demo)
        order = [n // 2] + [n // 2 + k for k in range(1, n - n // 2)] + [n // 2 - k for k in range(1, n // 2 + 1)]
        assert [middle[i].id for i in order] == [whole[i].id for i in order]
        for source in ("log:app.jsonl", "slack:#incident"):
            mine = [r.id for r in whole if r.source == source]
            back = LazyEvents(store, demo, source=source)
            assert [back[i].id for i in range(len(mine) - 1, -1, -1)] == mine[::-1]
        assert store.event_page(demo, n - 3, 7, total=n) == whole[n - 3:]  # a short last page, from the end
        assert store.event_page(demo, 20, 7, after=whole[19]) == whole[20:27]
        assert store.event_page(demo, 13, 7, before=whole[20]) == whole[13:20]
    finally:
        LazyEvents.PAGE = 500


def test_slugs_of_non_latin_titles_are_readable():
    from datetime import date

    assert slugify("Сбой оплаты: очередь") == "sboy-oplaty-ochered"
    assert slugify("Σφάλμα δικτύου") == "sfalma-diktyoy"
    assert slugify("数据库 故障") == "shujuku-guzhang"
    assert slugify("انقطاع الخدمة") == "nqt-lkhdmh"
    assert slugify("한국어 장애", date(2026, 5, 1)) == "2026-05-01-hangugeo-jangae"
    assert slugify("Ｆｕｌｌｗｉｄｔｈ ＤＮＳ") == "fullwidth-dns"  # NFKC first
    assert slugify("🔥🔥") == "fire-fire" and slugify("\u200b") == "review"  # never empty
