"""The wiki-ready Markdown report (pure: a document in, Markdown text out).

Reads well on GitHub/GitLab, MkDocs, Hugo, Jekyll and Obsidian, and never breaks
whatever people typed nor lets it run there: plain fields are escaped the way every
target's parser honours (numeric entities where backslash escapes are not universal),
Markdown fields keep their formatting but cannot break the report's structure
(headings demoted, fences closed, no setext headings) nor inject anything (raw HTML
escaped, links only to http/https/mailto, template syntax neutralised). ``Wiki``
holds what differs between targets (``render(..., wiki="hugo")``). The same review
always gives the same bytes.

No Textual imports here.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from pmtui.domain.metrics import Metric, between, compute, format_duration
from pmtui.domain.plain_fields import ACTION_LABELS
from pmtui.domain.vocab import (
    ACTION_STATUS_WORDS,
    COMPONENT_STATUS_WORDS,
    MARK_WORDS,
    OBSERVATION_HEADINGS,
    PHASES,
    STATUS_WORDS,
    UNRESOLVED_PHASE,
    ActionStatus,
    FactorCategory,
    Mark,
    NoteKind,
)
from pmtui.safetext import BIDI

if TYPE_CHECKING:  # pragma: no cover
    from pmtui.domain.document import ReviewDoc

NONE_RECORDED = "_None recorded._"



# ------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Wiki:
    """What differs between the wikis a report is published on.

    Every target gets text escaped the same safe way (numeric entities where a
    backslash escape is not honoured by every parser); these are the parts that a
    wiki's own conventions decide."""

    name: str
    front_matter: bool = True  # False: a metadata table instead (GitHub wikis show front matter as text)
    # front-matter strings are always the exact YAML value, except those a site prints as raw
    # HTML (``raw_html``): "html" writes their < > & (and " where printed in an attribute)
    # HTML-escaped; "portable" does so only for a value that would be markup there, and also
    # writes < > & [ ] ` as YAML escapes (inert where a wiki shows front matter as text)
    meta: str = "exact"
    raw_html: frozenset[str] = frozenset()  # MkDocs Material: title, tags; Jekyll's seo tag (minima): authors
    index_name: str = "index.md"
    links: str = "md"  # "md": page.md, "bare": page (GitHub and GitLab wikis), "relref": Hugo's relref, "html": page.html
    slug_tags: bool = True  # tags as one word: Obsidian and Hugo break on spaces
    line_break: str = "<br>"  # between the lines of a one-line field; Hugo drops raw HTML
    liquid_raw: bool = False  # Jekyll: the body inside {% raw %} so Liquid leaves it alone
    code_templates: tuple[str, ...] = ()  # template openers that must not stay raw inside code
    typographer: bool = False  # Hugo turns quotes and dashes typographic unless escaped
    label: str = ""  # its name in the app's choice of wiki (the report screen)

    def page_link(self, name: str) -> str:
        if self.links == "bare":
            return quote(name.removesuffix(".md"))
        if self.links == "relref":
            return '{{< relref "' + name + '" >}}'
        if self.links == "html":
            return quote(name.removesuffix(".md") + ".html")
        return quote(name)


WIKIS: dict[str, Wiki] = {
    # The default: inert on every target below; links and titles right on GitHub and GitLab
    # repositories, Obsidian, MkDocs, and Jekyll with jekyll-relative-links (GitHub Pages).
    # Not on Hugo (index.md makes the folder one page) nor plain Jekyll (.md links): see README.
    "portable": Wiki("portable", meta="portable", raw_html=frozenset({"title", "tags", "authors"}), code_templates=("{{", "{%"), line_break="<br> ",
                     label="Portable"),  # the space: where HTML is dropped
    "github": Wiki("github", front_matter=False, index_name="Home.md", links="bare", slug_tags=False,
                   label="GitHub wiki"),
    "gitlab": Wiki("gitlab", index_name="home.md", links="bare", slug_tags=False, label="GitLab wiki"),
    "mkdocs": Wiki("mkdocs", meta="html", raw_html=frozenset({"title", "tags"}), slug_tags=False,
                   label="MkDocs"),
    "hugo": Wiki("hugo", index_name="_index.md", links="relref", line_break=" ",
                 code_templates=("{{<", "{{%"), typographer=True, label="Hugo"),
    "jekyll": Wiki("jekyll", meta="html", raw_html=frozenset({"authors"}), links="html", liquid_raw=True,
                   typographer=True,  # kramdown is typographic too
                   label="Jekyll"),
    "obsidian": Wiki("obsidian", label="Obsidian"),
}
DEFAULT_WIKI = "portable"
PORTABLE = WIKIS[DEFAULT_WIKI]
INDEX_NAMES = frozenset(w.index_name for w in WIKIS.values())


def get_wiki(name: str | Wiki | None) -> Wiki:
    if isinstance(name, Wiki):
        return name
    return WIKIS[name or DEFAULT_WIKI]


# ------------------------------------------------------------------ escaping
# YAML double-quoted scalars: printable characters as they are, the rest as escapes.
# U+2028/U+2029 (line breaks to YAML 1.1), U+0085 and U+FEFF are always escaped.
_YAML_SAFE = re.compile(r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


_YAML_INERT = frozenset("<>&[]`")  # written as \u escapes where front matter may be shown as Markdown text


def yaml_str(text: str, *, inert: bool = False) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``text``.

    Bidirectional controls are always written as escapes (the file reads the same in an
    editor); ``inert`` also writes ``< > & [ ] `` ` as escapes, for a file that a wiki may
    show as Markdown text (a GitHub wiki shows front matter as text)."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif _YAML_SAFE.fullmatch(ch) and ch not in BIDI and not (inert and ch in _YAML_INERT):
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


_BIDI_SHOWN = str.maketrans({c: f"<U+{ord(c):04X}>" for c in BIDI})


_BIDI_ANY = re.compile(f"[{BIDI}]")


def _lines(text: str) -> list[str]:
    """The lines of a typed text, its bidirectional controls shown as ``<U+202E>`` (as the
    terminal shows them): raw, one would reverse the rest of its paragraph on every renderer."""
    if _BIDI_ANY.search(text):  # (a search is many times faster than translating every character)
        text = text.translate(_BIDI_SHOWN)
    if "\r" not in text:
        return text.split("\n")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


# Characters escaped as numeric entities: a backslash escape of these is not honoured
# by every parser (Python-Markdown shows the backslash of \$ \~ \= \|), and the
# entity is never syntax: no code span, table cell, template, math or highlight.
_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "`": "&#96;", "|": "&#124;", "~": "&#126;", "$": "&#36;",
    "=": "&#61;", "^": "&#94;", "%": "&#37;", "{": "&#123;", "}": "&#125;",
    "[": "&#91;", "]": "&#93;",  # not \[ \]: jekyll-relative-links (GitHub Pages) skips a link whose text has them
}
# Backslash escapes that CommonMark, Python-Markdown and pandoc all honour.
_BACKSLASHED = frozenset("\\*_#+")
_EMOJI = re.compile(r":[\w+-]+:")  # :shortcode: (pymdownx.emoji, GitHub, GitLab)
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


_STATIC_MAP = {**_ENTITIES, **{c: "\\" + c for c in _BACKSLASHED}}
_STATIC = str.maketrans(_STATIC_MAP)
_STATIC_ANY = re.compile("[" + re.escape("".join(_STATIC_MAP)) + "]")
_TYPOGRAPHIC = re.compile("[\"'.-]")


def _static(line: str) -> str:
    """``line.translate(_STATIC)``, fast for a line with few characters to escape (the
    usual one): only those are replaced."""
    return _STATIC_ANY.sub(lambda m: _STATIC_MAP[m.group()], line) if _STATIC_ANY.search(line) else line


def _escape_inline(line: str, wiki: Wiki) -> str:
    if not (_EMOJI.search(line) or "www" in line.lower() or (wiki.typographer and _TYPOGRAPHIC.search(line))):
        return _line_start(_static(line))  # the common case, fast: nothing depends on context
    out = []
    n = len(line)
    for i, ch in enumerate(line):
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch in _BACKSLASHED:
            out.append("\\" + ch)
        elif ch == ":" and _EMOJI.match(line, i):
            out.append("&#58;")
        elif ch == "." and i >= 3 and line[i - 3 : i].lower() == "www" and (i == 3 or not (line[i - 4].isalnum() or line[i - 4] in "._-")):
            out.append("&#46;")  # www.example.com: no bare-URL link that would keep escapes in its address
        elif wiki.typographer and ch in "\"'":
            out.append("&#34;" if ch == '"' else "&#39;")
        elif wiki.typographer and ch in "-." and ((i + 1 < n and line[i + 1] == ch) or (i and line[i - 1] == ch)):
            out.append(f"&#{ord(ch)};")
        else:
            out.append(ch)
    return _line_start("".join(out))


_NUMBERED = re.compile(r"(\d+)([.)])")


def _line_start(text: str) -> str:
    """No list item from a leading ``-`` or ``1.``/``1)`` (``#``, ``+``, ``=``, ``>`` are escaped already)."""
    if text.startswith("-"):
        return "\\" + text
    if not text[:1].isdigit():
        return text
    m = _NUMBERED.match(text)
    return f"{m.group(1)}\\{m.group(2)}{text[m.end():]}" if m else text


_URL = re.compile(r"(?<![\w@/.+-])https?://(?:[^\s<>`|{}$\"\\\[\]&]|&(?![#A-Za-z0-9]+;))+", re.I)


def _url_end(url: str) -> str:
    """A URL without the punctuation that ends the sentence around it (GFM's rule)."""
    url = url.split("%%")[0]
    while url and (url[-1] in ".,:;!?'*_~=" or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def _escape_text(line: str, wiki: Wiki, urls: bool) -> str:
    """One line of plain text; a web address in it becomes an explicit autolink, since
    GitHub's and GitLab's bare-URL links would keep escapes in the address."""
    if not urls or "://" not in line:  # no web address in it (the usual line)
        return _escape_inline(line, wiki)
    out, pos = [], 0
    for m in _URL.finditer(line):
        url = _url_end(m.group(0))
        if len(url) <= len("https://"):
            continue
        out.append(_escape_inline(line[pos : m.start()], wiki) if pos < m.start() else "")
        out.append(f"<{url}>")
        pos = m.start() + len(url)
    out.append(_escape_inline(line[pos:], wiki) if pos < len(line) or not out else "")
    return "".join(out)


def plain(text: str, wiki: Wiki | None = None, *, urls: bool = True) -> str:
    """Plain text that renders literally, on one line (in a cell, a list item, a heading).

    ``urls=False`` for the text of a link, where a web address must stay text."""
    wiki = wiki or PORTABLE
    return wiki.line_break.join(_escape_text(line.strip(), wiki, urls) for line in _lines(text)).strip(" ")


def heading_text(text: str, wiki: Wiki | None = None) -> str:
    return plain(" ".join(line.strip() for line in _lines(text)), wiki)


_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(-+|=+)[ \t]*$")
_SNIPPET = re.compile(r"^[ \t]*;*-+8<")  # pymdownx.snippets: --8<-- "file" includes a file
_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^<>\s`\\]+>", re.I)
_SAFE_TARGET = re.compile(r"[ \t]*<?(?:https?://|mailto:)", re.I)
_LINK_TARGET = re.compile(r"\][ \t]*[(:]|\]\s*$", re.M)
_LANG = re.compile(r"[A-Za-z0-9_+#.-]{1,30}")


def _risky_code(content: str, wiki: Wiki, links: bool) -> bool:
    """Code whose text would do harm if some parser read it as text, or which holds
    template syntax that the target runs even inside code.

    Parsers pair backticks alike here (every other backtick is an entity), except
    inside a link's target or title, which they read first: with links in the
    field (``links``), code holding ``<`` is written as text inside ``<code>``."""
    if (links and "<" in content) or "](" in content or "]:" in content or "|" in content:
        return True
    if "{" in content and "=" in content:  # attr_list {: onclick=...}
        return True
    return any(t in content for t in wiki.code_templates)


def _code_as_text(content: str, wiki: Wiki) -> str:
    return "<code>" + _escape_inline(content, wiki) + "</code>"


def _inline_markdown(line: str, wiki: Wiki, links: bool = True) -> str:
    """One line of a Markdown field: formatting kept, raw HTML, unsafe links and
    template syntax neutralised, and every backtick either part of a code span
    that all parsers see the same way or an entity."""
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n and line[i + 1] in _ASCII_PUNCT:
            nxt = line[i + 1]
            if nxt == "<" and line.startswith("!", i + 2):
                out.append("&lt;&#33;")
                i += 3
                continue
            out.append({"`": "&#96;", "\\": "&#92;", "<": "&lt;", "{": "&#123;", "|": "\\|", "[": "&#91;",
                        "]": "&#93;"}.get(nxt, line[i : i + 2]))
            i += 2
            continue
        if ch == "`":
            j = i
            while j < n and line[j] == "`":
                j += 1
            run = j - i
            close = None
            k = j
            while k < n:
                if line[k] == "`":
                    e = k
                    while e < n and line[e] == "`":
                        e += 1
                    if e - k == run:
                        close = k
                        break
                    k = e
                else:
                    k += 1
            if close is None:
                out.append("&#96;" * run)
                i = j
                continue
            content = line[j:close]
            if _risky_code(content, wiki, links) or not content.strip():
                out.append(_code_as_text(content, wiki) if content.strip() else "&#96;" * (2 * run))
            else:
                out.append(line[i:j] + content + line[close : close + run])
            i = close + run
            continue
        if ch == "<":
            m = _AUTOLINK.match(line, i)
            if m:
                out.append(m.group(0))
                i = m.end()
                continue
            if line.startswith("!", i + 1):  # <![CDATA[…](…): escaping < alone would leave image syntax
                out.append("&lt;&#33;")
                i += 2
                continue
            out.append("&lt;")
        elif ch == "{":
            out.append("&#123;")
        elif ch == "!" and line.startswith("[", i + 1):
            out.append("&#33;")  # an image would load from any host as the page is read: a link instead
        elif ch == "]" and i + 1 < n and line[i + 1] in "(:" and not _SAFE_TARGET.match(line, i + 2):
            out.append("&#93;")  # a link to anything but http, https or mailto stays text
        elif wiki.typographer and (ch in "\"'" or (ch in "-." and line[:i].strip() and (
                (i + 1 < n and line[i + 1] == ch) or line[i - 1] == ch))):
            out.append(f"&#{ord(ch)};")  # Hugo would make it a typographic quote, dash or ellipsis
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def _fence_as_text(lines: list[str], wiki: Wiki) -> list[str]:
    out = []
    for line in lines:
        body = line.lstrip(" ")
        indent = "&#160;" * (len(line) - len(body))
        out.append((indent + plain(body, wiki)) or "&#160;")
    return ["  \n".join(out)] if out else []


def _split_fences(text: str) -> list[tuple[str, str, list[str]]]:
    """Blocks of a Markdown field, read the CommonMark way: ("text", "", lines) and
    ("fence", info, content lines); an unclosed fence runs to the end."""
    blocks: list[tuple[str, str, list[str]]] = []
    lines = _lines(text)
    i = 0
    current: list[str] = []
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
            if current:
                blocks.append(("text", "", current))
                current = []
            indent, fence, info = len(m.group(1)), m.group(2), m.group(3).strip()
            content = []
            i += 1
            while i < len(lines):
                c = _FENCE.match(lines[i])
                if c and c.group(2)[0] == fence[0] and len(c.group(2)) >= len(fence) and not c.group(3).strip():
                    break
                line = lines[i]
                strip = len(line) - len(line.lstrip(" "))
                content.append(line[min(strip, indent):])
                i += 1
            blocks.append(("fence", fence[0] + info, content))
            i += 1
            continue
        current.append(lines[i])
        i += 1
    if current:
        blocks.append(("text", "", current))
    return blocks


def markdown_block(text: str, level: int = 2, wiki: Wiki | None = None) -> str:
    """A Markdown field, kept as Markdown but unable to break the report around it.

    ``level`` is the heading level of the section it sits in: its own headings are
    pushed below it. Fences are closed and written the one way every parser reads
    alike, ``---``/``===`` lines cannot make a heading of the line above, raw HTML is
    escaped, links go only to http, https and mailto, and template syntax cannot run."""
    wiki = wiki or PORTABLE
    out: list[str] = []
    links = bool(_LINK_TARGET.search(text))
    for kind, info, lines in _split_fences(text.rstrip()):
        if kind == "fence":
            content = "\n".join(lines)
            if any(t in content for t in wiki.code_templates) or any(_SNIPPET.match(x) for x in lines):
                out.extend(["", *_fence_as_text(lines, wiki), ""])
                continue
            char, lang = info[0], info[1:].split()[0] if info[1:].split() else ""
            if not _LANG.fullmatch(lang) or lang.lower() == "mermaid":
                lang = ""
            longest = max((len(r) for r in re.findall(re.escape(char) + "+", content)), default=0)
            fence = char * max(3, longest + 1)
            out.extend(["", fence + lang, *lines, fence, ""])
            continue
        for line in lines:
            if _SETEXT.match(line) and out and out[-1].strip():
                out.append("")  # a blank line first: never a setext heading
            h = _ATX.match(line)
            if h:
                new_level = min(6, len(h.group(2)) + level)
                line = h.group(1) + "#" * new_level + line[h.end() :]
            if _SNIPPET.match(line):
                k = line.index("-")
                line = line[:k] + "&#45;" + line[k + 1 :]
            out.append(_inline_markdown(line, wiki, links))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def link(label: str, url: str, wiki: Wiki | None = None) -> str:
    if re.match(r"^(https?://|mailto:)\S+$", url.strip(), re.I):
        target = quote(url.strip(), safe=":/?#@!$&'*+,;=%~-._")
        return f"[{plain(label, wiki, urls=False) or plain(url, wiki, urls=False)}]({target})"
    return plain(f"{label}: {url}" if label else url, wiki)


def table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(cell if cell else " " for cell in row) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- redaction
def redact_names(doc: ReviewDoc) -> ReviewDoc:
    """Replace participants', authors' and owners' names by their role and a letter,
    everywhere in the document, consistently."""
    by_role: dict[str, list[str]] = {}
    for p in doc.participants:
        names = by_role.setdefault(p.role.strip() or "participant", [])
        if p.name not in names:
            names.append(p.name)
    mapping: dict[str, str] = {}
    for role, names in by_role.items():
        for i, name in enumerate(names):
            if name not in mapping:
                mapping[name] = role if len(names) == 1 else f"{role} {_letter(i)}"
    for kind, names in (("author", doc.authors), ("owner", [a.owner for a in doc.action_items])):
        extra = [n for n in dict.fromkeys(names) if n.strip() and n not in mapping]
        for i, name in enumerate(extra):
            mapping[name] = f"{kind} {_letter(i)}" if len(extra) > 1 else kind
    first: dict[str, list[str]] = {}  # a participant's given name alone is theirs too, when unambiguous
    for name in dict.fromkeys(p.name for p in doc.participants):
        parts = name.split()
        if len(parts) > 1 and len(parts[0]) >= 3:
            first.setdefault(parts[0], []).append(name)
    for given, full in first.items():
        if len(full) == 1 and given not in mapping:
            mapping[given] = mapping[full[0]]
    if not mapping:
        return doc
    names = sorted(mapping, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in names) + r")(?!\w)")

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return mapping[value] if value in mapping else pattern.sub(lambda m: mapping[m.group(1)], value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in ("format", "at", "timezone", "due", "review_date") else walk(v)) for k, v in value.items()}
        return value

    from pmtui.domain import plain
    from pmtui.domain.document import ReviewDoc, to_dict

    data = plain.to_dict(doc) if isinstance(doc, plain.PlainDoc) else to_dict(doc)
    return ReviewDoc.model_validate(walk(data))


def _letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


# ------------------------------------------------------------------ helpers
def report_date(doc: ReviewDoc) -> date | None:
    """The day impact started, else the first event's day, else the review date."""
    zone = doc.zone()
    marks = doc.marks()
    if Mark.impact_start in marks:
        return marks[Mark.impact_start].astimezone(zone).date()
    if doc.timeline:
        return doc.timeline[0].at.astimezone(zone).date()
    return doc.review_date


@dataclass
class _Ctx:
    doc: ReviewDoc
    zone: tzinfo
    seconds: bool
    metrics: list[Metric]
    wiki: Wiki

    def time(self, at: datetime) -> str:
        local = at.astimezone(self.zone)
        return local.strftime("%H:%M:%S" if self.seconds else "%H:%M")

    def stamp(self, at: datetime) -> str:
        local = at.astimezone(self.zone)
        return local.strftime("%Y-%m-%d %H:%M:%S" if self.seconds else "%Y-%m-%d %H:%M")

    def plain(self, text: str) -> str:
        return plain(text, self.wiki)

    def md(self, text: str, level: int = 2) -> str:
        return markdown_block(text, level, self.wiki)


_MARKUP = re.compile(r"<[A-Za-z/!?]|&(?:#|[A-Za-z][A-Za-z0-9]*;?)")


def _html_markup(text: str) -> bool:
    """Whether a browser would read part of ``text`` as a tag, a comment or a character reference."""
    for m in _MARKUP.finditer(text):
        if m.group(0)[0] == "<" or m.group(0) == "&#":
            return True
        name = m.group(0)[1:]
        if name.endswith(";") or any(name.startswith(k) for k in _LEGACY_ENTITIES):
            return True
    return False


_LEGACY_ENTITIES = tuple(k for k in html.entities.html5 if not k.endswith(";"))


def meta_text(text: str, wiki: Wiki, key: str = "title") -> str:
    """A front-matter string for this wiki (then written as a YAML scalar): the exact text,
    unless the site prints this key as raw HTML (``wiki.raw_html``).

    MkDocs Material prints the title and tags as raw HTML (its navigation, ``<title>``,
    tag list): ``--wiki mkdocs`` writes their ``<``, ``>`` and ``&`` HTML-escaped. Jekyll's
    seo tag (minima's head) prints the first author raw, in an attribute and in a script:
    ``--wiki jekyll`` writes authors with ``"`` escaped too. The portable default does so
    only for a value with markup in it (``<b``, ``&amp;``, an author's ``"``), which would
    otherwise be live on those sites: every other value is exact there too."""
    if key not in wiki.raw_html:
        return text
    quote = key == "authors"
    if wiki.meta == "html" or _html_markup(text) or (quote and '"' in text):
        return html.escape(text, quote=quote).replace("&#x27;", "'")
    return text


def tag_slug(tag: str) -> str:
    """A tag as one word, the form Obsidian and Hugo accept: ``on call`` -> ``on-call``."""
    slug = re.sub(r"[^\w-]+", "-", tag.lower()).strip("-_") or "tag"
    return f"tag-{slug}" if slug.isdigit() else slug


def page_tags(doc: ReviewDoc, wiki: Wiki) -> list[str]:
    tags = [tag_slug(t) if wiki.slug_tags else t for t in doc.tags]
    return list(dict.fromkeys(tags))


def _front_matter(doc: ReviewDoc, metrics: list[Metric], wiki: Wiki) -> str:
    def q(text: str, key: str = "") -> str:
        return yaml_str(meta_text(text, wiki, key), inert=wiki.meta == "portable")

    day = report_date(doc)
    lines = ["---", f"title: {q(doc.title, 'title')}"]
    if day is not None:
        lines.append(f"date: {day.isoformat()}")
    lines.append(f"status: {doc.status.value}")
    lines.append(f"severity: {q(doc.severity) if doc.severity is not None else 'null'}")
    lines.append("tags: [" + ", ".join(q(t, "tags") for t in page_tags(doc, wiki)) + "]")
    lines.append("authors: [" + ", ".join(q(a, "authors") for a in doc.authors) + "]")
    lines.append(f"incident_ref: {q(doc.incident_ref) if doc.incident_ref is not None else 'null'}")
    for m in metrics:
        if m.value is not None:
            lines.append(f"{m.key}_min: {m.minutes()}")
    lines.append("---")
    return "\n".join(lines)


def _metadata_table(ctx: _Ctx) -> str:
    """What the front matter says, for a wiki that shows front matter as text."""
    doc = ctx.doc
    rows = [["Status", STATUS_WORDS[doc.status]]]
    if doc.severity:
        rows.append(["Severity", ctx.plain(doc.severity)])
    day = report_date(doc)
    if day:
        rows.append(["Date", day.isoformat()])
    if doc.review_date:
        rows.append(["Reviewed", doc.review_date.isoformat()])
    if doc.incident_ref:
        ref = doc.incident_ref
        rows.append(["Incident", link(ref, ref, ctx.wiki) if ref.startswith(("http://", "https://")) else ctx.plain(ref)])
    if doc.authors:
        rows.append(["Authors", ", ".join(ctx.plain(a) for a in doc.authors)])
    if doc.tags:
        rows.append(["Tags", ", ".join(ctx.plain(t) for t in page_tags(doc, ctx.wiki))])
    return table(["Field", "Value"], rows)


def _metrics_table(ctx: _Ctx) -> str | None:
    marks = ctx.doc.marks()
    if not marks:
        return None
    rows = []
    for m in ctx.metrics:
        if m.missing and len(m.missing) == 2:
            continue
        def where(mark: str) -> str:
            at = marks.get(Mark(mark))
            return f"{MARK_WORDS[Mark(mark)]} ({ctx.stamp(at)})" if at else f"{MARK_WORDS[Mark(mark)]} (not marked)"
        if m.value is not None:
            value = format_duration(m.value)
        elif m.missing:
            value = "not known"
        else:
            value = "not computable"
        rows.append([m.label, value, where(m.start_mark), where(m.end_mark)])
    if not rows:
        return None
    return table(["Metric", "Duration", "From", "To"], rows)


_TICKS = [(1, "minute"), (5, "minute"), (10, "minute"), (15, "minute"), (30, "minute"), (1, "hour"), (2, "hour"),
          (3, "hour"), (6, "hour"), (12, "hour"), (1, "day"), (2, "day"), (7, "day")]
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}


def _gantt(ctx: _Ctx) -> str | None:
    """The incident's phases as a Mermaid gantt chart.

    A phase too short to see at the chart's width (a tenth of a tick or less, a
    0-minute one included) is drawn as a milestone with its real length in its label;
    the axis shows the day when the phases span more than one day; ticks are spaced
    so that at most eight labels share the width MkDocs Material gives the chart."""
    marks = ctx.doc.marks()
    phases = [(p.name.capitalize(), p.start, p.end, tag)
              for p, tag in zip((*PHASES, UNRESOLVED_PHASE), ("crit, ", "active, ", "", "done, "))]
    order = [p[1] for p in phases] + [phases[-1][2]]  # impact starts, detected, mitigated, impact ends, resolved
    spans = []
    for i, (label, start, end, tag) in enumerate(phases):
        if start not in marks:
            continue
        if end not in marks:  # runs to the next mark there is: mitigated, then resolved without an impact end
            end = next((m for m in order[order.index(start) + 1 :] if m in marks), end)
            if end not in marks:
                continue
            label = f"{label}, to {MARK_WORDS[end]}"
        if marks[end] >= marks[start]:
            spans.append((i, label, tag, marks[start].astimezone(ctx.zone), marks[end].astimezone(ctx.zone)))
    if not spans:
        return None
    first = min(a for *_, a, _b in spans)
    last = max(b for *_, b in spans)
    total_min = max(between(first, last).total_seconds() / 60, 1)  # real minutes, across DST too
    every, unit = next(((n, u) for n, u in _TICKS if total_min / (n * _UNIT_MINUTES[u]) <= 8), _TICKS[-1])
    tick_min = every * _UNIT_MINUTES[unit]
    many_days = first.date() != last.date()
    fmt = "%Y-%m-%d %H:%M:%S"
    lines = []
    for i, label, tag, a, b in spans:
        length = format_duration(between(a, b))
        if between(a, b).total_seconds() / 60 <= tick_min / 10:
            lines.append(f"    {label} ({length}) :milestone, p{i + 1}, {a.strftime(fmt)}, 0m")
        else:
            lines.append(f"    {label} ({length}) :{tag}p{i + 1}, {a.strftime(fmt)}, {b.strftime(fmt)}")
    return "\n".join(
        ["```mermaid", "gantt", f"    title Incident phases ({ctx.doc.timezone})", "    dateFormat YYYY-MM-DD HH:mm:ss",
         f"    axisFormat {'%b %d %H:%M' if many_days else '%H:%M'}", f"    tickInterval {every}{unit}",
         "    todayMarker off", "    section Incident", *lines, "```"]
    )


def _told(e: Any) -> bool:
    """Whether an event enters the timeline table: typed events do; imported evidence
    (pmtui-review/2 ``source_id``) only when highlighted or marked."""
    return not e.source_id or e.highlight or bool(e.marks)


def _timeline(ctx: _Ctx, highlights_only: bool) -> list[str]:
    events = [e for e in ctx.doc.timeline if _told(e)]
    evidence_left = len(ctx.doc.timeline) - len(events)
    if highlights_only:
        events = [e for e in events if e.highlight or e.marks]
    if not ctx.doc.timeline:
        return [NONE_RECORDED]
    out = []
    gantt = _gantt(ctx)
    if gantt:
        out.append(gantt)
    if highlights_only:
        out.append(f"_Showing {len(events)} of {len(ctx.doc.timeline)} events: the highlighted and marked ones._")
    elif evidence_left:
        sources: dict[str, int] = {}
        for e in ctx.doc.timeline:
            if not _told(e):
                sources[e.source] = sources.get(e.source, 0) + 1
        named = ", ".join(f"{n:,} from {ctx.plain(src) or 'an unnamed source'}" for src, n in sorted(sources.items()))
        out.append(f"_Showing {len(events):,} of {len(ctx.doc.timeline):,} events: {evidence_left:,} imported "
                   f"{'pieces' if evidence_left != 1 else 'piece'} of evidence ({named}) are kept in the review "
                   "and shown here only when highlighted or marked._")
    rows = []
    last_day = None
    sources_shown: dict[str, str] = {}  # a long timeline names a few sources many times
    for e in events:
        local = e.at.astimezone(ctx.zone)
        when = ctx.stamp(e.at) if local.date() != last_day else ctx.time(e.at)
        last_day = local.date()
        if e.approximate:
            when = "&#126;" + when
        text = ctx.plain(e.text)
        if e.highlight:
            text = f"**{text}**"
        marks = ", ".join(MARK_WORDS[m] for m in e.marks)
        source = sources_shown.get(e.source)
        if source is None:
            source = sources_shown[e.source] = ctx.plain(e.source)
        rows.append([when, e.kind.value, text, source, f"**{marks}**" if marks else ""])
    if rows:
        out.append(table([f"Time ({ctx.plain(ctx.doc.timezone)})", "Kind", "Event", "Source", "Marks"], rows))
    return out


def _impact(ctx: _Ctx) -> list[str]:
    imp = ctx.doc.impact
    out = []
    if imp.description.strip():
        out.append(ctx.md(imp.description))
    metrics = _metrics_table(ctx)
    if metrics:
        out.append(metrics)
    if imp.components:
        if any(c.start or c.end for c in imp.components):
            def when(at: datetime | None) -> str:
                return ctx.stamp(at) if at is not None else ""

            out.append(table(["Component", "Status", f"From ({ctx.plain(ctx.doc.timezone)})", "Until"],
                             [[ctx.plain(c.name), COMPONENT_STATUS_WORDS[c.status], when(c.start), when(c.end)]
                              for c in imp.components]))
        else:
            out.append(table(["Component", "Status"],
                             [[ctx.plain(c.name), COMPONENT_STATUS_WORDS[c.status]] for c in imp.components]))
    facts = []
    if imp.users_affected is not None:
        facts.append(f"- **Users affected:** {imp.users_affected:,}")
    if imp.support_tickets is not None:
        facts.append(f"- **Support tickets:** {imp.support_tickets:,}")
    if imp.slo_budget_spent_pct is not None:
        facts.append(f"- **SLO error budget spent:** {imp.slo_budget_spent_pct:g}&#37;")
    if imp.data_loss.strip():
        facts.append(f"- **Data loss:** {ctx.plain(imp.data_loss)}")
    elif facts or imp.components:
        facts.append("- **Data loss:** none")
    if facts:
        out.append("\n".join(facts))
    if imp.customer_communication.strip():
        out.append("**Customer communication**")
        out.append(ctx.md(imp.customer_communication, level=3))
    return out or [NONE_RECORDED]


def _action_items(ctx: _Ctx) -> list[str]:
    doc = ctx.doc
    if not doc.action_items:
        return [NONE_RECORDED]
    today_rows = []
    for i, a in enumerate(doc.action_items, 1):
        status = ACTION_STATUS_WORDS[a.status]
        if a.status_note.strip():
            status += f": {ctx.plain(a.status_note)}"
        elif a.status == ActionStatus.wont_do:
            status += " (no reason given)"
        tracker = link(a.tracker, a.tracker, ctx.wiki) if a.tracker.startswith(("http://", "https://")) \
            else ctx.plain(a.tracker)
        today_rows.append([
            str(i), ctx.plain(a.title), a.type.value, ctx.plain(a.owner) or "_unassigned_", a.priority.value,
            a.due.isoformat() if a.due else "", status, tracker,
        ])
    out = [table(["#", "Action", "Type", "Owner", "Priority", "Due", "Status", "Tracker"], today_rows)]
    # the item's other fields (declared in pmtui.domain.document.ActionItem, not laid out above),
    # each under the item when it is not empty: a field added to the document is reported
    more = [name for name in ACTION_LABELS if name not in _ACTION_TABLE]
    for i, a in enumerate(doc.action_items, 1):
        extra = [f"- **{ACTION_LABELS[n]}:** {ctx.plain(str(getattr(a, n)))}" for n in more
                 if getattr(a, n) not in ("", None)]
        if a.description.strip() or extra:
            out.append(f"**{i}\\. {ctx.plain(a.title)}**")
        if a.description.strip():
            out.append(ctx.md(a.description, level=3))
        if extra:
            out.append("\n".join(extra))
    return out


# the action item fields the report's table and its descriptions show
_ACTION_TABLE = ("title", "type", "owner", "priority", "due", "status", "status_note", "tracker", "description")


def render(
    doc: ReviewDoc,
    *,
    highlights_only: bool = False,
    redact: bool = False,
    related_pages: dict[str, str] | None = None,
    wiki: str | Wiki | None = None,
) -> str:
    """The whole report as Markdown text, for ``wiki`` (a name of WIKIS; default portable).

    ``related_pages`` maps a related review's slug to its page file name."""
    target = get_wiki(wiki)
    if redact:
        doc = redact_names(doc)
    zone = doc.zone()
    seconds = any((e.at.second or e.at.microsecond) and _told(e) for e in doc.timeline)
    metrics = compute(doc.marks())
    ctx = _Ctx(doc, zone, seconds, metrics, target)
    parts: list[str] = [f"# {heading_text(doc.title, target)}"]

    if target.front_matter:
        facts = []
        if doc.severity:
            facts.append(f"**Severity:** {ctx.plain(doc.severity)}")
        facts.append(f"**Status:** {STATUS_WORDS[doc.status]}")
        day = report_date(doc)
        if day:
            facts.append(f"**Date:** {day.isoformat()}")
        if doc.review_date:
            facts.append(f"**Reviewed:** {doc.review_date.isoformat()}")
        if doc.incident_ref:
            ref = doc.incident_ref
            facts.append(f"**Incident:** {link(ref, ref, target) if ref.startswith(('http://', 'https://')) else ctx.plain(ref)}")
        if doc.authors:
            facts.append(f"**Authors:** {', '.join(ctx.plain(a) for a in doc.authors)}")
        parts.append(" · ".join(facts))
    else:
        parts.append(_metadata_table(ctx))

    def section(title: str, body: list[str] | str | None, always: bool = False) -> None:
        if isinstance(body, str):
            body = [body] if body.strip() else []
        if not body:
            if not always:
                return
            body = [NONE_RECORDED]
        parts.append(f"## {title}")
        parts.extend(body)

    section("Summary", ctx.md(doc.summary) if doc.summary.strip() else None, always=True)
    section("Impact", _impact(ctx), always=True)
    section("Timeline", _timeline(ctx, highlights_only), always=True)
    section("Trigger", ctx.md(doc.trigger) if doc.trigger.strip() else None)
    section("Detection", ctx.md(doc.detection) if doc.detection.strip() else None)
    section("Resolution", ctx.md(doc.resolution) if doc.resolution.strip() else None)

    factors = []
    for cat in FactorCategory:
        items = [f for f in doc.factors if f.category == cat]
        if items:
            factors.append(f"### {cat.value.capitalize()} ({len(items)})")
            factors.append("\n".join(f"- {ctx.plain(f.text)}" for f in items))
    section("Contributing factors", factors, always=True)

    lessons = []
    for kind, title in OBSERVATION_HEADINGS.items():
        seen = [o for o in doc.observations if o.kind == kind]
        if seen:
            lessons.append(f"### {title}")
            lessons.append("\n".join(f"- {ctx.plain(o.text)}" for o in seen))
    section("Lessons learned", lessons)
    section("Action items", _action_items(ctx), always=True)
    section("Learnings", "\n".join(f"- {ctx.plain(t)}" for t in doc.learnings if t.strip()))
    section("Open questions", "\n".join(f"- {ctx.plain(n.text)}" for n in doc.notes if n.kind == NoteKind.question))
    # an idea that became an action item is listed once: as the action item
    section("Parked ideas", "\n".join(f"- {ctx.plain(n.text)}" for n in doc.notes if n.kind == NoteKind.idea
                                       and not any(b.kind == "action_item" for b in n.became)))
    if doc.participants:
        section("Participants", table(
            ["Name", "Role", "Attended"],
            [[ctx.plain(p.name), ctx.plain(p.role), "yes" if p.attended else "no"] for p in doc.participants],
        ))
    related = []
    for ref in doc.related:
        page = (related_pages or {}).get(ref)
        related.append(f"- [{plain(ref, target, urls=False)}]({target.page_link(page)})" if page else f"- {ctx.plain(ref)}")
    section("Related reviews", "\n".join(related))
    section("Links", "\n".join(f"- {link(lk.title, lk.url, target)}" for lk in doc.links))
    body = "\n\n".join(parts) + "\n"
    if target.liquid_raw:
        body = wrap_liquid_raw(body)
    if target.front_matter:
        return _front_matter(doc, metrics, target) + "\n\n" + body
    return body


_ENDRAW = re.compile(r"\{%(?=-?\s*endraw)")


def wrap_liquid_raw(body: str) -> str:
    """Jekyll runs Liquid on a page before Markdown: inside {% raw %} it leaves the
    text alone; a typed {% endraw %} (only possible in code) is written by Liquid."""
    return "{% raw %}\n" + _ENDRAW.sub('{% endraw %}{{ "{%" }}{% raw %}', body) + "{% endraw %}\n"
