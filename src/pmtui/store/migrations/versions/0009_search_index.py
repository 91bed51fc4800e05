"""Schema 9: full-text search and the Patterns view's merged and split groups.

- ``search_text``: the full-text index of every review's text, kept by triggers on the
  source tables (SQLite: an FTS5 table; PostgreSQL: a table with a generated tsvector
  column, a GIN index and the ``pmtui_search`` text search configuration), filled here
  from the rows already stored (pmtui.store.search).
- ``pattern_choice``: which group of recurring factors a person put a wording in.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from pmtui.store import search

    op.create_table(
        "pattern_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wording", sa.String(), nullable=False),
        sa.Column("group_key", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("updated_at", sa.String(), nullable=False, server_default=""),
        sa.Column("updated_by", sa.String(), nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("wording"),
    )
    conn = op.get_bind()
    search.install(conn)
    search.rebuild(conn)


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
