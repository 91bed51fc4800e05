"""Fuzz evidence import (issue 22): every kind, a seeded mutator over real files.

Each case is (kind, seed): the seed picks the mutations, so a failure names the case
that reproduces it (``pytest -k "jsonl-17"``). Mutations work on the JSON values (edge
and out-of-range times, huge and negative numbers, wrong types, text past the limits,
NUL, lone surrogates, deep nesting) and on the bytes (a line cut, doubled or dropped,
a stray CR, random bytes). Every case must either be refused with one plain BadInput
sentence, or give events that a review document accepts (the same document models
``pmtui import`` uses): the import took nothing a review could not export. Every tenth
accepted case goes through the command into a real store, then ``export`` and ``check``.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED_ROOT, shared
from pmtui import evidence as ev
from pmtui.domain import document as d
from pmtui.errors import BadInput

HERE = Path(__file__).resolve().parent
F = HERE / "fixtures" / "evidence"
SHARED = SHARED_ROOT / "evidence"

# kind -> a real file (fixtures here, or ../shared/evidence where the kind has its sample there)
SOURCES: dict[str, list[Path]] = {
    "statuspage": [SHARED / "statuspage" / "githubstatus-2024-09-16-incidents.json"],
    "instatus": [F / "instatus-incidents.json"],
    "pagerduty": [SHARED / "pagerduty" / "api-schema-log_entries-example.json",
                  F / "pagerduty-webhook-v3-acknowledged.json"],
    "opsgenie": [F / "opsgenie-alert.json", F / "opsgenie-alert-logs.json"],
    "oncall": [],  # the only real sample is invalid JSON as published: see below
    "slack": [SHARED / "slack" / "slack-export-viewer-testarchive"],
    "jsonl": [F / "journald-lnav.json", F / "cloudflare-logpull.jsonl", F / "bunyan-lnav-renovate.jsonl"],
    "logfmt": [SHARED / "logfmt" / "logfile_logfmt.0", F / "slog-text.logfmt"],
    "csv": [F / "notes.csv"],
    "text": [F / "heroku-router.log", F / "syslog-rfc5424.log", F / "syslog-lnav.log"],
}
CASES = 30

HOSTILE_VALUES: list[Any] = [
    "0999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
    "9999-12-30T23:59:59-23:59", "2026-02-30T10:00:00Z", "2026-03-10T10:00:00", "", " ", "\x00", "a\x00b",
    "\ud800", "x" * 1001, "y" * 50_001, "\x1b]0;PWNED\x07", 2**64, -(2**63), 10**400, 1e308, -1, 0, 1.5,
    True, None, [], {}, ["x"], {"a": {"b": {"c": 1}}}, "1773151200.000100", "9" * 30,
]


def oncall_source(tmp: Path) -> Path | None:
    """The Grafana OnCall docs example with its trailing comma removed (as test_evidence does)."""
    real = SHARED / "oncall" / "grafana-oncall-alert_groups-list-example.json"
    if not real.exists():
        return None
    text = real.read_text()
    fixed = tmp / "oncall.json"
    fixed.write_text(text.replace("},\n    }", "}\n    }").replace("},\n}", "}\n}"))
    try:
        json.loads(fixed.read_text())
    except ValueError:
        return None
    return fixed


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(places(v, (*path, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(places(v, (*path, i)))
    return out


def mutate_json(doc: Any, rng: random.Random) -> Any:
    for _ in range(rng.randint(1, 4)):
        spots = places(doc)
        if not spots:
            break
        path = rng.choice(spots)
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        roll = rng.random()
        if roll < 0.1 and isinstance(parent, dict):
            del parent[path[-1]]
        elif roll < 0.15:
            parent[path[-1]] = json.loads("[" * 500 + "]" * 500)
        else:
            parent[path[-1]] = rng.choice(HOSTILE_VALUES)
    return doc


def dump(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=True).encode()  # a lone surrogate as its \\ud800 escape


def mutate_lines(data: bytes, rng: random.Random, json_lines: bool) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        roll = rng.random()
        if json_lines and roll < 0.5:
            try:
                record = json.loads(lines[i])
            except ValueError:
                continue
            lines[i] = dump(mutate_json(record, rng))
        elif roll < 0.6:
            lines[i] = lines[i][: rng.randrange(len(lines[i]) + 1)]
        elif roll < 0.7:
            lines.insert(i, lines[i])
        elif roll < 0.75:
            lines[i] = lines[i] + b"\r" + lines[i][:10]
        elif roll < 0.85:
            pos = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 8))) + lines[i][pos:]
        else:
            value = rng.choice([v for v in HOSTILE_VALUES if isinstance(v, str)])
            pos = rng.randrange(len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + value.encode("utf-8", "surrogatepass") + lines[i][pos:]
    return b"\n".join(lines)


def make_case(kind: str, seed: int, tmp: Path) -> Path:
    rng = random.Random(f"{kind}-{seed}")
    sources = [p for p in SOURCES[kind] if p.exists()]
    if kind == "oncall":
        fixed = oncall_source(tmp)
        sources = [fixed] if fixed else []
    if not sources:  # conftest.shared: skipped where ../shared is absent, a failure under CI
        shared(f"{kind} sample", root=SHARED)
    src = rng.choice(sources)
    if kind == "slack":
        dest = tmp / "export"
        shutil.copytree(src, dest)
        days = sorted(dest.rglob("????-??-??.json"))
        day = rng.choice(days)
        day.write_bytes(dump(mutate_json(json.loads(day.read_text()), rng)))
        return dest
    data = src.read_bytes()
    dest = tmp / src.name
    if kind in ("statuspage", "instatus", "pagerduty", "opsgenie", "oncall"):
        data = dump(mutate_json(json.loads(data), rng)) if rng.random() < 0.85 else data[: rng.randrange(len(data))]
    else:
        data = mutate_lines(data, rng, json_lines=kind == "jsonl")
    dest.write_bytes(data)
    return dest


def as_document(batch: ev.EvidenceBatch) -> dict[str, Any]:
    return {
        "format": "pmtui-review/2",
        "title": "Fuzzed evidence",
        "timeline": [{"at": d.format_timestamp(e.at), "text": e.text, "kind": e.kind.value, "source": e.source,
                      "source_id": e.source_id, "original": e.original} for e in batch.events],
        "impact": {"components": [{"name": w.name, "status": w.worst_status.value,
                                   "start": d.format_timestamp(w.start),
                                   "end": d.format_timestamp(w.end) if w.end else None}
                                  for w in {w.name: w for w in batch.components}.values()]},
    }


@pytest.mark.parametrize("seed", range(CASES))
@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_fuzzed_evidence_is_refused_plainly_or_exports(kind, seed, tmp_path, cli):
    path = make_case(kind, seed, tmp_path)
    kw: dict[str, Any] = {"kind": kind, "zone": "UTC", "year": 2018}
    if kind == "slack":
        kw["channel"] = "enrique"
    try:
        batch = ev.load([path], **kw)
    except BadInput as exc:
        lines = exc.lines()
        assert lines and all(isinstance(x, str) and "Traceback" not in x for x in lines)
        assert "\n" not in exc.message
        return
    for e in batch.events:
        assert "\x00" not in e.text + e.original
    if batch.events:
        d.validate_document(as_document(batch))  # what import accepts: export and import again will hold
    if seed % 10 == 0 and (batch.events or batch.components):
        rid = cli("new", f"Fuzz {kind} {seed}", "--timezone", "UTC").out.split("\t")[0]
        args = ["evidence", rid, str(path), "--from", kind, "--zone", "UTC", "--year", "2018"]
        r = cli(*args, *(["--channel", "enrique"] if kind == "slack" else []))
        assert r.code in (0, 2) and "Traceback" not in r.err, r.err
        if r.code == 0:
            exported = cli("export", rid)
            assert exported.code == 0, exported.err
            d.loads(exported.out)
            assert cli("check", rid).code in (0, 1)
