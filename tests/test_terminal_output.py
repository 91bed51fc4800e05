"""One rule for every text pmtui prints: whatever a command writes to a terminal shows
control characters escaped (``pmtui.safetext.guarded``), whichever command and output
path it is; a file written with ``-o`` (or a pipe) gets the exact bytes.

Stored text carries the sequences that once changed a terminal's title and state
through `pmtui actions`, `patterns`, the `evidence` summary and `export --format md`:
OSC (title), ED, RIS (``ESC c``), a charset switch (``ESC ( 0``), DCS, and the one-byte
C1 CSI ``\\x9b``. Every sub-command of the parser is walked (a new command without a case
here fails), in this process with a terminal for stdout and stderr, and a few in a
real process on a pseudo-terminal."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import select
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from pmtui.cli.main import build_parser, main
from pmtui.domain.document import dumps, validate_document
from pmtui.export.report import render

HOSTILE = "\x1b]0;PWNED\x07\x1b[2J\x1bc\x1b(0\x1bP1$r\x1b\\\x9b31m\x7f\r"
SHOWN = "\\x1b]0;PWNED\\x07\\x1b[2J"
RICH_PROGRESS = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every C0 but \n and \t, DEL, every C1


def hostile_doc(example_raw: dict) -> dict:
    d = json.loads(json.dumps(example_raw))
    d["title"] = f"Queue backlog {HOSTILE}"
    d["severity"] = "SEV2\x1b]0;P\x07\x9b"
    d["tags"] = [f"queue{HOSTILE}", "payments"]
    d["impact"]["components"] = [{"name": f"Checkout {HOSTILE}", "status": "partial_outage"}]
    for f in d["factors"]:
        f["text"] = f"Retry storm {HOSTILE}"
    for a in d["action_items"]:
        a["title"] = f"Add a bound {HOSTILE}"
        a["owner"] = f"Amara {HOSTILE}"
        a["status"] = "open"
    d["timeline"][0]["source"] = f"pager {HOSTILE}"
    d["notes"][0]["text"] = f"Why {HOSTILE}?"
    d["notes"][0]["kind"] = "question"
    d["notes"][0]["became"] = []
    return d


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def setup(store, example_raw, db_path, tmp_path, monkeypatch):
    """A store holding two hostile reviews (so patterns finds recurring factors), a
    hostile review file, a hostile evidence CSV and a config file with a hostile name."""
    doc = hostile_doc(example_raw)
    ids = [rid for rid, _slug in store.import_documents([validate_document(doc), validate_document(doc)])]
    review_file = tmp_path / "review.json"
    review_file.write_text(json.dumps(doc), encoding="utf-8")
    evidence = tmp_path / "alerts.csv"
    evidence.write_text(f"time,source,text\n2026-03-10T14:05:00Z,{HOSTILE.replace(chr(13), '')},Queue depth alert\n",
                        encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('name = "Jonas \\u001b]0;PWNED\\u0007"\n[keys]\n"go.\\u001b]0;PWNED\\u0007" = "f3"\n',
                      encoding="utf-8")
    monkeypatch.setenv("PMTUI_CONFIG", str(config))
    monkeypatch.delenv("PMTUI_DB", raising=False)
    return ids, review_file, evidence, db_path, tmp_path


def run_on_terminal(*argv: str) -> tuple[int, str, str]:
    out, err = Terminal(), Terminal()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    return code, out.getvalue(), err.getvalue()


def cases(ids: list[int], review_file: Path, evidence: Path, db_path: Path, tmp: Path) -> dict[str, list[list[str]]]:
    r = str(ids[0])
    other = tmp / "other" / "pmtui.db"
    other.parent.mkdir(exist_ok=True)
    return {  # every sub-command: each of its output paths, with stored or given hostile text
        "demo": [["demo", "--port", HOSTILE]],  # the app itself: tests/ui/test_terminal_text.py
        "new": [["new", f"Backlog {HOSTILE}", "--severity", HOSTILE], ["new", "x", "--zone", HOSTILE]],
        "list": [["list"], ["list", "--format", "json"]],
        "import": [["import", str(review_file)], ["import", str(tmp / f"missing{HOSTILE}.json")]],
        "evidence": [["evidence", r, str(evidence), "--dry-run"], ["evidence", r, str(evidence), "--format", "json"],
                     ["evidence", r, str(evidence)], ["evidence", r, str(evidence), "--from", HOSTILE]],
        "export": [["export", r], ["export", r, "--format", "md"], ["export", r, "--format", "md", "-o", "-"],
                   ["export", "--all", "--to", str(tmp / "wiki")], ["export", HOSTILE]],
        "check": [["check", r], ["check", r, "--format", "json"]],
        "db": [["db"], ["db", "backup", str(tmp / "copy.db")], ["db", "upgrade"],
               ["db", "copy", "--to", str(other)], ["db", "backup", str(tmp / f"no{HOSTILE}" / "x.db")]],
        "open": [["open", HOSTILE]],  # a review that exists opens the app
        "actions": [["actions"], ["actions", "--format", "json"], ["actions", "--format", "csv"],
                    ["actions", "--format", "csv", "--for", "jira"], ["actions", "push", r, "--to", HOSTILE],
                    ["actions", "pull", r, "--dry-run"],
                    ["actions", "--owner", f"Amara {HOSTILE}"], ["actions", "--due-before", HOSTILE]],
        "patterns": [["patterns"], ["patterns", "--format", "json"], ["patterns", "--tag", f"queue{HOSTILE}"],
                     ["patterns", "--since", HOSTILE]],
        "config": [["config", "name"], ["config", "name", HOSTILE]],
        "serve": [["serve", "--screen", HOSTILE], ["serve", "--review", HOSTILE]],  # the server: tests/test_serve.py
        "schema": [["schema"]],
        "keys": [["keys"], ["keys", "--format", "json"]],  # the config file's hostile key id: setup
        "completion": [["completion", "bash"], ["completion", HOSTILE]],
        "search": [["search", "queue"], ["search", "queue", "--format", "json"], ["search", HOSTILE],
                   ["search", "queue", "--tag", HOSTILE]],
    }


def test_every_command_writes_no_raw_control_character_to_a_terminal(setup):
    ids, review_file, evidence, db_path, tmp = setup
    table = cases(ids, review_file, evidence, db_path, tmp)
    commands = set(next(a for a in build_parser()._actions if a.dest == "command").choices)
    assert set(table) == commands, "a command without a case here"
    shown_somewhere: dict[str, bool] = {}
    for command, runs in table.items():
        for argv in runs:
            code, out, err = run_on_terminal("--db", str(db_path), *argv)
            assert code in (0, 1, 2), (argv, code, err)
            if "--all" in argv:  # its progress bar on a terminal is pmtui's own drawing (Rich's cursor and colour)
                assert not any(seq in err for seq in ("\x1b]", "\x1bc", "\x1b(", "\x1bP", "\x9b", "\x07"))
                err = RICH_PROGRESS.sub("", err).replace("\r", "")
            for stream, text in (("stdout", out), ("stderr", err)):
                raw = CONTROL.search(text)
                assert raw is None, f"{argv}: a raw {raw.group()!r} on {stream}: {text[max(0, raw.start() - 60):][:120]!r}"
            assert "Traceback" not in err, (argv, err)
            shown_somewhere[command] = shown_somewhere.get(command, False) or "PWNED" in out + err
    # the stored or given text did reach the output, escaped (not dropped)
    assert {c for c, shown in shown_somewhere.items() if not shown} <= {"schema", "db"}


def test_a_file_written_with_o_keeps_the_exact_bytes(setup, store, cli):
    ids, *_ , tmp = setup
    doc = store.export_document(ids[0])
    md, js = tmp / "report.md", tmp / "review.json"
    assert run_on_terminal("--db", str(setup[3]), "export", str(ids[0]), "--format", "md", "-o", str(md))[0] == 0
    assert run_on_terminal("--db", str(setup[3]), "export", str(ids[0]), "-o", str(js))[0] == 0
    assert md.read_bytes() == render(doc).encode("utf-8")
    assert CONTROL.search(md.read_text(encoding="utf-8"))  # the report keeps what it keeps: the file is exact
    assert js.read_bytes() == dumps(doc).encode("utf-8")
    # and a pipe (not a terminal) gets the exact report too, for `| pandoc` or `> file`
    r = cli("export", str(ids[0]), "--format", "md")
    assert r.out == render(doc)


def test_human_readable_tables_escape_stored_text_even_in_a_pipe(setup, cli):
    """`pmtui actions | head` prints to the terminal through head: tables and summaries
    escape stored text wherever they go; JSON stays the same value without raw controls."""
    ids, _review, evidence, *_ = setup
    for argv in (["actions"], ["patterns"], ["evidence", str(ids[0]), str(evidence), "--dry-run"], ["list"],
                 ["check", str(ids[0])]):
        r = cli(*argv)
        assert CONTROL.search(r.out) is None and SHOWN in r.out, (argv, r.out)
    for argv in (["actions", "--format", "json"], ["patterns", "--format", "json"],
                 ["evidence", str(ids[0]), str(evidence), "--dry-run", "--format", "json"]):
        r = cli(*argv)
        assert CONTROL.search(r.out) is None, argv
        json.loads(r.out)
    assert json.loads(cli("actions", "--format", "json").out)[0]["title"] == f"Add a bound {HOSTILE}"


def pty_run(argv: list[str], env: dict[str, str]) -> bytes:
    """pmtui in a real process whose stdout and stderr are a pseudo-terminal."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pmtui", *argv], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks)


def test_a_real_terminal_gets_no_raw_control_character(setup):
    ids, *_ , db_path, tmp = setup
    env = {**os.environ, "PMTUI_CONFIG": str(tmp / "config.toml"), "PATH": "/usr/bin:/bin"}
    env.pop("PMTUI_DB", None)
    for argv in (["actions"], ["export", str(ids[0]), "--format", "md"],
                 ["export", str(ids[0]), "--format", "md", "-o", "/dev/stdout"]):
        out = pty_run(["--db", str(db_path), *argv], env).replace(b"\r\n", b"\n")  # the terminal's own line ends
        text = out.decode("utf-8")
        raw = CONTROL.search(text)
        assert raw is None, (argv, text[max(0, raw.start() - 60):][:120])
        assert "PWNED" in text, argv
