"""The read path's PostgreSQL client: libpq itself, through ctypes (standard library only).

A command that only reads (``pmtui export``, ``check``, ``list`` ...) on a PostgreSQL
store would spend more time importing psycopg (asyncio, importlib.metadata, typing
helpers: 120-180 ms of CPU, more than the whole command on SQLite) than reading. libpq
is what psycopg runs on; this module loads the same library psycopg uses (the copy its
binary wheel bundles, or the system's) and asks it for what a read needs: connect with
the same parameters, run plain SELECTs in one read-only snapshot, return the rows as
tuples of the values psycopg would give (int, float, Decimal, str, bool, None).

Each SELECT's rows come back as one JSON text built by the server
(``array_to_json(ARRAY(SELECT row FROM (<select>) row))``, decoded in C by the json
module), so a 100,000-row result costs no more than psycopg's own fetch; its column types
come in the same round trip (the select's row description) and correct what JSON cannot
tell apart (a float that happens to be whole, a numeric). Several SELECTs go in one
round trip (:meth:`Connection.run`).

Any problem finding or loading libpq makes :func:`load` return None: the caller then
reads through psycopg as before. Writes, LISTEN and the app's SQLAlchemy engine never
come here.
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import threading
from functools import partial
from operator import itemgetter
from typing import Any

# the driver to read with: "libpq" (this module, when it loads) or "psycopg" (always psycopg)
DRIVER_VAR = "PMTUI_PG_READER"

_CONNECTION_OK = 0
_PGRES_COMMAND_OK, _PGRES_TUPLES_OK = 1, 2
_PQTRANS_IDLE = 0
_PG_DIAG_SQLSTATE = ord("C")
# one snapshot for every query of a read (as the SQLite path's BEGIN), never a write
BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
_ROW = "pmtui_row_"  # the alias of a select's rows in the JSON wrapper

# the types of the columns pmtui reads, by oid: what JSON gives is what psycopg gives, but
# floats (a whole one reads as an int) and numerics (psycopg: Decimal)
_AS_IS = {16, 18, 19, 20, 21, 23, 25, 1042, 1043}  # bool, char, name, int8/2/4, text, bpchar, varchar
_OID = 26  # JSON writes it as a string
_FLOATS = {700, 701}
_NUMERIC = 1700


class Error(Exception):
    """What libpq or the server reported (the message as psycopg would carry it)."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


_lib: Any = None
_tried = False
_load_lock = threading.Lock()


def _candidates() -> list[str]:
    """The libpq files to try, the one psycopg itself would use first."""
    import importlib.util

    found: list[str] = []
    if importlib.util.find_spec("psycopg_c") is None:
        spec = importlib.util.find_spec("psycopg_binary")  # (finding a package imports nothing)
        if spec is not None and spec.origin:
            package = os.path.dirname(spec.origin)
            for folder in (package + ".libs", os.path.join(package, ".dylibs"), os.path.join(package, "..",
                                                                                               "psycopg_binary.libs")):
                try:
                    names = sorted(os.listdir(folder))
                except OSError:
                    continue
                found += [os.path.join(folder, n) for n in names if n.startswith("libpq")]
    if sys.platform == "darwin":
        found += ["libpq.5.dylib", "/opt/homebrew/lib/libpq.5.dylib", "/usr/local/lib/libpq.5.dylib"]
    elif sys.platform == "win32":
        found += ["libpq.dll"]
    else:
        found += ["libpq.so.5"]
    return found


def _bind(lib: Any) -> Any:
    c = ctypes
    p, s, i, u = c.c_void_p, c.c_char_p, c.c_int, c.c_uint
    for name, restype, argtypes in (
            ("PQconnectdbParams", p, [c.POINTER(s), c.POINTER(s), i]), ("PQstatus", i, [p]),
            ("PQerrorMessage", s, [p]), ("PQfinish", None, [p]), ("PQsocket", i, [p]),
            ("PQsetNoticeProcessor", p, [p, p, p]), ("PQsendQuery", i, [p, s]), ("PQconsumeInput", i, [p]),
            ("PQisBusy", i, [p]), ("PQgetResult", p, [p]), ("PQresultStatus", i, [p]),
            ("PQresultErrorMessage", s, [p]), ("PQresultErrorField", s, [p, i]), ("PQntuples", i, [p]),
            ("PQnfields", i, [p]), ("PQftype", u, [p, i]), ("PQgetvalue", p, [p, i, i]),
            ("PQgetlength", i, [p, i, i]), ("PQclear", None, [p]), ("PQtransactionStatus", i, [p]),
            ("PQparameterStatus", s, [p, s])):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, argtypes
    return lib


def load() -> Any:
    """libpq, bound (None when it cannot be loaded here, or PMTUI_PG_READER=psycopg)."""
    global _lib, _tried
    if os.environ.get(DRIVER_VAR, "").lower() == "psycopg":
        return None
    with _load_lock:
        if not _tried:
            _tried = True
            for path in _candidates():
                try:
                    _lib = _bind(ctypes.CDLL(path))
                    break
                except (OSError, AttributeError):
                    continue
    return _lib


# libpq prints the server's notices to stderr unless told otherwise: a command's output stays its own
_NOTICE = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)
_quiet = _NOTICE(lambda _arg, _message: None)


def _text(raw: bytes | None) -> str:
    return (raw or b"").decode("utf-8", "replace").strip()


class Connection:
    """One libpq connection that reads (see the module's text)."""

    Error = Error

    def __init__(self, lib: Any, params: dict[str, Any]) -> None:
        self._lib = lib
        self._lock = threading.Lock()
        params = {"client_encoding": "UTF8", **params}
        keys = [k.encode() for k in params] + [None]
        values = [str(v).encode() for v in params.values()] + [None]
        conn = lib.PQconnectdbParams((ctypes.c_char_p * len(keys))(*keys), (ctypes.c_char_p * len(values))(*values), 0)
        if not conn:
            raise Error("out of memory")
        if lib.PQstatus(conn) != _CONNECTION_OK:
            message = _text(lib.PQerrorMessage(conn))
            lib.PQfinish(conn)
            raise Error(f"connection failed: {message}")
        self._conn: int | None = conn
        lib.PQsetNoticeProcessor(conn, ctypes.cast(_quiet, ctypes.c_void_p), None)
        encoding = _text(lib.PQparameterStatus(conn, b"client_encoding")).upper()
        if encoding not in ("UTF8", "UNICODE"):
            self.close()
            raise Error(f"the connection's client_encoding is {encoding}, not UTF8")

    @property
    def closed(self) -> bool:
        """Closed, or broken (a lost connection is replaced by a new one)."""
        return self._conn is None or self._lib.PQstatus(self._conn) != _CONNECTION_OK

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._lib.PQfinish(self._conn)
                self._conn = None

    def _results(self, sql: str) -> list[Any]:
        """Send ``sql`` (one or more statements) and every result it gives, the first
        error raised once all have arrived. Waits in select(), so Ctrl-C still works."""
        import select

        lib, conn = self._lib, self._conn
        if conn is None:
            raise Error("the connection is closed")
        if not lib.PQsendQuery(conn, sql.encode()):
            raise Error(_text(lib.PQerrorMessage(conn)))
        sock = lib.PQsocket(conn)
        results: list[Any] = []
        error: Error | None = None
        try:
            while True:
                while lib.PQisBusy(conn):
                    select.select([sock], [], [])
                    if not lib.PQconsumeInput(conn):
                        raise Error(_text(lib.PQerrorMessage(conn)))
                res = lib.PQgetResult(conn)
                if not res:
                    break
                if lib.PQresultStatus(res) not in (_PGRES_COMMAND_OK, _PGRES_TUPLES_OK):
                    if error is None:
                        state = lib.PQresultErrorField(res, _PG_DIAG_SQLSTATE)
                        error = Error(_text(lib.PQresultErrorMessage(res)), state.decode() if state else None)
                    lib.PQclear(res)
                else:
                    results.append(res)
        except BaseException:
            for res in results:
                lib.PQclear(res)
            raise
        if error is not None:
            for res in results:
                lib.PQclear(res)
            raise error
        return results

    def run(self, selects: list[str]) -> list[list[tuple[Any, ...]]]:
        """Each SELECT's rows, all in one round trip, in this connection's read
        transaction (begun by the first call, ended by :meth:`end`)."""
        if not selects:
            return []
        with self._lock:
            lib, conn = self._lib, self._conn
            parts = [BEGIN] if conn is not None and lib.PQtransactionStatus(conn) == _PQTRANS_IDLE else []
            for sql in selects:
                parts.append(f"SELECT * FROM ({sql}) {_ROW} LIMIT 0")  # the columns' types
                parts.append(f"SELECT array_to_json(ARRAY(SELECT {_ROW} FROM ({sql}) {_ROW}))::text")
            results = self._results(";\n".join(parts))
            try:
                if len(results) != len(parts):
                    raise Error("the server answered fewer statements than were sent")
                return [_rows(lib, results[at], results[at + 1]) for at in range(len(parts) - 2 * len(selects),
                                                                              len(parts), 2)]
            finally:
                for res in results:
                    lib.PQclear(res)

    def end(self) -> None:
        """End the read transaction (nothing was written: a rollback)."""
        with self._lock:
            lib, conn = self._lib, self._conn
            if conn is not None and lib.PQstatus(conn) == _CONNECTION_OK and \
                    lib.PQtransactionStatus(conn) != _PQTRANS_IDLE:
                for res in self._results("ROLLBACK"):
                    lib.PQclear(res)


def _int_or_minus_zero(text: str) -> int | float:
    return -0.0 if text == "-0" else int(text)


_values = partial(map, itemgetter(1))  # a JSON object's values, in order (names may repeat)


def _rows(lib: Any, described: Any, found: Any) -> list[tuple[Any, ...]]:
    types = [lib.PQftype(described, n) for n in range(lib.PQnfields(described))]
    raw = ctypes.string_at(lib.PQgetvalue(found, 0, 0), lib.PQgetlength(found, 0, 0))
    options: dict[str, Any] = {"object_pairs_hook": _values}
    if _NUMERIC in types:
        from decimal import Decimal

        options["parse_float"] = Decimal
    if _FLOATS.intersection(types):
        options["parse_int"] = _int_or_minus_zero  # a float8 -0 is written "-0"
    parsed = json.loads(raw, **options)
    rows = list(map(tuple, parsed))
    fix = [(n, t) for n, t in enumerate(types) if t not in _AS_IS]
    if not fix or not rows:
        return rows
    columns = list(map(list, zip(*rows)))
    for n, oid in fix:
        if oid in _FLOATS:
            columns[n] = [None if v is None else float(v) for v in columns[n]]
        elif oid == _OID:
            columns[n] = [None if v is None else int(v) for v in columns[n]]
        elif oid == _NUMERIC:
            from decimal import Decimal

            columns[n] = [None if v is None else Decimal(v) for v in columns[n]]
        else:
            raise Error(f"pmtui reads no column of type oid {oid} with libpq")
    return list(zip(*columns))
