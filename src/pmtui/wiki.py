"""Export every review as a folder of wiki pages plus an index (no Textual).

Pages are named ``YYYY-MM-DD-slug.md`` from characters ``[a-z0-9._-]`` only, so no
title can write outside the folder, and no two reviews share a page. Every file is
written atomically (a temp file in the same folder, then a rename) with the mode the
user's umask gives: a crash never leaves half a page, and the next run clears the
temp files a killed one left. The index records the pages it lists, so that pages
of reviews deleted since are removed, and never a page this command did not write.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pmtui.document import ActionStatus, ReviewDoc
from pmtui.metrics import compute, format_duration
from pmtui.report import Wiki, get_wiki, meta_text, plain, render, report_date, table, yaml_str

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store

TEMP_SUFFIX = ".pmtui-tmp"
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


def _umask() -> int:
    """The process's umask; read from /proc where it can be (setting it to read it races threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Replace the regular file ``path`` by ``text`` in one step. A new file gets the
    mode the user's umask gives (like any program's ``>``); an existing one keeps its mode."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to what ``path`` is.

    A symlink is followed and its target written; a FIFO, a device, ``/dev/stdout``
    or a process substitution (``/dev/fd/63``) is opened and written through, never
    replaced by a regular file; only a regular file (or a new one) is replaced
    atomically. Raises IsADirectoryError for a folder."""
    data = text.encode("utf-8")
    try:
        st = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        st = None
    special = str(path).startswith(("/dev/", "/proc/"))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if st is not None and (not stat.S_ISREG(st.st_mode) or special):
        # /dev/stdout onto a file opened with > or >>: append at its end, never truncate.
        flags = os.O_WRONLY | (os.O_APPEND if stat.S_ISREG(st.st_mode) else 0)
        fd = os.open(path, flags)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        return
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    write_atomic(target, text)


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
        open_actions = sum(a.status in (ActionStatus.open, ActionStatus.in_progress) for a in p.doc.action_items)
        day = report_date(p.doc)
        rows.append([
            day.isoformat() if day else "",
            f"[{plain(p.doc.title, target, urls=False)}]({target.page_link(p.name)})",
            plain(p.doc.severity or "", target),
            p.doc.status.value.replace("_", " "),
            format_duration(duration.value) if duration.value is not None else "",
            str(open_actions),
        ])
    body = table(["Date", "Review", "Severity", "Status", "Impact duration", "Open actions"], rows) if rows else "_No reviews yet._"
    record = "<!-- pmtui pages: " + " ".join(sorted(p.name for p in pages)) + " -->"
    head = f"---\ntitle: {yaml_str(meta_text('Postmortem reviews', target))}\n---\n\n" if target.front_matter else ""
    return f"{head}# Postmortem reviews\n\n{links}{body}\n\n{record}\n"


def recorded_pages(folder: Path) -> set[str]:
    """The pages an earlier export wrote, as its index records them."""
    names: set[str] = set()
    for index in ("index.md", "_index.md"):
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


def export_all(
    store: Store,
    folder: Path,
    *,
    highlights_only: bool = False,
    redact: bool = False,
    wiki: str | Wiki | None = None,
    progress: Callable[[Iterable[int], int], Iterable[int]] | None = None,
) -> ExportResult:
    """Write one page per review and the index; remove the pages of reviews that
    no longer exist (those an earlier export recorded in its index)."""
    target = get_wiki(wiki)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(folder)
    before = recorded_pages(folder)
    summaries = sorted(store.list_reviews(), key=lambda s: s.id)
    ids = [s.id for s in summaries]
    docs = dict(zip(ids, store.export_documents(ids)))
    pages: list[Page] = []
    taken = {"index.md", "_index.md", "actions.md", "patterns.md"}
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
    from pmtui.followup_report import write_followup_pages

    def write_across(path: Path, text: str) -> None:
        if not target.front_matter and text.startswith("---\n"):  # a metadata-free page where front matter shows as text
            text = text.split("\n---\n", 1)[1].lstrip("\n")
        write_atomic(path, text)

    links = {slug: target.page_link(name) for slug, name in by_slug.items()}
    across = write_followup_pages(store, folder, links, write_across)
    index_links = (f"Across all reviews: [open action items]({target.page_link('actions.md')}) · "
                   f"[patterns]({target.page_link('patterns.md')})\n\n")
    index = folder / target.index_name
    write_atomic(index, index_page(pages, target, index_links))
    removed = []
    # A review the store could not read this time (see __main__._ReadableReviews) keeps its old page.
    skipped = bool(getattr(store, "skipped", ()))
    for name in sorted(before - {p.name for p in pages}) if not skipped else ():
        stale = folder / name
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
            removed.append(name)
    for other in {"index.md", "_index.md"} - {target.index_name}:  # the index of an export for another wiki
        path = folder / other
        if path.is_file() and not path.is_symlink() and _RECORD.search(path.read_text(encoding="utf-8", errors="replace")):
            path.unlink()
            removed.append(other)
    return ExportResult(written, index, removed, across)
