"""Documents at the import limits stay fast (issue 9: import bounds).

Builds review documents that sit at the documented limits (docs/review-format.md,
"Limits") and times, as whole processes and beside the example review in the same run:
`import`, `check`, `export` (JSON) and `export --format md`; and the app opening on
the review's timeline in a pseudo-terminal.

- full-timeline: 10,000 events whose texts fill the file up to the 4 MiB limit;
- full-lists: every list at 1,000 items, up to 4 MiB;
- long-fields: every Markdown field at 50,000 characters, 10,000 short events.

    python benchmarks/bench_limits.py [--repeat 3] [--no-app]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import EXAMPLE, pmtui, table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from pmtui.domain import document as d

T0 = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
WORDS = "Queue depth [b]alert[/b] fires on checkout-api; retries climb ‮ while the cache warms. "


def text(n: int) -> str:
    return (WORDS * (n // len(WORDS) + 1))[:n]


def stamp(i: int) -> str:
    return (T0 + timedelta(seconds=7 * i)).isoformat().replace("+00:00", "Z")


def run(args: list[str], repeat: int = 3, ok: tuple[int, ...] = (0,)) -> float:
    """Best wall-clock time of a process (``check`` exits 1 when it has findings)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(args, stdout=subprocess.DEVNULL).returncode
        times.append(time.perf_counter() - start)
        if code not in ok:
            raise RuntimeError(f"{' '.join(args)} exited {code}")
    return min(times)


def full_timeline() -> dict:
    doc = dict(EXAMPLE, title="Full timeline", timezone="Europe/Berlin")
    size = (d.FILE_MAX_BYTES - 100_000) // d.EVENTS_MAX
    marks = ["impact_start", "detected", "response_start", "mitigated", "impact_end", "resolved"]
    doc["timeline"] = [
        {"at": stamp(i), "text": text(size - 160), "kind": "event", "source": "deploy log",
         "marks": [marks[i // 2000]] if i % 2000 == 0 else [], "highlight": i % 100 == 0}
        for i in range(d.EVENTS_MAX)
    ]
    return doc


def full_lists(item: int = 800) -> dict:
    n = d.ITEMS_MAX
    doc = dict(EXAMPLE, title="Full lists")
    doc.update(
        authors=[text(40) for _ in range(n)],
        participants=[{"name": text(30), "role": "responder"} for _ in range(n)],
        tags=[f"tag-{i}" for i in range(n)],
        links=[{"title": text(40), "url": f"https://example.org/{i}"} for i in range(n)],
        factors=[{"text": text(item), "category": "technical"} for _ in range(n)],
        observations=[{"kind": "went_well", "text": text(item)} for _ in range(n)],
        learnings=[text(item) for _ in range(n)],
        action_items=[{"title": text(80), "description": text(item), "owner": "platform team",
                       "due": "2026-04-01"} for _ in range(n)],
        related=[f"review-{i}" for i in range(n)],
        notes=[{"at": stamp(i), "text": text(item), "author": "note-taker"} for i in range(d.NOTES_MAX)],
    )
    doc["impact"] = dict(EXAMPLE["impact"], components=[{"name": f"svc-{i}", "status": "partial_outage"}
                                                        for i in range(n)])
    if len(json.dumps(doc, ensure_ascii=False).encode()) > d.FILE_MAX_BYTES - 4096:
        return full_lists(item - 20)
    return doc


def long_fields() -> dict:
    doc = dict(EXAMPLE, title="Long fields")
    for key in ("summary", "trigger", "detection", "resolution"):
        doc[key] = text(d.LONG_TEXT_MAX)
    doc["impact"] = dict(EXAMPLE["impact"], description=text(d.LONG_TEXT_MAX), data_loss=text(d.LONG_TEXT_MAX),
                         customer_communication=text(d.LONG_TEXT_MAX))
    doc["timeline"] = list(EXAMPLE["timeline"]) + [{"at": stamp(i), "text": text(150)} for i in range(d.EVENTS_MAX - 20)]
    return doc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-app", action="store_true")
    args = ap.parse_args()
    docs = {"example (baseline)": EXAMPLE, "full-timeline": full_timeline(), "full-lists": full_lists(),
            "long-fields": long_fields()}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = []
        for i, (name, doc) in enumerate(docs.items(), start=1):
            path = folder / f"{i}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False))
            size = path.stat().st_size
            assert size <= d.FILE_MAX_BYTES, (name, size)
            db = folder / f"{i}.db"
            t_import = run(pmtui("--db", str(db), "import", str(path)), repeat=1)
            rows.append((f"{name}: import ({size / 2**20:.1f} MiB)", t_import, ""))
            rows.append((f"{name}: check", run(pmtui("--db", str(db), "check", "1"), repeat=args.repeat, ok=(0, 1)), ""))
            rows.append((f"{name}: export json", run(pmtui("--db", str(db), "export", "1"), repeat=args.repeat), ""))
            rows.append((f"{name}: export md", run(pmtui("--db", str(db), "export", "1", "--format", "md"),
                                                   repeat=args.repeat), ""))
            if not args.no_app:
                from bench_app import wait_for

                try:
                    best = min(wait_for(pmtui("--db", str(db), "open", "1", "--screen", "timeline"), [b"TTD"])[0]
                               for _ in range(args.repeat))
                    rows.append((f"{name}: app opens on the timeline", best, ""))
                except RuntimeError:
                    rows.append((f"{name}: app opens on the timeline", 60.0, "NOT within 60 s"))
            table(rows[-5:])
        print("pmtui at the import limits (best of runs, whole processes)")
        table(rows)


if __name__ == "__main__":
    main()
