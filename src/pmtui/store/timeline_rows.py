"""A long timeline read a page at a time (no Textual, no SQLAlchemy at import).

The Timeline screen shows a review's events in a virtual table that asks only for the
rows on screen. A review of a few thousand events is read whole; one with 100,000
imported log lines is a :class:`LazyEvents`: its length is one count, each row comes
from a page of :attr:`PAGE` events read when first needed, and an event's position is
one index lookup, so opening it costs about what a 10-event review costs. A page is
read from a neighbouring page's edge or from the nearer end of the timeline, never by
skipping most of it, so End, Home and PageDown cost the same anywhere.

An edit changes a few rows: :func:`apply_changes` reads only those from the store and
puts them in place (in the list, or in the pages a LazyEvents has read), so a highlight,
a quick add or a mark on a 10,000-event timeline costs about what it costs on ten.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, overload

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
        found = self._cached_index(event_id)
        return found if found is not None else self.store.event_index(self.review_id, event_id, self.source)

    # ---------------------------------------------------------------- in place
    # The pages read so far are kept right through an edit: a changed row is replaced, an
    # added or removed one shifts the rows after it from page to page; a page the shift
    # reaches but that was never read (or a change whose place is unknown) is dropped and
    # read again when shown.
    def _cached_index(self, event_id: int) -> int | None:
        for n, page in self._pages.items():
            for k, row in enumerate(page):
                if row.id == event_id:
                    return n * self.PAGE + k
        return None

    def _drop_from(self, n: int) -> None:
        for k in [k for k in self._pages if k >= n]:
            del self._pages[k]

    def _replace(self, index: int, row: Any) -> None:
        page = self._pages.get(index // self.PAGE)
        if page is not None:
            page[index % self.PAGE] = row

    def _insert(self, index: int, row: Any) -> None:
        self.total += 1
        n, at = divmod(index, self.PAGE)
        while True:
            page = self._pages.get(n)
            if page is None:  # not read: every page after it is shifted by one
                self._drop_from(n + 1)
                return
            page.insert(at, row)
            if len(page) <= self.PAGE:
                return
            row, n, at = page.pop(), n + 1, 0

    def _remove(self, index: int) -> None:
        self.total -= 1
        n, at = divmod(index, self.PAGE)
        page = self._pages.get(n)
        if page is None:
            self._drop_from(n + 1)
            return
        del page[at]
        while True:
            want = min(self.PAGE, self.total - n * self.PAGE)
            if len(page) >= want:
                if want <= 0:
                    del self._pages[n]
                return
            after = self._pages.get(n + 1)
            if not after:  # the row that moves up was never read: read this page again when shown
                self._drop_from(n)
                return
            page.append(after.pop(0))
            n, page = n + 1, after

    def _forget(self) -> None:
        """Read everything again when shown (one count now)."""
        self._pages.clear()
        self.total = self.store.event_count(self.review_id, self.source)

    def _place(self, row: Any) -> int | None:
        """Where a row not on any page read goes, found in the pages read (one bisect, no
        query): inside a page, or between two pages read, or after the last event; None
        when it falls beside a page never read (the store then says where)."""
        import bisect

        key = _order(row)
        for n, page in self._pages.items():
            if not page:
                continue
            start, prev, after = n * self.PAGE, self._pages.get(n - 1), self._pages.get(n + 1)
            below = n == 0 or key > _order(page[0]) or bool(prev and key > _order(prev[-1]))
            above = (key < _order(page[-1]) or start + len(page) >= self.total
                     or bool(after and key < _order(after[0])))
            if below and above:
                return start + bisect.bisect(page, key, key=_order)
        return None

    def apply(self, fresh: dict[int, Any], ids: list[int], new: Collection[int] = ()) -> None:
        """These events changed (``fresh``: those still there, as stored now, already
        filtered to this source): put them in place. ``new``: ids the caller itself has
        just added (a quick add), never on a page: placed without counting the timeline."""
        key = _order
        ids = list(dict.fromkeys(ids))  # once each (a deleted event's id may come back on a new one)
        if len(ids) > MANY:
            self._forget()
            return
        where = {i: self._cached_index(i) for i in ids}
        unknown = [i for i in ids if where[i] is None]
        if any(i not in fresh and i not in new for i in unknown):  # removed from a page never read: place unknown
            self._forget()
            return
        moved = []
        for i in ids:
            old_at = where[i]
            if old_at is None:
                continue
            row = fresh.get(i)
            if row is not None and key(row) == key(self[old_at]):
                self._replace(old_at, row)  # same place (a highlight, a new text)
            else:
                moved.append(old_at)
        for old_at in sorted(moved, reverse=True):
            self._remove(old_at)
        adding = [r for i, r in fresh.items() if i in unknown or where[i] in moved]
        if (any(i not in new for i in unknown)
                and self.store.event_count(self.review_id, self.source) != self.total + len(adding)):
            self._forget()  # an event we never read changed: read again rather than guess
            return
        for row in sorted(adding, key=key):
            index = self._place(row)
            if index is None:
                index = self.store.event_index(self.review_id, row.id, self.source)
            if index is None:
                self._forget()
                return
            self._insert(index, row)

    def set_marks(self, marked: dict[int, tuple[str, ...]]) -> None:
        """Every read row shows the marks the store holds now (``marked``: event id -> marks)."""
        from dataclasses import replace

        for page in self._pages.values():
            for k, row in enumerate(page):
                now = marked.get(row.id, ())
                if row.marks != now:
                    page[k] = replace(row, marks=now)


MANY = 50  # more changed rows than this at once: the timeline is read again


def _order(row: Any) -> tuple[Any, ...]:
    """The store's order of a timeline: time, then the order of adding."""
    return (row.at, row.seq, row.id)


def timeline_rows(store: EventSource, review_id: int, source: str | None = None) -> Sequence[EventRow]:
    """The events the Timeline shows: a list when short, else a LazyEvents."""
    count = store.event_count(review_id, source)
    if count <= READ_WHOLE:
        rows = store.events(review_id)
        return rows if source is None else [r for r in rows if r.source == source]
    return LazyEvents(store, review_id, source, count)


def apply_changes(store: Any, review_id: int, rows: Sequence[Any], ids: list[int], marks: bool = False,
                  source: str | None = None, *, marked: Sequence[Any] | None = None,
                  new: Collection[int] = ()) -> tuple[Sequence[Any], list[Any]]:
    """The timeline after these events changed (added, edited or deleted; ``marks``: the
    marks moved too), reading only those rows (and the marked ones) from the store; the
    rows kept are the same objects. Returns (rows, every marked event).

    ``marked``: every marked event as the caller holds it: when the marks did not move,
    the new list is worked out from it and the changed rows (no read of the marks);
    ``new``: ids the caller has just added itself (see :meth:`LazyEvents.apply`)."""
    import bisect
    from dataclasses import replace

    found = {r.id: r for r in store.events_by_id(review_id, ids)} if ids else {}
    fresh = found if source is None else {i: r for i, r in found.items() if r.source == source}
    marked_now: dict[int, tuple[str, ...]] | None = None
    if marks:  # the marked events, read once: their marks are put on the rows shown
        marked = store.events_with_marks(review_id)
        marked_now = {r.id: r.marks for r in marked}
        fresh = {i: replace(r, marks=marked_now.get(i, ())) for i, r in fresh.items()}
    elif marked is not None:  # the marks stayed: only the changed rows change the list
        changed = set(ids)
        marked = sorted([r for r in marked if r.id not in changed] + [r for r in found.values() if r.marks],
                        key=_order)
    if isinstance(rows, LazyEvents):
        rows.apply(fresh, ids, new)
        if marked_now is not None:
            rows.set_marks(marked_now)
        return rows, store.events_with_marks(review_id) if marked is None else list(marked)
    gone = set(ids)
    out = [r for r in rows if r.id not in gone] if gone else list(rows)
    if marked_now is not None:
        out = [replace(r, marks=marked_now.get(r.id, ())) if r.marks != marked_now.get(r.id, ()) else r
               for r in out]  # only the rows whose marks moved are new (the table redraws only those)
    for r in sorted(fresh.values(), key=_order):
        out.insert(bisect.bisect(out, _order(r), key=_order), r)
    if source is None:
        return out, [r for r in out if r.marks]
    return out, store.events_with_marks(review_id) if marked is None else list(marked)
