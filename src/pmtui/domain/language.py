"""Blame-laden language: find phrases that assign fault or judge with hindsight, and
suggest a reframing. Never blocking, never rewriting (pure, no Textual).

Matching is whole-word and case-insensitive ("should have" matches, "shoulder" does
not). The list is package data; a team adds or removes phrases in its config file.
"""

from __future__ import annotations

import bisect
import itertools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NotRequired, TypedDict


class PhraseEntry(TypedDict):
    """A team's own phrase from the config file ([[language.phrase]])."""

    words: list[str]
    why: NotRequired[str]  # empty or absent: the defaults below
    reframe: NotRequired[str]


@dataclass(frozen=True)
class Phrase:
    words: str
    why: str
    reframe: str


@dataclass(frozen=True)
class Nudge:
    start: int
    end: int
    text: str  # what was typed
    phrase: Phrase

    @property
    def suggestion(self) -> str:
        return f"“{self.text}” {self.phrase.why}: {self.phrase.reframe}"


def _package_data(name: str) -> bytes:
    """A file of pmtui's data folder, read by the loader that loaded this module (as
    pkgutil.get_data does: from a folder or a zip), without importing importlib.resources
    (zipfile, tempfile, random: more than the rest of ``pmtui check``'s start)."""
    import os

    loader: Any = __spec__.loader if __spec__ is not None else None
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", name)
    if loader is None or not hasattr(loader, "get_data"):
        with open(path, "rb") as fh:
            return fh.read()
    data: bytes = loader.get_data(path)
    return data


@lru_cache(maxsize=1)
def default_phrases() -> tuple[Phrase, ...]:
    data = tomllib.loads(_package_data("blame-phrases.toml").decode("utf-8"))
    return tuple(Phrase(w, e["why"], e["reframe"]) for e in data["phrase"] for w in e["words"])


_LEAD = r"(?<![\w'’])"
# every ASCII character but a lower-case letter, to a space (ASCII text, lowered: its words)
_NOT_LETTERS = str.maketrans({c: " " for c in map(chr, range(128)) if not "a" <= c <= "z"})


def _pattern(words: str) -> str:
    open_end = words.rstrip().endswith(("…", "..."))
    core = words.rstrip().rstrip(".…").strip()
    parts = [re.escape(p).replace("'", "['’]") for p in core.split()]
    body = r"\s+".join(parts)
    lead = _LEAD if core[:1].isalnum() else ""
    tail = r"\b[^.?!\n]*" if open_end else (r"(?![\w'’-])" if core[-1:].isalnum() else "")
    return lead + body + tail


def _units(words: str) -> tuple[list[str], str, bool]:
    """A phrase as ``_pattern`` reads it: its units (one regex per character; a space is
    ``\\s+``), its tail and whether it starts at a word's start."""
    open_end = words.rstrip().endswith(("…", "..."))
    core = words.rstrip().rstrip(".…").strip()
    units: list[str] = []
    for i, word in enumerate(core.split()):
        if i:
            units.append(r"\s+")
        for ch in word:
            low = ch.lower() if len(ch.lower()) == 1 else ch
            units.append("['’]" if ch == "'" else re.escape(low))
    tail = r"\b[^.?!\n]*" if open_end else (r"(?![\w'’-])" if core[-1:].isalnum() else "")
    return units, tail, core[:1].isalnum()


class _Node:
    __slots__ = ("children", "ends", "longest")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.ends: list[tuple[int, str, int]] = []  # (length of the phrase, tail, index)
        self.longest = 0

    def emit(self) -> str:
        options = [(child.longest, unit + child.emit()) for unit, child in self.children.items()]
        options += [(length, f"{tail}(?P<p{index}>)") for length, tail, index in self.ends]
        options.sort(key=lambda o: -o[0])  # stable: the longer phrase first, as listed
        return options[0][1] if len(options) == 1 else "(?:" + "|".join(o for _, o in options) + ")"


def compile_phrases(phrases: list[Phrase]) -> re.Pattern[str] | None:
    """One compiled matcher for every phrase: linear in the text, and quick for a long
    list of phrases.

    A plain alternation of N phrases is tried at every character of the text (N
    attempts each). Here the phrases form a trie: one check that a word starts here
    with a letter some phrase starts with, then one character at a time along the
    phrases that share it. Phrase ``i`` ends in the empty named group ``p{i}``; at any
    place the longer phrase wins, as in the list order."""
    if not phrases:
        return None
    roots = {True: _Node(), False: _Node()}  # phrases starting at a word's start, others
    for index, p in enumerate(phrases):
        units, tail, lead = _units(p.words)
        node = roots[lead]
        node.longest = max(node.longest, len(p.words))
        for unit in units:
            node = node.children.setdefault(unit, _Node())
            node.longest = max(node.longest, len(p.words))
        node.ends.append((len(p.words), tail, index))
    branches = []
    if roots[True].children or roots[True].ends:
        firsts = list(roots[True].children)
        quick = f"(?=[{''.join(firsts)}])" if all(len(u) == 1 for u in firsts) else ""
        branches.append(_LEAD + quick + roots[True].emit())
    if roots[False].children or roots[False].ends:
        branches.append(roots[False].emit())
    return re.compile("|".join(branches), re.IGNORECASE)


class Checker:
    """Finds the phrases of one list in text."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.phrases = sorted(phrases, key=lambda p: len(p.words), reverse=True)
        self.regex = compile_phrases(self.phrases)

    def _needles(self) -> tuple[str, ...] | None:
        """For each phrase, the longest run of its letters that any match holds as written
        (a word, or a part of one between apostrophes), lower case: an ASCII text without
        any of them holds no phrase. None when that cannot be said with plain text search
        (a phrase with no such run, or one that is not ASCII)."""
        found: list[str] = []
        for p in self.phrases:
            core = p.words.rstrip().rstrip(".…").strip()
            pieces = [piece for word in core.split() for piece in word.split("'") if piece]
            if not pieces:
                return None
            needle = max(pieces, key=len).lower()
            if not needle.isascii():
                return None
            found.append(needle)
        return tuple(dict.fromkeys(found))

    def find_many(self, texts: list[str]) -> list[list[Nudge]]:
        """``[self.find(t) for t in texts]``, quicker for many texts (see :meth:`find_some`)."""
        out: list[list[Nudge]] = [[] for _ in texts]
        for i, found in self.find_some(texts).items():
            out[i] = found
        return out

    def find_some(self, texts: list[str]) -> dict[int, list[Nudge]]:
        """The nudges of each text that has any, by its index: ``self.find`` of every text,
        quicker for many texts: only the texts that hold some phrase's needle (or are not
        ASCII: there the matcher's case-insensitive letters are more than those of
        ``str.lower``) are scanned."""
        needles = self._needles() if self.regex else None
        if needles is None or len(texts) < 100:
            return {i: found for i, t in enumerate(texts) if (found := self.find(t))}
        joined = "\0".join(texts)  # NUL: in no needle, so none is found across two texts
        scan: set[int] = set()
        if joined.isascii():  # (the usual case: one lower() for all)
            lows = texts
            joined = joined.lower()
        else:
            lows = [t.lower() if t.isascii() else "\0" for t in texts]
            joined = "\0".join(lows)
            scan = {i for i, low in enumerate(lows) if low == "\0"}
        starts = list(itertools.accumulate(map((1).__add__, map(len, lows[:-1])), initial=0))
        # A needle of letters only is a whole word wherever a match holds it (a phrase starts
        # at a word's start and ends at a word's end; its words meet at spaces or apostrophes):
        # one pass over the text finds which of these words it has at all, and only those
        # are searched for (each search is a pass over all the text)
        words = set(joined.translate(_NOT_LETTERS).split())
        for needle in (n for n in needles if n in words or not n.isalpha()):
            at = joined.find(needle)
            while at != -1:
                i = bisect.bisect_right(starts, at) - 1
                scan.add(i)
                at = joined.find(needle, starts[i + 1] if i + 1 < len(starts) else len(joined))
        return {i: found for i in sorted(scan) if (found := self.find(texts[i]))}

    def find(self, text: str) -> list[Nudge]:
        if not self.regex or not text:
            return []
        out = []
        for m in self.regex.finditer(text):
            index = int(m.lastgroup[1:])  # type: ignore[index]
            out.append(Nudge(m.start(), m.end(), m.group(0), self.phrases[index]))
        return out


def make_checker(add: list[PhraseEntry] | None = None, remove: list[str] | None = None) -> Checker:
    removed = {r.strip().lower() for r in (remove or [])}
    phrases = [p for p in default_phrases() if p.words.lower() not in removed]
    for entry in add or []:
        for w in entry["words"]:
            phrases.append(Phrase(w, entry.get("why") or "may assign blame", entry.get("reframe") or "describe the conditions instead"))
    return Checker(phrases)
