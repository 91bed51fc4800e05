"""Markdown for a wiki (pure): what differs between the wikis a page is published on
(:class:`Wiki`), and escaping what people typed so that it reads as typed and never runs
there: plain fields escaped the way every target's parser honours (numeric entities where
backslash escapes are not universal), Markdown fields kept with their formatting but unable
to break a page's structure (headings demoted, fences closed, no setext headings) or inject
anything (raw HTML escaped, links only to http/https/mailto, template syntax neutralised).
The report (:mod:`pmtui.export.report`) and the follow-up pages use it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from pmtui.safetext import BIDI


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


# The characters plain() escapes or breaks lines at, and the bidi controls it shows
_SPECIAL = re.compile("[" + re.escape("".join(_STATIC_MAP)) + "\n\r" + BIDI + "]").search
_SPECIAL_TYPOGRAPHER = re.compile("[" + re.escape("".join(_STATIC_MAP)) + "\n\r" + BIDI + "\"'.-]").search


def _as_is(text: str, wiki: Wiki) -> bool:
    """Whether plain() leaves ``text`` as it is: no character it escapes, no line break
    or bidi control, no "www", no web address or :shortcode:, no line start that could
    be a list item (- or a digit) and no space to strip (a few searches in C instead of
    one per step of plain(); the usual text)."""
    if not text:
        return True
    if text[0] == "-" or text[0].isdigit() or text[0].isspace() or text[-1].isspace():
        return False
    if (_SPECIAL_TYPOGRAPHER if wiki.typographer else _SPECIAL)(text) or "www" in text.lower():
        return False
    return ":" not in text or ("://" not in text and not _EMOJI.search(text))


def plain(text: str, wiki: Wiki | None = None, *, urls: bool = True) -> str:
    """Plain text that renders literally, on one line (in a cell, a list item, a heading).

    ``urls=False`` for the text of a link, where a web address must stay text."""
    wiki = wiki or PORTABLE
    if _as_is(text, wiki):
        return text
    return _plain_steps(text, wiki, urls)


def _plain_steps(text: str, wiki: Wiki, urls: bool) -> str:
    """plain() step by step (its result for every text: a test compares)."""
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
