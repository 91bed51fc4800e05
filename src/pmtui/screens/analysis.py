"""Systemic analysis: why it made sense at the time, and which conditions let it happen."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Static

from pmtui.domain.vocab import OBSERVATION_HEADINGS, FactorCategory, ItemKind, ObservationKind, Section
from pmtui.screens._fields import list_form
from pmtui.screens.base import SectionScreen
from pmtui.screens.form import FormField
from pmtui.ui_types import NotSaved
from pmtui.widgets.list_editor import Column, ListEditor
from pmtui.widgets.related_suggestions import RelatedSuggestions

CATEGORIES = [(c.value, c.value) for c in FactorCategory]


def _of_kind(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda item: bool(item["kind"] == kind)


def _text_item(label: str, placeholder: str = "") -> Callable[[dict[str, Any] | None], list[FormField]]:
    return lambda i: [FormField("text", label, (i or {}).get("text", ""), placeholder=placeholder)]


class AnalysisScreen(SectionScreen):
    SECTION = Section.analysis
    prompt_context = ""  # "checkout-db appeared in 3 earlier reviews", for the prompt card

    def compose_body(self) -> ComposeResult:
        rid = self.review_id
        with VerticalScroll(id="analysis", classes="section-body"):
            yield Static("", id="factor-counts")
            yield ListEditor(
                ItemKind.factor, "Contributing factors", rid,
                [Column("category", "Category", width=14), Column("text", "Condition in the system or organisation", flex=True)],
                list_form("Factor", lambda i: [
                    FormField("text", "Contributing factor", (i or {}).get("text", ""),
                              hint="A condition in systems, processes, tools, communication or the organisation; "
                                   "not a person's fault."),
                    FormField("category", "Category", (i or {}).get("category", FactorCategory.technical.value), kind="select",
                              options=CATEGORIES),
                ]),
                empty="No contributing factors yet. Press a to add one (there is rarely a single cause).",
                id="factors",
            )
            with Grid(classes="lists"):
                for kind, prompt in (
                    (ObservationKind.went_well, "The burn-rate alert fired within 9 minutes"),
                    (ObservationKind.went_wrong, "20 minutes went to the database before the cache"),
                    (ObservationKind.lucky, "It happened in a low-traffic hour"),
                ):
                    title = OBSERVATION_HEADINGS[kind]
                    yield ListEditor(
                        ItemKind.observation, title, rid, [Column("text", title)],
                        list_form("Observation", _text_item(title, prompt), not_shown=("kind",)),  # kind: the list's
                        filter=_of_kind(kind), defaults={"kind": kind.value},
                        empty="Nothing yet. Press a to add.", id=f"obs-{kind}",
                    )
            with Grid(classes="lists"):
                yield ListEditor(
                    ItemKind.learning, "Learnings", rid, [Column("text", "Key takeaway to publish")],
                    _text_item("Learning", "A configuration change is a deploy"),
                    empty="No learnings yet. Press a to add a takeaway worth publishing.", id="learnings",
                )
                yield ListEditor(
                    ItemKind.related, "Related past reviews", rid, [Column("ref", "Slug or reference")],
                    lambda i: [FormField("text", "Slug or reference of a related review", (i or {}).get("ref", ""),
                                         hint="e.g. 2025-11-02-cache-evictions (see the list of reviews)")],
                    to_store=lambda v: {"ref": v["text"]},
                    empty="Has this happened before? Press a to link a past review.", id="related",
                )
            yield RelatedSuggestions(rid, id="related-suggestions")

    def on_mount(self) -> None:
        super().on_mount()
        self.show_counts()

    def on_list_editor_changed(self, message: ListEditor.Changed) -> None:
        self.show_counts()

    def show_figures(self) -> None:  # another seat changed a list: the counts follow
        self.show_counts()

    def refresh_from_store(self) -> None:
        super().refresh_from_store()
        self.show_counts()
        self.query_one(RelatedSuggestions).reload()

    def on_related_suggestions_link_requested(self, message: RelatedSuggestions.LinkRequested) -> None:
        store, slug = self.app.store, message.slug
        item_id = self.app.write(lambda: store.add_item(ItemKind.related, self.review_id, ref=slug))
        if isinstance(item_id, NotSaved):
            return
        # the review's own title stays out of the message: notifications read markup
        self.app.push_added(f"linked {slug} as a related review", ItemKind.related, item_id)
        self.query_one("#related", ListEditor).reload()
        self.query_one(RelatedSuggestions).reload()

    def show_counts(self) -> None:
        factors = self.app.store.list_items(ItemKind.factor, self.review_id)
        counts = Counter(f["category"] for f in factors)
        line = " · ".join(f"{c.value} {counts.get(c.value, 0)}" for c in FactorCategory)
        hint = ""
        if factors and set(counts) == {FactorCategory.technical}:
            hint = ("\n⚠ Every factor is technical: what in process, communication, tooling or the "
                    "organisation made this possible?")
        elif not factors:
            hint = "\nAsk: what were you focusing on, and what was not noticed? What made this reasonable at the time?"
        self.query_one("#factor-counts", Static).update(f"Factors by category: {line}{hint}")
