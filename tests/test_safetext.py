"""Control characters and terminal escape sequences in stored text never reach the
terminal raw: `pmtui list`, `pmtui check` and error messages show them escaped (as ls
and git do), and bidi overrides are made visible."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pmtui.domain.document import FORMAT, validate_document
from pmtui.safetext import json_safe, literal, one_line, visible

EVIL = "Disk \x1b[2J\x1b]0;owned\x07full\r on [/var] \u202etxt.exe\u2066x\u2069 \x9b31m"
RAW = ["\x1b", "\x07", "\r", "\u202e", "\u2066", "\u2069", "\x9b"]


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[31m", "\\x1b[31m"),
    ("a\rb", "a\\rb"),
    ("bell\x07", "bell\\x07"),
    ("nul\x00", "nul\\x00"),
    ("del\x7f", "del\\x7f"),
    ("csi\x9b", "csi\\x9b"),
    ("\u202eevil", "<U+202E>evil"),
    ("\u2066iso\u2069", "<U+2066>iso<U+2069>"),
    ("\u200fmark", "<U+200F>mark"),
    ("two\nlines\tand tab", "two\nlines\tand tab"),
    ("[b]x[/b] regex [a-z]+ ünïcödé 表", "[b]x[/b] regex [a-z]+ ünïcödé 表"),
])
def test_visible_escapes_what_a_terminal_acts_on_and_keeps_the_rest(raw, shown):
    assert visible(raw) == shown


def test_one_line_and_literal():
    assert one_line("a\nb\r\nc\x1b") == "a b c\\x1b"
    assert visible("a\nb", newlines=False) == "a\\nb"
    text = literal("[b]x[/b] [@click=app.quit]q[/] \x1b")
    assert text.plain == "[b]x[/b] [@click=app.quit]q[/] \\x1b" and not text.spans


def test_json_safe_is_the_same_json_value_without_raw_controls():
    value = {"title": EVIL}
    out = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(out) == value
    assert not any(ch in out for ch in RAW)


def test_the_helper_is_domain_side():
    code = "import sys, pmtui.safetext; print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


@pytest.fixture
def evil_review(store):
    doc = validate_document({
        "format": FORMAT, "title": EVIL, "severity": "SEV\x1b[5m1",
        "action_items": [{"title": f"Alert {EVIL}", "type": "detect"}],
        "notes": [{"at": "2026-03-10T10:00:00Z", "stage": "context", "kind": "question", "text": f"Why {EVIL}"}],
    })
    return store.import_documents([doc])[0]


def test_list_shows_control_characters_escaped(cli, evil_review):
    r = cli("list")
    assert r.code == 0
    assert not any(ch in r.out for ch in RAW)
    assert "Disk \\x1b[2J\\x1b]0;owned\\x07full\\r on [/var] <U+2" in r.out
    assert "SEV\\x1b[5m1" in r.out
    j = cli("list", "--format", "json")
    assert not any(ch in j.out for ch in RAW)
    assert json.loads(j.out)[0]["title"] == EVIL  # scripts still get the exact text


def test_check_shows_control_characters_escaped(cli, evil_review):
    review_id, _slug = evil_review
    r = cli("check", str(review_id))
    assert r.code == 1
    assert not any(ch in r.out for ch in RAW)
    assert "open question “Why Disk \\x1b[2J" in r.out
    j = cli("check", str(review_id), "--format", "json")
    assert not any(ch in j.out for ch in RAW)
    assert any(EVIL[:10] in f["where"] for f in json.loads(j.out)["findings"])


def test_error_messages_echo_values_escaped(cli, tmp_path):
    name = str(tmp_path / "evil\x1b[31m\u202e.json")
    r = cli("import", name)
    assert r.code == 2
    assert not any(ch in r.err for ch in RAW)
    assert "evil\\x1b[31m<U+202E>.json: no such file" in r.err


def test_list_in_a_real_process_writes_no_raw_escape(db_path, evil_review, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pmtui", "--db", str(db_path), "list"], capture_output=True,
                          env={"PMTUI_CONFIG": str(tmp_path / "c.toml"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0
    assert b"\x1b" not in proc.stdout and "\u202e".encode() not in proc.stdout
    assert b"\\x1b[2J" in proc.stdout
