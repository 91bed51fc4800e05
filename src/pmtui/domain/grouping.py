"""Which wordings name the same cause (pure): the Patterns view's recurring factors and lessons.

Two wordings are grouped when their **key terms** overlap strongly, even when one is
much longer: "Replication stopped after a load spike" and "Replication stopped after a
load spike from spam and the hard-delete of a flagged account" share every key term of
the shorter one.

- **Key terms**: the words of a wording, lower case and without accents, less English
  stop words (the list PostgreSQL's ``english`` configuration uses, ``pmtui.domain.search``),
  numbers and one-letter words, each reduced to its Snowball English stem (the stemmer
  of PostgreSQL's search: "restores", "restored" and "restoring" are one term).
- **Overlap**: the share of the *shorter* wording's terms that the other has, each term
  weighted by how rare it is among all the wordings compared (a term in many wordings,
  such as "change" or "fail", says less than "replication"); two wordings are the same
  cause when the overlap is at least ``OVERLAP`` and they share at least ``SHARED`` terms.
- Groups are transitive (A like B, B like C: one group).
- A person's choices come first (``choices``: a wording's key -> its group's key, kept in
  the store's ``pattern_choice`` table): wordings put in one group stay together, and a
  wording put in a group (or alone) is not joined to another group by similarity.

Measured on tests/fixtures/factor_pairs.json (72 pairs from public postmortems):
tests/test_grouping.py keeps the figures.

No Textual, no database.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from pmtui.domain.search import STOP_WORDS, fold

OVERLAP = 0.35  # weighted share of the shorter wording's key terms found in the other
SHARED = 2  # key terms two wordings must share (one shared word is a coincidence)
COMMON = 0.05  # a term in more than this share of wordings is not used to find candidates
_WORD = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    """snowballstemmer's English stemmer. Its package imports all 30-odd languages
    first (a seventh of ``pmtui patterns`` on small data), so the English module is
    loaded by itself, under a private package name over the same folder (nothing named
    ``snowballstemmer`` changes); any surprise: the package the usual way."""
    import importlib
    import importlib.util
    import sys
    import types

    try:
        private = "_pmtui_snowballstemmer"
        if private not in sys.modules:
            spec = importlib.util.find_spec("snowballstemmer")
            if spec is None or not spec.submodule_search_locations:
                raise ImportError("snowballstemmer")
            package = types.ModuleType(private)
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules[private] = package
        return importlib.import_module(f"{private}.english_stemmer").EnglishStemmer()
    except Exception:
        import snowballstemmer  # type: ignore[import-untyped]  # (no type hints shipped)

        return snowballstemmer.stemmer("english")


def terms(text: str) -> frozenset[str]:
    """The key terms of a wording (see the module's docstring)."""
    return frozenset(_stem(w) for w in _WORD.findall(fold(text)) if w not in STOP_WORDS)


def key(text: str) -> str:
    """A wording as the store keeps a person's choice about it: its words, lower case,
    without accents and punctuation, one space apart (so re-typing the same words, in
    another case or with other punctuation, keeps the choice)."""
    return " ".join(re.findall(r"\w+", fold(text)))


class Weights:
    """How much each term says: its inverse document frequency among the wordings."""

    def __init__(self, all_terms: Iterable[frozenset[str]]) -> None:
        self.df: Counter[str] = Counter()
        self.n = 0
        for ts in all_terms:
            self.df.update(ts)
            self.n += 1

    def __call__(self, term: str) -> float:
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 1))


def overlap(a: frozenset[str], b: frozenset[str], weight: Weights) -> float:
    """The weighted share of the shorter wording's terms that the other has (0 to 1)."""
    if not a or not b:
        return 0.0
    shared = sum(weight(t) for t in a & b)
    return shared / min(sum(weight(t) for t in a), sum(weight(t) for t in b))


def same_cause(a: frozenset[str], b: frozenset[str], weight: Weights, threshold: float = OVERLAP) -> bool:
    return len(a & b) >= SHARED and overlap(a, b, weight) >= threshold


def group(texts: list[str], choices: Mapping[str, str] | None = None, threshold: float = OVERLAP) -> list[list[int]]:
    """Indices of ``texts`` grouped by cause (transitively), a person's choices first.
    Wordings equal once folded are one wording."""
    choices = choices or {}
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        by_key[key(text)].append(i)
    keys = list(by_key)
    ts = [terms(k) for k in keys]
    weight = Weights(ts)
    parent = list(range(len(keys)))
    pinned: dict[int, str] = {}  # root -> the chosen group it is in

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int, chosen: bool = False) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        ga, gb = pinned.get(ra), pinned.get(rb)
        if not chosen and (ga is not None or gb is not None):
            return  # a person decided where these belong: similarity does not move them
        parent[rb] = ra
        if ga is None and gb is not None:
            pinned[ra] = gb
        pinned.pop(rb, None)

    # the person's groups first: every wording given the same group key is one group
    by_group: dict[str, list[int]] = defaultdict(list)
    for k, i in ((k, i) for i, k in enumerate(keys)):
        chosen = choices.get(k)
        if chosen is not None:
            by_group[chosen].append(i)
    for name, members in by_group.items():
        for m in members[1:]:
            union(members[0], m, chosen=True)
        pinned[find(members[0])] = name
    for a, b in _candidates(ts, weight):
        if same_cause(ts[a], ts[b], weight, threshold):
            union(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[find(i)].extend(by_key[k])
    return [sorted(g) for g in groups.values()]


def _candidates(ts: list[frozenset[str]], weight: Weights) -> Iterable[tuple[int, int]]:
    """Pairs sharing at least SHARED terms, found through an index of the terms that are
    not common (a term in more than COMMON of the wordings finds no candidates by itself:
    two wordings alike only in common words are not the same cause)."""
    common = {t for t, n in weight.df.items() if weight.n >= 40 and n > COMMON * weight.n}
    index: dict[str, list[int]] = defaultdict(list)
    for a, terms_a in enumerate(ts):
        met: Counter[int] = Counter()
        for t in terms_a:
            if t in common:
                continue
            met.update(index[t])
            index[t].append(a)
        for b, n in met.items():
            if n + len((ts[b] & terms_a) & common) >= SHARED:
                yield b, a
