"""Editing: what the app changes, one confirmed edit at a time.

Every value is checked with the document's own rules before anything is written.
Editable rows (review, event, factor, observation, learning, action item, note,
participant) carry a ``version`` that each update increments, with who made it and
when; an update or delete given ``expected_version`` (the version the caller read)
raises :class:`~pmtui.errors.Conflict` when the row has changed since. Callers that
pass no version keep today's last-write-wins behaviour.
"""

from __future__ import annotations

from .list_edits import _ListEdits
from .meeting_state import _MeetingState
from .note_links import _NoteLinks
from .review_edits import _ReviewEdits
from .timeline_edits import _TimelineEdits


class _Editing(_ReviewEdits, _ListEdits, _TimelineEdits, _MeetingState, _NoteLinks):
    """Reads for the UI and one-edit-at-a-time writes (see Store), one part per concern:
    versions.py (what every row shares), review_edits, list_edits, timeline_edits,
    meeting_state, note_links; fields.py holds what each field and list is."""
