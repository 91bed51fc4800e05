"""Every field of the review and of its impact is on its screen (Overview, Impact), can
be seen once the seat moves to it, and saves what is typed: the screens lay out some
fields with their own words and every other one from its declaration in
pmtui.domain.document (screens/_fields.more_review_fields), so a field added to the document
needs no screen edit. The fields are read from the models here too: none is listed."""

from __future__ import annotations

from typing import get_origin

import pytest
from textual.widgets import Label

from conftest import settle
from pmtui.domain import document as d
from pmtui.screens import impact, overview
from pmtui.widgets.field import Field

SCREENS = {"overview": (d.ReviewDoc, overview.LAID_OUT), "impact": (d.Impact, impact.LAID_OUT)}
# what a seat types into a field that says nothing of its value (a text type, a number) beyond its type
TYPED = {"timezone": "America/New_York", "started": "2026-03-10 14:00", "review_date": "2026-03-11",
         "severity": "SEV3", "incident_ref": "INC-7"}


def _fields() -> list[tuple[str, str]]:
    from pmtui.store.fields import REVIEW_FIELDS

    edited = {(model, field) for model, field in REVIEW_FIELDS.values()}
    return [(section, name) for section, (model, _) in SCREENS.items() for name, info in model.model_fields.items()
            if (model.__name__, name) in edited and get_origin(info.annotation) is not list]


FIELDS = _fields()


def test_the_screens_lay_out_fields_that_exist():
    for section, (model, laid_out) in SCREENS.items():
        assert set(laid_out) <= set(model.model_fields), section
    assert {n for s, n in FIELDS if s == "impact"} >= {"description", "users_affected", "data_loss",
                                                       "customer_communication"}


def _typed(model, name: str) -> str:
    if name in TYPED:
        return TYPED[name]
    kind = d.text_type(model, name)
    if kind is not None:
        return f"What the room said about {name}"
    return "12"


@pytest.mark.parametrize("section,name", FIELDS, ids=[f"{s}.{n}" for s, n in FIELDS])
async def test_every_field_of_the_review_is_on_its_screen_visible_and_saves(store, demo, make_app, section, name):
    from pmtui.store.fields import REVIEW_FIELDS

    model = SCREENS[section][0]
    column = next(c for c, (m, f) in REVIEW_FIELDS.items() if m == model.__name__ and f == name)
    app = make_app(demo, section)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        found = app.screen.query(f"#field-{column}")
        assert len(found) == 1, (f"{model.__name__}.{name} is not on the {section} screen: lay it out there or let "
                                 f"_fields.more_review_fields do it (screens/{section}.py)")
        field = found.first(Field)
        control = field.control
        control.focus()
        await settle(app, pilot)
        # seen: the seat's terminal shows it where it is (scrolled to, not under anything)
        region = control.region
        assert region.area > 0 and app.screen.region.contains_region(region), f"{name}: not in view ({region})"
        shown = app.screen.get_widget_at(region.x + 1, region.y)[0]
        assert shown is control or control in shown.ancestors_with_self, f"{name}: covered by {shown!r}"
        label = field.query_one(Label)
        assert field.label and str(label.render()) == field.label
        if name not in SCREENS[section][1]:  # laid out from its declaration: labelled with its title=
            assert field.label == d.field_label(model, name)
        assert label.region.area > 0 and app.screen.region.contains_region(label.region), f"{name}: label not in view"
        if field.kind == "select":
            return
        before = store.get_review(demo)[column]
        text = _typed(model, name)
        if hasattr(control, "load_text"):
            control.load_text(text)
            field.confirm()
        else:
            control.value = text
            await pilot.press("enter")
        await settle(app, pilot)
        after = store.get_review(demo)[column]
        assert after != before, f"{name}: typing {text!r} saved nothing"
        if d.text_type(model, name) is not None:
            assert after == text
