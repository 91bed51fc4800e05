"""Schema 13: the home list's order kept by the database (SQLite).

- ``review_order``: one row per review with what the list sorts by (when the incident
  started, its first typed event, its first event, when it was made), an index in the
  list's order, and the triggers on ``review`` and ``event`` that keep it
  (pmtui.store.listed); filled here from the reviews already stored. The home screen's
  first page becomes an index scan of its rows instead of a scan and sort of every
  review (issue 23). PostgreSQL stores are not changed.
"""

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from alembic import op

    from pmtui.store import listed

    listed.install(op.get_bind())


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
