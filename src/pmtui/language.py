"""Blame-laden language: find phrases that assign fault or judge with hindsight, and
suggest a reframing. Never blocking, never rewriting (pure, no Textual).

Matching is whole-word and case-insensitive ("should have" matches, "shoulder" does
not). The list is package data; a team adds or removes phrases in its config file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Iterable


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


@lru_cache(maxsize=1)
def default_phrases() -> tuple[Phrase, ...]:
    data = tomllib.loads(files("pmtui").joinpath("data/blame-phrases.toml").read_text(encoding="utf-8"))
    return tuple(Phrase(w, e["why"], e["reframe"]) for e in data["phrase"] for w in e["words"])


def _pattern(words: str) -> str:
    open_end = words.rstrip().endswith(("…", "..."))
    core = words.rstrip().rstrip(".…").strip()
    parts = [re.escape(p).replace("'", "['’]") for p in core.split()]
    body = r"\s+".join(parts)
    lead = r"(?<![\w'’])" if core[:1].isalnum() else ""
    tail = r"\b[^.?!\n]*" if open_end else (r"(?![\w'’-])" if core[-1:].isalnum() else "")
    return lead + body + tail


class Checker:
    """Finds the phrases of one list in text."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.phrases = sorted(phrases, key=lambda p: len(p.words), reverse=True)
        if self.phrases:
            self.regex = re.compile("|".join(f"(?P<p{i}>{_pattern(p.words)})" for i, p in enumerate(self.phrases)),
                                    re.IGNORECASE)
        else:
            self.regex = None

    def find(self, text: str) -> list[Nudge]:
        if not self.regex or not text:
            return []
        out = []
        for m in self.regex.finditer(text):
            index = int(m.lastgroup[1:])  # type: ignore[index]
            out.append(Nudge(m.start(), m.end(), m.group(0), self.phrases[index]))
        return out


def make_checker(add: list[dict] | None = None, remove: list[str] | None = None) -> Checker:
    removed = {r.strip().lower() for r in (remove or [])}
    phrases = [p for p in default_phrases() if p.words.lower() not in removed]
    for entry in add or []:
        for w in entry["words"]:
            phrases.append(Phrase(w, entry.get("why") or "may assign blame", entry.get("reframe") or "describe the conditions instead"))
    return Checker(phrases)
