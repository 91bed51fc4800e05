"""Look at a snapshot (or a `save_screenshot` SVG) as a PNG, as it would show in a terminal.

    python tests/ui/snapshot_png.py "tests/ui/__snapshots__/test_snapshots/test_search[size0].svg" [OUT.png]

Textual writes each run of text as an SVG ``<text>`` whose blanks are no-break spaces;
librsvg (rsvg-convert 2.54) drops a run's leading blanks, so a run that starts with one
(" scaling", " Match") is drawn a cell or more to the left and a highlighted word seems
shifted against its neighbours. ``xml:space="preserve"`` on the root keeps them: this
script adds it and calls rsvg-convert (apt-get install librsvg2-bin).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    svg = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else svg.with_suffix(".png")
    text = svg.read_text(encoding="utf-8")
    if "xml:space=" not in text[:400]:
        text = text.replace("<svg ", '<svg xml:space="preserve" ', 1)
    with tempfile.NamedTemporaryFile("w", suffix=".svg", encoding="utf-8", delete=False) as f:
        f.write(text)
    try:
        subprocess.run(["rsvg-convert", f.name, "-o", str(out)], check=True)
    finally:
        Path(f.name).unlink()
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
