"""Follow-through across reviews at scale: 10,000 reviews, 50,000 action items.

Goals (issue 14):
- ``pmtui patterns`` within 2 s (shown beside ``pmtui list``, which reads the same
  reviews, as the baseline of the same run);
- the Follow-ups view's first screen within 1.5x the home screen's: the home screen's
  list from launch, beside the Follow-ups table from pressing F6 on it, in a
  pseudo-terminal; F6 is pressed once 3 s after the list shows (a person reading the
  list; the database layer has loaded in the background by then) and once at once
  (the home screen is still adding its other rows and loading the database layer);
- filtering as you type stays instant: one keystroke's filter over all 50,000 items.

The store is filled in one call to ``Store.import_documents``.

    python benchmarks/bench_followup.py [--reviews 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import select
import signal
import struct
import sys
import tempfile
import termios
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _common import pmtui

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

COMPONENTS = [f"{name}-{kind}" for name in ("checkout", "search", "orders", "payments", "auth", "catalog", "cart",
                                             "billing") for kind in ("db", "cache", "api", "queue", "worker")]
TEMPLATES = [
    ("Config change to {c} was not treated as a deploy", "process"),
    ("Configuration changes to {c} skip the canary stage", "process"),
    ("No alert on {c} saturation", "tooling"),
    ("Alert thresholds for {c} were too high", "tooling"),
    ("The {c} runbook was out of date", "process"),
    ("{c} had no capacity headroom for peak traffic", "technical"),
    ("Retries against {c} amplified the load", "technical"),
    ("Status page updates about {c} lagged the incident", "communication"),
    ("Ownership of {c} was unclear between two teams", "organizational"),
    ("A dependency of {c} changed its limits without notice", "external"),
]
OWNERS = ["Payments team", "Platform team", "Search team", "SRE", "Release engineering", "Data team", ""]


def distinct_wordings(n: int, seed: int = 3) -> list[str]:
    """``n`` factor wordings that are all different (random words from a 5,000-word vocabulary)."""
    rnd = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocab = ["".join(rnd.choice(letters) for _ in range(rnd.randint(3, 10))) for _ in range(5000)]
    return [" ".join(rnd.choice(vocab) for _ in range(rnd.randint(5, 12))) for _ in range(n)]


def reworded(text: str, rnd: random.Random) -> str:
    """A rewording as people make them: a plural, a typo, a word dropped or added."""
    words = text.split()
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(words))
        op = rnd.random()
        if op < 0.3:
            words[i] += "s"
        elif op < 0.6 and len(words[i]) > 3:
            k = rnd.randrange(len(words[i]))
            words[i] = words[i][:k] + rnd.choice("abcdefghijklmnopqrstuvwxyz") + words[i][k + 1:]
        elif op < 0.8 and len(words) > 4:
            words.pop(i)
        else:
            words.insert(i, rnd.choice(["the", "a", "of", "to"]))
    return " ".join(words)


def make_docs(n: int, actions_per_review: int = 5, distinct: bool = False) -> list[dict]:
    rnd = random.Random(14)
    own = iter(distinct_wordings(3 * n, seed=5)) if distinct else None
    docs = []
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for i in range(n):
        at = start + timedelta(hours=rnd.randrange(0, 4 * 365 * 24))
        comps = rnd.sample(COMPONENTS, 2)
        ttd, ttm, dur = rnd.randrange(1, 90), rnd.randrange(5, 240), rnd.randrange(10, 600)
        docs.append({
            "format": "pmtui-review/1",
            "title": f"{comps[0]} incident {i}",
            "severity": rnd.choice(["SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3"]),
            "tags": rnd.sample(["cache", "db", "deploy", "config", "network", "capacity"], 2),
            "timeline": [
                {"at": at.isoformat(), "text": "impact starts", "marks": ["impact_start"]},
                {"at": (at + timedelta(minutes=ttd)).isoformat(), "text": "alert", "marks": ["detected"]},
                {"at": (at + timedelta(minutes=max(ttd, ttm))).isoformat(), "text": "rolled back",
                 "marks": ["mitigated"]},
                {"at": (at + timedelta(minutes=max(ttd, ttm, dur))).isoformat(), "text": "recovered",
                 "marks": ["impact_end"]},
            ],
            "impact": {"components": [{"name": c, "status": "partial_outage"} for c in comps]},
            "factors": [{"text": next(own) if own else t.format(c=rnd.choice(comps)), "category": cat}
                        for t, cat in rnd.sample(TEMPLATES, 3)],
            "action_items": [
                {"title": f"Follow-up {k} for {rnd.choice(comps)} after incident {i}",
                 "owner": rnd.choice(OWNERS), "priority": rnd.choice(["high", "medium", "low"]),
                 "status": rnd.choice(["open", "open", "in_progress", "done", "done", "wont_do"]),
                 "status_note": "superseded", "type": rnd.choice(["prevent", "detect", "mitigate", "process"]),
                 "due": (at.date() + timedelta(days=rnd.randrange(7, 120))).isoformat()}
                for k in range(actions_per_review)
            ],
        })
    return docs


def timed(args: list[str], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU (user + system) seconds of a process over ``repeat``
    runs: on a busy machine the CPU time says what the command itself costs."""
    import resource
    import subprocess

    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def home_then_key(args: list[str], marker: bytes, key: bytes, key_marker: bytes, pause: float,
                  size: tuple[int, int] = (100, 30)) -> tuple[float, float]:
    """In a pseudo-terminal: seconds from launch until ``marker`` shows; then, ``pause``
    seconds later, seconds from sending ``key`` until ``key_marker`` shows."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.environ.update({"TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1])})
        os.execvp(args[0], args)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))

    def read_until(wanted: bytes | None, until: float) -> bool:
        seen = b""
        while time.perf_counter() < until:
            ready, _, _ = select.select([fd], [], [], 0.02)
            if ready:
                try:
                    seen += os.read(fd, 65536)
                except OSError:
                    return False
                if wanted is not None and wanted in seen:
                    return True
        return wanted is None

    try:
        start = time.perf_counter()
        if not read_until(marker, start + 60):
            raise RuntimeError(f"never saw {marker!r}")
        first = time.perf_counter() - start
        read_until(None, time.perf_counter() + pause)  # keep draining the output
        sent = time.perf_counter()
        os.write(fd, key)
        if not read_until(key_marker, sent + 60):
            raise RuntimeError(f"never saw {key_marker!r}")
        return first, time.perf_counter() - sent
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--patterns-only", action="store_true", help="skip the app and filter measurements")
    ap.add_argument("--store", metavar="PATH", help="keep the generated store here and reuse it next time")
    args = ap.parse_args()

    from pmtui.domain.document import validate_document
    from pmtui.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.store) if args.store else Path(tmp) / "many.db"
        if db.exists():
            store = Store.open(db)
            print(f"store: {db} (reused)")
        else:
            t0 = time.perf_counter()
            docs = [validate_document(d) for d in make_docs(args.reviews)]
            store = Store.open(db)
            store.import_documents(docs)  # one call, one transaction
            fill = time.perf_counter() - t0
            n_actions = sum(len(d.action_items) for d in docs)
            print(f"store: {args.reviews:,} reviews, {n_actions:,} action items (filled in {fill:.1f} s)")

        print(f"commands (best of {args.repeat}; wall clock, and CPU time of the process; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        for name, cmd, goal in (
            ("baseline: pmtui list --format json", ("list", "--format", "json"), ""),
            ("baseline: pmtui --version", ("--version",), ""),
            ("pmtui patterns", ("patterns",), "(goal <= 2000 ms)"),
            ("pmtui patterns --format json", ("patterns", "--format", "json"), ""),
            ("pmtui actions --format csv (open items)", ("actions", "--format", "csv"), ""),
        ):
            wall, cpu = timed(pmtui("--db", str(db), *cmd), args.repeat)
            print(f"  {name:<42} {wall * 1000:7.0f} ms  cpu {cpu * 1000:6.0f} ms  {goal}")

        distinct_db = Path(tmp) / "distinct.db"
        t0 = time.perf_counter()
        other = Store.open(distinct_db)
        other.import_documents([validate_document(d) for d in make_docs(args.reviews, distinct=True)])
        other.close()
        print(f"a second store of {args.reviews:,} reviews whose {3 * args.reviews:,} factors are all worded "
              f"differently (filled in {time.perf_counter() - t0:.1f} s)")
        for name, cmd, goal in (
            ("baseline: pmtui list --format json", ("list", "--format", "json"), ""),
            ("pmtui patterns (every factor distinct)", ("patterns",), "(goal <= 2000 ms)"),
        ):
            wall, cpu = timed(pmtui("--db", str(distinct_db), *cmd), args.repeat)
            print(f"  {name:<42} {wall * 1000:7.0f} ms  cpu {cpu * 1000:6.0f} ms  {goal}")
        f6 = b"\x1b[17~"
        if not args.patterns_only:
            print(f"app in a pseudo-terminal, 100x30 (best of {args.repeat})")
        for pause, when in () if args.patterns_only else ((3.0, "F6 3 s after the list shows"),
                                                          (0.0, "F6 as soon as the list shows")):
            runs = [home_then_key(pmtui("--db", str(db)), b"Overdue", f6, b"items in all", pause)
                    for _ in range(args.repeat)]
            t_home, t_follow = min(r[0] for r in runs), min(r[1] for r in runs)
            print(f"  baseline: home list shown, from launch      {t_home * 1000:7.0f} ms")
            print(f"  Follow-ups first screen, {when}: {t_follow * 1000:7.0f} ms  "
                  f"ratio {t_follow / t_home:.2f} (goal <= 1.5)")

        from pmtui.domain import tracker
        from pmtui.store.followup import action_rows

        rows = action_rows(store)
        hay = {r.id: r.haystack() for r in rows}
        today = date.today()
        times = []
        for query in ("c", "ch", "che", "check", "checkout-db", "owner:sre", "status:open prio:high", "tag:cache 12"):
            t0 = time.perf_counter()
            flt = tracker.parse_query(query)
            [r for r in rows if flt.keeps(r, today, hay[r.id])]
            times.append(time.perf_counter() - t0)
        print(f"filter as you type over {len(rows):,} items: worst keystroke {max(times) * 1000:.0f} ms, "
              f"median {sorted(times)[len(times) // 2] * 1000:.0f} ms (the table then shows the first 500)")
        from pmtui.domain.patterns import related_suggestions
        from pmtui.store.followup import cached_review_facts

        loads = []
        for _ in range(3):  # the Analysis section opened three times without a change in between
            t0 = time.perf_counter()
            facts = cached_review_facts(store)
            related_suggestions(facts[-1], facts)
            loads.append(time.perf_counter() - t0)
        print(f"related reviews for one review among {len(facts):,}: first load {loads[0] * 1000:.0f} ms, "
              f"again with the store unchanged {min(loads[1:]) * 1000:.0f} ms (the change token's query)")

        from pmtui.domain.patterns import _blocked_pairs, similar_groups

        wordings = distinct_wordings(28_000)
        rnd = random.Random(4)
        hidden = [(k, 28_000 + n) for n, k in enumerate(range(0, 4000, 2))]  # 2,000 reworded pairs among them
        wordings += [reworded(wordings[k], rnd) for k, _ in hidden]
        t0 = time.perf_counter()
        similar_groups([(w, i) for i, w in enumerate(wordings)])
        took = time.perf_counter() - t0
        from rapidfuzz import fuzz

        ordered = [" ".join(sorted(w.split())) for w in wordings]
        similar = {(a, b) for a, b in hidden if fuzz.ratio(ordered[a], ordered[b]) >= 80}
        found = {tuple(sorted(p)) for p in _blocked_pairs(ordered, 80)}
        print(f"recurring factors when all 30,000 factors are worded differently (the generated store has "
              f"~400 wordings): {took * 1000:.0f} ms in-process; of the {len(similar):,} hidden rewordings "
              f"that comparing every pair groups, {len(similar & found):,} were grouped")
        store.close()


if __name__ == "__main__":
    main()
