"""Schema 3: row versions, who changed a row last, and a stable id for each review.

- ``version`` (starts at 1, every update adds 1), ``updated_at`` and ``updated_by`` on
  every row people edit: review, event, factor, observation, learning, action_item,
  note, participant. Existing rows get version 1 and empty ``updated_*`` (review keeps
  its ``updated_at``).
- ``review.uid``: a random id that ``pmtui db copy`` carries to the other store, so a
  second copy adds nothing twice. Existing reviews get one here.
- an index on ``event (review_id, at_utc, seq)``: a timeline is read in that order.

Batch mode: SQLite adds these columns with ALTER TABLE (no table is rebuilt).
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

EDITABLE = ("review", "event", "factor", "observation", "learning", "action_item", "note", "participant")


def upgrade() -> None:
    for table in EDITABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
            if table != "review":
                batch.add_column(sa.Column("updated_at", sa.String(), nullable=False, server_default=""))
            batch.add_column(sa.Column("updated_by", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("review") as batch:
        batch.add_column(sa.Column("uid", sa.String(), nullable=True))
    bind = op.get_bind()
    review = sa.table("review", sa.column("id", sa.Integer()), sa.column("uid", sa.String()))
    ids = [r[0] for r in bind.execute(sa.select(review.c.id).where(review.c.uid.is_(None)))]
    if ids:
        bind.execute(review.update().where(review.c.id == sa.bindparam("rid")).values(uid=sa.bindparam("new_uid")),
                     [{"rid": i, "new_uid": uuid.uuid4().hex} for i in ids])
    op.create_index("ix_review_uid", "review", ["uid"], unique=True)
    op.create_index("ix_event_review_time", "event", ["review_id", "at_utc", "seq"])


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
