"""Schema 2, the baseline: the tables of the release before Alembic (reviews, their
lists, event marks, notes, note links and the meeting state).

Stores made before Alembic have no ``alembic_version`` table; for them this revision
creates only what is missing (a schema-1 store lacks ``meeting`` and ``note_link``), so
that every store of that release reaches the same baseline with every row kept.
The tables are spelled out here, frozen: later changes go in later revisions.
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = None
branch_labels = None
depends_on = None

S, I, B, F = sa.String, sa.Integer, sa.Boolean, sa.Float


def _review_fk() -> sa.Column[int]:
    return sa.Column("review_id", I, sa.ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True)


def _cols(*spec: str) -> list[sa.Column[Any]]:
    """'name:type' (type S, I, B or F; a trailing ? makes it nullable)."""
    types = {"S": S, "I": I, "B": B, "F": F}
    out: list[sa.Column[Any]] = []
    for item in spec:
        name, kind = item.split(":")
        out.append(sa.Column(name, types[kind.rstrip("?")](), nullable=kind.endswith("?")))
    return out


def _id() -> sa.Column[int]:
    return sa.Column("id", I, primary_key=True)


# table name -> its columns and constraints (made anew for each use)
TABLES: dict[str, Callable[[], list[sa.schema.SchemaItem]]] = {
    "meta": lambda: [sa.Column("key", S, primary_key=True), sa.Column("value", S, nullable=False)],
    "review": lambda: [
        _id(), sa.Column("slug", S, nullable=False, unique=False),
        *_cols("title:S", "status:S", "severity:S?", "incident_ref:S?", "timezone:S", "review_date:S?", "summary:S",
               "trigger:S", "detection:S", "resolution:S", "impact_description:S", "users_affected:I?", "data_loss:S",
               "support_tickets:I?", "slo_budget_spent_pct:F?", "customer_communication:S", "created_at:S",
               "updated_at:S"),
    ],
    "author": lambda: [_id(), _review_fk(), *_cols("position:I", "name:S")],
    "participant": lambda: [_id(), _review_fk(), *_cols("position:I", "name:S", "role:S", "attended:B")],
    "link": lambda: [_id(), _review_fk(), *_cols("position:I", "title:S", "url:S")],
    "tag": lambda: [_id(), _review_fk(), *_cols("name:S"), sa.UniqueConstraint("review_id", "name")],
    "event": lambda: [
        _id(), _review_fk(), sa.Column("at_utc", S, nullable=False, index=True),
        *_cols("offset_min:I", "seq:I", "text:S", "kind:S", "source:S", "approximate:B", "highlight:B"),
    ],
    "component": lambda: [_id(), _review_fk(), *_cols("position:I", "name:S", "status:S")],
    "factor": lambda: [_id(), _review_fk(), *_cols("position:I", "text:S", "category:S")],
    "observation": lambda: [_id(), _review_fk(), *_cols("position:I", "kind:S", "text:S")],
    "learning": lambda: [_id(), _review_fk(), *_cols("position:I", "text:S")],
    "action_item": lambda: [
        _id(), _review_fk(),
        *_cols("position:I", "title:S", "description:S", "type:S", "owner:S", "priority:S", "due:S?"),
        sa.Column("status", S, nullable=False, index=True), *_cols("status_note:S", "tracker:S"),
    ],
    "note": lambda: [_id(), _review_fk(), *_cols("position:I", "at_utc:S", "offset_min:I", "stage:S", "kind:S",
                                                 "text:S", "author:S")],
    "related": lambda: [_id(), _review_fk(), *_cols("position:I", "ref:S")],
    "meeting": lambda: [sa.Column("review_id", I, sa.ForeignKey("review.id", ondelete="CASCADE"), primary_key=True),
                        sa.Column("state", S, nullable=False)],
    "event_mark": lambda: [
        _id(), _review_fk(),
        sa.Column("event_id", I, sa.ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True),
        *_cols("mark:S", "position:I"), sa.UniqueConstraint("review_id", "mark"),
    ],
    "note_link": lambda: [
        _id(), _review_fk(),
        sa.Column("note_id", I, sa.ForeignKey("note.id", ondelete="CASCADE"), nullable=False, index=True),
        *_cols("target_kind:S", "target_id:I"),
    ],
}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in TABLES.items():
        if name in existing:
            continue
        op.create_table(name, *columns())
        if name == "review":
            op.create_index("ix_review_slug", "review", ["slug"], unique=True)


def downgrade() -> None:
    raise NotImplementedError("pmtui does not downgrade a store; restore the copy made before the upgrade")
