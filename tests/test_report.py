"""The Markdown report, parsed the way wikis parse it (markdown-it, GFM tables,
front matter): structure holds whatever people typed."""

from __future__ import annotations

import html
import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from pmtui.domain.document import FORMAT, ReviewDoc, loads
from pmtui.export.markdown import WIKIS, markdown_block
from pmtui.export.report import render

MD = MarkdownIt("gfm-like").use(front_matter_plugin)

ALWAYS = ["Summary", "Impact", "Timeline", "Contributing factors", "Action items"]
HOSTILE = [
    "|", "||", "a | b", "\n", "\r\n", "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "```",
    "~~~", "---", "===", "# Heading", "## Impact", ": ", '"', "'", "#", "|-", "- item", "> quote", "\\", "`",
    "**", "_", "[x](javascript:alert(1))", "&amp;", "<!--", "-->", "1. one", "+", "    code", "\t", "{{ x }}",
    "---\ntitle: x\n---", "<br>", "\u2028", "\x85", "\x00", "%", "@", "yes", "null", "~", "*", "[", "]",
]
hostile_text = st.lists(st.sampled_from(HOSTILE) | st.text(max_size=8), min_size=1, max_size=6).map("".join)
nonblank_hostile = hostile_text.filter(lambda s: s.strip())


def parse(md: str) -> list[Token]:
    return MD.parse(md)


def front_matter(tokens: list[Token]) -> dict:
    fm = [t for t in tokens if t.type == "front_matter"]
    assert len(fm) == 1 and tokens[0].type == "front_matter"
    return yaml.safe_load(fm[0].content)


def headings(tokens: list[Token], tag: str) -> list[str]:
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == tag]


def inline_text(token: Token) -> str:
    """What a reader sees in a cell: text, with <br> as a line break."""
    out = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "text_special"):
            out.append(child.content)
        elif child.type == "html_inline" and child.content == "<br>":
            out.append("\n")
        elif child.type == "html_inline" and child.content in ("<code>", "</code>"):
            pass
        elif child.type == "softbreak":
            out.append("\n")
    return "".join(out).replace("\n ", "\n")


def tables(tokens: list[Token]) -> list[tuple[list[str], list[list[str]]]]:
    """Each table as (header cells, body rows of cell texts)."""
    out, i = [], 0
    while i < len(tokens):
        if tokens[i].type == "table_open":
            header, rows, row, section = [], [], None, None
            while tokens[i].type != "table_close":
                t = tokens[i]
                if t.type in ("thead_open", "tbody_open"):
                    section = t.type
                elif t.type == "tr_open":
                    row = []
                elif t.type == "tr_close":
                    (header.extend(row) if section == "thead_open" else rows.append(row))
                elif t.type == "inline" and row is not None:
                    row.append(inline_text(t))
                i += 1
            out.append((header, rows))
        i += 1
    return out


def table_with(tokens: list[Token], word: str) -> tuple[list[str], list[list[str]]]:
    return next(t for t in tables(tokens) if any(word in h for h in t[0]))


def shown(text: str) -> str:
    """How a plain field must read in the report: each line trimmed, lines kept."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines).replace("\x00", "\ufffd")


def make(**fields) -> ReviewDoc:
    return loads(json.dumps({"format": FORMAT, "title": "Queue backlog", **fields}))


# ----------------------------------------------------------------------- example
def test_example_report_structure(example_bytes):
    doc = loads(example_bytes)
    md = render(doc)
    tokens = parse(md)
    fm = front_matter(tokens)
    assert fm["title"] == doc.title
    assert str(fm["date"]) == "2026-03-10"
    assert fm["severity"] == "SEV2" and fm["status"] == "in_review"
    assert fm["tags"] == ["cache", "checkout", "config", "deploy"]
    assert fm["authors"] == ["Payments team"] and fm["incident_ref"] == "INC-2041"
    assert (fm["time_to_detect_min"], fm["time_to_respond_min"], fm["time_to_mitigate_min"]) == (9, 4, 44)
    assert (fm["time_to_resolve_min"], fm["impact_duration_min"]) == (63, 47)
    assert headings(tokens, "h1") == [doc.title]
    assert headings(tokens, "h2") == [
        "Summary", "Impact", "Timeline", "Trigger", "Detection", "Resolution", "Contributing factors",
        "Lessons learned", "Action items", "Learnings", "Open questions", "Parked ideas", "Participants", "Links",
    ]
    assert headings(tokens, "h3")[:4] == ["Technical (1)", "Process (1)", "Communication (1)", "Tooling (1)"]
    assert "What went well" in headings(tokens, "h3") and "Where we got lucky" in headings(tokens, "h3")


def test_timeline_table_has_a_row_per_event_with_times_in_the_review_zone(example_bytes):
    doc = loads(example_bytes)
    header, rows = table_with(parse(render(doc)), "Time")
    assert header == ["Time (Europe/Berlin)", "Kind", "Event", "Source", "Marks"]
    assert len(rows) == len(doc.timeline)
    assert [r[0] for r in rows[:3]] == ["2026-03-10 10:40", "10:42", "10:51"]
    assert rows[5][0] == "~11:15"  # approximate
    assert rows[1][4] == "impact starts" and rows[2][4] == "detected" and rows[9][4] == "resolved"
    assert [r[2] for r in rows] == [e.text for e in doc.timeline]
    md = render(doc)
    assert "| **Checkout cache evictions rise sharply; p95 latency starts climbing** |" in md  # highlighted


def test_date_is_written_again_when_the_day_changes():
    doc = make(timezone="America/New_York", timeline=[
        {"at": "2026-03-10T03:30:00Z", "text": "late evening in New York"},
        {"at": "2026-03-10T04:10:00Z", "text": "still the 9th there"},
        {"at": "2026-03-10T05:10:00Z", "text": "after midnight there"},
    ])
    header, rows = table_with(parse(render(doc)), "Time")
    assert header[0] == "Time (America/New_York)"
    assert [r[0] for r in rows] == ["2026-03-09 23:30", "2026-03-10 00:10", "01:10"]


def test_highlights_only_keeps_highlighted_and_marked_events(example_bytes):
    doc = loads(example_bytes)
    _, rows = table_with(parse(render(doc, highlights_only=True)), "Time")
    expected = [e.text for e in doc.timeline if e.highlight or e.marks]
    assert [r[2] for r in rows] == expected and len(expected) < len(doc.timeline)


def test_mermaid_gantt_of_the_phases(example_bytes):
    tokens = parse(render(loads(example_bytes)))
    [fence] = [t for t in tokens if t.type == "fence" and t.info == "mermaid"]
    assert fence.content.startswith("gantt\n")
    assert "Undetected (9m) :crit, p1, 2026-03-10 10:42:00, 2026-03-10 10:51:00" in fence.content
    for phase in ("Responding", "Recovering", "Mitigated"):
        assert phase in fence.content


def test_no_gantt_without_marks_and_no_negative_phase():
    doc = make(timeline=[
        {"at": "2026-03-10T10:00:00Z", "text": "seen early", "marks": ["detected"]},
        {"at": "2026-03-10T10:30:00Z", "text": "users hit", "marks": ["impact_start"]},
    ])
    md = render(doc)
    assert "mermaid" not in md
    assert "| Time to detect | not computable |" in md
    assert "time_to_detect_min" not in md


def test_action_items_table(example_bytes):
    doc = loads(example_bytes)
    header, rows = table_with(parse(render(doc)), "Owner")
    assert header == ["#", "Action", "Type", "Owner", "Priority", "Due", "Status", "Tracker"]
    assert len(rows) == len(doc.action_items) and all(len(r) == 8 for r in rows)
    assert rows[0][1:7] == ["Validate cache memory limits against an allowed range at build time", "prevent",
                            "Platform team", "high", "2026-03-24", "in progress"]
    assert rows[4][6].startswith("won't do: Would not have changed this incident")


def test_tracker_url_becomes_a_link():
    md = render(make(action_items=[{"title": "Add alert", "tracker": "https://tracker.example.com/T-1"}]))
    assert "[https://tracker.example.com/T-1](https://tracker.example.com/T-1)" in md


def test_empty_review_shows_the_gaps():
    tokens = parse(render(make()))
    assert headings(tokens, "h2") == ALWAYS
    assert render(make()).count("_None recorded._") == len(ALWAYS)


def test_front_matter_survives_yaml_specials():
    """Front matter is YAML data: every flavour writes the exact values (issue 26), which
    PyYAML, Hugo, Jekyll and Obsidian read back as typed."""
    title = 'Cache: "hot" # not a comment | pipe & *star* {x} [y] %z @a `b` \' - ? ! > <\u2028\u2029\x85 end (C++)'
    ref = "https://aws.amazon.com/message/12721/?a=1&b=2"
    doc = make(title=title, severity="a: b", tags=["x: y", "#z", "on call"], incident_ref=ref)
    for wiki in ("portable", "gitlab", "hugo", "jekyll", "obsidian"):
        fm = front_matter(parse(render(doc, wiki=wiki)))
        assert fm["title"] == title and fm["severity"] == "a: b" and fm["incident_ref"] == ref, wiki
    assert front_matter(parse(render(doc, wiki="gitlab")))["tags"] == ["#z", "on call", "x: y"]
    assert front_matter(parse(render(doc, wiki="hugo")))["tags"] == ["z", "on-call", "x-y"]  # one word each
    # MkDocs Material prints the title and tags as raw HTML: there, and only there, < > & are escaped
    fm = front_matter(parse(render(doc, wiki="mkdocs")))
    assert fm["title"] == html.escape(title, quote=False) and fm["incident_ref"] == ref
    assert fm["tags"] == ["#z", "on call", "x: y"]
    markup = make(title="<b>bold</b> & &amp; AT&T", tags=["<i>"])
    assert front_matter(parse(render(markup, wiki="mkdocs")))["tags"] == ["&lt;i&gt;"]
    # the portable default escapes a title only when it holds markup, which Material would run
    assert front_matter(parse(render(markup)))["title"] == "&lt;b&gt;bold&lt;/b&gt; &amp; &amp;amp; AT&amp;T"
    assert front_matter(parse(render(make(title="AT&T & R&D < 5"))))["title"] == "AT&T & R&D < 5"
    # ... and writes what a GitHub wiki would show as Markdown text as YAML escapes: inert there
    head = render(doc).split("\n---\n", 1)[0]
    values = re.findall(r'"((?:[^"\\]|\\.)*)"', head)
    assert len(values) >= 6 and not any(re.search(r"[<>&`\[\]]", v) for v in values) and "\\u003c" in head
    for wiki in ("portable", "hugo"):  # escaped: YAML 1.1 reads them as line breaks
        head = render(doc, wiki=wiki).split("\n---\n", 1)[0]
        assert "\u2028" not in head and "\u2029" not in head and "\\u2028\\u2029" in head


def test_two_exports_are_identical(cli, tmp_path, example_bytes):
    (tmp_path / "r.json").write_bytes(example_bytes)
    cli("import", str(tmp_path / "r.json"))
    one = cli("export", "1", "--format", "md").out
    two = cli("export", "1", "--format", "md").out
    assert one == two and one.startswith("---\ntitle: ")


def test_redacted_report_names_roles_not_people(example_bytes):
    doc = loads(example_bytes)
    doc.timeline[4] = doc.timeline[4].model_copy(update={"text": "Ravi Menon scales read replicas; Ravi checks"})
    md = render(doc, redact=True)
    for p in doc.participants:
        assert p.name not in md
        assert p.name.split()[0] not in md
    assert "responder scales read replicas; responder checks" in md
    assert "| facilitator | facilitator | yes |" in md
    assert "Payments team" not in md and "Platform team" not in md


def test_redaction_letters_people_who_share_a_role():
    doc = make(participants=[{"name": "Ana Lima", "role": "responder"}, {"name": "Bo Chen", "role": "responder"}],
               summary="Ana Lima paged Bo Chen.")
    md = render(doc, redact=True)
    assert "responder A paged responder B." in md


# ------------------------------------------------------------- hostile text
def test_markdown_fields_cannot_break_the_structure():
    summary = "# Big\n\nText\n---\n<script>x()</script>\n```python\nunclosed <b>"
    doc = make(summary=summary, trigger="## Impact\n===", detection="<img src=x onerror=alert(1)>")
    md = render(doc)
    tokens = parse(md)
    assert headings(tokens, "h2") == ["Summary", "Impact", "Timeline", "Trigger", "Detection", "Contributing factors",
                                      "Action items"]
    assert headings(tokens, "h3") == ["Big"]
    assert headings(tokens, "h4") == ["Impact"]  # the trigger's own heading, demoted
    html = MD.render(md)
    assert "<script" not in html and "<img" not in html
    fence = [t for t in tokens if t.type == "fence"]
    assert fence and fence[0].content == "unclosed <b>\n"


def test_markdown_formatting_is_kept():
    out = markdown_block("Use `a < b` and **bold**\n\n- one\n- two\n\n<https://example.com>")
    assert "`a < b`" in out and "**bold**" in out and "- one" in out and "<https://example.com>" in out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=nonblank_hostile, text=hostile_text, event=nonblank_hostile, source=hostile_text,
       owner=hostile_text, action=nonblank_hostile, md=hostile_text)
def test_hostile_text_never_breaks_the_report(title, text, event, source, owner, action, md):
    doc = make(
        title=title[:200], summary=md, trigger=md, severity=text[:20],
        timeline=[{"at": "2026-03-10T10:00:00Z", "text": event, "source": source, "highlight": True},
                  {"at": "2026-03-10T10:05:00Z", "text": text if text.strip() else "x", "marks": ["impact_start"]}],
        action_items=[{"title": action, "owner": owner, "status": "wont_do", "status_note": text, "description": md}],
        factors=[{"text": event, "category": "process"}],
        participants=[{"name": event, "role": text}],
        impact={"description": md, "data_loss": text},
    )
    md_text = render(doc)
    assert render(doc) == md_text  # deterministic
    tokens = parse(md_text)
    fm = front_matter(tokens)
    assert html.unescape(fm["title"]) == doc.title
    assert front_matter(parse(render(doc, wiki="obsidian")))["title"] == doc.title
    assert len(headings(tokens, "h1")) == 1
    h2 = headings(tokens, "h2")
    assert [h for h in h2 if h in ALWAYS] == ALWAYS
    assert set(h2) <= set(ALWAYS) | {"Trigger", "Participants", "Lessons learned"}
    _, rows = table_with(tokens, "Time")
    assert len(rows) == 2 and all(len(r) == 5 for r in rows)
    assert rows[0][2] == shown(event) and rows[0][3] == shown(source)
    _, actions = table_with(tokens, "Owner")
    assert len(actions) == 1 and len(actions[0]) == 8
    assert actions[0][1] == shown(action)
    out_html = MD.render(md_text)
    assert not re.search(r"<(script|img|iframe)\b", out_html, re.I)
    assert not re.search(r"<[a-z]+[^>]*\son\w+=", out_html, re.I)


# ------------------------------------------------------------ the gantt chart
def gantt_of(doc: ReviewDoc) -> str:
    [fence] = [t for t in parse(render(doc)) if t.type == "fence" and t.info == "mermaid"]
    return fence.content


def test_gantt_draws_short_phases_as_milestones_and_shows_the_day_across_midnight():
    doc = make(timezone="Europe/Berlin", timeline=[
        {"at": "2026-03-10T22:58:00Z", "text": "a", "marks": ["impact_start", "detected"]},
        {"at": "2026-03-11T01:40:00Z", "text": "b", "marks": ["mitigated"]},
        {"at": "2026-03-11T01:42:00Z", "text": "c", "marks": ["impact_end"]},
        {"at": "2026-03-11T02:40:00Z", "text": "d", "marks": ["resolved"]},
    ])
    chart = gantt_of(doc)
    assert "Undetected (0m) :milestone, p1, 2026-03-10 23:58:00, 0m" in chart  # 0 minutes: a milestone
    assert "Recovering (2m) :milestone, p3, 2026-03-11 02:40:00, 0m" in chart  # too short to see at this scale
    assert "Responding (2h 42m) :active, p2, 2026-03-10 23:58:00, 2026-03-11 02:40:00" in chart
    assert "axisFormat %b %d %H:%M" in chart  # the day, since the phases cross midnight in Berlin
    assert "tickInterval 30minute" in chart  # at most eight axis labels over 3h 42m


def test_gantt_of_a_short_incident_in_one_day():
    chart = gantt_of(make(timeline=[
        {"at": "2026-03-10T10:00:00Z", "text": "a", "marks": ["impact_start"]},
        {"at": "2026-03-10T10:04:00Z", "text": "b", "marks": ["detected"]},
        {"at": "2026-03-10T10:20:00Z", "text": "c", "marks": ["mitigated"]},
    ]))
    assert "axisFormat %H:%M" in chart and "tickInterval 5minute" in chart
    assert "Undetected (4m) :crit, p1, 2026-03-10 10:00:00, 2026-03-10 10:04:00" in chart


# ------------------------------------------------------------- links and code
def test_links_in_text_go_only_to_http_https_and_mailto():
    summary = ("[web](https://example.com/a) [mail](mailto:team@example.com) [js](javascript:alert(1)) "
               "[rel](../etc/passwd) [ftp](ftp://x) ![img](data:image/png;base64,xx) [anchor](#top)\n\n"
               "[ref]: javascript:alert(1)\n[ok]: https://example.com")
    html_out = MD.render(render(make(summary=summary)))
    assert 'href="https://example.com/a"' in html_out and 'href="mailto:team@example.com"' in html_out
    hrefs = re.findall(r'href="([^"]*)"', html_out)
    # (markdown-it's linkify, like a wiki's, may still link a bare address it recognises: ftp://x)
    assert all(h.startswith(("https://", "mailto:", "ftp://")) for h in hrefs) and len(hrefs) >= 2, hrefs
    assert "<img" not in html_out and "[js](javascript:alert(1))" in html_out


def test_backslash_escaped_backticks_cannot_smuggle_html():
    for text in ("\\`<img src=x onerror=alert(1)>\\`", "\\\\\\`<b>x</b>\\\\\\`", "a\\``<b>`\\`", "`a`\\`<b>`"):
        out = MD.render(render(make(summary=text, trigger=text)))
        assert "<img" not in out and "<b>" not in out, (text, out)


def test_code_keeps_its_text_and_template_syntax_cannot_run():
    md = render(make(summary="Run `kubectl get pods` then `{{ .Values }}`\n\n```yaml\nkey: {{ value }}\n```"))
    assert "`kubectl get pods`" in md
    assert "{{" not in md.split("## Summary", 1)[1].split("## Impact")[0]  # no live template syntax (Jekyll, Hugo)
    hugo = render(make(summary="```yaml\nkey: {{ value }}\n```"), wiki="hugo")
    assert "```yaml\nkey: {{ value }}\n```" in hugo  # Hugo runs only {{< and {{%: plain {{ stays code
    jekyll = render(make(summary="```\n{% endraw %}{{ x }}\n```"), wiki="jekyll")
    assert jekyll.count("{% raw %}") == 2 and '{{ "{%" }}' in jekyll  # the typed endraw is written by Liquid


def test_packaging_metadata():
    from importlib.metadata import metadata

    meta = metadata("pmtui")
    assert meta["License-Expression"] == "MIT"
    assert any(u.startswith("Homepage, https://") for u in meta.get_all("Project-URL"))
    classifiers = meta.get_all("Classifier")
    assert "Programming Language :: Python :: 3.11" in classifiers and "Environment :: Console" in classifiers


def test_a_parked_idea_that_became_an_action_item_is_listed_once(example_raw):
    import json as _json

    from pmtui.domain.document import loads as _loads
    from pmtui.export.report import render as _render

    raw = _json.loads(_json.dumps(example_raw))
    raw["notes"] = [n for n in raw["notes"] if n["kind"] != "idea"]
    raw["notes"].append({"at": "2026-03-12T14:31:00+01:00", "kind": "idea", "text": "Unit-aware config schema",
                         "became": [{"kind": "action_item", "index": 0}]})
    raw["notes"].append({"at": "2026-03-12T14:32:00+01:00", "kind": "idea", "text": "Cache warm-up runbook"})
    text = _render(_loads(_json.dumps(raw)))
    assert "Unit-aware config schema" not in text.split("Parked ideas", 1)[1]
    assert "- Cache warm-up runbook" in text.split("Parked ideas", 1)[1]


def test_bidi_controls_are_shown_not_obeyed():
    """U+202E and the other bidi controls would reverse the rest of a paragraph on every
    renderer ("invoice\u202egnp.exe" reads "invoiceexe.png"): the report shows them as the
    terminal does, <U+202E>, in plain fields, Markdown fields, code and front matter."""
    from pmtui.safetext import BIDI

    doc = make(title="Attachment \u202egnp.exe", summary="See invoice\u202egnp.exe and `co\u2066de\u2069`\n\n```\nx\u200fy\n```",
               authors=["a\u202eb"], timeline=[{"at": "2026-04-01T10:00:00Z", "text": "invoice\u202egnp.exe"}])
    for wiki in ("portable", "github", "hugo", "jekyll", "mkdocs"):
        md = render(doc, wiki=wiki)
        assert not any(c in md for c in BIDI), wiki
        assert "invoice&lt;U\\+202E&gt;gnp.exe" in md and "<U+2066>" in md and "<U+200F>" in md
    fm = front_matter(parse(render(doc, wiki="hugo")))
    assert fm["title"] == doc.title and fm["authors"] == ["a\u202eb"]  # exact data, written as \u202e escapes


def test_escaping_never_makes_an_image():
    """Escaping the < of <![CDATA[…](…) alone left image syntax; and an image would load from
    any host as the page is read: a typed image is shown as a link."""
    for typed in ("<![CDATA[](https://e.com)", "<![CDATA[pmx]](https://e.com)", "\\<![x](https://e.com)",
                  "![chart](https://e.com/c.png)"):
        md = markdown_block(typed)
        assert "![" not in md, (typed, md)
    assert markdown_block("![chart](https://e.com/c.png)") == "&#33;[chart](https://e.com/c.png)"


def test_gantt_runs_to_the_last_mark_without_an_impact_end():
    """Mitigated at 23:55, resolved at 01:20 the next day, no impact-end mark: the chart
    still draws to 01:20 (it stopped at 23:55 while the metrics said 11h 17m)."""
    chart = gantt_of(make(timeline=[
        {"at": "2026-03-10T12:03:00Z", "text": "a", "marks": ["impact_start"]},
        {"at": "2026-03-10T12:30:00Z", "text": "b", "marks": ["detected"]},
        {"at": "2026-03-10T23:55:00Z", "text": "c", "marks": ["mitigated"]},
        {"at": "2026-03-11T01:20:00Z", "text": "d", "marks": ["resolved"]},
    ]))
    assert "Recovering, to resolved (1h 25m) :p3, 2026-03-10 23:55:00, 2026-03-11 01:20:00" in chart
    assert "axisFormat %b %d %H:%M" in chart and "p4" not in chart
    # detected but never marked mitigated: responding runs to the impact's end
    chart = gantt_of(make(timeline=[
        {"at": "2026-03-10T10:00:00Z", "text": "a", "marks": ["impact_start", "detected"]},
        {"at": "2026-03-10T11:00:00Z", "text": "b", "marks": ["impact_end"]},
    ]))
    assert "Responding, to impact ends (1h 00m) :active, p2, 2026-03-10 10:00:00, 2026-03-10 11:00:00" in chart


# ------------------------------------------------------ every field reaches the report
# Text fields of the document the report leaves out, on purpose. Every other field's text
# is in the report: laid out by export/report.py, or (action items, the impact) under its
# label after those it lays out (report._more), so a field added there needs no edit.
NOT_REPORTED = {
    "ReviewDoc.format": "the file's format", "ReviewDoc.timezone": "named in the timeline's header, not as text",
    "Event.source_id": "the source's id (dedupe)", "Event.original": "the source's own text, kept in the review",
    "Note.author": "who captured a note",
}


def _every_text_field():
    from document_fields import name, text_fields

    return [(name(m, f), path) for m, f, path in text_fields()]


@pytest.mark.parametrize("field,path", _every_text_field(), ids=[p for _, p in _every_text_field()])
def test_every_text_field_of_the_document_is_in_the_report(example_raw, field, path):
    from document_fields import set_path, stale_generated

    raw = json.loads(json.dumps(example_raw))
    for note in raw["notes"]:
        note["kind"] = "question"  # an open question is reported with its text
    token = "qzx" + path.replace(".", "q").replace("[", "q").replace("]", "q").replace("_", "q")  # tags: lower case
    value = {"ReviewDoc.format": FORMAT, "ReviewDoc.timezone": "UTC"}.get(field, token)
    set_path(raw, path, value)
    report = render(loads(json.dumps(raw)))
    if field in NOT_REPORTED:  # and the list says what is true
        assert token not in report, f"{field} is in the report: take it out of NOT_REPORTED"
        return
    assert token in report, (
        f"{field} ({path}) is not in the report: show it in export/report.py (a list's section, or the fields "
        f"_more reports after those a section lays out), or name it in tests/test_report.py NOT_REPORTED with why"
        f"{stale_generated()}")


def test_the_fields_left_out_of_the_report_are_real_text_fields():
    assert set(NOT_REPORTED) <= {f for f, _ in _every_text_field()}


def test_a_field_added_to_the_impact_or_an_action_item_is_reported_under_its_label(example_raw):
    """What report._more writes for a field no section lays out: a Markdown text as a block
    under its label, any other value on a line of its own."""
    from pydantic import create_model

    from pmtui.domain import document as d
    from pmtui.export import report as r
    from pmtui.store.plain_plan import _shown_fields

    wider = create_model("Impact", __base__=d.Impact, told=(d.Text, d.Field("", title="What customers were told")),
                         window=(d.Short, d.Field("", title="Window")))
    doc = loads(json.dumps(example_raw))
    impact = wider.model_validate({**doc.impact.model_dump(), "told": "We posted **twice**.", "window": "2 h"})
    ctx = r._Ctx(doc, doc.zone(), False, r.compute(doc.marks()), r.get_wiki(None))
    fields = _shown_fields(wider)  # what plain_fields.SHOWN would say of it
    assert r._more(ctx, impact, fields, r._IMPACT_LAID_OUT) == [
        "- **Window:** 2 h", "**What customers were told**", "We posted **twice**."]
    assert r._more(ctx, wider.model_validate({}), fields, r._IMPACT_LAID_OUT) == []  # empty fields are left out


# ----------------------------------------------------------------- review meeting
def _meeting(tooks, ended="2026-03-12T15:10:00+01:00", boxes=(5, 35, 10, 10)):
    return {"started": "2026-03-12T14:00:00+01:00", "ended": ended,
            "stages": [{"stage": s, "timebox_minutes": b, "took_seconds": t}
                       for s, b, t in zip(("opening", "context", "analysis", "followups"), boxes, tooks)]}


def test_the_meeting_section_shows_each_stages_actual_time_against_its_timebox():
    md = render(make(timezone="Europe/Berlin", meeting=_meeting([240, 2400, 1080, 600])))
    section = md.split("## Review meeting", 1)[1].split("\n## ", 1)[0]
    # held in the review's zone, with how long it took
    assert "Held 2026-03-12 from 14:00 to 15:10 (1 h 10 min, pauses included)" in section
    header, rows = table_with(parse(md), "Against the timebox")
    assert header == ["Stage", "Timebox", "Took", "Against the timebox"]
    assert rows == [["Opening", "5 min", "4 min", "within"],
                    ["Gather context", "35 min", "40 min", "over by 5 min"],
                    ["Systemic analysis", "10 min", "18 min", "over by 8 min"],
                    ["Follow-ups", "10 min", "10 min", "within"]]
    assert "Ran over: Gather context, Systemic analysis." in section


def test_a_running_meeting_says_which_stage_is_not_finished_and_none_ran_over():
    md = render(make(meeting=_meeting([300, 2130, None, None], ended=None)))
    section = md.split("## Review meeting", 1)[1]
    assert "the meeting had not ended when this report was written" in section
    _header, rows = table_with(parse(md), "Against the timebox")
    # 35 min 30 s is within a 35-minute timebox: running over means by a minute or more
    assert [r[3] for r in rows] == ["within", "within", "not finished", "not reached"]
    assert [r[2] for r in rows][2:] == ["—", "—"]
    assert "Ran over" not in section


def test_no_meeting_no_section():
    assert "Review meeting" not in render(make())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ09 -.:/'\"_*#+|&<>`~$=^%{}[]\\\t\r\n\u202e\u00a0é✓wW")) | st.characters(),
               max_size=40),
       st.sampled_from(sorted(WIKIS)), st.booleans())
def test_plain_text_that_needs_no_escaping_is_returned_as_it_is_and_only_such(text, wiki_name, urls):
    """plain()'s quick answer for a text with nothing to escape (a long timeline's usual
    text) is what its steps give, for every wiki: escapes, line breaks, bidi controls,
    www, web addresses, :shortcodes:, list starts, spaces to strip."""
    from pmtui.export.markdown import _plain_steps, plain

    wiki = WIKIS[wiki_name]
    for variant in (text, f"see www.{text}", f"{text} :ok:", f"- {text}", f"12. {text}", f"https://x.test/{text}"):
        assert plain(variant, wiki, urls=urls) == _plain_steps(variant, wiki, urls)
