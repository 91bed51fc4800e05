"""Report export speed (issue: wiki-ready Markdown report).

Goals, each beside its baseline in the same run:
- exporting a review with 10,000 timeline events takes at most twice as long, as a
  whole process, as exporting a 10-event review;
- `export --all` of 1,000 reviews takes seconds.

    python benchmarks/bench_report.py [--reviews 1000] [--events 10000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from _common import pmtui, review, run, table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=1000)
    ap.add_argument("--events", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, big = folder / "small.json", folder / "big.json"
        small.write_text(json.dumps(review(0, events=10)))
        big.write_text(json.dumps(review(1, events=args.events)))
        db = folder / "one.db"
        run(pmtui("--db", str(db), "import", str(small), str(big)), repeat=1)
        print(f"pmtui report export: 10 vs {args.events} events; export --all of {args.reviews} reviews")
        t_small = run(pmtui("--db", str(db), "export", "1", "--format", "md"), repeat=5)
        t_big = run(pmtui("--db", str(db), "export", "2", "--format", "md"), repeat=5)
        rows = [
            ("baseline: export md, 10 events", t_small, ""),
            (f"export md, {args.events} events", t_big, f"ratio {t_big / t_small:.2f} (goal <= 2.0)"),
            ("export json, 10 events", run(pmtui("--db", str(db), "export", "1"), repeat=5), ""),
            (f"export json, {args.events} events", run(pmtui("--db", str(db), "export", "2"), repeat=5), ""),
        ]
        files = []
        for i in range(args.reviews):
            path = folder / f"r{i}.json"
            path.write_text(json.dumps(review(i)))
            files.append(str(path))
        many = folder / "many.db"
        run(pmtui("--db", str(many), "import", *files), repeat=1)
        single = folder / "single.db"
        run(pmtui("--db", str(single), "import", str(small)), repeat=1)
        rows.append(("baseline: export --all, 1 review", run(pmtui("--db", str(single), "export", "--all", "--to", str(folder / "w1")), repeat=3), ""))
        rows.append((f"export --all, {args.reviews} reviews", run(pmtui("--db", str(many), "export", "--all", "--to", str(folder / "w")), repeat=1), "goal: seconds"))
        table(rows)


if __name__ == "__main__":
    main()
