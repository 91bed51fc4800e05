"""The read path's PostgreSQL client (pmtui.store.libpq: libpq itself through ctypes,
no psycopg import): it gives for each SELECT the very rows psycopg gives, in one
read-only snapshot; the commands that only read use it and give the same bytes as on
SQLite and as through psycopg; a server's error or a dropped connection is one sentence,
and the next read connects again."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from pmtui.store import Store, libpq
from pmtui.store.postgres import PostgresBackend

pytestmark = pytest.mark.usefixtures("pg_server")


@pytest.fixture
def pg_url(pg_server):
    name = pg_server.new_database()
    yield pg_server.url(name)
    pg_server.drop(name)


def _params(url: str) -> dict[str, object]:
    from pmtui.store.location import parse

    loc = parse(url)
    return {"host": loc.host, "port": loc.port, "user": loc.user, "password": loc.password, "dbname": loc.database}


def _light(url: str) -> libpq.Connection:
    lib = libpq.load()
    if lib is None:
        pytest.skip("libpq cannot be loaded here by itself (commands read through psycopg)")
    return libpq.Connection(lib, _params(url))


SELECTS = [
    "SELECT 1 AS a, 2::bigint AS a, 3::smallint, NULL::integer, 9007199254740993::bigint",
    "SELECT 1.0::float8, 2.5::float8, -0.0::float8, 1e300::float8, 'NaN'::float8, 'Infinity'::float8, "
    "'-Infinity'::float4, 0.1::float4, NULL::float8",
    "SELECT 1.50::numeric, 12345678901234567890.123456789::numeric, 7::numeric, 'NaN'::numeric, NULL::numeric, "
    "SUM(x) FROM (VALUES (1::bigint), (2::bigint)) v(x)",
    "SELECT true, false, NULL::boolean, 'x'::char, 'ab'::char(4), 'name'::name, 16::oid",
    "SELECT E'quote \\' \" back\\\\slash\\nnew line\\ttab', 'ünï ✓ 𝄞 \u202e', '', NULL::text, ' padded '::varchar",
    "SELECT g, 'row ' || g FROM generate_series(1, 2000) g ORDER BY g DESC",
    "SELECT 1 WHERE false",
    "SELECT E'\\\\N', E'a\\rb\\bc\\fd\\ve', E'\\\\', '\\N', NULL::text, 'tab\there' FROM generate_series(1, 3)",
    "SELECT COUNT(*), MIN('b'::text), MAX(x) FROM (VALUES ('a'), ('c')) v(x)",
]


def test_each_select_gives_the_rows_psycopg_gives(pg_url):
    import psycopg

    conn = _light(pg_url)
    try:
        got = conn.run(SELECTS)  # all in one round trip
        with psycopg.connect(pg_url) as ref:
            want = [ref.execute(sql).fetchall() for sql in SELECTS]
        assert len(got) == len(want)
        for sql, g, w in zip(SELECTS, got, want):
            assert [tuple(map(type, row)) for row in g] == [tuple(map(type, row)) for row in w], sql
            assert repr(g) == repr(w), sql  # (repr: NaN is not equal to itself)
        assert got[2][0][1] == Decimal("12345678901234567890.123456789")
        assert [r[0] for r in got[5]] == list(range(2000, 0, -1))  # the select's own order
    finally:
        conn.end()
        conn.close()


def test_a_read_is_one_snapshot_and_never_writes(pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("CREATE TABLE t (n integer)")
        admin.execute("INSERT INTO t VALUES (1)")
        conn = _light(pg_url)
        try:
            assert conn.run(["SELECT n FROM t"]) == [[(1,)]]
            admin.execute("INSERT INTO t VALUES (2)")  # another seat commits meanwhile
            assert conn.run(["SELECT COUNT(*) FROM t"]) == [[(1,)]]  # the same snapshot
            with pytest.raises(libpq.Error) as err:
                conn.run(["SELECT n FROM t FOR UPDATE"])  # a read-only transaction
            assert err.value.sqlstate == "25006"
            conn.end()
            assert conn.run(["SELECT COUNT(*) FROM t"]) == [[(2,)]]  # a new read sees the new row
        finally:
            conn.end()
            conn.close()


def test_an_error_names_the_problem_and_the_connection_reads_on(pg_url):
    conn = _light(pg_url)
    try:
        with pytest.raises(libpq.Error, match='relation "no_such_table" does not exist') as err:
            conn.run(["SELECT 1", "SELECT * FROM no_such_table"])
        assert err.value.sqlstate == "42P01"
        conn.end()
        assert conn.run(["SELECT 'still here'"]) == [[("still here",)]]
    finally:
        conn.close()
    assert conn.closed


def test_a_dropped_connection_is_one_sentence_and_the_next_read_reconnects(pg_server, pg_url):
    from pmtui.errors import StoreError
    from pmtui.store.followup import plain_fetch
    from pmtui.store.location import parse

    backend = PostgresBackend(parse(pg_url))
    try:
        with plain_fetch(backend) as fetch:
            [(pid,)] = fetch("SELECT pg_backend_pid()")
        if not isinstance(backend.plain_connection(), libpq.Connection):
            pytest.skip("libpq cannot be loaded here by itself")
        pg_server.admin(f"SELECT pg_terminate_backend({pid})")
        with pytest.raises(StoreError, match=r"connection to the PostgreSQL server .* was lost"), \
                plain_fetch(backend) as fetch:
            fetch("SELECT 1")
        with plain_fetch(backend) as fetch:  # a new connection
            assert fetch("SELECT pg_backend_pid()")[0][0] != pid
    finally:
        backend.close()


def test_the_servers_notices_stay_off_the_commands_output(pg_server, pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("CREATE FUNCTION noisy() RETURNS integer LANGUAGE plpgsql AS "
                      "$$ BEGIN RAISE NOTICE 'a notice from the server'; RAISE WARNING 'a warning'; RETURN 1; END $$")
    code = ("import sys\nfrom pmtui.store import libpq\n"
            f"c = libpq.Connection(libpq.load(), {_params(pg_url)!r})\n"
            "print(c.run(['SELECT noisy()']))\nc.end()\nc.close()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[[(1,)]]"
    assert proc.stderr == ""


def test_wrong_credentials_are_one_sentence_without_the_password(pg_server):
    from pmtui.errors import BadInput

    with pytest.raises(BadInput) as err:
        Store.open(pg_server.url("postgres", password="hunter2-wrong"))
    assert "refused user 'postgres'" in str(err.value) and "hunter2" not in str(err.value)


# The commands that only read, on PostgreSQL: no SQLAlchemy, SQLModel, pydantic, Alembic nor
# psycopg in the process, and the bytes they write are those of the same data on SQLite and
# those the same commands write reading through psycopg.
_CHILD = """
import atexit, sys
def noted():
    heavy = sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pydantic', 'alembic', 'psycopg'})
    sys.stderr.write('MODULES ' + repr(heavy) + '\\n')
atexit.register(noted)
from pmtui.cli.main import main
sys.exit(main())
"""

COMMANDS = [["export", "1"], ["export", "1", "--format", "md"], ["check", "1"], ["actions"], ["patterns"], ["list"],
            ["export", "2", "--format", "json"], ["actions", "--format", "json"], ["patterns", "--format", "json"]]


def _run(db: str, args: list[str], tmp_path: Path, reader: str = "") -> tuple[int, bytes, str]:
    import os

    env = {**os.environ, "PMTUI_CONFIG": str(tmp_path / "config.toml"), "PMTUI_PG_READER": reader}
    env.pop("PMTUI_DB", None)
    proc = subprocess.run([sys.executable, "-c", _CHILD, "--db", db, *args], capture_output=True, env=env)
    return proc.returncode, proc.stdout, proc.stderr.decode()


def test_commands_on_postgresql_read_without_the_heavy_libraries_and_write_the_same_bytes(pg_url, tmp_path,
                                                                                        example_bytes):
    from pmtui.domain.document import dumps

    raw = json.loads(example_bytes)
    other = {**raw, "title": "Queue backlog on the payments workers", "tags": ["queue", "payments"]}
    files = []
    for n, doc in enumerate((raw, other)):
        files.append(tmp_path / f"r{n}.json")
        files[-1].write_text(json.dumps(doc))
    sqlite = str(tmp_path / "s.db")
    for db in (sqlite, pg_url):
        code, _out, err = _run(db, ["import", *map(str, files)], tmp_path)
        assert code == 0, err
    for args in COMMANDS:
        code, out, err = _run(pg_url, args, tmp_path)
        assert code in (0, 1), err
        assert "MODULES []" in err, (args, err)  # libpq itself, nothing heavier
        assert (code, out) == _run(sqlite, args, tmp_path)[:2], args
        code_p, out_p, err_p = _run(pg_url, args, tmp_path, reader="psycopg")
        assert (code_p, out_p) == (code, out), args
        assert "MODULES ['psycopg']" in err_p, err_p
    store = Store.open(pg_url)  # the full path: SQLAlchemy rows validated by the models
    try:
        assert _run(pg_url, ["export", "1"], tmp_path)[1].decode() == dumps(store.export_document(1))
    finally:
        store.close()
