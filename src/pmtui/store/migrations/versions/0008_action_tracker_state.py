"""Schema 8: what an action item's issue in the team's tracker said when pmtui last read
it (``pmtui-review/2``'s ``action_items[].tracker_state``, ``tracker_label`` and
``tracker_pulled``; issue 24: ``pmtui actions push`` and ``pull``).

- ``action_item.tracker_state``: open, done or wont_do (``""`` never read);
- ``action_item.tracker_label``: the tracker's own words for it (``""``);
- ``action_item.tracker_pulled_utc`` / ``tracker_pulled_offset``: when it was read (NULL).

Existing rows get the defaults, so every stored review exports as before plus the new
fields at their defaults. SQLite adds the columns with ALTER TABLE (no table is rebuilt).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("action_item") as batch:
        batch.add_column(sa.Column("tracker_state", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("tracker_label", sa.String(), nullable=False, server_default=""))
        batch.add_column(sa.Column("tracker_pulled_utc", sa.String(), nullable=True))
        batch.add_column(sa.Column("tracker_pulled_offset", sa.Integer(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
