"""export --all: one safe page per review plus an index linking them all."""

from __future__ import annotations

import json
import re

import pytest

from pmtui.domain.document import FORMAT, loads
from pmtui.export.wiki import export_all, page_name
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


# ------------------------------------------------------------ files written
import os  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402

from pmtui.atomic import TEMP_SUFFIX, write_text  # noqa: E402


def _doc(title: str, day: str = "2026-04-01"):
    return loads(json.dumps({"format": FORMAT, "title": title,
                             "timeline": [{"at": f"{day}T08:00:00Z", "text": "x", "marks": ["impact_start"]}]}))


def test_pages_follow_the_umask_like_dash_o(cli, store, tmp_path, example_bytes):
    store.import_documents([loads(example_bytes)])
    old = os.umask(0o022)
    try:
        cli("export", "--all", "--to", str(tmp_path / "wiki"))
        cli("export", "1", "--format", "md", "-o", str(tmp_path / "one.md"))
        os.umask(0o027)
        cli("export", "--all", "--to", str(tmp_path / "wiki2"))
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "wiki").iterdir()}
    assert set(modes.values()) == {0o644} and stat.S_IMODE((tmp_path / "one.md").stat().st_mode) == 0o644
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "wiki2").iterdir()} == {0o640}


ACROSS = {"index.md", "actions.md", "patterns.md"}  # the pages that are not one review's


def test_two_reviews_never_share_a_page(cli, store, tmp_path):
    # same day, titles that slug alike: "Über outage" and "ber outage" and the same title twice
    store.import_documents([_doc("Über outage"), _doc("ber outage"), _doc("ber outage"), _doc("x" * 190),
                            _doc("x" * 190 + "y")])
    r = cli("export", "--all", "--to", str(tmp_path / "wiki"))
    pages = sorted(p.name for p in (tmp_path / "wiki").iterdir() if p.name not in ACROSS)
    assert r.code == 0 and f"Wrote {len(pages)} review pages" in r.out and len(pages) == 5
    index = (tmp_path / "wiki" / "index.md").read_text()
    assert sorted(set(re.findall(r"\]\(([^)]+)\)", index)) - ACROSS) == pages


def test_pages_of_deleted_reviews_are_removed_and_nothing_else(cli, store, tmp_path):
    ids = [store.import_documents([_doc(t)])[0][0] for t in ("Alpha outage", "Beta outage")]
    out = tmp_path / "wiki"
    cli("export", "--all", "--to", str(out))
    (out / "notes.md").write_text("the team's own page")
    (out / "2026-04-01-gamma.md").write_text("a page pmtui did not write")
    seen = store.get_review(ids[1])
    store.delete_review(ids[1], expected_version=seen["version"], expected_updated_at=seen["updated_at"])
    r = cli("export", "--all", "--to", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert names == ["2026-04-01-alpha-outage.md", "2026-04-01-gamma.md", "actions.md", "index.md", "notes.md",
                     "patterns.md"]
    assert "Removed 1 page" in r.out and "2026-04-01-beta-outage.md" in r.out


def test_a_tampered_index_cannot_remove_other_files(cli, store, tmp_path):
    store.import_documents([_doc("Alpha outage")])
    out = tmp_path / "wiki"
    out.mkdir()
    (tmp_path / "secret.md").write_text("outside")
    (out / "keep.md").write_text("mine")
    (out / "index.md").write_text("<!-- pmtui pages: ../secret.md keep.md -->")
    cli("export", "--all", "--to", str(out))
    # a record naming anything but a page in the folder is not one this command wrote: ignored whole
    assert (tmp_path / "secret.md").exists() and (out / "keep.md").exists()


def test_a_killed_export_leaves_no_temp_files_on_the_next_run(cli, store, tmp_path, example_bytes):
    store.import_documents([loads(example_bytes)])
    out = tmp_path / "wiki"
    out.mkdir()
    (out / f".2026-03-10-x.md.abc123{TEMP_SUFFIX}").write_text("half a page")
    (out / ".hidden-of-the-team").write_text("not ours")
    cli("export", "--all", "--to", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.endswith(TEMP_SUFFIX)] and ".hidden-of-the-team" in names


def imported(db, example_bytes: bytes, times: int = 1) -> None:
    """The example imported ``times`` times into the store at ``db``, as `pmtui import` does."""
    from pmtui.store import Store

    store = Store.open(db)
    try:
        for _ in range(times):
            store.import_documents([loads(example_bytes)])
    finally:
        store.close()


def test_killed_for_real_midway(tmp_path, example_bytes):
    """A real process killed while writing pages: the next export clears what it left."""
    db = tmp_path / "s.db"
    env = {**os.environ, "PMTUI_CONFIG": str(tmp_path / "c.toml")}
    imported(db, example_bytes, times=3)  # in this process: the test is about the export killed midway
    out = tmp_path / "wiki"
    code = ("import os, signal, pmtui.atomic as w\n"
            "real = os.replace\n"
            "def killed(a, b):\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
            "w.os.replace = killed\n"
            "from pmtui.cli.main import main\n"
            f"main(['--db', {str(db)!r}, 'export', '--all', '--to', {str(out)!r}])\n")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
    assert r.returncode == -9 and [p for p in out.iterdir() if p.name.endswith(TEMP_SUFFIX)]
    subprocess.run([sys.executable, "-m", "pmtui", "--db", str(db), "export", "--all", "--to", str(out)], env=env,
                   check=True, capture_output=True)
    assert not [p for p in out.iterdir() if p.name.endswith(TEMP_SUFFIX)] and len(list(out.iterdir())) == 6


def test_wiki_option_names_the_index_and_links(cli, store, tmp_path, example_bytes):
    _, slug = store.import_documents([loads(example_bytes)])[0]
    store.import_documents([loads(json.dumps({"format": FORMAT, "title": "Again", "related": [slug]}))])
    out = tmp_path / "hugo"
    r = cli("export", "--all", "--to", str(out), "--wiki", "hugo")
    assert r.code == 0 and "_index.md" in r.out and (out / "_index.md").exists() and not (out / "index.md").exists()
    index = (out / "_index.md").read_text()
    assert '{{< relref "2026-03-10-' in index and ".md)" not in index
    page = next(p for p in out.iterdir() if "again" in p.name).read_text()
    assert '{{< relref "' + slug in page
    gh = tmp_path / "gh"
    cli("export", "--all", "--to", str(gh), "--wiki", "github")
    assert not (gh / "index.md").exists()  # a GitHub wiki's landing page is Home
    text = (gh / "Home.md").read_text()
    assert not text.startswith("---") and f"]({slug})" in text  # GitHub wiki page links have no .md
    page = next(p for p in gh.iterdir() if "again" in p.name).read_text()
    assert not page.startswith("---") and "| Status | draft |" in page
    # switching the same folder to another wiki replaces the index; the pages keep their names
    cli("export", "--all", "--to", str(out), "--wiki", "mkdocs")
    assert (out / "index.md").exists() and not (out / "_index.md").exists()
    r = cli("export", "1", "--wiki", "hugo")
    assert r.code == 2 and "--format md" in r.err


@pytest.mark.parametrize("kind", ["symlink", "dangling", "fifo", "dev-stdout", "process-substitution", "char-device"])
def test_dash_o_writes_through_to_what_the_path_is(tmp_path, kind, example_bytes):
    db = tmp_path / "s.db"
    env = {**os.environ, "PMTUI_CONFIG": str(tmp_path / "c.toml")}
    pmtui = [sys.executable, "-m", "pmtui", "--db", str(db)]
    imported(db, example_bytes)  # in this process: what is tested is the export's own process writing
    export = [*pmtui, "export", "1", "--format", "md", "-o"]
    if kind in ("symlink", "dangling"):
        target = tmp_path / "real.md"
        if kind == "symlink":
            target.write_text("old")
        link = tmp_path / "link.md"
        link.symlink_to(target)
        subprocess.run([*export, str(link)], env=env, check=True, capture_output=True)
        assert link.is_symlink() and target.read_text().startswith("---\ntitle:")
    elif kind == "fifo":
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        got = []
        reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
        reader.start()
        subprocess.run([*export, str(fifo)], env=env, check=True, capture_output=True, timeout=60)
        reader.join(10)
        assert stat.S_ISFIFO(fifo.lstat().st_mode) and got[0].startswith("---\ntitle:")
    elif kind == "dev-stdout":
        with open(tmp_path / "out.md", "w") as fh:
            fh.write("before\n")
            fh.flush()
            subprocess.run([*export, "/dev/stdout"], env=env, check=True, stdout=fh, stderr=subprocess.PIPE)
        text = (tmp_path / "out.md").read_text()
        assert text.startswith("before\n---\ntitle:")  # written through, after what the shell wrote
        r = subprocess.run([*export, "/dev/stdout"], env=env, check=True, capture_output=True)
        assert r.stdout.startswith(b"---\ntitle:")
    elif kind == "process-substitution":
        shell = f"{' '.join(map(repr, export))} >(cat > {str(tmp_path / 'sub.md')!r}); wait $!"
        subprocess.run(["bash", "-c", shell], env=env, check=True, capture_output=True, timeout=60)
        assert (tmp_path / "sub.md").read_text().startswith("---\ntitle:")
    else:
        subprocess.run([*export, "/dev/null"], env=env, check=True, capture_output=True)
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)  # still the device, not a file


def test_write_text_refuses_a_folder(tmp_path):
    with pytest.raises(IsADirectoryError):
        write_text(tmp_path, "x")


def test_the_command_line_offers_every_wiki():
    from pmtui.cli.main import WIKI_NAMES
    from pmtui.export.markdown import DEFAULT_WIKI, WIKIS

    assert list(WIKI_NAMES) == list(WIKIS) and WIKI_NAMES[0] == DEFAULT_WIKI


def test_github_and_gitlab_wikis_get_their_home_page(cli, store, tmp_path, example_bytes):
    """GitHub's wiki opens Home.md, GitLab's the page titled home: the index is that page,
    linking every review, and switching flavours replaces it (never a page of another)."""
    _, slug = store.import_documents([loads(example_bytes)])[0]
    out = tmp_path / "wiki"
    r = cli("export", "--all", "--to", str(out), "--wiki", "github")
    assert r.code == 0 and "Home.md" in r.out
    home = (out / "Home.md").read_text()
    assert f"]({slug})" in home and "<!-- pmtui pages:" in home and not (out / "index.md").exists()
    r = cli("export", "--all", "--to", str(out), "--wiki", "gitlab")
    assert r.code == 0 and "home.md" in r.out
    names = {p.name for p in out.iterdir()}
    assert "home.md" in names and "Home.md" not in names and "index.md" not in names
    home = (out / "home.md").read_text()
    assert home.startswith('---\ntitle: "Postmortem reviews"\n---') and f"]({slug})" in home
    cli("export", "--all", "--to", str(out))  # back to portable: index.md, no home left behind
    assert {"index.md"} <= {p.name for p in out.iterdir()} and not (out / "home.md").exists()


def test_export_all_status_leaves_drafts_out(cli, store, tmp_path):
    docs = [loads(json.dumps({"format": FORMAT, "title": t, "status": st})) for t, st in
            (("Published one", "published"), ("Still a draft", "draft"), ("Under review", "in_review"))]
    store.import_documents(docs)
    out = tmp_path / "wiki"
    r = cli("export", "--all", "--to", str(out), "--status", "published")
    assert r.code == 0 and r.out.startswith("Wrote 1 review page,")
    pages = sorted(p.name for p in out.iterdir() if p.name not in ACROSS)
    assert len(pages) == 1 and "published-one" in pages[0]
    index = (out / "index.md").read_text()
    assert "Published one" in index and "Still a draft" not in index and "Under review" not in index
    r = cli("export", "--all", "--to", str(out), "--status", "published", "--status", "in_review")
    assert r.code == 0 and len([p for p in out.iterdir() if p.name not in ACROSS]) == 2
    # a review that left the chosen statuses has its page removed, as a deleted one would
    r = cli("export", "--all", "--to", str(out), "--status", "published")
    assert r.code == 0 and "Removed 1 page" in r.out and "under-review" in r.out
    r = cli("export", "--all", "--to", str(out), "--status", "final")
    assert r.code == 2 and "final" in r.err
    r = cli("export", "1", "--status", "published")
    assert r.code == 2 and "--status goes with --all" in r.err


@pytest.mark.parametrize("backend", ["sqlite"])  # the folder, not the store, is tested: one store is enough
@pytest.mark.parametrize(("marker", "under", "expected"), [
    ("hugo.toml", "content/reviews", "hugo"),
    ("config.toml", "content/reviews", "hugo"),
    ("config.toml", "reviews", None),  # config.toml alone is not Hugo's unless the folder is under content/
    ("_config.yml", "reviews", "jekyll"),
    ("mkdocs.yml", "docs/reviews", "mkdocs"),
    (None, "reviews", None),
])
def test_export_all_reads_the_flavour_from_the_folder(cli, store, tmp_path, marker, under, expected, backend):
    store.import_documents([loads(json.dumps({"format": FORMAT, "title": "One"}))])
    site = tmp_path / "site"
    site.mkdir()
    (site / ".git").mkdir()  # the search stops at the repository's top
    if marker:
        (site / marker).write_text("title = 'x'\n")
    out = site / under
    r = cli("export", "--all", "--to", str(out))
    assert r.code == 0
    index = {"hugo": "_index.md"}.get(expected or "", "index.md")
    assert (out / index).exists()
    if expected:
        assert f"Writing for {expected} (found {site / marker})" in r.out
    else:
        assert "Writing for" not in r.out
    r = cli("export", "--all", "--to", str(out), "--wiki", "portable")  # --wiki wins
    assert r.code == 0 and "Writing for" not in r.out and (out / "index.md").exists()


def test_a_wiki_clone_is_recognised(tmp_path):
    from pmtui.export.wiki import detect_wiki

    for url, expected in (("git@github.com:team/app.wiki.git", "github"),
                          ("https://gitlab.example.com/team/app.wiki.git", "gitlab"),
                          ("https://github.com/team/app.git", None)):
        clone = tmp_path / expected.__str__() / "clone"
        (clone / ".git").mkdir(parents=True)
        (clone / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {url}\n')
        found = detect_wiki(clone / "reviews")
        assert (found[0] if found else None) == expected
