"""The change signal: has someone else changed the store since we last looked?

SQLite: ``PRAGMA data_version`` (cheap to poll; it says only *that* something changed),
then what changed from ``change_log``, which each write transaction fills.
PostgreSQL: every write transaction sends one ``NOTIFY pmtui_changes`` at commit with
what it changed (``{"kind": "factor", "review": 3, "id": 17}`` per row), so that a
second seat can refresh only what moved. Our own writes never count.
"""

from __future__ import annotations

from typing import Any


class _Signal:
    """Polling for other processes' changes (see Store)."""

    backend: Any
    _origin: str

    def changes_elsewhere(self) -> list[dict[str, Any]]:
        """What others committed since the last call: one entry per changed row, with
        ``kind``, ``review`` and ``id`` (SQLite reads them from ``change_log``; a commit
        that wrote none there, such as a presence heartbeat, is not reported).
        The first call starts watching and returns []."""
        if self.backend.kind == "postgresql":
            self.engine  # type: ignore[attr-defined]
        found = self.backend.poll(self._origin)
        return found or []

    def changed_elsewhere(self) -> bool:
        """True when another process committed to the store since we last looked
        (our own writes do not count). Cheap enough to poll every second or two."""
        return bool(self.changes_elsewhere())
