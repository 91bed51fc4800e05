"""Reports rendered by the real parsers of the wikis teams use: nothing typed runs
as HTML or script, tables keep their cells, and what a reader sees is what was typed.

Renderers: Python-Markdown with MkDocs Material's usual extensions, a real MkDocs
Material site build, cmark-gfm (GitHub), pandoc, and a real Hugo site build.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

import pytest

import wiki_targets as wt
from pmtui.document import FORMAT, ReviewDoc, loads
from pmtui.report import WIKIS, render, tag_slug
from pmtui.wiki import page_name

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))

HOSTILE_TITLE = ('<script>alert("pmx")</script> {% raw %}{{ pmx }} {{< pmx >}} | $5 ~x =y: "q" # c & *b* '
                 "[l](javascript:pmx()) `code` %%z%% ---\u2028end")
HOSTILE_TAGS = ["on call", "<b>pmx</b>", "{{ pmx }}", "a: b", "#x", "- [y]", "%% pmx %%", "2017"]
HOSTILE_EVENTS = [
    '<img src=x onerror="pmx()"> <pmx-tag>',
    "| cell | pmx | \\| still one cell",
    '$1 ~2 =3 ==mark== ^sup^ ~~del~~ :smile: {: onclick="pmx()"} ++ctrl+alt++ \\$ \\~ \\=',
    "\\`<pmx-tag onclick=\"pmx()\">\\` and `<pmx-tag>`",
    "[click](javascript:pmx()) <javascript:pmx()> [x]: javascript:pmx() ![i](data:text/html,pmx)",
    "{% include pmx %} {{ pmx }} {{< pmx >}} {{% pmx %}} {% endraw %}",
    "line one\nline two <!-- pmx --> &amp; &lt;b&gt;",
    "1. not a list",
    "- not a list",
    "# not a heading",
    "> not a quote",
    "=== \"Tab\"",
    "!!! note",
    "*[HTML]: pmx and [^1] and <https://example.com/pmx> and x -- y ... 'z'",
    '--8<-- "mkdocs.yml"',
]
HOSTILE_SUMMARY = """Normal **bold**, a [link](https://example.com/pmx) and `a < b` code.

\\`<pmx-tag onclick="pmx()">\\` smuggled with escaped backticks, \\\\`<pmx-tag>` too.

<script>pmx()</script>

<pmx-tag>block html</pmx-tag>

[bad](javascript:pmx()) and [bad2](JaVaScRiPt:pmx()) and ![img](javascript:pmx()) and [ref-link][r]

[r]: javascript:pmx()

Text with {: onclick="pmx()" } and {{ pmx }} and {% pmx %} and `{{ code }}` and `x {: onclick="pmx()"}`.

  ```html
<pmx-tag>in an indented fence</pmx-tag>
  ```

```{.python onclick="pmx()"}
{% endraw %}<pmx-tag>{{ pmx }}
```

```mermaid
graph TD; A-->B
```

--8<-- "mkdocs.yml"

Unclosed `tick and <pmx-tag> after it.
"""


def hostile_doc() -> ReviewDoc:
    return loads(json.dumps({
        "format": FORMAT, "title": HOSTILE_TITLE, "severity": "a: |pmx", "tags": HOSTILE_TAGS,
        "incident_ref": "javascript:pmx()", "authors": ["<pmx-tag>", "{{ pmx }}"],
        "summary": HOSTILE_SUMMARY, "trigger": HOSTILE_SUMMARY,
        "timeline": [{"at": f"2026-04-01T23:{10 + i:02d}:00Z", "text": t, "source": f"src {t[:20]}",
                      "highlight": i % 2 == 0} for i, t in enumerate(HOSTILE_EVENTS)]
        + [{"at": "2026-04-01T22:50:00Z", "text": "impact starts", "marks": ["impact_start", "detected"]},
           {"at": "2026-04-02T00:30:00Z", "text": "ends after midnight", "marks": ["mitigated", "impact_end"]}],
        "action_items": [{"title": t, "owner": "<pmx-tag>", "tracker": "javascript:pmx()", "description": HOSTILE_SUMMARY}
                         for t in HOSTILE_EVENTS[:4]],
        "participants": [{"name": "<b>pmx</b>", "role": "| role |"}],
        "links": [{"title": "<pmx-tag>", "url": "javascript:pmx()"}, {"title": "ok [pmx]", "url": "https://example.com/a_(b)"}],
        "learnings": HOSTILE_EVENTS[:6],
    }))


def all_docs() -> list[tuple[str, ReviewDoc]]:
    docs = [(p.stem, loads(p.read_bytes())) for p in EXAMPLES]
    docs.append(("demo", loads(files("pmtui").joinpath("data/demo-review.json").read_bytes())))
    docs.append(("hostile", hostile_doc()))
    return docs


DOCS = all_docs()


def untypography(text: str) -> str:
    """Undo what a typographer (pandoc's smart, Hugo's goldmark) does to quotes, dashes and dots."""
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2014", "---"),
                 ("\u2013", "--"), ("\u2026", "..."), ("\u00ab", "<<"), ("\u00bb", ">>")):
        text = text.replace(a, b)
    return text


def check_page(page: str, doc: ReviewDoc, where: str, *, title_h1: bool = True, typographer: bool = False) -> None:
    """The rendered page: inert, its tables whole, its text what was typed (with
    ``typographer``: up to the typographic quotes and dashes the renderer makes)."""
    wt.assert_inert(page, where)
    tree = wt.parse_html(page)
    if typographer:
        for el in tree.elements:
            el.children = [untypography(c) if isinstance(c, str) else c for c in el.children]
    h1s = [wt.norm(wt.text_of(e)) for e in tree.elements if e.tag == "h1" and "site" not in (dict(e.attrs).get("class") or "")]
    if title_h1:
        assert wt.norm(doc.title) in h1s, f"{where}: the title reads {h1s}"
    header, rows = wt.table_with(tree, "Kind")
    assert header[1:] == ["Kind", "Event", "Source", "Marks"], f"{where}: {header}"
    assert len(rows) == len(doc.timeline) and all(len(r) == 5 for r in rows), f"{where}: cells lost"
    assert [wt.norm(r[2]) for r in rows] == [wt.norm(e.text) for e in doc.timeline], f"{where}: event text changed"
    assert [wt.norm(r[3]) for r in rows] == [wt.norm(e.source) for e in doc.timeline], f"{where}: source changed"
    _, actions = wt.table_with(tree, "Owner")
    assert [wt.norm(r[1]) for r in actions] == [wt.norm(a.title) for a in doc.action_items], f"{where}: actions"
    text = wt.norm(wt.text_of(tree.root))
    for item in doc.learnings:
        assert wt.norm(item) in text, f"{where}: learning {item!r} not shown as typed"
    if doc.summary is HOSTILE_SUMMARY or "smuggled" in doc.summary:
        for seen in ('`<pmx-tag onclick="pmx()">` smuggled', "[bad](javascript:pmx())", "<script>pmx()</script>",
                     '{: onclick="pmx()" } and {{ pmx }} and {% pmx %}'):
            assert seen in text, f"{where}: {seen!r} is not shown as text"


@pytest.mark.parametrize("wiki", ["portable", "mkdocs"])
def test_python_markdown_with_material_extensions(wiki):
    for name, doc in DOCS:
        check_page(wt.python_markdown(render(doc, wiki=wiki)), doc, f"Python-Markdown/{wiki}/{name}")


@pytest.mark.parametrize("wiki", ["portable", "github", "gitlab", "obsidian"])
def test_cmark_gfm(wiki):
    for name, doc in DOCS:
        md = render(doc, wiki=wiki)
        check_page(wt.cmark_gfm(md), doc, f"cmark-gfm/{wiki}/{name}")


@pytest.mark.parametrize("wiki", ["portable", "github"])
def test_github_wiki_front_matter_is_inert_even_shown_as_text(wiki):
    """A GitHub wiki does not strip front matter: it must still be inert text."""
    for name, doc in DOCS:
        page = wt.cmark_gfm(render(doc, wiki=wiki), strip_front_matter=False)
        wt.assert_inert(page, f"cmark-gfm/{wiki}/{name} with front matter")
    page = wt.cmark_gfm(render(DOCS[-1][1], wiki="github"), strip_front_matter=False)
    assert "<hr" not in page.split("<h1", 1)[0] and "title:" not in page  # no front matter shown


def test_jekyll_page_is_inside_liquid_raw():
    doc = hostile_doc()
    md = render(doc, wiki="jekyll")
    fm, body = wt.split_front_matter(md)
    assert body.startswith("\n{% raw %}\n") and body.endswith("{% endraw %}\n")
    inner = body[len("\n{% raw %}\n"): -len("{% endraw %}\n")]
    # the one endraw typed (in code) is written by Liquid itself, never ends the raw block early
    assert len(re.findall(r"\{%-?\s*endraw", inner)) == len(re.findall(r'\{\{ "\{%" \}\}\{% raw %\}', inner))
    liquid_out = re.sub(r'\{% endraw %\}\{\{ "\{%" \}\}\{% raw %\}', "{%", inner)
    check_page(wt.cmark_gfm(liquid_out), doc, "cmark-gfm/jekyll (after Liquid)")
    assert "&lt;script&gt;" in fm  # the title is HTML-escaped for layouts that print it raw


@pytest.mark.parametrize("wiki", ["jekyll", "portable"])
def test_jekyll_site(tmp_path, wiki):
    """A real Jekyll build: Liquid runs first (a typed {% %} would stop the build,
    {{ }} would vanish), then kramdown; the layout prints the title and tags raw."""
    pages = _site_pages(wiki)
    built = wt.jekyll_site({n: md for n, (md, _) in pages.items()}, tmp_path)
    for name, (_, doc) in pages.items():
        check_page(built[name], doc, f"Jekyll/{wiki}/{name}", typographer=not WIKIS[wiki].typographer)
        head = wt.parse_html(built[name])
        shown = [wt.norm(wt.text_of(e)) for e in head.elements if e.tag == "title"]
        assert shown == [wt.norm(doc.title)], f"{name}: <title> reads {shown}"
    hostile = wt.parse_html(built[page_name(None, "hostile")])
    tags = [wt.norm(wt.text_of(li)) for ul in hostile.elements if ul.tag == "ul" and ("tags",) == tuple(
        (dict(ul.attrs).get("class") or "").split()) for li in wt.find_all(ul, "li")]
    assert tags == list(dict.fromkeys(tag_slug(t) for t in hostile_doc().tags))


@pytest.mark.parametrize("wiki", ["portable", "github"])
def test_pandoc(wiki):
    for name, doc in DOCS:
        check_page(wt.pandoc(render(doc, wiki=wiki)), doc, f"pandoc/{wiki}/{name}", typographer=True)


def _site_pages(wiki: str) -> dict[str, tuple[str, ReviewDoc]]:
    return {page_name(None, name): (render(doc, wiki=wiki), doc) for name, doc in DOCS}


@pytest.mark.parametrize("wiki", ["mkdocs", "portable"])
def test_mkdocs_material_site(tmp_path, wiki):
    pages = _site_pages(wiki)
    built = wt.mkdocs_site({n: md for n, (md, _) in pages.items()}, tmp_path)
    for name, (_, doc) in pages.items():
        check_page(built[name], doc, f"MkDocs Material/{wiki}/{name}")
        tree = wt.parse_html(built[name])
        title = next(e for e in tree.elements if e.tag == "title")
        assert wt.norm(doc.title) in wt.norm(wt.text_of(title)), f"{name}: <title> reads {wt.text_of(title)!r}"
    hostile = wt.parse_html(built[page_name(None, "hostile")])
    shown_tags = {wt.norm(wt.text_of(e)) for e in hostile.elements
                  if e.tag in ("a", "span") and "md-tag" in (dict(e.attrs).get("class") or "")}
    expected = {tag_slug(t) if WIKIS[wiki].slug_tags else t for t in hostile_doc().tags}
    assert expected <= shown_tags, f"tags shown: {shown_tags}"


@pytest.mark.parametrize("wiki", ["hugo", "portable"])
def test_hugo_site(tmp_path, wiki):
    from pmtui.wiki import Page, index_page

    pages = _site_pages(wiki)
    if WIKIS[wiki].index_name == "_index.md":
        pages_list = [Page(n, n.removesuffix(".md"), doc) for n, (_, doc) in pages.items()]
        index = index_page(pages_list, WIKIS[wiki])
    else:
        index = None
    site = {n: md for n, (md, _) in pages.items()}
    if index is not None:
        site["_index.md"] = index
    built = wt.hugo_site(site, tmp_path)
    for name, (_, doc) in pages.items():
        check_page(built[name], doc, f"Hugo/{wiki}/{name}", typographer=not WIKIS[wiki].typographer)
        if WIKIS[wiki].meta == "exact":  # Hugo's templates escape the title: shown exactly
            head = wt.parse_html(built[name])
            shown = [wt.norm(wt.text_of(e)) for e in head.elements if e.tag == "title"]
            assert shown == [wt.norm(doc.title)], f"{name}: {shown}"
    hostile = wt.parse_html(built[page_name(None, "hostile")])
    tags = [wt.norm(wt.text_of(li)) for ul in hostile.elements if ul.tag == "ul" and ("tags",) == tuple(
        (dict(ul.attrs).get("class") or "").split()) for li in wt.find_all(ul, "li")]
    assert tags == list(dict.fromkeys(tag_slug(t) for t in hostile_doc().tags))
    if index is not None:
        listing = wt.parse_html(built["_index.md"])
        wt.assert_inert(built["_index.md"], "Hugo index")
        hrefs = [dict(a.attrs)["href"] for a in listing.elements if a.tag == "a" and "/reviews/" in dict(a.attrs).get("href", "")]
        assert len(set(hrefs)) >= len(pages)  # the index's relref links resolved to every page


# --------------------------------------------------------------- fuzzed fields
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = ["`", "``", "\\", "\\`", "\\\\`", "<pmx-tag>", "</pmx-tag>", '<a href="javascript:pmx()">', "](javascript:pmx())",
          "](https://e.com)", "[", "]", "(", ")", '"', "'", "\n", "\n\n", "    ", "  ", "{: onclick=\"pmx()\"}", "|", "*",
          "_", "```", "~~~", "> ", "- ", "1. ", "#", "---", "===", "<https://e.com/pmx>", "<javascript:pmx()>", "]:",
          "{{ pmx }}", "{% pmx %}", "{{< pmx >}}", "$", "~", "=", "&lt;pmx-tag&gt;", "&#60;pmx-tag>", "!", "--8<-- ",
          "pmx", " ", "a", "<!--", "-->", "<?", "<![CDATA[", "\t", ":pmx:", "^", "\\]", "\\[", "][", "[a]: ", "[a]"]
fields = st.lists(st.sampled_from(PIECES), min_size=1, max_size=14).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=wt.CI)
@given(summary=fields, event=fields, title=fields)
def test_fuzzed_text_stays_inert_on_every_parser(summary, event, title):
    if not title.strip() or not event.strip():
        return
    doc = loads(json.dumps({"format": FORMAT, "title": title[:200], "summary": summary,
                            "timeline": [{"at": "2026-04-01T10:00:00Z", "text": event}]}))
    for wiki in ("portable", "mkdocs"):
        md = render(doc, wiki=wiki)
        wt.assert_inert(wt.python_markdown(md), f"Python-Markdown/{wiki}")
    md = render(doc)
    wt.assert_inert(wt.cmark_gfm(md), "cmark-gfm")
    wt.assert_inert(wt.cmark_gfm(render(doc, wiki="github"), strip_front_matter=False), "cmark-gfm/github")
    wt.assert_inert(wt.pandoc(md), "pandoc")
    # the event, a plain field, reads as typed everywhere
    for page in (wt.python_markdown(md), wt.cmark_gfm(md)):
        _, rows = wt.table_with(wt.parse_html(page), "Kind")
        assert len(rows) == 1 and len(rows[0]) == 5 and wt.norm(rows[0][2]) == wt.norm(event)
