"""The review store: the one place that talks to the database.

SQLite (a file, the default) or PostgreSQL (a shared server), through one SQLAlchemy
engine; SQLModel declares the tables (:mod:`pmtui.store.models`). The parts:

- ``location``  where the store is (path or URL; the password never shown)
- ``opening``   opening, checks, connections, transactions
- ``sqlite`` / ``postgres``  what only one database needs (PRAGMAs, NOTIFY, locks)
- ``schema`` and ``migrations/``  laying out, upgrading (Alembic) and refusing newer stores
- ``documents`` whole reviews in and out
- ``editing``   one confirmed edit at a time, one part per concern: ``versions`` (reads and
  compare-and-set shared by every row, on ``rows``), ``review_edits``, ``list_edits``,
  ``timeline_edits`` (events, marks, evidence), ``meeting_state``, ``note_links``; ``fields``
  says what each field and list is (read from the document model and the tables)
- ``signal``    changes made elsewhere; ``transfer`` copy and backup

Importing this package imports neither SQLAlchemy nor a driver. No Textual imports here.
"""

from __future__ import annotations

from pmtui.errors import Conflict

from .fields import LIST_KINDS, REVIEW_FIELDS
from .location import ENV_VAR, Location, default_path, parse, resolve, resolve_path
from .schema import SCHEMA_VERSION
from .sqlite import APPLICATION_ID, SQLITE_HEADER
from .store import Store
from .values import EventRow, ReviewSummary, from_utc_text, now_utc_text, slugify, to_utc_text

__all__ = [
    "APPLICATION_ID", "Conflict", "ENV_VAR", "EventRow", "LIST_KINDS", "Location", "REVIEW_FIELDS", "ReviewSummary",
    "SCHEMA_VERSION", "SQLITE_HEADER", "Store", "default_path", "from_utc_text", "now_utc_text", "parse", "resolve",
    "resolve_path", "slugify", "to_utc_text",
]
