"""Schema 12: PostgreSQL's search index costs a write less: its accent folding is
inlined, and the index of its rows' review ids is dropped.

``pmtui_fold(text)`` is made again without STRICT, so that PostgreSQL inlines its SQL
expression where the index's tsvector is computed (every insert of a row to search) and
where a result is marked, instead of calling it, and with ``replace`` for ``translate``
(a slash is a space either way): 9 µs a row before, under 1 µs now, of the ~30 µs that
indexing a row cost an import. It folds exactly as before, so the index is unchanged and
not rebuilt.

``ix_search_text_review`` is dropped: no query looks the index's rows up by review (a
review filter is a set of row ids, or a condition on the rows GIN found), and every row
indexed updated it (pmtui.store.search.lighten_writes).

SQLite stores are unchanged.
"""

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    from pmtui.store import search

    search.lighten_writes(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
