"""Schema 11: PostgreSQL's search index folds accents without the ``unaccent`` extension
and answers common words fast (pmtui.store.search.relayout).

- ``pmtui_fold(text)``: a plain SQL function folding accents (NFD, combining marks
  removed) and splitting words at a slash, applied before the text search configuration:
  "Réplica" meets "replica" on a server where the user may not CREATE EXTENSION;
- the ``tsv`` column is made again from it, with two words saying where each row is
  among the index's ids (its slice and block), so a search of a common word reads the
  newest slices first instead of every matching row.

SQLite stores are unchanged (FTS5 folds accents itself).
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    from pmtui.store import search

    search.relayout(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
