"""Schema 5: seats.

- ``presence``: one row per running seat (a pmtui process in a review): its name, its
  role there and when its heartbeat expires; the header shows who is in the review.
- ``change_log``: on SQLite, what each write transaction changed (kind, review, row),
  so that another seat refreshes only that (PostgreSQL sends the same by NOTIFY; the
  table stays empty there). Rows are pruned after a few minutes.

Two new tables: no existing row changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("seat", sa.String(), primary_key=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("review.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("origin", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("review_id", sa.Integer(), nullable=True),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
