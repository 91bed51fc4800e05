"""Overview: what the review is about and who is in the room."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Static

from pmtui.domain.vocab import ItemKind, Section
from pmtui.safetext import literal, one_line
from pmtui.screens._fields import STATUS_OPTIONS, list_form, more_review_fields, optional_day, optional_text, zone_name
from pmtui.screens.base import SectionScreen
from pmtui.screens.form import FormField
from pmtui.widgets.field import Field
from pmtui.widgets.list_editor import Column, ListEditor

# the fields of pmtui.domain.document.ReviewDoc this screen lays out itself; any other field of the
# review follows them, laid out from its declaration (_fields.more_review_fields)
LAID_OUT = ("title", "severity", "status", "incident_ref", "timezone", "started", "review_date", "tags", "summary",
            "trigger", "detection", "resolution")
ROLES = "facilitator, note-taker, incident commander, responder, service owner, observer"


def participants_editor(review_id: int, title: str, id: str, empty: str = "") -> ListEditor:
    """Who takes part, with their roles (on the Overview and the Opening screens)."""
    return ListEditor(
        ItemKind.participant, title, review_id,
        [Column("name", "Name", flex=True), Column("role", "Role"),
         Column("attended", "Attended", lambda i: "yes" if i["attended"] else "no")],
        list_form("Participant", lambda i: [
            FormField("name", "Name", (i or {}).get("name", "")),
            FormField("role", "Role", (i or {}).get("role", ""), hint=f"Typical roles: {ROLES}"),
            FormField("attended", "Attended", (i or {}).get("attended", True), kind="bool",
                      hint="Took part in the review meeting"),
        ]),
        empty=empty or "No participants yet. Press a to add who is in the room.",
        id=id,
    )


class OverviewScreen(SectionScreen):
    SECTION = Section.overview

    def compose_body(self) -> ComposeResult:
        r = self.app.store.get_review(self.review_id)
        with VerticalScroll(id="overview", classes="section-body"):
            yield Field("title", "Title", r["title"])
            # the slug and how a second seat joins: on every width (the header drops them at 80 columns)
            yield Static(Text.assemble(("Slug ", "dim"), literal(one_line(r["slug"]), "bold"),
                                       ("  ·  ctrl+k: the join command", "dim")),
                         id="overview-join")
            with Horizontal(classes="row"):
                yield Field("severity", "Severity", r["severity"], placeholder="e.g. SEV2", parse=optional_text)
                yield Field("status", "Status", r["status"], kind="select", options=STATUS_OPTIONS)
                yield Field("incident_ref", "Incident ref", r["incident_ref"], placeholder="INC-2041 or a URL",
                            parse=optional_text)
            with Horizontal(classes="row"):
                yield Field("timezone", "Time zone", r["timezone"], placeholder="Europe/Berlin", parse=zone_name)
                yield Field("started", "Incident started", r.get("started"), placeholder="2026-03-10 14:00",
                            parse=self.parse_started, show=self.show_started)
                yield Field("review_date", "Review date", r["review_date"], placeholder="YYYY-MM-DD", parse=optional_day)
                yield Field("tags", "Tags", ", ".join(r["tags"]), placeholder="cache, deploy (comma separated)",
                            parse=lambda t: [x.strip() for x in t.split(",") if x.strip()],
                            show=lambda v: ", ".join(v) if isinstance(v, list) else str(v or ""))
            with Grid(classes="texts"):
                yield Field("summary", "Summary: what happened, in a few sentences", r["summary"], kind="area")
                yield Field("trigger", "Trigger: what set it off", r["trigger"], kind="area")
                yield Field("detection", "Detection: how it was noticed", r["detection"], kind="area")
                yield Field("resolution", "Resolution: how it was mitigated and resolved", r["resolution"], kind="area")
            # every other field of the review, laid out from its declaration (pmtui.domain.document.ReviewDoc)
            more = more_review_fields("ReviewDoc", r, LAID_OUT)
            if more:
                with Grid(classes="texts", id="overview-more"):
                    yield from more
            with Grid(classes="lists"):
                yield participants_editor(self.review_id, "Participants", "participants")
                yield ListEditor(
                    ItemKind.link, "Links", self.review_id,
                    [Column("title", "Title"), Column("url", "URL", flex=True)],
                    list_form("Link", lambda i: [
                        FormField("title", "Title", (i or {}).get("title", ""), placeholder="Checkout dashboard"),
                        FormField("url", "URL", (i or {}).get("url", ""), placeholder="https://…")]),
                    empty="No links yet: dashboards, chat logs, tickets, status page. Press a to add.",
                    id="links",
                )
                yield ListEditor(
                    ItemKind.author, "Authors", self.review_id, [Column("name", "Name")],
                    lambda i: [FormField("text", "Name or team", (i or {}).get("name", ""))],
                    to_store=lambda v: {"name": v["text"]},
                    empty="Who writes the report? Press a to add.",
                    id="authors",
                )
            yield Static("", id="overview-updated", classes="muted")

    def _zone(self) -> ZoneInfo:
        return ZoneInfo((self.review or self.app.store.get_review(self.review_id))["timezone"])

    def parse_started(self, text: str) -> datetime | None:
        """When the incident started, in the review's zone: a bare time in the meeting
        lands on this day. Empty clears it."""
        from pmtui.domain.entry import parse_when

        if not text.strip():
            return None
        at, _approx = parse_when(text, self._zone(), anchor_day=None)
        return at

    def show_started(self, value: datetime | str | None) -> str:
        from pmtui.domain.entry import format_when

        if not value:
            return ""
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return format_when(value, self._zone())

    def save_field(self, name: str, value: Any) -> Any:
        if name == "tags":
            assert self.expected_version is not None  # the review's version, read with the field
            return self.app.store.set_tags(self.review_id, value, expected_version=self.expected_version)
        return super().save_field(name, value)
