"""The Store class: one object built from the package's parts."""

from __future__ import annotations

from .documents import _Documents
from .editing import _Editing
from .opening import _Opening
from .presence import _Presence
from .signal import _Signal


class Store(_Opening, _Documents, _Editing, _Signal, _Presence):
    """Open with :meth:`Store.open`; every read and write of reviews goes through here."""
