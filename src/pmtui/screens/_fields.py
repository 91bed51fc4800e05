"""Parsing what is typed into review fields (shared by the section screens)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import available_timezones

from pmtui.domain.entry import parse_day
from pmtui.domain.vocab import REVIEW_STATUS_WORDS
from pmtui.errors import BadInput


def optional_text(text: str) -> str | None:
    return text if text.strip() else None


def optional_int(text: str) -> int | None:
    t = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if not t:
        return None
    if not t.lstrip("-").isdigit():
        raise BadInput(f"write a whole number, like 12400 (got {text.strip()!r})")
    return int(t)


def optional_float(text: str) -> float | None:
    t = text.strip().rstrip("%").strip()
    if not t:
        return None
    try:
        return float(t)
    except ValueError:
        raise BadInput(f"write a number, like 38.5 (got {text.strip()!r})") from None


def optional_day(text: str) -> str | None:
    day = parse_day(text)
    return day.isoformat() if day else None


def show_number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def zone_name(text: str) -> str:
    t = text.strip()
    if t in available_timezones() or t == "UTC":
        return t
    matches = sorted(z for z in available_timezones() if z.lower() == t.lower() or z.lower().endswith("/" + t.lower()))
    if len(matches) == 1:
        return matches[0]
    raise BadInput(f"unknown time zone {t!r}: use an IANA name like Europe/Berlin, America/New_York or UTC")


STATUS_OPTIONS = [(words, status.value) for status, words in REVIEW_STATUS_WORDS.items()]
STATUS_WORD = {value: words for words, value in STATUS_OPTIONS}  # a stored status in words


def more_fields(model: Any, item: dict[str, Any], laid_out: list[Any], not_shown: tuple[str, ...] = ()) -> list[Any]:
    """Form fields for the fields of a document model that a form does not lay out
    itself (``laid_out``: its FormFields), in the model's order, labelled with the field's
    ``title=``: a field added to the document appears in its form without another edit.
    Text is a line (``Text``, Markdown: a text area), an enum a choice of its values, a
    flag a checkbox; another type (a date) must be laid out by the form itself.
    ``not_shown``: fields the form leaves out on purpose (the list fills them in, or
    another screen edits them) and lists (kept in a table of their own)."""
    from enum import Enum
    from typing import get_origin

    from pmtui.domain.document import field_label, text_type
    from pmtui.screens.form import FormField

    known = {f.name for f in laid_out} | set(not_shown)
    known |= {name for name, info in model.model_fields.items() if get_origin(info.annotation) is list}
    out = []
    for name, info in model.model_fields.items():
        if name in known:
            continue
        label, default = field_label(model, name), info.get_default(call_default_factory=True)
        kind = text_type(model, name)
        if kind is not None:
            out.append(FormField(name, label, item.get(name, default), kind="area" if kind.endswith("Text") else "text"))
        elif info.annotation is bool:
            out.append(FormField(name, label, bool(item.get(name, default)), kind="bool"))
        elif isinstance(info.annotation, type) and issubclass(info.annotation, Enum):
            value = item.get(name, default.value if isinstance(default, Enum) else default)
            out.append(FormField(name, label, value, kind="select", options=[(m.value, m.value) for m in info.annotation]))
        else:
            raise TypeError(f"{model.__name__}.{name}: no form field for {info.annotation!r} (lay it out in the form)")
    return out


def list_form(model_name: str, laid_out: Callable[[dict[str, Any] | None], list[Any]],
              not_shown: tuple[str, ...] = ()) -> Callable[[dict[str, Any] | None], list[Any]]:
    """The form of a list's item: the fields ``laid_out`` gives (with their words and
    hints), then every other field of the item's document model (more_fields; the model
    named, read from pmtui.domain.document when the form opens), so that a field added to the
    document is in the form without an edit here."""
    def fields(item: dict[str, Any] | None) -> list[Any]:
        from pmtui.domain import document

        own = laid_out(item)
        return [*own, *more_fields(getattr(document, model_name), item or {}, own, not_shown)]

    return fields


def _forms(model: Any) -> tuple[str, tuple[tuple[Any, ...], ...]]:
    """The model's name and its fields' layouts, generated from its declarations into
    pmtui.domain.plain_fields.FORMS (store/plain_plan.py): a screen lays its fields out
    without importing the document models (pydantic) before its first frame."""
    from pmtui.domain.plain_fields import FORMS

    name = model if isinstance(model, str) else model.__name__
    return name, FORMS[name]


def review_field(model: Any, name: str, row: dict[str, Any], **override: Any) -> Any:
    """The field widget of one of the review's own fields (``ReviewDoc``) or its impact's
    (``Impact``; the model or its name), laid out from its declaration in
    pmtui.domain.document (as generated into plain_fields.FORMS): its label (``title=``,
    else its name in words), a text area for Markdown (``Text``), a line for other text,
    a whole number or a number for a count or a percentage, a date, a choice of an enum's
    values. ``override``: what this form says otherwise (a label, a placeholder, a
    parse...). A type this function does not know is a TypeError naming the field: lay it
    out in the screen."""
    from pmtui.widgets.field import Field

    model_name, forms = _forms(model)
    found = [entry for entry in forms if entry[0] == name]
    if not found:
        raise KeyError(f"{model_name}.{name} is no field the app edits by a review column")
    _, column, label, how, choices = found[0]
    options: dict[str, Any] = {}
    if how in ("area", "text"):
        options["kind"] = how
    elif how in ("str", "str?"):
        options["parse"] = optional_text if how == "str?" else None
    elif how == "select":
        options.update(kind="select", options=[(value, value) for value in choices])
    elif how == "int":
        options.update(parse=optional_int, show=show_number)
    elif how == "float":
        options.update(parse=optional_float, show=show_number)
    elif how == "date":
        options.update(parse=optional_day, placeholder="YYYY-MM-DD")
    elif "kind" not in override and "parse" not in override:
        raise TypeError(f"{model_name}.{name}: no form field for its type (lay it out in its screen)")
    options.update(override)
    label = options.pop("label", label)
    return Field(column, label, row[column], **{k: v for k, v in options.items() if v is not None})


def more_review_fields(model: Any, row: dict[str, Any], laid_out: tuple[str, ...]) -> list[Any]:
    """The widgets of the model's fields a screen does not lay out itself (``laid_out``:
    their names), in the model's order (review_field): a field added to the review or
    its impact is on its screen without an edit there. Lists are left out (their own
    editors)."""
    _, forms = _forms(model)
    return [review_field(model, entry[0], row) for entry in forms if entry[0] not in laid_out]
