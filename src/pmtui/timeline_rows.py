"""A long timeline read a page at a time (no Textual, no SQLAlchemy at import).

The Timeline screen shows a review's events in a virtual table that asks only for the
rows on screen. A review of a few thousand events is read whole; one with 100,000
imported log lines is a :class:`LazyEvents`: its length is one count, each row comes
from a page of :attr:`PAGE` events read when first needed, and an event's position is
one index lookup, so opening it costs about what a 10-event review costs. A page is
read from a neighbouring page's edge or from the nearer end of the timeline, never by
skipping most of it, so End, Home and PageDown cost the same anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, overload

if TYPE_CHECKING:
    from pmtui.store.values import EventRow

# reviews up to this many events (of the source shown) are read whole
READ_WHOLE = 5_000


class EventSource(Protocol):
    """What the timeline reads from the store (pmtui.store.Store has these)."""

    def event_count(self, review_id: int, source: str | None = None) -> int: ...
    def events(self, review_id: int) -> list[EventRow]: ...
    def event_page(self, review_id: int, offset: int, limit: int, source: str | None = None, *,
                   total: int | None = None, after: EventRow | None = None,
                   before: EventRow | None = None) -> list[EventRow]: ...
    def event_index(self, review_id: int, event_id: int, source: str | None = None) -> int | None: ...


class LazyEvents(Sequence["EventRow"]):
    PAGE = 500

    def __init__(self, store: EventSource, review_id: int, source: str | None = None,
                 count: int | None = None) -> None:
        self.store, self.review_id, self.source = store, review_id, source
        # ``total``, not ``count``: Sequence.count(value) is a method
        self.total = store.event_count(review_id, source) if count is None else count
        self._pages: dict[int, list[EventRow]] = {}

    def __len__(self) -> int:
        return self.total

    def _page(self, n: int) -> list[EventRow]:
        page = self._pages.get(n)
        if page is None:
            page = self._pages[n] = self._read(n)
        return page

    def _read(self, n: int) -> list[EventRow]:
        """Page ``n`` the cheapest way: next to a page already read (PageDown, PageUp,
        the arrows) it starts from that page's edge event; else the store counts from
        the nearer end (End reads the last page as cheaply as Home the first)."""
        offset, size = n * self.PAGE, min(self.PAGE, self.total - n * self.PAGE)
        before, after = self._pages.get(n - 1), self._pages.get(n + 1)
        if before:
            page = self.store.event_page(self.review_id, offset, size, self.source, after=before[-1])
        elif after:
            page = self.store.event_page(self.review_id, offset, size, self.source, before=after[0])
        else:
            page = self.store.event_page(self.review_id, offset, size, self.source, total=self.total)
        if len(page) != size:  # the timeline changed under us: read it by position (the screen reloads)
            page = self.store.event_page(self.review_id, offset, self.PAGE, self.source)
        return page

    @overload
    def __getitem__(self, i: int) -> EventRow: ...
    @overload
    def __getitem__(self, i: slice) -> list[EventRow]: ...

    def __getitem__(self, i: int | slice) -> EventRow | list[EventRow]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self.total))]
        if i < 0:
            i += self.total
        if not 0 <= i < self.total:
            raise IndexError(i)
        page = self._page(i // self.PAGE)
        return page[i % self.PAGE]

    def __iter__(self) -> Iterator[EventRow]:
        for n in range((self.total + self.PAGE - 1) // self.PAGE):
            yield from self._page(n)

    def index_of(self, event_id: int) -> int | None:
        return self.store.event_index(self.review_id, event_id, self.source)


def timeline_rows(store: EventSource, review_id: int, source: str | None = None) -> Sequence[EventRow]:
    """The events the Timeline shows: a list when short, else a LazyEvents."""
    count = store.event_count(review_id, source)
    if count <= READ_WHOLE:
        rows = store.events(review_id)
        return rows if source is None else [r for r in rows if r.source == source]
    return LazyEvents(store, review_id, source, count)
