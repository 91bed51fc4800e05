"""The read path's PostgreSQL client: libpq itself, through ctypes (standard library only).

A command that only reads (``pmtui export``, ``check``, ``list`` ...) on a PostgreSQL
store would spend more time importing psycopg (asyncio, importlib.metadata, typing
helpers: 120-180 ms of CPU, more than the whole command on SQLite) than reading. libpq
is what psycopg runs on; this module loads the same library psycopg uses (the copy its
binary wheel bundles, or the system's) and asks it for what a read needs: connect with
the same parameters, run plain SELECTs in one read-only snapshot, return the rows as
tuples of the values psycopg would give (int, float, Decimal, str, bool, None).

Each SELECT's rows come as ``COPY (<select>) TO STDOUT`` writes them (the text the server
writes for any client; a 100,000-row result is split into values once and converted a
column at a time, in C, instead of one foreign call per value), and its columns' types
come in the same round trip (the select's row description, asked with ``LIMIT 0``).
Several SELECTs go in one round trip (:meth:`Connection.run`).

Any problem finding or loading libpq makes :func:`load` return None: the caller then
reads through psycopg as before. Writes, LISTEN and the app's SQLAlchemy engine never
come here.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import threading
from collections.abc import Callable
from typing import Any

# the driver to read with: "libpq" (this module, when it loads) or "psycopg" (always psycopg)
DRIVER_VAR = "PMTUI_PG_READER"

_CONNECTION_OK = 0
_PGRES_COMMAND_OK, _PGRES_TUPLES_OK, _PGRES_COPY_OUT = 1, 2, 3
_PQTRANS_IDLE = 0
_PG_DIAG_SQLSTATE = ord("C")
# one snapshot for every query of a read (as the SQLite path's BEGIN), never a write
BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
_ROW = "pmtui_row_"  # the alias of a select in the query that asks for its columns' types

# the types of the columns pmtui reads, by oid
_TEXTS = {18, 19, 25, 1042, 1043}  # char, name, text, bpchar, varchar
_BOOL = 16
_INTS = {20, 21, 23, 26}  # int8, int2, int4, oid
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
            ("PQparameterStatus", s, [p, s]), ("PQgetCopyData", i, [p, c.POINTER(s), i]), ("PQfreemem", None, [p])):
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

    def _results(self, sql: str) -> list[tuple[Any, bytes | None]]:
        """Send ``sql`` (one or more statements) and every result it gives, each with the
        rows a COPY ... TO STDOUT wrote (else None); the first error raised once all have
        arrived. Waits in select(), so Ctrl-C still works."""
        import select

        lib, conn = self._lib, self._conn
        if conn is None:
            raise Error("the connection is closed")
        if not lib.PQsendQuery(conn, sql.encode()):
            raise Error(_text(lib.PQerrorMessage(conn)))
        sock = lib.PQsocket(conn)
        results: list[tuple[Any, bytes | None]] = []
        error: Error | None = None
        copy_end = False

        def wait() -> None:
            select.select([sock], [], [])
            if not lib.PQconsumeInput(conn):
                raise Error(_text(lib.PQerrorMessage(conn)))

        try:
            while True:
                while lib.PQisBusy(conn):
                    wait()
                res = lib.PQgetResult(conn)
                if not res:
                    break
                status = lib.PQresultStatus(res)
                copy_ends, copy_end = copy_end, False
                if status == _PGRES_COPY_OUT:
                    lib.PQclear(res)
                    results.append((None, self._copied(wait)))
                    copy_end = True  # the COPY's own result ("COPY n") comes next
                elif status not in (_PGRES_COMMAND_OK, _PGRES_TUPLES_OK):
                    if error is None:
                        state = lib.PQresultErrorField(res, _PG_DIAG_SQLSTATE)
                        error = Error(_text(lib.PQresultErrorMessage(res)), state.decode() if state else None)
                    lib.PQclear(res)
                elif copy_ends:
                    lib.PQclear(res)
                else:
                    results.append((res, None))
        except BaseException:
            for res, _ in results:
                if res:
                    lib.PQclear(res)
            raise
        if error is not None:
            for res, _ in results:
                if res:
                    lib.PQclear(res)
            raise error
        return results

    def _copied(self, wait: Callable[[], None]) -> bytes:
        """The rows of a COPY ... TO STDOUT, as the server wrote them (one line each)."""
        lib, conn = self._lib, self._conn
        get, free = lib.PQgetCopyData, lib.PQfreemem
        buffer = ctypes.c_char_p()  # (a row ends in a NUL; a value holds none)
        ref = ctypes.byref(buffer)
        lines: list[bytes] = []
        add = lines.append
        while True:
            n = get(conn, ref, 1)
            if n > 0:
                add(buffer.value)  # type: ignore[arg-type]
                free(buffer)
            elif n == 0:  # no whole row arrived yet
                wait()
            elif n == -1:  # done: the COPY's result follows
                return b"".join(lines)
            else:
                raise Error(_text(lib.PQerrorMessage(conn)))

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
                parts.append(f"COPY ({sql}) TO STDOUT")  # the rows, as the server writes them anyway
            results = self._results(";\n".join(parts))
            try:
                if len(results) != len(parts):
                    raise Error("the server answered fewer statements than were sent")
                first = len(parts) - 2 * len(selects)
                return [_rows(lib, results[at][0], results[at + 1][1] or b"") for at in range(first, len(parts), 2)]
            finally:
                for res, _ in results:
                    if res:
                        lib.PQclear(res)

    def end(self) -> None:
        """End the read transaction (nothing was written: a rollback)."""
        with self._lock:
            lib, conn = self._lib, self._conn
            if conn is not None and lib.PQstatus(conn) == _CONNECTION_OK and \
                    lib.PQtransactionStatus(conn) != _PQTRANS_IDLE:
                for res, _ in self._results("ROLLBACK"):
                    lib.PQclear(res)


_NULL = "\\N"
_NONE_FOR_NULL = {_NULL: None}
_BOOLS = {"t": True, "f": False, _NULL: None}
_ESCAPED = re.compile(r"\\(?:([0-7]{1,3})|x([0-9A-Fa-f]{1,2})|(.))", re.S)
_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _unescaped(text: str) -> str:
    """A value of COPY's text format as it is (its backslash escapes undone)."""
    def one(m: re.Match[str]) -> str:
        octal, hexa, char = m.groups()
        if octal:
            return chr(int(octal, 8))
        if hexa:
            return chr(int(hexa, 16))
        return _ESCAPES.get(char, char)

    return _ESCAPED.sub(one, text)


def _column(oid: int, values: list[str]) -> list[Any]:
    """One column of COPY's text format as the values psycopg gives."""
    if oid in _TEXTS:
        joined = "".join(values)
        if "\\" not in joined:  # (the usual column: no NULL, nothing escaped)
            return values
        if values.count(_NULL) != joined.count("\\"):  # an escape besides the NULLs' \N
            return [None if v == _NULL else _unescaped(v) if "\\" in v else v for v in values]
        return list(map(_NONE_FOR_NULL.get, values, values))  # (in C: a NULL is \N)
    if oid == _BOOL:
        return list(map(_BOOLS.__getitem__, values))
    if oid in _INTS:
        convert: Callable[[str], Any] = int
    elif oid in _FLOATS:
        convert = float  # (NaN, Infinity, -Infinity as Python writes them too)
    elif oid == _NUMERIC:
        from decimal import Decimal

        convert = Decimal
    else:
        raise Error(f"pmtui reads no column of type oid {oid} with libpq")
    if _NULL in values:
        return [None if v == _NULL else convert(v) for v in values]
    return list(map(convert, values))


def _rows(lib: Any, described: Any, copied: bytes) -> list[tuple[Any, ...]]:
    """A SELECT's rows from COPY's text format (one line a row, tab between values,
    backslash escapes, \\N for NULL): split once, converted a column at a time."""
    types = [lib.PQftype(described, n) for n in range(lib.PQnfields(described))]
    if not copied:
        return []
    text = copied.decode("utf-8")
    width = len(types)
    if not width:
        return [()] * text.count("\n")
    # a value's own tabs and line breaks are escaped: each is a separator here
    cells = text[:-1].replace("\n", "\t").split("\t")
    columns = [_column(oid, cells[n::width]) for n, oid in enumerate(types)]
    return list(zip(*columns))
