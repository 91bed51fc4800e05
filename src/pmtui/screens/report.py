"""Report: the Markdown report as the wiki will show it, export, and the review's status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Markdown, Select, Static

from pmtui.domain.vocab import Section, Status
from pmtui.errors import BadInput, Conflict, PmtuiError
from pmtui.export.markdown import DEFAULT_WIKI, WIKIS
from pmtui.safetext import literal, visible
from pmtui.screens._fields import STATUS_OPTIONS, STATUS_WORD
from pmtui.screens.base import SectionScreen
from pmtui.screens.dialogs import PromptScreen
from pmtui.ui_types import Latest, NotSaved


def strip_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5 :].lstrip("\n")
    return text


class ReportScreen(SectionScreen):
    SECTION = Section.report
    AUTO_FOCUS = "#report-scroll"  # the report itself: arrows and page keys scroll it
    BINDINGS = [
        Binding("ctrl+e", "export", "Export…", id="report.export"),
        Binding("s", "next_status", "Next status", id="report.status"),
        Binding("r", "refresh_report", "Refresh", id="report.refresh"),
    ]

    class Rendered(Latest):
        def __init__(self, markdown: str, name: str, findings: list[Any]) -> None:
            super().__init__()
            self.markdown = markdown
            self.name = name
            self.findings = findings

    def compose_body(self) -> ComposeResult:
        r = self.app.store.get_review(self.review_id)
        with Horizontal(id="report-bar"):
            yield Static("Status:", classes="bar-label")
            yield Select(STATUS_OPTIONS, value=r["status"], allow_blank=False, id="report-status")
            yield Static("Wiki:", classes="bar-label")
            yield Select([(w.label, name) for name, w in WIKIS.items()], value=self.wiki, allow_blank=False,
                         id="report-wiki", tooltip="the wiki the report is written for: ctrl+e exports it")
            yield Static("ctrl+e exports the Markdown file", id="report-hint")
        with Horizontal(id="report-row"):
            with VerticalScroll(id="report-scroll"):
                yield Markdown("Rendering the report…", id="report")
            with VerticalScroll(id="readiness"):
                yield Static("Checking…", id="readiness-text")

    @property
    def wiki(self) -> str:
        """The wiki flavour chosen, kept for this session of the app (every review's report)."""
        return str(getattr(self.app, "report_wiki", DEFAULT_WIKI))

    @on(Select.Changed, "#report-wiki")
    def _wiki(self, event: Select.Changed) -> None:
        if event.value != self.wiki and isinstance(event.value, str):
            self.app.report_wiki = event.value  # type: ignore[attr-defined]
            self.render_report()

    def on_mount(self) -> None:
        super().on_mount()
        self.page_name = "report.md"
        self.query_one("#report-scroll").focus()
        self.render_report()

    def refresh_from_store(self) -> None:
        super().refresh_from_store()
        self.query_one("#report-status", Select).value = self.review["status"]
        self.render_report()

    def show_figures(self) -> None:  # another seat changed the review: the report and its readiness follow
        self.render_report()

    @work(thread=True, exclusive=True, group="report")
    def render_report(self) -> None:
        from pmtui.domain.checks import check
        from pmtui.export.report import render, report_date
        from pmtui.export.wiki import page_name

        doc = self.app.store.export_document(self.review_id)
        text = render(doc, wiki=self.wiki)
        findings = check(doc, self.app.checker)
        self.post_message(self.Rendered(text, page_name(report_date(doc), self.review["slug"]), findings))

    async def on_report_screen_rendered(self, message: Rendered) -> None:
        from rich.text import Text

        from pmtui.domain.checks import summary

        self.markdown = message.markdown
        self.page_name = message.name
        self.findings = message.findings
        out = Text()
        out.append("Readiness check\n", style="bold underline")
        out.append(summary(message.findings) + "\n", style="bold green" if not message.findings else "bold")
        for f in message.findings:
            out.append("\n• ")
            out.append_text(literal(f.where, "bold"))
            out.append_text(literal(f": {f.problem}.\n  "))
            out.append_text(literal(f.fix, "italic"))
            out.append("\n")
        self.query_one("#readiness-text", Static).update(out)
        # the preview shows the report's own text: control characters escaped, never raw
        await self.query_one(Markdown).update(visible(strip_front_matter(message.markdown)))
        self.content_pending = False

    content_pending = True  # the report is not on screen yet (the app loads the full store after it)

    def action_refresh_report(self) -> None:
        self.render_report()

    @on(Select.Changed, "#report-status")
    def _status(self, event: Select.Changed) -> None:
        if event.value != self.review.get("status"):
            if self.review.get("status") == Status.published:
                self._ask_unpublish(event.value)
                return
            if event.value == "published":
                # counted now, from the store: the list shown may not be rendered yet (s s pressed
                # at once) or may predate another seat's change
                open_findings = self.open_findings()
                if open_findings:
                    self._ask_publish(open_findings)
                    return
            self._apply_status(event.value)

    def open_findings(self) -> int:
        """How many readiness findings the review has as stored now."""
        from pmtui.domain.checks import check

        try:
            return len(check(self.app.store.export_document(self.review_id), self.app.checker))
        except PmtuiError:
            return len(getattr(self, "findings", None) or [])

    def _ask_publish(self, count: int) -> None:
        """Publishing with readiness findings open asks first: the room may still want them."""
        from pmtui.screens.dialogs import ConfirmScreen

        select = self.query_one("#report-status", Select)
        before = self.review.get("status")
        with select.prevent(Select.Changed):
            select.value = before

        def answer(yes: bool | None) -> None:
            if yes:
                with select.prevent(Select.Changed):
                    select.value = "published"
                self._apply_status("published")
            self.query_one("#report-scroll").focus()

        findings = "1 readiness finding is" if count == 1 else f"{count} readiness findings are"
        self.app.push_screen(ConfirmScreen(f"{findings} still open (listed above the report). Publish anyway?",
                                           yes="Publish", no="Not yet"), answer)

    def _apply_status(self, new: object) -> None:
        old, store, rid = self.review.get("status"), self.app.store, self.review_id
        select = self.query_one("#report-status", Select)
        try:  # only while the status is the one this seat saw; each undo step likewise (compare-and-set)
            if isinstance(self.app.write(lambda: store.update_if_unchanged("review", rid, {"status": old}, status=new)),
                          NotSaved):
                with select.prevent(Select.Changed):
                    select.value = old  # shows what is stored
                return
        except Conflict as c:
            self.notify(f"Status not changed: {c.message}", severity="warning", timeout=5)
            self.load_review()
            with select.prevent(Select.Changed):
                select.value = self.review.get("status")
            self.render_report()
            return
        self.app.push_undo(f"status set to {STATUS_WORD.get(str(new), str(new))}",
                           lambda: store.update_if_unchanged("review", rid, {"status": new}, status=old),
                           lambda: store.update_if_unchanged("review", rid, {"status": old}, status=new), quiet=True)
        self.load_review()
        self.notify(f"Status: {STATUS_WORD.get(str(new), str(new))}", timeout=2)
        self.render_report()

    def _ask_unpublish(self, new: object) -> None:
        """Leaving "published" asks first: the report may already be read elsewhere."""
        from pmtui.screens.dialogs import ConfirmScreen

        select = self.query_one("#report-status", Select)
        with select.prevent(Select.Changed):
            select.value = Status.published.value

        def answer(yes: bool | None) -> None:
            if yes:
                with select.prevent(Select.Changed):
                    select.value = new
                self._apply_status(new)
            self.query_one("#report-scroll").focus()

        self.app.push_screen(ConfirmScreen(f"The review is published. Set it back to "
                                           f"{STATUS_WORD.get(str(new), str(new))}?", yes="Set it back",
                                           no="Keep published"),
                             answer)

    def action_next_status(self) -> None:
        order = [v for _, v in STATUS_OPTIONS]
        current = self.review.get("status", Status.draft.value)
        self.query_one("#report-status", Select).value = order[(order.index(current) + 1) % len(order)]

    def action_export(self) -> None:
        default = str(Path.cwd() / self.page_name)

        def check(path: str) -> None:
            p = Path(path).expanduser()
            if not path.strip():
                raise BadInput("give a file name, e.g. " + self.page_name)
            if p.is_dir():
                raise BadInput(f"{path} is a folder; add a file name")
            if not p.parent.exists():
                raise BadInput(f"the folder {p.parent} does not exist")

        def done(path: str | None) -> None:
            if not path:
                return
            from pmtui.atomic import write_atomic

            target = Path(path).expanduser()
            try:
                write_atomic(target, self.markdown)
            except OSError as exc:
                self.notify(f"Could not write {target}: {exc.strerror}", severity="error")
                return
            self.notify(f"Report written to {target} (for {WIKIS[self.wiki].label})", timeout=4)

        self.app.push_screen(PromptScreen(f"Export the report as Markdown ({WIKIS[self.wiki].label} flavour: Wiki "
                                          "above the report changes it) to:", default, check=check), done)
