"""Every list's form shows the fields of its document model that it does not lay out
itself (pmtui.screens._fields.list_form): a field added to a list's item in
pmtui.domain.document is in the form on its screen without an edit there (ARCHITECTURE.md,
"Add a field"); what the form lays out keeps its order, words and hints."""

from __future__ import annotations

import pytest
from pydantic import create_model

from conftest import settle
from pmtui.domain import document as d
from pmtui.domain.vocab import ItemKind
from pmtui.widgets.list_editor import ListEditor

# screen -> the lists on it whose form is made from the document model, and the fields
# each lays out itself (in order)
SCREENS = {
    "analysis": {ItemKind.factor: ["text", "category"], ItemKind.observation: ["text"]},
    "overview": {ItemKind.participant: ["name", "role", "attended"], ItemKind.link: ["title", "url"]},
    "impact": {ItemKind.component: ["name", "status"]},
}
MODEL = {ItemKind.factor: "Factor", ItemKind.observation: "Observation", ItemKind.participant: "Participant",
         ItemKind.link: "Link", ItemKind.component: "Component"}


@pytest.mark.parametrize("screen", sorted(SCREENS))
async def test_a_field_added_to_a_list_item_is_in_its_form(screen, store, demo, make_app, monkeypatch):
    store.actor = "Amara Okafor"
    for name in {MODEL[kind] for kind in SCREENS[screen]}:
        wider = create_model(name, __base__=getattr(d, name),
                             owner_team=(d.Short, d.Field("", title="Owning team")), checked=(d.Flag, False))
        monkeypatch.setattr(d, name, wider)
    app = make_app(demo, screen)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        seen = set()
        for editor in app.screen.query(ListEditor):
            if editor.kind not in SCREENS[screen]:
                continue
            seen.add(editor.kind)
            item = editor.items[0] if editor.items else None
            fields = editor.fields({**(item or {}), "owner_team": "Payments"} if item else None)
            laid_out = SCREENS[screen][editor.kind]
            assert [f.name for f in fields] == [*laid_out, "owner_team", "checked"], editor.kind
            more = {f.name: (f.label, f.kind) for f in fields[len(laid_out):]}
            assert more == {"owner_team": ("Owning team", "text"), "checked": ("Checked", "bool")}
            if item:
                assert fields[len(laid_out)].value == "Payments"  # the form shows the stored value
        assert seen == set(SCREENS[screen])
