"""SQLModel tables: what the store keeps. One row per review and one table per list
in the ``pmtui-review/1`` format. Lists keep their order with a ``position``
column; timeline events are ordered by time, ties by ``seq`` (insertion order).

Timestamps are kept as the UTC instant (sortable ISO text, micro-seconds) plus the
UTC offset in minutes that the evidence was written with, so that an exported
document writes them back exactly as they came in.
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

SCHEMA_VERSION = 2  # 2: meeting state and note links
APPLICATION_ID = 0x706D7475  # "pmtu": marks an SQLite file as a pmtui store


def _review_fk() -> Column:
    return Column(Integer, ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True)


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class Review(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)
    title: str
    status: str = "draft"
    severity: Optional[str] = None
    incident_ref: Optional[str] = None
    timezone: str = "UTC"
    review_date: Optional[str] = None
    summary: str = ""
    trigger: str = ""
    detection: str = ""
    resolution: str = ""
    impact_description: str = ""
    users_affected: Optional[int] = None
    data_loss: str = ""
    support_tickets: Optional[int] = None
    slo_budget_spent_pct: Optional[float] = None
    customer_communication: str = ""
    created_at: str = ""
    updated_at: str = ""


class Author(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    name: str


class Participant(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    name: str
    role: str = ""
    attended: bool = True


class Link(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    title: str
    url: str


class Tag(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("review_id", "name"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    name: str


class Event(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    at_utc: str = Field(index=True)
    offset_min: int = 0
    seq: int = 0
    text: str
    kind: str = "event"
    source: str = ""
    approximate: bool = False
    highlight: bool = False


class EventMark(SQLModel, table=True):
    """A key moment; the unique constraint keeps each mark on one event per review."""

    __tablename__ = "event_mark"
    __table_args__ = (UniqueConstraint("review_id", "mark"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    mark: str
    position: int = 0


class Component(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    name: str
    status: str


class Factor(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    text: str
    category: str


class Observation(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    kind: str
    text: str


class Learning(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    text: str


class ActionItem(SQLModel, table=True):
    __tablename__ = "action_item"
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    title: str
    description: str = ""
    type: str = "other"
    owner: str = ""
    priority: str = "medium"
    due: Optional[str] = None
    status: str = Field(default="open", index=True)
    status_note: str = ""
    tracker: str = ""


class Note(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    at_utc: str
    offset_min: int = 0
    stage: str = "context"
    kind: str = "note"
    text: str
    author: str = ""


class Related(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    position: int = 0
    ref: str


class NoteLink(SQLModel, table=True):
    """What a note became (a timeline event, a factor, an observation, an action item)."""

    __tablename__ = "note_link"
    id: Optional[int] = Field(default=None, primary_key=True)
    review_id: int = Field(sa_column=_review_fk())
    note_id: int = Field(
        sa_column=Column(Integer, ForeignKey("note.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    target_kind: str
    target_id: int


class MeetingState(SQLModel, table=True):
    """The running meeting of a review: agenda, current stage, its clock (JSON)."""

    __tablename__ = "meeting"
    review_id: int = Field(
        sa_column=Column(Integer, ForeignKey("review.id", ondelete="CASCADE"), primary_key=True)
    )
    state: str
