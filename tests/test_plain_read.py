"""The read path (pmtui.store.plain): a stored review read without validating it again
is the very document the full path (the models) reads, byte for byte, on both
databases; a value the store would not write makes it step aside for the full path,
which names the problem."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.domain import plain
from pmtui.domain.checks import check
from pmtui.domain.document import dumps, loads
from pmtui.export.report import render
from pmtui.store import Store
from pmtui.store.plain import read_documents, resolve
from pmtui.store.plain_plan import generate
from test_roundtrip import LISTS, apply_document_rules, documents
from test_stored_reviews import BAD_ROWS


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


def test_the_generated_field_rules_are_the_models():
    from pathlib import Path

    import pmtui.domain.plain_fields as kept

    assert Path(kept.__file__).read_text() == generate(), \
        "run: python -m pmtui.store.plain_plan > src/pmtui/domain/plain_fields.py"
    assert plain.PlainEvent._fields == kept.ORDER["Event"]  # an event is a tuple of the model's fields


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=documents, marks=st.lists(st.sampled_from(
    ["impact_start", "detected", "response_start", "mitigated", "impact_end", "resolved"]), unique=True),
    became=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(sorted(LISTS)), st.integers(0, 5)), max_size=6))
def test_the_read_path_reads_what_the_models_read(db_url, raw, marks, became):
    apply_document_rules(raw, marks, became)
    store = Store.open(db_url)
    try:
        review_id = store.import_documents([loads(json.dumps(raw))])[0][0]
        full = store.export_document(review_id)
        docs = read_documents(store, [review_id])
        assert docs is not None
        doc = docs[review_id]
        assert plain.dumps(doc) == dumps(full)
        assert render(doc) == render(full)  # type: ignore[arg-type]
        assert check(doc) == check(full)  # type: ignore[arg-type]
        slug = {s.id: s.slug for s in store.list_reviews()}[review_id]
        assert resolve(store, str(review_id)) == review_id == resolve(store, slug) == store.resolve(slug)
        if store.kind == "postgresql":  # read through psycopg too (where libpq cannot be loaded by itself)
            _assert_psycopg_reads_the_same(db_url, review_id, doc)
    finally:
        store.close()


def _assert_psycopg_reads_the_same(db_url, review_id, doc):
    import os

    from pmtui.store import libpq
    from pmtui.store.postgres import _PsycopgReader

    os.environ[libpq.DRIVER_VAR] = "psycopg"
    other = Store.open(db_url)
    try:
        read = read_documents(other, [review_id])
        assert isinstance(other.backend.plain_connection(), _PsycopgReader)
    finally:
        del os.environ[libpq.DRIVER_VAR]
        other.close()
    assert read is not None and plain.dumps(read[review_id]) == plain.dumps(doc)


@pytest.mark.parametrize("name, sql, message", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_value_the_store_would_not_write_is_left_to_the_full_path(db_path, example_bytes, name, sql, message):
    store = Store.open(db_path)  # changed behind the store's back with sqlite3
    review_id = store.import_documents([loads(example_bytes)])[0][0]
    assert read_documents(store, [review_id]) is not None
    con = sqlite3.connect(db_path)
    with con:
        con.execute(sql, {"id": review_id})
    con.close()
    assert read_documents(store, [review_id]) is None
    store.close()


def test_an_unknown_review_is_named(store):
    from pmtui.errors import BadInput

    with pytest.raises(BadInput, match="no review with id or slug \"it''s-gone\""):
        resolve(store, "it''s-gone")


def test_the_blame_scan_reads_every_marked_field_on_the_read_path(db_url, example_raw):
    """`pmtui check` reads a stored review without the models: the fields it scans for blame
    come from the marks on the models (REVIEW_WORDS, QUOTED_WORDS) through the generated
    plain_fields.WORDS, so a field marked on its model is scanned there too, at its place."""
    from document_fields import set_path, text_fields
    from pmtui.domain.document import words_of
    from test_checks import complete

    marked = [path for m, f, path in text_fields() if words_of(m, f) is not None]
    raw = complete(example_raw)
    for path in marked:
        set_path(raw, path, "The on-call engineer should have checked the cache")
    store = Store.open(db_url)
    try:
        review_id = store.import_documents([loads(json.dumps(raw))])[0][0]
        docs = read_documents(store, [review_id])
        assert docs is not None and isinstance(docs[review_id], plain.PlainDoc)
        found = check(docs[review_id])  # type: ignore[arg-type]
        assert found == check(store.export_document(review_id))
        assert not set(marked) - {f.place for f in found}, \
            f"{sorted(set(marked) - {f.place for f in found})}: blame not found on the read path"
    finally:
        store.close()


@pytest.mark.parametrize("command", [["check", "1"], ["export", "1"], ["export", "1", "--format", "json"]])
def test_check_and_export_of_a_stored_review_load_no_pydantic(tmp_path, example_bytes, command):
    """The commands that only read a stored review stay quick: no pydantic, SQLModel nor
    SQLAlchemy on their way (the blame scan's and the report's fields are generated)."""
    import subprocess
    import sys

    db = tmp_path / "s.db"
    store = Store.open(db)
    store.import_documents([loads(example_bytes)])
    store.close()
    code = ("import sys, atexit\nfrom pmtui.cli.main import main\n"
            "atexit.register(lambda: print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'sqlalchemy', 'sqlmodel', 'pydantic'}), file=sys.stderr))\n"
            f"main(['--db', {str(db)!r}, *{command!r}])\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stderr.strip().splitlines()[-1] == "[]", proc.stderr
    assert proc.stdout.strip()
