"""The user's config file (TOML in the platformdirs config folder; PMTUI_CONFIG
overrides the path): the remembered name, theme and presentation mode, and the
team's changes to the blame-language list. Pure: no Textual.

A malformed file never stops the app: every problem is reported with the file and
line, and the defaults are used. A file we cannot read back is never overwritten.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pmtui.domain.language import PhraseEntry

ENV_VAR = "PMTUI_CONFIG"


def config_dir() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().parent
    import platformdirs

    return platformdirs.user_config_path("pmtui")


def config_path() -> Path:
    env = os.environ.get(ENV_VAR)
    return Path(env).expanduser() if env else config_dir() / "config.toml"


def line_of(text: str, key: str) -> int | None:
    """The line of ``key`` (a dotted path such as ``language.phrase[2].why``) in the file:
    after the header of its table (the n-th ``[[table]]`` for an index) when there is one."""
    parts = re.findall(r"([^.\[\]]+)(?:\[(\d+)\])?", key)
    start = 0
    table: list[str] = []
    for name, index in parts[:-1]:
        table.append(name)
        dotted = r"\s*\.\s*".join(re.escape(t) for t in table)
        if index:
            headers = list(re.finditer(rf"^\s*\[\[\s*{dotted}\s*\]\]", text[start:], re.M))
            if len(headers) > int(index):
                start += headers[int(index)].end()
        else:
            m = re.search(rf"^\s*\[\s*{dotted}\s*\]", text[start:], re.M)
            if m:
                start += m.end()
    def find(name: str, at: int) -> re.Match[str] | None:
        sp = r"[^\S\n]*"  # spaces on the same line
        return re.compile(rf"^{sp}(?:[\w\"'.-]+{sp}\.{sp})?(?P<k>{re.escape(name)}){sp}=", re.M).search(text, at)

    last = parts[-1][0] if parts else key
    m = find(last, start) or (find(last, 0) if start else None)
    if m is None and parts:  # a table given as a value (``language = 3``), or an inline table
        m = find(parts[0][0], 0)
    return text.count("\n", 0, m.start("k")) + 1 if m else None


def _quoted_line(text: str, key: str) -> int | None:
    """The line of a quoted key (``"meeting.next" = …``), whose dots are not tables."""
    m = re.search(rf"^[^\S\n]*[\"']?{re.escape(key)}[\"']?[^\S\n]*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _deep_line(text: str, limit: int = 100) -> int:
    """The line where brackets first nest deeper than ``limit`` (outside strings)."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return text.count("\n", 0, i) + 1
        elif ch in "]}":
            depth -= 1
    return 1


def read_toml(path: Path) -> tuple[dict[str, Any], str, list[str]]:
    """(data, text, problems); a missing file is empty, a malformed one is reported."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, "", []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, "", [f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc}); using the defaults"]
    import tomllib  # only when there is a file: the app's first frame does not wait for it

    try:
        return tomllib.loads(text), text, []
    except RecursionError:
        return {}, text, [f"{path}, line {_deep_line(text)}: values are nested too deeply to be read; using the defaults"]
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        where = f"{path}, line {m.group(1) if m else last}"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        return {}, text, [f"{where}: {reason}; using the defaults"]


@dataclass
class Config:
    path: Path
    name: str = ""
    theme: str | None = None
    presentation: bool = False
    add_phrases: list[PhraseEntry] = field(default_factory=list)
    remove_phrases: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    readable: bool = True
    # owner name -> {tracker: account}: ``[owners."Payments team"] github = "payments-oncall"``
    owners: dict[str, dict[str, str]] = field(default_factory=dict)
    # the tracker `pmtui actions push` and the app push to without --to: ``[tracker] to``, ``url``
    tracker_to: str = ""
    tracker_url: str = ""
    # binding id -> keys: ``[keys]`` ``"meeting.next" = "ctrl+b"`` (the app checks the ids; see help, F1)
    keys: dict[str, str] = field(default_factory=dict)


def load(path: Path | None = None) -> Config:
    path = path or config_path()
    data, text, problems = read_toml(path)
    cfg = Config(path=path, problems=problems, readable=not problems)

    def bad(key: str, what: str, quoted: str | None = None) -> None:
        line = line_of(text, key) if quoted is None else _quoted_line(text, quoted)
        cfg.problems.append(f"{path}{f', line {line}' if line else ''}: {key} {what}; ignored")

    if "name" in data:
        if isinstance(data["name"], str):
            cfg.name = data["name"]
        else:
            bad("name", "must be a string")
    if "theme" in data:
        if isinstance(data["theme"], str):
            cfg.theme = data["theme"]
        else:
            bad("theme", "must be a string")
    if "presentation" in data:
        if isinstance(data["presentation"], bool):
            cfg.presentation = data["presentation"]
        else:
            bad("presentation", "must be true or false")
    lang = data.get("language", {})
    if not isinstance(lang, dict):
        bad("language", "must be a table ([language])")
        lang = {}
    remove = lang.get("remove", [])
    if isinstance(remove, list) and all(isinstance(x, str) for x in remove):
        cfg.remove_phrases = remove
    else:
        bad("language.remove", "must be a list of phrases")
    add = lang.get("phrase", [])
    if isinstance(add, list):
        for i, entry in enumerate(add):
            if not isinstance(entry, dict):
                bad(f"language.phrase[{i}]", "must be a table ([[language.phrase]] with words, why and reframe)")
                continue
            words = entry.get("words")
            if isinstance(words, str):
                words = [words]
            # a phrase has a letter or digit (a bare "…" would flag every word)
            if not (isinstance(words, list) and words
                    and all(isinstance(w, str) and any(c.isalnum() for c in w) for w in words)):
                bad(f"language.phrase[{i}].words", "must be a phrase or a list of phrases")
                continue
            texts: dict[str, str] = {}
            for name in ("why", "reframe"):
                value = entry.get(name, "")
                if not isinstance(value, str):
                    bad(f"language.phrase[{i}].{name}", "must be a string")
                    value = ""
                texts[name] = value
            cfg.add_phrases.append({"words": words, "why": texts["why"], "reframe": texts["reframe"]})
    else:
        bad("language.phrase", "must be a list of [[language.phrase]] tables")
    _load_trackers(cfg, data, bad)
    _load_keys(cfg, data, bad)
    return cfg


TRACKER_KINDS = ("github", "gitlab", "jira", "linear")  # pmtui.trackers.KINDS (not imported: no httpx here)


_KEY = re.compile(r"[a-z0-9_+]+(,[a-z0-9_+]+)*")


def _load_keys(cfg: Config, data: dict[str, Any], bad: Any) -> None:
    """``[keys]``: a binding's id (help, F1, shows them) and the key or keys that run it instead."""
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        bad("keys", 'must be a table ([keys] with "meeting.next" = "ctrl+b" …)')
        return
    for binding_id, value in keys.items():
        if not isinstance(value, str) or not _KEY.fullmatch(value.replace(" ", "").lower()):
            bad(f"keys.{binding_id}", 'must be a key or keys, comma-separated (such as "f3" or "ctrl+b,ctrl+t")',
                quoted=binding_id)
        else:
            cfg.keys[binding_id] = value.replace(" ", "").lower()


def _load_trackers(cfg: Config, data: dict[str, Any], bad: Any) -> None:
    """``[owners."NAME"]`` tables of tracker accounts, and ``[tracker]`` ``to``/``url``."""
    owners = data.get("owners", {})
    if not isinstance(owners, dict):
        bad("owners", 'must be tables ([owners."Payments team"] with github = "login" …)')
        owners = {}
    for name, accounts in owners.items():
        if not isinstance(accounts, dict):
            bad(f"owners.{name}", "must be a table of tracker = account")
            continue
        kept: dict[str, str] = {}
        for kind, account in accounts.items():
            if kind not in TRACKER_KINDS:
                bad(f"owners.{name}.{kind}", f"is not a tracker pmtui pushes to ({', '.join(TRACKER_KINDS)})")
            elif not isinstance(account, str) or not account.strip():
                bad(f"owners.{name}.{kind}", "must be the account's name, id or e-mail (a string)")
            else:
                kept[kind] = account.strip()
        cfg.owners[name] = kept
    tracker = data.get("tracker", {})
    if not isinstance(tracker, dict):
        bad("tracker", "must be a table ([tracker] with to and url)")
        tracker = {}
    for key in ("to", "url"):
        if key in tracker:
            if isinstance(tracker[key], str):
                setattr(cfg, f"tracker_{key}", tracker[key].strip())
            else:
                bad(f"tracker.{key}", "must be a string")


HEADER = "# pmtui settings; pmtui keeps your comments and layout when it changes a value here.\n"


def save(cfg: Config, **changes: Any) -> bool:
    """Remember some values in the file, keeping the user's comments and layout (tomlkit
    edits the document in place). False, and nothing written, when the file cannot be
    read now (a user's malformed file is never replaced) or when the new text would not
    read back as exactly the old settings plus the changes."""
    for key, value in changes.items():
        setattr(cfg, key, value)
    data, text, problems = read_toml(cfg.path)
    if problems:
        return False
    import tomllib

    import tomlkit

    try:
        doc = tomlkit.parse(text) if text.strip() else tomlkit.document()
        if not text.strip():
            doc.add(tomlkit.comment(HEADER[2:].rstrip()))
        for key, value in changes.items():
            if value is None:
                doc.pop(key, None)
            else:
                doc[key] = value
        new_text = tomlkit.dumps(doc)
        back = tomllib.loads(new_text)
    except Exception:  # tomlkit could not keep this file's layout: leave it as it is
        return False
    expected = {k: v for k, v in data.items() if k not in changes}
    expected.update({k: v for k, v in changes.items() if v is not None})
    if back != expected:
        return False
    from pmtui.atomic import write_atomic

    target = cfg.path.resolve() if cfg.path.is_symlink() else cfg.path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, new_text)
    except OSError:
        return False
    return True
