"""The reports' Mermaid gantt charts, parsed and drawn by Mermaid itself (npm
``mermaid``) in headless Chromium, at the width MkDocs Material gives its content.

Slow and needs Chromium and the npm package, so it is out of the default run:
``python -m pytest -m mermaid``. Mermaid is found at $PMTUI_MERMAID_JS, else installed
once with npm into ~/.cache/pmtui-tests/mermaid.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from importlib.resources import files
from pathlib import Path

import pytest

from pmtui.domain.document import loads
from pmtui.export.report import render

pytestmark = pytest.mark.mermaid

ROOT = Path(__file__).resolve().parent.parent
CONTENT_WIDTH = 680  # px: MkDocs Material's article column on a 1280 px wide window, less padding
SCREENSHOTS = os.environ.get("PMTUI_MERMAID_SCREENSHOTS")  # a folder: also save what Chromium drew


def _docs():
    docs = [(p.stem, loads(p.read_bytes())) for p in sorted((ROOT / "examples").glob("*.json"))]
    docs.append(("demo", loads(files("pmtui").joinpath("data/demo-review.json").read_bytes())))
    import json as _json

    from pmtui.domain.document import FORMAT

    docs.append(("short-and-midnight", loads(_json.dumps({
        "format": FORMAT, "title": "Short phases across midnight", "timezone": "Europe/Berlin",
        "timeline": [
            {"at": "2026-03-10T22:58:00Z", "text": "a", "marks": ["impact_start"]},
            {"at": "2026-03-10T22:58:30Z", "text": "b", "marks": ["detected"]},
            {"at": "2026-03-11T01:40:00Z", "text": "c", "marks": ["mitigated", "impact_end"]},
            {"at": "2026-03-11T01:41:00Z", "text": "d", "marks": ["resolved"]},
        ]}))))
    return docs


def _mermaid_js() -> Path:
    env = os.environ.get("PMTUI_MERMAID_JS")
    if env:
        return Path(env)
    cache = Path.home() / ".cache" / "pmtui-tests" / "mermaid"
    js = cache / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    if not js.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, and PMTUI_MERMAID_JS is not set")
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(cache), "mermaid@11"],
                       check=True, capture_output=True, timeout=600)
    return js


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)  # type: ignore[return-value]
    pytest.skip("Chromium is not installed (Debian package chromium)")


FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--allow-file-access-from-files"]

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<style>body { margin: 0; font-family: sans-serif; } .col { width: %(width)dpx; padding: 8px; }</style>
<script src="%(js)s"></script></head><body>
<div class="col"><div id="chart"></div></div><pre id="result">pending</pre>
<script>
const source = %(source)s;
mermaid.initialize({startOnLoad: false, securityLevel: "strict"});
(async () => {
  const out = {};
  try {
    out.parsed = await mermaid.parse(source);
    const {svg} = await mermaid.render("g1", source);
    document.getElementById("chart").innerHTML = svg;
    const el = document.querySelector("#chart svg");
    const box = el.getBoundingClientRect();
    out.width = box.width;
    const ticks = [...el.querySelectorAll(".tick text")].map(t => {
      const b = t.getBoundingClientRect(); return {text: t.textContent, left: b.left, right: b.right}; });
    out.ticks = ticks;
    out.labels = [...el.querySelectorAll("text.taskText, text.taskTextOutsideRight, text.taskTextOutsideLeft")]
      .map(t => { const b = t.getBoundingClientRect();
        return {text: t.textContent, left: b.left - box.left, right: b.right - box.left,
                size: parseFloat(getComputedStyle(t).fontSize)}; });
    out.milestones = el.querySelectorAll(".milestone").length;
    out.bars = [...el.querySelectorAll("rect.task")].map(r => r.getBoundingClientRect().width);
  } catch (e) { out.error = String(e && e.message || e); }
  document.getElementById("result").textContent = JSON.stringify(out);
})();
</script></body></html>"""


def _draw(chromium: str, js: Path, source: str, tmp_path: Path, name: str) -> dict:
    page = tmp_path / f"{name}.html"
    page.write_text(PAGE % {"width": CONTENT_WIDTH, "js": js.as_uri(), "source": json.dumps(source)})
    profile = tmp_path / f"profile-{name}"
    args = [chromium, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=15000", "--dump-dom", page.as_uri()]
    dom = subprocess.run(args, capture_output=True, text=True, timeout=180).stdout
    m = re.search(r'<pre id="result">(.*?)</pre>', dom, re.S)
    assert m, f"{name}: Chromium gave no result"
    import html

    result = json.loads(html.unescape(m.group(1)))
    if SCREENSHOTS:
        shot = Path(SCREENSHOTS) / f"gantt-{name}.png"
        subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}-shot", "--virtual-time-budget=15000",
                        f"--window-size={CONTENT_WIDTH + 40},{420}", f"--screenshot={shot}", page.as_uri()],
                       capture_output=True, timeout=180)
    return result


@pytest.mark.parametrize("name,doc", _docs(), ids=[n for n, _ in _docs()])
def test_gantt_is_parsed_and_drawn_legibly_by_mermaid(tmp_path, name, doc):
    chromium = _chromium()
    js = _mermaid_js()
    md = render(doc)
    source = re.search(r"```mermaid\n(.*?)```", md, re.S).group(1)
    result = _draw(chromium, js, source, tmp_path, name)
    assert "error" not in result, f"{name}: Mermaid says {result.get('error')}"
    assert result["parsed"], f"{name}: Mermaid did not parse the chart"
    assert result["width"] <= CONTENT_WIDTH + 1  # fits the column: never scaled down to unreadable text
    labels = result["labels"]
    assert len(labels) == len(re.findall(r" :(?:\w+, )?p\d", source)), f"{name}: a phase has no label"
    for label in labels:  # every label readable and inside the chart
        assert label["size"] >= 11 and label["left"] >= -1 and label["right"] <= result["width"] + 1, label
    ticks = sorted(result["ticks"], key=lambda t: t["left"])
    assert 2 <= len(ticks) <= 9, f"{name}: {len(ticks)} axis labels"
    for a, b in itertools.pairwise(ticks):
        assert a["right"] <= b["left"], f"{name}: axis labels {a['text']!r} and {b['text']!r} overlap"
    zero_or_short = source.count(":milestone")
    assert result["milestones"] == zero_or_short
    assert all(w >= 2 for w in result["bars"]), f"{name}: a bar too thin to see: {result['bars']}"
    if doc.timeline and doc.timeline[0].at.astimezone(doc.zone()).date() != doc.timeline[-1].at.astimezone(doc.zone()).date():
        assert any(re.search(r"[A-Z][a-z]{2} \d{2}", t["text"]) for t in ticks), f"{name}: no day on the axis"
