"""Hostile evidence never breaks a review or the machine (issue 22).

- Whatever `pmtui evidence` accepts, the review still exports and passes `check`
  (one validation: the document's own models), and a dry run refuses exactly what the
  real run refuses, before anything is written.
- Bad files are one plain sentence and exit 2, never a traceback: JSON nested 10^5 deep
  in every JSON kind, times at the edges, a stray CR, Slack fields of the wrong type, a
  2^64 Opsgenie ackTime.
- Memory stays bounded: each bomb runs in a child process under RLIMIT_AS and is refused
  cleanly (a zip member inflating to 1 GiB, a 500 MB JSON line, a 100 MB logfmt line, a day
  file linked to a 3 GiB sparse file, a character device, a FIFO).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pmtui.domain.document import LONG_TEXT_MAX, loads

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "evidence"


@pytest.fixture
def review(cli):
    r = cli("new", "Checkout errors after the config push")
    assert r.code == 0, r.err
    return r.out.split("\t")[0]


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return path


def still_exports(cli, rid: str) -> None:
    r = cli("export", rid)
    assert r.code == 0, r.err
    loads(r.out)  # what it wrote, the import reads back
    assert cli("check", rid).code in (0, 1), "check must run (it may find the review not ready)"


def refused(cli, rid: str, path: Path, *extra: str, match: str = "") -> str:
    """Both the dry run and the real run refuse, with the same one sentence, exit 2,
    and the review is as it was."""
    before = cli("export", rid).out
    dry = cli("evidence", rid, str(path), "--dry-run", *extra)
    real = cli("evidence", rid, str(path), *extra)
    for r in (dry, real):
        assert r.code == 2, (r.code, r.out, r.err)
        assert "Traceback" not in r.err and r.err.startswith("pmtui: error: "), r.err
        assert match in r.err, r.err
    assert dry.err == real.err
    assert cli("export", rid).out == before
    return real.err


# ------------------------------------------------------------------ one validation


@pytest.mark.parametrize("stamp", ["0999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1000-01-01T00:00:00Z",
                                   "9999-12-31T23:59:59Z", "9999-12-31T12:00:00-14:00"])
def test_times_outside_the_formats_range_are_refused_with_the_line(cli, review, tmp_path, stamp):
    log = write(tmp_path / "app.jsonl", json.dumps({"time": "2026-03-10T14:00:00Z", "msg": "ok"}) + "\n"
                + json.dumps({"time": stamp, "msg": "edge"}) + "\n")
    err = refused(cli, review, log, "--format", "json", match="app.jsonl:2: the event's time must lie between")
    assert "1000-01-02 and 9999-12-30" in err
    still_exports(cli, review)


@pytest.mark.parametrize("name,case", [
    ("long line", "x" * 60_000),
    ("NUL", "disk \x00 full"),
    ("blank text", "   "),
    ("lone surrogate", "bad \ud800 text"),
])
def test_dry_run_runs_the_same_checks(cli, review, tmp_path, name, case):
    log = write(tmp_path / "app.jsonl", json.dumps({"time": "2026-03-10T14:00:00Z", "msg": case},
                                                   ensure_ascii=False) + "\n")
    if name == "blank text":
        log = write(tmp_path / "notes.csv", "time,text\n2026-03-10T14:00:00Z,   \n")
    refused(cli, review, log)


def test_an_instatus_component_name_of_1001_characters_is_refused_and_an_empty_one_left_out(cli, review, tmp_path):
    doc = json.loads((EXAMPLES / "instatus-incidents.json").read_text())
    incident = doc[0] if isinstance(doc, list) else doc
    comps = [c for c in incident.get("components", [])]
    assert comps, "the fixture names components"
    comps[0]["name"] = "n" * 1001
    write(tmp_path / "long.json", json.dumps(doc))
    refused(cli, review, tmp_path / "long.json", match="the component's name must be at most 1000 characters")
    comps[0]["name"] = ""
    comps[0]["id"] = ""
    write(tmp_path / "empty.json", json.dumps(doc))
    r = cli("evidence", review, str(tmp_path / "empty.json"), "--format", "json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["skipped"].get("instatus component without a name") == 1
    still_exports(cli, review)


def test_the_review_exports_after_an_import_of_events_with_long_texts(cli, review, tmp_path):
    # 100 lines of 45,000 characters: each within an event's limits, together past what an
    # export may hold (4 MiB plus 2 KiB an evidence event): refused whole, before writing
    lines = [json.dumps({"time": f"2026-03-10T14:00:{i % 60:02d}Z", "msg": f"{i} " + "y" * 45_000}) for i in range(100)]
    log = write(tmp_path / "big.jsonl", "\n".join(lines) + "\n")
    refused(cli, review, log, match="the review's export would be about")
    ok = write(tmp_path / "ok.jsonl", "\n".join(lines[:5]) + "\n")
    assert cli("evidence", review, str(ok)).code == 0
    still_exports(cli, review)


# ------------------------------------------------------------ one line, never a traceback


def deep(n: int) -> str:
    return "[" * n + "]" * n


@pytest.mark.parametrize("kind,text", [
    ("statuspage", '{"page": {}, "incidents": [{"incident_updates": ' + deep(100_000) + "}]}"),
    ("instatus", '[{"updates": ' + deep(100_000) + ', "started": "2026-03-10T14:00:00Z"}]'),
    ("pagerduty", '{"log_entries": ' + deep(100_000) + "}"),
    ("opsgenie", '{"data": ' + deep(100_000) + "}"),
    ("oncall", '{"results": ' + deep(100_000) + "}"),
    ("jsonl", '{"time": "2026-03-10T14:00:00Z", "msg": ' + deep(100_000) + "}\n"),
    (None, deep(100_000)),
])
def test_json_nested_100000_deep_is_one_sentence(cli, review, tmp_path, kind, text):
    path = write(tmp_path / "deep.json", text)
    extra = ("--from", kind) if kind else ()
    err = refused(cli, review, path, *extra)
    assert "deep.json" in err


def test_slack_fields_of_the_wrong_type_are_one_sentence(cli, review, tmp_path):
    for field, value in (("attachments", 5), ("subtype", ["x"]), ("files", "f"), ("bot_profile", 3),
                         ("text", {"a": 1}), ("user_profile", []), ("thread_ts", 7)):
        folder = tmp_path / f"export-{field}"
        (folder / "incident").mkdir(parents=True)
        write(folder / "channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
        write(folder / "users.json", "[]")
        write(folder / "incident" / "2026-03-10.json", json.dumps([
            {"type": "message", "ts": "1773151200.000100", "user": "U1", "text": "ok", field: value}]))
        refused(cli, review, folder, match=f"[0].{field}: must be")


def test_a_huge_opsgenie_ack_time_and_a_stray_cr_are_one_sentence(cli, review, tmp_path):
    alert = json.loads((EXAMPLES / "opsgenie-alert.json").read_text())
    alert["data"]["report"]["ackTime"] = 2**64
    refused(cli, review, write(tmp_path / "alert.json", json.dumps(alert)), match="ackTime")
    refused(cli, review, write(tmp_path / "notes.csv", "time,text\n2026-03-10T14:00:00Z,a\rb\n"), match="notes.csv:2")
    refused(cli, review, write(tmp_path / "app.jsonl", '{"time": "2026-03-10T14:00:00Z", "msg": "a\rb"}\n'),
            match="app.jsonl: line 1")
    refused(cli, review, write(tmp_path / "e.jsonl", '{"time": 1e400, "msg": "x"}\n{"time": 1e400, "msg": "y"}\n'),
            match="e.jsonl:1")


def test_a_lone_surrogate_in_a_documents_time_or_date_is_one_sentence(cli, tmp_path):
    doc = json.loads((Path(__file__).resolve().parents[1] / "examples").glob("*.json").__next__().read_text())
    doc["timeline"] = [{"at": "2026-03-10T14:00:00\ud800", "text": "x"}]
    path = write(tmp_path / "doc.json", json.dumps(doc))
    r = cli("import", str(path))
    assert r.code == 2 and "Traceback" not in r.err, r.err
    assert "timeline[0].at" in r.err


# ----------------------------------------------------------------------- bounded memory

LIMIT = 400 * 1024 * 1024
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from pmtui.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def run_limited(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PMTUI_DB": ""}
    env.pop("PMTUI_DB")
    return subprocess.run([sys.executable, "-c", CHILD.format(limit=LIMIT), "--db", db, *args],
                          capture_output=True, text=True, timeout=120, env=env)


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)
    return path


@pytest.fixture
def sqlite_review(tmp_path, cli):
    db = str(tmp_path / "bombs.db")
    from pmtui.cli.main import main

    assert main(["--db", db, "new", "Memory bounds"]) == 0
    return db


def bombs(tmp_path: Path) -> dict[str, tuple[Path, tuple[str, ...], str]]:
    out: dict[str, tuple[Path, tuple[str, ...], str]] = {}
    z = tmp_path / "slack.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
        zf.writestr("users.json", "[]")
        with zf.open("incident/2026-03-10.json", "w", force_zip64=True) as member:
            chunk = b" " * (1 << 20)
            member.write(b"[")
            for _ in range(1024):  # 1 GiB of spaces: about 1 MB in the zip
                member.write(chunk)
            member.write(b"]")
    out["zip bomb"] = (z, (), "slack.zip:incident/2026-03-10.json")
    line = tmp_path / "line.jsonl"
    with open(line, "wb") as f:
        f.write(b'{"time": "2026-03-10T14:00:00Z", "msg": "')
        f.truncate(500 * 1024 * 1024)  # a 500 MB line (zeros past the start: sparse, quick)
    out["500 MB jsonl line"] = (line, ("--from", "jsonl"), "line.jsonl:1: the line is longer than")
    lf = tmp_path / "line.logfmt"
    with open(lf, "wb") as f:
        f.write(b'time=2026-03-10T14:00:00Z level=info msg="')
        f.truncate(100 * 1024 * 1024)
    out["100 MB logfmt line"] = (lf, ("--from", "logfmt"), "line.logfmt:1: the line is longer than")
    export = tmp_path / "export"
    (export / "incident").mkdir(parents=True)
    write(export / "channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
    write(export / "users.json", "[]")
    big = sparse(tmp_path / "outside.json", 3 * 1024**3, b"[")
    os.symlink(big, export / "incident" / "2026-03-10.json")
    out["day file linked to a 3 GiB sparse file"] = (export, (), "leads out of the export folder")
    inside = tmp_path / "export2"
    (inside / "incident").mkdir(parents=True)
    write(inside / "channels.json", json.dumps([{"id": "C1", "name": "incident"}]))
    sparse(inside / "incident" / "2026-03-10.json", 3 * 1024**3, b"[")
    out["3 GiB day file"] = (inside, (), "larger than 64 MiB")
    out["character device"] = (Path("/dev/zero"), (), "is not a regular file")
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    out["FIFO"] = (fifo, ("--from", "jsonl"), "is not a regular file")
    big_json = sparse(tmp_path / "incidents.json", 2 * 1024**3, b'{"incidents": [')
    out["2 GiB JSON document"] = (big_json, ("--from", "statuspage"), "larger than 64 MiB")
    return out


def test_each_bomb_is_refused_under_a_400_mb_memory_limit(tmp_path, sqlite_review):
    import time

    for name, (path, extra, match) in bombs(tmp_path).items():
        t0 = time.monotonic()
        r = run_limited(sqlite_review, "evidence", "1", str(path), *extra, "--dry-run")
        assert r.returncode == 2, (name, r.returncode, r.stderr[-2000:])
        assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr, (name, r.stderr[-2000:])
        assert match in r.stderr, (name, r.stderr)
        print(f"{name}: {time.monotonic() - t0:.1f} s")


def test_a_line_at_the_limit_is_read_and_one_past_it_refused(cli, review, tmp_path):
    prefix = '{"time": "2026-03-10T14:00:00Z", "msg": "'
    fits = prefix + "a" * (LONG_TEXT_MAX - len(prefix) - 2) + '"}'
    assert len(fits) == LONG_TEXT_MAX
    r = cli("evidence", review, str(write(tmp_path / "fits.jsonl", fits + "\n")))
    assert r.code == 0, r.err
    refused(cli, review, write(tmp_path / "over.jsonl", fits[:-2] + 'a"}\n'), match="over.jsonl:1: the line is longer")


def test_the_quick_check_and_the_document_model_agree():
    """Every event is checked by a quick path built from the document's own rules; the
    model words a refusal. They must agree: on every hostile value, both accept or both refuse."""
    from datetime import UTC, datetime, timedelta, timezone

    from pydantic import ValidationError

    from pmtui.domain import document as d
    from pmtui.evidence import EvidenceEvent
    from pmtui.evidence._check import _quick_ok, model_check

    # the fields an import fills are the model's, and the others have defaults
    assert set(d.Event.model_fields) - {"text", "at", "kind", "source", "source_id", "original"} == {
        "marks", "approximate", "highlight", "confirmed"}
    base = {"at": datetime(2026, 3, 10, 14, tzinfo=UTC), "text": "ok", "kind": d.EventKind.event,
            "source": "log:app.jsonl", "source_id": "abc", "original": "line"}
    times = [datetime(1000, 1, 2, tzinfo=UTC), datetime(1000, 1, 1, 23, 59, tzinfo=UTC),
             datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC),
             datetime(9999, 12, 30, 12, tzinfo=timezone(timedelta(hours=-14))),
             datetime(1000, 1, 2, 5, tzinfo=timezone(timedelta(hours=23, minutes=59))), datetime(2026, 3, 10)]
    texts = ["", " ", "x" * d.LONG_TEXT_MAX, "x" * (d.LONG_TEXT_MAX + 1), "a\ud800", "\x1b[2J"]
    shorts = ["", "s" * d.SHORT_TEXT_MAX, "s" * (d.SHORT_TEXT_MAX + 1), "\udfff"]
    cases = ([{"at": t} for t in times] + [{"text": t} for t in texts] + [{"original": t} for t in texts]
             + [{"source": t} for t in shorts] + [{"source_id": t} for t in shorts if t])
    for change in cases:
        e = EvidenceEvent(**{**base, **change}, where="app.jsonl:1")
        try:
            model_check(e)
            model_ok = True
        except (ValidationError, ValueError, OverflowError):
            model_ok = False
        assert _quick_ok(e) == model_ok, change
