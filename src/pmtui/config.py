"""The user's config file (TOML in the platformdirs config folder; PMTUI_CONFIG
overrides the path): the remembered name, theme and presentation mode, and the
team's changes to the blame-language list. Pure: no Textual.

A malformed file never stops the app: every problem is reported with the file and
line, and the defaults are used. A file we cannot read back is never overwritten.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    m = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def read_toml(path: Path) -> tuple[dict[str, Any], str, list[str]]:
    """(data, text, problems); a missing file is empty, a malformed one is reported."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, "", []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, "", [f"{path}: cannot be read ({getattr(exc, 'strerror', None) or exc}); using the defaults"]
    try:
        return tomllib.loads(text), text, []
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
    add_phrases: list[dict[str, Any]] = field(default_factory=list)
    remove_phrases: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    readable: bool = True


def load(path: Path | None = None) -> Config:
    path = path or config_path()
    data, text, problems = read_toml(path)
    cfg = Config(path=path, problems=problems, readable=not problems)

    def bad(key: str, what: str) -> None:
        line = line_of(text, key.split(".")[-1])
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
            words = entry.get("words") if isinstance(entry, dict) else None
            if isinstance(words, str):
                words = [words]
            if not (isinstance(words, list) and words and all(isinstance(w, str) and w.strip() for w in words)):
                bad(f"language.phrase[{i}].words", "must be a phrase or a list of phrases")
                continue
            cfg.add_phrases.append({
                "words": words,
                "why": entry.get("why", "") if isinstance(entry.get("why", ""), str) else "",
                "reframe": entry.get("reframe", "") if isinstance(entry.get("reframe", ""), str) else "",
            })
    else:
        bad("language.phrase", "must be a list of [[language.phrase]] tables")
    return cfg


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps(data: dict[str, Any]) -> str:
    """Write our simple config shape: top-level values, then one level of tables
    (lists of tables written as arrays of tables)."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for table, values in data.items():
        if not isinstance(values, dict):
            continue
        lines.append(f"\n[{table}]")
        arrays = {k: v for k, v in values.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
        for k, v in values.items():
            if k not in arrays:
                lines.append(f"{k} = {_toml_value(v)}")
        for k, items in arrays.items():
            for item in items:
                lines.append(f"\n[[{table}.{k}]]")
                lines.extend(f"{ik} = {_toml_value(iv)}" for ik, iv in item.items())
    return "# pmtui settings; pmtui rewrites this file when you change them in the app.\n" + "\n".join(lines) + "\n"


def save(cfg: Config, **changes: Any) -> bool:
    """Remember some values; False (and nothing written) when the file cannot be read
    back, so that a user's malformed file is never replaced."""
    for key, value in changes.items():
        setattr(cfg, key, value)
    data, _text, problems = read_toml(cfg.path)
    if problems:
        return False
    data.update(changes)
    try:
        cfg.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cfg.path.with_name(cfg.path.name + ".tmp")
        tmp.write_text(dumps(data), encoding="utf-8")
        os.replace(tmp, cfg.path)
    except OSError:
        return False
    return True
