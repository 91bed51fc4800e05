"""Sections and their keys are declared once (vocab.SECTION_TABLE): the stage bar, the app's
and the screens' bindings, the meeting's moves and the notes' stages are read from it, and
`[keys]` in config.toml changes a key through Textual's keymap."""

from __future__ import annotations

import json

from textual.binding import Binding

from pmtui import config
from pmtui.domain import meeting, vocab
from pmtui.keymap import known_binding_ids, user_keymap
from pmtui.keys import key_label, short_key


def test_every_section_is_in_the_table_once_in_the_enums_order():
    assert [r.section for r in vocab.SECTION_TABLE] == list(vocab.Section)
    assert len({r.key for r in vocab.SECTION_TABLE}) == len(vocab.SECTION_TABLE)


def test_the_stage_bar_reads_the_table():
    from pmtui.widgets.stage_bar import SECTION_KEYS, SECTION_LABELS, SECTIONS, STAGES

    assert SECTIONS == [r.section.value for r in vocab.SECTION_TABLE]
    for r in vocab.SECTION_TABLE:
        assert SECTION_LABELS[r.section.value] == r.label
        assert SECTION_KEYS[r.section.value] == short_key(r.key)
    # one group per meeting stage, in the agenda's order, then what comes after the meeting
    names = [name for _, name, _, _ in STAGES]
    assert names == [vocab.STAGE_NAMES[s] for s in vocab.MeetingStage] + ["Report"]


def test_the_meeting_moves_through_the_tables_sections():
    for stage in vocab.MeetingStage:
        assert meeting.STAGE_SECTIONS[stage.value] == tuple(
            r.section.value for r in vocab.SECTION_TABLE if r.stage is stage)
    assert meeting.AFTER_THE_MEETING == "report"


def test_the_app_and_every_section_screen_bind_the_tables_keys():
    from pmtui.app import SECTION_SCREENS, PostmortemApp
    from pmtui.screens.base import SectionScreen

    app_keys = {b.id: b.key for b in PostmortemApp.BINDINGS if isinstance(b, Binding) and b.id}
    screen_keys = {b.id: b.key for b in SectionScreen.BINDINGS if isinstance(b, Binding) and b.id}
    for r in vocab.SECTION_TABLE:
        assert screen_keys[f"go.{r.section.value}"] == r.key
        if r.key.startswith("f"):  # F-keys work from anywhere in a review, dialogs included
            assert app_keys[f"app.go.{r.section.value}"] == r.key
        assert r.section in SECTION_SCREENS


def test_keys_in_the_config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"go.timeline" = "F11"\n"meeting.next" = "ctrl+b, ctrl+t"\n"bad" = 3\n')
    cfg = config.load(path)
    assert cfg.keys == {"go.timeline": "f11", "meeting.next": "ctrl+b,ctrl+t"}
    assert any("keys.bad" in p and "line 4" in p for p in cfg.problems), cfg.problems


def test_a_sections_key_is_one_id_and_unknown_ids_are_named():
    keymap, unknown = user_keymap({"go.timeline": "f11", "meeting.nxt": "ctrl+b"})
    assert keymap == {"go.timeline": "f11", "app.go.timeline": "f11"}
    assert unknown == ["meeting.nxt"]


def test_every_binding_has_an_id_the_keymap_can_name():
    ids = known_binding_ids()
    assert {"go.timeline", "meeting.next", "app.capture", "actions.done"} <= set(ids)
    assert all(key_label(b.key.split(",")[0]) for b in ids.values())


def test_pmtui_keys_lists_ids_keys_and_the_users_changes(cli, tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text('[keys]\n"meeting.next" = "ctrl+b"\n')
    monkeypatch.setenv("PMTUI_CONFIG", str(path))
    r = cli("keys", "--format", "json")
    assert r.code == 0, r.err
    rows = {row["id"]: row for row in json.loads(r.out)}
    assert rows["meeting.next"]["keys"] == "ctrl+b"
    assert rows["go.timeline"]["keys"] == "f3"
    assert "capture a note" in rows["app.capture"]["does"]


def test_global_options_after_any_command(cli, tmp_path):
    db = tmp_path / "after.db"
    r = cli("list", "--db", str(db), "--as", "Seat B", db=False)
    assert r.code == 0, r.err
    assert db.exists()
    r = cli("db", "upgrade", "--db", str(db), db=False)
    assert r.code == 0, r.err
