"""Store and command-line speed (issue: foundation).

Goals: `pmtui --version` / `--help` cost no more than importing the package (they do not
import SQLAlchemy); importing 1,000 review files in one call, and listing them, each take
a few seconds. Each goal is printed beside its baseline, measured in the same run.

    python benchmarks/bench_store.py [--reviews 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from _common import pmtui, review, run, table


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reviews", type=int, default=1000)
    n = ap.parse_args().reviews
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = []
        for i in range(n):
            path = folder / f"r{i:04d}.json"
            path.write_text(json.dumps(review(i)))
            files.append(str(path))
        db = folder / "store.db"
        one = folder / "one.db"

        print(f"pmtui benchmarks: start-up, import and list with {n} reviews")
        bare = run([sys.executable, "-c", "import pmtui"])
        sa = run([sys.executable, "-c", "import sqlmodel"])
        rows = [
            ("baseline: python -c 'import pmtui'", bare, ""),
            ("baseline: python -c 'import sqlmodel'", sa, "what --help must not pay"),
            ("pmtui --version", run(pmtui("--version")), ""),
            ("pmtui --help", run(pmtui("--help")), ""),
        ]
        rows.append(("baseline: import 1 file", run(pmtui("--db", str(one), "import", files[0]), repeat=1), ""))
        rows.append((f"pmtui import {n} files (one call)", run(pmtui("--db", str(db), "import", *files), repeat=1), "goal: a few seconds"))
        rows.append(("baseline: list a 1-review store", run(pmtui("--db", str(one), "list")), ""))
        rows.append((f"pmtui list ({n} reviews)", run(pmtui("--db", str(db), "list")), "goal: a few seconds"))
        rows.append((f"pmtui list --format json ({n})", run(pmtui("--db", str(db), "list", "--format", "json")), ""))
        table(rows)


if __name__ == "__main__":
    main()
