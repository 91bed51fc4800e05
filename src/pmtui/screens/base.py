"""What every section of a review shares: the header, the stage bar, keys to move
between sections, the footer, and refreshing from the store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from pmtui.domain.meeting import Meeting
from pmtui.domain.vocab import ItemKind, Section
from pmtui.errors import Conflict, FieldErrors, PmtuiError
from pmtui.keys import key_label, palette_bindings, section_bindings
from pmtui.safetext import one_line
from pmtui.screens import SCREENS_CSS, _kept, _list_actions, _note_actions, _staged
from pmtui.ui_types import FormRequested, NotSaved, TypedApp
from pmtui.widgets.field import Field
from pmtui.widgets.list_editor import ListEditor
from pmtui.widgets.meeting_bar import MeetingBar
from pmtui.widgets.notes_panel import NotesPanel
from pmtui.widgets.stage_bar import SECTION_KEYS, SECTION_LABELS, SECTION_STAGE, SECTIONS, StageBar

STEP_TEXT = "previous / next section"


class SectionScreen(TypedApp, Screen[None]):
    CSS_PATH = SCREENS_CSS
    SECTION: str = Section.overview
    _meeting_shown = False  # the meeting line was filled once: a meeting appearing since was started elsewhere
    # the section's own first list, table or field (never a scroll container or the notes panel)
    AUTO_FOCUS = "#section-main TimelineTable, #section-main DataTable, #section-main ListEditor, #section-main Input, #section-main TextArea, #section-main Select"
    BINDINGS = [
        *section_bindings("section", "go."),
        Binding("ctrl+left", "step(-1)", "Previous section", show=False, id="go.prev", tooltip=STEP_TEXT),
        Binding("ctrl+right", "step(1)", "Next section", show=False, id="go.next", tooltip=STEP_TEXT),
        Binding("f8", "home", "Reviews", key_display="F8", id="go.home", tooltip="back to the list of reviews"),
        # in help and the palette; not in the footer, whose room at 80 columns is the section's own keys
        Binding("ctrl+f", "search", "Search", id="go.search", priority=True, show=False,
                tooltip="search every review (Enter opens a match, Esc comes back here)"),
        Binding("escape", "escape", "Close", show=False, id="go.escape",
                tooltip="close the notes panel (F8 leaves the review); in a form: save and close"),
        Binding("f9", "next_prompt", "Next prompt", show=False, id="meeting.prompt", tooltip="next prompt card"),
        Binding("f10", "toggle_panel", "Notes", show=False, id="meeting.panel",
                tooltip="go to the notes panel (t, f, o, a turn a note into an event, factor, observation, "
                        "action); again hides it"),
        Binding("ctrl+t,ctrl+b", "next_stage", "Next stage", show=False, id="meeting.next",
                tooltip="meeting: next stage (after the last: end); ctrl+b in a browser"),
        Binding("ctrl+g", "pause", "Pause/resume meeting", show=False, id="meeting.pause",
                tooltip="meeting: pause and resume the clock"),
        Binding("ctrl+k", "copy_join", "Copy the join command", show=False, id="meeting.join",
                tooltip="copy the command a second seat runs to join this review"),
        Binding("ctrl+u", "follow", "Follow the meeting", show=False, id="meeting.follow", priority=True,
                tooltip="follow the facilitator to each stage and event (on by default); again: look around freely"),
    ]

    def __init__(self, review_id: int, pending: str | None = None) -> None:
        super().__init__()
        self.review_id = review_id
        self.review: dict[str, Any] = {}
        # opened from the list: shown at once with this line, the content mounted in pieces
        # (screens/_staged.py); the screen's Mount waits for it
        self.pending = pending
        self._held_mount: Any = None
        self._missed_changes = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield StageBar()
        yield MeetingBar()
        with Horizontal(id="section-row"):
            with Vertical(id="section-main"):
                if self.pending is not None:
                    yield _staged.Loading(self.pending)
                else:
                    yield from self.compose_body()
            yield NotesPanel(self.review_id, SECTION_STAGE[self.SECTION])
        yield Footer()

    async def _dispatch_message(self, message: Any) -> None:
        """A section opened from the list: its Mount (every ``on_mount``) is handled once its
        content is mounted; meanwhile the screen shows and handles its messages."""
        from textual import events

        if self.pending is not None and isinstance(message, events.Mount):
            self._held_mount = message
            self.load_review()  # the header at once
            self.call_after_refresh(lambda: self.run_worker(self._mount_content(), group="section-content"))
            return
        await super()._dispatch_message(message)

    async def _mount_content(self) -> None:
        loading = self.query_one(_staged.Loading)
        await _staged.mount_content(self, loading)
        self.call_later(self._content_mounted, loading)

    async def _content_mounted(self, loading: _staged.Loading) -> None:
        self.pending = None
        await self._dispatch_message(self._held_mount)
        self.call_after_refresh(self._hand_over, loading)  # (its own turn: this one laid out the whole section)

    def _hand_over(self, loading: _staged.Loading) -> None:
        if not self.is_attached:
            return
        self.on_resize()  # what a section does for its first size, now that its content is there
        if self.focused is None or self.focused is loading:
            self.set_focus(self.main_widget())  # at once: the keys handed on below go there
        loading.display = False
        loading.hand_on()
        self.set_timer(1, loading.remove)
        if self._missed_changes:
            self.refresh_from_store()

    def on_key(self, event: Any) -> None:
        """A key typed before the loading line had the focus: kept with those it holds."""
        if self.pending is not None and isinstance(self.focused, _staged.Loading):
            self.focused.on_key(event)

    def on_form_requested(self, message: FormRequested) -> None:
        """A widget asks for a form: it opens over this section."""
        message.stop()
        self.open_form(message)

    def open_form(self, request: FormRequested) -> None:
        from pmtui.screens.form import FormScreen

        self.app.push_screen(FormScreen(request.title, request.fields, request.save, version=request.version,
                                        readd=request.readd, conflict=request.conflict), request.done)

    # The section's lists and its notes panel write nothing themselves: they ask, and the
    # screen writes (screens/_list_actions.py, screens/_note_actions.py).
    def on_list_editor_add_requested(self, message: ListEditor.AddRequested) -> None:
        message.stop()
        _list_actions.add(self, message.editor)

    def on_list_editor_edit_requested(self, message: ListEditor.EditRequested) -> None:
        message.stop()
        _list_actions.edit(self, message.editor, message.item)

    def on_list_editor_delete_requested(self, message: ListEditor.DeleteRequested) -> None:
        message.stop()
        _list_actions.delete(self, message.editor, message.item)

    def on_list_editor_move_requested(self, message: ListEditor.MoveRequested) -> None:
        message.stop()
        _list_actions.move(self, message.editor, message.item, message.offset)

    def on_field_took_theirs(self, message: Field.TookTheirs) -> None:
        """Take theirs replaced the seat's typing: it is put aside, and ctrl+z puts it back."""
        message.stop()
        _kept.took_theirs(self, message.field, message.mine)

    def on_notes_panel_answer_requested(self, message: NotesPanel.AnswerRequested) -> None:
        message.stop()
        _note_actions.answered(self, message.note)

    def on_notes_panel_delete_requested(self, message: NotesPanel.DeleteRequested) -> None:
        message.stop()
        _note_actions.delete(self, message.panel, message.note)

    def on_notes_panel_edit_requested(self, message: NotesPanel.EditRequested) -> None:
        message.stop()
        _note_actions.edit(self, message.panel, message.note)

    def on_notes_panel_convert_requested(self, message: NotesPanel.ConvertRequested) -> None:
        message.stop()
        _note_actions.convert(self, message.panel, message.note, message.target)

    def compose_body(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def on_mount(self) -> None:
        self.app.remember_place(self.review_id, self.SECTION)
        self.query_one(StageBar).section = self.SECTION
        self.set_class(self.app.presentation, "-presentation")
        self.load_review()
        for field in self.query(Field):
            field.zone = self.review.get("timezone")  # times it shows are the review's
            if field.field_name in self.review:
                field.version = self.review.get("version")
        self.show_meeting()
        self.set_interval(1.0, self.tick)
        _kept.offer(self.app, self.review_id)  # words this seat put aside earlier: said once

    def on_resize(self) -> None:
        self.show_panel()
        self.show_header()

    # ------------------------------------------------------------ meeting
    def show_panel(self) -> None:
        wanted = self.app.panel_wanted
        # shown when the screen is wide (not in presentation mode), or when asked for with F10
        # from the app's "-wide" breakpoint on (the width itself: this runs before the screen's class is set)
        wide = next(w for w, name in type(self.app).HORIZONTAL_BREAKPOINTS or () if name == "-wide")
        shown = (self.size.width >= wide and not self.app.presentation) if wanted is None else wanted
        panel = self.query_one(NotesPanel)
        had_focus = panel.has_focus_within
        panel.display = shown
        if had_focus and not panel.display:
            self.focus_main()
            self.set_timer(0.05, self.keep_focus)  # after the layout that drops a hidden widget's focus
        self.call_after_refresh(self.keep_focus)

    def keep_focus(self) -> None:
        """Never leave the focus on nothing, or on a widget that is hidden."""
        if not self.is_attached or self.app.screen is not self:
            return
        focused = self.focused
        if focused is None or not focused.display or not all(a.display for a in focused.ancestors_with_self
                                                              if a is not self and hasattr(a, "display")):
            self.focus_main()

    def focus_main(self) -> None:
        """Focus the first thing in the section itself (not the notes panel)."""
        widget = self.main_widget()
        if widget is not None:
            widget.focus()

    def main_widget(self) -> Any:
        """The first thing in the section itself that takes the focus, if any."""
        from textual.containers import ScrollableContainer

        main = self.query_one("#section-main")
        preferred = main.query(self.AUTO_FOCUS.replace("#section-main ", ""))
        for widget in preferred:
            if widget.focusable:
                return widget
        for widget in main.query("*"):
            if widget.focusable and not isinstance(widget, ScrollableContainer):
                return widget
        return None

    def action_toggle_panel(self) -> None:
        """F10: show the notes panel and go to its notes; pressed there, hide it."""
        from textual.widgets import DataTable

        panel = self.query_one(NotesPanel)
        table = panel.query_one(DataTable)
        if panel.display and table.has_focus:
            self.app.panel_wanted = False
            self.show_panel()
            return
        self.app.panel_wanted = True
        self.show_panel()
        if panel.display:
            table.focus()

    def action_next_prompt(self) -> None:
        panel = self.query_one(NotesPanel)
        stage = panel.current_stage()
        self.app.prompt_index[stage] = self.app.prompt_index.get(stage, 0) + 1
        panel.show_prompt()
        if not panel.display:
            questions = self.app.prompts.get(stage, [])
            if questions:
                self.notify(questions[self.app.prompt_index[stage] % len(questions)], title="Ask", timeout=8)

    def show_meeting(self) -> None:
        bar = self.query_one(MeetingBar)
        people = self.app.store.list_items(ItemKind.participant, self.review_id)
        bar.facilitator = ", ".join(p["name"] for p in people if p["role"].strip().lower() == "facilitator")
        bar.note_taker = ", ".join(p["name"] for p in people if p["role"].strip().lower() in ("note-taker", "note taker", "notetaker"))
        meeting = self.app.store.get_meeting(self.review_id)
        before = bar.meeting
        bar.zone = self.review.get("timezone") if getattr(self, "review", None) else None  # the review's clock
        bar.meeting = meeting
        bar.following = self.app.following
        bar.now = self.app.now()
        self.people = people
        # another seat moved the meeting (or started it, while this section was shown): say who
        # and when, here too; a following seat goes along
        started = before is None and self._meeting_shown
        self._meeting_shown = True
        if (meeting is not None and meeting.last_move and (before is not None or started)
                and (before is None or (meeting.moved_at, meeting.last_move) != (before.moved_at, before.last_move))
                and meeting.moved_by != self.app.author):
            if not self.follow_meeting(meeting, before):
                self.notify(meeting.move_line(bar.zone), timeout=6)
        elif meeting is None and before is not None and self.is_current:
            self.notify("The meeting was ended.", timeout=6)
        if meeting is not None and self.app.following and meeting.moved_by != self.app.author:
            self.follow_walk(meeting)

    def follow_meeting(self, meeting: Meeting, before: Meeting | None) -> bool:
        """Another seat started the meeting (``before`` None), moved it on or ended it: a seat
        that follows goes to the stage's first section (the report once it ended), saying who
        moved it. Not while a form or dialog is open over this section: it says where the
        meeting went instead."""
        from pmtui.domain.meeting import section_for

        if not self.app.following or (before is not None
                                      and (meeting.stage, meeting.ended) == (before.stage, before.ended)):
            return False
        target = section_for(meeting, self.SECTION)
        if target is None:
            return False
        if not self.is_current:
            self.notify(f"{meeting.move_line(self.query_one(MeetingBar).zone)} · {SECTION_KEYS[target]} goes there", timeout=8)
            return True
        self.notify(f"{meeting.move_line(self.query_one(MeetingBar).zone)}: following (ctrl+u stops following)", timeout=6)
        self.action_section(target)
        return True

    def follow_walk(self, meeting: Meeting) -> None:
        """The facilitator walks through the timeline: a following seat goes to the
        timeline, which opens the walk-through on the facilitator's event."""
        if meeting.walk_event is not None and not meeting.ended and self.is_current \
                and self.SECTION != Section.timeline:
            self.action_section(Section.timeline)

    def action_follow(self) -> None:
        """ctrl+u: follow the facilitator (the default), or stop following to look elsewhere."""
        from pmtui.domain.meeting import section_for

        self.app.following = not self.app.following
        self.query_one(MeetingBar).following = self.app.following
        meeting = self.app.store.get_meeting(self.review_id)
        if not self.app.following:
            self.notify("Not following the meeting: look around freely; ctrl+u follows it again.", timeout=4)
            return
        target = section_for(meeting, self.SECTION) if meeting is not None else None
        self.notify("Following the meeting" + (" to where it is now." if target else "."), timeout=3)
        if target is not None:
            self.action_section(target)
        elif meeting is not None:
            self.follow_walk(meeting)

    def tick(self) -> None:
        bar = self.query_one(MeetingBar)
        if bar.meeting is not None:
            bar.now = self.app.now()

    def action_next_stage(self) -> None:
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is None:
            self.notify("The meeting has not started: open it with ctrl+o.", timeout=3)
            return
        if meeting.ended:
            self.notify(meeting.status(self.app.now()) + ".", timeout=3)
            return
        if not self.app.may_move_meeting(self.review_id):
            return
        from pmtui.domain.meeting import STAGE_NAMES, section_for

        if meeting.next_stage(self.app.now()):
            meeting.moved(self.app.author, self.app.now(), f"moved the meeting to {STAGE_NAMES[meeting.stage]}")
            if isinstance(self.app.write(lambda: self.app.store.save_meeting(self.review_id, meeting)), NotSaved):
                return
            self.notify(f"Now: {STAGE_NAMES[meeting.stage]} ({meeting.split[meeting.stage]} min)", timeout=3)
            target = section_for(meeting, self.SECTION)
            if target is not None:  # the facilitator goes where the meeting is: the stage's first section
                self.action_section(target)
                return
        else:  # the last stage: ending cannot be taken back, so it asks first
            from pmtui.screens.dialogs import ConfirmScreen

            def answer(yes: bool | None) -> None:
                if yes:
                    self.end_meeting()

            self.app.push_screen(ConfirmScreen("End the meeting? Its clock stops and the report (F7) is next.",
                                               yes="End the meeting", no="Keep going"), answer)
            return
        self.show_meeting()
        self.query_one(NotesPanel).show_prompt()

    def end_meeting(self) -> None:
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is None or meeting.ended:
            return
        from pmtui.domain.meeting import ENDED

        # kept, ended: the meeting line says when it ended, how long it took and who ended it
        meeting.end(self.app.now())
        meeting.moved(self.app.author, self.app.now(), ENDED)
        if isinstance(self.app.write(lambda: self.app.store.save_meeting(self.review_id, meeting)), NotSaved):
            return
        self.notify("Meeting ended. The report (F7) and its readiness check are next.", timeout=4)
        if self.SECTION != Section.report:  # the report is next: the facilitator goes there
            self.action_section(Section.report)
            return
        self.show_meeting()
        self.query_one(NotesPanel).show_prompt()

    def action_pause(self) -> None:
        meeting = self.app.store.get_meeting(self.review_id)
        if meeting is None or meeting.ended:
            self.notify("The meeting is not running: open it with ctrl+o.", timeout=3)
            return
        if not self.app.may_move_meeting(self.review_id):
            return
        if meeting.paused:
            meeting.resume(self.app.now())
            meeting.moved(self.app.author, self.app.now(), "resumed the meeting")
        else:
            meeting.pause(self.app.now())
            meeting.moved(self.app.author, self.app.now(), "paused the meeting")
        if isinstance(self.app.write(lambda: self.app.store.save_meeting(self.review_id, meeting)), NotSaved):
            return
        self.show_meeting()

    def load_review(self) -> None:
        self.review = self.app.store.get_review(self.review_id)
        self.show_header()

    _present: list[dict[str, Any]] = []  # who is in this review now (the last heartbeat's reading)

    def show_header(self) -> None:
        """Title — section · who is here · slug · ^k join, fitted to the screen's width:
        names shorten and collapse into +N, and the title is cut after a word, before
        anything is cut in the middle (seats.fit_header)."""
        from pmtui.domain.seats import fit_header

        if not getattr(self, "review", None):
            return
        slug = one_line(self.review["slug"])
        width = self.size.width or self.app.size.width
        seats = [{**s, "name": one_line(s.get("name") or "")} for s in self._present]
        section = SECTION_LABELS[self.SECTION] if getattr(self.app, "live", True) else f"⚠ not live · {SECTION_LABELS[self.SECTION]}"
        self.title, self.sub_title = fit_header(one_line(self.review["title"]), section, seats,
                                                width, extra=(slug, "^k join") if slug else ())

    def join_command(self) -> str:
        """What a second seat (the note-taker's terminal) runs to open this review: the store
        as the user spelled it, without its password (see :meth:`join_note`)."""
        import shlex

        where = self.app.store.location.for_another_seat()
        return f"pmtui --db {shlex.quote(where)} --as NAME open {shlex.quote(self.review['slug'])}"

    def join_note(self) -> str:
        """How the other seat gets the password the join command leaves out ('' when none)."""
        import shlex

        if not self.app.store.location.has_password:
            return ""
        return ("The password is not shown: the other seat gives it through PGPASSWORD, ~/.pgpass or a "
                "pg_service.conf entry, or puts the whole URL in PMTUI_DB and runs "
                f"pmtui --as NAME open {shlex.quote(self.review['slug'])}")

    def action_copy_join(self) -> None:
        command = self.join_command()
        self.app.copy_to_clipboard(command)  # OSC 52: where the terminal allows it
        note = self.join_note()
        self.notify(f"Second seat: {command}\n(copied where the terminal allows it)" + (f"\n{note}" if note else ""),
                    title="Join this review", timeout=15 if note else 10, markup=False)

    def on_screen_resume(self) -> None:
        if self.pending is not None:  # its content reads the store as it is mounted
            return
        self.refresh_from_store()
        self.call_after_refresh(self.keep_focus)

    def refresh_from_store(self) -> None:
        """Show what the store holds now (after an undo, or another process's change)."""
        self.refresh_fields()
        for editor in self.query(ListEditor):
            editor.reload()
        self.query_one(NotesPanel).reload()
        self.show_meeting()
        self.call_after_refresh(self.keep_focus)

    def refresh_fields(self) -> None:
        self.load_review()
        r = self.review
        for field in self.query(Field):
            if field.field_name in r:
                field.set_value(r[field.field_name], r.get("version"), r.get("updated_by") or "", r.get("updated_at") or "")

    # kinds whose change only one part of a section shows
    PART_KINDS = {"meeting", "note", "note_link", "participant", "review", "tags", "presence"}

    def store_changed(self, changes: list[dict[str, Any]]) -> None:
        """Another seat committed: refresh only what it changed, keeping cursor, scroll and
        focus. SQLite says only that something changed (kind None): then everything."""
        mine = [c for c in changes if c.get("review") in (None, self.review_id)]
        if not mine:
            return
        if self.pending is not None:  # read again once the content is mounted
            self._missed_changes = True
            return
        kinds = {c.get("kind") for c in mine}
        if None in kinds or not kinds <= (self.PART_KINDS | {e.kind for e in self.query(ListEditor)}):
            self.refresh_from_store()
            return
        if kinds & {"review", "tags"}:
            self.refresh_fields()
        for editor in self.query(ListEditor):
            if editor.kind in kinds:
                editor.reload()
        if kinds & {"note", "note_link"}:
            self.query_one(NotesPanel).reload()
        if kinds & {"meeting", "participant"}:
            self.show_meeting()
        if kinds & {"presence", "participant"}:
            self.show_presence()
        if kinds - {"presence"}:
            self.show_figures()

    def show_figures(self) -> None:
        """Counts and summaries this section shows beside its lists (refreshed with them
        when another seat changes the review): overridden where a section has any."""

    def show_presence(self) -> None:
        """The header: who is in this review now, and in which role."""
        try:
            seats = self.app.store.present(self.review_id)
        except PmtuiError:
            return
        self._present = seats
        self.show_header()

    # ------------------------------------------------------------ fields
    def flush(self) -> None:
        """Confirm every field the user changed (before leaving the screen)."""
        for field in self.query(Field):
            field.confirm()

    def on_field_confirmed(self, message: Field.Confirmed) -> None:
        name = message.field.field_name
        field = message.field
        self.expected_version = field.version
        old = field.saved
        try:
            try:
                stored = self.save_field(name, message.value)
            except Conflict as c:
                if c.current is None or c.current.get(name) != field.saved:
                    field.show_conflict(c, message.value)  # this very field changed: the seat chooses
                    return
                self.expected_version = c.current_version  # only other fields of the row changed
                stored = self.save_field(name, message.value)
        except Conflict as c:
            field.show_conflict(c, message.value)
            return
        except FieldErrors as exc:
            message.field.set_error(exc.fields.get(name, exc.message))
            return
        except PmtuiError as exc:  # bad input, or a store that is locked, full or gone
            message.field.set_error(exc.message)
            return
        message.field.saved = stored
        _kept.field_saved(message.field, stored)
        message.field.set_error(None)
        message.field.theirs = None
        message.field.query_one(".field-changed").display = False
        self.load_review()
        if name in self.review:
            message.field.version = self.review.get("version")
        if old != stored:
            self.push_field_undo(name, old, stored)

    expected_version: int | None = None

    def push_field_undo(self, name: str, old: Any, new: Any) -> None:
        """ctrl+z puts the field's previous text back, ctrl+y this one again. Each step states
        the version it starts from; a change by another seat to this very field since makes
        the step a conflict (reported, nothing overwritten), a change to another field does not."""
        store, rid = self.app.store, self.review_id

        def put(value: Any, now: Any) -> None:  # compare-and-set on this field (tags too)
            store.update_if_unchanged("review", rid, {name: now}, **{name: value})

        label = name.replace("_", " ")
        self.app.push_undo(f"changed the {label}", lambda: put(old, new), lambda: put(new, old), quiet=True)

    def save_field(self, name: str, value: Any) -> Any:
        assert self.expected_version is not None  # the review's version, read with the field
        return self.app.store.update_review(self.review_id, expected_version=self.expected_version,
                                            **{name: value})[name]

    # ------------------------------------------------------------ navigation
    def action_section(self, section: str) -> None:
        if section == self.SECTION:
            return
        self.flush()
        self.app.show_section(self.review_id, section)

    def action_step(self, offset: int) -> None:
        i = SECTIONS.index(self.SECTION)
        self.action_section(SECTIONS[(i + offset) % len(SECTIONS)])

    def action_home(self) -> None:
        """F8: back to the list of reviews (Escape never leaves the review)."""
        self.flush()
        self.app.pop_screen()

    def action_search(self) -> None:
        from pmtui.screens.search import SearchScreen

        self.flush()
        self.app.push_screen(SearchScreen())

    def action_escape(self) -> None:
        """Escape closes the innermost thing: the notes panel when it has the focus.
        With nothing to close it stays on the review and says how to leave."""
        panel = self.query_one(NotesPanel)
        if panel.display and panel.has_focus_within:
            self.app.panel_wanted = False
            self.show_panel()
            return
        self.notify("F8 goes back to the list of reviews.", timeout=2)

    def palette_commands(self) -> Iterable[SystemCommand]:
        for section in SECTIONS:
            if section != self.SECTION:
                yield SystemCommand(f"Go to: {SECTION_LABELS[section]}", f"Show the review's {section} section",
                                    lambda s=section: self.action_section(s))
        # this screen's keys (its focused list or table, the screen, the app), not the palette's
        # own: the palette is the app's current screen while it asks for these
        nodes: dict[int, Any] = {}
        found: list[Binding] = []
        for node, bindings in self._modal_binding_chain:
            for _key, binding in bindings:
                if id(binding) not in nodes and self.app._check_action_state(binding.action, node) is not False:
                    nodes[id(binding)] = node
                    found.append(binding)
        for b in palette_bindings(found):
            node = nodes[id(b)]
            keys = "  ".join(key_label(k.strip()) for k in b.key.split(","))
            yield SystemCommand(f"{SECTION_LABELS[self.SECTION]}: {b.description}", f"key: {keys}",
                                lambda b=b, node=node: self.app.run_action(b.action, node))
