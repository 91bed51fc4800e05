"""Full-text search in the store: the index the database keeps itself, and the queries.

The index is one table, ``search_text``: a row for each piece of text a review holds
(its title, summary, trigger, detection, resolution and impact; each timeline event,
factor, observation, learning, action item and note), with the review, the section and
the source row. Its row id is ``source id * 16 + the section's code`` so a source row's
entry is found without a lookup.

The database keeps it, not pmtui's write code: triggers on the source tables insert,
update and delete its rows in the same transaction as the write, so every write path
(imports, evidence, seats' edits, undo, ``db copy``) keeps it, and a crash loses nothing.

- **SQLite**: an FTS5 virtual table with the ``porter unicode61 remove_diacritics 2``
  tokenizer (English stems, accents folded), ranked by ``bm25``, the hit marked by
  ``snippet()``.
- **PostgreSQL**: a table with a generated ``tsvector`` column (:data:`TSV`) and a GIN
  index, in the text search configuration ``pmtui_search``: a copy of ``english``
  (Snowball stems). The text passes :data:`FOLD` first, a plain SQL function folding
  accents, so "Réplica" meets "replica" even where the ``unaccent`` extension cannot be
  created (a shared server: a role without CREATE on the database); when it can (a
  trusted extension of postgresql-contrib, in Debian's server package) the configuration
  also passes words through ``unaccent``. Ranked by ``ts_rank``, the hit marked by
  ``ts_headline`` on the folded text, the marks put back on the text as written. Each
  row's tsvector also names its slice of the ids, so a common word is looked for in the
  newest rows first (:func:`_search_postgres`).

Laid out for new stores by :func:`install` (from ``schema.create``) and for existing
ones by migration 0009, which also fills it (:func:`rebuild`); PostgreSQL's laid out
again by migration 0010 (:func:`relayout`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from pmtui.domain.search import HIT_END, HIT_START, Hit, Query, Term

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

    from .store import Store

TABLE = "search_text"
CONFIG = "pmtui_search"
STRIDE = 16  # row id = source id * STRIDE + code


@dataclass(frozen=True)
class Source:
    table: str
    code: int
    section: str
    body: str  # SQL over the row's columns, {r} being "new." / "old." / ""
    columns: tuple[str, ...]  # the columns the body reads (an update of another column changes nothing)
    review: str = "review_id"  # the column naming the review

    def text(self, r: str = "") -> str:
        return self.body.format(r=r)


def _plus(first: str, *more: str) -> str:
    """first, then each other column not empty, after a dash."""
    out = "{r}" + first
    for col in more:
        out += f" || CASE WHEN {{r}}{col} <> '' THEN ' — ' || {{r}}{col} ELSE '' END"
    return out


SOURCES = (
    Source("review", 0, "title", "{r}title", ("title",), "id"),
    Source("review", 1, "summary", "{r}summary", ("summary",), "id"),
    Source("review", 2, "trigger", "{r}trigger", ("trigger",), "id"),
    Source("review", 3, "detection", "{r}detection", ("detection",), "id"),
    Source("review", 4, "resolution", "{r}resolution", ("resolution",), "id"),
    Source("review", 5, "impact", "{r}impact_description || CASE WHEN {r}data_loss <> '' THEN ' — ' || {r}data_loss "
           "ELSE '' END || CASE WHEN {r}customer_communication <> '' THEN ' — ' || {r}customer_communication ELSE '' END",
           ("impact_description", "data_loss", "customer_communication"), "id"),
    Source("event", 6, "timeline", "{r}text || CASE WHEN {r}original <> '' AND {r}original <> {r}text "
           "THEN ' — ' || {r}original ELSE '' END", ("text", "original")),
    Source("factor", 7, "factors", "{r}text", ("text",)),
    Source("observation", 8, "observations", "{r}text", ("text",)),
    Source("learning", 9, "learnings", "{r}text", ("text",)),
    Source("action_item", 10, "actions", _plus("title", "description", "status_note"),
           ("title", "description", "status_note")),
    Source("note", 11, "notes", "{r}text", ("text",)),
)
CODE = {s.section: s.code for s in SOURCES}
SECTION_OF = {s.code: s.section for s in SOURCES}
TABLES = tuple(dict.fromkeys(s.table for s in SOURCES))
# the list tables whose rows have a place (1-based) among their review's rows
LIST_TABLE = {"factors": "factor", "observations": "observation", "learnings": "learning", "actions": "action_item",
              "notes": "note"}


def index_tables(kind: str) -> tuple[str, ...]:
    """The tables the index adds (FTS5 keeps shadow tables beside its own)."""
    if kind == "sqlite":
        return (TABLE, *(f"{TABLE}_{s}" for s in ("data", "idx", "content", "docsize", "config")), "search_queue")
    return (TABLE,)


# ------------------------------------------------------------------ laying it out
def _exec(conn: Connection, sql: str, params: dict[str, Any] | None = None) -> Any:
    from sqlalchemy import text

    return conn.execute(text(sql), params or {})


QUEUE = "search_queue"


def _flush_sql() -> list[str]:
    """Bring the FTS5 table up to date with the rows the queue names (SQLite)."""
    out = [f"DELETE FROM {TABLE} WHERE rowid IN (SELECT row_id * {STRIDE} + code FROM {QUEUE})"]
    for s in SOURCES:
        out.append(f"INSERT INTO {TABLE}(rowid, body, review_id, section, row_id) SELECT id * {STRIDE} + {s.code}, "
                   f"{s.text()}, {s.review}, '{s.section}', id FROM {s.table} WHERE id IN "
                   f"(SELECT row_id FROM {QUEUE} WHERE code = {s.code})")
    out.append(f"DELETE FROM {QUEUE}")
    return out


def _sqlite_ddl() -> list[str]:
    """The FTS5 table, and triggers that name each changed row in ``search_queue``; the
    queue goes into the FTS5 table once per write transaction, when the transaction
    records what it changed in ``change_log`` (every write of the store does, just before
    it commits), and before a search if anything is left. (FTS5 of SQLite 3.40 writes its
    pending terms out at every statement savepoint, so an FTS5 insert in a row trigger
    cost a write of the index per row: 3x the cost of a queued row.)"""
    out = [f"CREATE VIRTUAL TABLE {TABLE} USING fts5(body, review_id UNINDEXED, section UNINDEXED, "
           "row_id UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')",
           f"CREATE TABLE {QUEUE} (id INTEGER PRIMARY KEY, code INTEGER NOT NULL, row_id INTEGER NOT NULL)"]
    for table in TABLES:
        sources = [s for s in SOURCES if s.table == table]
        for op, row in (("insert", "new"), ("delete", "old")):
            values = ", ".join(f"({s.code}, {row}.id)" for s in sources)
            out.append(f"CREATE TRIGGER {TABLE}_{table}_{op} AFTER {op.upper()} ON {table} BEGIN "
                       f"INSERT INTO {QUEUE} (code, row_id) VALUES {values}; END")
        for s in sources:
            changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in s.columns)
            out.append(f"CREATE TRIGGER {TABLE}_{table}_{s.code}_update AFTER UPDATE OF {', '.join(s.columns)} "
                       f"ON {table} WHEN {changed} BEGIN INSERT INTO {QUEUE} (code, row_id) VALUES "
                       f"({s.code}, new.id); END")
    out.append(f"CREATE TRIGGER {TABLE}_flush AFTER INSERT ON change_log WHEN EXISTS (SELECT 1 FROM {QUEUE}) "
               f"BEGIN {' '.join(sql + ';' for sql in _flush_sql())} END")
    return out


def flush(store: Store) -> None:
    """What a write left in the queue without recording a change (SQLite; rare): into the
    index now. A store that cannot be written is searched as it is."""
    from pmtui.errors import PmtuiError

    if store.engine.dialect.name != "sqlite":  # (no transaction to learn it: a round trip on PostgreSQL)
        return
    with store._read() as conn:
        if _exec(conn, f"SELECT 1 FROM {QUEUE} LIMIT 1").first() is None:
            return
    try:
        with store._write() as conn:
            for sql in _flush_sql():
                _exec(conn, sql)
    except PmtuiError:
        pass


FOLD = "pmtui_fold"  # PostgreSQL: the index's accent folding (a plain SQL function)


def _fold_function_sql() -> str:
    """The accent folding the index applies before its configuration: a plain SQL
    function (any role that may create a table may create it), so "Réplica" meets
    "replica" on a server where the ``unaccent`` extension cannot be created; with
    ``unaccent`` too, the configuration folds what this leaves (``ø``, ligatures, ``ß``).
    Text in ASCII passes as it is (most text: no cost on a write); other text is
    decomposed (NFD) and its combining accents removed, which keeps each letter's place.
    A slash separates words, as on SQLite (``kafka/orders`` is ``kafka`` and ``orders``,
    not one path).

    Not STRICT, so that PostgreSQL inlines it (a STRICT function whose body is not strict
    itself, a CASE, is called), and ``replace`` rather than ``translate`` (3 µs a row): as
    it was, 9 µs a row, a third of what making a row's tsvector costs (to_tsvector ~20 µs);
    as it is, under 1 µs. NULL gives NULL either way."""
    return (f"CREATE OR REPLACE FUNCTION {FOLD}(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
            "AS $$ SELECT CASE WHEN octet_length($1) = length($1) THEN replace($1, '/', ' ') "
            "ELSE regexp_replace(normalize(replace($1, '/', ' '), NFD), '[\\u0300-\\u036f]', '', 'g') END $$")


def fold_as_indexed(text: str) -> str:
    """What :data:`FOLD` makes of ``text`` (PostgreSQL's), in Python."""
    import unicodedata

    text = text.replace("/", " ")
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFD", text) if not "\u0300" <= c <= "\u036f")


def unfold(headline: str, body: str) -> str:
    """The marked text of a headline made from the folded body, on the body as written:
    folding keeps each letter's place, so the fragment is found in the folded body and
    its marks are put at the same places in the original (``Réplica``, not ``Replica``)."""
    plain = headline.replace(HIT_START, "").replace(HIT_END, "")
    at = fold_as_indexed(body).find(plain)
    if at < 0:
        return headline
    out, i = [], at
    for ch in headline:
        if ch in (HIT_START, HIT_END):
            out.append(ch)
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _postgres_config(conn: Connection) -> bool:
    """The text search configuration and the folding function; whether the
    configuration folds accents too (unaccent)."""
    _exec(conn, _fold_function_sql())
    if _exec(conn, "SELECT 1 FROM pg_ts_config WHERE cfgname = :c", {"c": CONFIG}).first() is None:
        _exec(conn, f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.english)")
    unaccent = _exec(conn, "SELECT 1 FROM pg_extension WHERE extname = 'unaccent'").first() is not None
    if not unaccent and _exec(conn, "SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'").first():
        from sqlalchemy.exc import DBAPIError

        try:
            with conn.begin_nested():  # a role that may not create it: the transaction goes on without
                _exec(conn, "CREATE EXTENSION IF NOT EXISTS unaccent")
            unaccent = True
        except DBAPIError:
            unaccent = False
    if unaccent:
        _exec(conn, f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR hword, hword_part, word "
                    "WITH unaccent, english_stem")
    return unaccent


# Each row's tsvector: its words (accents folded), and two words no query can name (a query's
# words are word characters only) saying where the row is among the index's ids, newest
# last: its slice (id >> SLICE: 4,096 rows of each source table) and its block (16 slices).
# A search of a common word looks through the newest blocks first (_search_postgres; a
# slice's word is rarer than a common word, so GIN would walk its whole list).
SLICE, BLOCK = 16, 20
# Up to PLAIN x RANKED matches are read all at once (a page each); beyond, the slices:
# each slice searched costs about as much as its rows (GIN reads its word's list), so the
# slices pay off for words on many more rows than RANKED (1,000,000 events: ~6,000).
PLAIN = 6
TSV = (f"to_tsvector('{CONFIG}'::regconfig, {FOLD}(body)) || "
       f"array_to_tsvector(ARRAY['#' || (id >> {SLICE})::text, '##' || (id >> {BLOCK})::text])")
GIN = f"ix_{TABLE}_tsv"
_GIN_SQL = f"CREATE INDEX {GIN} ON {TABLE} USING GIN (tsv)"


def _postgres_ddl() -> list[str]:
    """The index table, and triggers: per statement for inserts and deletes (one INSERT …
    SELECT over the transition table, however many rows a statement wrote: an import),
    per row for updates of the columns it reads."""
    out = [f"CREATE TABLE {TABLE} (id BIGINT PRIMARY KEY, review_id INTEGER NOT NULL, section TEXT NOT NULL, "
           f"row_id INTEGER NOT NULL, body TEXT NOT NULL, "
           f"tsv TSVECTOR GENERATED ALWAYS AS ({TSV}) STORED)",
           _GIN_SQL]  # (no index of review_id: no query looks rows up by it, and each row paid for it)
    for table in TABLES:
        sources = [s for s in SOURCES if s.table == table]
        inserts = "\n".join(
            f"  INSERT INTO {TABLE} (id, review_id, section, row_id, body) SELECT id::bigint * {STRIDE} + {s.code}, "
            f"{s.review}, '{s.section}', id, {s.text()} FROM fresh;" for s in sources)
        deletes = " UNION ALL ".join(f"SELECT id::bigint * {STRIDE} + {s.code} FROM gone" for s in sources)
        updates = "\n".join(
            f"  IF {' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in s.columns)} THEN "
            f"UPDATE {TABLE} SET body = {s.text('NEW.')} WHERE id = NEW.id::bigint * {STRIDE} + {s.code}; END IF;"
            for s in sources)
        columns = ", ".join(dict.fromkeys(c for s in sources for c in s.columns))
        for op, body, ref in (("insert", inserts, "NEW TABLE AS fresh"),
                              ("delete", f"  DELETE FROM {TABLE} WHERE id IN ({deletes});", "OLD TABLE AS gone")):
            out.append(f"CREATE FUNCTION {TABLE}_{table}_{op}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                       f"BEGIN\n{body}\n  RETURN NULL;\nEND $$")
            out.append(f"CREATE TRIGGER {TABLE}_{table}_{op} AFTER {op.upper()} ON {table} REFERENCING {ref} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_{table}_{op}()")
        out.append(f"CREATE FUNCTION {TABLE}_{table}_update() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   f"BEGIN\n{updates}\n  RETURN NULL;\nEND $$")
        out.append(f"CREATE TRIGGER {TABLE}_{table}_update AFTER UPDATE OF {columns} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_{table}_update()")
    return out


def install(conn: Connection) -> None:
    """Lay out the index and its triggers (a new store, or migration 0009)."""
    if conn.dialect.name == "sqlite":
        ddl = _sqlite_ddl()
    else:
        _postgres_config(conn)
        ddl = _postgres_ddl()
    for sql in ddl:
        _exec(conn, sql)


def lighten_writes(conn: Connection) -> None:
    """PostgreSQL stores of schema 11 (migration 0012): what indexing a row costs a write,
    lightened. The folding function made again, inlined (:func:`_fold_function_sql`; it
    folds as it did, so the index's words stay as they are), and the index of the rows'
    review ids dropped (no query looks rows up by it; every row inserted updated it)."""
    if conn.dialect.name != "sqlite":
        _exec(conn, _fold_function_sql())
        _exec(conn, f"DROP INDEX IF EXISTS ix_{TABLE}_review")


def relayout(conn: Connection) -> None:
    """PostgreSQL stores laid out by schema 9 (migration 0010): the folding function, and
    the tsvector made again with it and the slice words (a rewrite of the index table; its
    rows, kept by the triggers, stay). SQLite's index is unchanged."""
    if conn.dialect.name == "sqlite":
        return
    _postgres_config(conn)
    _exec(conn, f"ALTER TABLE {TABLE} DROP COLUMN tsv")  # and its GIN index
    _exec(conn, f"ALTER TABLE {TABLE} ADD COLUMN tsv TSVECTOR GENERATED ALWAYS AS ({TSV}) STORED")
    _exec(conn, _GIN_SQL)
    _exec(conn, f"ANALYZE {TABLE}")


def rebuild(conn: Connection) -> None:
    """Fill the index from the source tables (the migration; `pmtui db` could too).
    PostgreSQL: the GIN index is made once the rows are in (one sorted build, not a
    million insertions into it)."""
    _exec(conn, f"DELETE FROM {TABLE}")
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        _exec(conn, f"DELETE FROM {QUEUE}")
    else:
        _exec(conn, f"DROP INDEX IF EXISTS {GIN}")
    for s in SOURCES:
        if sqlite:
            _exec(conn, f"INSERT INTO {TABLE}(rowid, body, review_id, section, row_id) SELECT id * {STRIDE} + "
                        f"{s.code}, {s.text()}, {s.review}, '{s.section}', id FROM {s.table}")
        else:
            _exec(conn, f"INSERT INTO {TABLE} (id, review_id, section, row_id, body) SELECT id::bigint * {STRIDE} "
                        f"+ {s.code}, {s.review}, '{s.section}', id, {s.text()} FROM {s.table}")
    if sqlite:
        _exec(conn, f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
    else:
        _exec(conn, _GIN_SQL)
        _exec(conn, f"ANALYZE {TABLE}")


def uses_unaccent(conn: Connection) -> bool:
    """Whether PostgreSQL's configuration passes words through the ``unaccent`` extension
    too (accents are folded either way, by :data:`FOLD`); SQLite: FTS5's own folding."""
    if conn.dialect.name == "sqlite":
        return False
    return _exec(conn, "SELECT 1 FROM pg_extension WHERE extname = 'unaccent'").first() is not None


# ------------------------------------------------------------------ sizes
def sizes(store: Store) -> tuple[int, int]:
    """(the index's bytes on disk, the whole store's bytes)."""
    with store._read() as conn:
        if conn.dialect.name == "sqlite":
            names = index_tables("sqlite")
            marks = ", ".join(f":n{i}" for i in range(len(names)))
            index = _exec(conn, f"SELECT COALESCE(SUM(d.pgsize), 0) FROM dbstat d JOIN sqlite_master m ON m.name = d.name "
                          f"WHERE m.tbl_name IN ({marks})", {f"n{i}": n for i, n in enumerate(names)}).scalar()
            total = _exec(conn, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()").scalar()
        else:
            index = _exec(conn, f"SELECT pg_total_relation_size('{TABLE}')").scalar()
            total = _exec(conn, "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                                "AND n.nspname = current_schema()").scalar()
    return int(index or 0), int(total or 0)


# ------------------------------------------------------------------ querying
def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression: every word is a quoted string of word characters only
    (nothing the user typed is FTS5 syntax)."""

    def one(t: Term) -> str:
        quoted = '"' + " ".join(t.words) + '"'
        return quoted + "*" if t.prefix else quoted

    expr = " AND ".join(one(t) for t in query.positive)
    for t in query.negative:
        expr = f"({expr}) NOT {one(t)}"
    return expr


def _tsquery(query: Query, params: dict[str, Any]) -> str:
    """A tsquery built from bound values: ``plainto_tsquery`` for a word,
    ``phraseto_tsquery`` for a phrase, ``to_tsquery`` of ``'word':*`` for a prefix
    (the word is word characters only), joined with ``&&`` and ``!!``."""

    def one(t: Term) -> str:
        name = f"t{len(params)}"
        if t.prefix:
            params[name] = " <-> ".join(f"'{w}'" for w in t.words) + ":*"
            return f"to_tsquery('{CONFIG}', :{name})"
        params[name] = " ".join(t.words)
        return f"{'phraseto_tsquery' if len(t.words) > 1 else 'plainto_tsquery'}('{CONFIG}', :{name})"

    expr = " && ".join(one(t) for t in query.positive)
    for t in query.negative:
        expr = f"({expr}) && !!{one(t)}"
    return expr


@dataclass
class _Filters:
    """A query's filters, each where it is cheap: the sections as the codes in the index's
    row ids, conditions on the review (``r``) and on the action item (``a``), values bound
    in ``params``."""

    codes: tuple[int, ...] | None  # None: every section
    review: list[str]
    action: list[str]
    params: dict[str, Any]


def _filters(query: Query) -> _Filters:
    params: dict[str, Any] = {}
    sections = query.sections
    if query.actions_only:
        sections = tuple(x for x in (sections or ("actions",)) if x == "actions") or ("-",)
    codes = tuple(sorted({CODE[x] for x in sections if x in CODE})) if sections else None
    review: list[str] = []
    if query.since is not None:
        params["since"] = query.since.isoformat()
        review.append(f"{_DAY} >= :since")
    if query.until is not None:
        params["until"] = query.until.isoformat()
        review.append(f"{_DAY} <= :until")
    for i, tag in enumerate([*query.tags, *([query.tag] if query.tag else [])]):
        params[f"tag{i}"] = tag.strip().casefold()
        review.append(f"EXISTS (SELECT 1 FROM tag g WHERE g.review_id = r.id AND lower(g.name) = :tag{i})")
    if query.severity is not None:
        params["severity"] = query.severity.strip().casefold()
        review.append("lower(COALESCE(r.severity, '')) = :severity")
    if query.status is not None:
        params["rstatus"] = query.status
        review.append("r.status = :rstatus")
    action: list[str] = []
    if query.owner is not None:
        params["owner"] = query.owner.strip().casefold()
        action.append("lower(trim(a.owner)) = :owner")
    if query.priority is not None:
        params["priority"] = query.priority.strip().lower()
        action.append("a.priority = :priority")
    if query.statuses is not None:
        marks = []
        for i, st in enumerate(query.statuses or ("-",)):
            params[f"ast{i}"] = st
            marks.append(f":ast{i}")
        action.append(f"a.status IN ({', '.join(marks)})")
    return _Filters(codes, review, action, params)


# A review filter (tag:, --since, --severity …) passing at most this many reviews is
# applied as the set of their rows' index ids (SQLite: a row id is in the index's own
# lists, its review id is a read of the row's stored columns, ~2 µs each: 60 ms for the
# 30,000 rows of a common word); more reviews pass most rows, so the newest RANKED
# matches are found after reading few rows more.
FEW_REVIEWS = 200


def _where(conn: Connection, flt: _Filters, sqlite: bool) -> list[str] | None:
    """The conditions on the index's rows ``s`` that apply the filters (each a set of
    row ids where it can be), or None when no row can pass (no review, no action item
    passes its filters: an answer without searching)."""
    rid = "s.rowid" if sqlite else "s.id"

    def big(col: str) -> str:
        return col if sqlite else f"{col}::bigint"

    where: list[str] = []
    codes = flt.codes
    if codes is not None:
        if not codes:
            return None
        where.append(f"{rid} % {STRIDE} IN ({', '.join(map(str, codes))})")
    reviews = f"SELECT r.id FROM review r WHERE {' AND '.join(flt.review)}" if flt.review else ""
    if reviews:
        ids = [int(i) for i, in _exec(conn, f"{reviews} LIMIT {FEW_REVIEWS + 1}", flt.params)]
        if not ids:
            return None
        if len(ids) <= FEW_REVIEWS:
            listed = ", ".join(map(str, ids))
            parts = [f"SELECT {big('x.id')} * {STRIDE} + {s.code} FROM {s.table} x "
                     f"WHERE x.{s.review} IN ({listed})" for s in SOURCES if codes is None or s.code in codes]
            where.append(f"{'+' if sqlite else ''}{rid} IN ({' UNION ALL '.join(parts)})")
        else:
            where.append(f"s.review_id IN ({reviews})")
    if flt.action:
        actions = f"FROM action_item a WHERE {' AND '.join(flt.action)}" + (
            f" AND a.review_id IN ({reviews})" if reviews else "")
        if _exec(conn, f"SELECT 1 {actions} LIMIT 1", flt.params).first() is None:
            return None
        where.append(f"{'+' if sqlite else ''}{rid} IN (SELECT {big('a.id')} * {STRIDE} + {CODE['actions']} {actions})")
    return where


# the review's day: its review date, else the day the incident started, else its first
# event's day (UTC), else the day it was created
_DAY = ("COALESCE(r.review_date, substr(r.started_utc, 1, 10), "
        "substr((SELECT MIN(e.at_utc) FROM event e WHERE e.review_id = r.id), 1, 10), substr(r.created_at, 1, 10))")


def search(store: Store, query: Query) -> list[Hit]:
    """The hits of ``query``, most relevant first, then the newest review first."""
    if query.empty():
        return []
    flush(store)
    with store._read() as conn:
        places: dict[tuple[str, int], int | None] = {}  # PostgreSQL reads them with the text
        if conn.dialect.name == "sqlite":
            rows = _search_sqlite(conn, query)
        else:
            rows = _search_postgres(conn, query, places)
        return _hits(conn, rows, places)


# Ties in relevance are broken by the review's day: the best CANDIDATES x limit rows by
# relevance alone are taken first (the engines rank fast without a join), then ordered
# by relevance and day; equal scores beyond that many rows are rare in written text.
CANDIDATES = 2
# Ranking reads every ranked row's statistics (bm25: its length; ts_rank: its tsvector):
# a word on 30,000 rows took 200 ms to rank in full. The newest RANKED matching rows are
# ranked (rows are numbered in the order they were written); a query matching more is
# too general to read through anyway, and its most relevant recent rows come first.
# (1,000: on PostgreSQL each ranked row is a page read; 5,000 cost 250 ms there on a
# 1,000,000-event store, benchmarks/bench_search.py.)
RANKED = 1000


def _search_sqlite(conn: Connection, query: Query) -> list[tuple[Any, ...]]:
    """Three steps, each where FTS5 is fast: the best rows by bm25 alone (FTS5 sorts its
    own matches), then their reviews and days (ties broken by day), then the marked text
    of the rows kept."""
    flt = _filters(query)
    filters = _where(conn, flt, True)
    if filters is None:
        return []
    params: dict[str, Any] = {**flt.params, "q": fts5_match(query), "k": query.limit * CANDIDATES, "w": RANKED}
    where = ["s.search_text MATCH :q", *filters]
    # rank is bm25 (lower is better); the score shown is its negation (higher is better on both).
    # A prefix's matches are gathered anew by each query (every word it starts, merged): its
    # rows are marked in the same pass (~7 ms a thousand rows) rather than in a query of their own.
    marked = any(t.prefix for t in query.terms)
    snip = f"snippet({TABLE}, 0, char(2), char(3), '…', 24)" if marked else "NULL"
    texts: dict[int, str] = {}
    top = []
    for i, rank, text in _exec(conn, (
            f"SELECT id, rank, text FROM (SELECT s.rowid AS id, bm25(s.search_text) AS rank, {snip} AS text "
            f"FROM {TABLE} s WHERE {' AND '.join(where)} ORDER BY s.rowid DESC LIMIT :w) "
            f"ORDER BY rank, id DESC LIMIT :k"), params).all():
        top.append((int(i), float(rank)))
        texts[int(i)] = text
    if not top:
        return []
    ids = {f"i{n}": i for n, (i, _rank) in enumerate(top)}
    marks = ", ".join(":" + k for k in ids)
    found = {int(row[0]): row[1:] for row in _exec(conn, (
        f"SELECT s.rowid, s.review_id, s.section, s.row_id, r.slug, r.title, {_DAY} FROM {TABLE} s "
        f"JOIN review r ON r.id = s.review_id WHERE s.rowid IN ({marks})"), ids)}
    ranked = sorted((t for t in top if t[0] in found), key=lambda t: (t[1], _newest_first(found[t[0]][5]), t[0]))
    ranked = ranked[:query.limit]
    keep = {f"i{n}": i for n, (i, _rank) in enumerate(ranked)}
    # the kept rows' ids as a filter over one walk of the matches between the first and the
    # last (FTS5 would look each id up in a query of its own: for a prefix, each gathering
    # every word it starts, 4 ms each for "failov*")
    if not marked:
        texts = {int(i): text for i, text in _exec(conn, (
            f"SELECT rowid, snippet({TABLE}, 0, char(2), char(3), '…', 24) FROM {TABLE} WHERE {TABLE} MATCH :q "
            f"AND rowid BETWEEN :lo AND :hi AND +rowid IN ({', '.join(':' + k for k in keep)})"),
            {**keep, "q": params["q"], "lo": min(keep.values()), "hi": max(keep.values())})}
    out = []
    for i, rank in ranked:
        review_id, section, row_id, slug, title, day = found[i]
        out.append((review_id, section, row_id, -rank, texts.get(i, ""), slug, title, day))
    return out


def _newest_first(day: str | None) -> tuple[int, ...]:
    """A sort key putting later days first (None last)."""
    if not day:
        return (1,)
    return (0, *(-int(x) for x in day[:10].split("-") if x.isdigit()))


def _estimate(conn: Connection, tsq: str, params: dict[str, Any]) -> float:
    """How many rows the planner expects to match (its statistics of the index's words;
    a plan, not a scan: about a millisecond)."""
    import json

    plan = _exec(conn, f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} s WHERE s.tsv @@ {tsq}", params).scalar()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"])


def slices_tsquery(lo: int, hi: int) -> str:
    """The tsquery text of slices ``lo`` to ``hi`` (inclusive): a block's word for each
    whole block in the range, a slice's word for the rest."""
    per_block = 1 << (BLOCK - SLICE)
    words, at = [], lo
    while at <= hi:
        if at % per_block == 0 and at + per_block - 1 <= hi:
            words.append(f"'##{at >> (BLOCK - SLICE)}'")
            at += per_block
        else:
            words.append(f"'#{at}'")
            at += 1
    return " | ".join(words)


def _search_postgres(conn: Connection, query: Query, places: dict[tuple[str, int], int | None]) -> list[tuple[Any, ...]]:
    """As on SQLite: the newest RANKED matching rows ranked (ts_rank), the best by rank
    then day kept, their text marked (ts_headline) last. Reading a matching row is what
    costs (its page): a word on 30,000 rows read them all to find the newest 1,000. So
    unless the planner expects few matches of one word, the newest slices of the index
    (a word of each row's tsvector, see :data:`TSV`) are searched first, as many as
    should hold the RANKED newest matches (in whole blocks), then older ones as many as
    the matches found so far say, or, when the rest should hold few, all older rows at
    once: the same rows as a search of the whole index, reading about RANKED of them.
    The filters are sets of the index's ids where they can be (:func:`_where`)."""
    import math

    flt = _filters(query)
    where = _where(conn, flt, False)
    if where is None:
        return []
    params: dict[str, Any] = dict(flt.params)
    tsq = f"({_tsquery(query, params)})"
    cond = "".join(f" AND {w}" for w in where)
    wanted = RANKED

    def newest(limit: int, slices: str | None = None, below: int | None = None) -> list[tuple[int, float]]:
        """The newest ``limit`` matches (in those slices; below that id), each with its rank."""
        match = f"s.tsv @@ ({tsq} && CAST(:slices AS tsquery))" if slices else f"s.tsv @@ {tsq}"
        if below is not None:
            match += " AND s.id < :below"
        return [(int(i), float(score)) for i, score in _exec(conn, (
            f"SELECT s.id, ts_rank(s.tsv, {tsq}) FROM {TABLE} s WHERE {match}{cond} "
            f"ORDER BY s.id DESC LIMIT :w"), {**params, "slices": slices, "below": below, "w": limit}).all()]

    top_id = _exec(conn, f"SELECT MAX(id) FROM {TABLE}").scalar()
    if top_id is None:
        return []
    # How many rows match, at most: the planner's guess for the rarest word asked for (for
    # one word it is good; for several words, or a phrase, it would take them as
    # independent, far too low for "connection pool": each word's guess is an upper bound).
    words = [Term((w,), t.prefix and n == len(t.words) - 1) for t in query.positive for n, w in enumerate(t.words)]
    expected = 1.0e12
    for word in words[:4]:
        one: dict[str, Any] = {}
        expected = min(expected, _estimate(conn, f"({_tsquery(Query(terms=[word]), one)})", one))
    expected = max(expected, 1.0)
    total = (int(top_id) >> SLICE) + 1
    if expected <= PLAIN * wanted:
        ranked = newest(wanted)  # not many: read them all
    else:
        ranked = []
        hi = total - 1
        count = math.ceil(total * wanted * 1.3 / expected)  # slices that should hold the newest RANKED
        per_block = 1 << (BLOCK - SLICE)
        while True:
            # whole blocks (a word each): GIN reads each word of an OR as a list of its own,
            # and a slice's word is rarer than a common word, so that its lists are walked in
            # full (21 slices' words: 60 ms); a block's word is more common than the words
            # asked for, so that GIN walks their lists and only skips through the block's
            lo = max(0, (hi - count + 1) // per_block * per_block)
            ranked += newest(wanted - len(ranked), slices_tsquery(lo, (hi // per_block + 1) * per_block - 1))
            if lo == 0 or len(ranked) >= wanted:
                break
            per_slice = len(ranked) / (total - lo)
            needed = wanted - len(ranked)
            if per_slice * lo <= 2 * needed:  # the older rows hold few more: read them all
                ranked += newest(needed, below=lo << SLICE)
                break
            hi, count = lo - 1, math.ceil(needed * 1.3 / per_slice)
    if not ranked:
        return []
    top = sorted(ranked, key=lambda t: (-t[1], -t[0]))[:query.limit * CANDIDATES]
    # the ids as one array: the same statement whatever their number (planned once on a
    # connection, not for each list of 100 values: 4 ms)
    found = {int(row[0]): row[1:] for row in _exec(conn, (
        f"SELECT s.id, s.review_id, s.section, s.row_id, r.slug, r.title, {_DAY} FROM {TABLE} s "
        f"JOIN review r ON r.id = s.review_id WHERE s.id = ANY(CAST(:ids AS BIGINT[]))"), {"ids": [i for i, _ in top]})}
    kept = sorted((t for t in top if t[0] in found), key=lambda t: (-t[1], _newest_first(found[t[0]][5]), t[0]))
    kept = kept[:query.limit]
    opts = (f"StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=24, MinWords=12, ShortWord=2, MaxFragments=1, "
            "FragmentDelimiter=\" … \"")
    # the headline is made from the folded text (what the index holds), its marks put on the text as written
    # and each row's place in its list, in the same statement (one round trip fewer)
    place = "CASE s.section " + " ".join(f"WHEN '{sec}' THEN {_place_sql(sec)}" for sec in ("timeline", *LIST_TABLE))
    texts = {int(i): (unfold(text or "", body), n) for i, text, body, n in _exec(conn, (
        f"SELECT s.id, ts_headline('{CONFIG}', {FOLD}(s.body), {tsq}, :opts), s.body, {place} END "
        f"FROM {TABLE} s WHERE s.id = ANY(CAST(:keep AS BIGINT[]))"),
        {**params, "keep": [i for i, _ in kept], "opts": opts})}
    out = []
    for i, score in kept:
        review_id, section, row_id, slug, title, day = found[i]
        text, n = texts.get(i, ("", None))
        places[(section, int(row_id))] = None if n is None else int(n)
        out.append((review_id, section, row_id, score, text, slug, title, day))
    return out


def _hits(conn: Connection, rows: list[tuple[Any, ...]], places: dict[tuple[str, int], int | None]) -> list[Hit]:
    wanted: dict[str, list[int]] = {}
    for _rid, section, row_id, *_rest in rows:
        if (section, int(row_id)) not in places:
            wanted.setdefault(section, []).append(int(row_id))
    for section, ids in wanted.items():
        places.update({(section, i): n for i, n in _places(conn, section, ids).items()})
    out = []
    for review_id, section, row_id, score, text, slug, title, day in rows:
        row_id = int(row_id)
        out.append(Hit(int(review_id), slug, title, _date(day), section, places.get((section, row_id)), row_id,
                       _each_word(text or ""), float(score)))
    return out


_MARKED = re.compile(f"{HIT_START}([^{HIT_END}]*){HIT_END}")


def _each_word(text: str) -> str:
    """Each matched word marked on its own (FTS5 marks a phrase as one run; ts_headline
    each word): the same marks on both databases."""
    return _MARKED.sub(lambda m: HIT_START + re.sub(r"(\s+)", HIT_END + r"\1" + HIT_START, m.group(1)) + HIT_END, text)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _place_sql(section: str) -> str:
    """The place of the source row of index row ``s`` in a list ``section`` (a scalar
    subquery; the same counts as :func:`_places`)."""
    if section == "timeline":
        return ("(SELECT (SELECT COUNT(*) FROM event e WHERE e.review_id = x.review_id AND e.at_utc < x.at_utc) "
                "+ (SELECT COUNT(*) FROM event e WHERE e.review_id = x.review_id AND e.at_utc = x.at_utc AND "
                "(e.seq < x.seq OR (e.seq = x.seq AND e.id <= x.id))) FROM event x WHERE x.id = s.row_id)")
    table = LIST_TABLE[section]
    return (f"(SELECT (SELECT COUNT(*) FROM {table} e WHERE e.review_id = x.review_id AND "
            f"(e.position < x.position OR (e.position = x.position AND e.id <= x.id))) "
            f"FROM {table} x WHERE x.id = s.row_id)")


def _places(conn: Connection, section: str, ids: list[int]) -> dict[int, int]:
    """Each row's 1-based place among its review's rows, as the review shows them (one
    query per section)."""
    params = {f"i{n}": i for n, i in enumerate(ids)}
    wanted = ", ".join(":" + k for k in params)
    if section == "timeline":  # two counts, each a walk of the review's (time, seq) index
        sql = ("SELECT x.id, (SELECT COUNT(*) FROM event e WHERE e.review_id = x.review_id AND e.at_utc < x.at_utc) "
               "+ (SELECT COUNT(*) FROM event e WHERE e.review_id = x.review_id AND e.at_utc = x.at_utc AND "
               f"(e.seq < x.seq OR (e.seq = x.seq AND e.id <= x.id))) FROM event x WHERE x.id IN ({wanted})")
    elif section in LIST_TABLE:
        table = LIST_TABLE[section]
        sql = (f"SELECT x.id, (SELECT COUNT(*) FROM {table} e WHERE e.review_id = x.review_id AND "
               f"(e.position < x.position OR (e.position = x.position AND e.id <= x.id))) "
               f"FROM {table} x WHERE x.id IN ({wanted})")
    else:
        return {}
    return {int(i): int(n) for i, n in _exec(conn, sql, params)}


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB"):
        if n < 1024:
            return f"{int(n)} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def size_line(where: Any) -> str:
    """``size:    12.0 MB (search index 3.1 MB)`` for `pmtui db`."""
    from .store import Store

    store = Store.open(where, upgrade=False)
    try:
        index, total = sizes(store)
    finally:
        store.close()
    return f"size:    {_size(total)} (search index {_size(index)})"
