"""Watches every statement the store runs in a write (``Store._write``) and refuses an
UPDATE or DELETE of a row people edit that does not state the version it read: the one
write API (``pmtui.store.rows``) is compare-and-set, and nothing may write around it.

Installed for the whole test run by conftest.py, so any write path a test drives (a
screen, an undo, the CLI) is checked; ``tests/test_one_write_api.py`` shows it catches a
new offender."""

from __future__ import annotations

import re
from typing import Any

from pmtui.store.rows import UNVERSIONED_COLUMNS, VERSIONED

_STATEMENT = re.compile(r'^\s*(UPDATE|DELETE\s+FROM)\s+"?(\w+)"?\s', re.IGNORECASE)


def problem(sql: str, cas_done: set[str]) -> str | None:
    """Why this statement writes around the one write API (None: it does not). ``cas_done``:
    the tables a compare-and-set already wrote in this transaction (tags are the review's)."""
    m = _STATEMENT.match(sql)
    if m is None:
        return None
    verb, table = m.group(1).split()[0].upper(), m.group(2).lower()
    rest = sql[m.end():]
    where = re.split(r"\bWHERE\b", rest, maxsplit=1, flags=re.IGNORECASE)
    cond = where[1] if len(where) == 2 else ""
    cond = re.split(r"\bRETURNING\b", cond, maxsplit=1, flags=re.IGNORECASE)[0]
    states_version = re.search(r"\bversion\s*=", cond) is not None
    if table in VERSIONED:
        if states_version:
            if verb == "UPDATE":
                cas_done.add(table)
            return None
        if verb == "UPDATE":
            sets = re.split(r"\bSET\b", where[0], maxsplit=1, flags=re.IGNORECASE)[-1]
            columns = set(re.findall(r"(\w+)\s*=", sets))
            if columns and columns <= UNVERSIONED_COLUMNS:
                return None  # a list's order, the review's "last changed"
        return f"{verb} of {table} without the version it read (WHERE lacks `version = …`): {sql[:160]}"
    if table == "tag" and "review" not in cas_done:
        return f"{verb} of tag without a compare-and-set of its review first: {sql[:160]}"
    if table == "event_mark" and verb == "DELETE" and not re.search(r"\bevent_id\s*=", cond):
        return f"DELETE of a mark without the event this seat saw holding it: {sql[:160]}"
    return None


def install() -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if getattr(install, "done", False):
        return
    install.done = True  # type: ignore[attr-defined]

    @event.listens_for(Engine, "begin")
    def _begin(conn: Any) -> None:
        conn.info["pmtui_cas_done"] = set()

    @event.listens_for(Engine, "before_cursor_execute")
    def _check(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if not conn.get_execution_options().get("pmtui_edit"):
            return
        found = problem(statement, conn.info.setdefault("pmtui_cas_done", set()))
        if found:
            raise AssertionError(f"a store write outside the one write API (pmtui.store.rows): {found}")
