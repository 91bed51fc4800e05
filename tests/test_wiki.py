"""export --all: one safe page per review plus an index linking them all."""

from __future__ import annotations

import pytest

import json
import re

from pmtui.document import FORMAT, loads
from pmtui.wiki import export_all, page_name

from test_report import front_matter, parse, table_with


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request):
    """Every test here runs on SQLite and on PostgreSQL unless it pins one."""
    return request.param


def test_page_names_stay_inside_the_folder():
    from datetime import date

    assert page_name(date(2026, 3, 10), "2026-03-10-checkout-latency") == "2026-03-10-checkout-latency.md"
    assert page_name(date(2026, 3, 10), "../../etc/passwd") == "2026-03-10-etc-passwd.md"
    assert page_name(None, "Über/../x") == "undated-ber-x.md"
    for name in (page_name(date(2026, 1, 1), s) for s in ["..", "/", "a/b\\c", "CON", ".hidden"]):
        assert re.fullmatch(r"[a-z0-9._-]+\.md", name) and not name.startswith(".")


def test_export_all_writes_pages_and_an_index(cli, store, tmp_path, example_bytes):
    hostile = json.dumps({"format": FORMAT, "title": "../../outside | <b>x</b>", "severity": "SEV3",
                          "timeline": [{"at": "2026-04-01T08:00:00Z", "text": "x", "marks": ["impact_start"]},
                                       {"at": "2026-04-01T08:30:00Z", "text": "y", "marks": ["impact_end"]}]})
    store.import_documents([loads(example_bytes), loads(hostile), loads(json.dumps({"format": FORMAT, "title": "No events"}))])
    out = tmp_path / "wiki"
    r = cli("export", "--all", "--to", str(out))
    assert r.code == 0 and "Wrote 3 review pages, actions.md, patterns.md and index.md" in r.out
    files = sorted(p.name for p in out.iterdir())
    assert "index.md" in files and len(files) == 6
    assert not list(tmp_path.glob("*.md")) and not [f for f in files if f.endswith(".tmp")]
    assert "2026-04-01-outside-b-x-b.md" in files
    assert "2026-03-10-checkout-latency-after-cache-configuration-deploy.md" in files
    header, rows = table_with(parse((out / "index.md").read_text()), "Review")
    assert header == ["Date", "Review", "Severity", "Status", "Impact duration", "Open actions"]
    assert len(rows) == 3
    assert rows[0][:5] == ["2026-04-01", "../../outside | <b>x</b>", "SEV3", "draft", "30m"]
    assert rows[1][4] == "47m" and rows[1][5] == "3"
    links = re.findall(r"\]\(([^)]+)\)", (out / "index.md").read_text())
    assert sorted(links) == sorted(f for f in files if f != "index.md")
    for name in files:
        if name != "index.md":
            assert front_matter(parse((out / name).read_text()))["title"]


def test_export_all_twice_is_identical_and_overwrites_in_place(cli, store, tmp_path, example_bytes):
    store.import_documents([loads(example_bytes)])
    out = tmp_path / "wiki"
    cli("export", "--all", "--to", str(out))
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    cli("export", "--all", "--to", str(out))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first


def test_related_reviews_link_to_their_pages(store, tmp_path, example_bytes):
    _, slug = store.import_documents([loads(example_bytes)])[0]
    store.import_documents([loads(json.dumps({"format": FORMAT, "title": "Again", "related": [slug, "INC-9"]}))])
    export_all(store, tmp_path)
    page = next(p for p in tmp_path.iterdir() if "again" in p.name).read_text()
    assert f"- [{slug}]({slug}.md)" in page and "- INC-9" in page


def test_export_md_options_and_errors(cli, tmp_path, example_bytes):
    (tmp_path / "r.json").write_bytes(example_bytes)
    cli("import", str(tmp_path / "r.json"))
    r = cli("export", "1", "--format", "md", "--highlights-only", "--redact-names", "-o", str(tmp_path / "r.md"))
    assert r.code == 0 and "Amara Okafor" not in (tmp_path / "r.md").read_text()
    assert cli("export", "--all").code == 2
    assert cli("export", "1", "--all", "--to", str(tmp_path)).code == 2
    assert cli("export").code == 2
    r = cli("export", "1", "--redact-names")
    assert r.code == 2 and "--format md" in r.err
    (tmp_path / "file").write_text("x")
    r = cli("export", "--all", "--to", str(tmp_path / "file"))
    assert r.code == 2 and "is a file, not a folder" in r.err
    r = cli("export", "1", "--format", "md", "-o", str(tmp_path / "missing" / "r.md"))
    assert r.code == 2 and "does not exist" in r.err
