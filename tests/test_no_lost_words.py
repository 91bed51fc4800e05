"""Nobody's words are lost, whatever the seats do and in whatever order (issue 20, the class
test): two or three seats, each with its own Store (as separate processes have), on SQLite
and on a real PostgreSQL server, do random edits, saves, deletes, undos, redos, conflict
choices (keep mine / take theirs, as the app writes them) and refreshes on one review's
factors and timeline, with fixed seeds so that a failure reproduces.

Undo and redo run the app's own steps (``PostmortemApp.push_added``, ``push_deleted``,
``push_item_edit``), so this catches a write path of the app that states no version, not
only the store's.

After every step an observer (a third connection) reads what the store holds, and every
text that step replaced or deleted must be one that the seat doing it had seen (in its
list, in a conflict box, or as what it had itself written), and so can bring back (its
undo, the deleted row's snapshot, the box's "theirs"). A text replaced by a seat that never
saw it is a lost word. An id handed out twice is one too (an undo by id would delete the
other seat's row).

The ``race`` step is real concurrency: while seat A's write transaction is open (at its
UPDATE or DELETE statement, i.e. after any read it made first), seat B saves the same row
from the same version on another connection in another thread. At most one of two writes
based on the same version may succeed: both succeeding means one seat's words are gone
(PostgreSQL under READ COMMITTED, with a delete that read the version and then deleted
by id: issue 20's lost factor).

The last test drives the conflict box itself (widgets/field.py) in two real apps: the steps
above choose in the box as the store sees it, so they could not find issue 20's stale box
(keep mine saving the draft captured when the box opened): put back, it is found at step 32
of seed 11, on both databases.
"""

from __future__ import annotations

import os
import random
import threading
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from pmtui.errors import Conflict, PmtuiError
from pmtui.store import Store

AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    return request.param


Key = tuple[str, int]  # ("factor" | "event", id)


def read_all(store: Store, rid: int) -> dict[Key, dict[str, Any]]:
    rows: dict[Key, dict[str, Any]] = {("factor", f["id"]): f for f in store.list_items("factor", rid)}
    for e in store.events(rid):
        rows[("event", e.id)] = {"id": e.id, "text": e.text, "version": e.version}
    return rows


class Seat:
    def __init__(self, name: str, url: str, rid: int) -> None:
        from pmtui.app import PostmortemApp

        self.name, self.rid = name, rid
        self.store = Store.open(url)
        self.store.actor = name
        self.app = PostmortemApp(self.store, watch_interval=None)
        self.app.notify = lambda *a, **k: None  # type: ignore[method-assign]  # no screen here
        self.view: dict[Key, dict[str, Any]] = {}
        self.seen: dict[Key, set[str]] = defaultdict(set)  # every text of a row this seat was shown
        self.left: dict[Key, set[str]] = defaultdict(set)  # texts this seat's own writes left in a row
        self.recover: set[str] = set()  # what this seat replaced by a choice, to bring back
        self.set_aside: set[str] = set()  # its own words it chose not to keep ("take theirs")

    def refresh(self) -> None:
        self.view = read_all(self.store, self.rid)
        for key, row in self.view.items():
            self.seen[key].add(row["text"])

    # the store calls the screens make, with the version this seat's list showed
    def write(self, key: Key, version: int, text: str) -> None:
        kind, row_id = key
        if kind == "factor":
            self.store.update_item("factor", row_id, expected_version=version, text=text)
        else:
            self.store.update_event(row_id, expected_version=version, text=text)

    def delete(self, key: Key, version: int) -> dict[str, Any]:
        kind, row_id = key
        if kind == "factor":
            return self.store.delete_item("factor", row_id, expected_version=version)
        return self.store.delete_event(row_id, expected_version=version)

    def close(self) -> None:
        self.store.close()


class World:
    """The seats, the observer and what each step is checked against."""

    def __init__(self, url: str, seats: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.observer = Store.open(url)
        self.rid, _ = self.observer.create_review("Cache stampede after a deploy")
        for i in range(3):
            self.observer.add_item("factor", self.rid, text=f"seed factor {i}", category="technical")
            self.observer.add_event(self.rid, at=AT + timedelta(minutes=i), text=f"seed event {i}")
        self.seats = [Seat(f"Seat {chr(65 + i)}", url, self.rid) for i in range(seats)]
        for s in self.seats:
            s.refresh()
        self.truth = read_all(self.observer, self.rid)
        self.ever: set[Key] = set(self.truth)  # every row id ever handed out
        self.count = 0
        self.lost: list[str] = []
        self.log: list[str] = []

    def text(self, seat: Seat) -> str:
        self.count += 1
        return f"{seat.name} words #{self.count}"

    # ------------------------------------------------------------ the check after each step
    def check(self, actor: Seat, step: str, allowed: dict[Key, set[str]], restoring: bool = False) -> None:
        """What the step changed, read by the observer: each text it replaced or deleted must be
        one the step was entitled to replace (``allowed``: what the seat's list or conflict box
        showed as current, or for an undo/redo what this seat itself left there)."""
        now = read_all(self.observer, self.rid)
        for key, row in self.truth.items():
            after = now.get(key)
            if after is not None and after["text"] == row["text"]:
                continue
            old = row["text"]
            if old not in allowed.get(key, set()):
                what = "deleted" if after is None else f"replaced by {after['text']!r}"
                self.lost.append(f"{step}: {old!r} ({key[0]} {key[1]}) {what} by {actor.name}, whose step was "
                                 f"not about it (it may replace only {sorted(allowed.get(key, set()))})")
            else:
                actor.recover.add(old)  # its undo, the deleted row's snapshot, or the conflict box's "theirs"
            if after is not None:
                actor.left[key].add(after["text"])
        for key in now.keys() - self.truth.keys():
            if key in self.ever and not restoring:
                self.lost.append(f"{step}: {key[0]} id {key[1]} was handed out a second time")
            self.ever.add(key)
            actor.left[key].add(now[key]["text"])
        self.truth = now

    # ------------------------------------------------------------ the steps
    def step(self, n: int) -> None:
        rng = self.rng
        seat = rng.choice(self.seats)
        op = rng.choices(["refresh", "edit", "add", "delete", "undo", "redo", "race"],
                         weights=[3, 5, 2, 2, 3, 2, 2])[0]
        name = f"step {n} {seat.name} {op}"
        self.log.append(name)
        restoring = False
        allowed: dict[Key, set[str]] = {}
        try:
            if op == "refresh":
                seat.refresh()
            elif op == "edit" and seat.view:
                key = rng.choice(sorted(seat.view))
                allowed = {key: {seat.view[key]["text"]}}
                self.edit(seat, key, allowed)
            elif op == "add":
                if rng.random() < 0.5:
                    new = seat.store.add_item("factor", self.rid, text=self.text(seat), category="technical")
                    key: Key = ("factor", new)
                else:
                    new = seat.store.add_event(self.rid, at=AT + timedelta(minutes=rng.randrange(30)),
                                               text=self.text(seat))
                    key = ("event", new)
                self.check(seat, name, {})
                seat.app.push_added("added", key[0] if key[0] == "event" else "factor", new, quiet=True)  # type: ignore[arg-type]
                seat.view[key] = dict(self.truth[key])
                return
            elif op == "delete" and seat.view:
                key = rng.choice(sorted(seat.view))
                allowed = {key: {seat.view[key]["text"]}}
                try:
                    snapshot = seat.delete(key, seat.view[key]["version"])
                except Conflict:
                    seat.refresh()
                else:
                    seat.app.push_deleted("deleted", key[0] if key[0] == "event" else "factor",  # type: ignore[arg-type]
                                          self.rid, snapshot)
                    seat.view.pop(key)
            elif op in ("undo", "redo"):  # may replace only what this seat itself left there
                allowed = {k: set(v) for k, v in seat.left.items()}
                restoring = self.replay(seat, op)
            elif op == "race" and len(self.seats) > 1 and seat.view:
                self.race(seat, rng.choice([s for s in self.seats if s is not seat]), name)
                return
        finally:
            if op != "race" and op != "add":
                self.check(seat, name, allowed, restoring)

    def edit(self, seat: Seat, key: Key, allowed: dict[Key, set[str]]) -> None:
        """Save new words with the version the seat's list showed; on a conflict, the seat
        chooses as the app offers: keep mine (written over theirs, which the box showed) or
        take theirs (its own words set aside)."""
        row = seat.view[key]
        mine = self.text(seat)
        before = dict(row)
        try:
            seat.write(key, row["version"], mine)
        except Conflict as c:
            if c.current is None:  # deleted meanwhile
                seat.set_aside.add(mine)
                seat.view.pop(key, None)
                return
            seat.seen[key].add(c.current["text"])  # the box shows theirs
            if self.rng.random() < 0.5:  # keep mine: written over theirs, which the box showed
                allowed[key].add(c.current["text"])
                try:
                    seat.write(key, c.current_version or 0, mine)
                except Conflict:
                    seat.set_aside.add(mine)
                    seat.refresh()
                    return
            else:  # take theirs
                seat.set_aside.add(mine)
                seat.refresh()
                return
        seat.seen[key].add(mine)
        if key[0] == "factor":
            seat.app.push_item_edit("edited", "factor", self.rid, key[1], before)  # type: ignore[arg-type]
        seat.refresh()

    def replay(self, seat: Seat, op: str) -> bool:
        """ctrl+z / ctrl+y as App._replay runs them (without the screen): a step another
        seat's change makes stale is a Conflict and is dropped."""
        source, target = ((seat.app.undo_stack, seat.app.redo_stack) if op == "undo"
                          else (seat.app.redo_stack, seat.app.undo_stack))
        if not source:
            return False
        entry = source.pop()
        step = entry[1] if op == "undo" else entry[2]
        assert step is not None
        try:
            step()
        except Conflict:
            return False
        except PmtuiError:
            source.append(entry)
            return False
        if entry[2] is not None:
            target.append(entry)
        return True  # may bring a deleted row back with its own id

    def race(self, a: Seat, b: Seat, name: str) -> None:
        """Seat A deletes or edits a row; while A's write transaction is open (at its UPDATE or
        DELETE), seat B saves the same row from the same version on its own connection."""
        from sqlalchemy import event

        key = self.rng.choice(sorted(a.view))
        a.refresh()
        b.refresh()
        if key not in a.view or key not in b.view:
            return
        version = a.view[key]["version"]
        theirs = self.text(b)
        deleting = self.rng.random() < 0.6
        outcome: dict[str, Any] = {}

        def b_saves() -> None:
            try:
                b.write(key, version, theirs)
                outcome["b"] = "saved"
            except Conflict:
                outcome["b"] = "conflict"
            except Exception as exc:  # pragma: no cover - reported below
                outcome["b"] = repr(exc)

        thread = threading.Thread(target=b_saves)
        fired = []

        def between(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            if fired or not statement.lstrip().upper().startswith(("UPDATE", "DELETE")):
                return
            if key[0] not in statement.split("WHERE")[0]:
                return
            fired.append(statement)
            thread.start()
            thread.join(timeout=3 if a.store.kind == "postgresql" else 0.3)  # SQLite: B waits for A's lock

        engine = a.store.engine
        event.listen(engine, "before_cursor_execute", between)
        try:
            try:
                if deleting:
                    snapshot = a.delete(key, version)
                    a.app.push_deleted("deleted", key[0] if key[0] == "event" else "factor",  # type: ignore[arg-type]
                                       self.rid, snapshot)
                else:
                    a.write(key, version, self.text(a))
                outcome["a"] = "done"
            except Conflict:
                outcome["a"] = "conflict"
        finally:
            event.remove(engine, "before_cursor_execute", between)
            if thread.is_alive() or not thread.ident:
                if not thread.ident:
                    thread.start()
                thread.join(timeout=30)
        self.log.append(f"{name}: A {'delete' if deleting else 'edit'} {outcome.get('a')}, B save {outcome.get('b')}")
        assert outcome.get("b") in ("saved", "conflict"), outcome
        if outcome["a"] == "done" and outcome["b"] == "saved":
            self.lost.append(f"{name}: {a.name}'s {'delete' if deleting else 'save'} and {b.name}'s save, both "
                             f"from version {version} of {key[0]} {key[1]}, both went through: one seat's words are lost")
        now = read_all(self.observer, self.rid)
        if outcome["b"] == "saved" and now.get(key, {}).get("text") != theirs and outcome["a"] == "done":
            pass  # reported above
        self.truth = now
        for k in now.keys() - self.ever:
            self.ever.add(k)
        a.refresh()
        b.refresh()

    def close(self) -> None:
        for s in self.seats:
            s.close()
        self.observer.close()


@pytest.mark.parametrize("seed,seats", [(20, 2), (2020, 3), (7, 3)])
def test_no_seat_loses_words_in_any_interleaving(db_url, seed, seats):
    world = World(db_url, seats, seed)
    try:
        for n in range(70):
            world.step(n)
            assert not world.lost, "\n".join([*world.lost, "", "steps:", *world.log[-12:]])
        # every text a seat saw confirmed is in the store, or was replaced by a seat that had seen it
        # (checked at each step above) and that seat can bring it back
        assert world.count > 20
    finally:
        world.close()


def test_a_delete_racing_a_save_never_deletes_the_new_words(db_url):
    """Issue 20's PostgreSQL race, four tries as in the issue: the facilitator's delete is at its
    write statement when the note-taker's save commits on another connection. The save wins and
    the delete is a Conflict, or (SQLite: one writer at a time) the delete wins and the save is a
    Conflict; never both."""
    world = World(db_url, 2, seed=4)
    a, b = world.seats
    try:
        for i in range(4):
            key = ("factor", a.store.add_item("factor", world.rid, text=f"factor {i}", category="technical"))
            a.refresh()
            world.rng = random.Random(1)  # 1: a delete
            world.rng.choice = lambda seq, key=key: key  # type: ignore[method-assign]
            world.race(a, b, "race")
            assert not world.lost, world.lost
            outcome = world.log[-1]
            if a.store.kind == "postgresql":
                assert "A delete conflict, B save saved" in outcome, outcome
                assert key in read_all(world.observer, world.rid)
                # the note-taker's words are there; the facilitator looks again and deletes
                a.refresh()
                a.delete(key, a.view[key]["version"])
            else:
                assert "A delete done, B save conflict" in outcome, outcome
    finally:
        world.close()


# ------------------------------------------------------------------ the conflict box, in the app
# The steps above write as the app's screens do, but a seat's conflict box is a widget
# (widgets/field.py): what it shows as "theirs", and what its choice saves, are the app's, not
# the store's. Here two real seats (two apps, each with its own Store) type in one Summary,
# save, take in each other's changes and choose in the box (keep mine, take theirs, keep both),
# in random order; after every step the store's text may only have been replaced by a seat
# that had been shown it (in its field or in its box), and at the end every word a seat typed
# is in the store, still in its field, put aside for it, or in a text another seat replaced
# after being shown it.
UI_STEPS = 60 if os.environ.get("CI") else 30


@pytest.mark.parametrize("seed", [11, 3])
async def test_no_words_lost_through_the_conflict_box_in_any_interleaving(store, demo, db_url, seed, monkeypatch):
    import asyncio
    import time
    from contextlib import AsyncExitStack

    from textual.widgets import TextArea

    from conftest import settle
    from pmtui.store import putaside
    from pmtui.widgets.field import Field
    from ui.test_seats import Seats, both, sync

    monkeypatch.setattr(Field, "CLOSE_AFTER", 0.2)
    rng = random.Random(seed)
    seats = Seats(db_url, demo)
    lost: list[str] = []
    log: list[str] = []
    try:
        async with AsyncExitStack() as stack:
            a, pa, b, pb = await both("overview", "overview", seats, stack)
            apps = {"A": (a, pa), "B": (b, pb)}
            fields = {k: app.screen.query_one("#field-summary", Field) for k, (app, _p) in apps.items()}
            for field in fields.values():
                field._autosave = lambda: None  # each save is a step of its own
                field.control.focus()
            truth = store.get_review(demo)["summary"]
            seen: dict[str, set[str]] = {k: {truth} for k in apps}
            typed: dict[str, list[str]] = {k: [] for k in apps}
            replaced_ok: set[str] = set()  # stored texts a seat replaced after being shown them
            count = 0

            def shown(k: str) -> None:
                field = fields[k]
                if field.conflict is not None:
                    seen[k].add(field.show(field.conflict_theirs))
                if not field.dirty:
                    seen[k].add(str(field.text))

            for n in range(UI_STEPS):
                k = rng.choice("AB")
                app, pilot = apps[k]
                field = fields[k]
                area = field.control
                assert isinstance(area, TextArea)
                if field.conflict is not None:  # a box open: mostly read it and choose, or type on
                    op = rng.choices(["type", "sync", "choose"], weights=[2, 1, 3])[0]
                elif field.dirty:
                    op = rng.choices(["type", "save", "sync"], weights=[2, 3, 1])[0]
                else:
                    op = rng.choices(["type", "sync"], weights=[4, 1])[0]
                log.append(f"step {n} {k} {op}")
                if op == "type":
                    count += 1
                    word = f"{k}{count}w"
                    typed[k].append(word)
                    area.insert(f" {word}", location=area.document.end)
                    await settle(app, pilot)
                elif op == "save":
                    field.confirm()
                    await settle(app, pilot)
                elif op == "sync":
                    await sync(app, pilot)
                    shown(k)
                else:
                    await asyncio.sleep(max(0.0, field._guard_until - time.monotonic()) + 0.05)
                    shown(k)  # the seat reads the box, then chooses
                    choice = rng.choice(["mine", "theirs", "both"])
                    log[-1] += f" {choice}"
                    {"mine": field.keep_mine, "theirs": field.take_theirs, "both": field.keep_both}[choice]()
                    await settle(app, pilot)
                now = store.get_review(demo)["summary"]
                if op == "choose" and now != truth and now != str(field.text):
                    # "Yours stays above; keep typing there": keep mine (or both) saves the field as it is
                    lost.append(f"step {n}: seat {k} chose {log[-1].rsplit(' ', 1)[1]} with {str(field.text)!r} in "
                                f"its field; the store got {now!r}")
                if now != truth:
                    if truth not in seen[k]:
                        lost.append(f"step {n}: seat {k} ({op}) replaced {truth!r}, which it had not been shown "
                                    f"(its field or box showed {sorted(seen[k])[-3:]})")
                    replaced_ok.add(truth)
                    truth = now
                    seen[k].add(now)
                assert not lost, "\n".join([*lost, "", *log[-12:]])
            # every word typed is somewhere the seat (or the one that replaced it, having seen it) finds it
            for k, (app, _pilot) in apps.items():
                aside = " ".join(p.text for p in putaside.waiting(app._place_key(demo), app.author))
                for word in typed[k]:
                    places = [truth, str(fields[k].text), aside, *replaced_ok]
                    assert any(word in place for place in places), (
                        f"seat {k}'s word {word!r} is nowhere: not in the store, its field, put aside, "
                        f"nor in a text replaced by a seat that saw it\n" + "\n".join(log[-15:]))
    finally:
        seats.close()
