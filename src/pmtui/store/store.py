"""The Store class: one object built from the package's parts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .documents import _Documents
from .editing import _Editing
from .first_reads import _FirstReads
from .opening import _Opening
from .presence import _Presence
from .signal import _Signal
from .sources import _Sources

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.patterns import ReviewFacts


class Store(_FirstReads, _Opening, _Documents, _Editing, _Signal, _Presence, _Sources):
    """Open with :meth:`Store.open`; every read and write of reviews goes through here."""

    # store.followup.cached_review_facts: (change token, facts) of the last read
    _facts_cache: tuple[tuple[Any, ...], list[ReviewFacts]] | None = None

    def review_facts(self) -> list[ReviewFacts]:
        """What the follow-up pages and the Patterns view need of every review (see :mod:`pmtui.store.followup`)."""
        from .followup import review_facts

        return review_facts(self)
