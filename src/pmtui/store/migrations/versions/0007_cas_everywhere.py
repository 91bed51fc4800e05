"""Schema 7: every row people edit has a version, and no id is handed out twice.

- ``version``, ``updated_at`` and ``updated_by`` on the lists that had none (author,
  link, component, related): every write to an existing row is a compare-and-set on its
  version (store/rows.py). Existing rows get version 1.
- SQLite: every table with an integer id is rebuilt with ``AUTOINCREMENT`` (SQLite's
  documented way: create the new table, copy the rows, drop the old, rename, recreate the
  indexes), so a deleted top id is never given to another row. PostgreSQL's sequences
  never reuse an id: nothing to do there.
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

NEWLY_VERSIONED = ("author", "link", "component", "related")


def upgrade() -> None:
    for table in NEWLY_VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
            batch.add_column(sa.Column("updated_at", sa.String(), nullable=False, server_default=""))
            batch.add_column(sa.Column("updated_by", sa.String(), nullable=False, server_default=""))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        autoincrement(bind)


def autoincrement(bind: sa.engine.Connection) -> None:
    """Rebuild each table whose ``id INTEGER`` primary key lacks AUTOINCREMENT (foreign keys
    are off during an upgrade: dropping the old table cascades nothing)."""
    tables = bind.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                  "AND name NOT LIKE 'sqlite_%' AND name <> 'alembic_version'").all()
    for name, sql in tables:
        if "AUTOINCREMENT" in sql.upper() or not re.search(r"\bPRIMARY KEY \(id\)", sql):
            continue
        new_sql, n = re.subn(r"^(CREATE TABLE )\"?" + re.escape(name) + r"\"? \(", r"\1_pmtui_rebuild (", sql)
        new_sql, m = re.subn(r"(\n\tid INTEGER NOT NULL)", r"\1 PRIMARY KEY AUTOINCREMENT", new_sql, count=1)
        new_sql, k = re.subn(r",\s*PRIMARY KEY \(id\)", "", new_sql, count=1)
        if (n, m, k) != (1, 1, 1):
            raise RuntimeError(f"schema 7: cannot rebuild table {name} (unexpected layout)")
        indexes = [s for (s,) in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (name,))]
        columns = ", ".join(f'"{r[1]}"' for r in bind.exec_driver_sql(f'PRAGMA table_info("{name}")'))
        bind.exec_driver_sql(new_sql)
        bind.exec_driver_sql(f'INSERT INTO _pmtui_rebuild ({columns}) SELECT {columns} FROM "{name}"')
        bind.exec_driver_sql(f'DROP TABLE "{name}"')
        bind.exec_driver_sql(f'ALTER TABLE _pmtui_rebuild RENAME TO "{name}"')
        for index in indexes:
            bind.exec_driver_sql(index)


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
