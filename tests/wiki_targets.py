"""The real renderers of the wikis a report is published on, and what to check in
the HTML they make. Used by tests/test_wiki_targets.py.

Each renderer is the real program or library: Python-Markdown with the extensions
MkDocs Material sites usually enable, a MkDocs Material site build, cmark-gfm
(GitHub's parser), pandoc, a Hugo site build and a Jekyll site build (kramdown). A missing tool skips its tests
with a reason, except under CI=true, where it fails them.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

CI = os.environ.get("CI") == "true"

# What a MkDocs Material site typically enables (Material's own reference list),
# less pymdownx.smartsymbols, which rewrites (c), 1/2, --> as symbols by design.
MATERIAL_EXTENSIONS = [
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "tables",
    "toc", "pymdownx.arithmatex", "pymdownx.betterem", "pymdownx.caret", "pymdownx.mark",
    "pymdownx.tilde", "pymdownx.critic", "pymdownx.details", "pymdownx.emoji",
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.snippets",
    "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist",
]
MATERIAL_CONFIG = {
    "toc": {"permalink": True},
    "pymdownx.arithmatex": {"generic": True},
    "pymdownx.tabbed": {"alternate_style": True},
    "pymdownx.tasklist": {"custom_checkbox": True},
    "pymdownx.superfences": {"custom_fences": [{"name": "mermaid", "class": "mermaid",
                                                "format": "pymdownx.superfences.fence_code_format"}]},
}


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if CI:
            pytest.fail(f"{tool} is not installed (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")
    return path


def split_front_matter(md: str) -> tuple[str, str]:
    m = re.match(r"---\n(.*?\n)---\n", md, re.S)
    return (m.group(1), md[m.end():]) if m else ("", md)


_MARKDOWN: list = []


def python_markdown(md: str) -> str:
    """MkDocs' own conversion: front matter off, then Python-Markdown (one converter, reset
    between pages as MkDocs does: building one with these extensions costs ~30 ms)."""
    import markdown
    from mkdocs.utils.meta import get_data

    body, _meta = get_data(md)
    if not _MARKDOWN:
        _MARKDOWN.append(markdown.Markdown(extensions=MATERIAL_EXTENSIONS, extension_configs=MATERIAL_CONFIG))
    return _MARKDOWN[0].reset().convert(body)


def cmark_gfm(md: str, strip_front_matter: bool = True) -> str:
    """GitHub's parser with its extensions, and raw HTML let through (--unsafe):
    stricter than GitHub, whose sanitiser would hide what got through."""
    exe = need("cmark-gfm")
    if strip_front_matter:  # as GitHub and GitLab do for files in a repository
        md = split_front_matter(md)[1]
    args = [exe, "--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink", "-e", "tasklist"]
    return subprocess.run(args, input=md, capture_output=True, text=True, check=True).stdout


def pandoc(md: str) -> str:
    exe = need("pandoc")
    out = subprocess.run([exe, "-f", "markdown-yaml_metadata_block", "-t", "html5", "-s", "--metadata", "pagetitle=x"], input=md,
                         capture_output=True, text=True, check=True)
    return out.stdout


def _run(args: list[str], what: str, **kw) -> None:
    run = subprocess.run(args, capture_output=True, text=True, **kw)
    assert run.returncode == 0, f"{what} failed: {run.stderr}{run.stdout}"


def hugo_build(site: Path) -> Path:
    """Build a Hugo site whose pages were exported into ``site/content/reviews``; returns its
    public folder. The layouts print the title (Hugo escapes it), the tags, and a nav of every
    page by its title."""
    exe = need("hugo")
    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text('baseURL = "http://localhost/"\ntitle = "Reviews"\n'
                                    'disableKinds = ["RSS", "sitemap", "robotsTXT", "404"]\n')
    head = ('<!doctype html><html><head><title>{{ .Title }}</title></head><body><h1 class="site">{{ .Title }}</h1>'
            '<nav class="site-nav">{{ range .Site.RegularPages }}<a class="page-link" href="{{ .RelPermalink }}">'
            "{{ .Title }}</a>{{ end }}</nav>")
    tags = '<ul class="tags">{{ range .Params.tags }}<li><a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>'
    (site / "layouts" / "_default" / "single.html").write_text(head + tags + "{{ .Content }}</body></html>")
    (site / "layouts" / "_default" / "list.html").write_text(
        head + "{{ .Content }}<ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>{{ end }}</ul></body></html>")
    _run([exe, "--quiet", "-s", str(site), "-d", str(site / "public")], "hugo")
    return site / "public"


def jekyll_build(site: Path, home: Path, *, relative_links: bool = False) -> Path:
    """Build a Jekyll site with its default theme, minima (kramdown with GFM input, as GitHub
    Pages does), from the pages exported into ``site``; ``relative_links``: with the
    jekyll-relative-links plugin, as GitHub Pages has. Returns the built folder."""
    exe = need("jekyll")
    plugins = "plugins: [jekyll-relative-links]\n" if relative_links else ""
    (site / "_config.yml").write_text(
        "title: Reviews\ntheme: minima\nmarkdown: kramdown\nkramdown:\n  input: GFM\n  hard_wrap: false\n" + plugins +
        "defaults:\n  - scope: {path: \"\"}\n    values: {layout: page}\n")
    run = subprocess.run([exe, "build", "-q", "-s", str(site), "-d", str(site / "_site")], capture_output=True, text=True,
                         env={**os.environ, "JEKYLL_ENV": "production", "HOME": str(home)})
    missing = re.search(r"(minima|jekyll-relative-links|jekyll-seo-tag)\S* (?:could not be found|cannot load)", run.stderr)
    if run.returncode and missing and not CI:
        pytest.skip(f"{missing.group(1)} is not installed (.ci/run installs it)")
    assert run.returncode == 0, f"jekyll failed: {run.stderr}{run.stdout}"
    return site / "_site"


def mkdocs_build(site: Path) -> Path:
    """Build a real MkDocs Material site (``--strict``, with the tags plugin) from the pages
    exported into ``site/docs``; returns the built folder."""
    pytest.importorskip("material", reason="mkdocs-material is not installed (the [test] extra has it)")
    lines = ["site_name: Reviews", "theme:", "  name: material", "  features: [navigation.instant, content.code.copy]",
             "plugins:", "  - search", "  - tags", "markdown_extensions:"]
    lines += [f"  - {e}" for e in MATERIAL_EXTENSIONS if e not in MATERIAL_CONFIG]
    lines += ["  - toc:", "      permalink: true", "  - pymdownx.arithmatex:", "      generic: true",
              "  - pymdownx.tabbed:", "      alternate_style: true", "  - pymdownx.tasklist:", "      custom_checkbox: true",
              "  - pymdownx.superfences:", "      custom_fences:", "        - name: mermaid", "          class: mermaid",
              "          format: !!python/name:pymdownx.superfences.fence_code_format"]
    (site / "mkdocs.yml").write_text("\n".join(lines) + "\n")
    _run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(site / "mkdocs.yml")], "mkdocs build",
         cwd=site)
    return site / "site"


def built_page(public: Path, url_path: str) -> Path | None:
    """The file a site serves for a site-relative URL path (``/a/b/``, ``/a/b.html``, ``/a``)."""
    path = public / url_path.lstrip("/")
    for candidate in (path, path / "index.html", path.with_name(path.name + ".html")):
        if candidate.is_file():
            return candidate
    return None


def broken_links(public: Path) -> list[str]:
    """Every link of every built page that points inside the site but to nothing there."""
    from urllib.parse import unquote, urljoin, urlsplit

    broken = []
    for page in public.rglob("*.html"):
        base = "/" + page.relative_to(public).as_posix()
        for el in parse_html(page.read_text(encoding="utf-8")).elements:
            href = dict(el.attrs).get("href") if el.tag == "a" else None
            if not href or href.startswith(("#", "mailto:", "javascript:")):
                continue
            url = urlsplit(urljoin("http://localhost" + base, href))
            if url.netloc != "localhost":
                continue
            if built_page(public, unquote(url.path)) is None:
                broken.append(f"{base}: {href}")
    return broken


# -------------------------------------------------------------- reading the HTML
@dataclass
class Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    text: str = ""
    children: list[Element] = field(default_factory=list)


class _Tree(HTMLParser):
    VOID = {"br", "img", "hr", "input", "meta", "link", "source", "col", "area", "base", "embed", "wbr", "track", "param"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", [])
        self.stack = [self.root]
        self.elements: list[Element] = []

    def handle_starttag(self, tag, attrs):
        el = Element(tag, attrs)
        self.stack[-1].children.append(el)
        self.elements.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag, attrs):
        el = Element(tag, attrs)
        self.stack[-1].children.append(el)
        self.elements.append(el)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)  # type: ignore[arg-type]


def parse_html(text: str) -> _Tree:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree


def text_of(el: Element, br: str = "\n") -> str:
    out = []
    for child in el.children:
        if isinstance(child, str):
            out.append(child)
        elif child.tag == "br":
            out.append(br)
        elif child.tag in ("script", "style") or ("headerlink" in (dict(child.attrs).get("class") or "")):
            continue
        else:
            out.append(text_of(child, br))
    return "".join(out)


def find_all(el: Element, tag: str) -> list[Element]:
    out = []
    for child in el.children:
        if isinstance(child, Element):
            if child.tag == tag:
                out.append(child)
            out.extend(find_all(child, tag))
    return out


def tables(tree: _Tree) -> list[tuple[list[str], list[list[str]]]]:
    out = []
    for t in [e for e in tree.elements if e.tag == "table"]:
        rows = find_all(t, "tr")
        cells = [[text_of(c) for c in r.children if isinstance(c, Element) and c.tag in ("td", "th")] for r in rows]
        if cells:
            out.append((cells[0], cells[1:]))
    return out


def table_with(tree: _Tree, word: str) -> tuple[list[str], list[list[str]]]:
    return next(t for t in tables(tree) if any(word in h for h in t[0]))


MARK = "pmx"  # every hostile tag, attribute and script in the tests carries it


def assert_inert(page: str, where: str) -> None:
    """No element, attribute or script of the page came from typed text."""
    tree = parse_html(page)
    for el in tree.elements:
        assert MARK not in el.tag, f"{where}: a typed <{el.tag}> element is live"
        for name, value in el.attrs:
            assert MARK not in name and not (name.startswith("on") and MARK in (value or "")), \
                f"{where}: a typed attribute {name}={value!r} is live on <{el.tag}>"
            if name in ("href", "src", "action", "formaction", "xlink:href", "data"):
                v = re.sub(r"[\x00-\x20]", "", html.unescape(value or "")).lower()
                assert not v.startswith(("javascript:", "vbscript:", "data:text")), \
                    f"{where}: a typed {name}={value!r} link on <{el.tag}>"
                assert MARK not in v or v.startswith(("http://", "https://", "mailto:", "#", "../", "/")) \
                    or re.fullmatch(r"[a-z0-9._/#-]+", v), f"{where}: typed {name}={value!r} on <{el.tag}>"
        if el.tag == "script" and dict(el.attrs).get("type") == "application/ld+json" and _json(text_of(el)):
            continue  # data (jekyll-seo-tag's JSON-LD), not a script: whole JSON, nothing broke out of it
        if el.tag in ("script", "style", "iframe", "object", "embed", "svg", "math", "img", "form", "input", "textarea"):
            body = text_of(el) + " ".join(v or "" for _, v in el.attrs)
            assert MARK not in body, f"{where}: typed text inside a live <{el.tag}>"


def _json(text: str) -> bool:
    import json

    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\x00", "\ufffd")).strip()
