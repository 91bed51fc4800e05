"""Schema 6: an action item's effort (``pmtui-review/2``'s ``action_items[].effort``).

- ``action_item.effort``: a rough size of the work (``""`` when not given).

Existing rows get ``""``, so every stored review exports as before plus the new field
at its default. SQLite adds the column with ALTER TABLE (no table is rebuilt).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action_item") as batch:
        batch.add_column(sa.Column("effort", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
