"""Follow-ups: action items, each specific and bounded, with an owner and a due date."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from pmtui.domain.tracker import ACTION_WORDS, OPEN, TRACKER_FIELDS
from pmtui.domain.vocab import ActionStatus, ActionType, ItemKind, Priority, Section
from pmtui.errors import BadInput, Conflict, FieldErrors
from pmtui.safetext import literal
from pmtui.screens._fields import more_fields, optional_day
from pmtui.screens._tracker_actions import ISSUE_HELP, PUSH_HELP, beside
from pmtui.screens.base import SectionScreen
from pmtui.screens.dialogs import wont_do_prompt
from pmtui.screens.form import FormField
from pmtui.ui_types import NotSaved
from pmtui.widgets.list_editor import Column, ListEditor


def overdue(item: dict[str, Any], today: date) -> bool:
    return item["status"] in OPEN and bool(item["due"]) and item["due"] < today.isoformat()


def _suggested_type(values: dict[str, Any]) -> str | None:
    from pmtui.domain.action_kinds import suggest

    kind = suggest(f"{values.get('title', '')} {values.get('description', '')}")
    return None if kind is None else kind.value


def action_fields(item: dict[str, Any] | None) -> list[FormField]:
    """The action item form (on the Actions screen, and for a note turned into an action)."""
    i = item or {}
    new = not i.get("id")
    fields = [
        FormField("title", "Action (specific and bounded)", i.get("title", ""),
                  placeholder="Alert when checkout 5xx > 1% for 5 min"),
        FormField("type", "Type", i.get("type") or (_suggested_type(i) if new else None) or ActionType.other.value,
                  kind="select", options=[(t.value, t.value) for t in ActionType],
                  # a new item's type follows its words until someone chooses one
                  suggest=_suggested_type if new else None,
                  hint="suggested from the words until you choose: prevent, detect, mitigate, process" if new else ""),
        FormField("owner", "Owner (a team or person: ownership, not blame)", i.get("owner", "")),
        FormField("priority", "Priority", i.get("priority", Priority.medium.value), kind="select",
                  options=[(p.value, p.value) for p in Priority]),
        FormField("due", "Due date", i.get("due") or "", placeholder="YYYY-MM-DD"),
        FormField("status", "Status", i.get("status", ActionStatus.open.value), kind="select",
                  options=[(ACTION_WORDS[s.value], s.value) for s in ActionStatus]),
        FormField("status_note", "Status note (why not, for won't do)", i.get("status_note", "")),
        FormField("tracker", "Tracker (ticket id or URL)", i.get("tracker", "")),
        FormField("description", "Description: why, and what done looks like", i.get("description", ""), kind="area"),
    ]
    from pmtui.domain.document import ActionItem  # pydantic: not on the way to the first frame

    # the document's other fields; not what pmtui read from the team's tracker (push and pull write those)
    return [*fields[:-1], *more_fields(ActionItem, i, fields, not_shown=TRACKER_FIELDS), fields[-1]]


def action_values(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values as the store takes them: a real due date, a reason for won't do."""
    errors: dict[str, str] = {}
    out = dict(values)
    try:
        out["due"] = optional_day(values.get("due", ""))
    except BadInput as exc:
        errors["due"] = exc.message
    if values.get("status") == ActionStatus.wont_do and not values.get("status_note", "").strip():
        errors["status_note"] = "say why this won't be done: a decision not to act is recorded with its reason"
    if errors:
        raise FieldErrors(errors)
    return out


class ActionsScreen(SectionScreen):
    SECTION = Section.actions
    BINDINGS = [
        Binding("x", "done", "Mark done", id="actions.done"),
        Binding("w", "wont_do", "Won't do", id="actions.wont"),
        Binding("p", "progress", "In progress", show=False, id="actions.progress"),
        Binding("ctrl+r", "push_tracker", "Push to tracker", show=False, id="actions.push", tooltip=PUSH_HELP),
        Binding("i", "open_issue", "Open issue", show=False, id="actions.issue", tooltip=ISSUE_HELP),
    ]

    def compose_body(self) -> ComposeResult:
        today = self.app.today()

        def due(item: dict[str, Any]) -> Text:
            if not item["due"]:
                return Text("no due date", style="dim") if item["status"] in OPEN else Text("")
            if overdue(item, today):
                return Text(f"⚠ {item['due']} overdue", style="bold red")
            return Text(item["due"])

        def owner(item: dict[str, Any]) -> Text:
            return literal(item["owner"]) if item["owner"].strip() else Text("⚠ no owner", style="bold yellow") \
                if item["status"] in OPEN else Text("")

        def status(item: dict[str, Any]) -> Text:
            words = ACTION_WORDS[item["status"]]
            tracker = beside(item["status"], item.get("tracker_state"), item.get("tracker_label"))
            if item["status"] == ActionStatus.wont_do:
                return literal(f"{words}: {item['status_note']}" if item["status_note"].strip()
                               else f"{words}: ⚠ no reason") + tracker
            return Text(words, style="bold green" if item["status"] == ActionStatus.done else "") + tracker

        with VerticalScroll(id="actions", classes="section-body"):
            yield Static("", id="actions-summary")
            yield ListEditor(
                ItemKind.action, "Action items", self.review_id,
                [
                    Column("title", "Action", flex=True),
                    Column("type", "Type", width=8, optional=True),
                    Column("owner", "Owner", owner),
                    Column("priority", "Priority", width=8),
                    Column("due", "Due", due),
                    Column("status", "Status", status),
                    Column("tracker", "Tracker", optional=True),
                ],
                action_fields,
                to_store=action_values,
                empty="No action items yet. Press a to add one: how do we make this less likely, "
                      "detect it sooner, or make it smaller?",
                id="action-items",
            )
            yield Static("", id="action-detail")

    def on_mount(self) -> None:
        super().on_mount()
        self.show_summary()

    def refresh_from_store(self) -> None:
        super().refresh_from_store()
        self.show_summary()

    def on_list_editor_changed(self) -> None:
        self.show_summary()

    def show_figures(self) -> None:  # another seat changed the list: the counts follow
        self.show_summary()

    def on_data_table_row_highlighted(self) -> None:
        item = self.editor.selected()
        detail = self.query_one("#action-detail", Static)
        if item is None:
            detail.update("")
            return
        desc = item["description"].strip()
        link = (item.get("tracker") or "").strip()
        said = item.get("tracker_label") or ""
        tracker = (("\nTracker: ", "dim"), literal(link), (f" (says {said})" if said else "", "dim")) if link else ()
        detail.update(Text.assemble(literal(item["title"], "bold"), *(("\n", literal(desc)) if desc else ()), *tracker))

    @property
    def editor(self) -> ListEditor:
        return self.query_one(ListEditor)

    def show_summary(self) -> None:
        items = self.app.store.list_items(ItemKind.action, self.review_id)
        today = self.app.today()
        open_items = [i for i in items if i["status"] in OPEN]
        late = [i for i in items if overdue(i, today)]
        no_owner = [i for i in open_items if not i["owner"].strip()]
        parts = [f"{len(items)} action item{'' if len(items) == 1 else 's'}", f"{len(open_items)} open",
                 f"{len(late)} overdue"]
        if no_owner:
            parts.append(f"{len(no_owner)} without an owner")
        self.query_one("#actions-summary", Static).update(
            " · ".join(parts) + "\nAsk: is each one specific and bounded? Who owns it? By when?")

    # ------------------------------------------------------------ quick status
    def _set_status(self, status: str, note: str | None = None) -> None:
        item = self.editor.selected()
        if item is None:
            return
        values: dict[str, Any] = {"status": status}
        if note is not None:
            values["status_note"] = note
        before = dict(item)
        try:  # with the version this list showed: a status racing another seat's edit is not written
            if isinstance(self.app.write(lambda: self.app.store.update_item(
                    ItemKind.action, item["id"], expected_version=item["version"], **values)), NotSaved):
                return
        except Conflict as c:  # shown in place: the item's form, theirs with this status on top
            self.editor.reload(keep_id=item["id"])
            from pmtui.screens._list_actions import edit_in_conflict

            edit_in_conflict(self, self.editor, item, values, c, f"Status: {status.replace('_', ' ')} · {self.editor.title}")
            return
        self.app.push_item_edit(f"status set to {ACTION_WORDS[status]}", ItemKind.action, self.review_id, item["id"],
                                before)
        self.editor.reload(keep_id=item["id"])
        self.show_summary()

    def action_done(self) -> None:
        self._set_status(ActionStatus.done)

    def action_push_tracker(self) -> None:
        from pmtui.screens._tracker_actions import push_item

        item = self.editor.selected()
        if item is not None:
            push_item(self, self.review_id, item, lambda: self.editor.reload(keep_id=item["id"]))

    def action_open_issue(self) -> None:
        from pmtui.screens._tracker_actions import open_issue

        item = self.editor.selected()
        if item is not None:
            open_issue(self.app, item["tracker"])

    def action_progress(self) -> None:
        self._set_status(ActionStatus.in_progress)

    def action_wont_do(self) -> None:
        item = self.editor.selected()
        if item is None:
            return

        def done(reason: str | None) -> None:
            if reason:
                self._set_status(ActionStatus.wont_do, reason)
            self.editor.focus_list()

        self.app.push_screen(wont_do_prompt(f"Why won't “{item['title']}” be done?", item["status_note"]), done)
