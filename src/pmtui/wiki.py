"""Export every review as a folder of wiki pages plus an index (no Textual).

Pages are named ``YYYY-MM-DD-slug.md`` from characters ``[a-z0-9._-]`` only, so no
title can write outside the folder. Every file is written atomically (a temp file
in the same folder, then a rename): a crash never leaves half a page.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from pmtui.document import ActionStatus, ReviewDoc
from pmtui.metrics import compute, format_duration
from pmtui.report import plain, render, report_date, table, yaml_str

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.store import Store


def page_name(day: date | None, slug: str) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", slug.lower()).strip("-") or "review"
    prefix = day.isoformat() if day else "undated"
    if not stem.startswith(prefix):
        stem = f"{prefix}-{stem}"
    return stem[:120].rstrip(".-_") + ".md"


def write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass
class Page:
    name: str
    slug: str
    doc: ReviewDoc


def index_page(pages: list[Page], links: str = "") -> str:
    rows = []
    for p in sorted(pages, key=lambda p: (report_date(p.doc) or date.min, p.name), reverse=True):
        duration = next(m for m in compute(p.doc.marks()) if m.key == "impact_duration")
        open_actions = sum(a.status in (ActionStatus.open, ActionStatus.in_progress) for a in p.doc.action_items)
        day = report_date(p.doc)
        rows.append([
            day.isoformat() if day else "",
            f"[{plain(p.doc.title)}]({p.name})",
            plain(p.doc.severity or ""),
            p.doc.status.value.replace("_", " "),
            format_duration(duration.value) if duration.value is not None else "",
            str(open_actions),
        ])
    body = table(["Date", "Review", "Severity", "Status", "Impact duration", "Open actions"], rows) if rows else "_No reviews yet._"
    return f"---\ntitle: {yaml_str('Postmortem reviews')}\n---\n\n# Postmortem reviews\n\n{links}{body}\n"


def export_all(
    store: Store,
    folder: Path,
    *,
    highlights_only: bool = False,
    redact: bool = False,
    progress: Callable[[Iterable[int], int], Iterable[int]] | None = None,
) -> list[Path]:
    """Write one page per review and ``index.md``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    summaries = store.list_reviews()
    pages: list[Page] = []
    ids = [s.id for s in summaries]
    slugs = {s.id: s for s in summaries}
    docs = dict(zip(ids, store.export_documents(ids)))
    for review_id in ids:
        doc = docs[review_id]
        s = slugs[review_id]
        day = report_date(doc) or (date.fromisoformat(s.created_at[:10]) if s.created_at else None)
        pages.append(Page(page_name(day, s.slug), s.slug, doc))
    by_slug = {p.slug: p.name for p in pages}
    written = []
    steps: Iterable[int] = progress(range(len(pages)), len(pages)) if progress else range(len(pages))
    for i in steps:
        p = pages[i]
        path = folder / p.name
        write_atomic(path, render(p.doc, highlights_only=highlights_only, redact=redact, related_pages=by_slug))
        written.append(path)
    from pmtui.followup_report import INDEX_LINKS, write_followup_pages

    written.extend(write_followup_pages(store, folder, by_slug, write_atomic))
    index = folder / "index.md"
    write_atomic(index, index_page(pages, INDEX_LINKS))
    written.append(index)
    return written
