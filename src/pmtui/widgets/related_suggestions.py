"""Related reviews: earlier reviews that share components, tags or similar factors
with this one (``pmtui.domain.patterns.related_suggestions``); ``l`` links the highlighted one
(it joins the review's ``related`` list; ctrl+z undoes). The screen writes the link: the
widget posts :class:`RelatedSuggestions.LinkRequested`."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from pmtui.ui_types import HasPromptContext, Latest, TypedApp


class RelatedSuggestions(TypedApp, Vertical, can_focus=False):
    DEFAULT_CSS = """
    RelatedSuggestions {
        height: auto;
        border: round $primary 50%;
        border-title-color: $text;
    }
    RelatedSuggestions:focus-within { border: round $accent; }
    RelatedSuggestions > DataTable { height: auto; max-height: 8; }
    RelatedSuggestions > Static { color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [Binding("l", "link", "Link review", id="related.link")]

    class Found(Latest):
        def __init__(self, suggestions: list[Any], history: str) -> None:
            super().__init__()
            self.suggestions = suggestions
            self.history = history

    class LinkRequested(Message):
        """Add this suggestion (its slug) to the review's related list (the screen writes it,
        then reloads the list and the suggestions)."""

        def __init__(self, slug: str) -> None:
            super().__init__()
            self.slug = slug

    def __init__(self, review_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.review_id = review_id
        self.suggestions: list[Any] = []
        self.history = ""

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", show_header=False)
        yield Static("Looking for earlier reviews…")

    def on_mount(self) -> None:
        self.border_title = "Related reviews: suggestions"
        self.query_one(DataTable).display = False
        self.reload()

    @work(thread=True, exclusive=True, group="related")
    def reload(self) -> None:
        from pmtui.domain.patterns import component_history, history_sentence, related_suggestions
        from pmtui.store.followup import cached_review_facts

        facts = cached_review_facts(self.app.store)
        target = next((f for f in facts if f.id == self.review_id), None)
        if target is None:
            return
        self.post_message(self.Found(related_suggestions(target, facts),
                                     history_sentence(component_history(target, facts))))

    def on_related_suggestions_found(self, message: Found) -> None:
        message.stop()
        self.suggestions = message.suggestions
        self.history = message.history
        self._fill()
        hint = self.query_one(Static)
        hint.update(Text("l links the highlighted review to this one" if self.suggestions else
                         "No earlier review shares components, tags or similar factors."))
        self.border_subtitle = str(len(self.suggestions))
        screen = self.screen
        if isinstance(screen, HasPromptContext):
            screen.prompt_context = self.history
            from pmtui.widgets.notes_panel import NotesPanel

            for panel in screen.query(NotesPanel):
                panel.show_prompt()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        self._width = width = max(40, self.size.width - 4)
        first = min(50, width * 2 // 5)
        table.add_column("review", width=first)
        table.add_column("shared", width=max(10, width - first - 2))
        for s in self.suggestions:
            day = s.day.isoformat() if s.day.year > 1 else ""
            table.add_row(Text(f"{day} {s.title}".strip()), Text(s.reasons(), style="dim"), key=s.slug, height=None)
        table.display = bool(self.suggestions)

    def on_resize(self) -> None:
        if self.suggestions and self.size.width != getattr(self, "_width", 0) + 4:
            self._fill()

    def action_link(self) -> None:
        table = self.query_one(DataTable)
        if not self.suggestions or not (0 <= table.cursor_row < len(self.suggestions)):
            return
        self.post_message(self.LinkRequested(self.suggestions[table.cursor_row].slug))
