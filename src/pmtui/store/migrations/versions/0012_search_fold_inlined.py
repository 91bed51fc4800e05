"""Schema 12: PostgreSQL's accent folding for the search index is inlined.

``pmtui_fold(text)`` is made again without STRICT: PostgreSQL then inlines its SQL
expression where the index's tsvector is computed (every insert of a row to search) and
where a result is marked, instead of calling it (9 µs a row: a fifth of what keeping the
index cost an import). It folds exactly as before, so the index is unchanged and not
rebuilt (pmtui.store.search.inline_fold).

SQLite stores are unchanged.
"""

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    from pmtui.store import search

    search.inline_fold(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
