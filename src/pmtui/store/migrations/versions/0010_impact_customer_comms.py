"""Schema 10: what customers were told (``pmtui-review/2``'s ``impact.customer_comms``).

- ``review.customer_comms``: Markdown, ``""`` when not given.

Existing rows get ``""``, so every stored review exports as before plus the new field
at its default. SQLite adds the column with ALTER TABLE (no table is rebuilt).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("customer_comms", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
