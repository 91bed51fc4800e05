"""Impact: who and what was affected, and for how long."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll

from pmtui.domain.vocab import COMPONENT_STATUS_WORDS, ComponentStatus, ItemKind, Section
from pmtui.screens._fields import list_form, more_review_fields, review_field
from pmtui.screens.base import SectionScreen
from pmtui.screens.form import FormField
from pmtui.widgets.list_editor import Column, ListEditor
from pmtui.widgets.metrics_panel import MetricsPanel

COMPONENT_STATUS = [(words, status.value) for status, words in COMPONENT_STATUS_WORDS.items()]
COMPONENT_WORDS: dict[str, str] = {v: k for k, v in COMPONENT_STATUS}
# the fields of pmtui.domain.document.Impact this screen lays out itself (with its words); any
# other field follows them, laid out from its declaration (_fields.more_review_fields)
LAID_OUT = ("description", "users_affected", "components", "data_loss", "support_tickets", "slo_budget_spent_pct",
            "customer_communication")


class ImpactScreen(SectionScreen):
    SECTION = Section.impact

    def compose_body(self) -> ComposeResult:
        r = self.app.store.get_review(self.review_id)
        with VerticalScroll(id="impact", classes="section-body"):
            with Grid(classes="texts"):
                yield review_field("Impact", "description", r, label="What users experienced")
                yield MetricsPanel(id="impact-metrics", on_timeline=False)
            with Horizontal(classes="row"):
                yield review_field("Impact", "users_affected", r, placeholder="e.g. 12400")
                yield review_field("Impact", "support_tickets", r, placeholder="e.g. 86")
                yield review_field("Impact", "slo_budget_spent_pct", r, label="SLO error budget spent (%)",
                                   placeholder="e.g. 38.5")
            yield review_field("Impact", "data_loss", r, label="Data loss (empty means none)", kind="text")
            with Grid(classes="texts"):
                yield ListEditor(
                    ItemKind.component, "Affected components", self.review_id,
                    [Column("name", "Component"), Column("status", "Status", lambda i: COMPONENT_WORDS.get(i["status"], i["status"]))],
                    list_form("Component", lambda i: [
                        FormField("name", "Component", (i or {}).get("name", ""), placeholder="Checkout"),
                        FormField("status", "Status", (i or {}).get("status", ComponentStatus.partial_outage.value),
                                  kind="select", options=COMPONENT_STATUS),
                    ], not_shown=("start", "end")),  # its window: from a status page's evidence
                    empty="No components yet. Press a to add one and its status.",
                    id="components",
                )
                yield review_field("Impact", "customer_communication", r)
            # every other field of the impact, laid out from its declaration (pmtui.domain.document.Impact)
            more = more_review_fields("Impact", r, LAID_OUT)
            if more:
                with Grid(classes="texts", id="impact-more"):
                    yield from more

    def on_mount(self) -> None:
        super().on_mount()
        self.show_metrics()

    def refresh_from_store(self) -> None:
        super().refresh_from_store()
        self.show_metrics()

    def show_metrics(self) -> None:
        zone = ZoneInfo(self.review["timezone"])
        self.query_one(MetricsPanel).marks = {
            m: e.at.astimezone(zone) for e in self.app.store.events_with_marks(self.review_id) for m in e.marks
        }
