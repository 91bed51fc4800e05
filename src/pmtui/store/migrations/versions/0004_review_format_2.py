"""Schema 4: what ``pmtui-review/2`` added to the document.

- ``event.source_id`` (NULL for typed events), ``event.original`` (``""``) and
  ``event.confirmed`` (false): imported evidence and the room's walk-through.
- a unique index on ``event (review_id, source, source_id)`` where ``source_id`` is
  not NULL: one piece of evidence once per review (``pmtui evidence`` skips the pairs
  a review already holds).
- ``review.started_utc`` / ``review.started_offset``: when the incident started.
- ``component.start_*`` / ``component.end_*``: a component's window (status pages).

Existing rows get the defaults, so every stored review exports as before plus the new
fields at their defaults. Batch mode: SQLite adds the columns with ALTER TABLE (no
table is rebuilt); the partial index is created on both databases.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("source_id", sa.String(), nullable=True))
        batch.add_column(sa.Column("original", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("confirmed", sa.Boolean(), nullable=False, server_default="0"))
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("started_utc", sa.String(), nullable=True))
        batch.add_column(sa.Column("started_offset", sa.Integer(), nullable=True))
    with op.batch_alter_table("component") as batch:
        for name in ("start", "end"):
            batch.add_column(sa.Column(f"{name}_utc", sa.String(), nullable=True))
            batch.add_column(sa.Column(f"{name}_offset", sa.Integer(), nullable=True))
    where = sa.text("source_id IS NOT NULL")
    op.create_index("ux_event_source_id", "event", ["review_id", "source", "source_id"], unique=True,
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
