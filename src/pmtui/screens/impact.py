"""Impact: who and what was affected, and for how long."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll

from pmtui.domain.vocab import COMPONENT_STATUS_WORDS, ComponentStatus, ItemKind, Section
from pmtui.screens._fields import list_form, optional_float, optional_int, show_number
from pmtui.screens.base import SectionScreen
from pmtui.screens.form import FormField
from pmtui.widgets.field import Field
from pmtui.widgets.list_editor import Column, ListEditor
from pmtui.widgets.metrics_panel import MetricsPanel

COMPONENT_STATUS = [(words, status.value) for status, words in COMPONENT_STATUS_WORDS.items()]
COMPONENT_WORDS: dict[str, str] = {v: k for k, v in COMPONENT_STATUS}


class ImpactScreen(SectionScreen):
    SECTION = Section.impact

    def compose_body(self) -> ComposeResult:
        r = self.app.store.get_review(self.review_id)
        with VerticalScroll(id="impact", classes="section-body"):
            with Grid(classes="texts"):
                yield Field("impact_description", "What users experienced", r["impact_description"], kind="area")
                yield MetricsPanel(id="impact-metrics", on_timeline=False)
            with Horizontal(classes="row"):
                yield Field("users_affected", "Users affected", r["users_affected"], parse=optional_int,
                            show=show_number, placeholder="e.g. 12400")
                yield Field("support_tickets", "Support tickets", r["support_tickets"], parse=optional_int,
                            show=show_number, placeholder="e.g. 86")
                yield Field("slo_budget_spent_pct", "SLO error budget spent (%)", r["slo_budget_spent_pct"],
                            parse=optional_float, show=show_number, placeholder="e.g. 38.5")
            yield Field("data_loss", "Data loss (empty means none)", r["data_loss"])
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
                yield Field("customer_communication", "Customer communication", r["customer_communication"], kind="area")

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
