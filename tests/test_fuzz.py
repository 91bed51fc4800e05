"""Fuzz: mutate the example documents with hostile values and check that every
document import accepts also goes through everything a user does with it.

Values: markup-like and action-like text (``[b]``, ``[/var]``, ``[@click=app.quit]``),
control characters and terminal escapes, bidi overrides, HTML, strings at and past the
length limits, unusual zones and offsets, the daylight-saving hours, extreme dates,
integers at 64 bits, and values of the wrong type. A rejected document must be
rejected with a plain BadInput; an accepted one must export (JSON byte round trip
through the store, and Markdown), pass `pmtui check` without an exception, and open
in the app on its overview and timeline. Derandomized under CI (tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmtui.domain import document as d
from pmtui.domain.checks import check
from pmtui.domain.document import dumps, loads
from pmtui.errors import BadInput
from pmtui.export.report import render

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEEDS = [json.loads(p.read_text()) for p in sorted(EXAMPLES.glob("*.json"))]
SEEDS.append(json.loads(files("pmtui").joinpath("data/demo-review.json").read_text()))

HOSTILE = [
    "Disk full on [/var]", "[b]bold[/b] and [/] and [", "[@click=app.quit]quit[/]", "regex [a-z]+ stuck",
    "[link=https://example.org]x[/link]", "\x1b[31mred\x1b[0m\x1b]0;title\x07", "bell\x07 nul\x00 del\x7f",
    "tab\there\r\nnew line\u2028sep\u2029", "\u202eevil\u202c \u2066isolate\u2069 \u200fRTL mark",
    "<script>alert(1)</script>", "<b>html</b> &amp; &lt;", "`code` **bold** | pipe | # heading",
    "---\nfront: matter\n---", "{{ template }} ${HOME}", "emoji 🧯🔥 and combining e\u0301", "\\", "'\"", "-",
    "Ω≈ç√", "[/var/log/app.log] and [red]x[/red]", "x" * 190,
]
NEAR_LIMITS = [d.SHORT_TEXT_MAX, d.URL_MAX, d.LONG_TEXT_MAX]  # accepted where the field allows it
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12", "Asia/Kathmandu",
         "Australia/Lord_Howe", "America/St_Johns", "Antarctica/Troll", "Factory", "EST5EDT"]
BAD_ZONES = ["America", "America/", "localtime", "../etc/passwd", "Europe/Berlin ", "", "Z" * 65]
STAMPS = [
    "1000-01-02T00:00:00Z", "9999-12-30T23:59:59.999999Z", "9999-12-30T12:00:00-11:00",
    "2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00", "2026-03-29T02:30:00+01:00",
    "2026-03-10T10:00:00.000001+05:45", "2026-03-10T10:00:00-00:30", "2026-03-10T10:00:00+23:59",
    "2026-03-10T10:00:00.5-23:59", "2026-03-10 10:00:00z",
]
BAD_STAMPS = [
    "1000-01-01T23:59:59Z", "0999-12-31T10:00:00+01:00", "0001-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00",
    "9999-12-31T12:00:00+14:00", "2026-03-10T10:00:00+01:60", "2026-03-10T10:00:00+24:00", "2026-03-10T10:00:00",
    "2026-02-29T10:00:00Z", "2026-03-10T10:00:00.1234567Z",
]
DAYS = ["1000-01-01", "9999-12-31", "2024-02-29", "2026-03-10"]
BAD_DAYS = ["0999-12-31", "2026-02-29", "0001-01-01", "2026-3-1"]
INTS = [0, 1, 2**63 - 1, 1234]
BAD_INTS = [-1, 2**63, -(2**63), 10**30]
FLOATS = [0.0, 0.5, 100.0, 1e300, 1e-300, 7]
WRONG = [None, True, 3, 2.5, "text", [], {}, ["x"], {"a": 1}]


def text_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.builds(lambda base, n: (base * (n // len(base) + 1))[:n], st.sampled_from(HOSTILE[:10]),
                  st.sampled_from(NEAR_LIMITS)),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30),
    )


def field_at(path: tuple) -> tuple[Any, str, bool] | None:
    """(model, field, whether the place is one item of the field's list) of a place in a
    document, read from the document's models; None for a place that is no field."""
    from typing import get_origin

    model: Any = d.ReviewDoc
    found = None
    for i, part in enumerate(path):
        if isinstance(part, int):
            if found is None:
                return None
            if i == len(path) - 1:
                return (*found, True)
            continue
        if model is None or part not in model.model_fields:
            return None
        found = (model, part)
        annotation = model.model_fields[part].annotation
        model = d.item_model(annotation)
        if model is None and get_origin(annotation) is not list and i < len(path) - 1:
            return None
    return (*found, False) if found else None


def value_for(path: tuple, current: Any) -> st.SearchStrategy[Any]:
    """A hostile value for this place, by the type its field is declared with (nine times in
    ten one the format accepts there, so that most documents get through and are then
    exercised, else one it refuses)."""
    from datetime import date, datetime
    from enum import Enum
    from typing import get_args, get_origin

    from document_fields import plain

    at = field_at(path)
    model, name, item = at if at else (None, "", False)
    annotation = model.model_fields[name].annotation if model else None
    if item and annotation is not None:
        annotation = get_args(annotation)[0]  # one item of a list
    base = plain(annotation)[0] if annotation is not None else None
    if name == "timezone":
        good, bad = st.sampled_from(ZONES), st.sampled_from(BAD_ZONES)
    elif base is datetime:
        good, bad = st.sampled_from(STAMPS), st.sampled_from(BAD_STAMPS)
    elif base is date:
        good, bad = st.sampled_from(DAYS), st.sampled_from(BAD_DAYS)
    elif name == "format" or (isinstance(base, type) and issubclass(base, Enum)):
        good, bad = st.just(current), text_values()
    elif base is bool:
        good, bad = st.booleans(), st.sampled_from([0, 1, "true"])
    elif base is int:
        good, bad = st.sampled_from(INTS), st.sampled_from(BAD_INTS)
    elif base is float:
        good, bad = st.sampled_from(FLOATS), st.sampled_from([-1.0, 10**400])
    elif get_origin(annotation) is list and get_args(annotation)[0] is d.Mark:
        good = st.lists(st.sampled_from([m.value for m in d.Mark]), max_size=2, unique=True)
        bad = st.just(["outage"])
    elif isinstance(current, list):
        good, bad = st.just(current[:1] * 3), st.just(current[:1] * (d.ITEMS_MAX + 1))
    elif isinstance(current, dict):
        good, bad = st.just(current), st.just({**current, "extra": 1})
    else:
        good = text_values()
        bad = st.sampled_from(["", "  ", "x" * (d.LONG_TEXT_MAX + 1), "bad \ud800 surrogate"])
    return st.integers(0, 19).flatmap(lambda n: good if n < 18 else (bad if n == 18 else st.sampled_from(WRONG)))


def _a_value(model: Any, name: str) -> Any:
    """A plain value the format accepts for a field (JSON), from its type."""
    from datetime import date, datetime
    from enum import Enum
    from typing import get_args, get_origin

    from document_fields import plain

    annotation = model.model_fields[name].annotation
    if get_origin(annotation) is list:
        return [] if get_args(annotation)[0] is d.Mark or d.item_model(annotation) else ["Seed text"]
    base = plain(annotation)[0]
    if isinstance(base, type) and issubclass(base, Enum):
        return next(iter(base)).value
    return {bool: False, int: 1, float: 1.5, date: DAYS[3], datetime: STAMPS[5]}.get(base, "Seed text")


def every_field(seed: dict) -> dict:
    """The seed with every field of the document's models that it leaves out (in the
    objects it has, and the first item of each list), so that the fuzzer mutates every
    field, a field added to the document too."""
    from document_fields import fields, set_path

    out = json.loads(json.dumps(seed))
    out.setdefault("meeting", {"started": STAMPS[5], "ended": None, "stages": [  # the four stages, in order
        {"stage": s.value, "timebox_minutes": 10, "took_seconds": None} for s in d.MeetingStage]})
    for model, name, path in fields():
        parts = path.replace("]", "").replace("[", ".").split(".")
        node: Any = out
        for j, part in enumerate(parts[:-1]):
            if not part.isdigit() and isinstance(node, dict) and part not in node and parts[j + 1].isdigit():
                node[part] = []
            if part.isdigit() and isinstance(node, list) and not node and node is not out.get("timeline"):
                at = field_at(tuple(int(p) if p.isdigit() else p for p in parts[:j]))
                inner = d.item_model(at[0].model_fields[at[1]].annotation) if at else None
                if inner is not None:  # an empty list of objects: one item with every field
                    node.append({n: _a_value(inner, n) for n in inner.model_fields})
            node = (node[int(part)] if len(node) > int(part) else None) if part.isdigit() else node.get(part)
            if node is None:
                break
        if node is None or (parts[-1] in node and node[parts[-1]] != []) or (parts[-1].isdigit() and node):
            continue
        if name == "marks":
            continue  # each mark once per review: left as the seed has them
        value = _a_value(model, name) if not parts[-1].isdigit() else "Seed text"
        if name == "became":  # by position in a list the seed has
            value = [{"kind": "factor", "index": 0}] if out.get("factors") else []
        set_path(out, path, value)
    return out


SEEDS = SEEDS + [every_field(seed) for seed in SEEDS]  # the examples as they are, and with every field


def places(node: Any, path: tuple = ()) -> list[tuple]:
    out = [path] if path else []
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(places(v, (*path, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(places(v, (*path, i)))
    return out


def get(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw, max_changes: int = 5) -> dict:
    doc = json.loads(json.dumps(draw(st.sampled_from(SEEDS))))
    for _ in range(draw(st.integers(1, max_changes))):
        path = draw(st.sampled_from(places(doc)))
        parent, key = get(doc, path[:-1]), path[-1]
        if draw(st.integers(0, 19)) == 0 and isinstance(parent, dict) and key not in ("format", "title"):
            del parent[key]  # a field left out
        else:
            parent[key] = draw(value_for(path, parent[key]))
    return doc


def accepted(raw: dict) -> d.ReviewDoc | None:
    """The document if `pmtui import` takes it: the format's rules, then the store's one
    rule of its own (no U+0000, which PostgreSQL cannot keep; tests/test_store.py)."""
    from pmtui.store.documents import nul_problems

    try:
        doc = loads(json.dumps(raw).encode())  # as in a file: a lone surrogate is an escape
    except BadInput as exc:
        assert exc.lines() and all(isinstance(line, str) for line in exc.lines())
        return None
    return None if nul_problems(doc) else doc


def go_through_everything(doc: d.ReviewDoc, store, cli_check) -> int:
    text = dumps(doc)
    assert dumps(loads(text)) == text
    review_id = store.import_documents([doc])[0][0]
    exported = dumps(store.export_document(review_id))
    assert exported == text  # the store keeps every value exactly
    assert dumps(store.export_document(store.import_documents([loads(exported)])[0][0])) == exported
    for highlights_only in (False, True):
        assert render(doc, highlights_only=highlights_only, redact=highlights_only).startswith("---\n")
    check(doc)
    assert cli_check(review_id) in (0, 1)
    return review_id


@pytest.fixture
def fresh(tmp_path_factory):
    """A new store per example, and `pmtui check` on it through the command line."""
    from pmtui.cli.main import main
    from pmtui.store import Store

    opened = []

    def make():
        path = tmp_path_factory.mktemp("fuzz") / "pmtui.db"
        store = Store.open(path)
        opened.append(store)

        def cli_check(review_id: int) -> int:
            import contextlib
            import io

            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(["--db", str(path), "check", str(review_id)])
            assert "Traceback" not in err.getvalue() and err.getvalue() == "", err.getvalue()
            return code

        return store, cli_check

    yield make
    for s in opened:
        s.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(raw=mutated())
def test_every_accepted_document_exports_renders_and_checks(raw, fresh):
    doc = accepted(raw)
    if doc is None:
        return
    store, cli_check = fresh()
    go_through_everything(doc, store, cli_check)


def test_the_mutations_reach_both_sides():
    """The fuzzer is worth its time only if it produces accepted and rejected documents."""
    from hypothesis import find

    find(mutated(), lambda raw: accepted(raw) is not None and any(
        t in json.dumps(raw) for t in ("[/var]", "[@click", "\\u202e", "<script>")), settings=settings(max_examples=2000))
    find(mutated(), lambda raw: accepted(raw) is None, settings=settings(max_examples=200))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(raw=mutated(max_changes=4))
def test_every_accepted_document_opens_in_the_app(raw, fresh):
    doc = accepted(raw)
    if doc is None:
        return
    store, _ = fresh()
    review_id = store.import_documents([doc])[0][0]
    from pmtui.app import PostmortemApp

    async def run() -> None:
        app = PostmortemApp(store, review_id=review_id, screen="overview", watch_interval=None)
        async with app.run_test(size=(110, 30)) as pilot:
            for section in ("overview", "timeline"):
                if section != "overview":
                    app.show_section(review_id, section)
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert app.screen.SECTION == section
            await pilot.press("end", "home")
            await pilot.pause()
        assert app.return_code in (None, 0)

    asyncio.run(run())


def test_the_fuzzer_mutates_every_field_of_the_document():
    """Each field of each model (tests/document_fields.py) is a place of some seed, whose
    mutations are chosen by the field's declared type (value_for): a field added to the
    document is fuzzed without an edit here."""
    from document_fields import fields

    reached = set()
    for seed in SEEDS:
        for place in places(seed):
            at = field_at(place)
            if at:
                reached.add(f"{at[0].__name__}.{at[1]}")
    missing = {f"{m.__name__}.{n}" for m, n, _ in fields()} - reached
    assert not missing, f"{sorted(missing)}: no seed of the fuzzer holds these fields (tests/test_fuzz.py every_field)"
    for seed in SEEDS:
        assert accepted(seed) is not None, "a seed the format refuses"
