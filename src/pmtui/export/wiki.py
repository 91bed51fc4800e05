"""Export every review as a folder of wiki pages plus an index (no Textual).

Pages are named ``YYYY-MM-DD-slug.md`` from characters ``[a-z0-9._-]`` only, so no
title can write outside the folder, and no two reviews share a page. Every file is
written atomically (a temp file in the same folder, then a rename) with the mode the
user's umask gives: a crash never leaves half a page, and the next run clears the
temp files a killed one left. The index records the pages it lists, so that pages
of reviews deleted since are removed, and never a page this command did not write.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pmtui.atomic import TEMP_SUFFIX, write_atomic
from pmtui.domain.metrics import compute, format_duration
from pmtui.domain.vocab import OPEN_STATUSES, REVIEW_STATUS_WORDS
from pmtui.export.markdown import INDEX_NAMES, Wiki, get_wiki, plain, table, yaml_str
from pmtui.export.report import meta_text, render, report_date

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.document import ReviewDoc
    from pmtui.store import ReviewSummary, Store

_RECORD = re.compile(r"<!-- pmtui pages: ([a-z0-9._ -]*) -->")
_PAGE = re.compile(r"[a-z0-9][a-z0-9._-]*\.md")


def page_name(day: date | None, slug: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "review"
    prefix = day.isoformat() if day else "undated"
    if not stem.startswith(prefix):
        stem = f"{prefix}-{stem}"
    return stem[:120].rstrip(".-_") + ".md"


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name-2.md``, ``-3``… when another page has it already."""
    if name not in taken:
        return name
    stem = name.removesuffix(".md")
    n = 2
    while f"{stem}-{n}.md" in taken:
        n += 1
    return f"{stem}-{n}.md"


def remove_stale_temp_files(folder: Path) -> int:
    """Remove the temp files a killed export left in ``folder``; returns how many."""
    removed = 0
    for p in folder.glob(f".*{TEMP_SUFFIX}"):
        if p.is_file() and not p.is_symlink():
            p.unlink(missing_ok=True)
            removed += 1
    return removed


@dataclass
class Page:
    name: str
    slug: str
    doc: ReviewDoc


def index_page(pages: list[Page], wiki: str | Wiki | None = None, links: str = "") -> str:
    target = get_wiki(wiki)
    rows = []
    for p in sorted(pages, key=lambda p: (report_date(p.doc) or date.min, p.name), reverse=True):
        duration = next(m for m in compute(p.doc.marks()) if m.key == "impact_duration")
        open_actions = sum(a.status in OPEN_STATUSES for a in p.doc.action_items)
        day = report_date(p.doc)
        rows.append([
            day.isoformat() if day else "",
            f"[{plain(p.doc.title, target, urls=False)}]({target.page_link(p.name)})",
            plain(p.doc.severity or "", target),
            REVIEW_STATUS_WORDS[p.doc.status],
            format_duration(duration.value) if duration.value is not None else "",
            str(open_actions),
        ])
    body = table(["Date", "Review", "Severity", "Status", "Impact duration", "Open actions"], rows) if rows else "_No reviews yet._"
    record = "<!-- pmtui pages: " + " ".join(sorted(p.name for p in pages)) + " -->"
    head = (f"---\ntitle: {yaml_str(meta_text('Postmortem reviews', target), inert=target.meta == 'portable')}\n---\n\n"
            if target.front_matter else "")
    return f"{head}# Postmortem reviews\n\n{links}{body}\n\n{record}\n"


def recorded_pages(folder: Path) -> set[str]:
    """The pages an earlier export wrote, as its index records them."""
    names: set[str] = set()
    for index in sorted(INDEX_NAMES):
        path = folder / index
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for m in _RECORD.finditer(text):
            names.update(n for n in m.group(1).split() if _PAGE.fullmatch(n))
    return names


@dataclass
class ExportResult:
    pages: list[Path]
    index: Path
    removed: list[str]
    across: list[Path] = field(default_factory=list)  # actions.md and patterns.md


class ReviewSource(Protocol):
    """What the export reads the reviews from: a Store, or one that leaves out (and
    keeps in ``skipped``) the reviews it cannot read (``pmtui export --all``)."""

    def list_reviews(self) -> list[ReviewSummary]: ...
    def export_documents(self, review_ids: list[int]) -> list[ReviewDoc]: ...


def export_all(
    store: Store,
    folder: Path,
    *,
    reviews: ReviewSource | None = None,
    highlights_only: bool = False,
    redact: bool = False,
    wiki: str | Wiki | None = None,
    progress: Callable[[Iterable[int], int], Iterable[int]] | None = None,
    statuses: Collection[str] = (),
) -> ExportResult:
    """Write one page per review and the index; remove the pages of reviews that
    are no longer exported (those an earlier export recorded in its index: deleted
    since, or left out by ``statuses``). The reviews are read from ``reviews`` when
    given (one that leaves out what it cannot read), else from the store; with
    ``statuses``, only the reviews in one of them (``published``)."""
    source: ReviewSource = reviews if reviews is not None else store
    target = get_wiki(wiki)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(folder)
    before = recorded_pages(folder)
    summaries = sorted((s for s in source.list_reviews() if not statuses or s.status in statuses), key=lambda s: s.id)
    ids = [s.id for s in summaries]
    docs = dict(zip(ids, source.export_documents(ids)))
    pages: list[Page] = []
    taken = {*(n.lower() for n in INDEX_NAMES), "actions.md", "patterns.md"}
    for s in summaries:
        doc = docs[s.id]
        day = report_date(doc) or (date.fromisoformat(s.created_at[:10]) if s.created_at else None)
        name = unique_name(page_name(day, s.slug), taken)
        taken.add(name)
        pages.append(Page(name, s.slug, doc))
    by_slug = {p.slug: p.name for p in pages}
    written = []
    steps: Iterable[int] = progress(range(len(pages)), len(pages)) if progress else range(len(pages))
    for i in steps:
        p = pages[i]
        path = folder / p.name
        text = render(p.doc, highlights_only=highlights_only, redact=redact, related_pages=by_slug, wiki=target)
        write_atomic(path, text)
        written.append(path)
    from pmtui.export.followups import write_followup_pages

    def write_across(path: Path, text: str) -> None:
        if not target.front_matter and text.startswith("---\n"):  # a metadata-free page where front matter shows as text
            text = text.split("\n---\n", 1)[1].lstrip("\n")
        write_atomic(path, text)

    links = {slug: target.page_link(name) for slug, name in by_slug.items()}
    across = write_followup_pages(store.review_facts(), folder, links, write_across)
    index_links = (f"Across all reviews: [open action items]({target.page_link('actions.md')}) · "
                   f"[patterns]({target.page_link('patterns.md')})\n\n")
    index = folder / target.index_name
    write_atomic(index, index_page(pages, target, index_links))
    removed = []
    # A review the store could not read this time (see __main__._ReadableReviews) keeps its old page.
    skipped = bool(getattr(source, "skipped", ()))
    for name in sorted(before - {p.name for p in pages}) if not skipped else ():
        stale = folder / name
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
            removed.append(name)
    for other in sorted(INDEX_NAMES - {target.index_name}):  # the index of an export for another wiki
        path = folder / other
        if path.is_file() and not path.is_symlink() and not path.samefile(index) \
                and _RECORD.search(path.read_text(encoding="utf-8", errors="replace")):
            path.unlink()
            removed.append(other)
    return ExportResult(written, index, removed, across)


# ------------------------------------------------------------ which wiki a folder is in
_HUGO = ("hugo.toml", "hugo.yaml", "hugo.json")
_HUGO_OLD = ("config.toml", "config.yaml", "config.json")  # Hugo's older name: only with the folder under content/


def detect_wiki(folder: Path) -> tuple[str, Path] | None:
    """The wiki flavour a folder is part of, from the files above it, and the file that
    says so: a Hugo site (``hugo.toml``, or ``config.toml`` with the folder under its
    ``content/``), a Jekyll site (``_config.yml``), a MkDocs site (``mkdocs.yml``), or a
    clone of a GitHub or GitLab wiki (a ``.wiki.git`` remote). ``None`` when nothing
    says (the search stops at the first repository's top folder)."""
    here = folder.resolve()
    while not here.exists() and here != here.parent:
        here = here.parent
    start = folder.resolve()
    for d in (here, *here.parents):
        for name in _HUGO:
            if (d / name).is_file():
                return "hugo", d / name
        for name in _HUGO_OLD:
            if (d / name).is_file() and (d / "content") in (start, *start.parents):
                return "hugo", d / name
        for name in ("_config.yml", "_config.yaml"):
            if (d / name).is_file():
                return "jekyll", d / name
        for name in ("mkdocs.yml", "mkdocs.yaml"):
            if (d / name).is_file():
                return "mkdocs", d / name
        git = d / ".git"
        if git.exists():
            config = git / "config" if git.is_dir() else None
            try:
                text = config.read_text(encoding="utf-8", errors="replace") if config and config.is_file() else ""
            except OSError:
                text = ""
            urls = re.findall(r"^\s*url\s*=\s*(\S+)", text, re.M)
            wiki_url = next((u for u in urls if u.rstrip("/").endswith(".wiki.git") or u.rstrip("/").endswith(".wiki")), None)
            if wiki_url:
                return ("gitlab" if "gitlab" in wiki_url.lower() else "github"), config or git
            return None
    return None
