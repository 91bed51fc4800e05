"""The command line as a user runs it: output, exit status, and the store afterwards."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import write
from pmtui import __version__
from pmtui.domain.document import FORMAT


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    """Every test here runs on SQLite and on PostgreSQL unless it pins one."""
    return request.param


def test_version_and_help(cli):
    r = cli("--version", db=False)
    assert r.code == 0 and r.out.strip() == f"pmtui {__version__}"
    r = cli("--help", db=False)
    assert r.code == 0
    for command in ("demo", "new", "list", "import", "export", "open", "check"):
        assert command in r.out
    assert "--db" in r.out and "PMTUI_DB" in r.out and "--as" in r.out


def test_new_prints_id_and_slug_and_list_shows_it(cli):
    r = cli("new", "Search results went stale", "--severity", "SEV3")
    assert r.code == 0
    review_id, slug = r.out.strip().split("\t")
    assert slug == "search-results-went-stale"
    rows = json.loads(cli("list", "--format", "json").out)
    assert rows == [
        {"id": int(review_id), "slug": slug, "title": "Search results went stale", "status": "draft",
         "severity": "SEV3", "first_event_date": None, "open_action_items": 0, "overdue_action_items": 0}
    ]
    table = cli("list").out
    assert "search-results-went-stale" in table and "SEV3" in table and "draft" in table


def test_empty_list_says_how_to_start(cli):
    r = cli("list")
    assert r.code == 0 and "pmtui new" in r.out and "pmtui demo" in r.out


def test_import_then_export_gives_the_same_document(cli, tmp_path, example_bytes):
    src = write(tmp_path, "in.json", example_bytes)
    r = cli("import", str(src))
    assert r.code == 0
    _review_id, slug = r.out.strip().split("\t")
    out = tmp_path / "out.json"
    assert cli("export", slug, "--format", "json", "-o", str(out)).code == 0
    again = cli("import", str(out)).out.strip().split("\t")
    assert again[1] == slug + "-2"  # same title: a second review, never an overwrite
    assert cli("export", again[0]).out == out.read_text()
    assert json.loads(out.read_text())["title"] == json.loads(example_bytes)["title"]


def test_import_from_stdin(cli, example_bytes):
    r = cli("import", "-", stdin=example_bytes.decode())
    assert r.code == 0 and r.out.count("\t") == 1


def _count(cli) -> int:
    return len(json.loads(cli("list", "--format", "json").out))


BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "binary": (bytes(range(256)) * 4, "not a text file"),
    "truncated": (b'{"format": "pmtui-review/1", "title": "Cache', "the JSON ends too early"),
    "array": (b'[{"format": "pmtui-review/1", "title": "x"}]', "must be a JSON object, found an array"),
    "no-title": (b'{"format": "pmtui-review/1"}', "title: required field is missing"),
    "version": (b'{"format": "pmtui-review/9", "title": "x"}', "unsupported format"),
    "unknown-field": (b'{"format": "pmtui-review/1", "title": "x", "owner": "me"}', "owner: unknown field"),
    "naive-time": (
        b'{"format": "pmtui-review/1", "title": "x", "timeline": [{"at": "2026-03-10T14:03:00", "text": "x"}]}',
        "timeline[0].at: timestamp needs a UTC offset",
    ),
    "mark-twice": (
        json.dumps({"format": FORMAT, "title": "x", "timeline": [
            {"at": "2026-03-10T14:03:00Z", "text": "a", "marks": ["mitigated"]},
            {"at": "2026-03-10T14:09:00Z", "text": "b", "marks": ["mitigated"]},
        ]}).encode(),
        "timeline[1].marks[0]: mark 'mitigated' is already on timeline[0]",
    ),
    "enum": (b'{"format": "pmtui-review/1", "title": "x", "status": "finished"}', "status: must be one of"),
    "empty-event": (
        b'{"format": "pmtui-review/1", "title": "x", "timeline": [{"at": "2026-03-10T14:03:00Z", "text": ""}]}',
        "timeline[0].text: must not be empty",
    ),
    "negative": (b'{"format": "pmtui-review/1", "title": "x", "impact": {"support_tickets": -3}}',
                 "impact.support_tickets: must not be negative"),
    "long-title": (json.dumps({"format": FORMAT, "title": "x" * 10_000}).encode(), "at most 200 characters"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_one_clear_error_exit_2_and_nothing_imported(cli, tmp_path, example_bytes, name):
    content, expected = BAD_FILES[name]
    good = write(tmp_path, "good.json", example_bytes)
    bad = write(tmp_path, f"{name}.json", content)
    r = cli("import", str(good), str(bad))
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"pmtui: error: {bad}"), r.err
    assert expected in r.err and str(bad) in r.err
    assert "Traceback" not in r.err
    assert _count(cli) == 0  # the good file was not imported either


def test_missing_file_and_unknown_review(cli, tmp_path):
    r = cli("import", str(tmp_path / "nope.json"))
    assert r.code == 2 and r.err.strip() == f"pmtui: error: {tmp_path / 'nope.json'}: no such file"
    r = cli("export", "no-such-review")
    assert r.code == 2 and r.err.strip() == "pmtui: error: no review with id or slug 'no-such-review' (see `pmtui list`)"
    r = cli("open", "42")
    assert r.code == 2 and "no review with id or slug '42'" in r.err


def test_bad_values_on_the_command_line(cli):
    r = cli("new", "x" * 300)
    assert r.code == 2 and "title: must be at most 200 characters (got 300)" in r.err
    r = cli("new", "Latency", "--timezone", "Nowhere/Land")
    assert r.code == 2 and "unknown time zone Nowhere/Land" in r.err
    r = cli("list", "--format", "xml")
    assert r.code == 2 and "invalid choice" in r.err
    assert _count(cli) == 0


def test_several_problems_are_each_listed_with_their_path(cli, tmp_path):
    bad = write(tmp_path, "bad.json", json.dumps({"format": FORMAT, "title": "", "status": "x", "timeline": [{"at": "2026", "text": "e"}]}))
    r = cli("import", str(bad))
    assert r.code == 2
    assert f"{bad}: title: must not be empty" in r.err
    assert f"{bad}: status: must be one of" in r.err
    assert f"{bad}: timeline[0].at: not an RFC 3339 timestamp" in r.err


@pytest.mark.parametrize("backend", ["sqlite"])
def test_not_a_store_is_a_clear_error(cli, tmp_path, db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_text("just some notes\n")
    r = cli("list")
    assert r.code == 1 and r.err.strip() == f"pmtui: error: {db_path} is not a pmtui store (it is not an SQLite database)"


def test_env_variable_chooses_the_store(tmp_path):
    env_db = tmp_path / "env.db"
    proc = subprocess.run(
        [sys.executable, "-m", "pmtui", "new", "From the environment"],
        capture_output=True, text=True, env={"PMTUI_DB": str(env_db), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    assert env_db.exists()


def test_real_process_reports_bad_input_without_traceback(tmp_path):
    bad = write(tmp_path, "bad.json", b"\x00\x01garbage")
    proc = subprocess.run(
        [sys.executable, "-m", "pmtui", "--db", str(tmp_path / "s.db"), "import", str(bad)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("pmtui: error:") and "Traceback" not in proc.stderr


def test_as_names_this_process_only_and_config_name_sets_the_default(cli, tmp_path, monkeypatch):
    from pmtui import config

    monkeypatch.setenv("PMTUI_CONFIG", str(tmp_path / "cfg" / "config.toml"))
    assert cli("config", "name", "Amara Okafor").code == 0
    assert cli("--as", "Jonas Weber", "list").code == 0
    assert config.load().name == "Amara Okafor"  # two seats on one machine share the file: --as leaves it
    r = cli("config", "name", db=False)
    assert r.code == 0 and r.out.strip() == "Amara Okafor"
    assert cli("config", "name", "bad\x1bname").code == 2
    assert config.load().name == "Amara Okafor"


def test_malformed_config_is_a_warning_not_a_failure(cli, tmp_path, monkeypatch, example_bytes):
    path = tmp_path / "config.toml"
    path.write_text("name = \n")
    monkeypatch.setenv("PMTUI_CONFIG", str(path))
    (tmp_path / "r.json").write_bytes(example_bytes)
    cli("import", str(tmp_path / "r.json"))
    r = cli("check", "1")
    assert r.code == 1 and f"pmtui: warning: {path}, line 1:" in r.err and "using the defaults" in r.err


def test_new_with_started_and_zone_and_the_local_zone_by_default(cli, monkeypatch):
    r = cli("new", "Queue backlog", "--started", "2026-03-10 14:00", "--zone", "Europe/Berlin")
    assert r.code == 0
    out = cli("export", r.out.split()[0])
    doc = json.loads(out.out)
    assert doc["timezone"] == "Europe/Berlin" and doc["started"] == "2026-03-10T14:00:00+01:00"
    bad = cli("new", "Other", "--started", "14:00", "--zone", "Europe/Berlin")
    assert bad.code == 2 and "--started" in bad.err and "2026-03-10 14:00" in bad.err and "Traceback" not in bad.err
    monkeypatch.setenv("TZ", "America/Chicago")
    r = cli("new", "Third")
    assert json.loads(cli("export", r.out.split()[0]).out)["timezone"] == "America/Chicago"


def test_check_reports_unconfirmed_events_which_the_team_may_waive(cli, store, demo):
    for e in store.events(demo)[1:]:
        store.confirm_event(e.id, expected_version=e.version)
    out = cli("check", str(demo))
    assert out.code == 1 and "1 of 10 events are not confirmed by the room" in out.out
    waived = cli("check", str(demo), "--waive", "unconfirmed", "--format", "json")
    assert all(f["kind"] != "unconfirmed" for f in json.loads(waived.out)["findings"])


def test_list_says_the_status_in_the_vocabulary_s_words(cli, store, demo):
    """`pmtui list` says "in review", as the app, the report and `pmtui check` do; the
    JSON keeps the format's value (in_review)."""
    store.update_review(demo, expected_version=store.get_review(demo)["version"], status="in_review")
    table = cli("list").out
    assert "in review" in table and "in_review" not in table
    assert json.loads(cli("list", "--format", "json").out)[0]["status"] == "in_review"


def test_demo_seat_takes_its_name_from_as(cli, monkeypatch):
    """`pmtui demo --as NAME` names the demo's seat, like `--as` on every other command."""
    from pmtui.app import PostmortemApp

    seen = []
    monkeypatch.setattr(PostmortemApp, "run", lambda self, *a, **k: seen.append(self.author))
    assert cli("--as", "Amara Okafor", "demo", db=False).code == 0
    assert cli("demo", "--as", "Jonas Weber", db=False).code == 0
    assert seen == ["Amara Okafor", "Jonas Weber"]
